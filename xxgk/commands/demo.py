"""``xxgk demo``: the whole pipeline on the bundled demo portal, with no server to install.

Starts the demo portal on 127.0.0.1, crawls it into the store (the default one, so every other command
finds it), indexes the store in the embedded backend, runs a sample search and, with ``--serve``, keeps the
search page up — and the demo portal with it, so the pages' 原文链接 links work.

The demo replaces only a store that holds nothing but an earlier demo's reports (all on loopback addresses);
a store with other reports is left alone (pass ``--db`` to demo elsewhere).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from xxgk.commands import options

log = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def configure(parser: argparse.ArgumentParser) -> None:
    options.add_db(parser, "store to fill, replacing an earlier demo's")
    parser.add_argument("--scale", type=int, default=1, help="reports per site, as a multiple of ~20")
    parser.add_argument("--query", default="信息公开", help="the sample search (default: %(default)s)")
    parser.add_argument("--serve", action="store_true", help="then serve the search page (and the portal) until Ctrl-C")
    parser.add_argument("--port", type=int, default=8000, help="port of the search page with --serve")


def run(args: argparse.Namespace) -> int:
    from crawler.run import crawl
    from indexer import index_dir, open_backend, sync
    from indexer.query import Query
    from xxgk.commands.crawl import format_summary
    from xxgk.commands.search import print_human
    from xxgk.portal import DemoPortal, placeholder
    from xxgk.store import Store

    foreign = foreign_reports(args.db)
    if foreign:
        print(
            f"xxgk demo: {args.db} holds {foreign} reports that are not from a demo; run the demo in another store"
            " with --db data/demo.db (and pass the same --db to the other commands)",
            file=sys.stderr,
        )
        return 2
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
                env = " ".join(f"{placeholder(site.name)[2:-1]}={site.base_url}" for site in portal.sites)
                print(f"\ndemo portal up while serving; to crawl it again: {env} xxgk crawl --config config/demo.yaml")
                serve(store, backend, args.port)
    return 0


def foreign_reports(db: Path) -> int:
    """How many reports of the store at ``db`` are not on a loopback address (0 if there is no store)."""
    if not db.exists():
        return 0
    from xxgk.store import Store

    with Store(db) as store:
        urls = [row[0] for row in store.db.execute("SELECT url FROM reports")]
    return sum(1 for url in urls if urlsplit(url).hostname not in LOOPBACK)


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
