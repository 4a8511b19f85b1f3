"""The ingester: writes what the workers parsed (``xxgk:<run>:items``) into the SQLite store, in batches.

Workers parse in their own parser processes and push ``xxgk.ingest.Parsed`` / ``Failure`` messages; this
process only writes. It moves up to ``batch`` messages at once from the item list to its own list
``xxgk:<run>:ingesting:<name>`` (one Lua script: atomic, so a kill between the two never loses one), writes
them in one store transaction (``Ingest.write``: one statement per table for the whole batch; reports are
stored as the workers' JSON text, never decoded here), then empties its list. Killed at any point, a
restarted ingester of the same name first writes what its list still holds; the store's upserts are
idempotent by URL, so a message written twice is still one report. A document delivered twice (a killed
worker's lease fetched again: same bytes and metadata, only the parse time differs) is written once, so it
still counts as "new" in the run. Raw bodies (sent only when the workers keep them) go to ``raw_dir`` as
``<sha256>`` files before the transaction commits.

It stops once the run is finished (the ``finished`` mark a worker sets when the shared frontier is
drained), no worker is alive and the item list is empty — or, with ``drain_only``, as soon as the list is empty.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from crawler.distributed.frontier import RunKeys
from xxgk.ingest import Failure, Ingest, Parsed, load_message
from xxgk.store import RunSummary, Store

logger = logging.getLogger(__name__)

BATCH = 500  # messages per transaction (a few MB of reports: bounded memory, few fsyncs)

# Moves a batch only once this ingester's list is empty and answers with the whole list: run twice (redis-py
# retries a command whose reply a restarting Redis never sent), it returns the same batch again instead of
# moving a second one, which would leave the first unwritten in the list and trimmed off it after the second.
_TAKE = """
-- KEYS: items, processing   ARGV: most messages to move
if redis.call('LLEN', KEYS[2]) == 0 then
  local taken = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
  if #taken > 0 then
    redis.call('LTRIM', KEYS[1], #taken, -1)
    redis.call('RPUSH', KEYS[2], unpack(taken))
  end
end
return redis.call('LRANGE', KEYS[2], 0, -1)
"""


@dataclass(frozen=True)
class IngestResult:
    items: int
    rejected: int
    duplicates: int  # the same document delivered again, bytes and metadata alike (skipped)
    summary: RunSummary | None  # the store run filled by this ingester (None if no item arrived)


class Ingester:
    def __init__(
        self,
        server: redis.Redis,
        run: str,
        db: str | Path,
        *,
        name: str = "main",
        batch: int = BATCH,
        raw_dir: str | Path | None = None,
    ):
        """``run``: the Redis run's name; ``batch``: messages per store transaction (at most 5,000)."""
        if not 1 <= batch <= 5000:  # Lua's unpack() has a stack limit of a few thousand values
            raise ValueError(f"batch must be 1 to 5000, not {batch}")
        self.server = server
        self.keys = RunKeys(run)
        self.db = Path(db)
        self.batch = batch
        self.raw_dir = Path(raw_dir) if raw_dir is not None else None
        self.processing = self.keys.ingesting(name)
        self._take = server.register_script(_TAKE)
        self.store: Store | None = None
        self.ingest: Ingest | None = None
        self.items = 0
        self.rejected = 0
        self.duplicates = 0
        self.seen: set[bytes] = set()
        import pyarrow  # noqa: F401  decodes every message: imported now, not inside the first batch (~0.2 s)

    def run(self, *, drain_only: bool = False, poll: float = 1.0) -> IngestResult:
        """Ingest until the run is complete (or, with ``drain_only``, until the item list is empty)."""
        try:
            while True:  # the first batch: what a killed ingester of this name left in its list, if anything
                taken = self._take(keys=[self.keys.items, self.processing], args=[self.batch])
                if taken:
                    self._write(taken)
                elif drain_only or self.run_complete():
                    break
                else:
                    time.sleep(poll)
        finally:
            summary = self._close()
        return IngestResult(self.items, self.rejected, self.duplicates, summary)

    def run_complete(self) -> bool:
        with self.server.pipeline() as pipe:
            pipe.exists(self.keys.finished)
            pipe.llen(self.keys.items)
            pipe.zcount(self.keys.workers, time.time(), "+inf")
            finished, queued, alive = pipe.execute()
        return bool(finished) and not queued and not alive

    def _write(self, taken: list[bytes]) -> None:
        """Write one batch in one transaction, then drop it from this ingester's list."""
        batch: list[Parsed | Failure] = []
        rejected: list[bytes] = []
        for data in taken:
            try:
                message, identity = load_message(data)
            except ValueError as exc:
                logger.error(
                    "rejected a message that is not an xxgk one (kept in %s): %s", self.keys.key("rejected"), exc
                )
                rejected.append(data)
                continue
            digest = hashlib.sha1(identity).digest()
            if digest in self.seen:  # the same document twice: a re-fetched lease of a killed worker
                self.duplicates += 1
                continue
            self.seen.add(digest)
            batch.append(message)
        if batch:
            self._keep_raw(batch)
            self._ingest_stage().write(batch)
        with self.server.pipeline() as pipe:
            if rejected:
                pipe.rpush(self.keys.key("rejected"), *rejected)
            pipe.ltrim(self.processing, len(taken), -1)
            pipe.execute()
        self.items += len(batch)
        self.rejected += len(rejected)

    def _keep_raw(self, batch: list[Parsed | Failure]) -> None:
        if self.raw_dir is None:
            return
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        for message in batch:
            if isinstance(message, Parsed) and message.body is not None and message.sha256:
                path = self.raw_dir / message.sha256
                if not path.exists():
                    part = path.with_suffix(".part")
                    part.write_bytes(message.body)
                    os.replace(part, path)

    def _ingest_stage(self) -> Ingest:
        if self.ingest is None:
            sites = sorted(s.decode() for s in self.server.smembers(self.keys.sites))
            self.store = Store(self.db)
            self.ingest = Ingest(self.store, self.store.start_run(sites))
        return self.ingest

    def _close(self) -> RunSummary | None:
        if self.ingest is None:
            return None
        assert self.store is not None
        summary = self.store.finish_run(self.ingest.run)
        self.store.close()
        return summary
