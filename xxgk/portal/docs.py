"""Plain PDF and DOCX files for the non-report attachments (budgets, guides) the demo sites publish."""

from __future__ import annotations

import io
import textwrap

from docx import Document
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from xxgk.generate.docx import stable_zip

_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(_FONT))


def pdf_bytes(title: str, paragraphs: list[str]) -> bytes:
    """A text PDF (CID font, so the text is extractable) with a title and wrapped paragraphs."""
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)  # invariant: same input, same bytes
    pdf.setTitle(title)
    width, height = A4
    y = height - 72
    pdf.setFont(_FONT, 16)
    pdf.drawCentredString(width / 2, y, title)
    y -= 36
    pdf.setFont(_FONT, 11)
    for para in paragraphs:
        for line in textwrap.wrap(para, 40) or [""]:
            if y < 72:
                pdf.showPage()
                pdf.setFont(_FONT, 11)
                y = height - 72
            pdf.drawString(72, y, line)
            y -= 18
        y -= 6
    pdf.save()
    return buf.getvalue()


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    """A Word document with a title and paragraphs (fixed member timestamps: same input, same bytes)."""
    doc = Document()
    doc.core_properties.title = title
    doc.add_heading(title, level=1)
    for para in paragraphs:
        doc.add_paragraph(para)
    buf = io.BytesIO()
    doc.save(buf)
    return stable_zip(buf.getvalue())
