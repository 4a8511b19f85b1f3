"""xxgk: find, parse, check and search government open-information annual reports.

Each module in ``xxgk.commands`` exposes ``configure(parser)`` and ``run(args) -> int``;
modules are imported only when their command runs, so ``xxgk --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

COMMANDS: dict[str, str] = {
    "parse": "parse a report file or URL into structured, checked data",
    "crawl": "crawl the configured portals into the store",
    "add": "parse files, folders or URLs into the store, as a crawl would",
    "export": "write the stored reports: CSV, Parquet, XLSX or JSON lines, wide or long",
    "compare": "compare a metric or cell by agency or region × year",
    "index": "push stored reports into the search index",
    "search": "search the index",
    "serve": "serve the JSON API and the search page",
    "demo": "serve the demo portal, crawl, index and search it",
    "ingest": "store the items of a distributed (Redis) crawl",
    "probe": "show what a crawl would find on a portal URL, storing nothing",
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(prog="xxgk", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands = {name: sub.add_parser(name, help=text, description=text) for name, text in COMMANDS.items()}
    return parser, commands


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser, commands = build_parser()
    # Parse the command name first, then let its module add its own options.
    name = next((a for a in argv if a in COMMANDS), None)
    if name is None:
        parser.parse_args(argv)  # prints usage or help and exits
    module = importlib.import_module(f"xxgk.commands.{name}")
    module.configure(commands[name])
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return module.run(args) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``xxgk search … | head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
