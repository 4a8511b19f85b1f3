"""Row rulings a table is missing, inferred from where its text stands.

A lattice cell holds everything between the lines drawn around it. Where a row's bottom line is missing
under some columns (or under all of them), the cell above and the one below merge, and their texts would
run together: two labels into one that matches no row, two numbers into one number that was never
printed. The text shows where the line should be:

- a cell spanning several rows of its table whose text falls in two or more of those rows, no char
  crossing a row line, is cut along those row lines (unless its text is a column of single CJK chars,
  as a vertical label is printed);
- in a row of cells, a gap between text lines that two or more cells share, one of them holding only
  numbers, no char of the row crossing it, is a missing row line of the whole row.

The lines found are returned as edges, to be added to the drawn ones.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from operator import itemgetter

from xxgk.extract.pdf.geometry import Bbox, Edge, horizontal
from xxgk.extract.pdf.lattice import TOLERANCE, Table
from xxgk.extract.pdf.pdfium import Char
from xxgk.extract.pdf.text import cluster

_VALUE = re.compile(r"^(?:[+-]?\d[\d,]*(?:\.\d+)?|[-/—–\\]+)$")  # a number or a null marker
_STRADDLE = 1.0  # points a char may reach over a row line and still count as on one side
APART = 0.6  # text runs further apart than this times their char height are in different rows


def _lines(chars: list[Char]) -> list[tuple[float, float, str]]:
    """Lines of chars (top, bottom, text), top to bottom."""
    lines = []
    for line in cluster(chars, itemgetter("top")):
        line.sort(key=itemgetter("x0"))
        text = "".join(c["text"] for c in line if not c["text"].isspace())
        lines.append((min(c["top"] for c in line), max(c["bottom"] for c in line), text))
    return lines


def _vertical_text(chars: list[Char]) -> bool:
    """A column of single CJK chars, one per line (a label printed top to bottom)."""
    lines = _lines(chars)
    return len(lines) > 1 and all(len(text) == 1 and ord(text) >= 0x2E80 for _, _, text in lines)


def _crossed(chars: list[Char], y: float) -> bool:
    return any(c["top"] < y - _STRADDLE and c["bottom"] > y + _STRADDLE for c in chars)


def _apart(above: list[Char], below: list[Char]) -> bool:
    """Whether two runs of text stand further apart than the lines of one paragraph: by more than
    ``APART`` times the height of their chars."""
    height = max(c["bottom"] - c["top"] for c in above + below)
    return min(c["top"] for c in below) - max(c["bottom"] for c in above) > APART * height


def _cut_spanning(cell: Bbox, tops: list[float], chars: list[Char]) -> Iterator[Edge]:
    """Row lines across a cell that spans rows, where its text stands apart in separate rows."""
    x0, top, x1, bottom = cell
    inner = [t for t in tops if top + TOLERANCE < t < bottom - TOLERANCE]
    if not inner or len(chars) < 2:
        return
    bands: dict[int, list[Char]] = {}
    for c in chars:
        bands.setdefault(bisect_left(inner, (c["top"] + c["bottom"]) / 2), []).append(c)
    if len(bands) < 2 or _vertical_text(chars):
        return
    order = sorted(bands)
    cuts = inner[order[0] : order[-1]]
    if any(_crossed(chars, y) for y in cuts):
        return
    if all(_apart(bands[a], bands[b]) for a, b in zip(order, order[1:], strict=False)):
        yield from (horizontal(x0, x1, y) for y in cuts)


def _gaps(lines: list[tuple[float, float, str]]) -> list[tuple[float, float]]:
    return [(a[1], b[0]) for a, b in zip(lines, lines[1:], strict=False) if a[1] < b[0]]


def _multiline(chars: list[Char]) -> bool:
    return bool(chars) and max(c["top"] for c in chars) - min(c["top"] for c in chars) > TOLERANCE


def _cut_row(cells: list[Bbox], chars: dict[Bbox, list[Char]]) -> Iterator[Edge]:
    """Row lines missing across a whole row of cells (see the module docstring)."""
    lines = {cell: _lines(chars[cell]) for cell in cells if _multiline(chars[cell])}
    for found in lines.values():
        if not all(_VALUE.match(text) for *_, text in found):
            continue
        for low, high in _gaps(found):
            # this gap and the gaps of other cells overlapping it
            sharing = [gap for other in lines.values() for gap in _gaps(other) if gap[0] < high and gap[1] > low]
            low, high = max(g[0] for g in sharing), min(g[1] for g in sharing)
            if len(sharing) < 2 or low >= high:
                continue
            y = (low + high) / 2
            if not any(_crossed(chars[other], y) for other in cells):
                yield from (horizontal(c[0], c[2], y) for c in cells)
                return  # one line per row and pass: the cells it makes are looked at again


def missing_rulings(table: Table, chars: dict[Bbox, list[Char]]) -> list[Edge]:
    """Row lines the table is missing, from the chars of each of its cells (see the module docstring)."""
    tops = sorted({cell[1] for cell in table.cells})
    found: list[Edge] = []
    rows: dict[tuple[float, float], list[Bbox]] = {}
    for cell in table.cells:
        below = bisect_right(tops, cell[1] + TOLERANCE)  # the first row starting below the cell's top
        if below < len(tops) and tops[below] < cell[3] - TOLERANCE:
            found += _cut_spanning(cell, tops, chars.get(cell, []))
        else:
            rows.setdefault((cell[1], cell[3]), []).append(cell)
    for cells in rows.values():
        if len(cells) > 1:
            found += _cut_row(cells, {cell: chars.get(cell, []) for cell in cells})
    return found
