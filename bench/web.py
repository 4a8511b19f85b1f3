"""Benchmark the web server: search requests at concurrency 1, 8 and 32 over loopback.

    python bench/web.py                          # 20,000 reports, 2,000 requests per level, 2 workers
    python bench/web.py --n 100000 --requests 5000 --workers 1
    python bench/web.py --n 100000 --keep /tmp/xxgk-web   # reuse the store and index built last time
    python bench/web.py --cached-queries 0                # every search counts its facets afresh
    python bench/web.py --n 1000000 --index /tmp/xxgk-1m/tantivy   # serve an index bench/search.py kept

Generated reports go into a store and its embedded index; the server (``indexer.web.serve``)
runs in its own process(es) on 127.0.0.1, the client is one asyncio process with keep-alive
connections. The request mix alternates JSON API searches and search pages, each with the
facets the page asks for. Prints p50/p95/p99 latency, throughput and the CPU time a request
costs (server processes and client apart) per concurrency level, the throughput at
concurrency 8 against concurrency 1, and the server processes' peak memory.
Every response must be a 200.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from indexer import open_backend, sync
from xxgk.store import Store

sys.path.insert(0, str(Path(__file__).parent))
from search import stream  # noqa: E402  (the same generated corpus as bench/search.py)

LEVELS = (1, 8, 32)
WORDS = ("信息公开", "依申请", "行政复议", "不予公开", "依申請公開", "主动公开", "政务公开", "存在的主要问题", "")
FACETS = "year,province,agency_level,format,failed_checks"


def build(db: Path, n: int, index: Path | None, facets: str) -> list[str]:
    """Store and index ``n`` reports (a store that already holds them is reused; with ``index``, an
    empty store beside that index); the request paths of the mix."""
    provinces: set[str] = set()
    with Store(db) as store:
        fresh = store.count() != n and index is None
        for report in stream(n if fresh else min(n, 5000)):  # a kept store: its first reports name the provinces
            if fresh:
                store.save(report)
            if report.region.province:
                provinces.add(report.region.province)
        if index is None:
            sync(store, open_backend("embedded", db=db))
    paths = []
    for i, word in enumerate(WORDS * 4):
        params = {"q": word, **({"province": sorted(provinces)[i % len(provinces)]} if i % 3 == 0 else {})}
        paths.append("/api/search?" + urlencode({**params, "facets": facets}))
        paths.append("/?" + urlencode(params))
    return paths


def run_server(db: Path, port: int, workers: int, cached_queries: int | None, index: Path | None) -> None:
    from indexer.embedded import EmbeddedBackend
    from indexer.web import create_app, serve

    options = {} if cached_queries is None else {"cached_queries": cached_queries}

    def make_app():
        backend = EmbeddedBackend(index, **options) if index else open_backend("embedded", db=db, **options)
        return create_app(Store(db), backend)

    serve(make_app, port=port, workers=workers, log_level="warning")


async def client(port: int, paths: list[str], total: int, concurrency: int) -> tuple[list[float], float]:
    """``total`` requests over ``concurrency`` keep-alive connections; latencies in ms and the wall time."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for i in counter:
            path = paths[i % len(paths)]
            t0 = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1]
            length = next(
                int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - t0) * 1000)
            if status != b"200":
                raise RuntimeError(f"{path}: HTTP {status.decode()}")
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, time.perf_counter() - start


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (the server's workers)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory(pid: int) -> float:
    """The peak resident memory of a process, in MB (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmHWM for process {pid}")


def wait_for(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not start on port {port}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="generated reports in the store (default: %(default)s)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per concurrency level")
    parser.add_argument("--workers", type=int, default=2, help="server processes (default: %(default)s, one a core)")
    parser.add_argument("--keep", type=Path, help="keep the store and index in this folder and reuse them next time")
    parser.add_argument("--cached-queries", type=int, help="queries whose facets a server process keeps (0: none)")
    parser.add_argument("--facets", default=FACETS, help="the API requests' facets (default: the page's)")
    parser.add_argument("--index", type=Path, help="serve this index (e.g. DIR/tantivy of bench/search.py --keep DIR)")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="xxgk-web-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        start = time.perf_counter()
        paths = build(work / "store.db", args.n, args.index, args.facets)
        print(f"{args.n:,} reports stored and indexed in {time.perf_counter() - start:.0f} s")
        # A fresh interpreter: a forked server would count the memory this process used building the index.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = multiprocessing.get_context("spawn").Process(
            target=run_server,
            args=(work / "store.db", port, args.workers, args.cached_queries, args.index),
            daemon=True,
        )
        server.start()
        try:
            wait_for(port)
            asyncio.run(client(port, paths, len(paths) * 2, 4))  # warm-up: every path twice
            rates = {}
            workers = children(server.pid)
            print(f"\n{'concurrency':>11} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8}   CPU ms a request")
            for level in LEVELS:
                server_cpu, client_cpu = sum(map(cpu_seconds, workers)), time.process_time()
                latencies, wall = asyncio.run(client(port, paths, args.requests, level))
                server_cpu = (sum(map(cpu_seconds, workers)) - server_cpu) * 1000 / len(latencies)
                client_cpu = (time.process_time() - client_cpu) * 1000 / len(latencies)
                ordered = sorted(latencies)
                p95, p99 = (ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] for q in (0.95, 0.99))
                rates[level] = len(latencies) / wall
                print(
                    f"{level:>11} {statistics.median(ordered):>8.1f} {p95:>8.1f} {p99:>8.1f} {rates[level]:>8.0f}"
                    f"   server {server_cpu:.1f}, client {client_cpu:.1f}"
                )
            print(f"\nthroughput at concurrency 8 / concurrency 1: {rates[8] / rates[1]:.2f}×")
            peaks = [peak_memory(pid) for pid in (server.pid, *workers)]
            print(f"peak memory of the server processes: {', '.join(f'{mb:,.0f} MB' for mb in peaks)}")
            print(f"load average: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
            print(f"({args.requests:,} requests per level, {args.workers} server process(es), {args.n:,} reports)")
        finally:
            server.terminate()
            server.join(10)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
