"""Parser processes of a crawl: a pool that is never forked from the crawl process, and never outlives it.

This module imports nothing of Scrapy: the parser processes load it, and need only the parser.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection


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


def worker_pool(workers: int, preload: list[str]) -> tuple[ProcessPoolExecutor, Connection]:
    """Parser processes, started at once so they get ready while the crawl fetches its first list pages, and
    the lifeline to keep open while they may run.

    They are never forked from the crawl process (it runs the reactor and holds an SQLite connection). A fork
    server, where there is one, imports the modules once and forks each worker from there, ready to parse;
    elsewhere each worker is spawned and imports them itself. The main module, which a worker would
    otherwise import again, is preloaded too: the crawl child's (``python -m crawler``) costs nothing.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context: multiprocessing.context.BaseContext = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["__main__", __name__, *preload])  # type: ignore[attr-defined]
    else:
        context = multiprocessing.get_context("spawn")
    lifeline, keep = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_exit_with_crawl, initargs=(lifeline,))

    def start() -> None:  # in a thread: the first start waits for the fork server's imports; the reactor must not
        with contextlib.suppress(RuntimeError):  # the crawl already ended and shut the pool down
            for _ in range(workers):
                pool.submit(_import, preload)

    threading.Thread(target=start, name="parser-start", daemon=True).start()
    return pool, keep
