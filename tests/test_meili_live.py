"""Round trip against a real Meilisearch (set MEILI_URL, and MEILI_MASTER_KEY if it has one)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections import Counter

import meilisearch
import pytest

from indexer import sync
from indexer.meili import MeiliBackend, MeiliTaskError
from indexer.query import Query
from xxgk.generate import store_record
from xxgk.model import Check, Region, Report
from xxgk.store import Store

pytestmark = pytest.mark.live

URL = os.environ.get("MEILI_URL")
KEY = os.environ.get("MEILI_MASTER_KEY")
SKIP_REASON = "MEILI_URL not set: live Meilisearch tests skipped — set MEILI_URL=http://127.0.0.1:7700 to run them"


@pytest.fixture(scope="module")
def backend():
    if not URL:
        pytest.skip(
            "MEILI_URL not set: live Meilisearch tests skipped — set MEILI_URL=http://127.0.0.1:7700 to run them"
        )
    b = MeiliBackend(URL, KEY, index=f"xxgk_test_{uuid.uuid4().hex[:8]}")
    yield b
    for uid in (b.uid, f"{b.uid}__rebuild"):
        with contextlib.suppress(meilisearch.errors.MeilisearchApiError):
            b.client.delete_index(uid)


def report(i: int) -> Report:
    url = f"https://live.example/{i}.html"
    county = ("卫滨区", "红旗区", "牧野区")[i % 3]
    long = "\n".join(f"第{j}段，依申请公开办理情况。" * 40 for j in range(30)) if i % 5 == 0 else "主动公开"
    sections = {
        "overview": f"{county}平原镇在建工程" if i % 3 == 0 else "總體情況：依申請公開",
        "requests": long,
        "problems": "存在问题：<script>alert(1)</script>" if i == 7 else "公开不够及时",
    }
    text = "\n".join(sections.values())
    return store_record(
        url,
        title=f"{county}{2020 + i % 4}年政府信息公开工作年度报告",
        agency=f"{county}人民政府",
        agency_level="county",
        year=2020 + i % 4,
        published=f"{2021 + i % 4}-02-01",
        region=Region("河南省", "新乡市", county),
        format=("html", "pdf")[i % 2],
        sections=sections,
        checks=[Check(1, "x")] if i % 4 == 0 else [],
        text=text,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("live") / "x.db") as s:
        for i in range(30):
            s.save(report(i))
        yield s


@pytest.fixture(scope="module")
def synced(backend, store):
    assert sync(store, backend).indexed == 30
    return backend


def test_everything_is_indexed_and_marked(synced, store):
    assert synced.count() == 30
    assert list(store.pending(synced.name)) == []


def test_facets_count_each_report_once(synced):
    reports = [report(i) for i in range(30)]
    result = synced.search(Query(text="依申请公开", facets=("county", "year", "failed_checks"), limit=50))
    matching = [r for r in reports if "依申请公开" in r.text or "依申請公開" in r.text]
    assert result.total == len(matching) == len({h.id for h in result.hits})
    assert result.facets["county"] == dict(Counter(r.region.county for r in matching))
    assert result.facets["year"] == dict(Counter(str(r.year) for r in matching))
    everything = synced.search(Query(facets=("failed_checks",), limit=0))
    assert everything.total == 30
    assert everything.facets["failed_checks"] == {"true": 8, "false": 22}


def test_traditional_and_simplified_filters_sections_and_snippets(synced):
    assert synced.search(Query(text="依申請公開", county="红旗区")).total > 0
    hit = synced.search(Query(text="alert", section="problems")).hits[0]
    assert hit.id == report(7).id and "&lt;script&gt;" in hit.snippet and "<script>" not in hit.snippet
    assert synced.search(Query(text="平原镇", section="problems")).total == 0
    years = [h.year for h in synced.search(Query(sort="-year", limit=30)).hits]
    assert years == sorted(years, reverse=True)
    assert synced.search(Query(year_from=2021, year_to=2022, limit=0)).total == 15


@pytest.mark.parametrize("text", ['"', "*", "NEAR(", "AND OR", "'; DROP TABLE", "", "😀"])
def test_nasty_queries(synced, text):
    assert synced.search(Query(text=text)).total >= 0


def test_rebuild_swaps_without_losing_reports(synced, store):
    result = sync(store, synced, rebuild=True)
    assert result.rebuilt and result.indexed == 30 and synced.count() == 30


def test_search_key_can_search_but_not_write(synced):
    key = synced.search_key()
    assert key == synced.search_key() and key != KEY
    reader = meilisearch.Client(URL, key).index(synced.uid)
    assert reader.search("", {"limit": 1})["hits"]
    with pytest.raises(meilisearch.errors.MeilisearchApiError):
        reader.add_documents([{"doc_id": "x"}])


def test_task_errors_surface_with_their_message(synced):
    with pytest.raises(MeiliTaskError, match="primary key|document id|invalid"):
        synced._wait(synced.client.index(synced.uid).add_documents([{"doc_id": "not valid!"}]))
