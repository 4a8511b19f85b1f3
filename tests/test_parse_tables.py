"""Table parsing rules: blanks never 0, units and separators, misaligned rows, formats, checks."""

from __future__ import annotations

import pytest

from xxgk.model import Region
from xxgk.parse import parse_text
from xxgk.parse.labels import match_label
from xxgk.parse.region import agency_level, find_region
from xxgk.schema import REQUEST_LABELS, REQUEST_ROWS


def test_consistent_report_parses_clean(tsv) -> None:
    report = parse_text(tsv.render(tsv.consistent()))
    assert report.checks == [] and report.problems == []
    assert report.tables["requests.new"] == dict(
        natural_person=5, commercial=2, research=0, social=0, legal=0, other_org=0, total=7
    )
    assert report.tables["proactive.fees"]["amount_10k_yuan"] == 1.5
    assert report.tables["review"]["total"] == 1


@pytest.mark.parametrize("marker", ["", "/", "—", "-", "无", "／"])
def test_blank_and_dash_are_none_never_zero(tsv, marker: str) -> None:
    rows = tsv.consistent()
    rows["requests.granted"][1] = marker
    report = parse_text(tsv.render(rows))
    assert report.tables["requests.granted"]["commercial"] is None
    assert report.cells_raw["requests.granted.commercial"] == marker
    # Rules touching the blank cell are skipped and said to be unchecked, not failed.
    assert all("requests.granted.commercial" not in c.cells for c in report.checks)
    assert any("not checked" in p and "requests.granted.commercial" in p for p in report.problems)


@pytest.mark.parametrize(("printed", "value"), [("1,234", 1234), ("０", 0), ("７件", 7), ("12", 12)])
def test_numbers_with_separators_units_fullwidth(tsv, printed: str, value: int) -> None:
    rows = tsv.consistent()
    rows["proactive.licensing"] = [printed]
    report = parse_text(tsv.render(rows))
    assert report.tables["proactive.licensing"]["decisions"] == value
    assert ("proactive.licensing.decisions" in report.cells_raw) == (printed != "12")


def test_fee_in_yuan_kept_as_printed_and_reported(tsv) -> None:
    rows = tsv.consistent()
    rows["proactive.fees"] = ["251000元"]
    report = parse_text(tsv.render(rows))
    assert report.tables["proactive.fees"]["amount_10k_yuan"] == 251000.0
    assert report.cells_raw["proactive.fees.amount_10k_yuan"] == "251000元"
    assert any("251000元" in p for p in report.problems)


def test_extra_value_resolved_by_rule3(tsv) -> None:
    rows = tsv.consistent()
    rows["requests.new"] = ["", "9", "5", "2", "0", "0", "0", "0", "7"]  # stray leading value
    report = parse_text(tsv.render(rows))
    assert report.tables["requests.new"]["natural_person"] == 5
    assert report.tables["requests.new"]["total"] == 7


def test_unresolvable_row_reported_not_guessed(tsv) -> None:
    rows = tsv.consistent()
    rows["requests.new"] = ["5", "2", "0", "0", "0", "0", "7", "8"]  # only the first window satisfies rule 3
    rows["requests.granted"] = ["1", "1", "0", "0", "0", "0", "1", "0"]  # neither window satisfies rule 3
    report = parse_text(tsv.render(rows))
    assert report.tables["requests.new"]["total"] == 7
    assert set(report.tables["requests.granted"].values()) == {None}
    assert any(p.startswith("requests.granted: 8 values for 7 columns") for p in report.problems)


def test_short_row_reported(tsv) -> None:
    rows = tsv.consistent()
    rows["requests.carried_over"] = ["0", "0", "0"]
    report = parse_text(tsv.render(rows))
    assert set(report.tables["requests.carried_over"].values()) == {None}
    assert "requests.carried_over: 3 values for 7 columns" in report.problems


def replace_table(text: str, start: str, end: str, lines: list[str]) -> str:
    """``text`` with the lines between the headings ``start`` and ``end`` replaced."""
    head, rest = text.split(start + "\n")
    _, tail = rest.split(end)
    return head + start + "\n" + "\n".join(lines) + "\n" + end + tail


def test_grid_lines_keep_empty_fields_as_blank_cells(tsv) -> None:
    rows = tsv.consistent()
    rows["requests.new"] = ["", "2", "0", "0", "0", "0", "7"]  # label spans three columns
    rows["requests.granted"] = ["", "2", "0", "0", "0", "0", "7"]  # label spans two columns
    rows["requests.denied.query_matters"] = [""] * 7  # an all-blank row before a row with empty lead fields
    rows["requests.unavailable.needs_creation"] = ["", "0", "0", "0", "0", "0", "0"]
    rows["requests.total"] = ["5", "2", "0", "0", "0", "0", ""]
    lines = tsv.grid_requests(rows)
    assert "\t\t2.没有现成信息需要另行制作\t\t0\t0\t0\t0\t0\t0" in lines
    text = replace_table(tsv.render(rows), "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议", lines)
    report = parse_text(text)
    assert not any("values for" in p for p in report.problems), report.problems
    assert report.tables["requests.new"] == dict(
        natural_person=None, commercial=2, research=0, social=0, legal=0, other_org=0, total=7
    )
    assert report.tables["requests.granted"]["natural_person"] is None
    assert report.tables["requests.granted"]["total"] == 7
    assert set(report.tables["requests.denied.query_matters"].values()) == {None}
    needs_creation = report.tables["requests.unavailable.needs_creation"]
    assert needs_creation["natural_person"] is None and needs_creation["total"] == 0
    assert report.tables["requests.total"]["total"] is None
    assert report.tables["requests.unavailable.unclear"]["natural_person"] == 0
    assert report.cells_raw["requests.new.natural_person"] == ""
    assert report.checks == []  # every broken-looking sum involves a blank: unchecked, not failed


def test_grid_line_blank_cell_does_not_hide_a_broken_rule(tsv) -> None:
    rows = tsv.consistent()
    rows["requests.unavailable.needs_creation"] = ["", "1", "0", "0", "0", "0", "0"]  # rule 2: results 3 ≠ total 2
    text = replace_table(
        tsv.render(rows), "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议", tsv.grid_requests(rows)
    )
    report = parse_text(text)
    assert report.tables["requests.unavailable.needs_creation"]["commercial"] == 1
    assert [c.rule for c in report.checks] == [2]
    assert "requests.unavailable.needs_creation.commercial" in report.checks[0].cells


def test_review_values_line_with_empty_fields(tsv) -> None:
    rows = tsv.consistent()
    values = "\t无\t无\t\t无\t0\t0\t2\t2\t4\t3\t0\t3\t1\t7"
    lines = [
        "行政复议" + "\t" * 5 + "行政诉讼" + "\t" * 9,
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\t\t\t\t",
        "\t" * 5 + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2),
        values,
    ]
    report = parse_text(replace_table(tsv.render(rows), "四、政府信息公开行政复议、行政诉讼情况", "五、", lines))
    assert not any("Table 3" in p for p in report.problems), report.problems
    assert set(report.tables["review"].values()) == {None}
    assert report.cells_raw["review.upheld"] == "" and report.cells_raw["review.corrected"] == "无"
    assert report.tables["litigation_direct"] == dict(upheld=0, corrected=0, other=2, pending=2, total=4)
    assert report.tables["litigation_after_review"] == dict(upheld=3, corrected=0, other=3, pending=1, total=7)


def test_one_cell_per_line_keeps_tab_only_lines_as_blank_cells(tsv) -> None:
    rows = tsv.consistent()
    rows["requests.new"] = ["5", "", "0", "0", "0", "0", "7"]
    rows["requests.granted"] = ["", "", "", "", "", "", ""]
    blocks = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]]
    blocks.append(["", "自然人", "法人或其他组织", "总计"])  # "" : the cell merged from the row above
    blocks.append(["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""])
    number = 0
    for row in REQUEST_ROWS:
        number = 1 if row in tsv.GROUP_LEADS else number + 1
        labels = [cell for cell in tsv.grid_label_cells(row, number) if cell] or [""]
        blocks.append(labels + rows[row])
    lines = "\n\n".join("\n".join(f"\t{cell}" for cell in block) for block in blocks).split("\n")
    text = replace_table(tsv.render(rows), "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议", lines)
    report = parse_text(text)
    assert not any("values for" in p for p in report.problems), report.problems
    assert report.tables["requests.new"]["commercial"] is None
    assert report.tables["requests.new"]["total"] == 7
    assert set(report.tables["requests.granted"].values()) == {None}
    assert report.tables["requests.partially_granted"]["natural_person"] == 0
    assert report.tables["requests.total"]["total"] == 7


def test_misaligned_grid_lines_are_not_read_by_column(tsv) -> None:
    """Rows whose values start in different columns give no column layout: empty fields are not placed."""
    rows = tsv.consistent()
    lines = [f"{tsv.NUMBERED.get(r, REQUEST_LABELS[r])}\t\t" + "\t".join(rows[r]) + "\t" for r in REQUEST_ROWS]
    lines[0] = f"{tsv.NUMBERED['requests.new']}\t\t\t" + "\t".join(rows["requests.new"])  # shifted one column
    lines[1] = f"{tsv.NUMBERED['requests.carried_over']}\t\t\t\t0\t0\t0\t0\t0\t0\t"  # empty field: where?
    text = replace_table(tsv.render(rows), "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议", lines)
    report = parse_text(text)
    assert report.tables["requests.new"]["natural_person"] == 5
    assert report.tables["requests.new"]["total"] == 7
    assert set(report.tables["requests.carried_over"].values()) == {None}
    assert "requests.carried_over: 6 values for 7 columns" in report.problems


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        (1, ("requests.carried_forward", 6, "3")),
        (2, ("requests.denied.state_secret", 0, "1")),
        (3, ("requests.carried_over", 0, "2")),
        (4, ("litigation_direct", 0, "2")),
        (5, ("proactive.penalty", 0, "-1")),
    ],
)
def test_each_rule_detected(tsv, rule: int, change: tuple[str, int, str]) -> None:
    rows = tsv.consistent()
    row, i, printed = change
    rows[row][i] = printed
    report = parse_text(tsv.render(rows))
    assert rule in {c.rule for c in report.checks}
    failing = next(c for c in report.checks if c.rule == rule)
    assert any(cell.startswith(row) for cell in failing.cells)


def test_rule6_and_rule7(tsv) -> None:
    report = parse_text(tsv.render(tsv.consistent(), title_year=2024, text_year=2023))
    assert [c.rule for c in report.checks] == [6]
    report = parse_text(tsv.render(tsv.consistent(), prose="全年共受理政府信息公开申请9件。"))
    assert [c.rule for c in report.checks] == [7]
    assert "prose vs table" in report.checks[0].message
    report = parse_text(tsv.render(tsv.consistent(), prose="全年共受理政府信息公开申请7件。"))
    assert report.checks == []


def test_hybrid_single_other_row(tsv) -> None:
    rows = tsv.consistent()
    for row in ("requests.other.no_correction", "requests.other.no_fee", "requests.other.other"):
        del rows[row]
    text = tsv.render(rows).replace("（七）总计", "（六）其他处理\t1\t0\t0\t0\t0\t0\t1\n（七）总计")
    report = parse_text(text)
    assert report.format == "2021"
    assert report.tables_raw == {"（六）其他处理": [1, 0, 0, 0, 0, 0, 1]}
    assert report.tables["requests.other_2019"] == dict(
        natural_person=1, commercial=0, research=0, social=0, legal=0, other_org=0, total=1
    )
    assert not any(row.startswith("requests.other.") for row in report.tables)
    # Rule 2 counts the single row: 7 granted + 1 other ≠ total 7.
    assert {c.rule for c in report.checks} == {2}
    assert {cell for c in report.checks for cell in c.cells} >= {"requests.other_2019.total", "requests.total.total"}


def test_2019_format_maps_to_its_own_keys() -> None:
    text = "\n".join(
        [
            "某某局2019年政府信息公开工作年度报告",
            "一、总体情况",
            "2019年，我局推进公开。",
            "二、主动公开政府信息情况",
            "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
            "规章\t0\t0\t2",
            "规范性文件\t3\t3\t10",
            "信息内容\t上一年项目数量\t本年增/减\t处理决定数量",
            "行政许可\t12\t-2\t340",
            "三、收到和处理政府信息公开申请情况",
            "一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1",
            "五、存在的主要问题及改进情况",
            "无。",
        ]
    )
    report = parse_text(text)
    assert report.format == "2019"
    assert report.tables["proactive_2019.regulations"] == {"made": 0, "published": 0, "total_public": 2}
    assert report.tables["proactive_2019.normative_documents"] == {"made": 3, "published": 3, "total_public": 10}
    assert report.tables["proactive_2019.licensing"] == {"previous_items": 12, "change": -2, "decisions": 340}
    assert report.tables["proactive.licensing"] == {"decisions": 340}
    assert "proactive.regulations" not in report.tables and "requests.other.other" not in report.tables
    assert report.tables["requests.new"]["total"] == 1
    assert report.tables["requests.other_2019"] == dict.fromkeys(report.tables["requests.new"])
    assert "requests.other_2019: row not found" in report.problems
    assert not any(c.rule == 5 for c in report.checks), "本年增/减 may be negative"


def test_report_without_tables_says_so() -> None:
    report = parse_text("某某镇2023年政府信息公开工作年度报告\n一、总体情况\n2023年我镇认真开展工作。")
    assert report.format == "unknown"
    assert report.tables == {}
    assert "no disclosure tables found" in report.problems


@pytest.mark.parametrize(
    ("printed", "row"),
    [
        ("2.其他法律法规禁止公开", "requests.denied.prohibited_by_law"),
        ("2.其他法律行政止公开", "requests.denied.prohibited_by_law"),
        ("1、申请人无正当理由逾期不补", "requests.other.no_correction"),
        ("4.无正当理由大量反复 申请", "requests.not_processed.excessive"),
        ("（二）部分公开（区分处理的", "requests.partially_granted"),
        ('3.危及"三安全一稳定"', "requests.denied.security_stability"),
        ("本年度止件数", None),
        ("其他结果", None),
        ("信息内容", None),
    ],
)
def test_label_matching(printed: str, row: str | None) -> None:
    assert match_label(printed) == row


@pytest.mark.parametrize(
    ("agency", "level"),
    [
        ("江苏省人民政府", "province"),
        ("北京市人民政府", "province"),
        ("淮安市人民政府", "city"),
        ("卫辉市人民政府", "county"),
        ("淮安市洪泽区人民政府", "county"),
        ("永兴傣族乡人民政府", "township"),
        ("城关街道办事处", "township"),
        ("淮安市教育局", "department"),
        ("淮安市人民政府办公室", "department"),
    ],
)
def test_agency_level(agency: str, level: str) -> None:
    assert agency_level(agency) == level


def test_region_sources() -> None:
    assert find_region(["淮安市洪泽区人民政府"], None, None) == Region("江苏省", "淮安市", "洪泽区", "320813")
    assert find_region([], "4107810001", None) == Region("河南省", "新乡市", "卫辉市", "410781")
    assert find_region(["抚远镇人民政府"], None, None) == Region()  # a township alone is not guessed
    hinted = find_region(["牛屯镇"], None, Region("河南省", "安阳市", "滑县"))
    assert hinted == Region("河南省", "安阳市", "滑县", "410526")
    # The hint wins over names in the text that point elsewhere.
    assert find_region(["淮安市人民政府"], None, Region("河南省", None, None)).province == "河南省"
