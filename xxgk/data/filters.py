"""The filters ``xxgk export`` and ``xxgk compare`` share with search, over the store (no full-text query)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from indexer.query import parse_years
from xxgk.data.facts import Selection
from xxgk.data.where import Where, combine


class FilterError(ValueError):
    """A filter value that does not parse."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
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


def from_args(args: argparse.Namespace) -> tuple[Selection, Where | None]:
    """The selection and the combined ``--where`` of parsed command-line options (may raise ``WhereError``)."""
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
    return selection, combine(args.where)


def from_params(params: Mapping[str, str], wheres: list[str]) -> tuple[Selection, Where | None]:
    """The same from web query parameters (``year``, ``province`` … ``format``, ``failed_checks``, ``rule``)."""
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
    return selection, combine([w for w in wheres if w.strip()])
