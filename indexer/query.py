"""One query model for every search backend and every front end (CLI, JSON API, web page).

``Query.from_params`` is the only place where request parameters become a query: the
CLI, the JSON API and the search page all call it, so all three accept the same values
(Chinese agency levels, short place names) and reject the same mistakes with a
``QueryError`` naming the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, Protocol

from xxgk.model import Region, Report
from xxgk.schema import AGENCY_LEVELS, FORMATS, SECTIONS

if TYPE_CHECKING:
    from xxgk.store import Store

FACETS = ("year", "province", "city", "county", "agency", "agency_level", "format", "failed_checks")
Sort = Literal["relevance", "year", "-year", "published", "-published"]
SORTS: tuple[Sort, ...] = ("relevance", "year", "-year", "published", "-published")
LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇（街道）", "department": "部门"}
# Every spelling of an agency level a user may type → its key.
LEVEL_NAMES = {
    **{key: key for key in AGENCY_LEVELS},
    **{label: key for key, label in LEVEL_LABELS.items()},
    **{"省": "province", "市": "city", "县": "county", "区县": "county", "县区": "county"},
    **{"乡镇": "township", "乡": "township", "镇": "township", "街道": "township", "乡级": "township"},
}
REGION_FILTERS = ("province", "city", "county")
TEXT_FILTERS = (*REGION_FILTERS, "agency")
FILTERS = ("year", *TEXT_FILTERS, "agency_level", "format", "failed_checks", "rule", "section")
PARAMS = ("q", *FILTERS, "where", "sort", "offset", "limit", "facets", "facet_limit")
MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_FACET_LIMIT = 1000
MAX_TEXT = 200
MIN_YEAR, MAX_YEAR = 1990, 2100
MAX_RULE = 9  # rules 1–6 check one report, 7–9 consecutive years (``xxgk.data.audit``)
TRUE, FALSE = ("1", "true", "yes"), ("0", "false", "no")
_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?$", re.ASCII)
_DIGITS = re.compile(r"\d{1,9}", re.ASCII)


class QueryError(ValueError):
    """A search parameter that cannot be accepted: ``param`` names it, the message says why
    (in English, for the API and logs), ``chinese`` the same for the search page."""

    def __init__(self, param: str, message: str, chinese: str):
        super().__init__(message)
        self.param = param
        self.chinese = chinese


@dataclass(frozen=True)
class Query:
    """A search: free text plus filters; every filter given must hold.

    ``text`` is read with a small grammar of its own (``indexer.text.query_terms``):
    words separated by spaces must all occur, ``A OR B`` needs either, ``"…"`` keeps a
    phrase together; nothing of it ever reaches a backend's query parser. Blank text
    matches every report, text without any searchable character matches none.
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
    rule: int | None = None  # only reports failing this rule: 1–6 their own checks, 7–9 across years (the store's)
    section: str | None = None  # search inside one section key only
    where: str | None = None  # a numeric condition on cells and metrics (``xxgk.data.where`` grammar)
    ids: frozenset[str] | None = None  # only these reports: what ``where`` and ``rule`` matched (``resolve_where``)
    facets: tuple[str, ...] = ()  # names from FACETS; failed_checks counts under "true"/"false"
    facet_limit: int | None = None  # most frequent values per facet; None: every value (top ones only for agency)
    sort: Sort = "relevance"  # "-" prefix: descending
    offset: int = 0
    limit: int = 20

    @classmethod
    def from_params(
        cls, params: Mapping[str, str] | Iterable[tuple[str, str]], *, allowed: Iterable[str] = PARAMS, limit: int = 20
    ) -> Query:
        """Validate request parameters (``q``, ``year``, ``province`` …, see ``PARAMS``) into a query.

        Unknown or repeated parameters are errors (a typo such as ``years=`` must not silently
        widen a search); empty values mean "not set", so plain HTML forms work.
        """
        allowed = tuple(allowed)
        given: dict[str, str] = {}
        for name, value in params.items() if isinstance(params, Mapping) else params:
            if name not in allowed:
                raise QueryError(
                    name, f"unknown parameter {name!r}; known: {', '.join(allowed)}", f"不认识的参数 {name}"
                )
            if name in given:
                raise QueryError(name, f"parameter {name!r} given more than once", f"参数 {name} 重复出现")
            given[name] = value
        values = {k: v.strip() for k, v in given.items() if v.strip()}
        out: dict[str, Any] = {"limit": limit}
        for name, value in values.items():
            out.update(_PARSERS[name](value))
        return cls(**out)

    def to_params(self, *, limit: int = 20) -> dict[str, str]:
        """The request parameters that give this query back (facets aside); defaults are left out."""
        params = {"q": self.text.strip()} if self.text.strip() else {}
        if self.year_from is not None and self.year_to is not None:
            same = self.year_from == self.year_to
            params["year"] = str(self.year_from) if same else f"{self.year_from}-{self.year_to}"
        for name in (*TEXT_FILTERS, "agency_level", "format", "section"):
            if getattr(self, name) is not None:
                params[name] = getattr(self, name)
        if self.failed_checks is not None:
            params["failed_checks"] = "1" if self.failed_checks else "0"
        if self.rule is not None:
            params["rule"] = str(self.rule)
        if self.where is not None:
            params["where"] = self.where
        if self.sort != "relevance":
            params["sort"] = self.sort
        if self.offset:
            params["offset"] = str(self.offset)
        if self.limit != limit:
            params["limit"] = str(self.limit)
        return params

    @property
    def needs_store(self) -> bool:
        """Whether ``resolve_where`` must read the store (a ``where`` or a ``rule``) before a backend can search."""
        return self.where is not None or self.rule is not None


def parse_years(value: str) -> tuple[int, int]:
    """``2024`` or ``2020-2024`` → inclusive (from, to); anything else raises ``QueryError``."""
    match = _YEARS.match(value)
    if not match:
        raise QueryError(
            "year",
            f"year must be YYYY or YYYY-YYYY, got {value!r}",
            f"年度应为 2023 或 2020-2023 这样的写法，而不是“{value}”",
        )
    low, high = int(match[1]), int(match[2] or match[1])
    for year in (low, high):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise QueryError(
                "year",
                f"year must lie between {MIN_YEAR} and {MAX_YEAR}, got {year}",
                f"年度应在 {MIN_YEAR} 至 {MAX_YEAR} 之间，而不是 {year}",
            )
    if low > high:
        raise QueryError("year", f"year range runs backwards: {value!r}", f"年度范围“{value}”起止颠倒")
    return low, high


def parse_int(name: str, value: str, low: int, high: int) -> int:
    chinese = f"参数 {name} 应为 {low} 至 {high} 之间的整数，而不是“{value}”"
    if not _DIGITS.fullmatch(value.strip()):
        raise QueryError(name, f"{name} must be a whole number between {low} and {high}, got {value!r}", chinese)
    number = int(value)
    if not low <= number <= high:
        raise QueryError(name, f"{name} must be between {low} and {high}, got {number}", chinese)
    return number


def parse_level(value: str) -> str:
    """An agency level key from its key or Chinese name (县级 → county)."""
    key = LEVEL_NAMES.get(value) or LEVEL_NAMES.get(value.lower())
    if key is None:
        names = ", ".join(f"{key} ({label})" for key, label in LEVEL_LABELS.items())
        chinese = f"机构层级应为{'、'.join(LEVEL_LABELS.values())}之一，而不是“{value}”"
        raise QueryError("agency_level", f"agency_level must be one of {names}; got {value!r}", chinese)
    return key


def place_name(level: str, value: str) -> str:
    """The gazetteer's full name for a short place name at ``level`` (浙江 → 浙江省, 宁波 → 宁波市).

    A name the gazetteer knows, or one that fits several of its names, is kept as given.
    """
    names = _place_names()[level]
    if value in names or len(value) < 2:
        return value
    matches = [name for name in names if name.startswith(value)]
    return matches[0] if len(matches) == 1 else value


@cache
def _place_names() -> dict[str, frozenset[str]]:
    from xxgk.parse.region import gazetteer

    by_level: dict[str, set[str]] = {level: set() for level in REGION_FILTERS}
    for name, places in gazetteer().by_name.items():
        for place in places:
            by_level["county" if place.county else "city" if place.city else "province"].add(name)
    return {level: frozenset(names) for level, names in by_level.items()}


def _choice(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        chinese = f"参数 {name} 应为 {'、'.join(allowed)} 之一，而不是“{value}”"
        raise QueryError(name, f"{name} must be one of {', '.join(allowed)}; got {value!r}", chinese)
    return value


def _text(name: str, value: str) -> str:
    if len(value) > MAX_TEXT:
        raise QueryError(name, f"{name} is longer than {MAX_TEXT} characters", f"参数 {name} 超过 {MAX_TEXT} 个字符")
    return value


def _flag(value: str) -> bool:
    if value.lower() not in TRUE + FALSE:
        raise QueryError(
            "failed_checks",
            f"failed_checks must be 1 or 0, got {value!r}",
            f"failed_checks 应为 1 或 0，而不是“{value}”",
        )
    return value.lower() in TRUE


def _facets(value: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    for name in names:
        _choice("facets", name, FACETS)
    return names


def _where(value: str) -> str:
    """A ``where`` condition, checked against the grammar (the error names the valid keys)."""
    from xxgk.data.where import WhereError, parse_where

    try:
        parse_where(value)
    except WhereError as exc:
        raise QueryError("where", str(exc), f"数值条件有误：{exc}") from exc
    return value


def resolve_where(query: Query, store: Store) -> Query:
    """``query`` restricted to the stored reports its ``where`` condition and ``rule`` match (unchanged
    without either): the numbers and the cross-year checks live in the store, not in the index."""
    if not query.needs_store:
        return query
    from xxgk.data.facts import Selection, load
    from xxgk.data.where import matching_ids, parse_where

    selection = Selection(rules=() if query.rule is None else (query.rule,))
    if query.where is not None:
        ids = matching_ids(store, parse_where(query.where), selection)
    else:
        ids = load(store, selection, columns=("id",), cells=(), ordered=False).columns["id"]
    found = frozenset(ids)
    return replace(query, ids=found if query.ids is None else found & query.ids)


def _region(level: str):
    return lambda v: {level: place_name(level, _text(level, v))}


_PARSERS = {
    "q": lambda v: {"text": _text("q", v)},
    "year": lambda v: dict(zip(("year_from", "year_to"), parse_years(v), strict=True)),
    **{level: _region(level) for level in REGION_FILTERS},
    "agency": lambda v: {"agency": _text("agency", v)},
    "agency_level": lambda v: {"agency_level": parse_level(v)},
    "format": lambda v: {"format": _choice("format", v, FORMATS)},
    "failed_checks": lambda v: {"failed_checks": _flag(v)},
    "rule": lambda v: {"rule": parse_int("rule", v, 1, MAX_RULE)},
    "section": lambda v: {"section": _choice("section", v, SECTIONS)},
    "where": lambda v: {"where": _where(v)},
    "sort": lambda v: {"sort": _choice("sort", v, SORTS)},
    "offset": lambda v: {"offset": parse_int("offset", v, 0, MAX_OFFSET)},
    "limit": lambda v: {"limit": parse_int("limit", v, 0, MAX_LIMIT)},
    "facets": lambda v: {"facets": _facets(v)},
    "facet_limit": lambda v: {"facet_limit": parse_int("facet_limit", v, 1, MAX_FACET_LIMIT)},
}


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


def failed_value(failed_checks: int) -> str:
    """The facet value of a report's failed-check count."""
    return "true" if failed_checks else "false"
