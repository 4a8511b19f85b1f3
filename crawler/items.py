"""What the spider hands to the pipeline: a fetched document, or a URL that could not be fetched."""

from __future__ import annotations

from dataclasses import dataclass

from xxgk.ingest import Fetched


@dataclass
class DocumentItem(Fetched):
    """A fetched report document (detail page or attachment), as the ingest stage takes it."""


@dataclass
class FailureItem:
    """A URL that failed for good (after retries) and why."""

    url: str
    site: str
    reason: str
