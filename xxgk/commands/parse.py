"""``xxgk parse PATH_OR_URL``: parse one report and print its record (JSON) or a short summary."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from xxgk.errors import UnreadableDocument
from xxgk.fetch import FetchError, fetch
from xxgk.model import Region, Report
from xxgk.schema import PROACTIVE_ROWS, REQUEST_ROWS, REVIEW_GROUPS

MAX_FETCH = 64 << 20
TABLE_PARTS = (("Table 1", PROACTIVE_ROWS), ("Table 2", REQUEST_ROWS), ("Table 3", REVIEW_GROUPS))


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="PATH_OR_URL", help="report file (HTML, PDF, DOCX, text) or http(s) URL")
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
    for name, rows in TABLE_PARTS:
        cells = [v for row in rows for v in report.tables.get(row, {}).values()]
        filled = sum(v is not None for v in cells)
        lines.append(f"{name}:   {filled}/{len(cells)} cells filled")
    if report.tables_raw:
        lines.append(f"raw rows:  {', '.join(report.tables_raw)}")
    lines.append(f"checks:    {'all passed' if not report.checks else f'{len(report.checks)} failed'}")
    lines += [f"  rule {c.rule}: {c.message}" for c in report.checks]
    lines += [f"problem:   {p}" for p in report.problems]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from xxgk.parse import parse_document

    try:
        hint = region_hint(args.region_hint)
        data, url, content_type, filename = read_source(args.source, args.allow_private)
        if len(data) > MAX_FETCH:
            raise UnreadableDocument(f"download larger than {MAX_FETCH >> 20} MB")
        report = parse_document(data, url=url, content_type=content_type, filename=filename, region_hint=hint)
    except (ValueError, TypeError) as exc:
        return _fail(f"bad --region-hint: {exc}")
    except FetchError as exc:
        return _fail(f"cannot fetch {args.source}: {exc}")
    except (OSError, UnreadableDocument) as exc:
        return _fail(f"{args.source}: {exc}")
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(summary(report))
    return 0


def _fail(message: str) -> int:
    print("xxgk parse: " + " ".join(message.split()), file=sys.stderr)
    return 1
