"""One query model for every search backend (embedded and Meilisearch)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from xxgk.model import Region, Report

FACETS = ("year", "province", "city", "county", "agency", "agency_level", "format", "failed_checks")
Sort = Literal["relevance", "year", "-year", "published", "-published"]


@dataclass(frozen=True)
class Query:
    """A search: free text plus filters; every filter given must hold.

    ``text`` is never parsed as query syntax: it is split at whitespace into words,
    each must occur (Simplified or Traditional, also inside longer words); blank
    text matches every report, text without any searchable character matches none.
    """

    text: str = ""
    year_from: int | None = None
    year_to: int | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    agency: str | None = None
    agency_level: str | None = None
    format: str | None = None
    failed_checks: bool | None = None  # True: only reports with failed checks
    section: str | None = None  # search inside one section key only
    facets: tuple[str, ...] = ()  # names from FACETS; failed_checks counts under "true"/"false"
    facet_limit: int | None = None  # most frequent values per facet; None: every value
    sort: Sort = "relevance"  # "-" prefix: descending
    offset: int = 0
    limit: int = 20


@dataclass
class Hit:
    id: str
    title: str | None
    agency: str | None
    year: int | None
    region: Region
    url: str | None
    snippet: str  # HTML-escaped text with <mark>…</mark> around matches
    score: float = 0.0


@dataclass
class SearchResult:
    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class Backend(Protocol):
    """What every index backend offers; the store stays the source of truth."""

    name: str

    def add(self, reports: list[Report]) -> None: ...

    def delete(self, ids: list[str]) -> None: ...

    def search(self, query: Query) -> SearchResult: ...

    def rebuild(self, reports: Iterable[Report]) -> None: ...

    def count(self) -> int: ...


def parse_years(spec: str) -> tuple[int, int]:
    """``"2023"`` → (2023, 2023); ``"2020-2023"`` → (2020, 2023); anything else raises ValueError."""
    first, sep, last = spec.strip().partition("-")
    low, high = int(first), int(last if sep else first)
    if low > high:
        raise ValueError(f"year range {spec!r} runs backwards")
    return low, high


def failed_value(failed_checks: int) -> str:
    """The facet value of a report's failed-check count."""
    return "true" if failed_checks else "false"
