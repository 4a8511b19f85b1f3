"""``xxgk add PATH_OR_URL…``: parse documents a user already has into the store, exactly as a crawl stores them.

Files, folders (every PDF/HTML/DOCX/text file below them) and http(s) URLs go through the same ingest stage
as a crawl (``xxgk.ingest``): same record, same versioning keyed by URL (``file://`` for a local file),
same outcomes (new / changed / unchanged / failed with the reason), one store run. Exit status 1 if any failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

from xxgk import parsers
from xxgk.commands import options

SUFFIXES = frozenset(
    {".pdf", ".html", ".htm", ".shtml", ".xhtml", ".docx", ".doc", ".wps", ".txt", ".text", ".tsv", ".md"}
)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="+",
        metavar="PATH_OR_URL",
        help="report files, folders (searched recursively for PDF/HTML/DOCX/text) or http(s) URLs",
    )
    options.add_db(parser)
    parser.add_argument("--site", default="local", help="site name stored with these reports (default: %(default)s)")
    parser.add_argument(
        "--region-hint", metavar="HINT", help='where the agency is, as "省/市/县" or a JSON object (as xxgk parse)'
    )
    parser.add_argument(
        "--parse-workers",
        type=int,
        default=parsers.WORKERS,
        help="parser processes (default: one per core; 0 parses inline)",
    )


def expand(sources: list[str]) -> Iterator[str]:
    """Each URL and file as given, and every document file below each folder, in name order."""
    for source in sources:
        path = Path(source)
        if source.startswith(("http://", "https://")) or not path.is_dir():
            yield source
            continue
        for found in sorted(path.rglob("*")):
            if found.is_file() and found.suffix.lower() in SUFFIXES:
                yield str(found)


def run(args: argparse.Namespace) -> int:
    from xxgk.commands.crawl import exit_status, format_summary
    from xxgk.commands.parse import region_hint
    from xxgk.store import Store

    try:
        hint = region_hint(args.region_hint)
    except (ValueError, TypeError) as exc:
        print(f"xxgk add: bad --region-hint: {exc}", file=sys.stderr)
        return 2
    sources = list(expand(args.sources))
    if not sources:
        print(f"xxgk add: no PDF, HTML, DOCX or text file in {' '.join(args.sources)}", file=sys.stderr)
        return 2
    with Store(args.db) as store:
        store_run = store.start_run([args.site])
        try:
            asyncio.run(add_all(store, store_run, sources, args, hint))
        finally:
            summary = store.finish_run(store_run)
    print(format_summary(summary))
    return exit_status(summary)


async def add_all(store, store_run: int, sources: list[str], args: argparse.Namespace, hint) -> None:
    from xxgk.ingest import Ingest
    from xxgk.parsers import PARSER, PRELOAD, parser

    parse = parser(min(args.parse_workers, len(sources)), PARSER, PRELOAD)
    ingest = Ingest(store, store_run, parse)
    slots = asyncio.Semaphore(max(1, 2 * args.parse_workers))

    async def add(source: str) -> None:
        async with slots:
            fetched = read(source, args.site, hint)
            outcome = ingest.failure(*fetched) if isinstance(fetched, tuple) else await ingest.document(fetched)
            print(f"{outcome.kind:9} {outcome.url}" + (f": {outcome.reason}" if outcome.reason else ""))

    try:
        await asyncio.gather(*(add(source) for source in sources))
    finally:
        parse.close()


def read(source: str, site: str, hint):
    """The fetched document, or (url, reason) when it cannot be read."""
    from crawler.canonical import canonical_url
    from xxgk.commands.parse import MAX_FETCH, read_source
    from xxgk.fetch import FetchError
    from xxgk.ingest import Fetched
    from xxgk.model import Region

    is_url = source.startswith(("http://", "https://"))
    url = canonical_url(source) if is_url else Path(source).resolve().as_uri()
    try:
        data, final, content_type, filename = read_source(source)
    except FetchError as exc:
        return url, f"cannot fetch: {exc}"
    except OSError as exc:
        return url, f"cannot read: {exc.strerror or exc}"
    if len(data) > MAX_FETCH:
        return url, f"larger than {MAX_FETCH >> 20} MB"
    if final and is_url:
        url = canonical_url(final)
    return Fetched(url, site, 200, data, content_type, filename, None, None, hint or Region())
