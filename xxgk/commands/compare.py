"""``xxgk compare``: a metric or cell by agency or region × year, as a table, CSV or JSON."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata

from xxgk.commands import options
from xxgk.store import Store


def configure(parser: argparse.ArgumentParser) -> None:
    from xxgk.data import filters
    from xxgk.data.compare import GROUPS, STATS

    parser.add_argument("value", nargs="?", help="a metric (公开率 or disclosure_rate …) or a cell key")
    parser.add_argument("--by", choices=GROUPS, default="agency")
    parser.add_argument("--years", help="year range of the columns, e.g. 2019-2024 (also filters)")
    parser.add_argument(
        "--stat", choices=STATS, help="what a table cell shows (default: the median of a rate by region, else the sum)"
    )
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--list", action="store_true", help="list the metrics and cell keys, then exit")
    options.add_db(parser)
    filters.add_arguments(parser)
    options.add_backend(parser)


def _width(text: str) -> int:
    """Columns a terminal gives ``text`` (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def _backend(args: argparse.Namespace):
    """The search backend, opened only for a ``--query``."""
    return options.open_backend(args) if args.query else None


def run(args: argparse.Namespace) -> int:
    from xxgk.data import facts, filters
    from xxgk.data.compare import GROUP_COLUMNS, CompareError, default_stat, pivot, value_of
    from xxgk.data.metrics import METRICS
    from xxgk.data.where import WhereError

    if args.list:
        for m in METRICS.values():
            print(f"{m.name}\t{m.label}\t{m.formula}")
        print("\n".join(facts.CELLS))
        return 0
    if not args.value:
        print("xxgk compare: name a metric or cell (xxgk compare --list shows them)", file=sys.stderr)
        return 2
    if not args.db.exists():
        print(f"xxgk compare: no store at {args.db}", file=sys.stderr)
        return 2
    try:
        value = value_of(args.value)
        args.year = args.year or args.years
        selection, where = filters.from_args(args, _backend(args))
    except (CompareError, WhereError, filters.FilterError) as exc:
        print(f"xxgk compare: {exc}", file=sys.stderr)
        return 2
    with Store(args.db) as store:
        chosen = facts.select(store, selection, where, columns=GROUP_COLUMNS[args.by], cells=value.cells, ordered=False)
        table = pivot(chosen, value, args.by)
    if args.format == "json":
        json.dump(table.to_dict(), sys.stdout, ensure_ascii=False)
        print()
        return 0
    stat = args.stat or default_stat(value, args.by)
    header = [args.by, *map(str, table.years)]
    lines = [
        [row.label, *(_number(row.years[y].get(stat)) if y in row.years else "" for y in table.years)]
        for row in table.rows
    ]
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows(lines)
        return 0
    print(f"{value.label}（{value.name}）· {stat}")
    widths = [max(_width(r[i]) for r in [header, *lines]) for i in range(len(header))]
    for row in [header, *lines]:
        print("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)))
    return 0
