"""``xxgk demo``: the whole pipeline on the bundled demo portal, with no server to install.

Starts the demo portal on 127.0.0.1, crawls it into a fresh store, indexes the store in the
embedded backend, runs a sample search and, with ``--serve``, keeps the search page up.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import time
from pathlib import Path

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=Path("data/demo.db"), help="fresh store (default: %(default)s)")
    parser.add_argument("--scale", type=int, default=1, help="reports per site, as a multiple of ~20")
    parser.add_argument("--query", default="信息公开", help="the sample search (default: %(default)s)")
    parser.add_argument("--serve", action="store_true", help="then serve the search page until Ctrl-C")
    parser.add_argument("--port", type=int, default=8000, help="port of the search page with --serve")


def run(args: argparse.Namespace) -> int:
    from crawler.run import crawl
    from indexer import index_dir, open_backend, sync
    from indexer.query import Query
    from xxgk.commands.crawl import format_summary
    from xxgk.commands.search import print_human
    from xxgk.portal import DemoPortal
    from xxgk.store import Store

    fresh(args.db, index_dir(args.db))
    with DemoPortal(scale=args.scale) as portal:
        print(f"demo portal: {len(portal.truth)} reports on {len(portal.sites)} sites")
        for site in portal.sites:
            print(f"  {site.name:8} {site.start_urls[0]}")
        started = time.monotonic()
        summary = crawl(portal.config(), db=args.db, throttle=False)
        print(f"\ncrawled in {time.monotonic() - started:.1f} s")
        print(format_summary(summary))

    with Store(args.db) as store:
        failing = sum(1 for report in store.reports() if report.checks)
        print(f"\nstore {args.db}: {store.count()} reports, {failing} fail a consistency check")
        backend = open_backend("embedded", db=args.db)
        result = sync(store, backend)
        print(f"indexed {result.indexed} reports into the embedded index ({index_dir(args.db)})")
        answer = backend.search(Query(text=args.query, facets=("year", "province", "agency_level"), limit=5))
        print(f"\nxxgk search {args.query!r} --facets  →  ", end="")
        print_human(answer, 0)
        if args.serve:
            serve(store, backend, args.port)
    return 0


def fresh(*paths: Path) -> None:
    """Remove an earlier demo's store (with its WAL files) and index."""
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            candidate.unlink(missing_ok=True)


def serve(store, backend, port: int) -> None:
    import uvicorn

    from indexer.web import create_app

    print(f"\nsearch page: http://127.0.0.1:{port}/  (Ctrl-C to stop)")
    uvicorn.run(create_app(store, backend), host="127.0.0.1", port=port, log_level="warning")
