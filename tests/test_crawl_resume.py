"""An interrupted crawl re-run with the same job directory ends with the store of an uninterrupted one.

SIGKILL leaves Scrapy's job state unusable (its queue is saved only on a clean stop): the re-run notices,
drops it and walks the site again, stored documents coming back as 304s. SIGINT (Ctrl-C) stops cleanly
and the re-run resumes from Scrapy's saved queue.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.run import crawl
from xxgk.portal import DemoPortal
from xxgk.store import Store

ROOT = Path(__file__).resolve().parents[1]
# One request at a time with a small delay, so the kill lands mid-crawl.
SLOW = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0.05,
    "RANDOMIZE_DOWNLOAD_DELAY": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "CONCURRENT_REQUESTS": 1,
    "XXGK_RETRY_BACKOFF_BASE": 0.05,
}


def _export(db: Path, out: Path) -> list[dict]:
    """Export through the CLI; records without their fetch time, sorted."""
    subprocess.run(
        [sys.executable, "-m", "xxgk.cli", "export", "--db", str(db), "--format", "jsonl", "--output", str(out)],
        check=True,
        cwd=ROOT,
    )
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    for record in records:
        record.pop("fetched_at")
    return sorted(records, key=lambda r: r["url"])


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_crawl_resumes_to_the_same_store(tmp_path, sig):
    with DemoPortal(seed=1, scale=1) as portal:
        config = tmp_path / "sites.json"
        config.write_text(json.dumps(portal.config(), ensure_ascii=False), encoding="utf-8")
        reference = tmp_path / "reference.db"
        crawl(config, db=reference, throttle=False)

        db, jobdir = tmp_path / "killed.db", tmp_path / "job"
        target = ["--config", str(config), "--db", str(db), "--jobdir", str(jobdir)]  # the same for the re-run
        child = subprocess.Popen(
            [sys.executable, "-m", "crawler", *target, "--settings-json", json.dumps(SLOW)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and child.poll() is None:
            if db.exists():
                with Store(db) as store:
                    stored = store.count()
            if stored >= 10:
                break
            time.sleep(0.05)
        if child.poll() is not None:
            pytest.fail(f"the crawl ended (status {child.returncode}) before it could be killed; {stored} stored")
        os.kill(child.pid, sig)
        status = child.wait(timeout=60)
        with Store(db) as store:
            assert 10 <= store.count() < len(portal.truth)
        if sig == signal.SIGKILL:
            assert status == -signal.SIGKILL
            assert (jobdir / "xxgk.running").exists()
        else:
            assert status == 1  # stopped before the end: "shutdown"
            assert not (jobdir / "xxgk.running").exists()
            assert (jobdir / "requests.seen").stat().st_size > 0

        rerun = subprocess.run(
            [sys.executable, "-m", "xxgk.cli", "crawl", *target, "--no-throttle"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert rerun.returncode == (0 if ", 0 failed" in rerun.stdout else 1), rerun.stderr[-2000:]  # faulty URLs
        assert ("was killed" in rerun.stderr) == (sig == signal.SIGKILL)
        if sig == signal.SIGINT:  # a true resume: documents fetched before the stop are not asked for again
            assert " 0 unchanged," in rerun.stdout, rerun.stdout
        assert " new, 0 changed, " in rerun.stdout

    assert _export(db, tmp_path / "killed.jsonl") == _export(reference, tmp_path / "reference.jsonl")
    assert not any(jobdir.iterdir()), "a finished crawl leaves an empty job directory"
