"""Run the ``disclosure`` spider and return the run's summary from the store.

Two ways in:

* ``crawl_here(...)`` runs Scrapy in the calling process (used by ``xxgk crawl``). Twisted's reactor
  can start only once per process, so call it at most once per process.
* ``crawl(...)`` runs the crawl in a child process (``python -m crawler``) and may be called any
  number of times from one process (tests, ``xxgk demo``). The run is opened and closed in the
  store by the caller; the child only fills it, so the summary is read back from the store.
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

from crawler.parsers import start_early
from crawler.sites import load_sites, select
from xxgk.store import RunSummary, Store

if TYPE_CHECKING:
    from scrapy.settings import Settings

# Politeness off: for loopback demo portals and benchmarks only.
NO_THROTTLE = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
}


class CrawlError(RuntimeError):
    """The crawl process itself failed (not a document: those are recorded in the run)."""


def build_settings(
    *,
    config: str | Path,
    db: str | Path,
    run_id: int = 0,
    jobdir: str | Path | None = None,
    throttle: bool = True,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    from scrapy.settings import Settings  # here: this module is imported before Scrapy (see ``main``)

    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    values: dict[str, Any] = {"XXGK_CONFIG": str(config), "XXGK_DB": str(db), "XXGK_RUN_ID": run_id}
    if jobdir:
        values["JOBDIR"] = str(jobdir)
    if not throttle:
        values.update(NO_THROTTLE)
    values.update(overrides or {})
    settings.setdict(values, priority="cmdline")
    return settings


def crawl_here(settings: Settings, sites: list[str] | None = None, *, verbose: bool = False) -> None:
    """Run the spider to completion in this process.

    Scrapy's own INFO lines (enabled components, stats dump) are hidden unless ``verbose``; the
    crawler's progress lines, failures and warnings are always shown.
    """
    from scrapy.crawler import CrawlerProcess

    process = CrawlerProcess(settings)
    if not verbose:
        logging.getLogger("scrapy").setLevel(logging.WARNING)
    process.crawl("disclosure", site=",".join(sites or []), config=settings.get("XXGK_CONFIG"))
    process.start()


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
            run_id = store.start_run([s.name for s in selected])
        command = [sys.executable, "-m", "crawler", "--config", str(path), "--db", str(db)]
        command += ["--run-id", str(run_id), "--settings-json", json.dumps(dict(settings_overrides or {}))]
        command += [arg for name in sites or [] for arg in ("--site", name)]
        command += ["--jobdir", str(jobdir)] if jobdir else []
        command += [] if throttle else ["--no-throttle"]
        result = subprocess.run(command, env={**os.environ, "PYTHONPATH": _pythonpath()}, check=False)
        with Store(db) as store:
            summary = store.finish_run(run_id)
    if result.returncode != 0:
        raise CrawlError(f"crawl process exited with status {result.returncode}")
    return summary


def _pythonpath() -> str:
    """The child must import this very project, wherever the caller's working directory is."""
    root = str(Path(__file__).resolve().parents[1])
    return os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler", description="run one crawl into the store")
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--run-id", type=int, default=0)
    parser.add_argument("--site", action="append", default=[])
    parser.add_argument("--jobdir")
    parser.add_argument("--no-throttle", action="store_true")
    parser.add_argument("--settings-json", default="{}", help="extra Scrapy settings as a JSON object")
    args = parser.parse_args(argv)
    overrides = json.loads(args.settings_json)
    start_early(overrides)  # the parsers' imports on one core, Scrapy's on the other
    settings = build_settings(
        config=args.config,
        db=args.db,
        run_id=args.run_id,
        jobdir=args.jobdir,
        throttle=not args.no_throttle,
        overrides=overrides,
    )
    crawl_here(settings, args.site)
    return 0
