"""Parser processes of a crawl: a pool that is never forked from the crawl process, and never outlives it.

This module imports nothing of Scrapy: the parser processes load it, and need only the parser.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import threading
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from typing import Any


def _exit_with_crawl(lifeline: Connection) -> None:
    """Worker initializer: leave when the crawl process is gone (even after kill -9), never linger as an orphan.

    Only the crawl process holds the sending end of ``lifeline``, and never sends: the read ends at its exit.
    """

    def watch() -> None:
        with contextlib.suppress(EOFError, OSError):
            lifeline.recv_bytes()
        os._exit(1)

    threading.Thread(target=watch, name="crawl-watch", daemon=True).start()


def _import(modules: list[str]) -> None:
    """First task of each worker: import the parser's modules now, not on the first document."""
    for name in modules:
        importlib.import_module(name)


def fork_server(preload: list[str]) -> multiprocessing.context.BaseContext:
    """The context parser processes start in: a fork server that imports ``preload`` (and this module), started
    now without waiting for it, where the platform has one; else spawn.

    Started before the caller imports Scrapy, the server's imports run on another core meanwhile. Once it
    runs, later calls reuse it as it is (a worker imports what the server did not, before its first document).
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", __name__, *preload])  # type: ignore[attr-defined]
    forkserver.ensure_running()
    return context


def start_early(overrides: Mapping[str, Any]) -> None:
    """Start the fork server for a crawl with these setting overrides of ``crawler.settings``, if it parses in
    worker processes: call it before importing Scrapy."""
    from crawler import settings

    def get(name: str) -> Any:
        return overrides.get(name, getattr(settings, name))

    if int(get("XXGK_PARSE_WORKERS")) > 0:
        fork_server([str(get("XXGK_PARSER")).rsplit(".", 1)[0], *get("XXGK_PARSE_PRELOAD")])


def worker_pool(workers: int, preload: list[str]) -> tuple[ProcessPoolExecutor, Connection]:
    """Parser processes, started at once so they get ready while the crawl fetches its first list pages, and
    the lifeline to keep open while they may run.

    They are never forked from the crawl process (it runs the reactor and holds an SQLite connection): see
    ``fork_server``. The main module, which a worker would otherwise import again, is preloaded too: the crawl
    child's (``python -m crawler``) costs nothing.
    """
    context = fork_server(preload)
    lifeline, keep = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_exit_with_crawl, initargs=(lifeline,))

    def start() -> None:  # in a thread: the first start waits for the fork server's imports; the reactor must not
        with contextlib.suppress(RuntimeError):  # the crawl already ended and shut the pool down
            for _ in range(workers):
                pool.submit(_import, preload)

    threading.Thread(target=start, name="parser-start", daemon=True).start()
    return pool, keep
