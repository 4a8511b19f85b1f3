"""DOCX layout: python-docx with real tables whose merged cells are merged in Word's sense."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

from xxgk.generate import grid
from xxgk.generate.report import HEADINGS, GeneratedReport
from xxgk.generate.text import TABLE_AFTER, chinese_date

_EPOCH = (1980, 1, 1, 0, 0, 0)


def _add_table(document: docx.document.Document, table: grid.Grid) -> None:
    full = grid.expand(table)
    width = len(full[0])
    out = document.add_table(rows=len(full), cols=width)
    out.style = "Table Grid"
    cells = out._cells  # one lookup: python-docx recomputes this list on every out.cell() call
    for r, row in enumerate(full):
        for c, cell in enumerate(row):
            if cell is not None:
                target = cells[r * width + c]
                target.text = cell.text
                target.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for r0, c0, r1, c1 in grid.spans(table):
        cells[r0 * width + c0].merge(cells[r1 * width + c1])


def stable_zip(data: bytes) -> bytes:
    """Rewrite the package with fixed member timestamps so equal documents give equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_EPOCH)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info.filename))
    return buf.getvalue()


def render(report: GeneratedReport, rng: random.Random) -> bytes:
    """The report as a Word document."""
    style = grid.pick_style(rng)
    tables = grid.grids(report.tables, style, rng)
    document = docx.Document()
    stamp = dt.datetime.fromisoformat(report.published)
    props = document.core_properties
    props.title, props.author, props.created, props.modified = report.title, report.agency, stamp, stamp
    props.last_modified_by, props.revision = report.agency, 1
    heading = document.add_paragraph(report.title)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def prose(text: str) -> None:
        for line in text.split("\n"):
            if line:
                document.add_paragraph(line)

    prose(report.sections.get("preamble", ""))
    for key, title in HEADINGS.items():
        document.add_paragraph(title)
        prose(report.sections.get(key, ""))
        if key in TABLE_AFTER:
            _add_table(document, tables[TABLE_AFTER[key]])
    for line in (report.agency, chinese_date(report.published)):
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    document.save(buf)
    return stable_zip(buf.getvalue())
