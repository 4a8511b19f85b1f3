"""The ``--redis`` side of ``xxgk crawl``: options, and running this process as one worker of a shared run.

``xxgk/commands/crawl.py`` calls ``add_worker_arguments(parser)`` in ``configure`` and, once the sites
are selected, ``return run_worker_from_args(args, names)`` when ``args.redis`` is set. Importing this
module is cheap (Scrapy is imported only when a worker runs).
"""

from __future__ import annotations

import argparse
import sys


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("distributed crawl (docs/national-crawl.md)")
    group.add_argument(
        "--redis", metavar="URL", help="be one worker of a shared crawl on this Redis (redis://HOST:PORT/DB)"
    )
    group.add_argument("--run-id", default="default", help="name of the shared crawl run (default: %(default)s)")
    group.add_argument(
        "--rate",
        type=float,
        default=1.0,
        help="max requests/s per host over all workers, 0 = none (default: %(default)s)",
    )
    group.add_argument(
        "--lease",
        type=float,
        default=60.0,
        help="seconds before a dead worker's requests return (default: %(default)s)",
    )
    group.add_argument(
        "--conditional-get",
        action="store_true",
        help="conditional GET from --db (only when it is the ingester's store)",
    )


def worker_overrides(args: argparse.Namespace) -> dict:
    from crawler.distributed.settings import redis_settings

    return redis_settings(
        args.redis, args.run_id, rate=args.rate, lease=args.lease, conditional_get=args.conditional_get
    )


def run_worker_from_args(args: argparse.Namespace, sites: list[str]) -> int:
    """Crawl as a worker until the shared run is done; the ingester (``xxgk ingest``) fills the store."""
    if getattr(args, "jobdir", None):
        print("xxgk crawl: --jobdir and --redis exclude each other (the crawl state is in Redis)", file=sys.stderr)
        return 2
    from crawler.distributed.worker import run_worker
    from crawler.run import build_settings

    settings = build_settings(
        config=args.config, db=args.db, throttle=not args.no_throttle, overrides=worker_overrides(args)
    )
    code = run_worker(settings, sites, install_root_handler=False)
    print(f"worker of run {args.run_id}: " + ("run finished" if code == 0 else "stopped before the run was done"))
    return code
