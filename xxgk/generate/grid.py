"""The three report tables as grids of cells with the official row/column spans.

A table is a list of rows; each row lists its anchor cells left to right (as HTML ``<td>``s do).
:func:`expand` turns that into a full rectangle where covered positions are ``None``.
Labels vary the way real reports vary (full/half-width brackets, 社会公益组织/社会组织 …).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from xxgk.generate.numbers import is_2019
from xxgk.model import Tables
from xxgk.schema import (
    DECIMAL_CELLS,
    OTHER_2019,
    OTHER_2019_LABEL,
    PROACTIVE_2019_LABELS,
    PROACTIVE_LABELS,
    REQUEST_COLUMNS,
    REQUEST_LABELS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)

BLANK_MARKERS = ("", "/", "—", "无")


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    value: bool = False  # a number cell (possibly blank)


Grid = list[list[Cell]]


@dataclass(frozen=True)
class Style:
    """Per-document choices of wording and number formatting."""

    full_width: bool = True  # （一） rather than (一)
    social: str = "社会公益组织"
    fee_head: str = "本年收费金额（单位：万元）"
    blanks: tuple[str, ...] = BLANK_MARKERS  # markers blank cells are drawn from
    thousands: bool = False  # 1,234
    fee_places: int | None = None  # pad the fee to this many decimals (0 → "0.0000")
    breaks: bool = False  # split short header labels in two lines (结果\n维持)


def pick_style(rng: random.Random, *, blanks: tuple[str, ...] = BLANK_MARKERS) -> Style:
    marker = rng.choice(blanks)
    mixed = tuple(sorted({marker, rng.choice(blanks)}))
    return Style(
        full_width=rng.random() < 0.75,
        social="社会公益组织" if rng.random() < 0.8 else "社会组织",
        fee_head=rng.choice(("本年收费金额（单位：万元）", "本年收费金额（单位：万元，保留4位小数）")),
        blanks=(marker,) if rng.random() < 0.7 else mixed,
        thousands=rng.random() < 0.15,
        fee_places=rng.choice((None, None, 2, 4)),
        breaks=rng.random() < 0.5,
    )


def _paren(style: Style, ordinal: str) -> str:
    return f"（{ordinal}）" if style.full_width else f"({ordinal}) "


def format_value(
    value: int | float | None, style: Style, rng: random.Random, *, fee: bool = False, plus: bool = False
) -> str:
    """Text of one number cell as the report prints it (``plus``: a positive change printed as +3)."""
    if value is None:
        return rng.choice(style.blanks)
    if plus and value > 0:
        return "+" + format_value(value, style, rng)
    if isinstance(value, float) and not value.is_integer():
        text = repr(value)
        if fee and style.fee_places and len(text.partition(".")[2]) < style.fee_places:
            text = f"{value:.{style.fee_places}f}"
        return text
    if fee and style.fee_places:
        return f"{value:.{style.fee_places}f}"
    number = int(value)
    return f"{number:,}" if style.thousands and abs(number) >= 1000 else str(number)


def _head(text: str, style: Style) -> str:
    if style.breaks and len(text) == 4:
        return f"{text[:2]}\n{text[2:]}"
    return text


def _values_in(tables: Tables, key: str, style: Style, rng: random.Random, plus: bool = False) -> list[Cell]:
    """A Table 1 row's value cells across three columns (the last one spans what is left)."""
    cols = tables[key]
    cells = [
        format_value(v, style, rng, fee=f"{key}.{c}" in DECIMAL_CELLS, plus=plus and c == "change")
        for c, v in cols.items()
    ]
    return [
        Cell(text, colspan=4 - len(cells) if i == len(cells) - 1 else 1, value=True) for i, text in enumerate(cells)
    ]


def _item(style: Style, number: str) -> list[Cell]:
    return [Cell(f"第二十条第{_paren(style, number).strip()}项", colspan=4)]


def proactive_grid(tables: Tables, style: Style, rng: random.Random) -> Grid:
    """Table 1 — four columns, one block per article item."""

    def values(key: str) -> list[Cell]:
        return _values_in(tables, key, style, rng)

    def item(number: str) -> list[Cell]:
        return _item(style, number)

    def label(key: str) -> Cell:
        return Cell(PROACTIVE_LABELS[key])

    single = [Cell("信息内容"), Cell("本年处理决定数量", colspan=3)]
    return [
        item("一"),
        [Cell("信息内容"), Cell("本年制发件数"), Cell("本年废止件数"), Cell("现行有效件数")],
        [label("proactive.regulations"), *values("proactive.regulations")],
        [label("proactive.normative_documents"), *values("proactive.normative_documents")],
        item("五"),
        single,
        [label("proactive.licensing"), *values("proactive.licensing")],
        item("六"),
        single,
        [label("proactive.penalty"), *values("proactive.penalty")],
        [label("proactive.enforcement"), *values("proactive.enforcement")],
        item("八"),
        [Cell("信息内容"), Cell(style.fee_head, colspan=3)],
        [label("proactive.fees"), *values("proactive.fees")],
    ]


def proactive_grid_2019(tables: Tables, style: Style, rng: random.Random) -> Grid:
    """Table 1 of the 2019 format — four columns; items carry last year's count, its change and decisions."""
    plus = rng.random() < 0.3  # some reports print a positive change as +3

    def row(key: str) -> list[Cell]:
        return [Cell(PROACTIVE_2019_LABELS[key]), *_values_in(tables, key, style, rng, plus)]

    def head(*texts: str) -> list[Cell]:
        return [
            Cell("信息内容"),
            *(Cell(t, colspan=4 - len(texts) if i == len(texts) - 1 else 1) for i, t in enumerate(texts)),
        ]

    items = head("上一年项目数量", "本年增/减", "处理决定数量")
    return [
        _item(style, "一"),
        head("本年新制作数量", "本年新公开数量", "对外公开总数量"),
        row("proactive_2019.regulations"),
        row("proactive_2019.normative_documents"),
        _item(style, "五"),
        items,
        row("proactive_2019.licensing"),
        row("proactive_2019.other_services"),
        _item(style, "六"),
        items,
        row("proactive_2019.penalty"),
        row("proactive_2019.enforcement"),
        _item(style, "八"),
        head("上一年项目数量", "本年增/减"),
        row("proactive_2019.fees"),
        _item(style, "九"),
        head("采购项目数量", "采购总金额（元）"),
        row("proactive_2019.procurement"),
    ]


_GROUPS = (
    ("三", "不予公开", "requests.denied."),
    ("四", "无法提供", "requests.unavailable."),
    ("五", "不予处理", "requests.not_processed."),
    ("六", "其他处理", "requests.other."),
)


def requests_grid(tables: Tables, style: Style, rng: random.Random) -> Grid:
    """Table 2 — ten columns: three label columns, six applicant columns, total.

    The 2019 format (``requests.other_2019`` in ``tables``) prints one （六）其他处理 row instead of three.
    """
    old = OTHER_2019 in tables

    def values(key: str) -> list[Cell]:
        return [Cell(format_value(tables[key][c], style, rng), value=True) for c in REQUEST_COLUMNS]

    rows: Grid = [
        [
            Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3),
            Cell("申请人情况", colspan=7),
        ],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(_head(t, style)) for t in ("商业企业", "科研机构", style.social, "法律服务机构", "其他")],
        [Cell("一、" + REQUEST_LABELS["requests.new"], colspan=3), *values("requests.new")],
        [Cell("二、" + REQUEST_LABELS["requests.carried_over"], colspan=3), *values("requests.carried_over")],
        [
            Cell("三、本年度办理结果", rowspan=20 if old else 22),
            Cell(_paren(style, "一") + "予以公开", colspan=2),
            *values("requests.granted"),
        ],
        [
            Cell(_paren(style, "二") + "部分公开（区分处理的，只计这一情形，不计其他情形）", colspan=2),
            *values("requests.partially_granted"),
        ],
    ]
    for ordinal, name, prefix in _GROUPS:
        if old and prefix == "requests.other.":
            rows.append([Cell(_paren(style, ordinal) + OTHER_2019_LABEL, colspan=2), *values(OTHER_2019)])
            continue
        keys = [k for k in REQUEST_LABELS if k.startswith(prefix)]
        for i, key in enumerate(keys):
            label = Cell(f"{i + 1}.{REQUEST_LABELS[key]}")
            lead = [Cell(_paren(style, ordinal) + name, rowspan=len(keys))] if i == 0 else []
            rows.append([*lead, label, *values(key)])
    rows.append([Cell(_paren(style, "七") + "总计", colspan=2), *values("requests.total")])
    rows.append(
        [Cell("四、" + REQUEST_LABELS["requests.carried_forward"], colspan=3), *values("requests.carried_forward")]
    )
    return rows


def review_grid(tables: Tables, style: Style, rng: random.Random) -> Grid:
    """Table 3 — fifteen columns: 行政复议 and the two kinds of 行政诉讼."""
    heads = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [
            *(Cell(_head(h, style), rowspan=2) for h in heads),
            Cell(REVIEW_GROUPS["litigation_direct"], colspan=5),
            Cell(REVIEW_GROUPS["litigation_after_review"], colspan=5),
        ],
        [Cell(_head(h, style)) for h in heads * 2],
        [Cell(format_value(tables[g][c], style, rng), value=True) for g in REVIEW_GROUPS for c in REVIEW_COLUMNS],
    ]


def grids(tables: Tables, style: Style, rng: random.Random) -> tuple[Grid, Grid, Grid]:
    """The three tables, in the 2019 format where ``tables`` has its rows."""
    table1 = proactive_grid_2019 if is_2019(tables) else proactive_grid
    return table1(tables, style, rng), requests_grid(tables, style, rng), review_grid(tables, style, rng)


def width(grid: Grid) -> int:
    return sum(cell.colspan for cell in grid[0])


def _place(grid: Grid) -> list[tuple[int, int, Cell]]:
    """(row, column, cell) of every anchor cell."""
    cols = width(grid)
    taken = [[False] * cols for _ in grid]
    placed = []
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while taken[r][c]:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[r + dr][c + dc] = True
            c += cell.colspan
    return placed


def expand(grid: Grid) -> list[list[Cell | None]]:
    """Full rectangle of the grid: each anchor at its top-left position, covered positions ``None``."""
    out: list[list[Cell | None]] = [[None] * width(grid) for _ in grid]
    for r, c, cell in _place(grid):
        out[r][c] = cell
    return out


def slots(grid: Grid) -> list[list[Cell | None]]:
    """Per row, its cells left to right as a word processor keeps them: anchors, plus ``None`` where a
    cell merged from a row above continues (one per merged cell, whatever its width)."""
    starts: list[list[tuple[int, Cell | None]]] = [[] for _ in grid]
    for r, c, cell in _place(grid):
        starts[r].append((c, cell))
        for dr in range(1, cell.rowspan):
            starts[r + dr].append((c, None))
    return [[cell for _, cell in sorted(row, key=lambda item: item[0])] for row in starts]


def spans(grid: Grid) -> list[tuple[int, int, int, int]]:
    """(row, column, last row, last column) of every merged cell."""
    return [
        (r, c, r + cell.rowspan - 1, c + cell.colspan - 1)
        for r, c, cell in _place(grid)
        if cell.rowspan > 1 or cell.colspan > 1
    ]
