"""Parser worker processes: they parse while the crawl runs, and never outlive a crawl that is killed."""

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
SLOW = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0.05, "CONCURRENT_REQUESTS": 1, "XXGK_PARSE_WORKERS": 2}


def _descendants(pid: int) -> set[int]:
    """Live processes below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def test_workers_leave_when_the_crawl_is_killed(tmp_path):
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to list the crawl's processes")
    with DemoPortal(seed=2, scale=1) as portal:
        config = tmp_path / "sites.json"
        config.write_text(json.dumps(portal.config(), ensure_ascii=False), encoding="utf-8")
        db = tmp_path / "x.db"
        command = [sys.executable, "-m", "crawler", "--config", str(config), "--db", str(db)]
        child = subprocess.Popen(
            [*command, "--settings-json", json.dumps(SLOW)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            stored = 0
            while stored < 5 and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.1)
                if db.exists():
                    with Store(db) as store:
                        stored = store.count()
            assert child.poll() is None, "the crawl ended before it could be killed"
            helpers = _descendants(child.pid)
            # Two parser workers (plus, with a fork server, the server and Python's resource tracker).
            assert len(helpers) >= 2
            os.kill(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
            deadline = time.monotonic() + 10
            while (left := {p for p in helpers if _alive(p)}) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not left, f"processes outlived the killed crawl: {sorted(left)}"
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_parser_processes_do_not_load_the_crawler(tmp_path, parser_probe):
    """Parser processes are forked from a server that imported only the parser: not Scrapy, not Twisted."""
    with DemoPortal(seed=2, scale=1) as portal:
        overrides = {"XXGK_PARSER": f"{parser_probe}.modules_report", "XXGK_PARSE_WORKERS": 2}
        summary = crawl(portal.config(), db=tmp_path / "x.db", throttle=False, settings_overrides=overrides)
    assert summary.new > 0
    with Store(tmp_path / "x.db") as store:
        texts = [report.text for report in store.reports()]
    assert set(texts) == {"lean"}  # (the crawl process itself has both loaded)


def test_a_document_that_kills_its_parser_process_costs_only_itself(tmp_path, monkeypatch, parser_probe):
    """As when the OOM killer takes a parser process: that document fails with the reason, every other is stored."""
    db = tmp_path / "x.db"
    with DemoPortal(seed=2, scale=1, faults=False) as portal:
        doomed = sorted(portal.truth)[len(portal.truth) // 2]
        monkeypatch.setenv("PROBE_DIE_URL", doomed)
        overrides = {"XXGK_PARSER": f"{parser_probe}.dies_on_marked", "XXGK_PARSE_WORKERS": 2}
        summary = crawl(portal.config(), db=db, throttle=False, settings_overrides=overrides)
    broken_links = [(url, reason) for url, reason in summary.failures if reason.startswith("HTTP 404")]
    assert sorted(set(summary.failures) - set(broken_links)) == [(doomed, "parser process died: signal 9")]
    assert (summary.new, summary.status) == (len(portal.truth) - 1, "finished")
    with Store(db) as store:
        assert {report.url for report in store.reports()} == set(portal.truth) - {doomed}


def test_a_crawl_with_failed_documents_exits_non_zero_and_says_so(tmp_path):
    db = tmp_path / "x.db"
    with DemoPortal(seed=1, scale=1, faults=True) as portal:
        config = tmp_path / "sites.json"
        config.write_text(json.dumps(portal.config(), ensure_ascii=False), encoding="utf-8")
        command = [sys.executable, "-m", "xxgk.cli", "crawl", "--config", str(config), "--db", str(db), "--no-throttle"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    with Store(db) as store:
        (summary,) = store.runs()
    assert summary.failed > 0 and summary.status == "finished"
    assert result.returncode == 1, result.stderr
    assert f"{summary.failed} failed" in result.stdout
    assert f"{summary.failed} documents failed (listed above)" in result.stderr  # more than one here
