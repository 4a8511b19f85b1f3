"""``xxgk parse PATH_OR_URL…``: parse reports and print each record (JSON) or a short summary."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from xxgk.errors import UnreadableDocument
from xxgk.explain import UNCHECKED, explain_check, explain_problem
from xxgk.fetch import FetchError, fetch
from xxgk.model import Region, Report
from xxgk.parse.kind import NOT_A_REPORT
from xxgk.parse.labels import match_label
from xxgk.schema import DECISIONS_2021, REVIEW_GROUPS

MAX_FETCH = 64 << 20


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources", nargs="+", metavar="PATH_OR_URL", help="report files (HTML, PDF, DOCX, text) or http(s) URLs"
    )
    parser.add_argument("--json", action="store_true", help="print the full record as JSON")
    parser.add_argument(
        "--region-hint",
        metavar="HINT",
        help='where the agency is, as "省/市/县" or a JSON object {"province":…, "city":…, "county":…}',
    )
    parser.add_argument(
        "--allow-private", action="store_true", help="fetch a URL on a private or link-local address too"
    )


def region_hint(value: str | None) -> Region | None:
    """Region from "省/市/县" or a JSON object; raises ValueError on anything else."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("{"):
        data = json.loads(value)
        if not isinstance(data, dict):
            raise ValueError("region hint JSON must be an object")
        return Region(**{k: data.get(k) or None for k in ("province", "city", "county", "code")})
    parts = [p.strip() or None for p in value.split("/")]
    if len(parts) > 3:
        raise ValueError("region hint has more than three parts (省/市/县)")
    return Region(*(parts + [None] * (3 - len(parts))))


def read_source(source: str, allow_private: bool = False) -> tuple[bytes, str | None, str | None, str | None]:
    """Bytes, URL, Content-Type and file name of the input."""
    if source.startswith(("http://", "https://")):
        got = fetch(source, allow_private=allow_private, limit=MAX_FETCH)
        return got.data, got.url, got.content_type, got.filename
    return Path(source).read_bytes(), None, None, Path(source).name


def summary(report: Report) -> str:
    """A few lines for people: metadata, table cell counts, failed checks and problems."""
    region = " / ".join(x for x in (report.region.province, report.region.city, report.region.county) if x)
    lines = [
        f"title:     {report.title or '-'}",
        f"agency:    {report.agency or '-'} ({report.agency_level or 'level unknown'})",
        f"year:      {report.year or '-'}    published: {report.published or '-'}",
        f"region:    {region or '-'}{f' [{report.region.code}]' if report.region.code else ''}",
        f"format:    {report.format}    source: {report.source_type}",
        f"sections:  {', '.join(report.sections) or '-'}",
    ]
    outcome = next((p for p in report.problems if p.startswith(NOT_A_REPORT)), None)
    if outcome:  # one line instead of empty tables and unchecked rules
        lines.append(f"outcome:   {outcome}")
        lines += [f"problem:   {p}" for p in report.problems if p != outcome]
        return "\n".join(lines)
    if not report.tables:
        lines.append("tables:    none found")
    for name, rows in _table_parts(report) if report.tables else ():
        cells = [v for row in rows for v in report.tables[row].values()]
        filled = sum(v is not None for v in cells)
        lines.append(f"{name}:   {filled}/{len(cells)} cells filled")
    unmapped = [label for label in report.tables_raw if match_label(label) not in report.tables]
    if unmapped:
        lines.append(f"raw rows:  {', '.join(unmapped)}")
    lines.append(f"checks:    {'all passed' if not report.checks else f'{len(report.checks)} failed'}")
    lines += [f"  规则 {c.rule}：{explain_check(c, report)}" for c in report.checks]
    unchecked: Counter[str] = Counter()
    for problem in report.problems:
        if m := UNCHECKED.match(problem):
            unchecked[m[1]] += 1
        else:
            lines.append(f"problem:   {explain_problem(problem)}")
    lines += [
        f"unchecked: 规则 {rule} 有 {n} 处因单元格空白未能校验（--json 列出每一处）"
        for rule, n in sorted(unchecked.items())
    ]
    return "\n".join(lines)


def _table_parts(report: Report) -> list[tuple[str, list[str]]]:
    """The rows of each table the report has (a 2019-format report's decisions counted once, in Table 1)."""
    old = any(row.startswith("proactive_2019.") for row in report.tables)
    table1 = [r for r in report.tables if r.startswith("proactive_2019." if old else "proactive.")]
    if old:
        table1 = [r for r in table1 if r not in DECISIONS_2021.values()]
    return [
        ("Table 1", table1),
        ("Table 2", [r for r in report.tables if r.startswith("requests.")]),
        ("Table 3", [r for r in report.tables if r in REVIEW_GROUPS]),
    ]


def run(args: argparse.Namespace) -> int:
    """Parse each source in turn (a bad one is reported and skipped); 1 if any could not be parsed."""
    status = 0
    for number, source in enumerate(args.sources):
        if len(args.sources) > 1 and not args.json:
            print(f"{chr(10) if number else ''}==> {source} <==")
        status = max(status, parse_one(args, source))
    return status


def parse_one(args: argparse.Namespace, source: str) -> int:
    from xxgk.parse import parse_document

    try:
        hint = region_hint(args.region_hint)
        data, url, content_type, filename = read_source(source, args.allow_private)
        if len(data) > MAX_FETCH:
            raise UnreadableDocument(f"download larger than {MAX_FETCH >> 20} MB")
        report = parse_document(data, url=url, content_type=content_type, filename=filename, region_hint=hint)
    except (ValueError, TypeError) as exc:
        return _fail(f"bad --region-hint: {exc}")
    except FetchError as exc:
        return _fail(f"cannot fetch {source}: {exc}")
    except (OSError, UnreadableDocument) as exc:
        return _fail(f"{source}: {exc}")
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1, allow_nan=False))
    else:
        print(summary(report))
    return 0


def _fail(message: str) -> int:
    print("xxgk parse: " + " ".join(message.split()), file=sys.stderr)
    return 1
