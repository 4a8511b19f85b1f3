"""Distributed crawl throughput on loopback: 1, 2 and 4 workers sharing one Redis, plus Redis memory figures.

    python bench/distributed.py [--scale 5] [--workers 1 2 4] [--parse-workers 1]
    python bench/distributed.py --write-only 20000 [--batches 1 100 500]

The demo portal (pre-rendered, no faults) runs in its own process; each round gets a fresh redis-server
(append-only file on) and a fresh store. Workers are ``python -m crawler.distributed.worker`` processes
with politeness off, each parsing in its own parser processes; one ``xxgk ingest`` process writes. Reported per round:

* crawl only (no ingester; items stay in Redis): documents pushed per second, workers' start to last exit;
* end to end (ingester alongside): reports stored per second, workers' start to the ingester's exit;
* Redis: peak ``used_memory``, and per-entry sizes measured with ``MEMORY USAGE`` on the live keys
  (frontier queue member, dupefilter fingerprint, item in the item list);
* at scale: ``used_memory`` growth for a 1M-fingerprint dupefilter and a 200k-request queue.

* ingester write rate (``--write-only N``): N parsed-document messages, as workers push them (reports of
  the demo portal parsed once, each copy under its own URL), pre-filled in Redis, then one ingester writes
  them all (``drain_only``): records per second, Redis to committed SQLite, by batch size.

Figures include process start-up (about a second per worker on this machine), except the write rate.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from support.servers import RedisServer  # noqa: E402

from crawler.distributed.frontier import RunKeys  # noqa: E402
from xxgk.portal.process import portal_process  # noqa: E402
from xxgk.store import ReportRow, Store  # noqa: E402

RUN = "bench"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@dataclass
class Memory:
    """Peak Redis figures sampled while a round runs."""

    used_peak: int = 0
    queue_peak: tuple[int, int] = (0, 0)  # (bytes, members)
    dupefilter: tuple[int, int] = (0, 0)
    items_peak: tuple[int, int] = (0, 0)
    samples: list[int] = field(default_factory=list)

    def sample(self, client) -> None:  # noqa: ANN001
        keys = RunKeys(RUN)
        self.used_peak = max(self.used_peak, int(client.info("memory")["used_memory"]))
        for attr, key, count in (
            ("queue_peak", keys.queue, client.zcard),
            ("dupefilter", keys.dupefilter, client.scard),
            ("items_peak", keys.items, client.llen),
        ):
            members = count(key)
            if members and members >= getattr(self, attr)[1]:
                setattr(self, attr, (client.memory_usage(key, samples=0) or 0, members))


def per_entry(figure: tuple[int, int]) -> str:
    size, members = figure
    return f"{size / members:.0f} B/entry over {members}" if members else "n/a"


@dataclass
class Round:
    seconds: float  # workers' start to the last worker's exit (crawl) or to the ingester's exit (end to end)
    documents: int  # items the workers pushed (reports, plus documents that failed)
    stored: int  # reports in the store
    memory: Memory


def one_round(config: Path, workers: int, parse_workers: int, tmp: Path, *, ingest: bool) -> Round:
    """One crawl on a fresh Redis; with ``ingest`` an ingester runs alongside, else the items stay in Redis."""
    db = tmp / f"w{workers}-{ingest}.db"
    memory = Memory()
    with RedisServer(tmp / f"redis{workers}-{ingest}") as server:
        client = server.client()
        command = [sys.executable, "-m", "xxgk.cli", "ingest", "--redis", server.url, "--run-name", RUN]
        command += ["--db", str(db)]
        ingester = subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL) if ingest else None
        command = [sys.executable, "-m", "crawler.distributed.worker", "--redis", server.url, "--run-name", RUN]
        command += ["--config", str(config), "--rate", "0", "--no-throttle", "--settings-json"]
        command += [
            json.dumps({"XXGK_REDIS_MAX_ITEMS": 0 if not ingest else 2000, "XXGK_PARSE_WORKERS": parse_workers})
        ]
        started = time.perf_counter()
        procs = [subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL) for _ in range(workers)]
        stop = threading.Event()

        def sampler() -> None:
            while not stop.is_set():
                memory.sample(client)
                time.sleep(0.1)

        thread = threading.Thread(target=sampler, daemon=True)
        thread.start()
        codes = [p.wait() for p in procs]
        if ingester is not None:
            codes.append(ingester.wait())
        seconds = time.perf_counter() - started
        stop.set()
        thread.join()
        memory.sample(client)
        if any(codes):
            raise RuntimeError(f"a worker or the ingester failed: exit codes {codes}")
        if ingester is None:
            return Round(seconds, client.llen(RunKeys(RUN).items), 0, memory)
    with Store(db) as store:
        documents = store.db.execute("SELECT count(*) FROM run_events").fetchone()[0]
        return Round(seconds, documents, store.count(), memory)


def memory_at_scale(tmp: Path, fingerprints: int, queued: int, member_size: int) -> None:
    """Per-entry Redis memory of a large dupefilter set and frontier queue (synthetic, same shapes as a run)."""
    with RedisServer(tmp / "redis-memory") as server:
        client = server.client()
        keys = RunKeys(RUN)
        base = int(client.info("memory")["used_memory"])
        for start in range(0, fingerprints, 10_000):
            client.sadd(keys.dupefilter, *(os.urandom(20) for _ in range(min(10_000, fingerprints - start))))
        after_set = int(client.info("memory")["used_memory"])
        filler = b"x" * max(0, member_size - 40)
        for start in range(0, queued, 10_000):
            batch = {f"10\thost{i % 3000}.gov.cn\n".encode() + os.urandom(8).hex().encode() + filler: float(i)
                     for i in range(start, min(queued, start + 10_000))}  # fmt: skip
            client.zadd(keys.queue, batch)
        after_queue = int(client.info("memory")["used_memory"])
        queue_bytes = after_queue - after_set
        print(
            f"at scale: dupefilter {fingerprints} fingerprints = {(after_set - base) / 1e6:.1f} MB "
            f"({(after_set - base) / fingerprints:.0f} B each, MEMORY USAGE "
            f"{client.memory_usage(keys.dupefilter, samples=0) / fingerprints:.0f} B); queue {queued} requests of "
            f"{member_size} B = {queue_bytes / 1e6:.1f} MB ({queue_bytes / queued:.0f} B each)",
            flush=True,
        )


def parsed_messages(count: int) -> list[bytes]:
    """``count`` messages as workers push them: the demo portal's reports, parsed once, copied under new URLs."""
    import asyncio
    import copy
    import dataclasses
    import urllib.request

    from xxgk.ingest import Fetched, parse_fetched
    from xxgk.model import Report
    from xxgk.parsers import PARSER, InlineParser
    from xxgk.portal import DemoPortal

    parse = InlineParser(PARSER)
    originals = []
    with DemoPortal(seed=0, scale=1, faults=False) as portal:
        for url in sorted(portal.truth)[:40]:
            with urllib.request.urlopen(url) as answer:
                body, ctype = answer.read(), answer.headers.get("Content-Type")
            doc = Fetched(url, portal.site_of(url).name, 200, body, ctype, url.rsplit("/", 1)[-1], None, None)
            parsed = asyncio.run(parse_fetched(doc, parse))
            originals.append((parsed, Report.from_dict(json.loads(parsed.row.record))))
    messages = []
    for i in range(count):
        parsed, report = originals[i % len(originals)]
        report = copy.copy(report)
        report.url = f"{parsed.url}?copy={i}"
        report.id = f"{i:016x}"
        messages.append(dataclasses.replace(parsed, url=report.url, row=ReportRow.of(report)).to_message())
    return messages


def write_rate(tmp: Path, messages: list[bytes], batch: int) -> float:
    """Records per second one ingester writes from a pre-filled item list into a fresh store."""
    from crawler.distributed.ingest import Ingester

    with RedisServer(tmp / f"redis-write-{batch}") as server:
        client = server.client()
        keys = RunKeys(RUN)
        for start in range(0, len(messages), 1000):
            client.rpush(keys.items, *messages[start : start + 1000])
        ingester = Ingester(client, RUN, tmp / f"write-{batch}.db", batch=batch)
        started = time.perf_counter()
        result = ingester.run(drain_only=True)
        seconds = time.perf_counter() - started
    if result.items != len(messages) or result.summary is None or result.summary.new != len(messages):
        raise RuntimeError(f"ingester wrote {result.items} of {len(messages)} messages")
    return len(messages) / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--parse-workers", type=int, default=1, help="parser processes of each worker")
    parser.add_argument("--fingerprints", type=int, default=1_000_000, help="dupefilter size for the memory figure")
    parser.add_argument("--queued", type=int, default=200_000, help="queue size for the memory figure")
    parser.add_argument("--write-only", type=int, metavar="N", help="measure only the ingester's write rate, N records")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 100, 500], help="batch sizes for --write-only")
    args = parser.parse_args()
    if args.write_only:
        messages = parsed_messages(args.write_only)
        size = sum(map(len, messages)) / len(messages)
        with tempfile.TemporaryDirectory(prefix="xxgk-bench-write-") as name:
            for batch in args.batches:
                rate = write_rate(Path(name), messages, batch)
                print(
                    f"ingester, batch {batch}: {rate:,.0f} records/s ({len(messages)} records of {size / 1e3:.1f} KB)"
                )
        return 0
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-dist-") as name:
        tmp = Path(name)
        config = tmp / "sites.json"
        options = ("--scale", str(args.scale), "--no-faults", "--warm")
        with portal_process(config, *options, env=ENV, start_timeout=300):
            crawl_base = end_base = 0.0
            for workers in args.workers:
                crawl = one_round(config, workers, args.parse_workers, tmp, ingest=False)
                crawl_rate = crawl.documents / crawl.seconds
                crawl_base = crawl_base or crawl_rate
                print(
                    f"{workers} worker(s), crawl only: {crawl.documents} documents in {crawl.seconds:.1f}s = "
                    f"{crawl_rate:.1f} docs/s = {crawl_rate / crawl_base:.2f}x of 1 worker",
                    flush=True,
                )
                memory = crawl.memory
                print(
                    f"    redis: peak used_memory {memory.used_peak / 1e6:.1f} MB; queue {per_entry(memory.queue_peak)}"
                    f"; dupefilter {per_entry(memory.dupefilter)}; items {per_entry(memory.items_peak)}",
                    flush=True,
                )
                end = one_round(config, workers, args.parse_workers, tmp, ingest=True)
                end_rate = end.stored / end.seconds
                end_base = end_base or end_rate
                print(
                    f"{workers} worker(s), end to end: {end.stored} reports in {end.seconds:.1f}s = "
                    f"{end_rate:.1f} reports/s = {end_rate / end_base:.2f}x of 1 worker "
                    f"(each worker with {args.parse_workers} parser process(es))",
                    flush=True,
                )
            memory_at_scale(tmp, args.fingerprints, args.queued, member_size=740)
    return 0


if __name__ == "__main__":
    sys.exit(main())
