"""Word .docx files: paragraphs and tables in body order; merged cells de-duplicated.

python-docx's package reader locates the main document part (and the core properties) through the package
relationships; only those parts are read and parsed, with python-docx's own XML parser — opening the whole
package would also decompress and parse styles, numbering, settings and the rest, which nothing here reads.
The body is then walked directly (python-docx's table and paragraph objects re-search the tree for every
cell, which costs more than all the rest of the parse).  The text read equals python-docx's
``Paragraph.text`` / ``_Cell.text``, and the grids equal what its ``_Row.cells`` gives.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PACKAGE_URI, PackURI
from docx.opc.phys_pkg import PhysPkgReader
from docx.opc.pkgreader import _ContentTypeMap, _SerializedRelationships
from docx.oxml.parser import parse_xml
from lxml import etree

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document, Grid

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY, _P, _TBL, _TR, _TC = f"{_W}body", f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_R, _HYPERLINK, _T, _BR = f"{_W}r", f"{_W}hyperlink", f"{_W}t", f"{_W}br"
_TR_PR, _TC_PR = f"{_W}trPr", f"{_W}tcPr"
_GRID_BEFORE, _GRID_SPAN, _VMERGE = f"{_W}gridBefore", f"{_W}gridSpan", f"{_W}vMerge"
_VAL, _TYPE = f"{_W}val", f"{_W}type"
# Run content other than w:t as python-docx renders it; w:br counts only as a line break, not a page/column break.
_RUN_SYMBOLS = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
_SPACE = re.compile(r"\s+")


def _add_run_text(run: etree._Element, out: list[str]) -> None:
    for node in run:
        tag = node.tag
        if tag == _T:
            if node.text:
                out.append(node.text)
        elif tag == _BR:
            if node.get(_TYPE, "textWrapping") == "textWrapping":
                out.append("\n")
        elif tag in _RUN_SYMBOLS:
            out.append(_RUN_SYMBOLS[tag])


def _paragraph_text(p: etree._Element) -> str:
    """Text of a w:p: its runs and the runs of its hyperlinks, in order."""
    out: list[str] = []
    for child in p:
        if child.tag == _R:
            _add_run_text(child, out)
        elif child.tag == _HYPERLINK:
            for run in child.iterchildren(_R):
                _add_run_text(run, out)
    return "".join(out)


def _count(node: etree._Element, minimum: int) -> int:
    """The integer w:val of a w:gridSpan / w:gridBefore; ``minimum`` when it is not a count."""
    try:
        return max(minimum, int(node.get(_VAL, "")))
    except ValueError:
        return minimum


@dataclass
class _Cell:
    """One w:tc: grid offset, span, whether it continues the cell above, the text of its paragraphs."""

    offset: int
    span: int = 1
    continues: bool = False
    paragraphs: list[str] = field(default_factory=list)


def _read_cell(tc: etree._Element, offset: int) -> _Cell:
    cell = _Cell(offset)
    for child in tc:
        if child.tag == _P:
            cell.paragraphs.append(_paragraph_text(child))
        elif child.tag == _TC_PR:
            for prop in child:
                if prop.tag == _GRID_SPAN:
                    cell.span = _count(prop, 1)
                elif prop.tag == _VMERGE:
                    cell.continues = prop.get(_VAL, "continue") == "continue"
    return cell


def _rows(table: etree._Element) -> list[list[_Cell]]:
    """The table's w:tr rows as cells with their grid offsets (after any w:gridBefore) and text."""
    rows: list[list[_Cell]] = []
    for tr in table.iterchildren(_TR):
        row: list[_Cell] = []
        before = 0
        for child in tr:
            if child.tag == _TC:
                row.append(_read_cell(child, row[-1].offset + row[-1].span if row else before))
            elif child.tag == _TR_PR:
                for prop in child.iterchildren(_GRID_BEFORE):
                    before = _count(prop, 0)
        rows.append(row)
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
                cells.append(_SPACE.sub(" ", "\n".join(shown.paragraphs)).strip())
        grid.append(cells)
        above, above_at = slots, starts
    return grid


def _related(rels: _SerializedRelationships, reltype: str) -> PackURI | None:
    """The part the package relates to by ``reltype``; None if none, ValueError if several (as python-docx)."""
    targets = [rel.target_partname for rel in rels if rel.reltype == reltype]
    if len(targets) > 1:
        raise ValueError(f"multiple relationships of type '{reltype}' in collection")
    return targets[0] if targets else None


def _open(data: bytes) -> tuple[etree._Element, str]:
    """The root of the main document part and the core-properties title ("" if none); no other part is read."""
    reader = PhysPkgReader(io.BytesIO(data))
    try:
        content_types = _ContentTypeMap.from_xml(reader.content_types_xml)
        rels = _SerializedRelationships.load_from_xml(PACKAGE_URI.baseURI, reader.rels_xml_for(PACKAGE_URI))
        main = _related(rels, RT.OFFICE_DOCUMENT)
        if main is None:
            raise ValueError("no main document part (no officeDocument relationship)")
        content_type = content_types[main]
        if content_type != CT.WML_DOCUMENT_MAIN:
            raise ValueError(f"not a Word file, content type is '{content_type}'")
        root = parse_xml(reader.blob_for(main))
        core = _related(rels, RT.CORE_PROPERTIES)
        title = parse_xml(reader.blob_for(core)).title_text if core is not None else ""
    finally:
        reader.close()
    return root, title


def extract_docx(data: bytes) -> Document:
    try:
        root, title = _open(data)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(f"corrupt DOCX: {exc}") from exc
    except Exception as exc:  # python-docx/lxml raise various types on broken packages
        raise UnreadableDocument(f"corrupt DOCX: {type(exc).__name__}: {exc}") from exc
    blocks: list[Block] = []
    lines: list[str] = []
    body = root.find(_BODY)  # None when the main part holds no w:body: no text, reported below
    for child in [] if body is None else body.iterchildren(_P, _TBL):
        if child.tag == _P:
            lines.append(_paragraph_text(child))
        else:
            if lines:
                blocks.append(Block(text="\n".join(lines)))
                lines = []
            blocks.append(Block(grid=_grid(child)))
    if lines:
        blocks.append(Block(text="\n".join(lines)))
    meta = {"docx_title": title.strip()} if title.strip() else {}
    doc = Document(source_type="docx", blocks=blocks, metadata=meta)
    if not doc.text.strip():
        raise UnreadableDocument("DOCX has no text")
    return doc
