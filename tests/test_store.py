"""The record store: idempotent upserts, versions, fetch state, runs, index bookkeeping."""

import json
import sqlite3

import pytest

from xxgk.generate import store_record
from xxgk.model import Check, Region, Report, report_id
from xxgk.store import MIGRATIONS, Store


def make(url: str, body: str, year: int = 2024) -> Report:
    return store_record(
        url,
        title=f"{body}政府信息公开工作年度报告",
        agency="抚远镇人民政府",
        year=year,
        region=Region(province="黑龙江省", city="佳木斯市", county="抚远市"),
        tables={"requests.new": {"total": 3, "natural_person": None}},
        checks=[Check(1, "unbalanced", ["requests.new.total"])],
        text=body,
        site="demo",
    )


def test_save_is_idempotent_and_keeps_versions(store):
    first = make("http://a/1.html", "v1")
    assert store.save(first) == "new"
    assert store.save(first) == "unchanged"
    second = make("http://a/1.html", "v2", year=2025)
    assert store.save(second) == "changed"
    assert store.count() == 1
    current = store.get(first.id)
    assert current.year == 2025 and current.text == "v2"
    assert [v.text for v in store.versions(first.id)] == ["v1"]


def test_record_round_trips_exactly(store):
    report = make("http://a/2.html", "x")
    store.save(report)
    assert store.get(report.id) == report  # None cells stay None, checks and region survive


def test_records_are_stored_as_text_in_large_pages(store, tmp_path):
    """Bytes bound for a record are stored as SQLite TEXT (json_extract and every reader see text), on
    insert and on update, and a new store uses 16 KB pages (an existing one keeps its own)."""
    report = make("http://a/9.html", "中文 v1")
    store.save(report)
    store.save(make("http://a/9.html", "中文 v2"))
    for table in ("reports", "report_versions"):
        kind, text = store.db.execute(f"SELECT typeof(record), json_extract(record, '$.text') FROM {table}").fetchone()
        assert (kind, text) == ("text", "中文 v2" if table == "reports" else "中文 v1")
    assert store.db.execute("PRAGMA page_size").fetchone()[0] == 16384
    old = tmp_path / "old.db"
    sqlite3.connect(old).execute("CREATE TABLE t (x)").connection.commit()  # created with SQLite's default pages
    with Store(old) as opened:
        assert opened.db.execute("PRAGMA page_size").fetchone()[0] == 4096
        opened.save(report)
        assert opened.get(report.id) == report


def test_save_needs_url_and_hash(store):
    with pytest.raises(ValueError):
        store.save(Report(id="x"))


def test_migrations_are_applied_once(tmp_path):
    path = tmp_path / "m.db"
    Store(path).close()
    with Store(path) as again:
        assert again.schema_version == len(MIGRATIONS)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_failed_write_rolls_back(store):
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("INSERT INTO runs (started_at, sites) VALUES ('t', '[]')")
        raise RuntimeError("boom")
    assert store.db.execute("SELECT count(*) FROM runs").fetchone()[0] == 0


def test_nested_transactions_commit_or_roll_back_as_one(store):
    report = make("http://a/n.html", "n")
    with pytest.raises(RuntimeError), store.transaction():
        assert store.save(report) == "new"
        store.record_fetch(report.url, status=200, etag=None, last_modified=None, content_hash="h")
        raise RuntimeError("boom")
    assert not store.has(report.id) and store.fetch_state(report.url) is None
    with store.transaction():
        store.save(report)
        store.record_fetch(report.url, status=200, etag=None, last_modified=None, content_hash="h")
        assert store.db.in_transaction  # the inner writes did not commit on their own
    assert not store.db.in_transaction
    assert store.has(report.id) and store.fetch_state(report.url).content_hash == "h"
    assert not store.has(report_id("http://a/other.html"))


def test_fetch_state_upsert(store):
    assert store.fetch_state("http://a/") is None
    store.record_fetch("http://a/", status=200, etag='"e1"', last_modified=None, content_hash="h1")
    store.record_fetch("http://a/", status=200, etag='"e2"', last_modified="Mon", content_hash="h2")
    state = store.fetch_state("http://a/")
    assert (state.etag, state.last_modified, state.content_hash) == ('"e2"', "Mon", "h2")


def test_run_summary_counts_last_outcome_per_url(store):
    run = store.start_run(["demo"])
    store.record_event(run, "http://a/1", "new")
    store.record_event(run, "http://a/2", "failed", "HTTP 500")
    store.record_event(run, "http://a/2", "failed", "timeout")
    store.record_event(run, "http://a/3", "unchanged")
    summary = store.finish_run(run)
    assert (summary.new, summary.changed, summary.unchanged, summary.failed) == (1, 0, 1, 1)
    assert summary.failures == [("http://a/2", "timeout")]
    assert summary.sites == ["demo"] and summary.finished_at


def test_pending_tracks_index_versions(store):
    a, b = make("http://a/1", "a"), make("http://a/2", "b")
    store.save(a)
    store.save(b)
    assert {r.id for r in store.pending("embedded")} == {a.id, b.id}
    store.mark_indexed("embedded", [a, b])
    assert list(store.pending("embedded")) == []
    assert len(list(store.pending("meilisearch"))) == 2
    store.save(make("http://a/1", "a2"))
    assert [r.text for r in store.pending("embedded")] == ["a2"]
    store.forget_index("embedded")
    assert len(list(store.pending("embedded"))) == 2


def test_record_json_is_the_report_dict(store):
    """The stored record (written without copying the report) holds exactly ``to_dict()``, and reads back equal."""
    report = make("http://a/3.html", "v1")
    report.tables_raw = {"requests.new": ["3", "", "/"]}
    report.cells_raw = {"requests.new.natural_person": ""}
    assert json.loads(report.to_json()) == report.to_dict()
    store.save(report)
    assert store.get(report.id) == report


def test_a_run_left_unfinished_by_a_killed_process_is_marked_interrupted_at_the_next_start(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "x.db"
    opener = "import os, sys; from xxgk.store import Store; Store(sys.argv[1]).start_run(['a']); os._exit(9)"
    subprocess.run([sys.executable, "-c", opener, str(db)], check=False)
    with Store(db) as store:
        (left,) = store.runs()
        assert (left.status, left.finished_at) == (None, None)  # nothing can tell yet
        mine = store.start_run(["b"])
        store.start_run(["c"])  # this process is alive: its open run stays open
        first, second, third = store.runs()
        assert first.status == "interrupted" and first.finished_at
        assert second.id == mine and second.status is None and third.status is None
        assert store.finish_run(mine).status == "finished"
