"""Expand an HTML <table> into a full grid: blank cells kept as "", slots covered by a span as None."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from xxgk.extract.document import Grid

MAX_SPAN = 50  # a rowspan/colspan (or DOCX gridSpan) counts at most this many slots
MAX_CELLS = 200_000  # grid slots of all tables of one document; a real report's tables hold a few hundred
_GAP = object()  # a slot no cell claimed (ragged rows)


def cell_text(cell: etree._Element) -> str:
    """Visible text of a cell; runs of whitespace (line breaks, &nbsp;) become one space, none at the ends."""
    return " ".join(etree.tostring(cell, method="text", encoding="unicode", with_tail=False).split())


def _span(cell: etree._Element, name: str) -> int:
    value = cell.get(name)
    if value is None:
        return 1
    try:
        return max(1, min(MAX_SPAN, int(value)))
    except ValueError:
        return 1


@dataclass
class Budget:
    """Grid slots the tables of one document may still fill (spans multiply cells, so slots are counted)."""

    left: int = MAX_CELLS
    dropped: int = 0  # table rows dropped once it ran out

    def note(self, kind: str) -> list[str]:
        """The problem line saying what was lost, if anything."""
        if not self.dropped:
            return []
        return [f"{kind} tables larger than {MAX_CELLS} cells in all: their last {self.dropped} rows dropped"]


def own_rows(table: etree._Element) -> list[etree._Element]:
    """The <tr> rows of this table, not of tables nested in it."""
    rows = []
    for child in table.iterchildren("tr", "thead", "tbody", "tfoot"):
        if child.tag == "tr":
            rows.append(child)
        else:
            rows.extend(child.iterchildren("tr"))
    return rows


def expand(table: etree._Element, budget: Budget | None = None) -> Grid:
    """Grid of the table: a spanning cell's text sits in its first slot, the other slots it covers are None.

    Columns that are empty in every row (layout spacers) are dropped.  Once ``budget`` runs out, the rest of
    the rows are dropped (and counted in it).
    """
    budget = budget or Budget()
    grid: list[list[str | None]] = []
    trs = own_rows(table)
    for r, tr in enumerate(trs):
        if len(grid) == r:
            grid.append([])
        row = grid[r]
        c = 0
        for cell in tr.iterchildren("td", "th"):
            while c < len(row) and row[c] is not _GAP:
                c += 1
            text = cell_text(cell)
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(rowspan):
                if len(grid) == r + dr:
                    grid.append([])
                target = grid[r + dr]
                if len(target) < c + colspan:
                    budget.left -= c + colspan - len(target)
                    target.extend([_GAP] * (c + colspan - len(target)))
                target[c : c + colspan] = [None] * colspan
            row[c] = text
            c += colspan
            if budget.left < 0:
                break
        if budget.left < 0:
            budget.dropped += len(trs) - r
            budget.left = 0
            del grid[r:]
            break
    rows = [[("" if cell is _GAP else cell) for cell in row] for row in grid if any(c is not _GAP and c for c in row)]
    width = max((len(row) for row in rows), default=0)
    keep = [i for i in range(width) if any(i < len(row) and row[i] for row in rows)]
    return [[row[i] if i < len(row) else "" for i in keep] for row in rows]
