"""What a reader is told about a report, in Chinese, with the tables' own row and column labels.

Failed consistency checks are explained from the ``Check`` objects (rule and cells) and the
report's own figures; the parser's unresolved problems are translated; ``disagreeing_cells``
says which cells of a failed check actually disagree (the ones a page should box). Keys and
the parser's English messages stay in ``--json`` and the API.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from xxgk.model import Check, Number, Report
from xxgk.schema import (
    OTHER_2019,
    OTHER_2019_LABEL,
    PROACTIVE_2019_LABELS,
    PROACTIVE_LABELS,
    REQUEST_LABELS,
    REVIEW_GROUPS,
)

COLUMN_LABELS: dict[str, str] = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_10k_yuan": "本年收费金额（万元）",
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "total_public": "对外公开总数量",
    "previous_items": "上一年项目数量",
    "change": "本年增/减",
    "items": "采购项目数量",
    "amount_yuan": "采购总金额（元）",
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social": "社会公益组织",
    "legal": "法律服务机构",
    "other_org": "其他",
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
ROW_LABELS: dict[str, str] = {
    **PROACTIVE_2019_LABELS,
    **PROACTIVE_LABELS,
    **REQUEST_LABELS,
    OTHER_2019: OTHER_2019_LABEL,
    **REVIEW_GROUPS,
}
FIELD_LABELS = {"year": "报告年度", "title": "标题", "text": "正文"}  # non-table names a check may cite
RULE_NAMES = {
    1: "申请数量收支平衡",
    2: "办理结果之和等于总计",
    3: "各类申请人之和等于总计",
    4: "复议、诉讼结果之和等于总计",
    5: "数字不为负数、件数为整数",
    6: "标题年度与正文一致",
    7: "正文数字与表格一致",
}


def cell_label(key: str) -> str:
    """``requests.new.total`` → 本年新收政府信息公开申请数量·总计; other names are labelled if known, else kept."""
    row, _, col = key.rpartition(".")
    if row in ROW_LABELS and col in COLUMN_LABELS:
        return f"{ROW_LABELS[row]}·{COLUMN_LABELS[col]}"
    return FIELD_LABELS.get(key, key)


def explain_check(check: Check, report: Report) -> str:
    """One failed check as a Chinese sentence with the figures involved."""
    explain = _RULES.get(check.rule)
    sentence = explain(check, report) if explain else None
    return sentence or f"规则 {check.rule} 未通过：涉及{'、'.join(map(cell_label, check.cells)) or '（未注明单元格）'}"


def disagreeing_cells(check: Check, report: Report) -> list[str]:
    """The cells of ``check`` that disagree: for rule 2 the column's total and the results that
    make up a non-zero part of its sum (a zero result cannot be what is too much), else every cell."""
    if check.rule != 2 or not check.cells:
        return list(check.cells)
    total, *parts = check.cells
    return [total, *(key for key in parts if _value(report, key))]


def explain_problem(problem: str) -> str:
    """One of the parser's unresolved problems in Chinese (kept as it is when not recognised)."""
    for pattern, render in _PROBLEMS:
        match = pattern.fullmatch(problem)
        if match:
            return render(match)
    return problem


# -- rules --------------------------------------------------------------------------------------


def _value(report: Report, key: str) -> Number | None:
    row, _, col = key.rpartition(".")
    return report.tables.get(row, {}).get(col)


def _number(value: Number | None) -> str:
    if value is None:
        return "空"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _sum(report: Report, keys: list[str]) -> Number | None:
    values = [_value(report, k) for k in keys]
    return None if None in values else sum(v for v in values if v is not None)


def _column(key: str) -> str:
    return COLUMN_LABELS.get(key.rpartition(".")[2], key)


def _row(key: str) -> str:
    row = key.rpartition(".")[0]
    return ROW_LABELS.get(row, row)


def _total_against(place: str, report: Report, total: str, parts: list[str], parts_name: str, total_name: str) -> str:
    """“<place>：<total_name>为 T 件，而<parts_name>之和为 S 件”: a total that is not the sum of its parts."""
    return (
        f"{place}：{total_name}为 {_number(_value(report, total))} 件，"
        f"而{parts_name}之和为 {_number(_sum(report, parts))} 件"
    )


def _rule1(check: Check, report: Report) -> str | None:
    if len(check.cells) != 4:
        return None
    new, carried, total, forward = (_value(report, k) for k in check.cells)
    left, right = _sum(report, check.cells[:2]), _sum(report, check.cells[2:])
    return (
        f"表二“{_column(check.cells[0])}”列：本年新收 {_number(new)} 件加上年结转 {_number(carried)} 件"
        f"共 {_number(left)} 件，而办理结果总计 {_number(total)} 件加结转下年度 {_number(forward)} 件"
        f"共 {_number(right)} 件，两者应当相等"
    )


def _rule2(check: Check, report: Report) -> str | None:
    if not check.cells:
        return None
    total, *parts = check.cells  # requests.other_2019 is among the parts where the report prints it
    named = [f"{_row(k)} {_number(_value(report, k))} 件" for k in parts if _value(report, k)]
    detail = f"（{'、'.join(named)}）" if named else ""
    return _total_against(f"表二“{_column(total)}”列", report, total, parts, "各项办理结果", "办理结果总计") + detail


def _rule3(check: Check, report: Report) -> str | None:
    if not check.cells:
        return None
    total, *parts = check.cells
    return _total_against(f"表二“{_row(total)}”行", report, total, parts, "各类申请人", "总计")


def _rule4(check: Check, report: Report) -> str | None:
    if not check.cells:
        return None
    total, *parts = check.cells
    names = "、".join(_column(k) for k in parts)
    return _total_against(f"表三“{_row(total)}”", report, total, parts, names, "总计")


def _rule5(check: Check, report: Report) -> str | None:
    listed = "、".join(f"{cell_label(k)}（{_number(_value(report, k))}）" for k in check.cells)
    return f"数字不应为负数，件数应为整数：{listed}" if listed else None


def _rule6(check: Check, report: Report) -> str | None:
    match = re.search(r"(\d{4})\D+(\d{4})", check.message)
    if not match:
        return None
    return f"标题写的是 {match[1]} 年，正文报告的却是 {match[2]} 年的情况"


def _rule7(check: Check, report: Report) -> str | None:
    match = re.search(r"says (\d+) requests \('(.*)'\), table says (\d+)", check.message)
    if not match:
        return None
    return f"正文写“{match[2]}”（{match[1]} 件），而表二本年新收申请总计为 {match[3]} 件"


_RULES: dict[int, Callable[[Check, Report], str | None]] = {
    1: _rule1,
    2: _rule2,
    3: _rule3,
    4: _rule4,
    5: _rule5,
    6: _rule6,
    7: _rule7,
}


# -- problems -----------------------------------------------------------------------------------


UNCHECKED = re.compile(r"rule (\d+) \((.*)\) not checked: blank (.*)")  # a rule that blank cells kept from running


def _labels(keys: str) -> str:
    return "、".join(cell_label(k.strip()) for k in keys.split(","))


_PROBLEMS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (UNCHECKED, lambda m: f"规则 {m[1]} 未能校验：{_labels(m[3])} 为空"),
    (re.compile(r"no section headings found"), lambda m: "没有找到报告的章节标题"),
    (re.compile(r"no disclosure tables found"), lambda m: "没有找到政府信息公开情况统计表"),
    (re.compile(r"reporting year not found"), lambda m: "未能确定报告年度"),
    (
        re.compile(r"a (\d{4}) report: the forms before (\d{4}) are not mapped .*"),
        lambda m: f"{m[1]} 年度报告：{m[2]} 年以前的报告采用旧版表格，未映射为标准单元格",
    ),
    (re.compile(r"([a-z_.]+): row not found"), lambda m: f"表格中没有找到“{ROW_LABELS.get(m[1], m[1])}”一行"),
    (
        re.compile(r"([a-z_.]+): printed as '(.*)' in a 万元 column; value kept as printed"),
        lambda m: f"{cell_label(m[1])}：万元一栏印作“{m[2]}”，按原文保留",
    ),
    (re.compile(r"Table 3 \(review/litigation\): (.*)"), lambda m: f"表三（行政复议、行政诉讼）：{m[1]}"),
    (re.compile(r"only the first (\d+) of (\d+) pages read"), lambda m: f"只读取了前 {m[1]} 页（共 {m[2]} 页）"),
    (re.compile(r"([a-z_.]+): (.*)"), lambda m: f"“{ROW_LABELS[m[1]]}”：{m[2]}" if m[1] in ROW_LABELS else m[0]),
]
