"""``xxgk crawl``: crawl the configured portals into the store and print the run summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crawler.sites import ConfigError, load_sites, select
from xxgk.store import RunSummary, Store


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="config/sites.yaml", help="site configuration (default: %(default)s)")
    parser.add_argument("--site", action="append", metavar="NAME", help="crawl only this site (repeatable)")
    parser.add_argument("--db", type=Path, default=Path("data/xxgk.db"), help="SQLite store (default: %(default)s)")
    parser.add_argument("--jobdir", type=Path, help="Scrapy job directory: an interrupted crawl resumes from it")
    parser.add_argument(
        "--no-throttle", action="store_true", help="no AutoThrottle/download delay, high concurrency (loopback only)"
    )
    from crawler.distributed.cli import add_worker_arguments

    add_worker_arguments(parser)


def format_summary(summary: RunSummary) -> str:
    lines = [
        f"run {summary.id} ({', '.join(summary.sites)}): {summary.new} new, {summary.changed} changed, "
        f"{summary.unchanged} unchanged, {summary.failed} failed"
    ]
    lines += [f"  failed {url}: {reason}" for url, reason in summary.failures]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from crawler.parsers import start_early
    from crawler.run import build_settings, crawl_here

    try:
        sites = select(load_sites(args.config), args.site)
    except ConfigError as exc:
        print(f"xxgk crawl: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.redis:
        from crawler.distributed.cli import run_worker_from_args

        return run_worker_from_args(args, [s.name for s in sites])
    start_early({})  # before build_settings imports Scrapy
    with Store(args.db) as store:
        run_id = store.start_run([s.name for s in sites])
    settings = build_settings(
        config=args.config, db=args.db, run_id=run_id, jobdir=args.jobdir, throttle=not args.no_throttle
    )
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # xxgk.cli configured logging
    try:
        crawl_here(settings, [s.name for s in sites], verbose=args.verbose)
    finally:
        with Store(args.db) as store:
            summary = store.finish_run(run_id)
        print(format_summary(summary))
    return 0
