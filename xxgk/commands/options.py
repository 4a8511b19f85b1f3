"""Command-line options shared by several commands, declared once (same names, defaults and env everywhere).

    from xxgk.commands import options

    def configure(parser):
        options.add_db(parser)          # --db, default $XXGK_DB or data/xxgk.db
        options.add_backend(parser)     # --backend, --meili-url, --meili-key, --meili-index
    def run(args):
        backend = options.open_backend(args)

Defaults are read from the environment when the parser is built, so ``XXGK_DB=… xxgk …`` works for every command.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

DEFAULT_DB = Path("data/xxgk.db")
DEFAULT_MEILI_URL = "http://127.0.0.1:7700"


def default_db() -> Path:
    """The store every command uses unless told otherwise: ``$XXGK_DB``, else ``data/xxgk.db``."""
    return Path(os.environ.get("XXGK_DB") or DEFAULT_DB)


def add_db(parser: argparse.ArgumentParser, what: str = "report store") -> None:
    parser.add_argument("--db", type=Path, default=default_db(), help=f"{what} (default: %(default)s, env XXGK_DB)")


def meili_key() -> str | None:
    """The Meilisearch key from the environment: ``MEILI_KEY``, else ``MEILI_MASTER_KEY``."""
    return os.environ.get("MEILI_KEY") or os.environ.get("MEILI_MASTER_KEY")


def add_backend(parser: argparse.ArgumentParser) -> None:
    """The search backend: embedded (default) or a Meilisearch server."""
    parser.add_argument("--backend", choices=("embedded", "meilisearch"), default="embedded", help="search index")
    parser.add_argument(
        "--meili-url",
        default=os.environ.get("MEILI_URL") or DEFAULT_MEILI_URL,
        help="Meilisearch server (default: %(default)s, env MEILI_URL)",
    )
    parser.add_argument(
        "--meili-key",
        default=meili_key(),
        help="Meilisearch API key (env MEILI_KEY or MEILI_MASTER_KEY); used on this machine only, never logged",
    )
    parser.add_argument("--meili-index", default="reports", help="Meilisearch index uid (default: %(default)s)")


def open_backend(args: argparse.Namespace) -> Any:
    """The search backend the options of ``add_db`` and ``add_backend`` name."""
    from indexer import open_backend as open_named

    if args.backend == "meilisearch":
        return open_named("meilisearch", db=args.db, url=args.meili_url, key=args.meili_key, index=args.meili_index)
    return open_named("embedded", db=args.db)


def backend_name(args: argparse.Namespace) -> str:
    """The store's bookkeeping name of that backend (without opening it)."""
    from indexer.meili import backend_name as meili_name

    return meili_name(args.meili_index) if args.backend == "meilisearch" else "embedded"


def add_crawl(parser: argparse.ArgumentParser, *, config_default: str | None = "config/sites.yaml") -> None:
    """What to crawl and how: ``--config``, ``--site``, ``--jobdir``, ``--no-throttle`` (and ``--db``)."""
    if config_default is None:
        parser.add_argument("--config", required=True, help="site configuration")
    else:
        parser.add_argument("--config", default=config_default, help="site configuration (default: %(default)s)")
    parser.add_argument("--site", action="append", default=[], metavar="NAME", help="crawl only this site (repeatable)")
    add_db(parser)
    parser.add_argument("--jobdir", type=Path, help="Scrapy job directory: an interrupted crawl resumes from it")
    parser.add_argument(
        "--no-throttle", action="store_true", help="no AutoThrottle/download delay, high concurrency (loopback only)"
    )


def add_run_name(parser: Any) -> None:
    """``--run-name``: the Redis run of a distributed crawl (a store run is a number, printed as "run N")."""
    parser.add_argument(
        "--run-name", default="default", help="name of the shared (Redis) crawl run (default: %(default)s)"
    )


def add_distributed(parser: argparse.ArgumentParser) -> None:
    """``--redis`` and the options of one worker of a shared crawl (docs/national-crawl.md)."""
    group = parser.add_argument_group("distributed crawl (docs/national-crawl.md)")
    group.add_argument(
        "--redis", metavar="URL", help="be one worker of a shared crawl on this Redis (redis://HOST:PORT/DB)"
    )
    add_run_name(group)
    group.add_argument(
        "--rate",
        type=float,
        default=1.0,
        help="max requests/s per host over all workers, 0 = none (default: %(default)s)",
    )
    group.add_argument(
        "--lease",
        type=float,
        default=60.0,
        help="seconds before a dead worker's requests return (default: %(default)s)",
    )
    group.add_argument(
        "--conditional-get",
        action="store_true",
        help="conditional GET from --db (only when it is the ingester's store)",
    )
