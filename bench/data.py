"""Benchmark the researchers' data path on generated reports: exports, compare and ``--where``.

    python bench/data.py                 # 100,000 reports (the store is built once and kept in --db)
    python bench/data.py --n 10000 --db /tmp/xxgk-data-10k.db

Builds a store of generated reports (blank cells and broken rules included; agencies publish runs
of consecutive years, so the cross-year audit has series to check) and syncs its cell facts and
cross-year checks (timed). Then each measured task runs in a fresh process, which reports its wall
time, CPU time (what it takes on a core of its own: the 2 shared cores are often oversubscribed) and
its peak RSS: a wide CSV and a Parquet export of everything, an XLSX export of the first
10,000 reports, a compare of requests.new.total by province × year, and a ``--where`` query.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from xxgk.data import compare, export, facts  # noqa: E402
from xxgk.data.where import parse_where  # noqa: E402
from xxgk.generate import generate  # noqa: E402
from xxgk.store import Store  # noqa: E402

WHERE = "requests.new.total >= 100 and (review.corrected > 0 or 公开率 < 0.5)"
TASKS = ("csv", "parquet", "xlsx", "compare", "where")
TARGETS = {"parquet": "≥ 20,000 reports/s", "compare": "≤ 1 s", "peak": "≤ 1 GiB"}


def build(db: Path, n: int, seed: int = 11) -> float:
    """Fill ``db`` with ``n`` generated reports; returns the seconds the facts sync took."""
    rng = random.Random(seed)
    with Store(db) as store:
        with store.transaction():
            previous = None
            for i in range(n):
                broken = rng.choice((None,) * 9 + (1, 2, 3, 4, 5))
                if i % 5 and previous is not None:  # four in five continue the agency of the report before
                    same = {"year": previous.year + 1, "agency": previous.agency, "region": previous.region}
                else:
                    same = {}
                g = previous = generate(rng, blanks=rng.random() < 0.2, violate=broken, **same)
                record = g.record(f"https://bench.invalid/{i:06d}.html", "2021")
                store.save(dataclasses.replace(record, tables=g.tables))
        start = time.perf_counter()
        facts.sync(store)
        return time.perf_counter() - start


def task(name: str, db: Path, out: Path) -> dict:
    """Run one measured task in this process (timed after the imports, as in a running server)."""
    import indexer.web.tables  # noqa: F401  (the Chinese labels compare uses; importing it loads the web app)

    start, cpu = time.perf_counter(), time.process_time()
    with Store(db) as store:
        if name in ("csv", "parquet", "xlsx"):
            chosen = facts.load(store, refresh=False)
            if name == "xlsx":
                chosen = chosen.take(np.arange(len(chosen)) < 10_000)
            table = export.wide_table(chosen)
            export.write(table, name, out / f"wide.{name}")
            size = (out / f"wide.{name}").stat().st_size
            result = {"reports": len(chosen), "bytes": size}
        elif name == "compare":
            value = compare.value_of("requests.new.total")
            chosen = facts.load(
                store, refresh=False, columns=compare.GROUP_COLUMNS["province"], cells=value.cells, ordered=False
            )
            table = compare.pivot(chosen, value, "province")
            result = {"reports": len(chosen), "groups": len(table.rows), "years": len(table.years)}
        else:
            where = parse_where(WHERE)
            chosen = facts.load(store, refresh=False, columns=("id",), cells=where.cells(), ordered=False)
            matched = where.mask(chosen).sum()
            result = {"reports": len(chosen), "matched": int(matched)}
    result["seconds"] = time.perf_counter() - start
    result["cpu_seconds"] = time.process_time() - cpu
    result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of generated reports")
    parser.add_argument("--db", type=Path, default=Path("/tmp/xxgk-data-bench.db"), help="store (kept between runs)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/xxgk-data-bench"), help="where exports are written")
    parser.add_argument("--only", nargs="+", choices=TASKS, default=TASKS, help="run these tasks only")
    parser.add_argument("--task", choices=TASKS, help=argparse.SUPPRESS)  # one measured task (child process)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.task:
        print(json.dumps(task(args.task, args.db, args.out)))
        return
    with Store(args.db) as store:
        have = store.count()
    if have != args.n:
        args.db.unlink(missing_ok=True)
        start = time.perf_counter()
        sync = build(args.db, args.n)
        print(f"built {args.n:,} reports in {time.perf_counter() - start:.0f} s (facts and audit sync {sync:.1f} s)")
    for name in args.only:
        child = subprocess.run(
            [sys.executable, __file__, "--task", name, "--db", str(args.db), "--out", str(args.out)],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(child.stdout)
        rate = r["reports"] / r["seconds"]
        extra = ", ".join(
            f"{k} {v:,}" for k, v in r.items() if k not in ("seconds", "cpu_seconds", "peak_mib", "reports")
        )
        print(
            f"{name:8s} {r['reports']:>8,} reports  {r['seconds']:6.2f} s (CPU {r['cpu_seconds']:6.2f} s)"
            f"  {rate:>9,.0f} reports/s"
            f"  peak {r['peak_mib']:6.0f} MiB  ({extra})  target: {TARGETS.get(name, '—')}"
        )


if __name__ == "__main__":
    main()
