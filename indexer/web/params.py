"""Turn URL query parameters into a validated ``indexer.query.Query``.

The JSON API and the search page share this parser, so both accept the same
parameters and reject the same mistakes with the same clear message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from indexer.query import FACETS, Query
from xxgk.schema import AGENCY_LEVELS, FORMATS, SECTIONS

MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_FACET_LIMIT = 1000
MAX_TEXT = 200
MIN_YEAR, MAX_YEAR = 1990, 2100
SORTS = ("relevance", "year", "-year", "published", "-published")
TEXT_FILTERS = ("province", "city", "county", "agency")
PARAMS = ("q", "year", *TEXT_FILTERS, "agency_level", "format", "failed_checks", "section", "sort", "offset", "limit")
TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no")
YEAR_RE = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$", re.ASCII)
DIGITS_RE = re.compile(r"\d{1,9}", re.ASCII)


class ParamError(ValueError):
    """A query parameter the API cannot accept; the message says which and why."""


@dataclass(frozen=True)
class Search:
    """A parsed request: the backend query plus the filter values as given (for links and forms)."""

    query: Query
    filters: dict[str, str]  # parameter name -> value as given, only those set


def parse_int(name: str, value: str, low: int, high: int) -> int:
    if not DIGITS_RE.fullmatch(value.strip()):
        raise ParamError(f"{name} must be a whole number between {low} and {high}, got {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise ParamError(f"{name} must be between {low} and {high}, got {number}")
    return number


def _choice(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ParamError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def parse_years(value: str) -> tuple[int, int]:
    """``2024`` or ``2020-2024`` → inclusive (from, to)."""
    match = YEAR_RE.match(value)
    if not match:
        raise ParamError(f"year must be YYYY or YYYY-YYYY, got {value!r}")
    low = int(match[1])
    high = int(match[2] or match[1])
    for year in (low, high):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ParamError(f"year must lie between {MIN_YEAR} and {MAX_YEAR}, got {year}")
    if low > high:
        raise ParamError(f"year range runs backwards: {value!r}")
    return low, high


def parse_facets(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    for name in names:
        _choice("facets", name, FACETS)
    return names


def parse_search(
    items: Iterable[tuple[str, str]], *, extra: Iterable[str] = ("facets",), limit: int = 20
) -> tuple[Search, dict[str, str]]:
    """Validate request parameters; returns the search and the ``extra`` parameters given.

    Unknown or repeated parameters are errors (a typo such as ``years=`` must not silently widen a search);
    empty values mean "not set", so plain HTML forms work.
    """
    extra = tuple(extra)
    given: dict[str, str] = {}
    for name, value in items:
        if name not in PARAMS and name not in extra:
            raise ParamError(f"unknown parameter {name!r}; known: {', '.join((*PARAMS, *extra))}")
        if name in given:
            raise ParamError(f"parameter {name!r} given more than once")
        given[name] = value
    rest = {k: given.pop(k) for k in extra if k in given}
    values = {k: v.strip() for k, v in given.items() if v.strip()}
    fields: dict[str, object] = {"limit": limit}
    if "q" in values:
        if len(values["q"]) > MAX_TEXT:
            raise ParamError(f"q is longer than {MAX_TEXT} characters")
        fields["text"] = values["q"]
    if "year" in values:
        fields["year_from"], fields["year_to"] = parse_years(values["year"])
    for name in TEXT_FILTERS:
        if name in values:
            if len(values[name]) > MAX_TEXT:
                raise ParamError(f"{name} is longer than {MAX_TEXT} characters")
            fields[name] = values[name]
    if "agency_level" in values:
        fields["agency_level"] = _choice("agency_level", values["agency_level"], AGENCY_LEVELS)
    if "format" in values:
        fields["format"] = _choice("format", values["format"], FORMATS)
    if "failed_checks" in values:
        flag = values["failed_checks"].lower()
        if flag not in TRUE + FALSE:
            raise ParamError(f"failed_checks must be 1 or 0, got {values['failed_checks']!r}")
        fields["failed_checks"] = flag in TRUE
        values["failed_checks"] = "1" if flag in TRUE else "0"
    if "section" in values:
        fields["section"] = _choice("section", values["section"], SECTIONS)
    if "sort" in values:
        fields["sort"] = _choice("sort", values["sort"], SORTS)
    if "offset" in values:
        fields["offset"] = parse_int("offset", values["offset"], 0, MAX_OFFSET)
    if "limit" in values:
        fields["limit"] = parse_int("limit", values["limit"], 0, MAX_LIMIT)
    return Search(Query(**fields), values), rest  # type: ignore[arg-type]
