"""The crawl and export commands' contracts: configuration errors exit non-zero, export writes one record per line."""

from __future__ import annotations

import json

from xxgk.cli import main
from xxgk.model import Region, Report, report_id
from xxgk.store import Store


def test_crawl_rejects_a_bad_configuration(tmp_path, capsys):
    config = tmp_path / "sites.yaml"
    config.write_text("sites:\n  - name: a\n    start_urls: [ftp://x/]\n", encoding="utf-8")
    assert main(["crawl", "--config", str(config), "--db", str(tmp_path / "x.db")]) == 2
    assert "not an absolute http(s) URL" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()


def test_crawl_rejects_an_unknown_site(tmp_path, capsys):
    config = tmp_path / "sites.yaml"
    config.write_text("sites:\n  - name: a\n    start_urls: [http://127.0.0.1:9/]\n", encoding="utf-8")
    assert main(["crawl", "--config", str(config), "--site", "b", "--db", str(tmp_path / "x.db")]) == 2
    assert "unknown site" in capsys.readouterr().err


def test_export_writes_every_record_as_json_lines(tmp_path):
    db = tmp_path / "x.db"
    with Store(db) as store:
        for n in (2, 1):
            url = f"http://x.gov.cn/{n}.html"
            store.save(
                Report(
                    id=report_id(url),
                    url=url,
                    title=f"报告{n}",
                    site="x",
                    region=Region(province="甲省"),
                    tables={"requests.new": {"total": n, "legal": None}},
                    content_hash=str(n),
                )
            )
    out = tmp_path / "out" / "reports.jsonl"
    assert main(["export", "--db", str(db), "--format", "jsonl", "--output", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["url"] for r in records] == ["http://x.gov.cn/1.html", "http://x.gov.cn/2.html"]
    assert records[0]["tables"] == {"requests.new": {"total": 1, "legal": None}}
    assert records[0]["region"]["province"] == "甲省" and records[0]["site"] == "x"
    assert Report.from_dict(records[1]).title == "报告2"


def test_export_without_a_store_is_an_error(tmp_path, capsys):
    assert main(["export", "--db", str(tmp_path / "none.db")]) == 2
    assert "no store" in capsys.readouterr().err


def test_ctrl_c_says_the_crawl_was_interrupted_and_how_to_resume(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from xxgk.portal import DemoPortal

    root = Path(__file__).resolve().parents[1]
    db = tmp_path / "x.db"
    with DemoPortal(seed=4, scale=1, faults=False) as portal:
        config = tmp_path / "sites.json"
        config.write_text(json.dumps(portal.config(), ensure_ascii=False), encoding="utf-8")
        command = [sys.executable, "-m", "xxgk.cli", "crawl", "--config", str(config), "--db", str(db)]
        env = {**os.environ, "PYTHONPATH": str(root)}
        child = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline, stored = time.monotonic() + 120, 0
            while stored < 2 and time.monotonic() < deadline and child.poll() is None:
                time.sleep(0.2)
                if db.exists():
                    with Store(db) as store:
                        stored = store.count()
            assert child.poll() is None, "the crawl (politeness on) ended before Ctrl-C"
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=120)
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == 1
    with Store(db) as store:
        (run,) = store.runs()
    assert run.status == "interrupted" and 0 < run.new < len(portal.truth)
    assert f"run {run.id} (" in out
    assert f"crawl interrupted (shutdown): run {run.id} is incomplete; run the same command again to resume" in err
