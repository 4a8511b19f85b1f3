"""Benchmark the embedded search backend on generated reports.

    python bench/search.py            # 100,000 reports
    python bench/search.py --n 10000

Generates reports with ``xxgk.generate``, indexes them (full rebuild into a fresh
index directory), then runs a mix of queries with facets (see BENCH_FACETS / DRILL_FACETS) and
prints indexing rate, p50/p95 latency and index size per report.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from indexer.embedded import EmbeddedBackend
from indexer.query import FACETS, Query
from xxgk.generate import generate
from xxgk.model import Check, Report, content_hash, report_id

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
        url = f"https://bench.invalid/{i}.html"
        text = g.text()
        reports.append(
            Report(
                id=report_id(url),
                url=url,
                title=g.title,
                agency=g.agency,
                agency_level=g.agency_level,
                year=g.year,
                region=g.region,
                published=g.published,
                format=FORMATS[i % len(FORMATS)],
                sections=dict(g.sections),
                checks=[Check(rule, f"rule {rule} broken") for rule in g.violated],
                text=text,
                content_hash=content_hash(text.encode()),
            )
        )
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of generated reports")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the query mix (first run warms up)")
    args = parser.parse_args()

    start = time.perf_counter()
    reports = corpus(args.n)
    print(f"generated {len(reports):,} reports in {time.perf_counter() - start:.1f} s")

    work = Path(tempfile.mkdtemp(prefix="xxgk-bench-"))
    try:
        backend = EmbeddedBackend(work / "bench.db.index")
        start = time.perf_counter()
        backend.rebuild(reports)
        elapsed = time.perf_counter() - start
        size = directory_size(work)
        mix = queries(reports)
        timings: dict[str, list[float]] = {label: [] for label, _ in mix}
        totals: dict[str, int] = {}
        for run in range(args.repeat):
            for label, query in mix:
                t0 = time.perf_counter()
                result = backend.search(query)
                if run:  # the first run only warms caches
                    timings[label].append((time.perf_counter() - t0) * 1000)
                totals[label] = result.total
        print(f"\n{'query':<44} {'hits':>8} {'median ms':>10}")
        for label, values in timings.items():
            print(f"{label[:44]:<44} {totals[label]:>8,} {statistics.median(values):>10.1f}")
        every = sorted(v for values in timings.values() for v in values)
        p50 = statistics.median(every)
        p95 = every[min(len(every) - 1, round(0.95 * (len(every) - 1)))]
        print(f"\n{'metric':<32} {'value':>14}")
        print(f"{'reports':<32} {args.n:>14,}")
        print(f"{'indexing rate (reports/s)':<32} {args.n / elapsed:>14,.0f}")
        print(f"{'queries':<32} {len(mix):>14}")
        print(f"{'facets':<32} {','.join(BENCH_FACETS)} (+county,agency with a province)")
        print(f"{'latency p50 (ms)':<32} {p50:>14.1f}")
        print(f"{'latency p95 (ms)':<32} {p95:>14.1f}")
        print(f"{'index size (MB)':<32} {size / 1e6:>14.1f}")
        print(f"{'index bytes per report':<32} {size / args.n:>14,.0f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
