"""PDF layouts: reportlab platypus with the built-in CID font STSong-Light and ruled tables.

``render`` draws the clean layout. ``render_damaged`` draws the table structures real published PDFs
have and a lattice reads badly (``DAMAGED_LAYOUTS``), with the same known truth:

- ``pdf_wrapped_labels``: narrow label columns, every row label wrapped over two to four lines;
- ``pdf_split_header``: every header cell's text split over two rows (申请 / 人情况), spans kept;
- ``pdf_page_split``: tables split over page breaks as word processors split them: merged cells cut at
  the break (their text left above it), the header repeated or not, the border at the break drawn or
  left open;
- ``pdf_broken_rules``: ruling lines with gaps: a quarter of the row lines between two cells missing,
  sometimes whole row lines, sometimes the outer side borders;
- ``pdf_headings``: section headings inside their tables (a first row across the table) or broken over
  two lines.

Damaged layouts carry page numbers (``- 3 -``) at the foot of every page.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, replace
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

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


def _cell_data(table: grid.Grid, cell_style: ParagraphStyle) -> list[list[object]]:
    """The cells as platypus data: numbers as strings, other text as wrapping paragraphs."""
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
    return data


_CELL_LOOK = [
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("FONTSIZE", (0, 0), (-1, -1), 8),
    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
]


def _spans(table: grid.Grid) -> list[tuple]:
    return [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in grid.spans(table)]


def _table(table: grid.Grid, widths: tuple[float, ...], cell_style: ParagraphStyle) -> Table:
    commands = [*_CELL_LOOK, ("GRID", (0, 0), (-1, -1), 0.5, colors.black), *_spans(table)]
    scale = _USABLE / (sum(widths) * mm)
    return Table(_cell_data(table, cell_style), colWidths=[w * mm * scale for w in widths], style=TableStyle(commands))


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
    return _signed_document(report, story, styles)


def _signed_document(report: GeneratedReport, story: list, styles: dict, *, on_page=None) -> bytes:
    """The report's story closed by the agency and the date, built as an A4 PDF (``on_page`` draws on every page)."""
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
    if on_page is None:
        doc.build(story)
    else:
        doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
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


DAMAGED_LAYOUTS = ("pdf_wrapped_labels", "pdf_split_header", "pdf_page_split", "pdf_broken_rules", "pdf_headings")
# Narrower label columns (mm) for wrapped labels; the number columns take the rest.
_NARROW = (
    (22, 40, 40, 40),
    (9, 12, 19, 12, 12, 12, 12, 12, 12, 12),
    (11.33,) * 15,
)
Slot = tuple[int, int]  # (row, column) of a cell's anchor


@dataclass(frozen=True)
class Ruling:
    """How a damaged table is ruled."""

    missing: frozenset[Slot] = frozenset()  # (row, column): the line above that slot is not drawn
    open_sides: bool = False  # no left and right outer borders
    open_break: bool = False  # no border at a page break (below the part before it, above the part after it)
    repeat_header: bool = False  # the part after a page break starts with the table's header rows


def _anchors(table: grid.Grid) -> list[tuple[int, int, grid.Cell]]:
    full = grid.expand(table)
    return [(r, c, cell) for r, row in enumerate(full) for c, cell in enumerate(row) if cell is not None]


def _from_anchors(anchors: list[tuple[int, int, grid.Cell]], rows: int) -> grid.Grid:
    out: grid.Grid = [[] for _ in range(rows)]
    for r, _, cell in sorted(anchors, key=lambda a: (a[0], a[1])):
        out[r].append(cell)
    return out


def _owners(table: grid.Grid) -> list[list[Slot]]:
    """For every slot, the anchor of the cell covering it."""
    full = grid.expand(table)
    owner: list[list[Slot]] = [[(r, c) for c in range(len(full[0]))] for r in range(len(full))]
    for r, c, cell in _anchors(table):
        for dr in range(cell.rowspan):
            for dc in range(cell.colspan):
                owner[r + dr][c + dc] = (r, c)
    return owner


def _header_rows(table: grid.Grid) -> int:
    """Leading rows without a value cell whose cells do not reach below them."""
    n = 0
    for r, row in enumerate(table):
        if any(cell.value for cell in row):
            break
        n = r + 1
    while n and any(r < n < r + cell.rowspan for r, _, cell in _anchors(table)):
        n -= 1
    return n


def _cut(table: grid.Grid, at: int) -> tuple[grid.Grid, grid.Grid]:
    """The rows before ``at`` and from ``at`` on; a merged cell across the cut keeps its text above it."""
    upper, lower = [], []
    for r, c, cell in _anchors(table):
        if r >= at:
            lower.append((r - at, c, cell))
        elif r + cell.rowspan > at:
            upper.append((r, c, replace(cell, rowspan=at - r)))
            lower.append((0, c, grid.Cell("", rowspan=r + cell.rowspan - at, colspan=cell.colspan, value=cell.value)))
        else:
            upper.append((r, c, cell))
    return _from_anchors(upper, at), _from_anchors(lower, len(table) - at)


def _split_header(table: grid.Grid) -> grid.Grid:
    """Every row without values doubled: each of its cells' text split over two cells, one above the other."""
    valued = [any(cell.value for cell in row) for row in table]
    start, end = [], []  # the first and last new row of every old row
    for is_valued in valued:
        start.append(end[-1] + 1 if end else 0)
        end.append(start[-1] + (0 if is_valued else 1))
    out = []
    for r, c, cell in _anchors(table):
        span = end[r + cell.rowspan - 1] - start[r] + 1
        if valued[r]:
            out.append((start[r], c, replace(cell, rowspan=span)))
            continue
        text = cell.text.replace("\n", "")
        cut, upper = max(1, len(text) // 2), span // 2
        out.append((start[r], c, replace(cell, text=text[:cut], rowspan=upper)))
        out.append((start[r] + upper, c, replace(cell, text=text[cut:], rowspan=span - upper)))
    return _from_anchors(out, end[-1] + 1)


def _wrap_labels(table: grid.Grid, rng: random.Random) -> grid.Grid:
    """Row labels (text cells of rows with values) broken over two to four lines."""
    out = []
    for row in table:
        if not any(cell.value for cell in row):
            out.append(row)
            continue
        cells = []
        for cell in row:
            text = cell.text
            if not cell.value and len(text) >= 4:
                cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(1, 3))))
                text = "\n".join(text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True))
            cells.append(replace(cell, text=text))
        out.append(cells)
    return out


def _with_heading(table: grid.Grid, heading: str) -> grid.Grid:
    return [[grid.Cell(heading, colspan=grid.width(table))], *table]


class RuledTable(Table):
    """A table drawn with explicit ruling segments (see :class:`Ruling`), split over pages the way word
    processors split tables (see :func:`_cut`)."""

    def __init__(
        self,
        cells: grid.Grid,
        widths: list[float],
        cell_style: ParagraphStyle,
        ruling: Ruling,
        rows_of: list[int] | None = None,
        header: grid.Grid | None = None,
        broken_above: bool = False,
        broken_below: bool = False,
    ) -> None:
        self.cells, self.widths, self.cell_style, self.ruling = cells, widths, cell_style, ruling
        self.rows_of = list(range(len(cells))) if rows_of is None else rows_of  # each row's row in the whole table
        self.header = cells[: _header_rows(cells)] if header is None else header
        self.broken_above, self.broken_below = broken_above, broken_below
        super().__init__(
            _cell_data(cells, cell_style), colWidths=widths, style=TableStyle([*_CELL_LOOK, *_spans(cells)])
        )

    def draw(self) -> None:
        super().draw()
        owner = _owners(self.cells)
        xs, ys = self._colpositions, self._rowpositions
        rows, cols = len(self.cells), grid.width(self.cells)
        canv = self.canv
        canv.saveState()
        canv.setLineWidth(0.5)
        for b in range(rows + 1):  # the line above row b
            for c in range(cols):
                if self._drawn_above(b, c, owner, rows):
                    canv.line(xs[c], ys[b], xs[c + 1], ys[b])
        for r in range(rows):
            for v in range(cols + 1):  # the line left of column v
                outer = v in (0, cols)
                if (outer and not self.ruling.open_sides) or (not outer and owner[r][v - 1] != owner[r][v]):
                    canv.line(xs[v], ys[r], xs[v], ys[r + 1])
        canv.restoreState()

    def _drawn_above(self, b: int, c: int, owner: list[list[Slot]], rows: int) -> bool:
        if b == 0:
            return not (self.broken_above and self.ruling.open_break)
        if b == rows:
            return not (self.broken_below and self.ruling.open_break)
        if owner[b - 1][c] == owner[b][c]:
            return False
        whole = self.rows_of[b]
        return not (whole == self.rows_of[b - 1] + 1 and (whole, c) in self.ruling.missing)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        self.wrap(avail_width, avail_height)
        used, at = 0.0, 0
        while at < len(self.cells) and used + self._rowHeights[at] <= avail_height:
            used += self._rowHeights[at]
            at += 1
        while len(self.header) < at < len(self.cells):
            parts = self.split_at(at)
            if parts[0].wrap(avail_width, avail_height)[1] <= avail_height:
                return parts
            at -= 1  # a merged cell cut at the break made the part taller
        return []  # not even one row after the header fits: the whole table goes to the next page

    def split_at(self, at: int) -> list[RuledTable]:
        """The part before row ``at`` and the part from it on, as a page break leaves them."""
        upper, lower = _cut(self.cells, at)
        lower_rows = self.rows_of[at:]
        if self.ruling.repeat_header and self.header:
            lower = [*self.header, *lower]
            lower_rows = [-1] * len(self.header) + lower_rows
        common = (self.widths, self.cell_style, self.ruling)
        return [
            RuledTable(upper, *common, self.rows_of[:at], self.header, self.broken_above, True),
            RuledTable(lower, *common, lower_rows, self.header, True, self.broken_below),
        ]


def _page_number(canv: object, doc: object) -> None:
    canv.saveState()  # type: ignore[attr-defined]
    canv.setFont(FONT, 9)  # type: ignore[attr-defined]
    canv.drawCentredString(A4[0] / 2, 12 * mm, f"- {doc.page} -")  # type: ignore[attr-defined]
    canv.restoreState()  # type: ignore[attr-defined]


def _ruling(layout: str, table: grid.Grid, rng: random.Random) -> Ruling:
    if layout == "pdf_page_split":
        return Ruling(open_break=rng.random() < 0.6, repeat_header=rng.random() < 0.5)
    if layout != "pdf_broken_rules":
        return Ruling()
    rows, cols = len(table), grid.width(table)
    missing = {(r, c) for r in range(1, rows) for c in range(cols) if rng.random() < 0.12}
    for r in range(1, rows):
        if rng.random() < 0.04:  # a whole row line missing
            missing |= {(r, c) for c in range(cols)}
    return Ruling(missing=frozenset(missing), open_sides=rng.random() < 0.3)


def render_damaged(report: GeneratedReport, layout: str, rng: random.Random) -> bytes:
    """The report as a PDF in one of ``DAMAGED_LAYOUTS`` (deterministic for the same ``rng`` state)."""
    if layout not in DAMAGED_LAYOUTS:
        raise ValueError(f"unknown damaged PDF layout {layout!r}; expected one of {', '.join(DAMAGED_LAYOUTS)}")
    _register()
    styles = _styles()
    style = grid.pick_style(rng)
    tables = list(grid.grids(report.tables, style, rng))
    widths = _NARROW if layout == "pdf_wrapped_labels" else _WIDTHS
    story: list[object] = [Paragraph(escape(report.title), styles["title"]), Spacer(1, 4 * mm)]

    def prose(text: str) -> None:
        story.extend(Paragraph(escape(line), styles["body"]) for line in text.split("\n") if line)

    prose(report.sections.get("preamble", ""))
    for key, heading in HEADINGS.items():
        i = TABLE_AFTER.get(key)
        inside = layout == "pdf_headings" and i is not None and rng.random() < 0.5
        if layout == "pdf_headings" and not inside and rng.random() < 0.5:
            cut = rng.randint(3, len(heading) - 2)  # after the numbering, before the last two chars
            story.append(Paragraph(escape(heading[:cut]) + "<br/>" + escape(heading[cut:]), styles["heading"]))
        elif not inside:
            story.append(Paragraph(heading, styles["heading"]))
        prose(report.sections.get(key, ""))
        if i is None:
            continue
        table = tables[i]
        if layout == "pdf_wrapped_labels":
            table = _wrap_labels(table, rng)
        elif layout == "pdf_split_header":
            table = _split_header(table)
        if inside:
            table = _with_heading(table, heading)
        scale = _USABLE / (sum(widths[i]) * mm)
        col_widths = [w * mm * scale for w in widths[i]]
        ruled = RuledTable(table, col_widths, styles["cell"], _ruling(layout, table, rng))
        header = len(ruled.header)
        if layout == "pdf_page_split" and len(table) > header + 1 and (i == 1 or rng.random() < 0.5):
            upper, lower = ruled.split_at(rng.randint(header + 1, len(table) - 1))
            story += [upper, PageBreak(), lower]
        else:
            story.append(ruled)
        story.append(Spacer(1, 3 * mm))
    return _signed_document(report, story, styles, on_page=_page_number)
