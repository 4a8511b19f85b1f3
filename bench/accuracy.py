"""Cell accuracy per layout class: exact / null / WRONG (invented), sections and year right.

Generated reports (consistent, rule-breaking and with blank cells) in every clean layout and every damaged
layout, 2019-format reports and hybrid reports (2021 format with the single old 其他处理 row) in every
layout, plus every real document in ../shared (seeds and realdocs as text,
realdocs as PDF). A cell is exact when the parse gives the truth (a blank as ``null``), null when the
parse leaves a filled cell ``null``, and WRONG when the parse gives a value the truth does not have.
Exits 1 if any cell is WRONG.

    python bench/accuracy.py [--per-layout 200] [--per-format 50] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from xxgk.generate import LAYOUTS, generate, render
from xxgk.generate.damage import DAMAGED_LAYOUTS, render_damaged
from xxgk.model import Report
from xxgk.parse import parse_document

SHARED = Path(__file__).resolve().parents[2] / "shared"
_HINT = {"pdf": "r.pdf", "docx": "r.docx", "html_grid": "r.html", "html_messy": "r.html"}


@dataclass
class Tally:
    reports: int = 0
    exact: int = 0
    null: int = 0
    wrong: int = 0
    sections: int = 0
    year: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, name: str, report: Report, tables: dict, sections: set[str] | None, year: int | None) -> None:
        self.reports += 1
        for row, cols in tables.items():
            for col, want in cols.items():
                got = report.tables.get(row, {}).get(col)
                if got == want and (got is None) == (want is None):
                    self.exact += 1
                elif got is None:
                    self.null += 1
                else:
                    self.wrong += 1
                    if len(self.examples) < 5:
                        self.examples.append(f"{name}: {row}.{col} = {got!r}, truth {want!r}")
        found = {key for key, text in report.sections.items() if text.strip()}
        self.sections += sections is None or sections <= found
        self.year += report.year == year

    def line(self, label: str) -> str:
        cells = self.exact + self.null + self.wrong
        pct = 100 * self.exact / cells if cells else 0.0
        return (
            f"{label:20} {self.reports:6} {cells:8} {self.exact:8} {pct:8.2f}% {self.null:7} {self.wrong:6}"
            f" {self.sections:5}/{self.reports:<5} {self.year:5}/{self.reports:<5}"
        )


def _truth_reports(n: int, seed: int, layout: str, table_format: str = "2021") -> list:
    out = []
    for i in range(n):
        rng = random.Random(f"{seed}|{layout}|{i}" + ("" if table_format == "2021" else f"|{table_format}"))
        violate = rng.choice((None,) * 7 + (1, 2, 3))
        out.append(generate(rng, violate=violate, blanks=i % 3 == 0, table_format=table_format))
    return out


def generated(layout: str, n: int, seed: int, table_format: str = "2021") -> Tally:
    tally = Tally()
    for i, truth in enumerate(_truth_reports(n, seed, layout, table_format)):
        if layout in DAMAGED_LAYOUTS:
            data = render_damaged(truth, layout, random.Random(f"{seed}|{i}")).encode("utf-8")
            hint = "r.txt"
        else:
            data, hint = render(truth, layout), _HINT.get(layout, "r.txt")
        report = parse_document(data, filename=hint)
        keys = {k for k, text in truth.sections.items() if text.strip()}
        tally.add(f"{layout}#{i}", report, truth.tables, keys, truth.year)
    return tally


def real() -> dict[str, Tally]:
    out: dict[str, Tally] = {}
    docs = [(p, p.with_suffix(".txt")) for p in sorted((SHARED / "seeds").glob("*.expected.json"))]
    docs = [(j, t.with_name(t.name.replace(".expected", ""))) for j, t in docs]
    for path in sorted((SHARED / "realdocs").glob("*.expected.json")):
        stem = path.name.removesuffix(".expected.json")
        docs += [(path, path.with_name(stem + ".txt")), (path, path.with_name(stem + ".pdf"))]
    for expected, doc in docs:
        if not doc.exists():
            continue
        truth = json.loads(expected.read_text(encoding="utf-8"))
        report = parse_document(doc.read_bytes(), filename=doc.name)
        label = f"real {doc.parent.name} {doc.suffix[1:]}"
        out.setdefault(label, Tally()).add(
            doc.name, report, truth["tables"], set(truth.get("sections") or []), truth.get("year")
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-layout", type=int, default=200, help="generated reports per layout")
    parser.add_argument(
        "--per-format",
        type=int,
        default=50,
        help="2019-format and hybrid reports per clean layout (damaged: --per-layout)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = time.monotonic()
    head = f"{'class':20} {'docs':>6} {'cells':>8} {'exact':>8} {'exact%':>9} {'null':>7} {'WRONG':>6}"
    print(f"{head} {'sections':>11} {'year':>11}")
    wrong = 0
    for layout in (*LAYOUTS, *DAMAGED_LAYOUTS):
        tally = generated(layout, args.per_layout, args.seed)
        kind = "damaged" if layout in DAMAGED_LAYOUTS else "clean"
        print(tally.line(f"{layout} ({kind[0]})"))
        wrong += tally.wrong
        for example in tally.examples:
            print("    WRONG", example)
    # The 2019 format and hybrid 2021-format reports that print the single old （六）其他处理 row, every layout.
    for table_format in ("2019", "hybrid"):
        for layout in (*LAYOUTS, *DAMAGED_LAYOUTS):
            n = args.per_layout if layout in DAMAGED_LAYOUTS else args.per_format  # text renders fast
            tally = generated(layout, n, args.seed, table_format)
            print(tally.line(f"{table_format} {layout}"))
            wrong += tally.wrong
            for example in tally.examples:
                print("    WRONG", example)
    for label, tally in real().items():
        print(tally.line(label))
        wrong += tally.wrong
        for example in tally.examples:
            print("    WRONG", example)
    print(f"({time.monotonic() - start:.0f} s; (c) clean, (d) damaged; sections: every true section found)")
    if wrong:
        print(f"FAIL: {wrong} invented cells", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
