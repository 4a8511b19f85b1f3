"""Parser processes: a pool of workers that survive a bad document, each under an OS-enforced memory and CPU ceiling.

A worker runs one document at a time. If it dies (the kernel's OOM killer, a crash, its CPU limit), the pool
starts a fresh worker in its place, gives the document one more try there, and then reports that document
alone as failed ("parser process died: signal 9"); every other document goes on. Workers are started from a
fork server that imports only the parser (never Scrapy, never the crawl's reactor or SQLite connection), and
leave once the process that owns the pool is gone (their pipe closes; at most after the document in hand).

This module imports nothing of Scrapy: the parser processes load it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import os
import queue
import resource
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from typing import Any

from xxgk.errors import UnreadableDocument
from xxgk.model import Report

logger = logging.getLogger(__name__)

PARSER = "xxgk.parse.parse_document"
# Modules a parser process imports before its first document (once, in the fork server, where there is one).
PRELOAD = ("xxgk.extract.pdf", "xxgk.extract.html", "xxgk.extract.docx")
MEMORY_LIMIT = 1 << 30  # bytes of address space per parser process (RLIMIT_AS)
CPU_LIMIT = 60  # CPU seconds per document (RLIMIT_CPU, raised before each document)
# Parser processes by default: one per usable core.
WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ParseFailed(Exception):
    """A document could not be parsed; ``str(e)`` is the one-line reason recorded for it."""


@dataclass(frozen=True)
class Limits:
    """What each parser process may use: ``memory`` bytes of address space, ``cpu`` seconds per document, and
    ``nice``: how much lower its CPU priority is than its owner's (a crawl's downloads then never wait for it)."""

    memory: int = MEMORY_LIMIT
    cpu: int = CPU_LIMIT
    nice: int = 0


@dataclass(frozen=True)
class Job:
    """One document to parse: the arguments of ``parse_document`` (see ``xxgk.parse``)."""

    body: bytes
    url: str | None = None
    content_type: str | None = None
    filename: str | None = None
    region_hint: Any = None

    def run(self, parse: Callable[..., Report]) -> Report:
        return parse(
            self.body,
            url=self.url,
            content_type=self.content_type,
            filename=self.filename,
            region_hint=self.region_hint,
        )


def load(path: str) -> Callable[..., Report]:
    """The parser function named by a dotted path (``xxgk.parse.parse_document``)."""
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def run_job(parse: Callable[..., Report], job: Job) -> Report:
    """Parse one document; any failure becomes ``ParseFailed`` with its reason (a parser bug never escapes)."""
    try:
        return job.run(parse)
    except UnreadableDocument as exc:
        raise ParseFailed(f"unreadable: {exc}") from exc
    except MemoryError as exc:
        raise ParseFailed("parser ran out of memory (limit of its process reached)") from exc
    except Exception as exc:
        raise ParseFailed(" ".join(f"parser error: {type(exc).__name__}: {exc}".split())) from exc


class InlineParser:
    """Parses in the calling process (no limits): for tests and tools that want no worker processes."""

    def __init__(self, parser: str):
        self.parse = load(parser)

    async def __call__(self, job: Job) -> Report:
        return run_job(self.parse, job)

    def close(self) -> None:
        pass


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


def _serve(conn: Connection, parser: str, preload: list[str], limits: Limits) -> None:
    """A parser process: import, cap memory, lower its priority, then parse each job under a fresh CPU allowance
    until the pipe closes."""
    for name in preload:
        importlib.import_module(name)
    parse = load(parser)
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    if limits.nice > 0:
        os.nice(limits.nice)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the owner is gone (or shut the pool): leave, never linger as an orphan
            return
        if job is None:
            return
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (used + limits.cpu, resource.RLIM_INFINITY))
        try:
            reply: tuple[str, Any] = ("ok", run_job(parse, job))
        except ParseFailed as exc:
            reply = ("failed", str(exc))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


class WorkerDied(Exception):
    def __init__(self, exitcode: int | None, limits: Limits):
        self.exitcode = exitcode
        if exitcode is not None and exitcode < 0:
            reason = f"parser process died: signal {-exitcode}"
            if -exitcode == signal.SIGXCPU:
                reason += f" (over its limit of {limits.cpu} CPU seconds per document)"
        else:
            reason = f"parser process died: exit status {exitcode}"
        super().__init__(reason)


class _Worker:
    """One parser process and the pipe to it."""

    def __init__(self, context: Any, parser: str, preload: list[str], limits: Limits):
        self.limits = limits
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, parser, preload, limits), name="xxgk-parser", daemon=True
        )
        self.process.start()
        child.close()

    def call(self, job: Job) -> Report:
        try:
            self.conn.send(job)
            kind, value = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.process.join(timeout=10)
            raise WorkerDied(self.process.exitcode, self.limits) from exc
        if kind == "failed":
            raise ParseFailed(value)
        return value

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


class ParserPool:
    """``size`` parser processes, started at once so they get ready while the caller does other work.

    ``await pool(job)`` parses one document in a worker and returns its Report or raises ``ParseFailed``.
    A worker that dies is replaced at once; its document gets one more try in another worker (not after
    hitting its CPU limit: that would only repeat), then fails alone with the reason.
    """

    def __init__(self, size: int, parser: str, preload: Sequence[str] = (), limits: Limits | None = None):
        self.parser = parser
        self.preload = [parser.rpartition(".")[0], *preload]
        self.limits = limits or Limits()
        self.context = fork_server(self.preload)
        self.idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()  # None: a slot to start a worker in
        self.workers: set[_Worker] = set()
        self.lock = threading.Lock()
        # One thread per worker waits on its pipe; the first starts wait for the fork server's imports.
        self.threads = ThreadPoolExecutor(size, thread_name_prefix="xxgk-parser")
        for _ in range(size):
            self.threads.submit(lambda: self.idle.put(self._start()))

    def _start(self) -> _Worker | None:
        """A new worker, or None (an empty slot, tried again on its next document) if none can be started."""
        try:
            worker = _Worker(self.context, self.parser, self.preload, self.limits)
        except Exception:
            logger.exception("cannot start a parser process")
            return None
        with self.lock:
            self.workers.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        with self.lock:
            self.workers.discard(worker)
        worker.conn.close()

    def _once(self, job: Job) -> Report:
        worker = self.idle.get()
        try:
            worker = worker or self._start()
            if worker is None:
                raise ParseFailed("no parser process could be started")
            return worker.call(job)
        except WorkerDied:
            assert worker is not None
            self._retire(worker)
            worker = self._start()  # the replacement, at once
            raise
        finally:
            self.idle.put(worker)

    def parse(self, job: Job) -> Report:
        """Parse in a worker (blocking); raises ParseFailed."""
        try:
            return self._once(job)
        except WorkerDied as first:
            if first.exitcode == -signal.SIGXCPU:
                raise ParseFailed(str(first)) from first
        try:
            return self._once(job)
        except WorkerDied as second:
            raise ParseFailed(str(second)) from second

    async def __call__(self, job: Job) -> Report:
        return await asyncio.wrap_future(self.threads.submit(self.parse, job))

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and monitoring)."""
        with self.lock:
            return [w.process.pid for w in self.workers if w.process.pid is not None]

    def close(self) -> None:
        """Wait for the documents in progress, then stop every worker."""
        self.threads.shutdown(wait=True, cancel_futures=True)
        with self.lock:
            workers = list(self.workers)
            self.workers.clear()
        for worker in workers:
            worker.stop()


Parser = InlineParser | ParserPool


def parser(workers: int, name: str, preload: Sequence[str] = (), limits: Limits | None = None) -> Parser:
    """Parser processes when ``workers`` > 0, else parsing inline."""
    return ParserPool(workers, name, preload, limits) if workers > 0 else InlineParser(name)
