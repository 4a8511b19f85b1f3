"""The hostile-input corpus (``xxgk.generate.hostile``): every case parses fully or fails with a one-line error
naming what was lost, never with a traceback, and no parse peaks above 1 GiB.

Each parse runs in a child process under a 3 GiB address-space ceiling (so a broken bound fails the test
instead of taking the machine down); its peak resident memory is the child's own ``ru_maxrss``.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from xxgk.generate import hostile

ROOT = Path(__file__).resolve().parent.parent
PEAK_LIMIT_KB = 1 << 20  # 1 GiB
CEILING = 3 << 30
RUNNER = """
import json, resource, sys
from xxgk.errors import UnreadableDocument
from xxgk.parse import parse_document
path, filename, content_type = sys.argv[1], sys.argv[2], sys.argv[3] or None
out = {}
try:
    report = parse_document(open(path, "rb").read(), url="http://127.0.0.1/" + filename, content_type=content_type,
                            filename=filename)
    out["problems"] = report.problems
    out["filled"] = sum(v is not None for row in report.tables.values() for v in row.values())
except UnreadableDocument as exc:
    out["error"] = str(exc)
out["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(out, ensure_ascii=False))
"""
CASES = {case.name: (case, build) for case, build in hostile.cases()}


def _ceiling() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CEILING, CEILING))


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    """name → what the child process made of that case (parsed once, on first use)."""
    folder = tmp_path_factory.mktemp("hostile")

    @functools.cache
    def parse(name: str) -> dict:
        case, build = CASES[name]
        path = folder / case.name
        path.write_bytes(build())
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        child = subprocess.run(
            [sys.executable, "-c", RUNNER, str(path), case.filename, case.content_type or ""],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
            preexec_fn=_ceiling,
        )
        assert "Traceback" not in child.stderr, child.stderr[-3000:]
        assert child.returncode == 0, child.stderr[-3000:]
        return json.loads(child.stdout)

    return parse


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_case(parsed, name: str) -> None:
    case, _ = CASES[name]
    result = parsed(name)
    assert result["peak_kb"] <= PEAK_LIMIT_KB, f"{name} peaked at {result['peak_kb'] >> 10} MB"
    if case.expect == "error":
        assert "error" in result, f"{name} should fail, parsed with problems {result.get('problems')}"
        error = result["error"]
        assert error and "\n" not in error and len(error) < 300
        assert case.note is None or case.note in error, error
        return
    assert "error" not in result, f"{name} should parse: {result.get('error')}"
    if case.note:
        assert any(case.note in p for p in result["problems"]), result["problems"]
    if case.same_as:
        clean = parsed(case.same_as)
        assert clean["filled"] > 150  # the clean report's tables are read (the control itself is sound)
        assert result["filled"] == clean["filled"], f"{name}: {result['filled']} cells, clean {clean['filled']}"


def test_corpus_script_writes_every_case(tmp_path) -> None:
    assert hostile.main([str(tmp_path)]) == 0
    listed = json.loads((tmp_path / "cases.json").read_text())
    assert [c["name"] for c in listed] == list(CASES)
    assert all((tmp_path / c["name"]).exists() for c in listed)
    assert (tmp_path / "zip-bomb-2gib.docx").stat().st_size < 16 << 20  # small file, 2 GiB inflated
