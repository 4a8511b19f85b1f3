"""Meilisearch backend without a server: settings, document splitting, filters, the outage path."""

from __future__ import annotations

import pytest
from meilisearch.errors import MeilisearchCommunicationError

from indexer import open_backend, sync
from indexer.meili import (
    PART_CHARS,
    SETTINGS,
    MeiliBackend,
    backend_name,
    build_filter,
    quote,
    split_text,
    to_documents,
)
from indexer.query import FACETS, Query, QueryError
from xxgk.cli import main
from xxgk.generate import store_record
from xxgk.model import Check, Region, Report
from xxgk.store import Store

CLOSED = "http://127.0.0.1:1"  # nothing listens on port 1: the client gets "connection refused"
SECRET = "sk-very-secret-master-key-123"


def report(i: int, sections: dict[str, str] | None = None) -> Report:
    sections = sections if sections is not None else {"overview": f"第{i}号 依申請公開", "problems": "问题"}
    return store_record(
        f"https://m.example/{i}.html",
        title=f"第{i}號年度報告",
        agency="卫滨区人民政府",
        agency_level="county",
        year=2023,
        published="2024-01-02",
        region=Region("河南省", "新乡市", "卫滨区", "410703"),
        format="pdf",
        sections=sections,
        checks=[Check(1, "x")] if i % 2 else [],
        text="\n".join(sections.values()) or f"正文{i}",
    )


def test_settings_cover_filters_facets_sorting_and_chinese():
    assert set(FACETS) <= set(SETTINGS["filterableAttributes"])
    assert {"section", "part", "report_id", "hash"} <= set(SETTINGS["filterableAttributes"])
    assert SETTINGS["sortableAttributes"] == ["year", "published"]
    assert SETTINGS["distinctAttribute"] == "report_id"
    assert SETTINGS["faceting"]["maxValuesPerFacet"] >= 2900  # every county
    assert SETTINGS["localizedAttributes"] == [
        {"attributePatterns": SETTINGS["searchableAttributes"], "locales": ["zho"]}
    ]
    assert {"依申请公开", "不予公开", "政府信息公开", "行政复议"} <= set(SETTINGS["dictionary"])
    typo = SETTINGS["typoTolerance"]
    assert typo["disableOnNumbers"] is True and typo["minWordSizeForTypos"]["oneTypo"] >= 5


def test_long_sections_are_split_below_the_position_limit():
    long = "\n".join(f"第{i}段" + "字" * 700 for i in range(40))  # ~28,000 characters
    docs = to_documents(report(1, {"overview": "总体情况", "requests": long, "problems": "x" * (PART_CHARS * 2 + 5)}))
    assert [d["part"] for d in docs] == list(range(len(docs)))
    assert len({d["doc_id"] for d in docs}) == len(docs)
    assert all(len(d["text"]) <= PART_CHARS for d in docs)
    assert "".join(d["text"] for d in docs if d["section"] == "requests") == long
    assert "".join(d["text"] for d in docs if d["section"] == "problems") == "x" * (PART_CHARS * 2 + 5)
    assert {d["report_id"] for d in docs} == {report(1).id}
    assert all(d["province"] == "河南省" and d["failed_checks"] is True and d["year"] == 2023 for d in docs)


def test_documents_carry_normalised_text_for_search_and_the_original_for_display():
    docs = to_documents(report(2))
    assert docs[0]["text"] == "第2号 依申請公開" and docs[0]["text_n"] == "总体情况\n第2号 依申请公开"  # heading too
    assert docs[0]["title_n"] == "第2号年度报告" and docs[0]["failed_checks"] is False
    taiwan = to_documents(report(3, {"overview": "政府資訊公開", "problems": "x" * (PART_CHARS + 5)}))
    assert taiwan[0]["text_n"] == "总体情况\n政府资讯公开\n总体情况\n政府信息公开"  # and the mainland wording
    assert [d["text_n"][:5] for d in taiwan[1:]] == ["存在的主要", "xxxxx"]  # the heading on a section's first part
    bare = to_documents(report(4, {}))
    assert [(d["section"], d["text"]) for d in bare] == [("", "正文4")]


def test_split_text_keeps_everything_in_order():
    text = "a\n" * 10 + "b" * 25 + "\nc"
    pieces = split_text(text, limit=7)
    assert "".join(pieces) == text and all(len(p) <= 7 for p in pieces)
    assert split_text("") == [""]


def test_filter_values_are_quoted_and_escaped():
    assert quote('a"b\\c') == '"a\\"b\\\\c"'
    hostile = 'x" OR year > 0 OR province = "'
    query = Query(province=hostile, agency="局\\", year_from=2020, year_to=2023, failed_checks=True, section="problems")
    assert build_filter(query) == [
        'province = "x\\" OR year > 0 OR province = \\""',
        'agency = "局\\\\"',
        "year >= 2020",
        "year <= 2023",
        "failed_checks = true",
        'section = "problems"',
    ]
    assert build_filter(Query(), first_parts_only=True) == ["part = 0"]
    with pytest.raises(ValueError, match="unknown section"):
        build_filter(Query(section="../etc"))


def test_search_parameters():
    backend = MeiliBackend(CLOSED, SECRET, index="t")
    query = Query(text='"卫滨 区" -工程* 資訊', facets=("year",), sort="-year", limit=10)
    q, params, skip = backend.search_params(query)
    assert q == "卫滨区 工程 信息"  # plain words: no phrase quotes, no negation, no wildcards; mainland wording
    with pytest.raises(QueryError, match="OR is not supported") as error:
        backend.search_params(Query(text="卫滨 OR 工程"))
    assert error.value.param == "q"
    assert params["sort"] == ["year:desc"] and params["facets"] == ["year"]
    assert (params["page"], params["hitsPerPage"], skip) == (1, 10, 0)
    assert params["filter"] == [] and params["matchingStrategy"] == "all"
    _, params, skip = backend.search_params(Query(offset=30, limit=10, sort="published"))
    assert (params["page"], params["hitsPerPage"], skip) == (4, 10, 0)
    assert params["filter"] == ["part = 0"] and params["sort"] == ["published:asc"]
    _, params, skip = backend.search_params(Query(offset=5, limit=10))
    assert (params["page"], params["hitsPerPage"], skip) == (1, 15, 5)


def test_backend_names_and_the_key_stays_out_of_repr():
    backend = open_backend("meilisearch", db=None, url=CLOSED, key=SECRET, index="reports")
    assert backend.name == backend_name() == "meilisearch"
    assert backend_name("other") == "meilisearch:other"
    assert SECRET not in repr(backend)


def test_outage_loses_nothing(tmp_path):
    with Store(tmp_path / "x.db") as store:
        for i in range(5):
            store.save(report(i))
        backend = MeiliBackend(CLOSED, SECRET, index="t")
        with pytest.raises(MeilisearchCommunicationError):
            sync(store, backend)
        with pytest.raises(MeilisearchCommunicationError):
            backend.add([report(0)])
        assert len(list(store.pending(backend.name))) == 5  # nothing marked indexed


def test_index_command_reports_the_outage_without_the_key(tmp_path, capsys, caplog):
    db = tmp_path / "x.db"
    with Store(db) as store:
        for i in range(3):
            store.save(report(i))
    argv = ["index", "--db", str(db), "--backend", "meilisearch", "--meili-url", CLOSED, "--meili-key", SECRET]
    assert main(argv) == 1
    out = capsys.readouterr()
    assert "3 reports stay pending" in caplog.text
    assert SECRET not in caplog.text + out.out + out.err
    with Store(db) as store:
        assert len(list(store.pending("meilisearch"))) == 3
