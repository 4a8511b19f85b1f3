"""Politeness-bound crawling on loopback: 200 demo sites on 127.0.0.2–201, each admitting 1 request/s.

    python bench/politeness.py [--sites 200] [--rate 1] [--workers 2]

Each site refuses (429) a request that comes sooner than ``1/rate - 50 ms`` after the previous one it
admitted. Ideal time: the busiest site's admitted requests ÷ rate. Measured time: the first admitted
request (any site) to the last, plus one interval (so n perfectly spaced requests take exactly n/rate).
Figure: ideal ÷ measured. Two rounds on one set of sites (a fresh store each):

* one crawl process: every host gated by ``crawler.hostgate`` (one request at a time, the next one 1/rate s
  after the previous response: the host admitted that request before answering, so no latency can bring two
  arrivals closer than 1/rate), enough ``CONCURRENT_REQUESTS`` that every host's next request already waits at
  its gate, and downloads that go on while the parser lags behind (``SCRAPER_SLOT_MAX_ACTIVE_SIZE``);
* ``--workers`` worker processes on one redis-server: the frontier holds a host from the lease of its request
  until the response is back, and frees it one interval later; each worker's own gate covers robots.txt.

Where the rest goes, for the busiest site: its idle time beyond the interval between admitted requests,
the start of its first request after the crawl's first, and refusals (a request that came early, answered
429 and retried later); the process wall beyond the measured time is parsing that lagged behind. The
smallest gap between two admitted requests of any site shows the rate held.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from support.servers import RedisServer  # noqa: E402

from crawler.run import crawl  # noqa: E402
from xxgk.portal.many import ManySites  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


BACKLOG = 256 * 1024 * 1024  # bytes of fetched responses waiting for their callbacks and the parser


def politeness_settings(rate: float, sites: int) -> dict:
    """Each host gated at ``rate`` (``crawler.hostgate``: the next request 1/rate s after the previous response),
    every host's next request already waiting at its gate, and downloads going on while parsing lags behind."""
    return {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "XXGK_HOST_RATE": rate,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "CONCURRENT_REQUESTS": 20 * sites,
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE": BACKLOG,
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "XXGK_PARSE_WORKERS": 1,
        "LOG_LEVEL": "WARNING",
    }


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children: the crawl processes and their parsers."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(
    label: str, portal: ManySites, since: dict[str, int], refused: dict[str, int], rate: float, wall: float, cpu: float
) -> None:
    arrivals = {name: times[since.get(name, 0) :] for name, times in portal.arrivals().items()}
    arrivals = {name: times for name, times in arrivals.items() if times}
    start = min(t[0] for t in arrivals.values())
    end = max(t[-1] for t in arrivals.values())
    interval = 1 / rate
    measured = end - start + interval
    busiest = max(arrivals, key=lambda name: len(arrivals[name]))
    times = arrivals[busiest]
    ideal = len(times) / rate
    idle = sum(max(0.0, b - a - interval) for a, b in zip(times, times[1:], strict=False))
    tail = end - times[-1]
    total = sum(len(t) for t in arrivals.values())
    gap = min((b - a for t in arrivals.values() for a, b in zip(t, t[1:], strict=False)), default=float("nan"))
    print(
        f"{label}: {len(arrivals)} sites, {total} requests admitted, {sum(refused.values())} refused (429), "
        f"crawl CPU {cpu:.1f}s ({total / cpu:.0f} admitted requests per CPU second); busiest {busiest}: "
        f"{len(times)} requests, ideal {ideal:.1f}s, measured {measured:.1f}s = {ideal / measured:.1%} of ideal "
        f"(process wall {wall:.1f}s); busiest site: first request {times[0] - start:.2f}s after the crawl's first, "
        f"idle beyond the interval {idle:.2f}s, {refused.get(busiest, 0)} refused, "
        f"done {tail:.2f}s before the last site; smallest gap between two requests to a site {gap:.3f}s",
        flush=True,
    )


def crawl_on_redis(portal: ManySites, tmp: Path, settings: dict, *, workers: int, rate: float, tick: float) -> float:
    """Crawl ``portal`` with ``workers`` worker processes and one ingester on a fresh redis-server; returns the
    workers' wall time. Raises RuntimeError if a worker or the ingester failed."""
    config = tmp / "sites.json"
    config.write_text(json.dumps(portal.config(), ensure_ascii=False), encoding="utf-8")
    with RedisServer(tmp / "redis") as server:
        command = [sys.executable, "-m", "xxgk.cli", "ingest", "--redis", server.url, "--run-name", "polite"]
        ingester = subprocess.Popen(
            [*command, "--db", str(tmp / "two.db")], cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL
        )
        worker_settings = {**settings, "XXGK_REDIS_TICK": tick}
        command = [sys.executable, "-m", "crawler.distributed.worker", "--redis", server.url, "--run-name", "polite"]
        command += ["--config", str(config), "--rate", str(rate), "--settings-json", json.dumps(worker_settings)]
        started = time.perf_counter()
        processes = [subprocess.Popen(command, cwd=ROOT, env=ENV) for _ in range(workers)]
        codes = [w.wait() for w in processes]
        wall = time.perf_counter() - started
        codes.append(0 if ingester.wait() in (0, 1) else ingester.returncode)  # 1: some documents failed
    if any(codes):
        raise RuntimeError(f"a worker or the ingester failed: exit codes {codes}")
    return wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tick", type=float, default=0.1, help="workers' Redis tick (s): wake-up for due hosts")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="xxgk-bench-polite-") as name,
        ManySites(count=args.sites, rate=args.rate) as portal,
    ):
        tmp = Path(name)
        portal.warm()
        settings = politeness_settings(args.rate, args.sites)
        started = time.perf_counter()
        crawl(portal.config(), db=tmp / "one.db", settings_overrides=settings, throttle=True)
        cpu = children_cpu()
        report("1 process", portal, {}, portal.refused, args.rate, time.perf_counter() - started, cpu)
        since = {name: len(times) for name, times in portal.arrivals().items()}
        refused_before = portal.refused
        wall = crawl_on_redis(portal, tmp, settings, workers=args.workers, rate=args.rate, tick=args.tick)
        refused = {name: n - refused_before.get(name, 0) for name, n in portal.refused.items()}
        cpu = children_cpu() - cpu  # the workers, their parsers and the ingester
        report(f"{args.workers} workers on Redis", portal, since, refused, args.rate, wall, cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
