"""The demo portal crawled once per test run, a store of generated reports, and a pivot computed by hand."""

from __future__ import annotations

import dataclasses
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.canonical import canonical_url
from crawler.run import crawl
from xxgk.data import facts
from xxgk.data.metrics import METRICS
from xxgk.generate import generate
from xxgk.generate.series import Planted
from xxgk.model import report_id
from xxgk.portal import DemoPortal
from xxgk.store import Store

FAST = {"XXGK_RETRY_BACKOFF_BASE": 0.05, "DOWNLOAD_TIMEOUT": 10}  # crawl settings for loopback portals


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


def brute_pivot(db, value: str, by: str) -> dict[tuple[str, int], tuple]:
    """(group label, year) -> (sum, median, count) computed from the stored records alone."""
    metric = METRICS.get(value)
    groups: dict[tuple[str, int], list] = defaultdict(list)
    with Store(db) as store:
        for report in store.reports():
            region = report.region
            if by == "agency":
                place = region.county or region.city or region.province
                group = f"{report.agency}（{place}）"
            else:
                names = {"province": [region.province], "city": [region.province, region.city]}.get(
                    by, [region.province, region.city, region.county]
                )
                if names[-1] is None:
                    continue
                group = " ".join(dict.fromkeys(n for n in names if n))
            cells = facts.flat(report.tables)
            groups[(group, report.year)].append(metric.value(cells) if metric else cells.get(value))
    out = {}
    for key, values in groups.items():
        known = [v for v in values if v is not None]
        out[key] = (sum(known) if known else None, statistics.median(known) if known else None, len(values))
    return out
