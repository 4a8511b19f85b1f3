"""Crawl throughput: reports per second from the demo portal into the store, end to end, on loopback.

    python bench/crawl.py [--scale 10] [--seed 0]

The portal runs in its own process (``python -m xxgk.portal``) so serving does not compete inside the
crawler process. Politeness is off (no AutoThrottle, no delay, high concurrency); robots.txt is still
obeyed. Two crawls into fresh stores: "cold" (the portal renders each PDF/DOCX on first request) and
"warm" (the portal serves cached bodies). Figures include the crawler's process start-up.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.run import crawl  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        config_path = Path(tmp) / "sites.json"
        portal = subprocess.Popen(
            [sys.executable, "-m", "xxgk.portal", "--scale", str(args.scale), "--seed", str(args.seed),
             "--no-faults", "--config-out", str(config_path)],
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
            for label in ("cold", "warm"):
                started = time.perf_counter()
                summary = crawl(config, db=Path(tmp) / f"{label}.db", throttle=False)
                elapsed = time.perf_counter() - started
                print(
                    f"{label}: {summary.new} reports in {elapsed:.1f}s = {summary.new / elapsed:.0f} reports/s "
                    f"(scale {args.scale}; {summary.failed} failed)",
                    flush=True,
                )
        finally:
            portal.send_signal(signal.SIGTERM)
            portal.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
