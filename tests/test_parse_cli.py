"""``xxgk parse``: exit codes, one-line errors, JSON and summary output, URL input from a local server."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from xxgk.cli import main
from xxgk.generate import generate, render

SEED = Path(__file__).parent / "fixtures" / "seeds" / "003_6e18e055b7681b91.txt"


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(SEED), "--json", "--region-hint", "河南省/安阳市/滑县"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["year"] == 2023 and record["agency"] == "牛屯镇" and record["format"] == "2021"
    assert record["region"] == {"province": "河南省", "city": "安阳市", "county": "滑县", "code": "410526"}
    assert [c["rule"] for c in record["checks"]] == [6]
    assert record["tables"]["requests.new"]["total"] == 0
    assert set(record["sections"]) >= {"overview", "requests"}


def test_summary_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(SEED), "--region-hint", '{"province": "河南省"}']) == 0
    out = capsys.readouterr().out
    assert "agency:    牛屯镇 (township)" in out
    assert "Table 2:   175/175 cells filled" in out
    rule6 = out.split("规则 6：")[1].splitlines()[0]
    assert "2023" in rule6 and "2022" in rule6
    assert "region:    河南省 [410000]" in out


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty document"), (bytes(range(256)) * 10, "binary data"), (b"%PDF-1.4 broken", "corrupt PDF")],
)
def test_unreadable_file_exit_code_and_one_line(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    proc = subprocess.run(
        [sys.executable, "-m", "xxgk.cli", "parse", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and reason in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_file_and_bad_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(tmp_path / "nope.html")]) == 1
    assert "No such file" in capsys.readouterr().err
    assert main(["parse", str(SEED), "--region-hint", "a/b/c/d"]) == 1
    assert "bad --region-hint" in capsys.readouterr().err


def test_url_input(static_site, capsys: pytest.CaptureFixture[str]) -> None:
    server = static_site({"/report.txt": ("text/plain; charset=utf-8", SEED.read_bytes())})
    try:
        base = server.base
        assert main(["parse", f"{base}/report.txt", "--json"]) == 0
        record = json.loads(capsys.readouterr().out)
        assert record["url"] == f"{base}/report.txt" and record["title"].startswith("牛屯镇")
        assert main(["parse", f"{base}/missing.txt"]) == 1
        err = capsys.readouterr().err
        assert "cannot fetch" in err and err.count("\n") == 1
    finally:
        server.close()


def test_summary_counts_unchecked_rules_in_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Real reports often leave zero cells blank: the summary says once per rule how many checks could not
    run, instead of a line for every row (``--json`` keeps each one)."""
    path = tmp_path / "blanks.txt"
    report = next(r for seed in range(50) if not (r := generate(random.Random(seed), blanks=True)).violated)
    path.write_bytes(render(report, "tsv"))
    assert main(["parse", str(path), "--json"]) == 0
    problems = json.loads(capsys.readouterr().out)["problems"]
    per_rule: dict[str, int] = {}
    for p in problems:
        if " not checked: blank " in p:
            rule = p.split()[1]
            per_rule[rule] = per_rule.get(rule, 0) + 1
    assert per_rule, "the generated report has blank cells"
    assert main(["parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "未能校验：" not in out
    shown = [line for line in out.splitlines() if line.startswith("unchecked:")]
    assert shown == [
        f"unchecked: 规则 {r} 有 {n} 处因单元格空白未能校验（--json 列出每一处）" for r, n in sorted(per_rule.items())
    ]


def test_a_mapped_old_row_is_not_listed_as_raw(realdocs, capsys: pytest.CaptureFixture[str]) -> None:
    """pdf-003 prints the single old （六）其他处理 row: mapped to requests.other_2019, it is no raw row."""
    assert main(["parse", str(realdocs / "pdf-003.txt")]) == 0
    out = capsys.readouterr().out
    assert "Table 2:   161/161 cells filled" in out and "raw rows" not in out


def test_a_reader_that_goes_away_is_no_traceback() -> None:
    cmd = f"{sys.executable} -m xxgk.cli parse {' '.join([str(SEED)] * 150)} | head -1"  # more than a pipe holds
    done = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("==> ") and done.stderr == ""
