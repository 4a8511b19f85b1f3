"""PDF layouts: reportlab platypus with the built-in CID font STSong-Light and ruled tables."""

from __future__ import annotations

import io
import random
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from xxgk.generate import grid
from xxgk.generate.report import HEADINGS, GeneratedReport
from xxgk.generate.text import TABLE_AFTER, chinese_date

FONT = "STSong-Light"
_USABLE = A4[0] - 40 * mm
# Column widths (mm) of the three tables; they add up to the usable page width.
_WIDTHS = (
    (50, 40, 40, 40),
    (14, 20, 44, 12, 12, 12, 12, 12, 12, 12),
    (11.33,) * 15,
)


def _register() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK", firstLineIndent=21)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=24, alignment=1, firstLineIndent=0),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=20, firstLineIndent=0),
        "body": base,
        "right": ParagraphStyle("right", parent=base, alignment=2, firstLineIndent=0),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5, firstLineIndent=0, alignment=1),
    }


def _table(table: grid.Grid, widths: tuple[float, ...], cell_style: ParagraphStyle) -> Table:
    data: list[list[object]] = []
    for row in grid.expand(table):
        out: list[object] = []
        for cell in row:
            if cell is None:
                out.append("")
            elif cell.value:
                out.append(cell.text)
            else:
                out.append(Paragraph(escape(cell.text).replace("\n", "<br/>"), cell_style))
        data.append(out)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    commands += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in grid.spans(table)]
    scale = _USABLE / (sum(widths) * mm)
    return Table(data, colWidths=[w * mm * scale for w in widths], style=TableStyle(commands))


def render(report: GeneratedReport, rng: random.Random) -> bytes:
    """The report as a PDF document (deterministic: invariant mode, no timestamps)."""
    _register()
    styles = _styles()
    style = grid.pick_style(rng)
    tables = grid.grids(report.tables, style, rng)
    story: list[object] = [Paragraph(escape(report.title), styles["title"]), Spacer(1, 4 * mm)]

    def prose(text: str) -> None:
        story.extend(Paragraph(escape(line), styles["body"]) for line in text.split("\n") if line)

    prose(report.sections.get("preamble", ""))
    for key, heading in HEADINGS.items():
        story.append(Paragraph(heading, styles["heading"]))
        prose(report.sections.get(key, ""))
        if key in TABLE_AFTER:
            i = TABLE_AFTER[key]
            story += [_table(tables[i], _WIDTHS[i], styles["cell"]), Spacer(1, 3 * mm)]
    story += [
        Paragraph(escape(report.agency), styles["right"]),
        Paragraph(chinese_date(report.published), styles["right"]),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=report.title,
        author=report.agency,
        invariant=1,
    )
    doc.build(story)
    return buf.getvalue()


def tsv_pdf(text: str, *, encrypt: StandardEncryption | None = None) -> bytes:
    """``text`` as a PDF: runs of tab-separated lines become ruled tables, other non-blank lines paragraphs."""
    _register()
    style = ParagraphStyle("cjk", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK")
    story: list[object] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            width = max(map(len, rows))
            cells = [[Paragraph(escape(c), style) for c in r + [""] * (width - len(r))] for r in rows]
            widths = [140] + [340 / (width - 1)] * (width - 1) if width > 1 else [480]
            table = Table(cells, colWidths=widths)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
            story.append(table)
            rows.clear()

    for line in text.splitlines():
        if "\t" in line:
            rows.append(line.split("\t"))
        else:
            flush()
            if line.strip():
                story.append(Paragraph(escape(line), style))
    flush()
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, encrypt=encrypt).build(story)
    return buf.getvalue()
