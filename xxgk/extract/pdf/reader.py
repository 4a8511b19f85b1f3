"""PDFium calls (pypdfium2 and its ctypes bindings): a page's printed chars and its visible ruling segments.

PDFium parses a page in C, several times faster than pdfminer. Everything here reads the PDF; nothing
interprets it: chars come out as pdfplumber's char dicts, segments as point pairs in PDF space.
"""

from __future__ import annotations

import ctypes
import math
from collections.abc import Iterator
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from xxgk.errors import UnreadableDocument
from xxgk.extract.pdf.geometry import IDENTITY, Matrix, Point, apply, compose

Char = dict[str, Any]  # pdfplumber's keys: text, x0, x1, top, doctop, bottom, upright
MAX_FORM_DEPTH = 4
UPRIGHT = 0.01  # radians: a char turned less than this either way is upright
FULL_TURN = 2 * math.pi
# A char box taller than this is checked against the char's font size and matrix (see page_chars).
SUSPECT_BOX = 30.0
WHITE = (255, 255, 255)


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise UnreadableDocument("PDF is encrypted (password required)") from exc
        raise UnreadableDocument(f"corrupt PDF: {exc}") from exc


def _codes(textpage: Any, count: int) -> list[int]:
    """The page's character codes: one call for the whole page, one call per character only if the page
    holds characters beyond the Basic Multilingual Plane (its UTF-16 text then no longer maps 1:1)."""
    buffer = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    codes = buffer[:count]
    if any(0xD800 <= code < 0xE000 for code in codes):
        return [pdfium_c.FPDFText_GetUnicode(textpage, i) for i in range(count)]
    return codes


def _latin(code: int) -> bool:
    return code < 128 and chr(code).isalnum()


def _rescale_unscaled_box(textpage: Any, index: int, box: pdfium_c.FS_RECTF) -> None:
    """Repair the loose box of a char that PDFium measured without the char's matrix.

    For vertical-writing CID fonts PDFium's loose box is the font size in text space, leaving out the
    scale of the text matrix: a 10-point char printed as size 199 scaled by 0.05 gets a 199-point box
    whose centre lies far from the glyph. The box is then scaled about the char's origin by the matrix's
    scale, which puts it where the glyph is printed.
    """
    matrix = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFText_GetMatrix(textpage, index, matrix):
        return
    scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
    size = pdfium_c.FPDFText_GetFontSize(textpage, index)
    if not 0 < scale < 1 or box.top - box.bottom <= 2 * size * scale:
        return  # the box agrees with the printed size
    x, y = ctypes.c_double(), ctypes.c_double()
    if not pdfium_c.FPDFText_GetCharOrigin(textpage, index, x, y):
        return
    ox, oy = x.value, y.value
    box.left, box.right = ox + (box.left - ox) * scale, ox + (box.right - ox) * scale
    box.bottom, box.top = oy + (box.bottom - oy) * scale, oy + (box.top - oy) * scale


def page_chars(page: pdfium.PdfPage, height: float) -> list[Char]:
    """Printed characters in top-down coordinates.

    PDFium's generated line breaks are left out, and so are its generated spaces except between ASCII
    letters and digits: word gaps there can be narrower than the 3-point word threshold when a glyph overhangs
    its advance (italic, "f"), which PDFium's own word detection gets right.
    """
    handle = page.get_textpage()
    textpage = handle.raw
    try:
        box = pdfium_c.FS_RECTF()
        box_ref = ctypes.byref(box)
        count = pdfium_c.FPDFText_CountChars(textpage)
        codes = _codes(textpage, count)
        chars: list[Char] = []
        for i, code in enumerate(codes):
            if code in (0, 10, 13, 0xFFFE, 0xFFFF):
                continue
            # PDFium generates spaces and line breaks only, so only a space needs asking.
            if code == 32 and pdfium_c.FPDFText_IsGenerated(textpage, i) == 1:
                if chars and 0 < i < count - 1 and _latin(codes[i - 1]) and _latin(codes[i + 1]):
                    chars.append({**chars[-1], "text": " ", "x0": chars[-1]["x1"]})  # on the line of its word
                continue
            if not pdfium_c.FPDFText_GetLooseCharBox(textpage, i, box_ref):
                continue
            if box.top - box.bottom > SUSPECT_BOX:
                _rescale_unscaled_box(textpage, i, box)
            angle = pdfium_c.FPDFText_GetCharAngle(textpage, i)  # radians in [0, 2π), -1 if unknown
            top = height - box.top
            chars.append(
                {
                    "text": "-" if code == 2 else chr(code),  # PDFium marks a hyphen ending a line as U+0002
                    "x0": box.left,
                    "x1": box.right,
                    "top": top,
                    "doctop": top,
                    "bottom": height - box.bottom,
                    "upright": angle < UPRIGHT or FULL_TURN - angle < UPRIGHT,
                }
            )
        return chars
    finally:
        handle.close()


def _matrix(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _path_objects(page: pdfium.PdfPage) -> Iterator[tuple[Any, Matrix]]:
    """Every path object of the page with its matrix to page space, including those inside forms."""
    stack: list[tuple[Any, Matrix, int]] = []
    for i in reversed(range(pdfium_c.FPDFPage_CountObjects(page))):
        stack.append((pdfium_c.FPDFPage_GetObject(page.raw, i), IDENTITY, 0))
    while stack:
        obj, outer, depth = stack.pop()
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, compose(_matrix(obj), outer)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
            inner = compose(_matrix(obj), outer)
            for j in reversed(range(pdfium_c.FPDFFormObj_CountObjects(obj))):
                stack.append((pdfium_c.FPDFFormObj_GetObject(obj, j), inner, depth + 1))


def _shows(get_color: Any, obj: Any) -> bool:
    """Whether a fill or stroke in this colour shows on a white page: not white, not fully transparent."""
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not get_color(obj, r, g, b, a):
        return True  # colour unknown (a pattern, say): count it as painted
    return a.value > 0 and (r.value, g.value, b.value) != WHITE


def visible(obj: Any) -> bool:
    """Whether a path paints anything that shows: stroked or filled in a colour other than white.

    Word processors put white, unstroked rectangles behind paragraphs and cells; they are no ruling lines
    (taken as such, they turn every paragraph into a one-column table).
    """
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke):
        return True
    if stroke.value and _shows(pdfium_c.FPDFPageObj_GetStrokeColor, obj):
        return True
    return bool(fill.value) and _shows(pdfium_c.FPDFPageObj_GetFillColor, obj)


def segments(page: pdfium.PdfPage) -> list[tuple[Point, Point]]:
    """The straight segments (in PDF space) of every visible path: lines, rectangles, polylines."""
    out: list[tuple[Point, Point]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj, matrix in _path_objects(page):
        if not visible(obj):
            continue
        start = prev = None
        for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
            segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                continue
            point = apply(matrix, x.value, y.value)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO or prev is None:
                start = point
            elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
                out.append((prev, point))
            prev = point
            if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
                out.append((prev, start))
                prev = start
    return out
