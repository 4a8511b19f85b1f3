"""The ingest stage: one fetched document (bytes + metadata) → parsed and stored, with a typed outcome.

Every way in calls it: the Scrapy pipeline of a crawl, the ingester of a distributed crawl and
``xxgk add``. It parses only when the bytes differ from the stored ones, then writes report, fetch
state and the run's outcome in one transaction (keyed by canonical URL, so a re-run converges).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from xxgk.model import Region, Report, content_hash, report_id
from xxgk.parsers import Job, ParseFailed, Parser
from xxgk.store import Store, now

logger = logging.getLogger(__name__)

Kind = Literal["new", "changed", "unchanged", "failed"]


@dataclass
class Fetched:
    """A fetched document; ``status`` 304 means "not modified" (the body is then empty)."""

    url: str  # canonical URL, the report's identity
    site: str | None
    status: int
    body: bytes
    content_type: str | None
    filename: str | None
    etag: str | None
    last_modified: str | None
    region: Region = field(default_factory=Region)


@dataclass(frozen=True)
class Outcome:
    """What happened to one URL in a run; ``reason`` says why it failed."""

    url: str
    kind: Kind
    reason: str | None = None


class Ingest:
    """Parse-and-store into ``store``, recording each outcome in store run ``run``."""

    def __init__(self, store: Store, run: int, parse: Parser):
        self.store = store
        self.run = run
        self.parse = parse

    def failure(self, url: str, reason: str) -> Outcome:
        """Record a URL that could not be fetched."""
        return self._record(Outcome(url, "failed", reason))

    async def document(self, doc: Fetched) -> Outcome:
        """Parse (unless the bytes are the stored ones), then record report, fetch state and outcome at once."""
        if doc.status == 304:
            return self._not_modified(doc)
        store = self.store
        digest = content_hash(doc.body)
        state = store.fetch_state(doc.url)
        report: Report | None = None  # None: same bytes as last time, no need to parse again
        if state is None or state.content_hash != digest or not store.has(report_id(doc.url)):
            try:  # no transaction is open across this wait
                report = await self.parse(Job(doc.body, doc.url, doc.content_type, doc.filename, doc.region))
            except ParseFailed as exc:
                logger.warning("%s: failed %s: %s", doc.site, doc.url, exc)
                with store.transaction():
                    store.record_fetch(doc.url, status=doc.status, etag=None, last_modified=None, content_hash=None)
                    return self._record(Outcome(doc.url, "failed", str(exc)))
        with store.transaction():
            kind: Kind = "unchanged"
            if report is not None:
                report.id = report_id(doc.url)
                report.url = doc.url
                report.site = doc.site
                report.region = report.region.merged(doc.region)
                report.fetched_at = now()
                report.content_hash = digest
                kind = store.save(report)
            store.record_fetch(
                doc.url, status=doc.status, etag=doc.etag, last_modified=doc.last_modified, content_hash=digest
            )
            return self._record(Outcome(doc.url, kind))

    def _not_modified(self, doc: Fetched) -> Outcome:
        store = self.store
        with store.transaction():
            state = store.fetch_state(doc.url)
            if state is None or not store.has(report_id(doc.url)):
                return self._record(Outcome(doc.url, "failed", "HTTP 304 for a document the store does not hold"))
            store.record_fetch(
                doc.url,
                status=304,
                etag=doc.etag or state.etag,
                last_modified=doc.last_modified or state.last_modified,
                content_hash=state.content_hash,
            )
            return self._record(Outcome(doc.url, "unchanged"))

    def _record(self, outcome: Outcome) -> Outcome:
        self.store.record_event(self.run, outcome.url, outcome.kind, outcome.reason)
        return outcome
