"""Crawl throughput: reports per second from the demo portal into the store, end to end, on loopback.

    python bench/crawl.py [--scale 10] [--seed 0]

The portal runs in its own process (``python -m xxgk.portal``) so serving does not compete inside the
crawler process. Politeness is off (no AutoThrottle, no delay, high concurrency); robots.txt is still
obeyed. Figures include the crawler's process start-up:

* cold: fresh store; the portal renders each PDF/DOCX on its first request;
* warm: fresh store; the portal serves cached bodies;
* revalidate: the warm store again: every document is a conditional GET answered 304;
* no-parse: fresh store, documents stored without parsing (``raw_report``): the crawler's own ceiling.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.run import crawl  # noqa: E402
from xxgk.model import Report, report_id  # noqa: E402


def raw_report(data: bytes, *, url: str, **_: object) -> Report:
    """A report holding only the document's bytes count: isolates crawling and storing from parsing."""
    return Report(id=report_id(url), url=url, text=f"{len(data)} bytes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        config_path = Path(tmp) / "sites.json"
        portal = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "xxgk.portal",
                "--scale",
                str(args.scale),
                "--seed",
                str(args.seed),
                "--no-faults",
                "--config-out",
                str(config_path),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while not config_path.exists() or not config_path.stat().st_size:
                if portal.poll() is not None or time.monotonic() > deadline:
                    print("the demo portal did not start", file=sys.stderr)
                    return 1
                time.sleep(0.1)
            time.sleep(0.2)  # the file is written in one call; give it a moment to be complete
            config = json.loads(config_path.read_text(encoding="utf-8"))
            paths = [str(ROOT / "bench"), os.environ.get("PYTHONPATH")]
            os.environ["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)  # the child imports raw_report
            runs = [("cold", "cold", {}), ("warm", "warm", {}), ("revalidate", "warm", {})]
            runs.append(("no-parse", "raw", {"XXGK_PARSER": "crawl.raw_report", "XXGK_PARSE_WORKERS": 0}))
            for label, store, overrides in runs:
                started = time.perf_counter()
                summary = crawl(config, db=Path(tmp) / f"{store}.db", throttle=False, settings_overrides=overrides)
                elapsed = time.perf_counter() - started
                done = summary.new + summary.changed + summary.unchanged
                print(
                    f"{label}: {done} reports ({summary.new} new, {summary.unchanged} unchanged) in {elapsed:.1f}s"
                    f" = {done / elapsed:.0f} reports/s (scale {args.scale}; {summary.failed} failed)",
                    flush=True,
                )
        finally:
            portal.send_signal(signal.SIGTERM)
            portal.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
