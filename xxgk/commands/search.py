"""``xxgk search``: query the search index from the terminal (human-readable or ``--json``).

The options become request parameters for ``Query.from_params``, the same parser the JSON API
and the search page use, so all three accept and refuse the same values.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import sys
from dataclasses import asdict

from xxgk.commands import options
from xxgk.schema import SECTIONS

log = logging.getLogger(__name__)
# "-year" must be written --sort=-year (argparse); "year-desc" is the same without the trap.
SORTS = {"relevance": "relevance", "year": "year", "-year": "-year", "year-desc": "-year"}
SORTS |= {"published": "published", "-published": "-published", "published-desc": "-published"}
LEVELS = "province 省级, city 市级, county 县级, township 乡镇（街道）, department 部门"
HIGHLIGHT = ("\033[1;31m", "\033[0m")  # bold red in a terminal
OPTIONS = {"q": "the query", "agency_level": "--agency-level", "failed_checks": "--failed-checks"}
SHOWN_CHECKS = 3
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="?",
        default="",
        help='words to find (Simplified or Traditional), all of them; A OR B: either; "…": a phrase; empty: all',
    )
    parser.add_argument("--year", help="one year (2023) or a range (2020-2023)")
    parser.add_argument("--province", help="浙江省, or the short name 浙江")
    parser.add_argument("--city", help="宁波市, or 宁波")
    parser.add_argument("--county")
    parser.add_argument("--agency")
    parser.add_argument("--agency-level", help=f"one of: {LEVELS}")
    parser.add_argument("--format", help="table format: 2021, 2019 or unknown")
    parser.add_argument("--failed-checks", action="store_true", help="only reports failing a consistency check")
    parser.add_argument(
        "--rule", type=int, help="only reports failing this rule: 1–6 checks of the report, 7–9 across years (7: 结转)"
    )
    parser.add_argument("--section", choices=tuple(SECTIONS), help="search inside this section only")
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="CONDITION",
        help="numeric condition on cells or metrics, e.g. 'requests.new.total>=100 and review.corrected>0'"
        " (repeatable: all must hold; `xxgk compare --list` lists the names)",
    )
    parser.add_argument(
        "--sort", choices=tuple(SORTS), default="relevance", help="year-desc (or --sort=-year): newest first"
    )
    parser.add_argument("--limit", type=int, default=10, help="hits to show (at most 100)")
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--facets", action="store_true", help="show counts per year, province, … as well")
    parser.add_argument("--json", action="store_true", help="print JSON: total, hits, facets")
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="highlight matches (auto: in a terminal)"
    )
    options.add_db(parser)
    options.add_backend(parser)


def params(args: argparse.Namespace) -> dict[str, str]:
    """The options as search parameters (see ``indexer.query.PARAMS``)."""
    from indexer.query import FACETS

    given = {
        "q": args.query,
        "year": args.year,
        "province": args.province,
        "city": args.city,
        "county": args.county,
        "agency": args.agency,
        "agency_level": args.agency_level,
        "format": args.format,
        "failed_checks": "1" if args.failed_checks else None,
        "rule": None if args.rule is None else str(args.rule),
        "section": args.section,
        "where": " and ".join(f"({w})" for w in args.where) if args.where else None,
        "sort": SORTS[args.sort],
        "offset": str(args.offset),
        "limit": str(args.limit),
        "facets": ",".join(FACETS) if args.facets else None,
    }
    return {name: value for name, value in given.items() if value is not None}


def run(args: argparse.Namespace) -> int:
    from indexer.query import Query, QueryError, resolve_where
    from xxgk.store import Store

    if (args.backend == "embedded" or args.where or args.rule is not None) and not args.db.exists():
        log.error("no report store at %s (crawl or add reports into it, then run xxgk index)", args.db)
        return 2
    try:
        query = Query.from_params(params(args))
        if query.needs_store:
            with Store(args.db) as store:
                query = resolve_where(query, store)
        result = options.open_backend(args).search(query)
    except QueryError as exc:
        log.error("%s: %s", OPTIONS.get(exc.param, f"--{exc.param}"), exc)
        return 2
    except Exception as exc:  # no index yet, server down …
        log.error("search failed: %s", exc)
        return 1
    if args.json:
        print(json.dumps(as_json(result), ensure_ascii=False, indent=2))
    else:
        color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
        print_human(result, args.offset, color=color, checks=failed_checks(args, result))
    return 0


def as_json(result) -> dict:
    """The ``--json`` shape: total, hits (id, title, agency, year, region, url, snippet), facets."""
    keys = ("id", "title", "agency", "year", "region", "url", "snippet")
    hits = [{k: v for k, v in asdict(hit).items() if k in keys} for hit in result.hits]
    return {"total": result.total, "hits": hits, "facets": result.facets}


def failed_checks(args: argparse.Namespace, result) -> dict[str, list[str]]:
    """The failed checks of each hit, explained in Chinese (read from the store, when there is one)."""
    from xxgk.explain import explain_check
    from xxgk.store import Store

    if not result.hits or not args.db.exists():
        return {}
    with Store(args.db) as store:
        reports = [store.get(hit.id) for hit in result.hits]
    return {r.id: [f"规则 {c.rule}：{explain_check(c, r)}" for c in r.checks] for r in reports if r and r.checks}


def terminal(snippet_html: str, color: bool) -> str:
    """A snippet for a terminal: matches in bold red when ``color``; control characters of the
    crawled text (a planted escape sequence) are dropped."""
    start, end = HIGHLIGHT if color else ("", "")
    parts = re.split(r"(</?mark>)", snippet_html)
    marks = {"<mark>": start, "</mark>": end}
    return "".join(marks[part] if part in marks else CONTROL.sub("", html.unescape(part)) for part in parts)


def print_human(result, offset: int, *, color: bool = False, checks: dict[str, list[str]] | None = None) -> None:
    print(f"{result.total} reports")
    for number, hit in enumerate(result.hits, start=offset + 1):
        region = " ".join(filter(None, (hit.region.province, hit.region.city, hit.region.county)))
        print(f"\n{number}. {hit.title or '(untitled)'}")
        print(f"   {hit.agency or '?'} · {hit.year or '?'} · {region or '?'}")
        if hit.url:
            print(f"   {hit.url}")
        if hit.snippet:
            print(f"   {terminal(hit.snippet, color)}")
        failed = (checks or {}).get(hit.id, [])
        if failed:
            print(f"   勾稽校验未通过 {len(failed)} 项：")
            for line in failed[:SHOWN_CHECKS]:
                print(f"     {line}")
            if len(failed) > SHOWN_CHECKS:
                print(f"     …另有 {len(failed) - SHOWN_CHECKS} 项")
    for name, counts in result.facets.items():
        if counts:
            print(f"\n{name}: " + ", ".join(f"{value} {count}" for value, count in counts.items()))
