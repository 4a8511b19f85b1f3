"""Tables 1–3 from the cell stream, anchored by row labels.

Every input (grid rows or text lines) becomes one stream of cells.  A cell whose text matches a row
label opens that row; the numbers that follow are its values (only those on the label's line when that
line has a slot for every value).  Where a table's complete rows agree on the columns of their values,
rows are read by column, so empty fields stay blank cells in place.  Other rows that carry too many or
too few values are resolved only where the result is certain (identical candidates, or a single candidate
satisfying rule 3); otherwise the row is reported in ``problems`` and left blank, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from xxgk.model import Number, Tables
from xxgk.parse.labels import GROUP, ORDER_INDEX, OTHER_SINGLE, OTHER_SINGLE_LABEL, match_label
from xxgk.parse.lines import Line
from xxgk.parse.normalize import compact, label_key
from xxgk.parse.tokens import BLANK, EMPTY, HEADING, PLAIN_NUMBER, TEXT, VALUE, Token, numeric, tokenize
from xxgk.schema import REVIEW_COLUMNS, REVIEW_GROUPS, TABLE_ROWS

FEE_CELL = "proactive.fees.amount_10k_yuan"
OLD_FORMAT = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量")
REVIEW_CELLS = len(REVIEW_GROUPS) * len(REVIEW_COLUMNS)
_OTHER_ROWS = ("requests.other.no_correction", "requests.other.no_fee", "requests.other.other")
# Short labels that also occur in headers; accepted only after the given row has been seen.
_NEEDS_AFTER = {"requests.total": "requests.granted", "requests.other.other": "requests.not_processed.petition"}


@dataclass
class TableResult:
    format: str = "unknown"
    tables: Tables = field(default_factory=dict)
    cells_raw: dict[str, str] = field(default_factory=dict)
    tables_raw: dict[str, list[Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    row_lines: dict[str, int] = field(default_factory=dict)  # line of each row's first cell


def number(token: Token, *, decimal: bool = False) -> Number | None:
    """Value of a cell; None for blanks and null markers (never 0)."""
    if token.kind != VALUE:
        return None
    value = numeric(token.text)
    if decimal:
        return value
    return int(value) if value.is_integer() else value


def _values(cells: list[Token]) -> tuple[Number | None, ...]:
    return tuple(number(c) for c in cells)


def _rule3_holds(values: tuple[Number | None, ...]) -> bool:
    return None not in values and sum(values[:-1]) == values[-1]


def resolve(cells: list[Token], n: int, *, check_total: bool = False) -> tuple[list[Token] | None, str | None]:
    """Exactly ``n`` cells for a row, or None and the reason it could not be resolved."""
    if len(cells) == n:
        return cells, None
    lo, hi = 0, len(cells)
    while lo < hi and cells[lo].kind == BLANK:
        lo += 1
    while hi > lo and cells[hi - 1].kind == BLANK:
        hi -= 1
    trimmed = cells[lo:hi]
    if len(trimmed) == n:
        return trimmed, None
    filled = [c for c in trimmed if c.kind != BLANK]
    if len(filled) == n:
        return filled, None
    if len(filled) < n:
        return None, f"{len(filled)} values for {n} columns"
    windows = [filled[i : i + n] for i in range(len(filled) - n + 1)]
    distinct = {_values(w): w for w in windows}
    if len(distinct) > 1 and check_total:
        distinct = {v: w for v, w in distinct.items() if _rule3_holds(v)}
    if len(distinct) == 1:
        return next(iter(distinct.values())), None
    shown = " ".join(c.raw or "␣" for c in filled)
    return None, f"{len(filled)} values for {n} columns ({shown}); cannot tell which belong to the row"


@dataclass
class _Scan:
    """Cells collected per row while walking the stream."""

    cols_of_line: dict[int, list[int]]  # columns of the cells of every line
    rows: dict[str, list[Token]] = field(default_factory=dict)
    review_runs: list[list[Token]] = field(default_factory=list)
    current: str | None = None
    cells: list[Token] = field(default_factory=list)
    phase: int = 1  # 1: Table 1, 2: Table 2, 3: Table 3
    last_request: int = -1
    label_line: int = -1
    room: int = 0  # cells after the current row's label on the label's own line

    def close(self) -> None:
        if self.current is not None and self.current not in self.rows:
            self.rows[self.current] = self.cells
        self.current, self.cells = None, []

    def open(self, key: str, label: Token) -> None:
        self.close()
        self.current = key
        self.label_line = label.line
        self.room = sum(1 for col in self.cols_of_line.get(label.line, ()) if col > label.col)

    def need(self) -> int:
        return len(TABLE_ROWS.get(self.current or "", ())) or 7

    def filled(self) -> bool:
        if self.current is None:
            return False
        return sum(1 for c in self.cells if c.kind != BLANK) >= self.need()

    def text(self, token: Token) -> None:
        if self.phase == 3:
            self.review_runs.append([])
            return
        if (
            self.phase == 2
            and label_key(token.text) == "行政复议"
            and self.last_request >= ORDER_INDEX["requests.total"]
        ):
            self.close()
            self.phase = 3
            self.review_runs.append([])
            return
        key = match_label(token.text)
        if key is None or key == GROUP or key == self.current:
            if key is None and self.filled():
                self.close()  # a complete row followed by unrelated text: later numbers are not its
            return
        if key.startswith("proactive."):
            if self.phase == 1 and key not in self.rows:
                self.open(key, token)
            return
        index = ORDER_INDEX[key]
        after = _NEEDS_AFTER.get(key)
        if index <= self.last_request or (after and self.last_request < ORDER_INDEX[after]):
            if self.filled():
                self.close()
            return
        self.phase = 2
        self.last_request = index
        self.open(key, token)

    def value(self, token: Token) -> None:
        if self.phase == 3:
            if not self.review_runs:
                self.review_runs.append([])
            self.review_runs[-1].append(token)
        elif self.current is not None:
            if token.line != self.label_line and self.room >= self.need():
                self.close()  # the label's line has a slot for every value: the row is that line
                return
            self.cells.append(token)

    def row_break(self) -> None:
        """An empty line ends a row that already has all its cells (one-cell-per-line exports)."""
        if self.phase < 3 and self.current is not None and len(self.cells) >= self.need():
            self.close()

    def heading(self, key: str) -> None:
        self.close()
        if key == "review_litigation":
            self.phase = 3
            self.review_runs.append([])
        elif key == "requests":
            self.phase = max(self.phase, 2)


def _store_row(result: TableResult, row: str, cells: list[Token]) -> None:
    cols = TABLE_ROWS[row]
    table_row: dict[str, Number | None] = {}
    for col, cell in zip(cols, cells, strict=True):
        key = f"{row}.{col}"
        table_row[col] = number(cell, decimal=key == FEE_CELL)
        if not PLAIN_NUMBER.match(cell.raw):
            result.cells_raw[key] = cell.raw
        if key == FEE_CELL and cell.kind == VALUE and compact(cell.text).endswith("元") and "万元" not in cell.text:
            result.problems.append(f"{key}: printed as '{cell.raw}' in a 万元 column; value kept as printed")
    result.tables[row] = table_row
    result.row_lines[row] = cells[0].line


def _review(result: TableResult, runs: list[list[Token]]) -> None:
    chosen = None
    for run in runs:
        cells, _ = resolve(run, REVIEW_CELLS)
        if cells is not None:
            chosen = cells
            break
    if chosen is None:
        filled = [c for run in runs for c in run if c.kind != BLANK]
        if len(filled) == REVIEW_CELLS:
            chosen = filled
        else:
            what = "not found" if not filled else f"{len(filled)} values found, expected {REVIEW_CELLS}"
            result.problems.append(f"Table 3 (review/litigation): {what}")
    for g, group in enumerate(REVIEW_GROUPS):
        if chosen is None:
            result.tables[group] = dict.fromkeys(REVIEW_COLUMNS)
        else:
            _store_row(result, group, chosen[g * len(REVIEW_COLUMNS) : (g + 1) * len(REVIEW_COLUMNS)])


def _raw_rows(tokens: list[Token]) -> dict[str, list[Any]]:
    """Every printed label with the values that follow it (for layouts not mapped to canonical keys)."""
    rows: dict[str, list[Any]] = {}
    label, values = None, []
    for token in [*tokens, Token(TEXT, "", "", -1)]:
        if token.kind == EMPTY:
            continue
        if token.kind in (TEXT, HEADING):
            if label and any(v is not None for v in values):
                key = label
                n = 2
                while key in rows:
                    key, n = f"{label}#{n}", n + 1
                rows[key] = values
            label, values = (compact(token.raw) if token.kind == TEXT else None), []
        elif label is not None:
            values.append(number(token))
    return rows


def _by_column(rows: dict[str, list[Token]], cols_of_line: dict[int, list[int]]) -> dict[str, list[Token]]:
    """Rows read by column position, where their table's layout is certain.

    A table qualifies when every complete one-line row (all its values filled, side by side) starts its
    values in the same column of equally wide lines.  A row on a line of that width then takes exactly the
    cells in those columns, blanks included, provided every other cell after its label is blank.  Tables
    whose rows disagree (shifted or extra cells) are left to :func:`resolve`.  ``cols_of_line`` gives the
    columns of the cells of every line (a line is as wide as its highest column + 1).
    """
    width = {line: max(cols) + 1 for line, cols in cols_of_line.items()}
    out: dict[str, list[Token]] = {}
    for prefix in ("proactive.", "requests."):
        table = {
            row: cells
            for row, cells in rows.items()
            if row.startswith(prefix) and row in TABLE_ROWS and cells and len({c.line for c in cells}) == 1
        }
        layouts: Counter[tuple[int, int]] = Counter()
        for row, cells in table.items():
            filled = [c for c in cells if c.kind != BLANK]
            n = len(TABLE_ROWS[row])
            if len(filled) == n and filled[-1].col - filled[0].col == n - 1:
                layouts[filled[0].col, width[filled[0].line]] += 1
        if len(layouts) != 1 or next(iter(layouts.values())) < 2:
            continue
        ((start, line_width),) = layouts
        for row, cells in table.items():
            n = len(TABLE_ROWS[row])
            at = {c.col: c for c in cells}
            picked = [at[col] for col in range(start, start + n) if col in at]
            outside = [c for c in cells if not start <= c.col < start + n]
            if width[cells[0].line] == line_width and len(picked) == n and all(c.kind == BLANK for c in outside):
                out[row] = picked
    return out


def parse_tables(lines: list[Line], headings: dict[str, int]) -> TableResult:
    """Tables 1–3 of a report, its format, and what could not be resolved."""
    start = headings.get("proactive", 0)
    ends = [i for key, i in headings.items() if key in ("problems", "other") and i > start]
    end = min(ends) if ends else len(lines)
    marks = {i: key for key, i in headings.items() if start <= i < end and key != "proactive"}
    tokens = list(tokenize(lines, start, end, marks))
    result = TableResult()
    region = compact("".join(lines[i].norm for i in range(start, end)))
    if OLD_FORMAT.search(region):
        result.format = "2019"
        result.tables_raw = _raw_rows(tokens)
        result.problems.append("2019–2020 table layout: rows kept as printed in tables_raw, not mapped to keys")
        return result
    cols_of_line: dict[int, list[int]] = {}
    for token in tokens:
        if token.kind not in (HEADING, EMPTY):
            cols_of_line.setdefault(token.line, []).append(token.col)
    scan = _Scan(cols_of_line)
    for token in tokens:
        if token.kind == EMPTY:
            scan.row_break()
        elif token.kind == HEADING:
            scan.heading(token.text)
        elif token.kind == TEXT:
            scan.text(token)
        else:
            scan.value(token)
    scan.close()
    if not scan.rows:
        result.problems.append("no disclosure tables found")
        return result
    result.format = "2021"
    by_column = _by_column(scan.rows, cols_of_line)
    single = scan.rows.get(OTHER_SINGLE, [])
    single_cells, _ = resolve(single, 7, check_total=True) if any(c.kind != BLANK for c in single) else (None, None)
    if single_cells is not None:
        result.tables_raw[OTHER_SINGLE_LABEL] = list(_values(single_cells))
    for row, cols in TABLE_ROWS.items():
        if row in REVIEW_GROUPS:
            continue
        if single_cells is not None and row in _OTHER_ROWS and row not in scan.rows:
            continue  # hybrid layout: the single 其他处理 row replaces these three
        cells = scan.rows.get(row)
        if cells is None:
            result.problems.append(f"{row}: row not found")
            result.tables[row] = dict.fromkeys(cols)
            continue
        if row in by_column:
            resolved, why = by_column[row], None
        else:
            resolved, why = resolve(cells, len(cols), check_total=len(cols) == 7)
        if resolved is None:
            result.problems.append(f"{row}: {why}")
            result.tables[row] = dict.fromkeys(cols)
            if cells:
                result.tables_raw[row] = [c.raw for c in cells if c.kind != BLANK]
            continue
        _store_row(result, row, resolved)
    _review(result, scan.review_runs)
    return result
