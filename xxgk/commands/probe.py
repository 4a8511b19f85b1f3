"""``xxgk probe URL``: what the crawler would find on a portal, in seconds, storing nothing.

Prints the list pages found and how, the pagination with its page count, every candidate link with
the detector's verdict and reason, and a ready config entry for ``xxgk crawl``.
"""

from __future__ import annotations

import argparse
import json

import yaml

_VERDICTS = ("report", "column", "disallowed", "not a report")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", help="a report column's list page, a JSON list endpoint or a sitemap")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    parser.add_argument("--max-pages", type=int, default=30, help="list pages to fetch at most (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default: %(default)s)")


def config_yaml(entry: dict, site_name: str) -> str:
    """The entry as a ``sites:`` list item, the site's Chinese name in a comment."""
    text = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    return f"# {site_name}\n{text}" if site_name and site_name != entry["name"] else text


def run(args: argparse.Namespace) -> int:
    from crawler.probe import probe

    result = probe(args.url, max_pages=args.max_pages, timeout=args.timeout)
    if args.json:
        print(
            json.dumps(
                {**result.to_dict(), "config_yaml": config_yaml(result.config, result.site_name)},
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"probe {result.url} ({result.seconds:.1f} s)")
    print(f"robots.txt: {result.robots}")
    print(f"\nlist pages ({len(result.list_pages)}):")
    for page in result.list_pages:
        holds = f"{page.content}, {page.links} new links" if page.content else ""
        print(f"  {page.method:4} {page.url}\n       via {page.via}: {page.status}{'; ' + holds if holds else ''}")
    print("\npagination:" if result.pagination else "\npagination: none found")
    for paging in result.pagination:
        count = f"{paging.pages} pages" if paging.pages is not None else "page count unknown (next pages followed)"
        print(f"  {paging.how}: {count}  ({paging.page})")
    counts = {v: sum(c.verdict == v for c in result.candidates) for v in _VERDICTS}
    print(f"\ncandidate links ({len(result.candidates)}): " + ", ".join(f"{n} {v}" for v, n in counts.items() if n))
    for verdict in _VERDICTS:
        for c in (c for c in result.candidates if c.verdict == verdict):
            kind = f" [{c.attachment} attachment]" if c.attachment else ""
            why = "" if c.reason == "report" else f" — {c.reason}"
            print(f"  {verdict:12} {c.title or '(no title)'}{kind}{why}\n               {c.url}  (from {c.source})")
    print("\nconfig entry (add under sites: in your config; xxgk crawl accepts it as is):")
    print(config_yaml(result.config, result.site_name), end="")
    return 0
