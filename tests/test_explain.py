"""Failed checks and parser problems explained in Chinese, with the tables' own labels."""

from __future__ import annotations

import random
import re

import pytest

from xxgk.explain import cell_label, disagreeing_cells, explain_check, explain_problem
from xxgk.generate.numbers import consistent_tables, violate
from xxgk.model import Check, Report
from xxgk.parse.checks import check_prose, check_tables, check_year
from xxgk.schema import RESULT_ROWS, TABLE_ROWS, cells

LATIN = re.compile(r"[A-Za-z_]{2,}|!=")  # an English word or a key such as natural_person


def zero_tables() -> dict:
    return {row: dict.fromkeys(cols, 0) for row, cols in TABLE_ROWS.items()}


@pytest.mark.parametrize("rule", [1, 2, 3, 4, 5])
def test_every_table_rule_reads_as_chinese(rule):
    for seed in range(30):
        tables = consistent_tables(random.Random(seed), "county")
        violate(random.Random(seed), tables, rule)
        report = Report(id="x", tables=tables)
        checks = check_tables(tables).checks
        assert {c.rule for c in checks} == {rule}
        for check in checks:
            text = explain_check(check, report)
            assert not LATIN.search(text), text
            assert set(disagreeing_cells(check, report)) <= set(check.cells)


def test_rule_2_names_the_figures_and_boxes_only_the_cells_that_disagree():
    tables = zero_tables()
    tables["requests.new"].update(natural_person=2, total=2)
    tables["requests.granted"].update(natural_person=2, total=2)
    tables["requests.total"].update(natural_person=1, total=1)  # 2 granted, but the total says 1
    tables["requests.carried_forward"].update(natural_person=1, total=1)
    report = Report(id="x", tables=tables)
    rule2 = [c for c in check_tables(tables).checks if c.rule == 2]
    assert [len(c.cells) for c in rule2] == [1 + len(RESULT_ROWS)] * 2  # natural_person and total columns
    first = rule2[0]
    assert (
        explain_check(first, report)
        == "表二“自然人”列：办理结果总计为 1 件，而各项办理结果之和为 2 件（予以公开 2 件）"
    )
    assert disagreeing_cells(first, report) == ["requests.total.natural_person", "requests.granted.natural_person"]


def test_rule_3_and_the_other_rules_in_chinese():
    tables = zero_tables()
    tables["requests.new"].update(natural_person=5, commercial=2, total=9)
    report = Report(id="x", tables=tables)
    rule3 = next(c for c in check_tables(tables).checks if c.rule == 3)
    assert explain_check(rule3, report) == "表二“本年新收政府信息公开申请数量”行：总计为 9 件，而各类申请人之和为 7 件"
    year = check_year(2023, [2022, 2022])
    assert year is not None and explain_check(year, report) == "标题写的是 2023 年，正文报告的却是 2022 年的情况"
    tables["requests.new"]["total"] = 4
    prose = check_prose("本年度共收到政府信息公开申请9件。", tables)
    assert explain_check(prose[0], report) == "正文写“收到政府信息公开申请9件”（9 件），而表二本年新收申请总计为 4 件"
    assert explain_check(Check(9, "new rule", ["requests.new.total"]), report) == (
        "规则 9 未通过：涉及本年新收政府信息公开申请数量·总计"
    )


def test_unresolved_problems_in_chinese():
    assert explain_problem("rule 2 (legal) not checked: blank requests.total.legal") == (
        "规则 2 未能校验：总计·法律服务机构 为空"
    )
    assert explain_problem("requests.denied.state_secret: row not found") == "表格中没有找到“属于国家秘密”一行"
    assert explain_problem("no disclosure tables found") == "没有找到政府信息公开情况统计表"
    assert explain_problem("reporting year not found") == "未能确定报告年度"
    assert (
        explain_problem("结转下年度 法律服务机构 一栏为“/”") == "结转下年度 法律服务机构 一栏为“/”"
    )  # already Chinese


def test_every_cell_has_a_chinese_label():
    for key in cells():
        assert not LATIN.search(cell_label(key)), key
