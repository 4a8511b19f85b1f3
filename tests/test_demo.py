"""``xxgk demo --serve``: the search page is served with the demo portal still up behind its 原文链接 links."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_demo_serve_keeps_the_portal_up(free_port, tmp_path):
    port, db = free_port(), tmp_path / "demo.db"
    command = [sys.executable, "-m", "xxgk.cli", "demo", "--serve", "--port", str(port), "--db", str(db)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    output = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    child = subprocess.Popen(command, cwd=tmp_path, env=env, **output)
    try:
        deadline, answer = time.monotonic() + 300, None
        while answer is None and time.monotonic() < deadline and child.poll() is None:
            try:
                answer = json.loads(get(f"http://127.0.0.1:{port}/api/search?q=")[1])
            except OSError:
                time.sleep(0.5)
        assert answer is not None, "the search page never came up"
        sources = [hit["url"] for hit in answer["hits"]]
        assert sources and all(url.startswith("http://127.0.0.1:") for url in sources)
        for url in sources[:3]:
            status, body = get(url)  # the 原文链接 of the page: the demo portal still serves it
            assert status == 200 and body
    finally:
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=60)
    assert "to crawl it again: DEMO_PORTAL_TRS=http://127.0.0.1:" in out
    assert "xxgk crawl --config config/demo.yaml" in out


def test_demo_leaves_a_store_of_other_reports_alone(tmp_path, capsys):
    from xxgk.cli import main
    from xxgk.model import Report, report_id
    from xxgk.store import Store

    db = tmp_path / "mine.db"
    with Store(db) as store:
        url = "http://www.example.gov.cn/r.html"
        store.save(Report(id=report_id(url), url=url, title="报告", content_hash="h"))
    assert main(["demo", "--db", str(db)]) == 2
    assert "holds 1 reports that are not from a demo" in capsys.readouterr().err
    with Store(db) as store:
        assert store.count() == 1
