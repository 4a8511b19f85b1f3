"""PDF structures that used to lose rows or sections, drawn by hand so each mechanism is seen alone.

White boxes behind paragraphs (no ruling), labels printed top to bottom in a vertical-writing font,
a table open at a page break and continued under a repeated header, row lines missing in part or in
full, and section headings inside a table or broken over two lines.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from xxgk.extract import extract
from xxgk.extract.document import Block, Document
from xxgk.extract.pdf.lattice import find_tables
from xxgk.extract.pdf.reader import page_chars
from xxgk.parse.lines import document_lines
from xxgk.parse.sections import find_headings

FONT, VERTICAL = "STSong-Light", "STSong-Light-V"


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    if VERTICAL not in pdfmetrics.getRegisteredFontNames():
        vertical = UnicodeCIDFont(FONT, isVertical=True)  # the same face with the UniGB-UCS2-V CMap
        vertical.name = vertical.fontName = VERTICAL
        pdfmetrics.registerFont(vertical)


def _pdf(*pages: Callable[[canvas.Canvas], None]) -> bytes:
    _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for number, draw in enumerate(pages, 1):
        c.setFont(FONT, 10)
        draw(c)
        c.setFont(FONT, 9)
        c.drawCentredString(A4[0] / 2, 30, f"- {number} -")
        c.showPage()
    c.save()
    return buf.getvalue()


def _rows(c: canvas.Canvas, xs: list[float], top: float, rows: list[list[str]], height: float = 20) -> None:
    """Cell texts of rows starting at ``top`` (PDF y), columns between ``xs``."""
    for r, row in enumerate(rows):
        for k, text in enumerate(row):
            if text:
                c.drawString(xs[k] + 4, top - height * (r + 1) + 6, text)


def _rules(c: canvas.Canvas, xs: list[float], ys: list[float], *, skip: frozenset | set = frozenset()) -> None:
    """The full grid between ``xs`` and ``ys`` (PDF y, top first) but for the segments in ``skip``:
    ("h", line, column) is the row line ``ys[line]`` under column ``column``, ("v", line, row) the
    column line ``xs[line]`` beside row ``row``."""
    for i, y in enumerate(ys):
        for k in range(len(xs) - 1):
            if ("h", i, k) not in skip:
                c.line(xs[k], y, xs[k + 1], y)
    for i, x in enumerate(xs):
        for r in range(len(ys) - 1):
            if ("v", i, r) not in skip:
                c.line(x, ys[r], x, ys[r + 1])


def test_white_boxes_behind_paragraphs_are_no_ruling() -> None:
    """Word processors put white, unstroked boxes behind paragraphs: taken as ruling, every paragraph
    became a one-column table and its headings were lost."""

    def page(c: canvas.Canvas) -> None:
        lines = ["一、总体情况", "本年度，我单位认真贯彻落实条例。", "二、主动公开政府信息情况", "全年公开信息20条。"]
        for i, text in enumerate(lines):
            y = 700 - 27 * i
            c.setFillColorRGB(1, 1, 1)
            c.rect(70, y - 8, 450, 27, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
            c.drawString(80, y, text)

    doc = extract(_pdf(page), filename="r.pdf")
    assert doc.tables == []
    assert set(find_headings(document_lines(doc))) == {"overview", "proactive"}


def test_vertical_label_stays_in_its_cell() -> None:
    """PDFium measures chars of a vertical-writing CID font without the text matrix's scale (a 10-point
    char printed at size 199 scaled by 0.05 gets a 199-point box): the box is scaled back about the
    char's origin, so the label stays in its merged cell instead of landing in the next column's."""
    xs, ys = [60, 100, 300, 360], [700, 680, 660, 640]

    def page(c: canvas.Canvas) -> None:
        _rules(c, xs, ys, skip={("h", 1, 0), ("h", 2, 0)})  # column 0 is one cell over three rows
        text = c.beginText()
        text.setFont(VERTICAL, 199)
        text.setTextTransform(0.05, 0, 0, 0.05, 80, 696)
        text.textOut("办理结果")
        c.drawText(text)
        _rows(c, xs, 700, [["", "1.予以公开", "5"], ["", "2.部分公开", "0"], ["", "3.不予公开", "1"]])

    data = _pdf(page)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    chars = [c for c in page_chars(pdf[0], pdf[0].get_height()) if c["text"] in "办理结果"]
    pdf.close()
    assert len(chars) == 4 and all(60 < c["x0"] < c["x1"] < 100 and c["bottom"] - c["top"] < 12 for c in chars)
    (grid,) = extract(data, filename="r.pdf").tables
    assert grid == [["办理结果", "1.予以公开", "5"], [None, "2.部分公开", "0"], [None, "3.不予公开", "1"]]


def test_table_open_at_a_page_break_continues_under_a_repeated_header() -> None:
    """No border under the last row before the break, the header repeated after it: one table, the
    header once, every row kept."""
    xs = [60, 260, 360]
    header = ["项目", "数量"]

    def first(c: canvas.Canvas) -> None:
        ys = [200, 180, 160, 140]
        _rules(c, xs, ys, skip={("h", 3, 0), ("h", 3, 1)})
        _rows(c, xs, 200, [header, ["甲", "1"], ["乙", "2"]])

    def second(c: canvas.Canvas) -> None:
        ys = [780, 760, 740]
        _rules(c, xs, ys)
        _rows(c, xs, 780, [header, ["丙", "3"]])

    assert extract(_pdf(first, second), filename="r.pdf").tables == [[header, ["甲", "1"], ["乙", "2"], ["丙", "3"]]]


@pytest.mark.parametrize(
    "skip",
    [
        {("h", 2, 1)},  # under the first row's value only
        {("h", 2, 0)},  # under its label only
        {("h", 2, 0), ("h", 2, 1)},  # the whole row line
    ],
    ids=["value", "label", "whole"],
)
def test_missing_row_line_keeps_rows_apart(skip: set) -> None:
    """Two rows whose line is missing in part or in full stay two rows: never one cell 1 0 (read 10)."""
    xs, ys = [60, 260, 360], [700, 680, 660, 640]

    def page(c: canvas.Canvas) -> None:
        _rules(c, xs, ys, skip=skip)
        _rows(c, xs, 700, [["信息内容", "本年处理决定数量"], ["行政处罚", "1"], ["行政强制", "0"]])

    (grid,) = extract(_pdf(page), filename="r.pdf").tables
    assert grid == [["信息内容", "本年处理决定数量"], ["行政处罚", "1"], ["行政强制", "0"]]


def test_table_without_side_borders() -> None:
    xs, ys = [60, 260, 360], [700, 680, 660]

    def page(c: canvas.Canvas) -> None:
        _rules(c, xs, ys, skip={("v", 0, 0), ("v", 0, 1), ("v", 2, 0), ("v", 2, 1)})
        _rows(c, xs, 700, [["行政处罚", "12"], ["行政强制", "3"]])

    assert find_tables([]) == []
    assert extract(_pdf(page), filename="r.pdf").tables == [[["行政处罚", "12"], ["行政强制", "3"]]]


def test_headings_inside_a_table_or_broken_over_two_lines() -> None:
    doc = Document(
        source_type="pdf",
        blocks=[
            Block(text="一、总体\n情况\n本年度，我单位认真贯彻落实条例。\n二、主动公开政府信息情\n况"),
            Block(grid=[["第二十条第（一）项", None], ["信息内容", "本年处理决定数量"]]),
            Block(grid=[["三、收到和处理政府信息公开申请情况", None, None], ["一、本年新收申请数量", "3", "3"]]),
            Block(text="四、政府信息公开行政复议、行政诉讼情况"),
        ],
    )
    lines = document_lines(doc)
    headings = find_headings(lines)
    assert list(headings) == ["overview", "proactive", "requests", "review_litigation"]
    assert lines[headings["overview"]].raw == "一、总体情况"
    assert lines[headings["proactive"]].raw == "二、主动公开政府信息情况"
    assert lines[headings["requests"]].cells is not None  # the table's first row
