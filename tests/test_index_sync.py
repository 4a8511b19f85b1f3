"""sync(): the store stays the source of truth; only what a backend accepted is marked indexed."""

from __future__ import annotations

import pytest

from indexer import index_dir, open_backend, sync
from indexer.embedded import EmbeddedBackend
from indexer.query import FACETS, Query
from xxgk.generate import store_record
from xxgk.model import Region, Report
from xxgk.store import Store


def report(i: int, text: str = "") -> Report:
    url = f"https://sync.example/{i}.html"
    body = text or f"第{i}号报告：依申请公开办理情况，卫滨区平原镇在建工程。"
    return store_record(
        url,
        title=f"第{i}号年度报告",
        agency=f"第{i % 3}局",
        year=2020 + i % 4,
        region=Region("河南省", "新乡市", "卫滨区" if i % 2 else "红旗区"),
        format="html",
        sections={"overview": body},
        text=body,
    )


class FailingAfter:
    """A backend that accepts ``ok`` batches, then fails (a crash or an outage mid-sync)."""

    name = "flaky"

    def __init__(self, inner: EmbeddedBackend, ok: int):
        self.inner, self.ok, self.batches = inner, ok, 0

    def add(self, reports):
        if self.batches >= self.ok:
            raise ConnectionError("backend went away")
        self.batches += 1
        self.inner.add(reports)

    def delete(self, ids):
        self.inner.delete(ids)

    def search(self, query):
        return self.inner.search(query)

    def rebuild(self, reports):
        self.inner.rebuild(reports)

    def count(self):
        return self.inner.count()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "x.db") as s:
        for i in range(25):
            s.save(report(i))
        yield s


def pending_ids(store: Store, name: str) -> set[str]:
    return {r.id for r in store.pending(name)}


def test_sync_pushes_pending_and_marks_them(store, tmp_path):
    backend = open_backend("embedded", db=tmp_path / "x.db")
    assert backend.directory == index_dir(tmp_path / "x.db") == tmp_path / "x.db.index"
    result = sync(store, backend, batch=10)
    assert result.indexed == 25 and not result.rebuilt
    assert pending_ids(store, "embedded") == set()
    assert backend.search(Query(limit=0)).total == 25
    assert sync(store, backend).indexed == 0  # nothing new


def test_changed_and_new_reports_are_pushed_again(store, tmp_path):
    backend = open_backend("embedded", db=tmp_path / "x.db")
    sync(store, backend)
    store.save(report(3, "第3号报告（更正）：行政复议一件。"))
    store.save(report(99))
    assert sync(store, backend).indexed == 2
    assert backend.search(Query(text="更正")).hits[0].id == report(3).id
    assert backend.search(Query(limit=0)).total == 26


def test_a_failing_backend_marks_only_the_batches_it_accepted(store, tmp_path):
    flaky = FailingAfter(EmbeddedBackend(tmp_path / "flaky.index"), ok=2)
    with pytest.raises(ConnectionError):
        sync(store, flaky, batch=10)
    left = pending_ids(store, "flaky")
    assert len(left) == 5  # 2 batches of 10 accepted, the last 5 stay pending
    assert flaky.search(Query(limit=0)).total == 20
    assert not left & {h.id for h in flaky.search(Query(limit=50)).hits}
    flaky.ok = 99
    assert sync(store, flaky, batch=10).indexed == 5
    assert pending_ids(store, "flaky") == set()


def test_an_emptied_index_is_refilled_whatever_the_bookkeeping_says(store, tmp_path):
    backend = open_backend("embedded", db=tmp_path / "x.db")
    sync(store, backend)
    backend.delete([r.id for r in store.reports()])
    assert backend.count() == 0
    assert sync(store, backend).indexed == 25


def test_rebuild_from_the_store_gives_the_same_results(store, tmp_path):
    backend = open_backend("embedded", db=tmp_path / "x.db")
    sync(store, backend, batch=7)
    queries = [
        Query(text="卫滨", facets=FACETS, limit=50),
        Query(text="依申請", sort="-year", limit=5),
        Query(county="红旗区", sort="published", limit=4, offset=3),
    ]
    before = [backend.search(q) for q in queries]
    result = sync(store, backend, rebuild=True)
    assert result.rebuilt and result.indexed == 25
    after = [backend.search(q) for q in queries]
    for query, a, b in zip(queries, before, after, strict=True):
        assert a.total == b.total and a.facets == b.facets
        assert sorted(h.id for h in a.hits) == sorted(h.id for h in b.hits)
        if query.sort != "relevance":  # sorted pages are identical (ties break on the report id)
            assert [h.id for h in a.hits] == [h.id for h in b.hits]
    assert pending_ids(store, "embedded") == set()


def test_unknown_backend_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown backend"):
        open_backend("elastic", db=tmp_path / "x.db")


def test_an_index_of_an_older_layout_is_replaced_and_refilled(store, tmp_path):
    backend = open_backend("embedded", db=tmp_path / "x.db")
    sync(store, backend)
    old = (backend.directory / "current").resolve()
    (old / "layout.json").write_text('{"schema": "text-facets-0"}')  # as an older version wrote it
    again = open_backend("embedded", db=tmp_path / "x.db")
    assert again.count() == 0 and not old.exists()
    assert sync(store, again).indexed == 25
    assert again.search(Query(county="红旗区", facets=("county",), limit=0)).facets == {"county": {"红旗区": 13}}
