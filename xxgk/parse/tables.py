"""Tables 1–3 from the cell stream, anchored by row labels.

Every input (grid rows or text lines) becomes one stream of cells.  A cell whose text matches a row
label opens that row; the numbers that follow are its values (only those on the label's line when that
line has a slot for every value).  Where a table's complete rows agree on the columns of their values,
rows are read by column, so empty fields stay blank cells in place.  Other rows that carry too many or
too few values are resolved only where the result is certain (identical candidates, or a single candidate
satisfying rule 3); otherwise the row is reported in ``problems`` and left blank, never guessed.

The format follows from Table 1's column headings: a 2019-format report maps onto ``proactive_2019.*``
(its decisions also under the 2021 keys); Table 2 has either the three ``requests.other.*`` rows or the
single old （六）其他处理 row, ``requests.other_2019``, whichever is printed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from xxgk.model import Number, Tables
from xxgk.parse.labels import GROUP, ORDER_INDEX, exact_label, match_label
from xxgk.parse.lines import Line
from xxgk.parse.normalize import compact, label_key, numbered
from xxgk.parse.tokens import (
    BLANK,
    EMPTY,
    HEADING,
    NULL,
    PLAIN_NUMBER,
    TEXT,
    VALUE,
    Token,
    kind_of,
    numeric,
    tokenize,
)
from xxgk.schema import (
    ALL_ROWS,
    DECIMAL_CELLS,
    DECISIONS_2021,
    MAX_VALUE,
    OTHER_2019,
    OTHER_ROWS,
    PROACTIVE_2019_ROWS,
    PROACTIVE_ROWS,
    REQUEST_ROWS,
    REQUEST_ROWS_2019,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)

# Table 1 column headings only the 2019 format prints.
OLD_FORMAT = re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|采购项目数量")
OTHER_2019_RAW = "（六）其他处理"  # the single row as printed, also kept in tables_raw
REVIEW_CELLS = len(REVIEW_GROUPS) * len(REVIEW_COLUMNS)
# The unit each decimal cell is printed in: a value printed with the other unit is noted, not converted.
UNITS = {"proactive.fees.amount_10k_yuan": "万元", "proactive_2019.procurement.amount_yuan": "元"}
# Table 1 row of each format for a matched label (a 2021 key for rows both formats have).
TABLE1 = {
    "2021": {row: row for row in PROACTIVE_ROWS},
    "2019": {
        **{row.replace("proactive_2019.", "proactive."): row for row in PROACTIVE_2019_ROWS},
        **{row: row for row in PROACTIVE_2019_ROWS},
    },
}
# Short labels that also occur in headers; accepted only after the given row has been seen.
_NEEDS_AFTER = {"requests.total": "requests.granted", "requests.other.other": "requests.not_processed.petition"}


@dataclass
class TableResult:
    format: str = "unknown"
    tables: Tables = field(default_factory=dict)
    cells_raw: dict[str, str] = field(default_factory=dict)
    tables_raw: dict[str, list[Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    rows_found: int = 0  # Table 1 and 2 rows whose label was found
    row_lines: dict[str, int] = field(default_factory=dict)  # line of each row's first printed cell
    unplaced: dict[str, str] = field(default_factory=dict)  # rows whose values cannot be placed, with why


def number(token: Token, *, decimal: bool = False) -> Number | None:
    """Value of a cell; None for blanks, null markers (never 0) and numbers beyond ``MAX_VALUE``."""
    return cell_value(token.text, decimal=decimal) if token.kind == VALUE else None


def cell_value(text: str, *, decimal: bool = False) -> Number | None:
    """Value of a cell's text, as :func:`number` reads it."""
    if kind_of(text) != VALUE:
        return None
    value = numeric(text)
    if abs(value) > MAX_VALUE:
        return None
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
    table1: dict[str, str]  # Table 1 row of the report's format for each matched label
    rows: dict[str, list[Token]] = field(default_factory=dict)
    review_runs: list[list[Token]] = field(default_factory=list)
    review_heads: list[str] = field(default_factory=list)  # the text before each run of Table 3's values
    current: str | None = None
    cells: list[Token] = field(default_factory=list)
    phase: int = 1  # 1: Table 1, 2: Table 2, 3: Table 3
    last_request: int = -1
    label_line: int = -1
    room: int = 0  # cells after the current row's label on the label's own line
    block: list[str] = field(default_factory=list)  # rows just opened and closed without a cell
    detached: dict[str, tuple[list[str], int]] = field(default_factory=dict)  # row → its label block, first value
    at: int = 0  # index of the token being read

    def close(self) -> None:
        if self.current is not None:
            if self.current not in self.rows:
                self.rows[self.current] = self.cells
            self.block = [] if self.cells else [*self.block, self.current]
        self.current, self.cells = None, []

    def open(self, key: str, label: Token) -> None:
        lead = self.current is not None and not self.cells
        lead = lead and (label.line == self.label_line or (self.current == OTHER_2019 and key in OTHER_ROWS))
        self.close()
        if lead:  # a label followed on its own line by another, or （六）其他处理 before its 1.: a lead, not a block
            self.block.pop()
        self.current = key
        self.label_line = label.line
        self.room = sum(1 for col in self.cols_of_line.get(label.line, ()) if col > label.col)

    def need(self) -> int:
        return len(ALL_ROWS.get(self.current or "", ())) or 7

    def filled(self) -> bool:
        if self.current is None:
            return False
        return sum(1 for c in self.cells if c.kind != BLANK) >= self.need()

    def text(self, token: Token) -> None:
        if self.phase == 3:
            self.review_run(token.text)
            return
        if (
            self.phase == 2
            and label_key(token.text) == "行政复议"
            and self.last_request >= ORDER_INDEX["requests.total"]
        ):
            self.close()
            self.phase = 3
            self.review_run(token.text)
            return
        key = match_label(token.text)
        if key is None or key == GROUP or key == self.current:
            if key is None and self.filled():
                self.close()  # a complete row followed by unrelated text: later numbers are not its
            return
        if key.startswith("proactive"):
            row = self.table1.get(key)
            if self.phase == 1 and row is not None and row not in self.rows:
                self.open(row, token)
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
                self.review_run("")
            self.review_runs[-1].append(token)
        elif self.current is not None:
            if token.line != self.label_line and self.room >= self.need():
                self.close()  # the label's line has a slot for every value: the row is that line
                return
            if self.block and token.line != self.label_line and not self.cells:
                self.detached[self.current] = ([*self.block, self.current], self.at)
            self.cells.append(token)
        else:
            self.block = []

    def review_run(self, head: str) -> None:
        self.review_runs.append([])
        self.review_heads.append(head)

    def row_break(self, bars: bool = False) -> None:
        """An empty line ends a row that already has all its cells (one-cell-per-line exports); a line of
        bars (a bar export's row end) also ends a row printed without a cell, which is then no label block."""
        if self.phase < 3 and self.current is not None and len(self.cells) >= self.need():
            self.close()
        elif bars and self.phase < 3 and self.current is not None and not self.cells:
            self.close()
            self.block.pop()

    def heading(self, key: str) -> None:
        self.close()
        if key == "review_litigation":
            self.phase = 3
            self.review_run("")
        elif key == "requests":
            self.phase = max(self.phase, 2)


def _store_row(result: TableResult, row: str, cells: list[Token]) -> None:
    table_row: dict[str, Number | None] = {}
    for col, cell in zip(ALL_ROWS[row], cells, strict=True):
        key = f"{row}.{col}"
        value = table_row[col] = number(cell, decimal=key in DECIMAL_CELLS)
        if not PLAIN_NUMBER.match(cell.raw) or (value is None and cell.kind == VALUE):
            result.cells_raw[key] = cell.raw
        if cell.kind != VALUE:
            continue
        if value is None:
            result.problems.append(f"{key}: '{_short(cell.raw)}' is more than {MAX_VALUE:,}, not a count; left blank")
        elif key in UNITS and (unit := _unit(cell.text)) and unit != UNITS[key]:
            result.problems.append(f"{key}: printed as '{cell.raw}' in a {UNITS[key]} column; value kept as printed")
    result.tables[row] = table_row
    result.row_lines[row] = next((c.line for c in cells if c.kind != BLANK), cells[0].line)


def _unit(text: str) -> str | None:
    text = compact(text)
    return "万元" if text.endswith("万元") else "元" if text.endswith("元") else None


def _short(raw: str) -> str:
    return raw if len(raw) <= 24 else f"{raw[:12]}…{raw[-6:]} ({len(raw)} characters)"


def _in_order(runs: list[list[Token]], heads: list[str]) -> bool:
    """Whether Table 3's values, split by the header's words into several runs, still read in order.

    They do when each run holds whole groups of five, or when only a 总计 (a header cell printed late)
    stands between runs; other header words between values mean a text read column by column.
    """
    group = len(REVIEW_COLUMNS)
    counts = [sum(c.kind != BLANK for c in run) for run in runs]
    if all(n % group == 0 for n in counts):
        return True
    valued = [i for i, n in enumerate(counts) if n]
    between = [heads[k] for a, b in pairwise(valued) for k in range(a + 1, b + 1)]
    return all(label_key(h) == "总计" for h in between)


def _review(result: TableResult, runs: list[list[Token]], heads: list[str]) -> None:
    chosen = None
    for run in runs:
        cells, _ = resolve(run, REVIEW_CELLS)
        if cells is not None:
            chosen = cells
            break
    if chosen is None:
        filled = [c for run in runs for c in run if c.kind != BLANK]
        if len(filled) == REVIEW_CELLS and _in_order(runs, heads):
            chosen = filled
        else:
            what = "not found" if not filled else f"{len(filled)} values found, expected {REVIEW_CELLS}"
            if len(filled) == REVIEW_CELLS:
                pieces = "+".join(str(n) for run in runs if (n := sum(c.kind != BLANK for c in run)))
                what = (
                    f"{REVIEW_CELLS} values in pieces of {pieces} between the header's words, "
                    "not in its order (read column by column?); left blank"
                )
            result.problems.append(f"Table 3 (review/litigation): {what}")
    for g, group in enumerate(REVIEW_GROUPS):
        if chosen is None:
            result.tables[group] = dict.fromkeys(REVIEW_COLUMNS)
        else:
            _store_row(result, group, chosen[g * len(REVIEW_COLUMNS) : (g + 1) * len(REVIEW_COLUMNS)])


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
    for prefix in ("proactive", "requests."):
        table = {
            row: cells
            for row, cells in rows.items()
            if row.startswith(prefix) and row in ALL_ROWS and cells and len({c.line for c in cells}) == 1
        }
        layouts: Counter[tuple[int, int]] = Counter()
        for row, cells in table.items():
            filled = [c for c in cells if c.kind != BLANK]
            n = len(ALL_ROWS[row])
            if len(filled) == n and filled[-1].col - filled[0].col == n - 1:
                layouts[filled[0].col, width[filled[0].line]] += 1
        if len(layouts) != 1 or next(iter(layouts.values())) < 2:
            continue
        ((start, line_width),) = layouts
        for row, cells in table.items():
            n = len(ALL_ROWS[row])
            at = {c.col: c for c in cells}
            picked = [at[col] for col in range(start, start + n) if col in at]
            outside = [c for c in cells if not start <= c.col < start + n]
            if width[cells[0].line] == line_width and len(picked) == n and all(c.kind == BLANK for c in outside):
                out[row] = picked
    return out


OPENER_SHARE = 0.8  # share of row labels after a bare bar that makes the bar a row opener, not a cell


def drop_row_openers(tokens: list[Token]) -> list[Token]:
    """Tokens without the bare ``|`` line that some HTML-to-text converters print before every row.

    Such a converter writes a row as ``|`` then one ``cell |`` line per cell, an empty cell as a bare ``|``
    too; read as a cell, the next row's opener would be one blank too many for the row before it.  Where
    nearly every row label (``OPENER_SHARE``, three at least) follows a bare bar on a line of its own, the
    bar right before each text is the row's opener and is dropped; the blanks before it stay cells.
    """
    alone = Counter(t.line for t in tokens)

    def opener(i: int) -> bool:
        before = tokens[i - 1] if i else None
        return before is not None and before.kind == BLANK and alone[before.line] == 1 and before.line < tokens[i].line

    labels = [i for i, t in enumerate(tokens) if t.kind == TEXT and match_label(t.text) not in (None, GROUP)]
    opened = sum(opener(i) for i in labels)
    if len(labels) < 3 or opened < OPENER_SHARE * len(labels):
        return tokens
    drop = {i - 1 for i, t in enumerate(tokens) if t.kind == TEXT and opener(i)}
    return [t for i, t in enumerate(tokens) if i not in drop]


WRAP_LINES = 6  # lines a wrapped row label may take


def join_wrapped_labels(tokens: list[Token]) -> list[Token]:
    """Tokens with each row label that a PDF wrapped over several lines joined back into one.

    A numbered text that is no label (``（一）予``) starts a wrapped label when the lines after it each hold
    one text and perhaps cells (``以公开  3  0  1 …``), and their texts joined to it give a row's label
    before another numbered text starts; the numbers may sit on any of the label's lines.  The joined label
    takes the first fragment's place, the numbers keep theirs.  A fragment that is exactly another row's
    label is never swallowed.
    """
    by_line: dict[int, list[int]] = {}
    for i, token in enumerate(tokens):
        by_line.setdefault(token.line, []).append(i)
    following = dict(pairwise(by_line))  # tokens come in line order: each line's next line holding tokens
    out = list(tokens)
    dropped: set[int] = set()
    for i, token in enumerate(tokens):
        if i in dropped or token.kind != TEXT or not numbered(token.text) or match_label(token.text) is not None:
            continue
        if not _cells_only(tokens, by_line[token.line], i):
            continue
        pieces = _wrapped_pieces(tokens, by_line, following, token.line)
        text = token.text
        for k, j in enumerate(pieces):
            text += tokens[j].text
            row = match_label(text)
            if row is None or row == GROUP:
                continue
            if all(exact_label(tokens[m].text) in (None, row) for m in pieces[: k + 1]):
                out[i] = token._replace(text=text, raw="".join([token.raw, *(tokens[m].raw for m in pieces[: k + 1])]))
                dropped.update(pieces[: k + 1])
            break
    return [t for i, t in enumerate(out) if i not in dropped]


def _cells_only(tokens: list[Token], line: list[int], i: int) -> bool:
    """Whether every token after ``i`` on its line is a cell (a number, null marker or blank)."""
    return all(tokens[j].kind in (VALUE, NULL, BLANK) for j in line if j > i)


def _wrapped_pieces(
    tokens: list[Token], by_line: dict[int, list[int]], following: dict[int, int], line: int
) -> list[int]:
    """The texts of the lines after ``line`` that may continue a wrapped label (see above)."""
    pieces: list[int] = []
    n = line
    for _ in range(WRAP_LINES):
        n = following.get(n)
        if n is None:
            break
        members = [j for j in by_line[n] if tokens[j].kind != EMPTY]
        if not members or tokens[members[0]].kind != TEXT or numbered(tokens[members[0]].text):
            break
        if not _cells_only(tokens, members, members[0]):
            break
        pieces.append(members[0])
    return pieces


# Words of Table 2's applicant header; a bare 总计 or 其他 next to one is a head, not the （七）总计 or 3.其他 row.
_HEAD_WORDS = frozenset(
    {"自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "申请人情况"}
    | {"企业", "机构", "组织"}
)


def column_heads(tokens: list[Token]) -> list[Token]:
    """Tokens with each bare 总计 or 其他 that sits among the applicant header's words blanked out as a label
    (the （七）总计 and 3.其他 rows print their numbering)."""
    texts = [i for i, t in enumerate(tokens) if t.kind == TEXT]
    out = list(tokens)
    for n, i in enumerate(texts):
        if label_key(tokens[i].text) not in ("总计", "其他") or numbered(tokens[i].text):
            continue
        near = [tokens[j].text for j in texts[max(n - 1, 0) : n] + texts[n + 1 : n + 2]]
        if any(label_key(t) in _HEAD_WORDS and not numbered(t) for t in near):
            out[i] = tokens[i]._replace(text="")
    return out


EVIDENCE_ROWS = 3  # rows with a positive total that rule 3 must confirm before a block's reading is taken


def _summed(rows: list[list[Token]]) -> int:
    """Rows whose seven values are all printed and whose positive total is the sum of the six."""
    return sum(1 for cells in rows if None not in (v := _values(cells)) and v[-1] > 0 and _rule3_holds(v))


def _rule3_failures(rows: list[list[Token]]) -> int:
    """Rows of a reading whose seven values are all printed and whose total is not the sum of the six."""
    return sum(1 for cells in rows if None not in (v := _values(cells)) and not _rule3_holds(v))


def _detached_groups(scan: _Scan, tokens: list[Token]) -> tuple[dict[str, list[Token]], dict[str, str], dict[str, str]]:
    """Rows whose values follow a block of labels printed without values (a text read column by column).

    The values are those from the block's first value to the next text.  A block of one-value rows with
    one value each is read in order.  A block of Table 2 rows with seven values each is read row by row
    when each row's seven share a line of their own; else row by row or column by column where one
    reading breaks rule 3 (total = sum of the six applicant columns) in no fully printed row, confirms it
    in ``EVIDENCE_ROWS`` rows with a positive total, and the other reading breaks it in some (or both
    give the same rows).  Any other block is left unresolved with the reason; the Table 2 blocks that
    neither reading settles are also returned as unplaceable: no later reading of them is certain either.
    """
    resolved: dict[str, list[Token]] = {}
    unresolved: dict[str, str] = {}
    unplaceable: dict[str, str] = {}
    for group, first in scan.detached.values():
        values = []
        for token in tokens[first:]:
            if token.kind in (TEXT, HEADING):
                break
            if token.kind in (VALUE, NULL):
                values.append(token)
        widths = {len(ALL_ROWS.get(row, ())) for row in group}
        reading = None
        if widths == {1} and len(values) == len(group):
            reading = [[value] for value in values]
        elif widths == {7} and len(values) == 7 * len(group):
            k = len(group)
            by_row = [values[r * 7 : (r + 1) * 7] for r in range(k)]
            by_column = [[values[c * k + r] for c in range(7)] for r in range(k)]
            readings = [by_row, by_column]
            failing = [_rule3_failures(rows) for rows in readings]
            if all(len({c.line for c in cells}) == 1 for cells in by_row) and len({c.line for c in values}) == k:
                reading = by_row  # each row's seven values on a line of their own: printed row by row
            elif [_values(r) for r in by_row] == [_values(r) for r in by_column]:
                reading = by_row
            elif min(failing) == 0 and max(failing) > 0 and _summed(readings[failing.index(0)]) >= EVIDENCE_ROWS:
                reading = readings[failing.index(0)]
            else:
                unplaceable.update(
                    dict.fromkeys(group, "its block reads row by row and column by column alike; left blank")
                )
        if reading is not None:
            resolved.update(dict(zip(group, reading, strict=True)))
            continue
        why = (
            f"{len(values)} values after the labels of {len(group)} rows printed without their values "
            "(a table read column by column?); cannot tell which belong to which row"
        )
        unresolved.update(dict.fromkeys(group, why))
    return resolved, unresolved, unplaceable


def parse_tables(lines: list[Line], headings: dict[str, int]) -> TableResult:
    """Tables 1–3 of a report, its format, and what could not be resolved."""
    start = headings.get("proactive", 0)
    ends = [i for key, i in headings.items() if key in ("problems", "other") and i > start]
    end = min(ends) if ends else len(lines)
    marks = {i: key for key, i in headings.items() if start <= i < end and key != "proactive"}
    tokens = column_heads(join_wrapped_labels(drop_row_openers(list(tokenize(lines, start, end, marks)))))
    result = TableResult()
    region = compact("".join(lines[i].norm for i in range(start, end)))
    old = OLD_FORMAT.search(region) is not None
    cols_of_line: dict[int, list[int]] = {}
    for token in tokens:
        if token.kind not in (HEADING, EMPTY):
            cols_of_line.setdefault(token.line, []).append(token.col)
    scan = _Scan(cols_of_line, TABLE1["2019" if old else "2021"])
    for scan.at, token in enumerate(tokens):
        if token.kind == EMPTY:
            scan.row_break(bars=bool(lines[token.line].norm.strip()))
        elif token.kind == HEADING:
            scan.heading(token.text)
        elif token.kind == TEXT:
            scan.text(token)
        else:
            scan.value(token)
    scan.close()
    result.rows_found = len(scan.rows)
    if not scan.rows:  # Tables 1 and 2 missing (images, another page); Table 3 is kept where it is printed
        result.format = "2019" if old else "unknown"
        review = TableResult()
        _review(review, scan.review_runs, scan.review_heads)
        if any(v is not None for cols in review.tables.values() for v in cols.values()):
            result.tables, result.cells_raw = review.tables, review.cells_raw
            result.problems += ["Tables 1 and 2 (proactive, requests) not found", *review.problems]
        else:
            result.problems.append("no disclosure tables found")
        return result
    result.format = "2019" if old else "2021"
    by_column = _by_column(scan.rows, cols_of_line)
    in_order, detached, result.unplaced = _detached_groups(scan, tokens)
    single = scan.rows.get(OTHER_2019, [])
    single_cells, _ = resolve(single, 7, check_total=True) if any(c.kind != BLANK for c in single) else (None, None)
    if OTHER_2019 in in_order:  # the single old row read from a block of labels
        single_cells = in_order[OTHER_2019]
    if single_cells is not None:
        result.tables_raw[OTHER_2019_RAW] = list(_values(single_cells))
    # Table 2 prints either the three 2021 其他处理 rows or the single old one (2019 format, and some 2021 reports).
    old_other = not any(row in scan.rows for row in OTHER_ROWS) and (old or single_cells is not None)
    table1 = PROACTIVE_2019_ROWS if old else PROACTIVE_ROWS
    for row in (*table1, *(REQUEST_ROWS_2019 if old_other else REQUEST_ROWS)):
        cols = ALL_ROWS[row]
        cells = scan.rows.get(row)
        if cells is None:
            result.problems.append(f"{row}: row not found")
            result.tables[row] = dict.fromkeys(cols)
            continue
        if row in detached:
            resolved, why = None, detached[row]
        elif row in in_order:
            resolved, why = in_order[row], None
        elif row in by_column:
            resolved, why = by_column[row], None
        elif row == OTHER_2019 and single_cells is not None:
            resolved, why = single_cells, None
        else:
            resolved, why = resolve(cells, len(cols), check_total=len(cols) == 7)
        if resolved is None:
            result.problems.append(f"{row}: {why}")
            result.tables[row] = dict.fromkeys(cols)
            if cells:
                result.tables_raw[row] = [c.raw for c in cells if c.kind != BLANK]
            continue
        _store_row(result, row, resolved)
    if old:
        mirror_decisions(result.tables, result.cells_raw)
    _review(result, scan.review_runs, scan.review_heads)
    return result


def mirror_decisions(tables: Tables, *cell_maps: dict[str, str]) -> None:
    """A 2019-format report's 处理决定数量 also under its 2021 key, with its raw text, provenance …"""
    for row, row_2021 in DECISIONS_2021.items():
        if row in tables:
            tables[row_2021] = {"decisions": tables[row]["decisions"]}
            for cells in cell_maps:
                if f"{row}.decisions" in cells:
                    cells[f"{row_2021}.decisions"] = cells[f"{row}.decisions"]
