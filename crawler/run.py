"""Run the ``disclosure`` spider and return the run's summary from the store.

Two ways in:

* ``crawl_here(...)`` runs Scrapy in the calling process (used by ``xxgk crawl``). Twisted's reactor
  can start only once per process, so call it at most once per process.
* ``crawl(...)`` runs the crawl in a child process (``python -m crawler``) and may be called any
  number of times from one process (tests, ``xxgk demo``). The store run is opened and closed by the
  caller; the child only fills it, so the summary is read back from the store.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.sites import load_sites, select
from xxgk.commands import options
from xxgk.parsers import fork_server
from xxgk.store import RunSummary, Store

if TYPE_CHECKING:
    from scrapy.settings import Settings

NO_THROTTLE = {"crawler.addons.NoThrottle": 0}  # the add-on that switches politeness off


class CrawlError(RuntimeError):
    """The crawl process itself failed (not a document: those are recorded in the run)."""


def start_early(overrides: Mapping[str, Any]) -> None:
    """Start the parsers' fork server for a crawl with these setting overrides of ``crawler.settings``, if it
    parses in worker processes: call it before importing Scrapy, so the two imports run on two cores."""
    from crawler import settings

    def get(name: str) -> Any:
        return overrides.get(name, getattr(settings, name))

    if int(get("XXGK_PARSE_WORKERS")) > 0:
        fork_server([str(get("XXGK_PARSER")).rsplit(".", 1)[0], *get("XXGK_PARSE_PRELOAD")])


def build_settings(
    *,
    config: str | Path,
    db: str | Path,
    store_run: int = 0,
    jobdir: str | Path | None = None,
    throttle: bool = True,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """The crawl's settings: the project's, then the add-ons' bundles (``ADDONS`` in ``overrides`` joins the
    throttle-off one), then ``overrides``."""
    from scrapy.settings import Settings  # here: this module is imported before Scrapy (see ``main``)

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    values: dict[str, Any] = {"XXGK_CONFIG": str(config), "XXGK_DB": str(db), "XXGK_STORE_RUN": store_run}
    if jobdir:
        values["JOBDIR"] = str(jobdir)
    extra = dict(overrides or {})
    addons = {**({} if throttle else NO_THROTTLE), **extra.pop("ADDONS", {})}
    if addons:
        values["ADDONS"] = addons
    values.update(extra)
    settings.setdict(values, priority="cmdline")
    return settings


def crawl_here(settings: Settings, sites: list[str] | None = None, *, verbose: bool = False) -> str:
    """Run the spider to completion in this process; returns Scrapy's finish reason ("finished", "shutdown" …).

    Scrapy's own INFO lines (enabled components, stats dump) are hidden unless ``verbose``; the
    crawler's progress lines, failures and warnings are always shown.
    """
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    if not verbose:
        logging.getLogger("scrapy").setLevel(logging.WARNING)
    crawler = process.create_crawler("disclosure")
    process.crawl(crawler, site=",".join(sites or []), config=settings.get("XXGK_CONFIG"))
    process.start()
    return str(crawler.stats.get_value("finish_reason") or "unknown")


def crawl(
    config: str | Path | Mapping[str, Any],
    *,
    db: Path,
    sites: list[str] | None = None,
    settings_overrides: Mapping[str, Any] | None = None,
    jobdir: Path | None = None,
    throttle: bool = True,
) -> RunSummary:
    """Crawl in a child process; raises ConfigError for a bad configuration, CrawlError if the child fails."""
    selected = select(load_sites(config), sites)  # validate here: errors surface in the caller
    with tempfile.TemporaryDirectory(prefix="xxgk-crawl-") as tmp:
        if isinstance(config, Mapping):
            path = Path(tmp) / "sites.json"
            path.write_text(json.dumps(dict(config), ensure_ascii=False), encoding="utf-8")
        else:
            path = Path(config)
        with Store(db) as store:
            run = store.start_run([s.name for s in selected])
        command = [sys.executable, "-m", "crawler", "--config", str(path), "--db", str(db)]
        command += ["--store-run", str(run), "--settings-json", json.dumps(dict(settings_overrides or {}))]
        command += [arg for name in sites or [] for arg in ("--site", name)]
        command += ["--jobdir", str(jobdir)] if jobdir else []
        command += [] if throttle else ["--no-throttle"]
        result = subprocess.run(command, env={**os.environ, "PYTHONPATH": _pythonpath()}, check=False)
        with Store(db) as store:
            summary = store.finish_run(run, "finished" if result.returncode == 0 else "interrupted")
    if result.returncode != 0:
        raise CrawlError(f"crawl process exited with status {result.returncode}")
    return summary


def _pythonpath() -> str:
    """The child must import this very project, wherever the caller's working directory is."""
    root = str(Path(__file__).resolve().parents[1])
    return os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)


def add_child_arguments(parser: argparse.ArgumentParser) -> None:
    """What only a crawl started by another process takes: extra settings (and the store run it fills)."""
    parser.add_argument("--settings-json", default="{}", help="extra Scrapy settings as a JSON object")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description="run one crawl into the store")
    options.add_crawl(parser, config_default=None)
    parser.add_argument("--store-run", type=int, default=0, help="store run to fill (0: open and close one)")
    add_child_arguments(parser)
    args = parser.parse_args(argv)
    overrides = json.loads(args.settings_json)
    start_early(overrides)  # the parsers' imports on one core, Scrapy's on the other
    settings = build_settings(
        config=args.config,
        db=args.db,
        store_run=args.store_run,
        jobdir=args.jobdir,
        throttle=not args.no_throttle,
        overrides=overrides,
    )
    reason = crawl_here(settings, args.site)
    return 0 if reason == "finished" else 1
