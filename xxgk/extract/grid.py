"""Expand an HTML <table> into a full grid: rowspan/colspan cells repeated, blank cells kept."""

from __future__ import annotations

import re

from lxml import etree

from xxgk.extract.document import Grid

_SPACE = re.compile(r"\s+")
_MAX_SPAN = 50


def cell_text(cell: etree._Element) -> str:
    """Visible text of a cell; inner line breaks become one space, &nbsp; counts as blank."""
    text = "".join(cell.itertext()).replace("\xa0", " ").replace("\u3000", " ")
    return _SPACE.sub(" ", text).strip()


def _span(cell: etree._Element, name: str) -> int:
    try:
        return max(1, min(_MAX_SPAN, int(cell.get(name, "1"))))
    except ValueError:
        return 1


def own_rows(table: etree._Element) -> list[etree._Element]:
    """The <tr> rows of this table, not of tables nested in it."""
    rows = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if r.tag == "tr")
    return rows


def expand(table: etree._Element) -> Grid:
    """Grid of the table; a spanning cell's text fills every slot it covers."""
    grid: list[list[str | None]] = []
    for r, tr in enumerate(own_rows(table)):
        while len(grid) <= r:
            grid.append([])
        row = grid[r]
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while c < len(row) and row[c] is not None:
                c += 1
            text = cell_text(cell)
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            for dr in range(rowspan):
                while len(grid) <= r + dr:
                    grid.append([])
                target = grid[r + dr]
                for dc in range(colspan):
                    while len(target) <= c + dc:
                        target.append(None)
                    target[c + dc] = text
            c += colspan
    return [[cell if cell is not None else "" for cell in row] for row in grid if row]
