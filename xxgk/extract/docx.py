"""Word .docx files: paragraphs and tables in body order; merged cells de-duplicated.

python-docx opens the package; the body XML is then walked directly with lxml (python-docx's table and
paragraph objects re-search the tree for every cell, which costs more than all the rest of the parse).
The text read equals python-docx's ``Paragraph.text`` / ``_Cell.text``, and the grids equal what its
``_Row.cells`` gives.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

import docx
from lxml import etree

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document, Grid

_WML = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {"w": _WML}
_W = f"{{{_WML}}}"
_P, _TBL, _TR, _TC = f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_GRID_BEFORE, _GRID_SPAN, _VMERGE, _BR = f"{_W}gridBefore", f"{_W}gridSpan", f"{_W}vMerge", f"{_W}br"
_VAL, _TYPE = f"{_W}val", f"{_W}type"
# Run content other than w:t as python-docx renders it; w:br counts only as a line break, not a page/column break.
_RUN_SYMBOLS = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
_RUN_PARTS = ("w:t/text()", "w:tab", "w:ptab", "w:cr", "w:noBreakHyphen", "w:br")


def _xpath(*paths: str) -> etree.XPath:
    return etree.XPath(" | ".join(paths), namespaces=_NS, smart_strings=False)


def _text_paths(paragraph: str) -> list[str]:
    """XPath steps to a paragraph's text: runs and runs inside hyperlinks (python-docx's ``Paragraph.text``)."""
    return [f"{paragraph}/{run}/{part}" for run in ("w:r", "w:hyperlink/w:r") for part in _RUN_PARTS]


# One pass over a paragraph or a table: strings are text; elements mark structure, in document order.
_PARAGRAPH_ITEMS = _xpath(*_text_paths("."))
_TABLE_ITEMS = _xpath(
    "w:tr",
    "w:tr/w:trPr/w:gridBefore",
    "w:tr/w:tc",
    "w:tr/w:tc/w:tcPr/w:gridSpan",
    "w:tr/w:tc/w:tcPr/w:vMerge",
    "w:tr/w:tc/w:p",
    *_text_paths("w:tr/w:tc/w:p"),
)
_SPACE = re.compile(r"\s+")


def _symbol(node: etree._Element) -> str:
    if node.tag == _BR:
        return "\n" if node.get(_TYPE, "textWrapping") == "textWrapping" else ""
    return _RUN_SYMBOLS[node.tag]


def _paragraph_text(p: etree._Element) -> str:
    """Text of a w:p: its runs and the runs of its hyperlinks, in order."""
    return "".join(item if isinstance(item, str) else _symbol(item) for item in _PARAGRAPH_ITEMS(p))


def _count(node: etree._Element, minimum: int) -> int:
    """The integer w:val of a w:gridSpan / w:gridBefore; ``minimum`` when it is not a count."""
    try:
        return max(minimum, int(node.get(_VAL, "")))
    except ValueError:
        return minimum


@dataclass
class _Cell:
    """One w:tc being read: grid offset, span, whether it continues the cell above, its paragraphs."""

    offset: int
    span: int = 1
    continues: bool = False
    paragraphs: list[list[str]] = field(default_factory=list)


def _rows(table: etree._Element) -> list[list[_Cell]]:
    """The table's w:tr rows as cells with their grid offsets (after any w:gridBefore) and text."""
    rows: list[list[_Cell]] = []
    row: list[_Cell] = []
    cell: _Cell | None = None
    before = 0
    for item in _TABLE_ITEMS(table):
        if isinstance(item, str):
            cell.paragraphs[-1].append(item)  # type: ignore[union-attr]  # text sits inside w:tc/w:p
            continue
        tag = item.tag
        if tag == _P:
            cell.paragraphs.append([])  # type: ignore[union-attr]
        elif tag == _TC:
            offset = row[-1].offset + row[-1].span if row else before
            cell = _Cell(offset)
            row.append(cell)
        elif tag == _GRID_SPAN:
            cell.span = _count(item, 1)  # type: ignore[union-attr]
        elif tag == _VMERGE:
            cell.continues = item.get(_VAL, "continue") == "continue"  # type: ignore[union-attr]
        elif tag == _TR:
            row, before, cell = [], 0, None
            rows.append(row)
        elif tag == _GRID_BEFORE:
            before = _count(item, 0)
        else:
            cell.paragraphs[-1].append(_symbol(item))  # type: ignore[union-attr]
    return rows


def _grid(table: etree._Element) -> Grid:
    """Rows of cells; a merged cell's text sits in its first slot, the slots it also covers are None.

    A horizontally merged cell (gridSpan) covers several grid columns; a vertically merged one continues
    (vMerge) the cell starting at the same grid offset in the row above.
    """
    grid: Grid = []
    above: list[_Cell] = []  # the cell shown in each slot of the previous row
    above_at: dict[int, _Cell] = {}  # previous row: grid offset → the cell shown there
    for row in _rows(table):
        slots: list[_Cell] = []
        starts: dict[int, _Cell] = {}
        for cell in row:
            shown = above_at.get(cell.offset, cell) if cell.continues else cell
            starts[cell.offset] = shown
            slots.extend([shown] * shown.span)
        cells: list[str | None] = []
        for i, shown in enumerate(slots):
            if (i > 0 and shown is slots[i - 1]) or (i < len(above) and shown is above[i]):
                cells.append(None)
            else:
                cells.append(_SPACE.sub(" ", "\n".join("".join(p) for p in shown.paragraphs)).strip())
        grid.append(cells)
        above, above_at = slots, starts
    return grid


def extract_docx(data: bytes) -> Document:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(f"corrupt DOCX: {exc}") from exc
    except Exception as exc:  # python-docx/lxml raise various types on broken packages
        raise UnreadableDocument(f"corrupt DOCX: {type(exc).__name__}: {exc}") from exc
    blocks: list[Block] = []
    lines: list[str] = []
    for child in document.element.body.iterchildren(_P, _TBL):
        if child.tag == _P:
            lines.append(_paragraph_text(child))
        else:
            if lines:
                blocks.append(Block(text="\n".join(lines)))
                lines = []
            blocks.append(Block(grid=_grid(child)))
    if lines:
        blocks.append(Block(text="\n".join(lines)))
    meta = {}
    title = document.core_properties.title
    if title and title.strip():
        meta["docx_title"] = title.strip()
    doc = Document(source_type="docx", blocks=blocks, metadata=meta)
    if not doc.text.strip():
        raise UnreadableDocument("DOCX has no text")
    return doc
