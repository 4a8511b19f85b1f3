"""``xxgk ingest``: write what the workers of a distributed crawl (``xxgk crawl --redis``) parsed into the store."""

from __future__ import annotations

import argparse

from xxgk.commands import options


def configure(parser: argparse.ArgumentParser) -> None:
    from crawler.distributed.ingest import BATCH

    parser.add_argument("--redis", required=True, metavar="URL", help="redis://HOST:PORT/DB of the crawl")
    options.add_run_name(parser)
    options.add_db(parser)
    parser.add_argument(
        "--name", default="main", help="ingester name: a restarted ingester of this name resumes its unfinished items"
    )
    parser.add_argument(
        "--batch", type=int, default=BATCH, help="messages written per store transaction (default: %(default)s)"
    )
    parser.add_argument(
        "--raw-dir", metavar="DIR", help="keep the raw bodies workers send (setting XXGK_REDIS_RAW) as DIR/<sha256>"
    )
    parser.add_argument("--drain", action="store_true", help="stop when the item list is empty (default: run end)")


def run(args: argparse.Namespace) -> int:
    import redis

    from crawler.distributed.connection import connect
    from crawler.distributed.ingest import Ingester
    from xxgk.commands.crawl import exit_status, format_summary

    ingester = Ingester(
        connect(args.redis), args.run_name, args.db, name=args.name, batch=args.batch, raw_dir=args.raw_dir
    )
    try:
        result = ingester.run(drain_only=args.drain)
    except redis.RedisError as exc:
        print(f"xxgk ingest: Redis unavailable: {exc} (restart with the same --name to resume)")
        return 1
    print(f"ingested {result.items} items ({result.duplicates} duplicates skipped, {result.rejected} rejected)")
    if result.summary is None:
        return 0
    print(format_summary(result.summary))
    return exit_status(result.summary)
