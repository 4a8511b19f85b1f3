"""Run one worker of a shared Redis crawl: ``python -m crawler.distributed.worker --redis URL --run-id NAME``.

``run_worker`` is what ``xxgk crawl --redis`` calls; it returns the process exit status: 0 when the
shared frontier was drained ("finished"), 1 otherwise (e.g. ``redis_unavailable``, shutdown).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler.distributed.cli import add_worker_arguments, worker_overrides
from crawler.run import build_settings

logger = logging.getLogger(__name__)


def run_worker(settings: Settings, sites: list[str] | None = None, *, install_root_handler: bool = True) -> int:
    """Crawl as one worker until the run is done; settings must include ``redis_settings(...)``."""
    settings.set("LOG_INSTALL_ROOT_HANDLER", install_root_handler, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("disclosure")
    process.crawl(crawler, site=",".join(sites or []), config=settings.get("XXGK_CONFIG"))
    process.start()
    reason = crawler.stats.get_value("finish_reason")
    if reason != "finished":
        logger.error("worker stopped before the run was done: %s", reason)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.distributed.worker", description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--site", action="append", default=[])
    parser.add_argument("--db", default="data/xxgk.db", help="store for conditional GET (with --conditional-get)")
    parser.add_argument("--no-throttle", action="store_true", help="no per-worker AutoThrottle (loopback only)")
    parser.add_argument("--retries", type=int, help="reconnect attempts before a Redis outage stops the worker")
    parser.add_argument("--settings-json", default="{}", help="extra Scrapy settings as a JSON object")
    parser.add_argument("--log-level", default="WARNING")
    add_worker_arguments(parser)
    args = parser.parse_args(argv)
    if not args.redis:
        parser.error("--redis is required")
    overrides = worker_overrides(args)
    if args.retries is not None:
        overrides["XXGK_REDIS_RETRIES"] = args.retries
    overrides.update(json.loads(args.settings_json))
    overrides["LOG_LEVEL"] = args.log_level
    settings = build_settings(config=args.config, db=args.db, throttle=not args.no_throttle, overrides=overrides)
    return run_worker(settings, args.site)


if __name__ == "__main__":
    sys.exit(main())
