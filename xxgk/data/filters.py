"""The filters ``xxgk export``, ``xxgk compare`` and the 数据 pages share with search, over the store.

A full-text query (``--query``, ``q=``) is asked of the search backend, in pages, and becomes the set of
report ids the selection keeps; the other filters are the store's own columns.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import replace

from indexer.query import MAX_LIMIT, MAX_OFFSET, Backend, Query, QueryError, parse_years
from xxgk.data.facts import Selection
from xxgk.data.where import Where, combine


class FilterError(ValueError):
    """A filter value that does not parse."""


TEXT_MATCHES = MAX_OFFSET + MAX_LIMIT  # the most reports a full-text query may select (the backend's paging bound)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--query", "-q", help='full-text query, as xxgk search takes it (A OR B, "phrase"); needs the index'
    )
    parser.add_argument("--year", help="one year (2023) or a range (2020-2023)")
    parser.add_argument("--province")
    parser.add_argument("--city")
    parser.add_argument("--county")
    parser.add_argument("--agency")
    parser.add_argument("--agency-level")
    parser.add_argument("--table-format", choices=("2021", "2019", "unknown"), help="the report's table format")
    parser.add_argument("--site")
    parser.add_argument("--failed-checks", action="store_true", help="only reports failing one of rules 1–6")
    parser.add_argument(
        "--rule", type=int, action="append", default=[], help="only reports failing this rule (1–9; repeatable)"
    )
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        help="a numeric condition, e.g. 'requests.new.total>=100 and review.corrected>0' (repeatable: all hold)",
    )


def years(spec: str | None) -> tuple[int, int] | None:
    if not spec:
        return None
    try:
        return parse_years(spec)
    except ValueError:
        raise FilterError(f"a year (2023) or a range (2020-2023), not {spec!r}") from None


def text_ids(backend: Backend, text: str, selection: Selection) -> tuple[str, ...]:
    """The reports the search backend finds for ``text`` within ``selection``'s year, region, level and format."""
    try:
        query = Query.from_params({"q": text})
    except QueryError as exc:
        raise FilterError(f"query: {exc}") from None
    low, high = selection.years or (None, None)
    query = replace(
        query,
        year_from=low,
        year_to=high,
        province=selection.province,
        city=selection.city,
        county=selection.county,
        agency_level=selection.agency_level,
        format=selection.format,
        sort="year",  # a stable order to page through
        limit=MAX_LIMIT,
    )
    ids: list[str] = []
    while True:
        try:
            result = backend.search(replace(query, offset=len(ids)))
        except Exception as exc:  # no index yet, server down …
            raise FilterError(f"the full-text query needs the search index, which failed: {exc}") from exc
        if result.total > TEXT_MATCHES:
            raise FilterError(
                f"the query {text!r} matches {result.total} reports, more than {TEXT_MATCHES}; narrow it with filters"
            )
        ids += [hit.id for hit in result.hits]
        if not result.hits or len(ids) >= result.total:
            return tuple(ids)


def from_args(args: argparse.Namespace, backend: Backend | None = None) -> tuple[Selection, Where | None]:
    """The selection and the combined ``--where`` of parsed command-line options (may raise ``WhereError``);
    ``backend`` answers a ``--query``."""
    selection = Selection(
        years=years(args.year),
        province=args.province,
        city=args.city,
        county=args.county,
        agency=args.agency,
        agency_level=args.agency_level,
        format=args.table_format,
        site=args.site,
        failed_checks=True if args.failed_checks else None,
        rules=tuple(args.rule),
    )
    where = combine(args.where)
    return _with_text(selection, args.query, backend), where


def from_params(
    params: Mapping[str, str], wheres: list[str], backend: Backend | None = None
) -> tuple[Selection, Where | None]:
    """The same from web query parameters (``q``, ``year``, ``province`` … ``format``, ``failed_checks``, ``rule``)."""
    rule = params.get("rule")
    if rule and not rule.isdigit():
        raise FilterError(f"rule must be a number 1–9, not {rule!r}")
    selection = Selection(
        years=years(params.get("year")),
        province=params.get("province") or None,
        city=params.get("city") or None,
        county=params.get("county") or None,
        agency=params.get("agency") or None,
        agency_level=params.get("agency_level") or None,
        format=params.get("format") or None,
        failed_checks=True if params.get("failed_checks") in ("1", "true") else None,
        rules=(int(rule),) if rule else (),
    )
    where = combine([w for w in wheres if w.strip()])
    return _with_text(selection, (params.get("q") or "").strip() or None, backend), where


def _with_text(selection: Selection, text: str | None, backend: Backend | None) -> Selection:
    if not text:
        return selection
    if backend is None:
        raise FilterError("a full-text query needs the search index (run xxgk index)")
    return replace(selection, ids=text_ids(backend, text, selection))
