"""``xxgk search``: query the search index from the terminal (human-readable or ``--json``)."""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import asdict

from xxgk.commands.index import add_backend_arguments, open_from_args
from xxgk.schema import SECTIONS

log = logging.getLogger(__name__)
# "-year" must be written --sort=-year (argparse); "year-desc" is the same without the trap.
SORTS = {"relevance": "relevance", "year": "year", "-year": "-year", "year-desc": "-year"}
SORTS |= {"published": "published", "-published": "-published", "published-desc": "-published"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", nargs="?", default="", help="words to find (Simplified or Traditional); empty: all")
    parser.add_argument("--year", help="one year (2023) or a range (2020-2023)")
    parser.add_argument("--province")
    parser.add_argument("--city")
    parser.add_argument("--county")
    parser.add_argument("--agency")
    parser.add_argument("--agency-level")
    parser.add_argument("--format")
    parser.add_argument("--failed-checks", action="store_true", help="only reports failing a consistency check")
    parser.add_argument("--section", choices=tuple(SECTIONS), help="search inside this section only")
    parser.add_argument(
        "--sort", choices=tuple(SORTS), default="relevance", help="year-desc (or --sort=-year): newest first"
    )
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--facets", action="store_true", help="show counts per year, province, … as well")
    parser.add_argument("--json", action="store_true", help="print JSON: total, hits, facets")
    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from indexer.query import FACETS, Query, parse_years

    if args.backend == "embedded" and not args.db.exists():
        log.error("no report store at %s (crawl or parse into it, then run xxgk index)", args.db)
        return 2
    if args.limit < 0 or args.offset < 0:
        log.error("--limit and --offset must not be negative")
        return 2
    years: tuple[int | None, int | None] = (None, None)
    if args.year:
        try:
            years = parse_years(args.year)
        except ValueError:
            log.error("--year takes a year (2023) or a range (2020-2023), not %r", args.year)
            return 2
    query = Query(
        text=args.query,
        year_from=years[0],
        year_to=years[1],
        province=args.province,
        city=args.city,
        county=args.county,
        agency=args.agency,
        agency_level=args.agency_level,
        format=args.format,
        failed_checks=True if args.failed_checks else None,
        section=args.section,
        facets=FACETS if args.facets else (),
        sort=SORTS[args.sort],
        offset=args.offset,
        limit=args.limit,
    )
    try:
        result = open_from_args(args).search(query)
    except Exception as exc:  # no index yet, server down …
        log.error("search failed: %s", exc)
        return 1
    if args.json:
        print(json.dumps(as_json(result), ensure_ascii=False, indent=2))
    else:
        print_human(result, args.offset)
    return 0


def as_json(result) -> dict:
    """The ``--json`` shape: total, hits (id, title, agency, year, region, url, snippet), facets."""
    keys = ("id", "title", "agency", "year", "region", "url", "snippet")
    hits = [{k: v for k, v in asdict(hit).items() if k in keys} for hit in result.hits]
    return {"total": result.total, "hits": hits, "facets": result.facets}


def print_human(result, offset: int) -> None:
    from indexer.text import plain

    print(f"{result.total} reports")
    for number, hit in enumerate(result.hits, start=offset + 1):
        region = " ".join(filter(None, (hit.region.province, hit.region.city, hit.region.county)))
        print(f"\n{number}. {hit.title or '(untitled)'}")
        print(f"   {hit.agency or '?'} · {hit.year or '?'} · {region or '?'}")
        if hit.url:
            print(f"   {hit.url}")
        if hit.snippet:
            print(f"   {plain(hit.snippet)}")
    for name, counts in result.facets.items():
        if counts:
            print(f"\n{name}: " + ", ".join(f"{value} {count}" for value, count in counts.items()))
