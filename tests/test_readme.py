"""The README's commands run as written, after its set-up command (``xxgk demo``), in a fresh folder.

Every command line of every ``sh`` block is either run (exit status 0) or listed in ``NOT_RUN`` with the
reason, so a command added to the README without a way to run it here fails this test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SETUP = "pip install -e . && xxgk demo"
MEILI = "needs a Meilisearch server (tests/test_meili_live.py)"
REDIS = "HOST is a placeholder (tests/test_distributed_crawl.py runs both on a Redis of its own)"
NOT_RUN = {
    "pip install -e '.[test]' && python -m pytest": "the test command itself",
    "xxgk crawl --config config/sites.yaml --jobdir data/job": "crawls the real portals: no network in tests",
    "scrapy crawl disclosure -a site=guiyang -a config=config/sites.yaml": "the real portals: no network in tests",
    "xxgk serve": "a server that runs until stopped (tests/test_web*.py serve the same app)",
    "xxgk probe https://www.example.gov.cn/col/col1234/index.html": "a real portal: no network in tests"
    " (tests/test_probe.py probes every demo site)",
    "export MEILI_URL=http://127.0.0.1:7700 MEILI_MASTER_KEY=…": MEILI,
    "xxgk index --backend meilisearch": MEILI,
    "xxgk serve --backend meilisearch": MEILI,
    "redis-server --port 6379 --appendonly yes --maxmemory 2gb --maxmemory-policy noeviction": "a server on a fixed"
    " port (tests/test_distributed_crawl.py starts its own)",
    "xxgk ingest --redis redis://HOST:6379/0 --run-name 2025": REDIS,
    "xxgk crawl --redis redis://HOST:6379/0 --run-name 2025 --config config/sites.yaml": REDIS,
}


def readme_commands() -> list[str]:
    """Each command line of the README's ``sh`` blocks, without its trailing comment."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command and not command.startswith("#"):
                commands.append(" ".join(command.split()))
    return commands


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder laid out like a checkout (config/, tests/ linked in) with ``xxgk`` on PATH, after ``xxgk demo``."""
    work = tmp_path_factory.mktemp("readme")
    for name in ("config", "tests"):
        (work / name).symlink_to(ROOT / name)
    bin_dir = work / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "xxgk"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m xxgk.cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("XXGK_DB", "MEILI_URL", "MEILI_KEY", "MEILI_MASTER_KEY")}
    env |= {"PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", "PYTHONPATH": str(ROOT)}
    demo = SETUP.split("&&", 1)[1].strip()  # the project is importable already: no pip install here
    result = subprocess.run(demo, shell=True, cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return work, env


def test_the_setup_command_is_the_one_this_test_runs():
    assert SETUP in readme_commands()


def test_every_readme_command_runs_as_written(workdir):
    work, env = workdir
    commands = [c for c in readme_commands() if c != SETUP]
    assert {c for c in commands if c in NOT_RUN} == set(NOT_RUN), "NOT_RUN lists a command the README lost"
    outputs = {}
    for command in (c for c in commands if c not in NOT_RUN):
        result = subprocess.run(command, shell=True, cwd=work, env=env, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
        outputs[command] = result.stdout
    searches = [out for command, out in outputs.items() if command.startswith("xxgk search 行政复议")]
    assert searches and not searches[0].startswith("0 reports"), "the README's search finds the demo's reports"
    assert (work / "reports.jsonl").stat().st_size > 0
