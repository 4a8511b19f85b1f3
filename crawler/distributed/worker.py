"""One worker of a shared Redis crawl: what ``xxgk crawl --redis`` runs, and ``python -m crawler.distributed.worker``
(the same options, plus a few for tests and benchmarks).

``run_worker`` returns the process exit status: 0 when the shared frontier was drained ("finished"), 1
otherwise (e.g. ``redis_unavailable``, shutdown).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from crawler.distributed.settings import redis_settings
from crawler.run import add_child_arguments, build_settings
from xxgk.commands import options

logger = logging.getLogger(__name__)


def worker_overrides(args: argparse.Namespace) -> dict:
    """The Redis settings the ``options.add_distributed`` options name."""
    return redis_settings(
        args.redis, args.run_name, rate=args.rate, lease=args.lease, conditional_get=args.conditional_get
    )


def run_worker(settings, sites: list[str] | None = None, *, install_root_handler: bool = True) -> int:
    """Crawl as one worker until the run is done; settings must include ``redis_settings(...)``."""
    from scrapy.crawler import CrawlerProcess

    settings.set("LOG_INSTALL_ROOT_HANDLER", install_root_handler, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("disclosure")
    process.crawl(crawler, site=",".join(sites or []), config=settings.get("XXGK_CONFIG"))
    process.start()
    reason = crawler.stats.get_value("finish_reason")
    if reason != "finished" or crawler.stats.get_value("xxgk/redis_error"):
        logger.error("worker stopped before the run was done: %s", reason)
        return 1
    return 0


def run_from_args(
    args: argparse.Namespace, sites: list[str], *, extra: dict | None = None, install_root_handler: bool = False
) -> int:
    """Crawl as a worker until the shared run is done; the ingester (``xxgk ingest``) fills the store.

    ``args`` holds the options of ``options.add_crawl`` and ``options.add_distributed``; ``extra``: more settings.
    """
    if args.jobdir:
        print("xxgk crawl: --jobdir and --redis exclude each other (the crawl state is in Redis)", file=sys.stderr)
        return 2
    overrides = {**worker_overrides(args), **(extra or {})}
    settings = build_settings(config=args.config, db=args.db, throttle=not args.no_throttle, overrides=overrides)
    code = run_worker(settings, sites, install_root_handler=install_root_handler)
    print(f"worker of run {args.run_name}: " + ("run finished" if code == 0 else "stopped before the run was done"))
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.distributed.worker", description=__doc__.splitlines()[0])
    options.add_crawl(parser, config_default=None)
    options.add_distributed(parser)
    add_child_arguments(parser)
    parser.add_argument("--retries", type=int, help="reconnect attempts before a Redis outage stops the worker")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    if not args.redis:
        parser.error("--redis is required")
    extra = {"LOG_LEVEL": args.log_level, **json.loads(args.settings_json)}
    if args.retries is not None:
        extra["XXGK_REDIS_RETRIES"] = args.retries
    return run_from_args(args, args.site, extra=extra, install_root_handler=True)


if __name__ == "__main__":
    sys.exit(main())
