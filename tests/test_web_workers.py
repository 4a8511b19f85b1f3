"""``xxgk serve --workers N``: N processes answer on one port, and they share the store safely while it is written.

Which worker answers a connection is read from the kernel (``/proc/net/tcp`` and each worker's open files),
so the server needs no debug header to be checked.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from indexer import open_backend, sync
from xxgk.cli import main
from xxgk.commands.serve import default_workers
from xxgk.store import Store

ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def owner(server_port: int, client_port: int, workers: list[int]) -> int:
    """The worker process holding the server side of the connection from ``client_port``."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(addr.split(":")[1], 16) for addr in fields[1:3])
        if local == server_port and remote == client_port:
            inodes.add(f"socket:[{fields[9]}]")
    for pid in workers:
        folder = Path(f"/proc/{pid}/fd")
        for fd in os.listdir(folder):
            try:
                if os.readlink(folder / fd) in inodes:
                    return pid
            except OSError:
                continue  # closed meanwhile
    raise AssertionError(f"no worker holds the connection from port {client_port}")


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


@pytest.fixture
def served(tmp_path, sample_reports, fill_store, free_port):
    """``xxgk serve --workers 2`` over a small store: (db, port, the worker pids, the reports)."""
    db = tmp_path / "store.db"
    reports = sample_reports()
    store = fill_store(db, reports)
    sync(store, open_backend("embedded", db=db))
    store.close()
    port = free_port()
    cmd = [sys.executable, "-m", "xxgk.cli", "serve", "--db", str(db), "--port", str(port), "--workers", "2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 60
        while len(children(proc.pid)) < 2 or not _answers(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"xxgk serve --workers 2 did not come up: {proc.communicate(timeout=5)[1][-2000:]}")
            time.sleep(0.2)
        yield db, port, children(proc.pid), reports
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    with pytest.raises(OSError):  # the workers stopped with the parent
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def _answers(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        return get(conn, "/api/search?limit=0")[0] == 200
    except OSError:
        return False


def test_every_worker_answers(served) -> None:
    db, port, workers, reports = served
    assert len(workers) == 2 and os.getpid() not in workers
    seen = {}
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(40)]
    for conn in connections:  # 40 connections from 40 ports: the kernel spreads them over both workers
        status, body = get(conn, "/api/search?limit=1")
        assert status == 200 and json.loads(body)["total"] == len(reports)
        seen.setdefault(owner(port, conn.sock.getsockname()[1], workers), 0)
        seen[owner(port, conn.sock.getsockname()[1], workers)] += 1
    assert set(seen) == set(workers), seen
    for conn in connections:
        conn.close()


def test_workers_share_the_store_while_it_is_written(served, make_report) -> None:
    """Readers in both workers run side by side with a writer adding reports: every answer a 200, the
    new reports seen by every worker, the store intact."""
    db, port, workers, reports = served
    failures: list[str] = []
    done = threading.Event()
    paths = ["/api/search?q=%E4%BE%9D%E7%94%B3%E8%AF%B7&facets=year,province", f"/api/reports/{reports[0].id}", "/"]

    def reader() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while not done.is_set() or n < 30:
            status, body = get(conn, paths[n % len(paths)])
            if status != 200:
                failures.append(f"{paths[n % len(paths)]}: {status} {body[:200]!r}")
            n += 1

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for t in threads:
        t.start()
    added = [replace(make_report(1000 + i), agency=f"新增单位{i}") for i in range(30)]
    with Store(db) as store:
        backend = open_backend("embedded", db=db)
        for i in range(0, len(added), 5):  # in batches, as a crawl stores and indexes them
            for report in added[i : i + 5]:
                store.save(report)
            sync(store, backend)
    done.set()
    for t in threads:
        t.join(60)
    assert not failures, failures[:5]

    by_worker: dict[int, http.client.HTTPConnection] = {}
    for _ in range(60):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        get(conn, "/api/search?limit=0")
        by_worker.setdefault(owner(port, conn.sock.getsockname()[1], workers), conn)
        if len(by_worker) == len(workers):
            break
    assert set(by_worker) == set(workers)
    for conn in by_worker.values():
        assert all(get(conn, f"/api/reports/{r.id}")[0] == 200 for r in added)
        deadline = time.monotonic() + 10
        while json.loads(get(conn, "/api/search?limit=0")[1])["total"] != len(reports) + len(added):
            assert time.monotonic() < deadline, "a worker never saw the new index generation"
            time.sleep(0.2)
    check = sqlite3.connect(db)
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()


def test_workers_option_is_checked(tmp_path) -> None:
    db = tmp_path / "store.db"
    Store(db).close()
    assert main(["serve", "--db", str(db), "--workers", "0"]) == 2
    assert default_workers() == len(os.sched_getaffinity(0))


def test_a_taken_port_is_a_one_line_error(tmp_path, caplog) -> None:
    db = tmp_path / "store.db"
    Store(db).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        assert main(["serve", "--db", str(db), "--port", str(port), "--workers", "2", "--no-sync"]) == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in caplog.text
