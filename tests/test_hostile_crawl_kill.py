"""``xxgk crawl`` end to end when one document kills every parser process that tries it (as the OOM killer
would): that document alone is lost, recorded with its reason, every other is stored, and the exit status is 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from xxgk.portal import DemoPortal
from xxgk.store import Store

ROOT = Path(__file__).resolve().parents[1]
# The CLI has no switch for the parser: the child swaps in the probe's before the crawl reads its settings.
CHILD = """
import sys
import crawler.settings
crawler.settings.XXGK_PARSER = sys.argv.pop(1)
crawler.settings.XXGK_PARSE_WORKERS = 2
from xxgk.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_cli_crawl_loses_only_the_killing_document_and_exits_1(tmp_path, parser_probe) -> None:
    db = tmp_path / "x.db"
    with DemoPortal(seed=2, scale=1, faults=False) as portal:
        doomed = sorted(portal.truth)[len(portal.truth) // 3]
        config = tmp_path / "sites.json"
        config.write_text(json.dumps(portal.config(), ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "PROBE_DIE_URL": doomed}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env["PYTHONPATH"]])
        command = [
            sys.executable,
            "-c",
            CHILD,
            f"{parser_probe}.dies_on_marked",
            "crawl",
            "--config",
            str(config),
            "--db",
            str(db),
            "--no-throttle",
        ]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    died = [line for line in result.stdout.splitlines() if "parser process died" in line]
    assert died == [f"  failed {doomed}: parser process died: signal 9"]
    with Store(db) as store:
        (summary,) = store.runs()
        stored = {report.url for report in store.reports()}
    assert stored == set(portal.truth) - {doomed}
    assert summary.status == "finished" and summary.new == len(portal.truth) - 1
    assert (doomed, "parser process died: signal 9") in summary.failures
    assert all(reason.startswith("HTTP ") for url, reason in summary.failures if url != doomed)  # the portal's own
    assert f"{summary.failed} documents failed (listed above)" in result.stderr
