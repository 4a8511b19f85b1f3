"""The ingest stage, in two halves: parse a fetched document (``parse_fetched``) and write the outcome (``Ingest``).

``parse_fetched`` needs no store and no Scrapy, so it runs wherever the document was fetched: the crawl
process, or each worker of a distributed crawl. It gives a ``Parsed`` (the report as the store writes it, or why it
failed, with the raw bytes' sha256 and the fetch metadata). ``Ingest.write`` stores a batch of them in one transaction:
report, fetch state and the run's outcome per URL (keyed by canonical URL, so a re-run converges). A
document whose bytes are the stored ones is "unchanged" whatever was parsed; ``Ingest.document`` (the
single-process path) checks that first and skips parsing such a document.
"""

from __future__ import annotations

import base64
import json
import logging
import struct
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from xxgk.model import Region, Report, content_hash, report_id
from xxgk.parsers import Job, ParseFailed
from xxgk.store import FetchState, ReportRow, Store, now

logger = logging.getLogger(__name__)

Kind = Literal["new", "changed", "unchanged", "failed"]
Parse = Callable[[Job], Awaitable[Report]]


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


@dataclass
class Parsed:
    """A fetched document after parsing: what a crawl worker hands to the writer.

    ``row`` (the report as stored) is None when parsing failed (``reason`` says why), for a 304, and when
    the writer's caller already knows the bytes are the stored ones. ``body`` (the raw bytes) travels only
    when configured.
    """

    url: str
    site: str | None
    status: int
    sha256: str | None  # of the raw bytes; None for a 304
    etag: str | None
    last_modified: str | None
    row: ReportRow | None = None
    reason: str | None = None
    body: bytes | None = None

    def to_message(self) -> bytes:
        """A JSON head line (all fields but the record) and the record's JSON text after it, LZ4-compressed
        (4x smaller in Redis; ten times faster to decompress than zlib) after its length (4 bytes).

        The head is the same for every delivery of the same document (``fetched_at`` is in the record), so
        the ingester can spot a message delivered twice by it, and it stores the record text as sent.
        """
        head: dict[str, Any] = {k: getattr(self, k) for k in ("url", "site", "status", "sha256", "etag")}
        head.update(last_modified=self.last_modified, reason=self.reason)
        if self.body is not None:
            head["body"] = base64.b64encode(self.body).decode("ascii")
        record = b""
        if self.row is not None:
            head["row"] = {k: getattr(self.row, k) for k in ROW_HEAD}
            record = self.row.record
        import pyarrow  # here: its import takes a quarter of a second

        text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode() + b"\n" + record
        return _SIZE.pack(len(text)) + pyarrow.compress(text, codec="lz4", asbytes=True)

    @classmethod
    def from_message(cls, data: bytes) -> tuple[Parsed, bytes]:
        """Rebuild a ``to_message`` message, and its head (the same for each delivery of the document).

        The record stays bytes (stored as the worker wrote it), only checked to be UTF-8. Raises ValueError for
        anything else.
        """
        import pyarrow

        try:
            (size,) = _SIZE.unpack_from(data)
            if size > 255 * len(data):  # more than LZ4 can expand to: not one of these messages
                raise ValueError("not LZ4 of that length")
            text = pyarrow.decompress(data[_SIZE.size :], size, codec="lz4", asbytes=True)
            head, _, record = text.partition(b"\n")
            message = orjson.loads(head)
            row = message.pop("row", None)
            body = message.pop("body", None)
            parsed = cls(**message, body=base64.b64decode(body) if body is not None else None)
            if row is not None:
                record.decode()  # UTF-8, or the store would hold text no reader can decode (UnicodeDecodeError)
                parsed.row = ReportRow(**row, record=record)
        except (ValueError, TypeError, AttributeError, OSError, struct.error) as exc:
            raise ValueError(f"not a parsed-document message: {exc}") from exc
        if not isinstance(parsed.url, str) or not isinstance(parsed.status, int):
            raise ValueError("not a parsed-document message: url or status missing")
        if parsed.row is not None and not (parsed.row.url == parsed.url and parsed.row.record[:1] == b"{"):
            raise ValueError("not a parsed-document message: its record is not the document's")
        return parsed, head


_SIZE = struct.Struct(">I")  # a message's length uncompressed
ROW_HEAD = tuple(k for k in ReportRow.__dataclass_fields__ if k != "record")  # the row's fields in a head


@dataclass(frozen=True)
class Failure:
    """A URL that could not be fetched, and why."""

    url: str
    reason: str

    def to_message(self) -> bytes:
        return json.dumps({"failed": self.url, "reason": self.reason}, ensure_ascii=False).encode()


def load_message(data: bytes) -> tuple[Parsed | Failure, bytes]:
    """A ``Parsed`` or ``Failure`` from its ``to_message``, and the part that identifies a repeated delivery.

    Raises ValueError for anything else.
    """
    if data[:10] == b'{"failed":':
        try:
            message = json.loads(data)
            return Failure(str(message["failed"]), str(message["reason"])), data
        except (ValueError, KeyError) as exc:
            raise ValueError(f"not a failure message: {exc}") from exc
    return Parsed.from_message(data)


@dataclass(frozen=True)
class Outcome:
    """What happened to one URL in a run; ``reason`` says why it failed."""

    url: str
    kind: Kind
    reason: str | None = None


async def parse_fetched(doc: Fetched, parse: Parse, *, keep_body: bool = False) -> Parsed:
    """Parse one fetched document (a 304 is not parsed); a parser failure becomes ``Parsed.reason``."""
    parsed = Parsed(doc.url, doc.site, doc.status, None, doc.etag, doc.last_modified)
    if doc.status == 304:
        return parsed
    parsed.sha256 = content_hash(doc.body)
    if keep_body:
        parsed.body = doc.body
    try:
        report = await parse(Job(doc.body, doc.url, doc.content_type, doc.filename, doc.region))
    except ParseFailed as exc:
        logger.warning("%s: failed %s: %s", doc.site, doc.url, exc)
        parsed.reason = str(exc)
        return parsed
    report.id = report_id(doc.url)
    report.url = doc.url
    report.site = doc.site
    report.region = report.region.merged(doc.region)
    report.content_hash = parsed.sha256
    report.fetched_at = now()
    parsed.row = ReportRow.of(report)
    return parsed


class Ingest:
    """Writes parsed documents into ``store``, recording each outcome in store run ``run``."""

    def __init__(self, store: Store, run: int, parse: Parse | None = None):
        """``parse``: the parser ``document`` uses (writing ``Parsed`` outcomes needs none)."""
        self.store = store
        self.run = run
        self.parse = parse

    def failure(self, url: str, reason: str) -> Outcome:
        """Record a URL that could not be fetched."""
        return self.write([Failure(url, reason)])[0]

    async def document(self, doc: Fetched) -> Outcome:
        """Parse (unless the bytes are the stored ones), then record report, fetch state and outcome at once."""
        if doc.status != 304:
            state = self.store.fetch_state(doc.url)
            digest = content_hash(doc.body)
            if state is not None and state.content_hash == digest and self.store.has(report_id(doc.url)):
                return self.write([Parsed(doc.url, doc.site, doc.status, digest, doc.etag, doc.last_modified)])[0]
        assert self.parse is not None, "Ingest.document needs a parser"
        return self.write([await parse_fetched(doc, self.parse)])[0]

    def write(self, batch: Sequence[Parsed | Failure]) -> list[Outcome]:
        """Store a batch in one transaction (all or nothing); returns each one's outcome, in order.

        Outcomes and records are those of writing the batch one by one: the fetch state and stored ids of its
        URLs are read once and kept current as the batch goes (a URL may come twice), then the reports, fetch
        states and run events are written with one statement each (``Store.save_many``).
        """
        store, stamp = self.store, now()
        with store.transaction():
            urls = {item.url for item in batch if isinstance(item, Parsed)}
            states = store.fetch_states(urls)
            held = store.held(map(report_id, urls))
            outcomes: list[Outcome] = []
            fetches: list[FetchState] = []
            saves: list[tuple[int, ReportRow]] = []  # (index in outcomes, row)
            for item in batch:
                if isinstance(item, Failure):
                    outcomes.append(Outcome(item.url, "failed", item.reason))
                    continue
                state = states.get(item.url)
                outcome = Outcome(item.url, "unchanged")
                if item.status == 304:
                    if state is None or report_id(item.url) not in held:
                        outcomes.append(Outcome(item.url, "failed", "HTTP 304 for a document the store does not hold"))
                        continue
                    etag, modified = item.etag or state.etag, item.last_modified or state.last_modified
                    fetch = FetchState(item.url, etag, modified, state.content_hash, 304, stamp)
                elif item.reason is not None:
                    fetch = FetchState(item.url, None, None, None, item.status, stamp)
                    outcome = Outcome(item.url, "failed", item.reason)
                else:
                    fetch = FetchState(item.url, item.etag, item.last_modified, item.sha256, item.status, stamp)
                    if state is None or state.content_hash != item.sha256 or report_id(item.url) not in held:
                        if item.row is None:
                            raise ValueError(f"{item.url}: new bytes but no report to store")
                        saves.append((len(outcomes), item.row))  # its outcome is save_many's
                        held.add(item.row.id)
                states[item.url] = fetch
                fetches.append(fetch)
                outcomes.append(outcome)
            kinds = store.save_many([row for _, row in saves])
            for (index, _), kind in zip(saves, kinds, strict=True):
                outcomes[index] = Outcome(outcomes[index].url, kind)
            store.record_fetches(fetches)
            store.record_events(self.run, [(o.url, o.kind, o.reason) for o in outcomes])
        return outcomes
