"""A ruled table's chars into its cells, and the table as a grid of cell texts."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from operator import itemgetter

from xxgk.extract.document import Grid
from xxgk.extract.pdf.geometry import Bbox
from xxgk.extract.pdf.lattice import Table
from xxgk.extract.pdf.reader import Char
from xxgk.extract.pdf.text import cell_text

Placed = tuple[Char, float, float]  # a char and its centre
_WRAP = re.compile(r"\s*\n\s*")


def _clean(text: str) -> str:
    # Wrapped CJK text joins without a space.
    return (_WRAP.sub("", text) if "\n" in text else text).strip()


def cell_chars(table: Table, chars: list[Placed]) -> dict[Bbox, list[Char]]:
    """The chars of each cell: a char belongs to the cell holding its centre (half-open boxes, as
    pdfplumber). Chars in no cell are left out."""
    xs = sorted({v for box in table.cells for v in (box[0], box[2])})
    ys = sorted({v for box in table.cells for v in (box[1], box[3])})
    slot_owner: dict[tuple[int, int], Bbox] = {}
    for box in sorted(table.cells, key=itemgetter(1, 0)):  # a later row's cell wins an overlap
        for i in range(bisect_left(xs, box[0]), bisect_left(xs, box[2])):
            for j in range(bisect_left(ys, box[1]), bisect_left(ys, box[3])):
                slot_owner[i, j] = box
    owned: dict[Bbox, list[Char]] = {}
    for char, x, y in chars:
        owner = slot_owner.get((bisect_right(xs, x) - 1, bisect_right(ys, y) - 1))
        if owner is not None:
            owned.setdefault(owner, []).append(char)
    return owned


def grid(table: Table, owned: dict[Bbox, list[Char]]) -> Grid:
    """Rows of cell texts as pdfplumber's ``Table.extract`` lays them out (None: a slot covered by a
    merged cell, "" an empty cell), rows without any text left out."""
    rows = []
    for row in table.rows:
        cells = [None if box is None else _clean(cell_text(owned[box])) if box in owned else "" for box in row]
        if any(cells):
            rows.append(cells)
    return rows
