"""Word .docx files: paragraphs and tables in body order; merged cells de-duplicated."""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document, Grid

_SPACE = re.compile(r"\s+")


def _grid(table: Table) -> Grid:
    """Rows of cells; a merged cell's text sits in its first slot, the slots it also covers are None."""
    rows: Grid = []
    above: list = []
    for row in table.rows:
        tcs = [cell._tc for cell in row.cells]
        cells: list[str | None] = []
        for i, cell in enumerate(row.cells):
            # python-docx returns a merged cell once per grid column and row it covers.
            merged = (i > 0 and tcs[i] is tcs[i - 1]) or (i < len(above) and tcs[i] is above[i])
            cells.append(None if merged else _SPACE.sub(" ", cell.text).strip())
        rows.append(cells)
        above = tcs
    return rows


def extract_docx(data: bytes) -> Document:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(f"corrupt DOCX: {exc}") from exc
    except Exception as exc:  # python-docx/lxml raise various types on broken packages
        raise UnreadableDocument(f"corrupt DOCX: {type(exc).__name__}: {exc}") from exc
    blocks: list[Block] = []
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Paragraph(child, document).text)
        elif child.tag == qn("w:tbl"):
            if lines:
                blocks.append(Block(text="\n".join(lines)))
                lines = []
            blocks.append(Block(grid=_grid(Table(child, document))))
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
