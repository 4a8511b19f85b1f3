"""``xxgk index``: push stored reports the search index does not hold yet (or rebuild it)."""

from __future__ import annotations

import argparse
import logging

from xxgk.commands import options

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    options.add_db(parser)
    options.add_backend(parser)
    parser.add_argument(
        "--rebuild", action="store_true", help="build a fresh index from the whole store and swap it in"
    )


def run(args: argparse.Namespace) -> int:
    from indexer import sync
    from xxgk.store import Store

    if not args.db.exists():
        log.error("no report store at %s (crawl or parse into it first, or pass --db)", args.db)
        return 2
    with Store(args.db) as store:
        try:
            backend = options.open_backend(args)
            result = sync(store, backend, rebuild=args.rebuild)
        except Exception as exc:  # server down, bad key, task failure: nothing was marked indexed
            left = sum(1 for _ in store.pending(options.backend_name(args)))
            log.error("indexing into %s failed: %s (%d reports stay pending for the next run)", args.backend, exc, left)
            return 1
        what = "rebuilt the index with" if result.rebuilt else "indexed"
        print(f"{what} {result.indexed} reports ({result.backend}); {store.count()} in the store")
    return 0
