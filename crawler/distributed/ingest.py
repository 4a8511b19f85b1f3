"""The ingester: drains the run's Redis item list into the SQLite store through the ingest stage (``xxgk.ingest``).

Workers push items to ``xxgk:<run>:items``; one ingester (per store) moves each item atomically to its
own list ``xxgk:<run>:ingesting:<name>`` (``BLMOVE``), stores it, then deletes it there. Killed at any
point, a restarted ingester of the same name first stores what its list still holds; the store's
upserts are idempotent by URL, so an item stored twice is still one report. Parsing happens here
(the store decides "unchanged" from its fetch state), so this process is the one that needs CPU.

It stops once the run is finished (the ``finished`` mark a worker sets when the shared frontier is
drained), no worker is alive and the item list is empty — or, with ``drain_only``, as soon as the list is empty.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from crawler.distributed.codec import load_item
from crawler.distributed.frontier import RunKeys
from crawler.items import DocumentItem, FailureItem
from xxgk.ingest import Ingest
from xxgk.parsers import PARSER, PRELOAD, Parser, parser
from xxgk.store import RunSummary, Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestResult:
    items: int
    rejected: int
    duplicates: int  # identical items delivered again (skipped)
    summary: RunSummary | None  # the store run filled by this ingester (None if no item arrived)


class Ingester:
    def __init__(self, server: redis.Redis, run: str, db: str | Path, *, name: str = "main", parse_workers: int = 2):
        """``run``: the Redis run's name; ``parse_workers``: parser processes (0 parses inline)."""
        self.server = server
        self.parse_workers = parse_workers
        self.concurrency = max(1, 2 * parse_workers)
        self.keys = RunKeys(run)
        self.db = Path(db)
        self.processing = self.keys.ingesting(name)
        self.store: Store | None = None
        self.parser: Parser | None = None
        self.ingest: Ingest | None = None
        self.items = 0
        self.rejected = 0
        self.duplicates = 0
        self.seen: set[bytes] = set()

    def run(self, *, drain_only: bool = False, poll: float = 1.0) -> IngestResult:
        """Ingest until the run is complete (or, with ``drain_only``, until the item list is empty)."""
        try:
            asyncio.run(self._run(drain_only, poll))
        finally:
            summary = self._close()
        return IngestResult(self.items, self.rejected, self.duplicates, summary)

    async def _run(self, drain_only: bool, poll: float) -> None:
        pending: set[asyncio.Task[None]] = set()

        async def settle(timeout: float | None = None) -> None:
            nonlocal pending
            done, pending = await asyncio.wait(pending, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a store error stops the ingester; the item stays in its list

        # Left over from an ingester of this name that was killed: store them first.
        for data in self.server.lrange(self.processing, 0, -1):
            if len(pending) >= self.concurrency:
                await settle()
            pending.add(asyncio.create_task(self._ingest(data)))
        while True:
            if len(pending) >= self.concurrency:
                await settle()
                continue
            data = self.server.lmove(self.keys.items, self.processing, "LEFT", "RIGHT")
            if data is not None:
                pending.add(asyncio.create_task(self._ingest(data)))
            elif pending:
                await settle(timeout=poll)
            elif drain_only or self.run_complete():
                return
            else:
                await asyncio.sleep(poll)

    def run_complete(self) -> bool:
        with self.server.pipeline() as pipe:
            pipe.exists(self.keys.finished)
            pipe.llen(self.keys.items)
            pipe.zcount(self.keys.workers, time.time(), "+inf")
            finished, queued, alive = pipe.execute()
        return bool(finished) and not queued and not alive

    async def _ingest(self, data: bytes) -> None:
        digest = hashlib.sha1(data).digest()
        if digest in self.seen:  # the same item twice: a re-fetched lease of a killed worker
            self.server.lrem(self.processing, 1, data)
            self.duplicates += 1
            return
        self.seen.add(digest)
        try:
            item = load_item(data)
        except ValueError as exc:
            logger.error("rejected an item that is not an xxgk item (kept in %s): %s", self.keys.key("rejected"), exc)
            with self.server.pipeline() as pipe:
                pipe.rpush(self.keys.key("rejected"), data)
                pipe.lrem(self.processing, 1, data)
                pipe.execute()
            self.rejected += 1
            return
        ingest = self._ingest_stage()
        if isinstance(item, FailureItem):
            ingest.failure(item.url, item.reason)
        elif isinstance(item, DocumentItem):
            await ingest.document(item)
        self.server.lrem(self.processing, 1, data)
        self.items += 1

    def _ingest_stage(self) -> Ingest:
        if self.ingest is None:
            sites = sorted(s.decode() for s in self.server.smembers(self.keys.sites))
            self.store = Store(self.db)
            self.parser = parser(self.parse_workers, PARSER, PRELOAD)
            self.ingest = Ingest(self.store, self.store.start_run(sites), self.parser)
        return self.ingest

    def _close(self) -> RunSummary | None:
        if self.ingest is None:
            return None
        assert self.store is not None and self.parser is not None
        self.parser.close()
        summary = self.store.finish_run(self.ingest.run)
        self.store.close()
        return summary
