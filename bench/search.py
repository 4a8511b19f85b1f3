"""Benchmark the embedded search backend on generated reports.

    python bench/search.py            # 100,000 reports
    python bench/search.py --n 10000 --fts5   # and SQLite FTS5 for comparison

Generates reports with ``xxgk.generate``, indexes them (full rebuild into a fresh
index directory), then runs a mix of queries with facets (see BENCH_FACETS / DRILL_FACETS) and
prints indexing rate, p50/p95 latency and index size per report.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from indexer import sync
from indexer.embedded import EmbeddedBackend
from indexer.query import FACETS, Query, failed_value
from indexer.text import compact, normalize, query_words
from xxgk.generate import generate
from xxgk.model import Report
from xxgk.store import Store

FORMATS = ("html", "pdf", "docx", "text")
# What a search page shows first; county (~2,900 values) and agency (tens of thousands) facets
# are asked for once a province narrows the results (drill-down queries below).
BENCH_FACETS = tuple(f for f in FACETS if f not in ("county", "agency"))
DRILL_FACETS = FACETS


def corpus(n: int, seed: int = 7) -> list[Report]:
    """``n`` generated reports as store records."""
    rng = random.Random(seed)
    reports = []
    for i in range(n):
        g = generate(rng, violate=rng.choice((None,) * 9 + (1, 2, 3, 4, 5, 6)))
        reports.append(g.record(f"https://bench.invalid/{i}.html", FORMATS[i % len(FORMATS)]))
    return reports


def queries(reports: list[Report]) -> list[tuple[str, Query]]:
    """The measured mix: common domain words, place names, Traditional script, filters."""
    counties = [r.region.county for r in reports[:50] if r.region.county][:4]
    provinces = [r.region.province for r in reports[:10] if r.region.province][:2]
    texts = ["信息公开", "依申请", "卫滨", "行政复议", "不予公开", "依申請公開", "行政複議", "主動公開", *counties]
    mix: list[tuple[str, dict]] = [(t, {}) for t in texts]
    mix += [(t, {"year_from": 2023, "year_to": 2023}) for t in ("信息公开", "依申请", "不予公開")]
    mix += [(t, {"year_from": 2021, "year_to": 2022}) for t in ("行政复议", "政府信息公开")]
    mix += [(t, {"province": p}) for t in ("信息公开", "政务公开") for p in provinces]
    mix += [("", {}), ("", {"province": provinces[0]}), ("工作 年度报告", {})]
    mix += [("问题", {"section": "problems"}), ("申请", {"sort": "-year"})]
    out = []
    for text, opts in mix:
        facets = DRILL_FACETS if "province" in opts else BENCH_FACETS
        out.append((f"{text or '(all)'} {opts or ''}".strip(), Query(text=text, facets=facets, **opts)))
    return out


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class Fts5Index:
    """The alternative measured against tantivy: SQLite FTS5 over space-separated character pairs.

    A query word is an FTS5 phrase of its pairs (exact substring match); facets are GROUP BYs
    over the matching row ids collected once per query.
    """

    COLUMNS = ("year", "province", "city", "county", "agency", "agency_level", "format", "failed_checks")

    def __init__(self, path: Path):
        self.db = sqlite3.connect(path)
        cols = ", ".join(self.COLUMNS)
        self.db.execute(f"CREATE TABLE meta (rowid INTEGER PRIMARY KEY, {cols})")
        self.db.execute("CREATE VIRTUAL TABLE body USING fts5(pairs, tokenize = 'unicode61')")

    @staticmethod
    def pairs(word: str) -> str:
        return " ".join(word[i : i + 2] for i in range(max(1, len(word) - 1)))

    def rebuild(self, reports: list[Report]) -> None:
        with self.db:
            for rowid, r in enumerate(reports, start=1):
                text = " ".join([r.title or "", r.agency or "", *filter(None, vars(r.region).values())])
                chars = compact(normalize(text + " " + "\n".join(r.sections.values() or [r.text])))
                self.db.execute("INSERT INTO body (rowid, pairs) VALUES (?, ?)", (rowid, self.pairs(chars)))
                values = (r.year, r.region.province, r.region.city, r.region.county, r.agency, r.agency_level)
                self.db.execute(
                    "INSERT INTO meta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (rowid, *values, r.format, failed_value(len(r.checks))),
                )

    def search(self, query: Query) -> tuple[int, dict[str, dict[str, int]]]:
        words = query_words(query.text)
        where, params = [], []
        for name in ("province", "city", "county", "agency", "agency_level", "format"):
            if getattr(query, name) is not None:
                where.append(f"meta.{name} = ?")
                params.append(getattr(query, name))
        if query.year_from is not None:
            where += ["meta.year BETWEEN ? AND ?"]
            params += [query.year_from, query.year_to]
        if words:  # every token is CJK or ASCII alphanumeric; quoting keeps FTS5 syntax out regardless
            match = " AND ".join('"' + self.pairs(w).replace('"', '""') + '"' for w in words)
            where.append("meta.rowid IN (SELECT rowid FROM body WHERE body MATCH ?)")
            params.append(match)
        self.db.execute("DROP TABLE IF EXISTS temp.hits")
        clause = " AND ".join(where) or "1"
        self.db.execute(f"CREATE TEMP TABLE hits AS SELECT meta.* FROM meta WHERE {clause}", params)
        total = self.db.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
        facets = {
            name: dict(self.db.execute(f"SELECT {name}, count(*) FROM temp.hits GROUP BY {name}"))
            for name in query.facets
        }
        self.db.execute("SELECT rowid FROM temp.hits LIMIT 20").fetchall()
        return total, facets


def measure(search, mix: list[tuple[str, Query]], repeat: int) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Milliseconds per query label (first run only warms caches) and each query's total."""
    timings: dict[str, list[float]] = {label: [] for label, _ in mix}
    totals: dict[str, int] = {}
    for run in range(repeat):
        for label, query in mix:
            t0 = time.perf_counter()
            totals[label] = search(query)
            if run:
                timings[label].append((time.perf_counter() - t0) * 1000)
    return timings, totals


def percentiles(timings: dict[str, list[float]]) -> tuple[float, float]:
    every = sorted(v for values in timings.values() for v in values)
    return statistics.median(every), every[min(len(every) - 1, round(0.95 * (len(every) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of generated reports")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the query mix (first run warms up)")
    parser.add_argument("--fts5", action="store_true", help="also measure SQLite FTS5 (bigram phrases) for comparison")
    parser.add_argument("--sync", action="store_true", help="also time `xxgk index` (sync from a SQLite store)")
    args = parser.parse_args()

    start = time.perf_counter()
    reports = corpus(args.n)
    print(f"generated {len(reports):,} reports in {time.perf_counter() - start:.1f} s")
    mix = queries(reports)
    rows: list[tuple[str, str, str]] = []
    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    try:
        backend = EmbeddedBackend(work / "tantivy")
        start = time.perf_counter()
        backend.rebuild(reports)
        rate = args.n / (time.perf_counter() - start)
        size = directory_size(work / "tantivy")
        timings, totals = measure(lambda q: backend.search(q).total, mix, args.repeat)
        print(f"\n{'query':<44} {'hits':>8} {'median ms':>10}")
        for label, values in timings.items():
            print(f"{label[:44]:<44} {totals[label]:>8,} {statistics.median(values):>10.1f}")
        p50, p95 = percentiles(timings)
        every_facet = [(label, replace(query, facets=FACETS)) for label, query in mix]
        all_p50, all_p95 = percentiles(measure(lambda q: backend.search(q).total, every_facet, args.repeat)[0])
        print(f"\nwith every facet (county, agency too) on every query: p50 {all_p50:.1f} ms, p95 {all_p95:.1f} ms")
        rows += [
            ("indexing rate (reports/s)", f"{rate:,.0f}", ""),
            ("latency p50 (ms)", f"{p50:.1f}", ""),
            ("latency p95 (ms)", f"{p95:.1f}", ""),
            ("index size (MB)", f"{size / 1e6:.1f}", ""),
            ("index bytes per report", f"{size / args.n:,.0f}", ""),
        ]
        if args.sync:
            with Store(work / "sync.db") as store:
                for r in reports:
                    store.save(r)
                target = EmbeddedBackend(work / "sync.db.index")
                start = time.perf_counter()
                pushed = sync(store, target).indexed
                print(f"\nsync from the store (xxgk index): {pushed / (time.perf_counter() - start):,.0f} reports/s")
        if args.fts5:
            fts = Fts5Index(work / "fts5.db")
            start = time.perf_counter()
            fts.rebuild(reports)
            fts_rate = args.n / (time.perf_counter() - start)
            fts_size = (work / "fts5.db").stat().st_size
            fts_timings, fts_totals = measure(lambda q: fts.search(q)[0], mix, args.repeat)
            # (this FTS5 table has no per-section columns, so section queries are left out of the check)
            differ = [label for label, q in mix if q.section is None and totals[label] != fts_totals[label]]
            f50, f95 = percentiles(fts_timings)
            values = [
                f"{fts_rate:,.0f}",
                f"{f50:.1f}",
                f"{f95:.1f}",
                f"{fts_size / 1e6:.1f}",
                f"{fts_size / args.n:,.0f}",
            ]
            rows = [(name, mine, other) for (name, mine, _), other in zip(rows, values, strict=True)]
            print(f"\nqueries where FTS5 (exact phrases) and tantivy (all pairs) count differently: {differ or 'none'}")
        facets = ",".join(BENCH_FACETS)
        print(f"\n{args.n:,} reports, {len(mix)} queries; facets {facets} (+county,agency with a province)")
        print(f"{'metric':<28} {'tantivy':>12} {'FTS5' if args.fts5 else '':>12}")
        for name, mine, other in rows:
            print(f"{name:<28} {mine:>12} {other:>12}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
