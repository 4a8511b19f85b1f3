"""Tables 1–3 from the cell stream, anchored by row labels.

Every input (grid rows or text lines) becomes one stream of cells.  A cell whose text matches a row
label opens that row; the numbers that follow are its values.  Rows that carry too many or too few
values are resolved only where the result is certain (identical candidates, or a single candidate
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


def resolve(
    cells: list[Token], n: int, *, check_total: bool = False, positional: bool = False
) -> tuple[list[Token] | None, str | None]:
    """Exactly ``n`` cells for a row, or None and the reason it could not be resolved.

    ``positional``: the row is one line as wide as the table's other rows, so its last ``n`` cells are
    the value columns (used when blanks make the count ambiguous).
    """
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
    if positional and len(cells) >= n and all(c.kind == BLANK for c in cells[: len(cells) - n]):
        return cells[len(cells) - n :], None
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

    rows: dict[str, list[Token]] = field(default_factory=dict)
    review_runs: list[list[Token]] = field(default_factory=list)
    current: str | None = None
    cells: list[Token] = field(default_factory=list)
    phase: int = 1  # 1: Table 1, 2: Table 2, 3: Table 3
    last_request: int = -1

    def close(self) -> None:
        if self.current is not None and self.current not in self.rows:
            self.rows[self.current] = self.cells
        self.current, self.cells = None, []

    def open(self, key: str) -> None:
        self.close()
        self.current = key

    def filled(self) -> bool:
        if self.current is None:
            return False
        need = len(TABLE_ROWS.get(self.current, ())) or 7
        return sum(1 for c in self.cells if c.kind != BLANK) >= need

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
                self.open(key)
            return
        index = ORDER_INDEX[key]
        after = _NEEDS_AFTER.get(key)
        if index <= self.last_request or (after and self.last_request < ORDER_INDEX[after]):
            if self.filled():
                self.close()
            return
        self.phase = 2
        self.last_request = index
        self.open(key)

    def value(self, token: Token) -> None:
        if self.phase == 3:
            if not self.review_runs:
                self.review_runs.append([])
            self.review_runs[-1].append(token)
        elif self.current is not None:
            self.cells.append(token)

    def row_break(self) -> None:
        """An empty line ends a row that already has all its cells (one-cell-per-line exports)."""
        if self.phase < 3 and self.current is not None:
            need = len(TABLE_ROWS.get(self.current, ())) or 7
            if len(self.cells) >= need:
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


def _aligned_rows(rows: dict[str, list[Token]], tokens: list[Token]) -> set[str]:
    """Rows printed on one line whose cell count equals the usual count of their table's lines."""
    per_line = Counter(t.line for t in tokens if t.kind not in (HEADING, EMPTY))
    line_of = {row: cells[0].line for row, cells in rows.items() if cells and len({c.line for c in cells}) == 1}
    aligned: set[str] = set()
    for prefix in ("proactive.", "requests."):
        widths = Counter(per_line[line] for row, line in line_of.items() if row.startswith(prefix))
        if widths:
            usual = widths.most_common(1)[0][0]
            aligned |= {row for row, line in line_of.items() if row.startswith(prefix) and per_line[line] == usual}
    return aligned


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
    scan = _Scan()
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
    aligned = _aligned_rows(scan.rows, tokens)
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
        resolved, why = resolve(cells, len(cols), check_total=len(cols) == 7, positional=row in aligned)
        if resolved is None:
            result.problems.append(f"{row}: {why}")
            result.tables[row] = dict.fromkeys(cols)
            if cells:
                result.tables_raw[row] = [c.raw for c in cells if c.kind != BLANK]
            continue
        _store_row(result, row, resolved)
    _review(result, scan.review_runs)
    return result
