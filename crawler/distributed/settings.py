"""The settings bundle that turns a crawl process into one worker of a shared Redis crawl: a Scrapy add-on.

    settings = build_settings(config=..., db=..., overrides=redis_settings("redis://host:6379/0", "2024-06"))

``redis_settings`` gives the worker's own values (plain JSON: ``crawler.run`` passes overrides to its child
process as JSON) and switches on the ``RedisWorker`` add-on, which sets Scrapy's components from them.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import BaseSettings

from crawler.addons import BUNDLE

DAY = 86_400


def redis_settings(
    url: str,
    run_name: str,
    *,
    rate: float = 1.0,
    lease: float = 60.0,
    conditional_get: bool = False,
    ttl: int = 7 * DAY,
    finished_ttl: int = 600,
    max_items: int = 2000,
    raw: bool = False,
) -> dict[str, Any]:
    """Settings of a worker of run ``run_name`` on the Redis at ``url``.

    ``rate``: most requests per second to one host, over all workers together (0: no limit).
    ``lease``: seconds a popped request stays reserved for its worker without a renewal; a dead
    worker's requests go back to the queue after this. ``conditional_get``: keep the store-backed
    conditional GET (only when every worker can read the ingester's store, i.e. one machine).
    ``ttl``: expiry of the run's keys, refreshed while workers run; ``finished_ttl``: how long the
    dupefilter of a finished run is kept (a late worker of the run then finds nothing to do).
    ``max_items``: item backlog (parsed reports, ~30 KB each without raw bodies) at which workers pause downloads
    until ``xxgk ingest`` catches up (0: no limit). ``raw``: send each document's raw bytes along with what
    the worker parsed from it (``xxgk ingest --raw-dir`` keeps them); by default only their sha256 travels.
    """
    if not run_name or any(c in run_name for c in " :\t\n"):
        raise ValueError(f"a run name must be non-empty, without spaces or colons: {run_name!r}")
    return {
        "ADDONS": {"crawler.distributed.settings.RedisWorker": 0},
        "REDIS_URL": url,
        "XXGK_REDIS_RUN": run_name,
        "XXGK_REDIS_RATE": rate,
        "XXGK_HOST_RATE": rate,  # within the worker too: robots.txt requests go around the frontier
        "XXGK_REDIS_LEASE": lease,
        "XXGK_REDIS_TICK": 0.5,
        "XXGK_REDIS_TTL": ttl,
        "XXGK_REDIS_FINISHED_TTL": finished_ttl,
        "XXGK_REDIS_MAX_ITEMS": max_items,
        "XXGK_REDIS_CONDITIONAL_GET": conditional_get,
        "XXGK_REDIS_RAW": raw,
    }


class RedisWorker:
    """Add-on: the shared frontier's scheduler and dupefilter, JSON requests, seeds sent once, robots.txt fetched
    once per run, documents parsed here and pushed to Redis (for ``xxgk ingest``) instead of the store;
    conditional GET only with ``XXGK_REDIS_CONDITIONAL_GET``."""

    def update_settings(self, settings: BaseSettings) -> None:
        downloader = settings.getdict("DOWNLOADER_MIDDLEWARES")
        if not settings.getbool("XXGK_REDIS_CONDITIONAL_GET"):
            downloader["crawler.middlewares.ConditionalGetMiddleware"] = None
        downloader["crawler.distributed.robots.SharedRobots"] = 940  # just before the host gate
        bundle = {
            "SCHEDULER": "crawler.distributed.scheduler.LeasedScheduler",
            "DUPEFILTER_CLASS": "crawler.distributed.dupefilter.FingerprintDupeFilter",
            "SCHEDULER_SERIALIZER": "crawler.distributed.codec",
            "SPIDER_MIDDLEWARES": {"crawler.distributed.seeds.SeedMiddleware": 10},
            "DOWNLOADER_MIDDLEWARES": downloader,
            "ITEM_PIPELINES": {"crawler.distributed.pipeline.ParseAndPushPipeline": 300},
        }
        settings.setdict(bundle, priority=BUNDLE)
