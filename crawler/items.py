"""What the spider hands to the pipeline: a fetched document, or a URL that could not be fetched."""

from __future__ import annotations

from dataclasses import dataclass, field

from xxgk.model import Region


@dataclass
class DocumentItem:
    """A fetched report document (detail page or attachment); ``status`` 304 means "not modified"."""

    url: str  # canonical URL, the report's identity
    site: str
    status: int
    body: bytes
    content_type: str | None
    filename: str | None
    etag: str | None
    last_modified: str | None
    region: Region = field(default_factory=Region)


@dataclass
class FailureItem:
    """A URL that failed for good (after retries) and why."""

    url: str
    site: str
    reason: str
