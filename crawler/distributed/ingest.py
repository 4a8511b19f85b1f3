"""The ingester: drains the run's Redis item list into the SQLite store through the crawler's StorePipeline.

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
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from scrapy.settings import Settings

from crawler.distributed.codec import load_item
from crawler.distributed.frontier import RunKeys
from crawler.pipelines import StorePipeline
from xxgk.store import RunSummary, Store

logger = logging.getLogger(__name__)


class _Stats(Counter):
    """The slice of Scrapy's stats collector that StorePipeline uses."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.get(key, default)


@dataclass
class _PipelineHost:
    """Stands in for the Scrapy crawler StorePipeline is built from."""

    settings: Settings
    stats: _Stats = field(default_factory=_Stats)
    spider: None = None


@dataclass(frozen=True)
class IngestResult:
    items: int
    rejected: int
    duplicates: int  # identical items delivered again (skipped)
    summary: RunSummary | None  # the store run filled by this ingester (None if no item arrived)


class Ingester:
    def __init__(self, server: redis.Redis, run: str, db: str | Path, *, name: str = "main", parse_workers: int = 2):
        """``parse_workers``: parser processes (StorePipeline's ``XXGK_PARSE_WORKERS``; 0 parses inline)."""
        self.server = server
        self.parse_workers = parse_workers
        self.concurrency = max(1, 2 * parse_workers)
        self.keys = RunKeys(run)
        self.db = Path(db)
        self.processing = self.keys.ingesting(name)
        self.pipeline: StorePipeline | None = None
        self.store_run = 0
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
        await self._pipeline().process_item(item)
        self.server.lrem(self.processing, 1, data)
        self.items += 1

    def _pipeline(self) -> StorePipeline:
        if self.pipeline is None:
            sites = sorted(s.decode() for s in self.server.smembers(self.keys.sites))
            with Store(self.db) as store:
                self.store_run = store.start_run(sites)
            settings = Settings()
            settings.setmodule("crawler.settings", priority="project")
            values = {"XXGK_DB": str(self.db), "XXGK_RUN_ID": self.store_run, "XXGK_PARSE_WORKERS": self.parse_workers}
            settings.setdict(values, priority="cmdline")
            self.pipeline = StorePipeline(_PipelineHost(settings))  # type: ignore[arg-type]
            self.pipeline.open_spider()
        return self.pipeline

    def _close(self) -> RunSummary | None:
        if self.pipeline is None:
            return None
        self.pipeline.close_spider()
        with Store(self.db) as store:
            return store.finish_run(self.store_run)
