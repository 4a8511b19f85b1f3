"""``xxgk crawl``: crawl the configured portals into the store and print the run summary.

Exit status: 0 when every document was stored, 1 when some failed or the crawl was interrupted, 2 for a
bad configuration.
"""

from __future__ import annotations

import argparse
import sys

from crawler.sites import ConfigError, load_sites, select
from xxgk.commands import options
from xxgk.store import RunSummary, Store


def configure(parser: argparse.ArgumentParser) -> None:
    options.add_crawl(parser)
    options.add_distributed(parser)


def format_summary(summary: RunSummary) -> str:
    lines = [
        f"run {summary.id} ({', '.join(summary.sites)}): {summary.new} new, {summary.changed} changed, "
        f"{summary.unchanged} unchanged, {summary.failed} failed"
    ]
    lines += [f"  failed {url}: {reason}" for url, reason in summary.failures]
    return "\n".join(lines)


def exit_status(summary: RunSummary) -> int:
    """1 if any document failed (the summary lists them), else 0."""
    if summary.failed:
        print(f"{summary.failed} document{'s' * (summary.failed != 1)} failed (listed above)", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace) -> int:
    from crawler.run import build_settings, crawl_here, start_early

    try:
        sites = select(load_sites(args.config), args.site)
    except ConfigError as exc:
        print(f"xxgk crawl: configuration error: {exc}", file=sys.stderr)
        return 2
    if args.redis:
        from crawler.distributed.worker import run_from_args

        return run_from_args(args, [s.name for s in sites])
    start_early({})  # before build_settings imports Scrapy
    with Store(args.db) as store:
        store_run = store.start_run([s.name for s in sites])
    settings = build_settings(
        config=args.config, db=args.db, store_run=store_run, jobdir=args.jobdir, throttle=not args.no_throttle
    )
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")  # xxgk.cli configured logging
    reason = "error"
    try:
        reason = crawl_here(settings, [s.name for s in sites], verbose=args.verbose)
    finally:
        with Store(args.db) as store:
            summary = store.finish_run(store_run, "finished" if reason == "finished" else "interrupted")
        print(format_summary(summary))
    if reason != "finished":
        resume = "it continues where it stopped" if args.jobdir else "unchanged documents are skipped (cheap 304s)"
        print(
            f"crawl interrupted ({reason}): run {summary.id} is incomplete; run the same command again to resume:"
            f" {resume}",
            file=sys.stderr,
        )
        return 1
    return exit_status(summary)
