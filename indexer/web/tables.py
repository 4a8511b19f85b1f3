"""Lay a report's three tables out as rows of cells for the report page.

Row keys and row labels come from ``xxgk.schema``; this module only adds the
printed layout (numbering, group headings, column headings). A cell that disagrees in a
failed check (``xxgk.explain.disagreeing_cells``) is flagged; a null cell keeps its raw
text for a tooltip, and every cell says in its tooltip how the parser read it and from which line
(``Report.cell_sources``); a cell not read beside its own label is marked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xxgk.explain import COLUMN_LABELS, ROW_LABELS, disagreeing_cells
from xxgk.model import Report
from xxgk.schema import (
    APPLICANT_COLUMNS,
    OTHER_2019,
    PROACTIVE_2019_ROWS,
    PROACTIVE_ROWS,
    REQUEST_LABELS,
    REQUEST_NUMBERS,
    REQUEST_ROWS,
    REQUEST_ROWS_2019,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)

# Printed numbering of Table 2 (国办公开办函〔2021〕30号 layout).
REQUEST_PREFIX = {**REQUEST_NUMBERS, OTHER_2019: "（六）"}
REQUEST_GROUPS = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}
RESULTS_HEADING = "三、本年度办理结果"
READ_BY = {
    "label": "按行标签读取",
    "position": "按行序读取（该行数值与标签不在一处）",
    "constraint": "由数字拆分与勾稽关系唯一确定（原文数字连写）",
}
LITIGATION_GROUPS = ("litigation_direct", "litigation_after_review")


@dataclass
class Cell:
    """One table cell; ``key`` ("row.col") is set on data cells only."""

    text: str
    key: str | None = None
    title: str | None = None
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    failed: bool = False
    missing: bool = False
    inferred: bool = False  # placed by position or by the rules, not read beside its label
    indent: int = 0

    @property
    def css(self) -> str:
        flags = (("cell-failed", self.failed), ("cell-missing", self.missing), ("cell-inferred", self.inferred))
        return " ".join(name for name, on in flags if on)


@dataclass
class Table:
    caption: str
    css: str = ""
    head: list[list[Cell]] = field(default_factory=list)
    body: list[list[Cell]] = field(default_factory=list)


def format_number(value: int | float) -> str:
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


class Layout:
    """Builds data cells for one report, knowing its failed cells and raw texts."""

    def __init__(self, report: Report):
        self.report = report
        self.rules: dict[str, list[int]] = {}
        for check in report.checks:
            for key in disagreeing_cells(check, report):
                self.rules.setdefault(key, []).append(check.rule)

    def cell(self, row: str, col: str, colspan: int = 1) -> Cell:
        key = f"{row}.{col}"
        value = self.report.tables.get(row, {}).get(col)
        raw = self.report.cells_raw.get(key)
        notes = []
        if value is None:
            notes.append(f"原文：{raw}" if raw is not None else "未填写")
        elif raw is not None:
            notes.append(f"原文：{raw}")
        rules = self.rules.get(key)
        if rules:
            notes.append("未通过校验规则 " + "、".join(str(r) for r in sorted(set(rules))))
        how, _, line = self.report.cell_sources.get(key, "").partition(":")
        if how in READ_BY:
            notes.append(f"{READ_BY[how]}，解析文本第 {line} 行" if line.isdigit() else READ_BY[how])
        return Cell(
            text="—" if value is None else format_number(value),
            key=key,
            title="；".join(notes) or None,
            colspan=colspan,
            failed=bool(rules),
            missing=value is None,
            inferred=value is not None and how in ("position", "constraint"),
        )


def _label(text: str, indent: int = 0) -> Cell:
    return Cell(text=text, header=True, indent=indent)


def proactive_table(layout: Layout) -> Table:
    """Table 1: blocks of rows sharing a column set, each under its own heading row (2019 or 2021 rows)."""
    table = Table(caption="表一　主动公开政府信息情况", css="compact")
    rows = PROACTIVE_2019_ROWS if any(row in layout.report.tables for row in PROACTIVE_2019_ROWS) else PROACTIVE_ROWS
    width = max(len(cols) for cols in rows.values())
    previous: tuple[str, ...] | None = None
    for row, cols in rows.items():
        if cols != previous:
            heading = [_label("信息内容")]
            heading += [
                Cell(COLUMN_LABELS[c], header=True, colspan=width - len(cols) + 1 if i == len(cols) - 1 else 1)
                for i, c in enumerate(cols)
            ]
            table.body.append(heading)
            previous = cols
        cells = [
            layout.cell(row, c, colspan=width - len(cols) + 1 if i == len(cols) - 1 else 1) for i, c in enumerate(cols)
        ]
        table.body.append([_label(ROW_LABELS[row]), *cells])
    return table


def requests_table(layout: Layout) -> Table:
    """Table 2: 25 rows × 7 applicant columns (23 with the single old （六）其他处理 row), with the group headings."""
    table = Table(caption="表二　收到和处理政府信息公开申请情况")
    table.head = [
        [Cell("申请事项", header=True, rowspan=3), Cell("申请人情况", header=True, colspan=7)],
        [
            Cell("自然人", header=True, rowspan=2),
            Cell("法人或其他组织", header=True, colspan=5),
            Cell("总计", header=True, rowspan=2),
        ],
        [Cell(COLUMN_LABELS[c], header=True) for c in APPLICANT_COLUMNS[1:]],
    ]
    span = 1 + len(APPLICANT_COLUMNS) + 1
    group = None
    for row in REQUEST_ROWS_2019 if OTHER_2019 in layout.report.tables else REQUEST_ROWS:
        parts = row.split(".")
        if row == "requests.granted":
            table.body.append([Cell(RESULTS_HEADING, header=True, colspan=span)])
        if len(parts) == 3 and parts[1] != group:
            group, number = parts[1], 0
            table.body.append([Cell(REQUEST_GROUPS[group], header=True, colspan=span, indent=1)])
        if len(parts) == 3:
            number += 1
            label = _label(f"{number}.{REQUEST_LABELS[row]}", indent=2)
        else:
            group = None
            label = _label(REQUEST_PREFIX[row] + ROW_LABELS[row], indent=0 if "、" in REQUEST_PREFIX[row] else 1)
        table.body.append([label, *(layout.cell(row, c) for c in (*APPLICANT_COLUMNS, "total"))])
    return table


def review_table(layout: Layout) -> Table:
    """Table 3: administrative review and the two kinds of litigation, five results each."""
    table = Table(caption="表三　政府信息公开行政复议、行政诉讼情况", css="compact")
    table.head = [[_label("类别"), *(Cell(COLUMN_LABELS[c], header=True) for c in REVIEW_COLUMNS)]]
    for group, label in REVIEW_GROUPS.items():
        if group == LITIGATION_GROUPS[0]:
            table.body.append([Cell("行政诉讼", header=True, colspan=1 + len(REVIEW_COLUMNS))])
        indent = 1 if group in LITIGATION_GROUPS else 0
        table.body.append([_label(label, indent), *(layout.cell(group, c) for c in REVIEW_COLUMNS)])
    return table


def raw_tables(report: Report) -> Table | None:
    """Old-format rows as printed (format 2019 and earlier), one row per printed row."""
    if not report.tables_raw:
        return None
    table = Table(caption="原始表格（旧格式，按原文列出）")
    for name, values in report.tables_raw.items():
        items = values if isinstance(values, list) else [values]
        table.body.append([_label(str(name)), *(Cell("—" if v is None else str(v)) for v in items)])
    return table


def report_tables(report: Report) -> dict[str, Table]:
    """Tables by the section they belong to; ``raw`` holds old-format rows if the report kept any."""
    tables: dict[str, Table] = {}
    if report.tables:
        layout = Layout(report)
        tables = {
            "proactive": proactive_table(layout),
            "requests": requests_table(layout),
            "review_litigation": review_table(layout),
        }
    raw = raw_tables(report)
    if raw is not None:
        tables["raw"] = raw
    return tables
