"""Distributed crawl of the demo portal through a real redis-server: workers are separate processes.

Each test compares the ingested store with a single-process crawl of the same portal (export without
timestamps, and the run's failures): two workers, a worker SIGKILLed while holding leases, a Redis
restart mid-crawl, and a Redis outage that outlasts the retries (the worker must fail loudly; a new
worker then finishes the run).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from crawler.distributed.connection import connect
from crawler.distributed.frontier import Frontier, RunKeys
from crawler.distributed.ingest import Ingester
from crawler.run import crawl
from xxgk.commands.export import export_jsonl
from xxgk.ingest import Failure
from xxgk.portal import DemoPortal
from xxgk.store import Store

ROOT = Path(__file__).resolve().parents[1]


def export(db: Path) -> list[dict]:
    """The store's export, minus the fields that depend on when a report was fetched."""
    out = io.StringIO()
    with Store(db) as store:
        export_jsonl(store, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    for record in records:
        record.pop("fetched_at")
    return records


def failures(db: Path) -> list[tuple[str, str]]:
    with Store(db) as store:
        rows = store.db.execute("SELECT url, reason FROM run_events WHERE outcome = 'failed' ORDER BY url")
        return sorted({(r["url"], r["reason"]) for r in rows})


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(seed=0, scale=1, faults=True) as demo:
        yield demo


@pytest.fixture(scope="module")
def config_path(portal, tmp_path_factory):
    path = tmp_path_factory.mktemp("config") / "demo.json"
    path.write_text(json.dumps(portal.config()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def baseline(portal, tmp_path_factory):
    """The single-process crawl every distributed run must equal."""
    db = tmp_path_factory.mktemp("single") / "single.db"
    crawl(portal.config(), db=db, throttle=False)
    records = export(db)
    assert len(records) == len(portal.truth)  # the reference itself is complete
    return records, failures(db)


class Run:
    """Workers (child processes) and one in-process ingester of one run on one Redis."""

    def __init__(self, server, config: Path, tmp: Path, run_name: str = "t"):
        self.server, self.config, self.tmp, self.run_name = server, config, tmp, run_name
        self.db = tmp / "distributed.db"
        self.workers: list[subprocess.Popen[bytes]] = []
        self.ingester: Ingester | None = None
        self.error: BaseException | None = None
        self._ingester: threading.Thread | None = None
        self.ingest_process: subprocess.Popen[str] | None = None
        self.ingest_output = ""

    def worker(
        self,
        *,
        rate: float = 0,
        lease: float = 2,
        retries: int | None = None,
        settings: dict | None = None,
        site: str | None = None,
        cli: bool = False,
    ) -> subprocess.Popen[bytes]:
        if cli:  # the user's way in: ``xxgk crawl --redis``
            command = [sys.executable, "-m", "xxgk.cli", "crawl", "--redis", self.server.url, "--db", str(self.db)]
        else:
            command = [sys.executable, "-m", "crawler.distributed.worker", "--redis", self.server.url, "--log-level"]
            command += ["INFO"]
        command += ["--run-name", self.run_name, "--config", str(self.config), "--no-throttle"]
        command += ["--rate", str(rate), "--lease", str(lease)]
        command += ["--retries", str(retries)] if retries is not None else []
        command += ["--settings-json", json.dumps(settings)] if settings else []
        command += ["--site", site] if site else []
        log = (self.tmp / f"worker{len(self.workers)}.log").open("wb")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(process)
        return process

    def log(self, index: int) -> str:
        return (self.tmp / f"worker{index}.log").read_text(errors="replace")

    def start_ingester(self, *, cli: bool = False) -> None:
        if cli:  # ``xxgk ingest`` as its own process
            command = [sys.executable, "-m", "xxgk.cli", "ingest", "--redis", self.server.url]
            command += ["--run-name", self.run_name, "--db", str(self.db), "--batch", "7"]
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            self.ingest_process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            return

        # an ingester that outlasts any outage of these tests (its own give-up is not what they test)
        ingester = self.ingester = Ingester(connect(self.server.url, retries=400), self.run_name, self.db, batch=7)

        def ingest() -> None:
            try:
                ingester.run(poll=0.2)
            except BaseException as exc:  # reported by finish()
                self.error = exc

        self._ingester = threading.Thread(target=ingest, daemon=True)
        self._ingester.start()

    def frontier(self) -> Frontier:
        return Frontier(self.server.client(), RunKeys(self.run_name))

    def items_pushed(self) -> int:
        """Items the workers pushed so far: stored by the ingester, in its hands, or still queued."""
        keys, client = RunKeys(self.run_name), self.server.client()
        stored = self.ingester.items if self.ingester else 0
        return stored + client.llen(keys.items) + client.llen(keys.ingesting("main"))

    def wait_for(self, condition, timeout: float = 120, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def finish(self, timeout: float = 300) -> list[int]:
        codes = [w.wait(timeout=timeout) for w in self.workers]
        if self.ingest_process is not None:
            self.ingest_output, _ = self.ingest_process.communicate(timeout=timeout)
            assert self.ingest_process.returncode == (1 if "failed " in self.ingest_output else 0), self.ingest_output
            return codes
        assert self._ingester is not None
        self._ingester.join(timeout=timeout)
        assert not self._ingester.is_alive(), "ingester did not stop after the run finished"
        if self.error is not None:
            raise self.error
        return codes

    def kill_all(self) -> None:
        for worker in [*self.workers, *([self.ingest_process] if self.ingest_process else [])]:
            if worker.poll() is None:
                worker.kill()
                worker.wait()


@pytest.fixture
def run(redis_server, config_path, tmp_path):
    started = Run(redis_server, config_path, tmp_path)
    yield started
    started.kill_all()


def assert_same_as_single_process(run: Run, baseline) -> None:
    records, failed = baseline
    got = export(run.db)
    assert [r["url"] for r in got] == [r["url"] for r in records]
    for mine, theirs in zip(got, records, strict=True):
        assert {k: (v, theirs[k]) for k, v in mine.items() if v != theirs[k]} == {}, mine["url"]
    assert failures(run.db) == failed
    with Store(run.db) as store:  # the ingester's store run counts each report once
        summary = store.run(store.db.execute("SELECT max(id) FROM runs").fetchone()[0])
    assert (summary.new, summary.changed, summary.failed) == (len(records), 0, len(failed))
    status = run.frontier().status()
    assert status.drained
    assert run.server.client().exists(RunKeys(run.run_name).finished)


def test_two_workers_store_every_report_once(run, baseline, portal):
    before = len(portal.request_log)
    run.start_ingester(cli=True)
    run.worker(lease=10)  # long leases: no re-fetch even if a loaded machine stalls a worker
    run.worker(lease=10, cli=True)
    assert run.finish() == [0, 0]
    assert f"{len(portal.truth)} new, 0 changed, 0 unchanged" in run.ingest_output
    assert_same_as_single_process(run, baseline)
    # the shared dupefilter: no report document was fetched twice (faulty URLs aside, they are retried)
    fetched = Counter(
        site.base_url + r.path
        for r in portal.request_log[before:]
        for site in portal.sites
        if r.site == site.name and r.method == "GET"
    )
    plain = [url for url in portal.truth if url not in portal.fault_urls]
    assert {fetched[url] for url in plain} == {1}
    # the data proxy's POST pages went through the frontier with their form: each once, each answered with records
    answered = Counter((r.path, r.body) for r in portal.request_log[before:] if r.method == "POST" and r.status == 200)
    assert len(answered) >= 2 and set(answered.values()) == {1} and all("columnid=" in body for _, body in answered)
    # a worker configured for other sites cannot join the run (it could not parse their pages)
    odd = run.worker(site=portal.sites[0].name)
    assert odd.wait(timeout=180) != 0
    assert "start every worker of a run with the same --config/--site" in run.log(len(run.workers) - 1)


def test_killed_worker_loses_nothing(run, baseline):
    run.start_ingester()
    doomed = run.worker(rate=8, lease=2)  # politeness keeps the crawl going for a few seconds
    frontier = run.frontier()
    run.wait_for(lambda: run.items_pushed() >= 5 and frontier.status().leased > 0, what="the worker to hold leases")
    survivor = run.worker(rate=8, lease=2)
    leased = frontier.status().leased
    doomed.send_signal(signal.SIGKILL)  # the survivor is still starting: every lease is the dead worker's
    doomed.wait()
    assert leased > 0
    codes = run.finish()
    assert codes == [-signal.SIGKILL, 0]
    assert survivor.returncode == 0
    assert_same_as_single_process(run, baseline)


def test_a_take_run_twice_loses_no_message(redis_server, tmp_path):
    """What a Redis restart does to a command in flight: Redis runs it, exits before replying, and the client's
    retry runs it again. The ingester's take must then hand out the same batch, not a second one."""
    keys = RunKeys("twice")
    client = redis_server.client()
    messages = [Failure(f"http://x/{i}", "HTTP 404").to_message() for i in range(10)]
    client.rpush(keys.items, *messages)
    ingester = Ingester(connect(redis_server.url), "twice", tmp_path / "twice.db", batch=3)
    lost = ingester._take(keys=[keys.items, keys.ingesting("main")], args=[3])  # its reply never arrived
    assert ingester._take(keys=[keys.items, keys.ingesting("main")], args=[3]) == lost
    result = ingester.run(drain_only=True)
    assert (result.items, result.duplicates) == (10, 0)
    assert failures(tmp_path / "twice.db") == sorted((f"http://x/{i}", "HTTP 404") for i in range(10))
    assert not client.exists(keys.items, keys.ingesting("main"))


def test_redis_restart_mid_crawl(run, baseline):
    """Redis stops (gracefully) and comes back with its append-only file while two workers and the ingester run.

    Redis runs the commands it has read before it exits but sends no reply to them, so each client retries one
    command that already ran (measured: 10 restarts, 10 commands run twice): every command must bear that; the
    ingester's take did not (see ``test_a_take_run_twice_loses_no_message``), and this test failed whenever the
    restart came during one.
    """
    run.start_ingester()
    run.worker(rate=8)
    run.worker(rate=8)
    run.wait_for(lambda: run.items_pushed() >= 10, what="items before the restart")
    assert not run.frontier().status().drained  # really mid-crawl
    run.server.restart(down_seconds=1.0)
    assert run.finish() == [0, 0]  # the workers (and the ingester) reconnected
    assert_same_as_single_process(run, baseline)


def test_long_outage_fails_loudly_and_a_new_worker_resumes(run, baseline):
    run.start_ingester()
    run.worker(rate=8, retries=3)
    run.wait_for(lambda: run.items_pushed() >= 5, what="items before the outage")
    assert not run.frontier().status().drained
    run.server.stop()
    assert run.workers[0].wait(timeout=120) == 1
    assert "Redis unavailable" in run.log(0)
    run.server.start()  # the append-only file brings the frontier back
    assert not run.frontier().status().drained
    run.worker(rate=8)
    codes = run.finish()
    assert codes == [1, 0]
    assert_same_as_single_process(run, baseline)


def test_item_backlog_pauses_downloads_until_the_ingester_catches_up(run, baseline):
    cap, concurrency = 5, 4
    worker = run.worker(settings={"XXGK_REDIS_MAX_ITEMS": cap, "CONCURRENT_REQUESTS": concurrency})
    client, items = run.server.client(), RunKeys(run.run_name).items
    run.wait_for(lambda: client.llen(items) > cap, what="the backlog to reach its cap")
    peak, deadline = 0, time.monotonic() + 2
    while time.monotonic() < deadline:
        peak = max(peak, client.llen(items))
        time.sleep(0.02)
    assert worker.poll() is None  # paused, not finished
    # only requests already handed out (downloading, or waiting for their callback) may still add items
    assert peak <= cap + 2 * concurrency
    assert not run.frontier().status().drained
    run.start_ingester()
    assert run.finish() == [0]
    assert_same_as_single_process(run, baseline)
