"""Distributed crawl throughput on loopback: 1, 2 and 4 workers sharing one Redis, plus Redis memory figures.

    python bench/distributed.py [--scale 5] [--workers 1 2 4] [--parse-workers 1]

The demo portal (pre-rendered, no faults) runs in its own process; each round gets a fresh redis-server
(append-only file on) and a fresh store. Workers are ``python -m crawler.distributed.worker`` processes
with politeness off; one ``xxgk ingest`` process parses and stores. Reported per round:

* crawl: documents pushed to Redis per second, from the workers' start to the last worker's exit;
* end to end: reports stored per second, from the workers' start to the ingester's exit;
* Redis: peak ``used_memory``, and per-entry sizes measured with ``MEMORY USAGE`` on the live keys
  (frontier queue member, dupefilter fingerprint, item in the item list).

Figures include process start-up (about a second per worker on this machine).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
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

from redis_server import RedisServer  # noqa: E402

from crawler.distributed.frontier import RunKeys  # noqa: E402
from xxgk.store import Store  # noqa: E402

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


def one_round(config: Path, workers: int, parse_workers: int, tmp: Path) -> tuple[float, float, int, int, Memory]:
    db = tmp / f"w{workers}.db"
    memory = Memory()
    with RedisServer(tmp / f"redis{workers}") as server:
        client = server.client()
        ingest = subprocess.Popen(
            [sys.executable, "-m", "xxgk.cli", "ingest", "--redis", server.url, "--run-id", RUN, "--db", str(db),
             "--parse-workers", str(parse_workers)],
            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        command = [sys.executable, "-m", "crawler.distributed.worker", "--redis", server.url, "--run-id", RUN]
        command += ["--config", str(config), "--rate", "0", "--no-throttle"]
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
        crawled = time.perf_counter() - started
        pushed = 0
        ingest.wait()
        total = time.perf_counter() - started
        stop.set()
        thread.join()
        if any(codes) or ingest.returncode:
            raise RuntimeError(f"a worker or the ingester failed: workers {codes}, ingest {ingest.returncode}")
    with Store(db) as store:
        stored = store.count()
        pushed = store.db.execute("SELECT count(*) FROM run_events").fetchone()[0]
    return crawled, total, stored, pushed, memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--parse-workers", type=int, default=1, help="parser processes of the ingester")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-dist-") as name:
        tmp = Path(name)
        config = tmp / "sites.json"
        portal = subprocess.Popen(
            [sys.executable, "-m", "xxgk.portal", "--scale", str(args.scale), "--no-faults", "--warm",
             "--config-out", str(config)],
            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 300
            while not config.exists() or not config.stat().st_size:
                if portal.poll() is not None or time.monotonic() > deadline:
                    print("the demo portal did not start", file=sys.stderr)
                    return 1
                time.sleep(0.1)
            time.sleep(0.2)
            json.loads(config.read_text(encoding="utf-8"))
            base = None
            for workers in args.workers:
                crawled, total, stored, pushed, memory = one_round(config, workers, args.parse_workers, tmp)
                rate = stored / total
                base = base or rate
                print(
                    f"{workers} worker(s): {stored} reports; crawl {pushed / crawled:.1f} docs/s ({crawled:.1f}s), "
                    f"end to end {rate:.1f} reports/s ({total:.1f}s) = {rate / base:.2f}x of 1 worker",
                    flush=True,
                )
                print(
                    f"    redis: peak used_memory {memory.used_peak / 1e6:.1f} MB; queue {per_entry(memory.queue_peak)}"
                    f"; dupefilter {per_entry(memory.dupefilter)}; items {per_entry(memory.items_peak)}",
                    flush=True,
                )
        finally:
            portal.send_signal(signal.SIGTERM)
            portal.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
