"""Crawl throughput: reports per second from the demo portal into the store, end to end, on loopback.

    python bench/crawl.py [--scale 10] [--seed 0] [--stages]

The portal runs in its own process (``python -m xxgk.portal``) so serving does not compete inside the
crawler process. Politeness is off (no AutoThrottle, no delay, high concurrency); robots.txt is still
obeyed. Figures include the crawler's process start-up:

* cold: fresh store; the portal renders each PDF/DOCX on its first request;
* warm: fresh store; the portal serves cached bodies;
* revalidate: the warm store again: every document is a conditional GET answered 304;
* no-parse: fresh store, documents stored without parsing (``raw_report``): the crawler's own ceiling.

Each line also gives the CPU time the whole machine spent meanwhile (on Linux: crawl, parsers and portal
together), and the portal's share of it. ``--stages`` then collects the crawled documents and parses each
once in this process: CPU milliseconds per document by type, the parsing share of an end-to-end run.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.run import crawl  # noqa: E402
from xxgk.model import Report, report_id  # noqa: E402
from xxgk.portal.process import portal_process  # noqa: E402


def raw_report(data: bytes, *, url: str, **_: object) -> Report:
    """A report holding only the document's bytes count: isolates crawling and storing from parsing."""
    return Report(id=report_id(url), url=url, text=f"{len(data)} bytes")


def collect_report(
    data: bytes, *, url: str, content_type: str | None = None, filename: str | None = None, **_: object
) -> Report:
    """Like ``raw_report``, and keeps the document in the directory named by ``XXGK_BENCH_DOCS``."""
    document = (url, content_type, filename, data)
    (Path(os.environ["XXGK_BENCH_DOCS"]) / f"{report_id(url)}.pickle").write_bytes(pickle.dumps(document))
    return raw_report(data, url=url)


def machine_busy() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux), to difference around a run."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def process_cpu(pid: int) -> float | None:
    """CPU seconds one process has spent so far (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def parse_stages(folder: Path) -> None:
    """Parse each collected document once, here, and print CPU time per document by type."""
    from xxgk.extract import sniff
    from xxgk.parse import parse_document

    documents = [pickle.loads(path.read_bytes()) for path in sorted(folder.glob("*.pickle"))]
    for _, content_type, filename, data in documents[:1]:  # imports and first-use set-up out of the figures
        parse_document(data, content_type=content_type, filename=filename)
    spent: dict[str, list[float]] = {}
    for url, content_type, filename, data in documents:
        started = time.process_time()
        parse_document(data, url=url, content_type=content_type, filename=filename)
        spent.setdefault(sniff(data, content_type, filename), []).append(time.process_time() - started)
    total = sum(sum(times) for times in spent.values())
    for kind, times in sorted(spent.items()):
        print(
            f"parse {kind}: {len(times)} documents, {sum(times) / len(times) * 1000:.1f} ms CPU each,"
            f" {sum(times) / total:.0%} of parsing",
            flush=True,
        )
    print(f"parse all: {len(documents)} documents in {total:.1f} s CPU on one core", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="run warm, revalidate and no-parse this many times")
    parser.add_argument("--stages", action="store_true", help="also time parsing alone, per document type")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        config_path = Path(tmp) / "sites.json"
        options = ("--scale", str(args.scale), "--seed", str(args.seed), "--no-faults")
        with portal_process(config_path, *options) as portal:
            config = portal.config
            paths = [str(ROOT / "bench"), os.environ.get("PYTHONPATH")]
            os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)  # the child imports raw_report
            raw = {"XXGK_PARSER": "crawl.raw_report", "XXGK_PARSE_WORKERS": 0}
            runs = [("cold", "cold", {})]
            for n in range(args.repeat):  # each round into fresh stores
                runs += [("warm", f"warm{n}", {}), ("revalidate", f"warm{n}", {}), ("no-parse", f"raw{n}", raw)]
            for label, store, overrides in runs:
                busy, serving, started = machine_busy(), process_cpu(portal.pid), time.perf_counter()
                summary = crawl(config, db=Path(tmp) / f"{store}.db", throttle=False, settings_overrides=overrides)
                elapsed = time.perf_counter() - started
                cpu = ""
                if busy is not None and serving is not None:
                    machine, portal_cpu = machine_busy() - busy, process_cpu(portal.pid) - serving  # type: ignore[operator]
                    cpu = f", CPU: machine {machine:.1f}s, of which portal {portal_cpu:.1f}s"
                done = summary.new + summary.changed + summary.unchanged
                print(
                    f"{label}: {done} reports ({summary.new} new, {summary.unchanged} unchanged) in {elapsed:.1f}s"
                    f" = {done / elapsed:.0f} reports/s (scale {args.scale}; {summary.failed} failed{cpu})",
                    flush=True,
                )
            if args.stages:
                folder = Path(tmp) / "documents"
                folder.mkdir()
                os.environ["XXGK_BENCH_DOCS"] = str(folder)
                collect = {"XXGK_PARSER": "crawl.collect_report", "XXGK_PARSE_WORKERS": 0}
                crawl(config, db=Path(tmp) / "collect.db", throttle=False, settings_overrides=collect)
                parse_stages(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
