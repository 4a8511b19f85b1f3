"""``xxgk serve``: the JSON API and the search page over the store and a search index.

Pages are rendered on the server, so no index key (Meilisearch's included) ever reaches a browser;
with ``--no-sync`` a search-only Meilisearch key is enough.
"""

from __future__ import annotations

import argparse
import logging
import os

from xxgk.commands import options

log = logging.getLogger(__name__)
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def configure(parser: argparse.ArgumentParser) -> None:
    options.add_db(parser)
    options.add_backend(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, local only)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes sharing the port, each with its own store connection and index reader "
        "(default: %(default)s, one a core)",
    )
    parser.add_argument("--no-sync", action="store_true", help="serve the index as it is, without first catching up")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run(args: argparse.Namespace) -> int:
    from indexer import sync
    from indexer.web import create_app, serve
    from xxgk.store import Store

    if not args.db.exists():
        log.error("no report store at %s (crawl or parse into it first, or pass --db)", args.db)
        return 2
    if not 0 < args.port < 65536:
        log.error("--port must be between 1 and 65535, got %d", args.port)
        return 2
    if not 0 < args.workers <= 64:
        log.error("--workers must be between 1 and 64, got %d", args.workers)
        return 2
    if args.host not in LOOPBACK:
        log.warning("binding %s: the server is reachable from other machines", args.host)
    with Store(args.db) as store:
        try:
            backend = options.open_backend(args)
        except Exception as exc:  # unreachable server, bad key, unreadable index: say so and stop
            log.error("cannot open the %s index: %s", args.backend, exc)
            return 1
        if not args.no_sync:
            sync(store, backend)
        count = store.count()
    del backend  # each worker opens its own: nothing opened here is shared across the fork

    def make_app():
        return create_app(Store(args.db), options.open_backend(args))

    log.info("serving %d reports on http://%s:%d/ (%d worker(s))", count, args.host, args.port, args.workers)
    try:
        serve(make_app, args.host, args.port, workers=args.workers)
    except OSError as exc:  # the port taken, the address not this machine's
        log.error("cannot listen on %s:%d: %s", args.host, args.port, exc.strerror or exc)
        return 1
    return 0
