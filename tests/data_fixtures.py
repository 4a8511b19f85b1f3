"""Shared by the xxgk.data tests: one crawl of the demo portal, and a store of generated reports."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.canonical import canonical_url
from crawler.run import crawl
from xxgk.data import facts
from xxgk.generate import generate
from xxgk.generate.series import Planted
from xxgk.model import report_id
from xxgk.portal import DemoPortal
from xxgk.store import Store

FAST = {"RETRY_BACKOFF_BASE": 0.05, "DOWNLOAD_TIMEOUT": 10}


@dataclass
class DemoCrawl:
    db: Path
    planted: list[Planted]
    ids: dict[int, str]  # id(GeneratedReport) -> stored report id


_CRAWLS: list[DemoCrawl] = []


def crawl_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoCrawl:
    """The demo portal (seed 0, scale 1) crawled into a store whose facts are synced; once per test run."""
    if _CRAWLS:
        return _CRAWLS[0]
    db = tmp_path_factory.mktemp("data-demo") / "xxgk.db"
    with DemoPortal(seed=0, scale=1, faults=False) as portal:
        crawl(portal.config(), db=db, throttle=False, settings_overrides=FAST)
        ids = {id(truth): report_id(canonical_url(url)) for url, truth in portal.truth.items()}
        planted = list(portal.cross_year)
    with Store(db) as store:
        facts.sync(store)
    _CRAWLS.append(DemoCrawl(db, planted, ids))
    return _CRAWLS[0]


def generated_store(path: Path, n: int, seed: int = 3) -> Path:
    """``n`` generated reports (some blank cells, some broken rules) saved in a fresh store at ``path``."""
    rng = random.Random(seed)
    with Store(path) as store, store.transaction():
        for i in range(n):
            g = generate(rng, blanks=rng.random() < 0.4, violate=rng.choice((None,) * 6 + (1, 2, 3, 4, 5)))
            record = g.record(f"https://gen.invalid/{i:05d}.html", "2021")
            store.save(dataclasses.replace(record, tables=g.tables, site=f"s{i % 3}"))
    return path
