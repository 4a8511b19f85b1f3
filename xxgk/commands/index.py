"""``xxgk index``: push stored reports the search index does not hold yet (or rebuild it)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
DEFAULT_DB = Path(os.environ.get("XXGK_DB", "data/xxgk.db"))


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    """Options naming the store and the search backend (shared with ``xxgk search``)."""
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="report store (default: %(default)s, env XXGK_DB)")
    parser.add_argument("--backend", choices=("embedded", "meilisearch"), default="embedded", help="search index")
    parser.add_argument(
        "--meili-url", default=os.environ.get("MEILI_URL", "http://127.0.0.1:7700"), help="Meilisearch (env MEILI_URL)"
    )
    parser.add_argument(
        "--meili-key",
        default=os.environ.get("MEILI_MASTER_KEY"),
        help="Meilisearch API key (env MEILI_MASTER_KEY); never logged",
    )
    parser.add_argument("--meili-index", default="reports", help="Meilisearch index uid (default: %(default)s)")


def open_from_args(args: argparse.Namespace):
    """The backend the options name."""
    from indexer import open_backend

    if args.backend == "meilisearch":
        return open_backend("meilisearch", db=args.db, url=args.meili_url, key=args.meili_key, index=args.meili_index)
    return open_backend("embedded", db=args.db)


def configure(parser: argparse.ArgumentParser) -> None:
    add_backend_arguments(parser)
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
            backend = open_from_args(args)
            result = sync(store, backend, rebuild=args.rebuild)
        except Exception as exc:  # server down, bad key, task failure: nothing was marked indexed
            left = sum(1 for _ in store.pending(backend_name(args)))
            log.error("indexing into %s failed: %s (%d reports stay pending for the next run)", args.backend, exc, left)
            return 1
        what = "rebuilt the index with" if result.rebuilt else "indexed"
        print(f"{what} {result.indexed} reports ({result.backend}); {store.count()} in the store")
    return 0


def backend_name(args: argparse.Namespace) -> str:
    """The bookkeeping name of the backend the options name (without opening it)."""
    from indexer.meili import backend_name as meili_name

    return meili_name(args.meili_index) if args.backend == "meilisearch" else "embedded"
