"""PDF table structures a lattice reads badly, from the generator with known truth: every cell exact.

Wrapped label cells, headers split over rows, tables split over page breaks (with and without a
repeated header, with the border at the break drawn or open), ruling lines with gaps (and whole row
lines and outer side borders missing), and section headings inside tables or broken over two lines.
"""

from __future__ import annotations

import random

import pypdfium2 as pdfium
import pytest

from xxgk.generate import generate, render
from xxgk.generate.pdf import DAMAGED_LAYOUTS, render_damaged
from xxgk.parse import parse_document

REPORTS = 8  # per layout


def _cells_off(report, truth: dict) -> list[tuple]:
    return [
        (f"{row}.{col}", want, report.tables.get(row, {}).get(col, "missing"))
        for row, cols in truth.items()
        for col, want in cols.items()
        if report.tables.get(row, {}).get(col, "missing") != want
        or (want is None) != (report.tables.get(row, {}).get(col) is None)
    ]


@pytest.mark.parametrize("layout", DAMAGED_LAYOUTS)
def test_every_cell_exact(layout: str) -> None:
    for i in range(REPORTS):
        generated = generate(random.Random(i), blanks=i % 3 == 0)
        data = render_damaged(generated, layout, random.Random(f"{layout}{i}"))
        report = parse_document(data, filename="report.pdf")
        assert _cells_off(report, generated.tables) == [], (layout, i)
        clean = parse_document(render(generated, "pdf"), filename="report.pdf")
        assert list(report.sections) == list(clean.sections), (layout, i)
        assert (report.title, report.year) == (clean.title, clean.year)


def test_damaged_layouts_are_deterministic() -> None:
    generated = generate(random.Random(3))
    for layout in DAMAGED_LAYOUTS:
        first, second = (render_damaged(generated, layout, random.Random(1)) for _ in range(2))
        assert first == second
    with pytest.raises(ValueError, match="unknown damaged PDF layout"):
        render_damaged(generated, "pdf_torn", random.Random(1))


def _page_texts(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def test_page_split_puts_table_2_on_two_pages() -> None:
    """The damage is there: Table 2's rows are on two pages, every page has its number at the foot."""
    labels = ("本年新收", "上年结转", "予以公开", "部分公开", "国家秘密", "信访举报", "总计", "结转下年度")
    for i in range(3):
        generated = generate(random.Random(i))
        pages = _page_texts(render_damaged(generated, "pdf_page_split", random.Random(f"pdf_page_split{i}")))
        flat = [text.replace("\r\n", "") for text in pages]
        assert len({n for n, text in enumerate(flat) for label in labels if label in text}) >= 2
        assert all(f"- {n + 1} -" in text for n, text in enumerate(flat))


def test_split_header_and_wrapped_labels_reach_the_pdf() -> None:
    generated = generate(random.Random(5))
    extracted = parse_document(render_damaged(generated, "pdf_split_header", random.Random(5)), filename="r.pdf")
    assert "申请人情况" not in extracted.text and "人情况" in extracted.text  # 申请 / 人情况, one above the other
    wrapped = "".join(_page_texts(render_damaged(generated, "pdf_wrapped_labels", random.Random(5))))
    assert "本年新收政府信息公开申请数量" not in wrapped  # broken by line ends
