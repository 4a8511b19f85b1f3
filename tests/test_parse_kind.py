"""Documents that are not annual reports say so; cells that are not numbers stay blank; output is strict JSON."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pytest

from xxgk.cli import main
from xxgk.generate import GeneratedReport, generate, render
from xxgk.parse import parse_document, parse_text
from xxgk.parse.kind import NOT_A_REPORT
from xxgk.schema import MAX_VALUE

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
FILENAMES = {"tsv": "t.txt", "pipe": "t.txt", "html_grid": "t.html", "html_messy": "t.htm", "docx": "t.docx"}

NOTICE = """关于做好2023年度政府信息公开工作年度报告编制发布工作的通知
各乡镇人民政府、街道办事处，县政府各部门：
根据《中华人民共和国政府信息公开条例》规定，现就做好2023年度政府信息公开工作年度报告编制发布工作通知如下：
一、严格按照国务院办公厅政府信息公开办公室印发的格式编制年度报告，包括总体情况、主动公开政府信息情况、
收到和处理政府信息公开申请情况等内容。
二、各单位应于2024年1月31日前在政府门户网站政府信息公开专栏发布年度报告。
三、联系人：张三，联系电话：0391-1234567。
某某县人民政府办公室
2024年1月5日
"""

INTERPRETATION = """《某某区人民政府2023年政府信息公开工作年度报告》解读
一、总体情况
2023年，某某区坚持以公开为常态、不公开为例外，全年主动公开政府信息3216条。
二、主动公开政府信息情况
全年制发规范性文件12件，公开行政许可决定1850件、行政处罚决定366件。
三、收到和处理政府信息公开申请情况
全年新收政府信息公开申请125件，上年结转6件，均已依法答复。
四、政府信息公开行政复议、行政诉讼情况
因政府信息公开被申请行政复议3件，被提起行政诉讼2件。
"""

NEWS = """某某县召开2024年政务公开工作推进会
3月12日上午，县政府召开政务公开工作推进会，总结去年工作，部署今年任务。
会议要求，各单位要提高认识，压实责任，确保各项任务落到实处。
"""


def blank_template(table_format: str, *, prose: bool) -> GeneratedReport:
    """A generated report with every table value blank (and, unless ``prose``, no prose under the headings)."""
    report = generate(random.Random(f"template-{table_format}"), table_format=table_format)
    tables = {row: dict.fromkeys(cols) for row, cols in report.tables.items()}
    sections = report.sections if prose else dict.fromkeys(report.sections, "")
    return dataclasses.replace(report, tables=tables, sections=sections)


def _not_a_report(report) -> list[str]:
    return [p for p in report.problems if p.startswith(NOT_A_REPORT)]


@pytest.mark.parametrize("layout", list(FILENAMES))
@pytest.mark.parametrize("table_format", ["2021", "2019"])
@pytest.mark.parametrize("prose", [False, True])
def test_blank_template_is_not_a_report(layout, table_format, prose):
    template = blank_template(table_format, prose=prose)
    report = parse_document(render(template, layout), filename=FILENAMES[layout])
    (reason,) = _not_a_report(report)
    assert reason.startswith(f"{NOT_A_REPORT}: a blank template (")
    assert report.checks == []
    assert not any("not checked" in p for p in report.problems)


@pytest.mark.parametrize(
    ("text", "reason"),
    [(NOTICE, "a notice (通知), by its title"), (INTERPRETATION, "an interpretation (解读) of a report, by its title")],
)
def test_notice_and_interpretation_are_not_reports(text, reason):
    report = parse_text(text)
    assert _not_a_report(report) == [f"{NOT_A_REPORT}: {reason}"]
    assert report.checks == []


def test_page_without_headings_or_tables_is_not_a_report():
    report = parse_text(NEWS)
    assert _not_a_report(report) == [f"{NOT_A_REPORT}: no section heading and no table of the report format"]


def test_traditional_interpretation_title():
    report = parse_text(INTERPRETATION.replace("解读", "解讀", 1))
    assert len(_not_a_report(report)) == 1


@pytest.mark.parametrize("name", sorted(p.stem for p in SEEDS.glob("*.txt")))
def test_seeds_stay_reports(name):
    assert _not_a_report(parse_text((SEEDS / f"{name}.txt").read_text(encoding="utf-8"))) == []


def test_generated_reports_stay_reports_even_unfilled_in_part():
    rng = random.Random(21)
    for i in range(40):
        report = generate(rng, blanks=True, table_format="2019" if i % 2 else "2021")
        parsed = parse_document(render(report, "tsv"), filename="r.txt")
        assert _not_a_report(parsed) == [], (i, parsed.problems[:3])


def test_report_whose_tables_are_missing_is_still_a_report():
    """Tables published as images: the headings and prose are there, the rows are not."""
    report = generate(random.Random(5))
    text = report.text()
    parsed = parse_text(text)
    assert "no disclosure tables found" in parsed.problems
    assert _not_a_report(parsed) == []


def test_breadcrumb_naming_a_notice_column_does_not_make_a_report_a_notice():
    """A report page without a recognised title whose first line is the portal's 通知公告 breadcrumb."""
    report = generate(random.Random(6))
    body = report.text().split("\n", 1)[1]  # no title line
    parsed = parse_text("首页 > 政务公开 > 通知公告\n" + body)
    assert parsed.title is None
    assert _not_a_report(parsed) == []


def test_cli_prints_one_outcome_line_for_a_template(tmp_path, capsys):
    path = tmp_path / "template.txt"
    path.write_bytes(render(blank_template("2021", prose=False), "tsv"))
    assert main(["parse", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    outcome = [line for line in out if NOT_A_REPORT in line]
    assert len(outcome) == 1 and outcome[0].startswith("outcome:   not an annual report: a blank template")
    assert not any(line.startswith(("checks:", "Table ", "problem:")) for line in out)
    assert len(out) <= 8


def test_cli_summary_of_a_2019_report_counts_its_own_table_1(tmp_path, capsys):
    path = tmp_path / "old.txt"
    path.write_bytes(render(generate(random.Random(3), table_format="2019"), "tsv"))
    assert main(["parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "format:    2019" in out
    assert "Table 1:   22/22 cells filled" in out and "Table 2:   161/161 cells filled" in out


# -- numbers that are not numbers --------------------------------------------------------------------


@pytest.mark.parametrize("digits", [13, 40, 400])
def test_huge_cell_is_null_with_raw_text_and_a_problem(tsv, digits, tmp_path, capsys):
    huge = "9" * digits
    report = parse_text(tsv.with_new_total(huge))
    assert report.tables["requests.new"]["total"] is None
    assert report.cells_raw["requests.new.total"] == huge
    (problem,) = [p for p in report.problems if p.startswith("requests.new.total:")]
    assert f"more than {MAX_VALUE:,}" in problem and len(problem) < 120
    assert tsv.strict_json(report.to_json())["tables"]["requests.new"]["total"] is None
    path = tmp_path / "huge.txt"
    path.write_text(tsv.with_new_total(huge), encoding="utf-8")
    assert main(["parse", str(path), "--json"]) == 0
    assert tsv.strict_json(capsys.readouterr().out)["cells_raw"]["requests.new.total"] == huge


def test_largest_allowed_value_is_kept_exactly(tsv):
    report = parse_text(tsv.with_new_total(str(MAX_VALUE)))
    assert report.tables["requests.new"]["total"] == MAX_VALUE


def test_record_json_refuses_nan_and_infinity(tsv):
    report = parse_text(tsv.with_new_total("7"))
    report.tables["requests.new"]["total"] = float("inf")
    with pytest.raises(ValueError):
        report.to_json()


def test_negative_count_fails_rule_5_naming_the_cell(tsv):
    report = parse_text(tsv.with_new_total("-3"))
    (check,) = [c for c in report.checks if c.rule == 5]
    assert check.cells == ["requests.new.total"]
    assert "negative" in check.message and "requests.new.total" in check.message


def test_2019_negative_change_passes_but_negative_decisions_fail():
    report = generate(random.Random(8), table_format="2019")
    tables = {row: dict(cols) for row, cols in report.tables.items()}
    tables["proactive_2019.fees"]["change"] = -2
    tables["proactive_2019.penalty"]["decisions"] = -4
    tables["proactive.penalty"]["decisions"] = -4
    data = render(dataclasses.replace(report, tables=tables), "tsv")
    parsed = parse_document(data, filename="r.txt")
    assert parsed.tables["proactive_2019.fees"]["change"] == -2
    assert parsed.tables["proactive.penalty"] == {"decisions": -4}
    (check,) = [c for c in parsed.checks if c.rule == 5]
    assert set(check.cells) == {"proactive_2019.penalty.decisions", "proactive.penalty.decisions"}
