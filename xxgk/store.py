"""The SQLite record store: the one source of truth every index is rebuilt from.

Reports are keyed by canonical URL (``Report.id`` derives from it); a changed
report keeps its earlier versions. Each write is one transaction and every
upsert is idempotent, so a crawl killed at any moment leaves a consistent store
and a re-run converges to the same state.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from xxgk.model import Report

Change = Literal["new", "changed", "unchanged"]
# Pages of a new store: a report's record (~28 KB) spans two instead of seven overflow pages; a batch of 500
# records is written with about a quarter less CPU than with SQLite's default 4 KB pages.
PAGE_SIZE = 16384

# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE reports (
        id TEXT PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        site TEXT,
        content_hash TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        year INTEGER,
        agency TEXT,
        agency_level TEXT,
        province TEXT,
        city TEXT,
        county TEXT,
        format TEXT,
        failed_checks INTEGER NOT NULL DEFAULT 0,
        record TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX reports_site ON reports(site);
    CREATE INDEX reports_year ON reports(year);
    CREATE TABLE report_versions (
        report_id TEXT NOT NULL REFERENCES reports(id),
        version INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        record TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        PRIMARY KEY (report_id, version)
    );
    CREATE TABLE fetch_state (
        url TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,
        status INTEGER,
        fetched_at TEXT NOT NULL
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        sites TEXT NOT NULL,
        new INTEGER NOT NULL DEFAULT 0,
        changed INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE run_events (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        url TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (run_id, url)
    );
    CREATE TABLE index_state (
        report_id TEXT NOT NULL,
        backend TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        PRIMARY KEY (report_id, backend)
    );
    """,
    """
    ALTER TABLE runs ADD COLUMN status TEXT;
    ALTER TABLE runs ADD COLUMN owner TEXT;
    UPDATE runs SET status = 'finished' WHERE finished_at IS NOT NULL
    """,
    # xxgk.data: each report's cells as one row for numeric work, and the cross-year checks (rules 7–9).
    """
    CREATE TABLE report_facts (
        report_id TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,
        layout TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT,
        site TEXT,
        agency TEXT,
        agency_level TEXT,
        province TEXT,
        city TEXT,
        county TEXT,
        code TEXT,
        year INTEGER,
        format TEXT,
        published TEXT,
        source_type TEXT,
        checks TEXT NOT NULL,
        series TEXT,
        cross TEXT NOT NULL DEFAULT '',
        cells BLOB NOT NULL
    );
    CREATE INDEX reports_content ON reports(id, content_hash);
    CREATE INDEX report_facts_series ON report_facts(series);
    CREATE TABLE cross_checks (
        series TEXT NOT NULL,
        rule INTEGER NOT NULL,
        earlier TEXT NOT NULL,
        later TEXT NOT NULL,
        message TEXT NOT NULL,
        cells TEXT NOT NULL
    );
    CREATE INDEX cross_checks_series ON cross_checks(series);
    CREATE INDEX cross_checks_earlier ON cross_checks(earlier);
    CREATE INDEX cross_checks_later ON cross_checks(later);
    """,
)


@dataclass(frozen=True)
class ReportRow:
    """A report as stored: its columns and its record (``Report.to_json`` text as UTF-8 bytes, stored as given:
    SQLite takes the bytes as its text, so no string is decoded or encoded on the way)."""

    id: str
    url: str
    site: str | None
    content_hash: str
    year: int | None
    agency: str | None
    agency_level: str | None
    province: str | None
    city: str | None
    county: str | None
    format: str | None
    failed_checks: int
    record: bytes

    def __post_init__(self) -> None:
        if not self.url or not self.content_hash:
            raise ValueError("a stored report needs url and content_hash")

    @classmethod
    def of(cls, report: Report) -> ReportRow:
        region = report.region
        return cls(
            report.id, report.url or "", report.site, report.content_hash or "", report.year, report.agency,
            report.agency_level, region.province, region.city, region.county, report.format, len(report.checks),
            report.to_json().encode(),
        )  # fmt: skip

    def values(self) -> tuple:
        """The row's values in ``REPORT_COLUMNS`` order."""
        return tuple(getattr(self, column) for column in REPORT_COLUMNS)


REPORT_COLUMNS = tuple(ReportRow.__dataclass_fields__)
_REPORT_HASHES = "SELECT url, content_hash FROM reports WHERE url IN (SELECT value FROM json_each(?))"
# A record is bound as bytes and cast to TEXT (the database's UTF-8): SQLite keeps the bytes as they are, where a
# Python str would be encoded again (about a tenth of a write's CPU for ~28 KB records).
_RECORD = "CAST(? AS TEXT)"
_INSERT_REPORT = (
    f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}, first_seen, updated_at)"
    f" VALUES ({', '.join(_RECORD if c == 'record' else '?' for c in REPORT_COLUMNS)}, ?, ?)"
)
_KEEP_VERSION = (
    "INSERT OR IGNORE INTO report_versions (report_id, version, content_hash, record, replaced_at)"
    " SELECT id, version, content_hash, record, ? FROM reports WHERE url = ?"
)
_UPDATE_REPORT = (
    f"UPDATE reports SET {', '.join(f'{c} = ' + (_RECORD if c == 'record' else '?') for c in REPORT_COLUMNS[2:])},"
    " version = version + 1, updated_at = ?"
    " WHERE url = ?"
)


@dataclass(frozen=True)
class FetchState:
    """What the last fetch of a URL returned, for conditional GET and change detection."""

    url: str
    etag: str | None
    last_modified: str | None
    content_hash: str | None
    status: int | None
    fetched_at: str


@dataclass(frozen=True)
class RunSummary:
    id: int
    started_at: str
    finished_at: str | None
    sites: list[str]
    new: int
    changed: int
    unchanged: int
    failed: int
    status: str | None  # None while running, then "finished" or "interrupted"
    owner: str | None  # host:pid of the process that opened the run
    failures: list[tuple[str, str]]  # (url, reason)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """A report store in one SQLite file (WAL mode; safe for one writer and many readers)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute(f"PRAGMA page_size={PAGE_SIZE}")  # takes effect in a new file only
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; a transaction opened inside another joins it (all commit or roll back together)."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _migrate(self) -> None:
        with self.transaction() as db:
            current = db.execute("PRAGMA user_version").fetchone()[0]
            for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {version:d}")

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    # -- reports -------------------------------------------------------------

    def save(self, report: Report) -> Change:
        """Insert or update a report keyed by its URL; a changed one keeps its old version."""
        return self.save_many([ReportRow.of(report)])[0]

    def save_many(self, rows: Sequence[ReportRow]) -> list[Change]:
        """Save rows in one transaction, in order: the same outcomes and records as one ``save`` each.

        New reports go in with one ``executemany``; a changed one moves its stored version to
        ``report_versions`` first. Returns each row's outcome, in order.
        """
        stamp = now()
        with self.transaction() as db:
            stored = dict(db.execute(_REPORT_HASHES, (json.dumps([row.url for row in rows]),)).fetchall())
            kinds: list[Change] = []
            new: list[ReportRow] = []
            changed: list[ReportRow] = []
            for row in rows:
                old = stored.get(row.url)
                if old is None:
                    new.append(row)
                    kinds.append("new")
                elif old == row.content_hash:
                    kinds.append("unchanged")
                else:
                    changed.append(row)
                    kinds.append("changed")
                stored[row.url] = row.content_hash
            db.executemany(_INSERT_REPORT, [(*row.values(), stamp, stamp) for row in new])
            for row in changed:  # after the inserts: a report new in this batch may change later in it
                db.execute(_KEEP_VERSION, (stamp, row.url))
                db.execute(_UPDATE_REPORT, (*row.values()[2:], stamp, row.url))
        return kinds

    def get(self, report_id: str) -> Report | None:
        row = self.db.execute("SELECT record FROM reports WHERE id = ?", (report_id,)).fetchone()
        return Report.from_dict(json.loads(row["record"])) if row else None

    def has(self, report_id: str) -> bool:
        """Whether the store holds this report (without reading its record)."""
        return bool(self.held([report_id]))

    def held(self, report_ids: Iterable[str]) -> set[str]:
        """Those of ``report_ids`` the store holds (one query)."""
        sql = "SELECT id FROM reports WHERE id IN (SELECT value FROM json_each(?))"
        return {row[0] for row in self.db.execute(sql, (json.dumps(list(report_ids)),))}

    def reports(self, site: str | None = None) -> Iterator[Report]:
        """Every stored report (current versions), in a stable order."""
        sql, params = "SELECT record FROM reports", ()
        if site is not None:
            sql, params = sql + " WHERE site = ?", (site,)
        for row in self.db.execute(sql + " ORDER BY url", params):
            yield Report.from_dict(json.loads(row["record"]))

    def versions(self, report_id: str) -> list[Report]:
        """Earlier versions of a report, oldest first."""
        rows = self.db.execute("SELECT record FROM report_versions WHERE report_id = ? ORDER BY version", (report_id,))
        return [Report.from_dict(json.loads(r["record"])) for r in rows]

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM reports").fetchone()[0]

    # -- fetch state (conditional GET) ---------------------------------------

    def fetch_state(self, url: str) -> FetchState | None:
        return self.fetch_states([url]).get(url)

    def fetch_states(self, urls: Iterable[str]) -> dict[str, FetchState]:
        """The fetch state of those of ``urls`` fetched before, by URL (one query)."""
        sql = "SELECT * FROM fetch_state WHERE url IN (SELECT value FROM json_each(?))"
        return {row["url"]: FetchState(**dict(row)) for row in self.db.execute(sql, (json.dumps(list(urls)),))}

    def record_fetch(
        self, url: str, *, status: int, etag: str | None, last_modified: str | None, content_hash: str | None
    ) -> None:
        self.record_fetches([FetchState(url, etag, last_modified, content_hash, status, now())])

    def record_fetches(self, states: Iterable[FetchState]) -> None:
        """Upsert fetch states in one transaction, in order (the last one of a URL wins)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO fetch_state (url, etag, last_modified, content_hash, status, fetched_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,"
                " last_modified = excluded.last_modified, content_hash = excluded.content_hash,"
                " status = excluded.status, fetched_at = excluded.fetched_at",
                [(s.url, s.etag, s.last_modified, s.content_hash, s.status, s.fetched_at) for s in states],
            )

    # -- crawl runs ----------------------------------------------------------

    def start_run(self, sites: Iterable[str]) -> int:
        """Open a run owned by this process; first mark interrupted the runs whose process died unfinished."""
        with self.transaction() as db:
            self._mark_interrupted()
            cur = db.execute(
                "INSERT INTO runs (started_at, sites, owner) VALUES (?, ?, ?)",
                (now(), json.dumps(list(sites)), _owner()),
            )
            return int(cur.lastrowid)

    def _mark_interrupted(self) -> None:
        """Runs left unfinished by a process of this host that is gone (killed) become "interrupted"."""
        host = socket.gethostname()
        rows = self.db.execute("SELECT id, owner FROM runs WHERE finished_at IS NULL").fetchall()
        for row in rows:
            owner_host, _, pid = (row["owner"] or "").rpartition(":")
            if owner_host == host and pid.isdigit() and not _alive(int(pid)):
                self.finish_run(row["id"], "interrupted")

    def record_event(self, run_id: int, url: str, outcome: str, reason: str | None = None) -> None:
        """Record one URL's outcome in a run: new, changed, unchanged or failed (last word wins)."""
        self.record_events(run_id, [(url, outcome, reason)])

    def record_events(self, run_id: int, events: Iterable[tuple[str, str, str | None]]) -> None:
        """``record_event`` for each (url, outcome, reason), in order, in one transaction."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO run_events (run_id, url, outcome, reason) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(run_id, url) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason",
                [(run_id, url, outcome, reason) for url, outcome, reason in events],
            )

    def finish_run(self, run_id: int, status: str = "finished") -> RunSummary:
        """Close a run with its counts; ``status`` is "finished" or "interrupted"."""
        with self.transaction() as db:
            counts = dict(
                db.execute("SELECT outcome, count(*) FROM run_events WHERE run_id = ? GROUP BY outcome", (run_id,))
            )
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, new = ?, changed = ?, unchanged = ?, failed = ?"
                " WHERE id = ?",
                (
                    now(),
                    status,
                    counts.get("new", 0),
                    counts.get("changed", 0),
                    counts.get("unchanged", 0),
                    counts.get("failed", 0),
                    run_id,
                ),
            )
        return self.run(run_id)

    def run(self, run_id: int) -> RunSummary:
        row = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(run_id)
        failures = self.db.execute(
            "SELECT url, reason FROM run_events WHERE run_id = ? AND outcome = 'failed' ORDER BY url", (run_id,)
        ).fetchall()
        data = dict(row)
        data["sites"] = json.loads(data["sites"])
        return RunSummary(**data, failures=[(f["url"], f["reason"]) for f in failures])

    def runs(self) -> list[RunSummary]:
        """Every run, oldest first."""
        return [self.run(row[0]) for row in self.db.execute("SELECT id FROM runs ORDER BY id")]

    # -- index bookkeeping ---------------------------------------------------

    def pending(self, backend: str) -> Iterator[Report]:
        """Reports the given index backend does not hold in their current version."""
        rows = self.db.execute(
            "SELECT r.record FROM reports r LEFT JOIN index_state s ON s.report_id = r.id AND s.backend = ?"
            " WHERE s.content_hash IS NULL OR s.content_hash != r.content_hash ORDER BY r.url",
            (backend,),
        )
        for row in rows:
            yield Report.from_dict(json.loads(row["record"]))

    def mark_indexed(self, backend: str, reports: Iterable[Report]) -> None:
        """Remember that ``backend`` now holds these reports in the versions given."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO index_state (report_id, backend, content_hash) VALUES (?, ?, ?)"
                " ON CONFLICT(report_id, backend) DO UPDATE SET content_hash = excluded.content_hash",
                [(r.id, backend, r.content_hash) for r in reports],
            )

    def forget_index(self, backend: str) -> None:
        """Mark every report as pending for ``backend`` (before a full rebuild)."""
        with self.transaction() as db:
            db.execute("DELETE FROM index_state WHERE backend = ?", (backend,))


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
