"""Keep a search backend in step with the store (the store is the source of truth)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from indexer.query import Backend
from xxgk.model import Report
from xxgk.store import Store

log = logging.getLogger(__name__)
BATCH = 5000  # reports per backend commit (Meilisearch splits further into tasks of BATCH_DOCS)


@dataclass(frozen=True)
class SyncResult:
    backend: str
    indexed: int  # reports pushed (and marked indexed) in this run
    rebuilt: bool


def sync(store: Store, backend: Backend, *, rebuild: bool = False, batch: int = BATCH) -> SyncResult:
    """Push what ``backend`` lacks; a report is marked indexed only after the backend accepted it.

    ``rebuild`` writes a fresh index from the whole store and swaps it in; the
    bookkeeping is replaced only once the new index is live.
    """
    if rebuild:
        pushed: list[Report] = []
        backend.rebuild(_remember(store.reports(), pushed))
        store.forget_index(backend.name)
        store.mark_indexed(backend.name, pushed)
        log.info("rebuilt %s index with %d reports", backend.name, len(pushed))
        return SyncResult(backend.name, len(pushed), rebuilt=True)
    if backend.count() == 0:
        store.forget_index(backend.name)  # an empty index holds nothing, whatever the bookkeeping says
    total = 0
    while True:
        pending = store.pending(backend.name)
        reports = list(islice(pending, batch))
        pending.close()
        if not reports:
            break
        backend.add(reports)
        store.mark_indexed(backend.name, reports)
        total += len(reports)
        log.info("indexed %d reports into %s", total, backend.name)
    return SyncResult(backend.name, total, rebuilt=False)


def _remember(reports: Iterator[Report], pushed: list[Report]) -> Iterator[Report]:
    """Pass reports through, keeping just (id, content_hash) of each for the bookkeeping."""
    for report in reports:
        pushed.append(Report(id=report.id, content_hash=report.content_hash))
        yield report
