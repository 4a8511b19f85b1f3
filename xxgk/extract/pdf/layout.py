"""Pages as blocks in reading order, and tables continued over a page break joined into one.

On a page, every ruled table becomes a grid block and the chars outside tables become text lines; blocks
are ordered by their top. A table that runs to the foot of a page and goes on at the head of the next
(nothing but page numbers between the two parts) is one table: a header the continuation repeats is
dropped, and where both parts have the same columns, the rows of the second are appended to the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

import pypdfium2 as pdfium

from xxgk.extract.document import Block, Grid
from xxgk.extract.pdf.cells import Placed, cell_chars, grid
from xxgk.extract.pdf.geometry import Bbox, Edge, straight_edge
from xxgk.extract.pdf.lattice import (
    TOLERANCE,
    Crossings,
    Table,
    close_open_ends,
    crossings_of,
    lattices,
    snapped,
    tables_from,
)
from xxgk.extract.pdf.reader import Char, page_chars, segments
from xxgk.extract.pdf.repair import CharIndex, dangling_ends, missing_rulings, row_line_gaps
from xxgk.extract.pdf.text import page_lines

MARGIN = 0.12  # the top and bottom 12% of a page hold its furniture
# A page number as printed (3, - 3 -, 3/5, 第3页 共5页): furniture, unlike any heading or running head.
PAGE_NUMBER = re.compile(r"^[\s\-—–－/|.,，·第页共]*\d[\s\d\-—–－/|.,，·第页共]*$")
MAX_REPAIRS = 4  # passes adding the row lines a table is missing (each pass only adds lines; most need one)


@dataclass
class Item:
    """A block placed on its page."""

    top: float
    block: Block
    columns: tuple[float, ...] = ()  # a table's column lines: the left edges of its cells, then its right border


@dataclass
class Page:
    items: list[Item] = field(default_factory=list)
    height: float = 0.0

    def furniture(self, item: Item) -> bool:
        """A page number in the page's top or bottom margin."""
        text = item.block.text
        return text is not None and not MARGIN < item.top / self.height < 1 - MARGIN and bool(PAGE_NUMBER.match(text))

    def last_table(self) -> Item | None:
        """The page's last table if nothing but furniture follows it."""
        for item in reversed(self.items):
            if item.block.grid is not None:
                return item
            if not self.furniture(item):
                return None
        return None

    def first_table(self) -> Item | None:
        """The page's first table if nothing but furniture comes before it."""
        for item in self.items:
            if item.block.grid is not None:
                return item
            if not self.furniture(item):
                return None
        return None


def _edges(page: pdfium.PdfPage, height: float) -> list[Edge]:
    return [edge for p, q in segments(page) if (edge := straight_edge(p, q, height)) is not None]


class ReadTable(NamedTuple):
    table: Table
    cells: dict[Bbox, list[Char]]  # the chars of each cell
    inside: list[Placed]  # every char inside the table's box, in a cell or not


def _read(crossings: Crossings, placed: list[Placed]) -> list[ReadTable]:
    tables = []
    for table in tables_from(crossings):
        x0, top, x1, bottom = table.bbox
        # Inclusive bounds: a char sitting on a table's outer border belongs to the table.
        inside = [one for one in placed if x0 <= one[1] <= x1 and top <= one[2] <= bottom]
        tables.append(ReadTable(table, cell_chars(table, inside), inside))
    return tables


def _tables(edges: list[Edge], placed: list[Placed]) -> list[ReadTable]:
    """The page's ruled tables with the chars of each cell: open sides closed, and the row lines they
    are missing added from the text."""
    edges = snapped(edges)
    if not edges:
        return []
    crossings = crossings_of(edges)
    index = CharIndex(placed)
    groups = lattices(crossings, edges)
    for _ in range(MAX_REPAIRS):
        # In turn: a side closed makes row lines to judge, a gap closed leaves no dangling end.
        added = []
        for repair in (close_open_ends, row_line_gaps, dangling_ends):
            found = repair(groups, index)
            if found:
                edges = snapped(edges + found)
                crossings = crossings_of(edges)
                groups = lattices(crossings, edges)
                added += found
        read = _read(crossings, placed)
        cut = [edge for table, cells, _ in read for edge in missing_rulings(table, cells)]
        if not cut and not added:
            return read  # nothing more to find: a line added can show where the next one is missing
        if cut:
            edges = snapped(edges + cut)
            crossings = crossings_of(edges)
            groups = lattices(crossings, edges)
    return _read(crossings, placed)


def page_items(page: pdfium.PdfPage) -> Page:
    height = page.get_height()
    result = Page(height=height)
    chars = page_chars(page, height)
    if not chars:
        return result
    placed = [(char, (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2) for char in chars]
    taken: set[int] = set()  # ids of the chars inside any table
    for table, cells, inside in _tables(_edges(page, height), placed):
        rows = grid(table, cells)
        if rows:
            columns = (*sorted({cell[0] for cell in table.cells}), table.bbox[2])
            result.items.append(Item(table.bbox[1], Block(grid=rows), columns))
        # Chars inside the table but in no cell are left out: put after the table, a number whose cell
        # was not found would be read as the last row's.
        taken.update(id(char) for char, _, _ in inside)
    rest: list[Char] = [char for char in chars if id(char) not in taken] if taken else chars
    if rest:
        result.items += [Item(top, Block(text=text)) for top, text in page_lines(rest)]
    result.items.sort(key=lambda item: item.top)
    return result


def _same_columns(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= TOLERANCE for x, y in zip(a, b, strict=True))


def _texts(row: list[str | None]) -> list[str]:
    return [cell for cell in row if cell]


def _repeated_header(first: Grid, second: Grid) -> int:
    """How many leading rows of ``second`` repeat the leading rows of ``first`` (never all of them):
    the same texts in the same order, whatever cells the two parts' lattices make of them."""
    n = 0
    while n < min(len(first), len(second) - 1) and _texts(first[n]) == _texts(second[n]):
        n += 1
    return n


def join_continued(pages: list[Page]) -> list[Item]:
    """The items of all pages in order, each table continued from the page before joined to its first part."""
    items: list[Item] = []
    before: Item | None = None  # the last table so far, if the page before ended with it
    for page in pages:
        head = page.first_table() if before is not None else None
        joined = False
        for item in page.items:
            if item is head and before is not None:
                rows = item.block.grid[_repeated_header(before.block.grid, item.block.grid) :]
                if _same_columns(before.columns, item.columns):
                    before.block.grid.extend(rows)
                    joined = True
                    continue
                item.block.grid = rows
            items.append(item)
        last = page.last_table()
        if not (joined and last is head):  # else the page holds nothing but the table's middle part
            before = last
    return items
