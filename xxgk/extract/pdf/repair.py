"""Row lines a table is missing, inferred from where its text stands.

A lattice cell holds everything between the lines drawn around it. Where a row line is missing under
some columns (or under all of them), the cells above and below merge, or make no cell at all, and their
texts would run together: two labels into one that matches no row, two numbers into one number that
was never printed. The text shows where the line should be:

- a gap in a row line of a lattice (a stretch of the line not drawn between two column lines) is
  closed when no char stands across it and the text about it is not a column of single CJK chars (a
  label printed top to bottom), and either the texts just above and just below it stand further apart
  than the lines of one paragraph; or only one side has text and it is a number or a blank marker, or
  the other side is a row of numbers (one row's value, the other row blank); or neither side has text
  and the rows next to them hold numbers (two blank value cells); or, with text on one side
  at most, a column line ends at the gap where the row line goes on beyond it: an L-shaped corner,
  which rectangles never make inside a table;
- in a row of cells, a gap between two text lines of a cell, one of them a number, wider than the gap
  between the lines of a paragraph, where a line can be drawn through the whole row without crossing a
  char and parting the text of two or more cells, is a row line missing across the whole row;
- a ruling line that ends where nothing is drawn across its end (cells never end so) marks a line
  missing there, unless text stands across it: a column line ending so, the row line across its end
  (between the column lines that pass on either side), a row line ending so, the rest of that row line
  (up to the next column line it would meet).

The lines found are returned as edges, to be added to the drawn ones. A genuinely merged cell (a label
over several rows) has its text across or near the row lines inside it, or no number next to them, and
stays whole.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from operator import itemgetter

from xxgk.extract.pdf.geometry import Bbox, Edge, horizontal
from xxgk.extract.pdf.lattice import TOLERANCE, Table, covered, regions
from xxgk.extract.pdf.reader import Char
from xxgk.extract.pdf.text import cluster, words_of

_VALUE = re.compile(r"^(?:[+-]?\d[\d,]*(?:\.\d+)?|[-/—–\\]+)$")  # a number or a null marker
_MAYBE_VALUE = re.compile(r"[\d/—–\\-]")  # a char of one
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


def _multiline(chars: list[Char]) -> bool:
    return len(chars) > 1 and max(c["top"] for c in chars) - min(c["top"] for c in chars) > TOLERANCE


def _cut_row(cells: list[Bbox], chars: dict[Bbox, list[Char]], multiline: list[Bbox]) -> Iterator[Edge]:
    """A row line missing across the ``cells`` that end on one line (see the module docstring); of
    these, ``multiline`` hold text on two or more lines. The line crosses no char of theirs, nor of a
    cell of the table starting on the same line as the cell whose lines show it (a label cell of the
    same two rows may end lower)."""
    if not any(_MAYBE_VALUE.search(c["text"]) for cell in multiline for c in chars[cell]):
        return  # no number on two lines of one cell: nothing to cut
    lines = {cell: _lines(chars[cell]) for cell in multiline}
    for cell, found in lines.items():
        for upper, lower in zip(found, found[1:], strict=False):
            if not (_VALUE.match(upper[2]) or _VALUE.match(lower[2])):
                continue
            low, high = upper[1], lower[0]
            if high - low <= APART * max(upper[1] - upper[0], lower[1] - lower[0]):
                continue  # as close as the lines of one paragraph
            row = [c for other, found in chars.items() if abs(other[1] - cell[1]) <= TOLERANCE for c in found]
            free = _free(low, high, [c for other in cells for c in chars.get(other, ())] + row)
            if not free:
                continue
            a, b = max(free, key=lambda ab: ab[1] - ab[0])
            y = (a + b) / 2
            parted = [other for other in lines if _has_text_on_both_sides(chars[other], y)]
            if len(parted) < 2:
                continue
            # The merged row's cells, and cells from rows above holding text on both sides.
            cut = [other for other in cells if other[1] >= cell[1] - TOLERANCE or other in parted]
            yield from (horizontal(c[0], c[2], y) for c in cut if c[1] < y - TOLERANCE)
            return  # one line per row and pass: the cells it makes are looked at again


def _free(low: float, high: float, chars: list[Char]) -> list[tuple[float, float]]:
    """The parts of low–high no char stands across (chars may reach ``_STRADDLE`` points into them)."""
    free, at = [], low
    for top, bottom in sorted((c["top"] + _STRADDLE, c["bottom"] - _STRADDLE) for c in chars):
        if bottom <= at or top >= high:
            continue
        if top > at:
            free.append((at, top))
        at = max(at, bottom)
    if high > at:
        free.append((at, high))
    return free


def _has_text_on_both_sides(chars: list[Char], y: float) -> bool:
    return any(c["bottom"] <= y + _STRADDLE for c in chars) and any(c["top"] >= y - _STRADDLE for c in chars)


def missing_rulings(table: Table, chars: dict[Bbox, list[Char]]) -> list[Edge]:
    """Row lines missing across whole rows of the table, from the chars of each cell."""
    multiline = {cell for cell, found in chars.items() if _multiline(found)}
    if not multiline:
        return []
    found: list[Edge] = []
    rows: dict[float, list[Bbox]] = {}  # cells by the line they end on
    for cell in table.cells:
        rows.setdefault(cell[3], []).append(cell)
    for cells in rows.values():
        split = [cell for cell in cells if cell in multiline]
        if len(cells) > 1 and split:
            found += _cut_row(cells, chars, split)
    return found


class CharIndex:
    """The chars of a page by the y of their centre, to find those inside a box quickly."""

    def __init__(self, chars: list[tuple[Char, float, float]]) -> None:
        self.chars = sorted(chars, key=itemgetter(2))
        self.ys = [y for _, _, y in self.chars]

    def inside(self, x0: float, top: float, x1: float, bottom: float) -> list[Char]:
        lo, hi = bisect_left(self.ys, top), bisect_right(self.ys, bottom)
        return [char for char, x, _ in self.chars[lo:hi] if x0 <= x <= x1]


def _value_like(chars: list[Char]) -> bool:
    """Whether the chars are numbers and blank markers only (every word of every line)."""
    words = [text for line in cluster(chars, itemgetter("top")) for _, text in words_of(line)]
    return bool(words) and all(_VALUE.match(text) for text in words)


def _gap_is_missing(
    index: CharIndex,
    stretch: tuple[float, float],
    width: tuple[float, float],
    rows: tuple[float, float, float, float, float],
    cornered: bool,
) -> bool:
    """Whether the undrawn part of a row line between two column lines (``stretch``) was left out (see
    the module docstring). ``width``: the lattice's left and right; ``rows``: the row line itself (in
    the middle) and the two lines before and after it; ``cornered``: a line drawn beside the stretch
    meets a column line that ends there."""
    x0, x1 = stretch
    above2, above, y, below, below2 = rows
    over, under = index.inside(x0, above, x1, y), index.inside(x0, y, x1, below)
    if over and under:
        missing = _apart(over, under)
    elif over or under:
        # One row's text, the other row blank: a number, or a blank in a row of numbers.
        top, bottom = (y, below) if over else (above, y)
        beside = [c for c in index.inside(width[0], top, width[1], bottom) if not x0 <= c["x0"] < x1]
        missing = cornered or _value_like(over + under) or _value_like(beside)
    else:  # two blank cells: between numbers (the rows next to them)?
        missing = cornered or (
            _value_like(index.inside(x0, above2, x1, above)) and _value_like(index.inside(x0, below, x1, below2))
        )
    near = over + under
    return missing and not _crossed(near, y) and not _vertical_text(near)


def _drawn(spans: list[tuple[float, float]], x: float) -> bool:
    return any(a - TOLERANCE <= x <= b + TOLERANCE for a, b in spans)


def _uncovered(lo: float, hi: float, spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of lo–hi that no span covers, each longer than the tolerance."""
    gaps, at = [], lo
    for a, b in [*sorted(spans), (hi, hi)]:
        if a - at > TOLERANCE:
            gaps.append((at, a))
        at = max(at, b)
    return gaps


def row_line_gaps(lattices: list[list[Edge]], index: CharIndex) -> list[Edge]:
    """The stretches of the lattices' row lines that were left out (see the module docstring).

    A row line is judged between each two column lines crossing it (a cell's width): where part of
    that stretch is not drawn, the texts over and under the whole stretch decide."""
    found: list[Edge] = []
    for lattice in regions(lattices):
        hs = [e for e in lattice if e["orientation"] == "h"]
        vs = [e for e in lattice if e["orientation"] == "v"]
        if len(hs) < 2:
            continue
        lo, hi = min(e["x0"] for e in lattice), max(e["x1"] for e in lattice)
        lines: dict[float, list[tuple[float, float]]] = {}
        for e in hs:
            lines.setdefault(e["top"], []).append((e["x0"], e["x1"]))
        ys = sorted(lines)
        padded = [ys[0], ys[0], *ys, ys[-1], ys[-1]]  # the outer lines have nothing outside them
        for k, y in enumerate(ys):
            gaps = _uncovered(lo, hi, lines[y])
            if not gaps:
                continue
            crossing = [e for e in vs if e["top"] - TOLERANCE <= y <= e["bottom"] + TOLERANCE]
            through = {e["x0"] for e in crossing if e["top"] < y - TOLERANCE and e["bottom"] > y + TOLERANCE}
            columns = sorted({lo, hi, *(e["x0"] for e in crossing)})
            for a, b in zip(columns, columns[1:], strict=False):
                parts = [(max(a, g0), min(b, g1)) for g0, g1 in gaps if min(b, g1) - max(a, g0) > TOLERANCE]
                if not parts:
                    continue
                # A column line ending at the row line, which is drawn on its other side only: an L-shaped
                # corner, which cells (rectangles) never make inside a table.
                cornered = (a not in through and a > lo and _drawn(lines[y], a - 2 * TOLERANCE)) or (
                    b not in through and b < hi and _drawn(lines[y], b + 2 * TOLERANCE)
                )
                if _gap_is_missing(index, (a, b), (lo, hi), tuple(padded[k : k + 5]), cornered):
                    found += (horizontal(g0, g1, y) for g0, g1 in parts)
    return found


def dangling_ends(lattices: list[list[Edge]], index: CharIndex) -> list[Edge]:
    """Lines where a ruling line ends with nothing drawn across its end (see the module docstring): a
    column line ending so marks a missing row line across it, a row line ending so the rest of that row
    line. Where a whole outer border is missing, :func:`~xxgk.extract.pdf.lattice.close_open_ends`
    draws it."""
    found: list[Edge] = []
    for lattice in lattices:
        hs = [e for e in lattice if e["orientation"] == "h"]
        vs = [e for e in lattice if e["orientation"] == "v"]
        if len(vs) < 2 or len(hs) < 2:
            continue
        lo, hi = min(e["x0"] for e in lattice), max(e["x1"] for e in lattice)
        top, bottom = min(e["top"] for e in lattice), max(e["bottom"] for e in lattice)
        for v in vs:
            x = v["x0"]
            for y in (v["top"], v["bottom"]):
                outermost = y - top <= TOLERANCE or bottom - y <= TOLERANCE
                if covered(x, y, hs) or (outermost and not any(abs(e["top"] - y) <= TOLERANCE for e in hs)):
                    continue  # ends on a line, or where the whole border is missing (close_open_ends)
                passing = [e["x0"] for e in vs if e["top"] < y - TOLERANCE and e["bottom"] > y + TOLERANCE]
                left = max((p for p in passing if p < x - TOLERANCE), default=lo)
                right = min((p for p in passing if p > x + TOLERANCE), default=hi)
                if not _crossed(index.inside(left, y - 50, right, y + 50), y):
                    found.append(horizontal(left, right, y))
        for h in hs:
            y = h["top"]
            for x, outward in ((h["x0"], -1), (h["x1"], 1)):
                if covered(x, y, vs):
                    continue
                # Drawn on as far as the next column line it would meet, or the lattice's side.
                passing = [e["x0"] for e in vs if e["top"] - TOLERANCE <= y <= e["bottom"] + TOLERANCE]
                ahead = [p for p in passing if (p - x) * outward > TOLERANCE]
                end = (max(ahead) if outward < 0 else min(ahead)) if ahead else (lo if outward < 0 else hi)
                a, b = sorted((x, end))
                if b - a > TOLERANCE and not _crossed(index.inside(a, y - 50, b, y + 50), y):
                    found.append(horizontal(a, b, y))
    return found
