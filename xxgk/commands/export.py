"""``xxgk export``: the stored reports as tidy data (CSV, Parquet, XLSX, JSON lines; wide or long).

``--shape records`` (the default for jsonl) writes every full record (``Report.to_dict()``), one per
line. The filters are search's: ``--query`` is asked of the search index, the others of the store.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import TextIO

from xxgk.commands import options
from xxgk.store import Store


def configure(parser: argparse.ArgumentParser) -> None:
    from xxgk.data import filters

    options.add_db(parser)
    parser.add_argument("--format", choices=["csv", "parquet", "xlsx", "jsonl"], default="jsonl")
    parser.add_argument(
        "--shape",
        choices=["wide", "long", "records"],
        help="wide: a row per report; long: a row per report × cell; records: full JSON records"
        " (default: records for jsonl, wide otherwise)",
    )
    parser.add_argument("--output", type=Path, help="write here instead of standard output")
    filters.add_arguments(parser)
    options.add_backend(parser)


def export_jsonl(store: Store, out: TextIO, ids: set[str] | None = None) -> int:
    """Write every current report (or those in ``ids``), ordered by URL; returns how many."""
    count = 0
    for report in store.reports():
        if ids is None or report.id in ids:
            out.write(report.to_json() + "\n")
            count += 1
    return count


def _backend(args: argparse.Namespace):
    """The search backend, opened only for a ``--query``."""
    return options.open_backend(args) if args.query else None


def run(args: argparse.Namespace) -> int:
    from xxgk.data import export, facts, filters
    from xxgk.data.where import WhereError

    if not args.db.exists():
        print(f"xxgk export: no store at {args.db}", file=sys.stderr)
        return 2
    shape = args.shape or ("records" if args.format == "jsonl" else "wide")
    if shape == "records" and args.format != "jsonl":
        print("xxgk export: --shape records needs --format jsonl", file=sys.stderr)
        return 2
    try:
        selection, where = filters.from_args(args, _backend(args))
    except (WhereError, filters.FilterError) as exc:
        print(f"xxgk export: {exc}", file=sys.stderr)
        return 2
    everything = selection == facts.Selection() and where is None
    with Store(args.db) as store:
        if args.output is not None:
            args.output.parent.mkdir(parents=True, exist_ok=True)
        if shape == "records":
            ids = None if everything else set(facts.select(store, selection, where).columns["id"])
            if args.output is None:
                count = export_jsonl(store, sys.stdout, ids)
            else:
                with args.output.open("w", encoding="utf-8") as out:
                    count = export_jsonl(store, out, ids)
        else:
            chosen = facts.select(store, selection, where)
            table = export.wide_table(chosen) if shape == "wide" else export.long_table(store, chosen)
            count = len(chosen)
            try:
                if args.output is not None:
                    export.write(table, args.format, args.output)
                else:
                    buffer = io.BytesIO()
                    export.write(table, args.format, buffer)
                    sys.stdout.flush()
                    sys.stdout.buffer.write(buffer.getvalue())
            except ValueError as exc:
                print(f"xxgk export: {exc}", file=sys.stderr)
                return 2
    if args.output is not None:
        print(f"exported {count} reports to {args.output}", file=sys.stderr)
    return 0
