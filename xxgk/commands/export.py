"""``xxgk export``: every stored report record, one JSON object per line (``Report.to_dict()``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from xxgk.store import Store


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=Path("data/xxgk.db"), help="SQLite store (default: %(default)s)")
    parser.add_argument("--format", choices=["jsonl"], default="jsonl")
    parser.add_argument("--output", type=Path, help="write here instead of standard output")


def export_jsonl(store: Store, out: TextIO) -> int:
    """Write every current report, ordered by URL; returns how many."""
    count = 0
    for report in store.reports():
        out.write(report.to_json() + "\n")
        count += 1
    return count


def run(args: argparse.Namespace) -> int:
    if not args.db.exists():
        print(f"xxgk export: no store at {args.db}", file=sys.stderr)
        return 2
    with Store(args.db) as store:
        if args.output is None:
            export_jsonl(store, sys.stdout)
        else:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            with args.output.open("w", encoding="utf-8") as out:
                count = export_jsonl(store, out)
            print(f"exported {count} reports to {args.output}", file=sys.stderr)
    return 0
