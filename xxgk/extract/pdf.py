"""PDF files: PDFium reads the text layer and the ruling lines; ruled tables become grids.

PDFium (pypdfium2) parses a page in C, several times faster than pdfminer.  Characters and ruling
segments are read once per page; the geometry of tables (snapping ruling lines, their crossings, cells,
rows) and the grouping of characters into words and lines reuse pdfplumber's algorithms on those objects.
"""

from __future__ import annotations

import ctypes
import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import Table, edges_to_intersections, merge_edges
from pdfplumber.utils import extract_text
from pdfplumber.utils.text import LIGATURES, chars_to_textmap

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document

_WRAP = re.compile(r"\s*\n\s*")
MAX_PAGES = 200
_TOLERANCE = 3  # points: snapping and joining of ruling lines, crossings, text grouping (pdfplumber's defaults)
_MIN_EDGE = 3  # shorter ruling segments are not table borders
_FLAT = 0.01  # a segment this close to horizontal/vertical counts as such
_MAX_FORM_DEPTH = 4
_UPRIGHT = 0.01  # radians: a char turned less than this either way is upright
_FULL_TURN = 2 * math.pi
Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]
Bbox = tuple[float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _cell(text: str | None) -> str | None:
    # None marks a slot covered by a merged cell; wrapped CJK text joins without a space.
    if text is None:
        return None
    return (_WRAP.sub("", text) if "\n" in text else text).strip()


def _latin(code: int) -> bool:
    return code < 128 and chr(code).isalnum()


def _codes(textpage: Any, count: int) -> list[int]:
    """The page's character codes: one call for the whole page, one call per character only if the page
    holds characters beyond the Basic Multilingual Plane (its UTF-16 text then no longer maps 1:1)."""
    buffer = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    codes = buffer[:count]
    if any(0xD800 <= code < 0xE000 for code in codes):
        return [pdfium_c.FPDFText_GetUnicode(textpage, i) for i in range(count)]
    return codes


def _unchecked(function: Any) -> Any:
    """The same PDFium function, called without ctypes converting each argument through its declared type,
    which costs more than the C call itself. Callers pass exactly the C types: C ints as Python ints, raw
    PDFium pointers and ``byref`` of an output structure (a structure itself would be passed by value)."""
    return ctypes.CFUNCTYPE(function.restype)(ctypes.cast(function, ctypes.c_void_p).value)


# Called once for every printed char and every page object.
_loose_char_box = _unchecked(pdfium_c.FPDFText_GetLooseCharBox)
_char_angle = _unchecked(pdfium_c.FPDFText_GetCharAngle)
_page_object = _unchecked(pdfium_c.FPDFPage_GetObject)
_object_type = _unchecked(pdfium_c.FPDFPageObj_GetType)


def _chars(page: pdfium.PdfPage, height: float) -> list[dict[str, Any]]:
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
        chars: list[dict[str, Any]] = []
        for i, code in enumerate(codes):
            if code in (0, 10, 13, 0xFFFE, 0xFFFF):
                continue
            # PDFium generates spaces and line breaks only, so only a space needs asking.
            if code == 32 and pdfium_c.FPDFText_IsGenerated(textpage, i) == 1:
                if chars and 0 < i < count - 1 and _latin(codes[i - 1]) and _latin(codes[i + 1]):
                    chars.append({**chars[-1], "text": " ", "x0": chars[-1]["x1"]})  # on the line of its word
                continue
            if not _loose_char_box(textpage, i, box_ref):
                continue
            angle = _char_angle(textpage, i)  # radians in [0, 2π), -1 if unknown
            top = height - box.top
            chars.append(
                {
                    "text": "-" if code == 2 else chr(code),  # PDFium marks a hyphen ending a line as U+0002
                    "x0": box.left,
                    "x1": box.right,
                    "top": top,
                    "doctop": top,
                    "bottom": height - box.bottom,
                    "upright": angle < _UPRIGHT or _FULL_TURN - angle < _UPRIGHT,
                }
            )
        return chars
    finally:
        handle.close()


def _matrix(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    oa, ob, oc, od, oe, of = outer
    return (
        a * oa + b * oc,
        a * ob + b * od,
        c * oa + d * oc,
        c * ob + d * od,
        e * oa + f * oc + oe,
        e * ob + f * od + of,
    )


def _path_objects(page: pdfium.PdfPage) -> Iterator[tuple[Any, Matrix]]:
    """Every path object of the page with its matrix to page space, including those inside forms."""
    stack: list[tuple[Any, Matrix, int]] = []
    for i in reversed(range(pdfium_c.FPDFPage_CountObjects(page))):
        stack.append((_page_object(page.raw, i), _IDENTITY, 0))
    while stack:
        obj, outer, depth = stack.pop()
        kind = _object_type(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            yield obj, _compose(_matrix(obj), outer)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
            inner = _compose(_matrix(obj), outer)
            for j in reversed(range(pdfium_c.FPDFFormObj_CountObjects(obj))):
                stack.append((pdfium_c.FPDFFormObj_GetObject(obj, j), inner, depth + 1))


def _edges(page: pdfium.PdfPage, height: float) -> list[dict[str, Any]]:
    """Horizontal and vertical straight segments of all paths (lines, rectangles, polylines)."""
    edges: list[dict[str, Any]] = []
    x, y = ctypes.c_float(), ctypes.c_float()

    def add(p: tuple[float, float], q: tuple[float, float]) -> None:
        (x0, y0), (x1, y1) = p, q
        if abs(y1 - y0) <= _FLAT:
            x0, x1 = min(x0, x1), max(x0, x1)
            top = height - y0
            edges.append({"x0": x0, "x1": x1, "top": top, "bottom": top, "width": x1 - x0, "orientation": "h"})
        elif abs(x1 - x0) <= _FLAT:
            top, bottom = height - max(y0, y1), height - min(y0, y1)
            edges.append({"x0": x0, "x1": x0, "top": top, "bottom": bottom, "height": bottom - top, "orientation": "v"})

    for obj, (a, b, c, d, e, f) in _path_objects(page):
        start = prev = None
        for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
            segment = pdfium_c.FPDFPath_GetPathSegment(obj, i)
            if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                continue
            point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            kind = pdfium_c.FPDFPathSegment_GetType(segment)
            if kind == pdfium_c.FPDF_SEGMENT_MOVETO or prev is None:
                start = point
            elif kind == pdfium_c.FPDF_SEGMENT_LINETO:
                add(prev, point)
            prev = point
            if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
                add(prev, start)
                prev = start
    return edges


def _cells(crossings: dict[Point, dict[str, list[dict[str, Any]]]]) -> list[Bbox]:
    """The smallest ruled rectangle starting at each crossing: pdfplumber's ``intersections_to_cells`` with
    each crossing's edges looked up once, and only the crossings below it and to its right tried as corners."""

    def ids(edges: list[dict[str, Any]]) -> set[Bbox]:
        return {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in edges}

    v = {p: ids(d["v"]) for p, d in crossings.items()}
    h = {p: ids(d["h"]) for p, d in crossings.items()}
    columns: dict[float, list[Point]] = {}
    rows: dict[float, list[Point]] = {}
    for point in sorted(crossings):  # by x, then top
        columns.setdefault(point[0], []).append(point)
        rows.setdefault(point[1], []).append(point)
    cells = []
    for column in columns.values():
        for k, point in enumerate(column):
            row = rows[point[1]]
            right = row[bisect_right(row, point) :]
            if not right:
                continue
            for below in column[k + 1 :]:
                if v[point].isdisjoint(v[below]):
                    continue
                corner = next(
                    (
                        (rx, below[1])
                        for rx, ry in right
                        if not h[point].isdisjoint(h[rx, ry])
                        and (rx, below[1]) in crossings
                        and not v[rx, below[1]].isdisjoint(v[rx, ry])
                        and not h[rx, below[1]].isdisjoint(h[below])
                    ),
                    None,
                )
                if corner is not None:
                    cells.append((*point, *corner))
                    break
    return cells


def _groups(cells: list[Bbox]) -> list[list[Bbox]]:
    """pdfplumber's ``cells_to_tables``: cells sharing a corner, directly or through other cells, make a
    table; tables of one cell are dropped; tables come in order of their top, then left, cell."""
    at: dict[Point, list[int]] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            at.setdefault(corner, []).append(i)
    grouped = [False] * len(cells)
    groups = []
    for first in range(len(cells)):
        if grouped[first]:
            continue
        grouped[first] = True
        members = [first]
        for i in members:  # grows while it is walked
            x0, top, x1, bottom = cells[i]
            for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
                for j in at[corner]:
                    if not grouped[j]:
                        grouped[j] = True
                        members.append(j)
        if len(members) > 1:
            groups.append([cells[i] for i in members])
    groups.sort(key=lambda group: min((top, x0) for x0, top, _, _ in group))
    return groups


def _tables(edges: list[dict[str, Any]]) -> list[Table]:
    """Ruled tables from the ruling segments (pdfplumber's lattice method with its default tolerances)."""
    edges = [e for e in edges if e["width" if e["orientation"] == "h" else "height"] >= 1]
    if not edges:
        return []
    edges = merge_edges(edges, _TOLERANCE, _TOLERANCE, _TOLERANCE, _TOLERANCE)
    edges = [e for e in edges if e["width" if e["orientation"] == "h" else "height"] >= _MIN_EDGE]
    cells = _cells(edges_to_intersections(edges, _TOLERANCE, _TOLERANCE))
    return [Table(None, group) for group in _groups(cells)]  # type: ignore[arg-type]


def _clusters(items: list[Any], key: Callable[[Any], float], *, in_order: bool = False) -> list[list[Any]]:
    """pdfplumber's ``cluster_objects`` with the 3-point tolerance: items whose distinct ``key`` values chain
    within the tolerance share a cluster. Groups come in value order, items in their given order inside a
    group; ``in_order`` (its ``preserve_order``) instead keeps the items' order and starts a group at every
    change of cluster."""
    values = set(map(key, items))
    if len(values) == 1:
        return [list(items)]
    cluster_of: dict[float, int] = {}
    cluster, last = -1, -math.inf
    for value in sorted(values):
        if value > last + _TOLERANCE:
            cluster += 1
        cluster_of[value], last = cluster, value
    if in_order:
        return [list(group) for _, group in groupby(items, key=lambda item: cluster_of[key(item)])]
    groups: list[list[Any]] = [[] for _ in range(cluster + 1)]
    for item in items:
        groups[cluster_of[key(item)]].append(item)
    return groups


def _lines(chars: list[dict[str, Any]], *, in_order: bool) -> list[tuple[float, str]] | None:
    """Text lines (top, text) as pdfplumber groups chars with its default settings: chars clustered into
    lines and sorted left to right, split into words at spaces and gaps, words regrouped into lines
    (``in_order`` as its text map does, otherwise as its ``extract_text``). Written out for upright,
    ligature-free text; None for anything else, which is left to pdfplumber itself."""
    for char in chars:
        if not char["upright"] or char["text"] in LIGATURES:
            return None
    words: list[tuple[float, str]] = []  # (top, text)
    for line in _clusters(chars, itemgetter("top")):
        word: list[str] = []
        top = last_x1 = last_top = math.inf  # the word's top; the x1 and top of its last char
        for char in sorted(line, key=itemgetter("x0")):  # so a char never starts left of the one before
            text, char_top = char["text"], char["top"]
            space = text.isspace()
            if word and (space or char["x0"] > last_x1 + _TOLERANCE or abs(char_top - last_top) > _TOLERANCE):
                words.append((top, "".join(word)))
                word, top = [], math.inf
            if not space:
                word.append(text)
                top, last_x1, last_top = char_top if char_top < top else top, char["x1"], char_top
        if word:
            words.append((top, "".join(word)))
    if len(words) == 1:  # as most table cells: one word, one line
        return words
    return [
        (min(top for top, _ in line), " ".join(text for _, text in line))
        for line in _clusters(words, itemgetter(0), in_order=in_order)
    ]


def _text(chars: list[dict[str, Any]]) -> str:
    """A cell's text, as pdfplumber's ``extract_text`` gives it."""
    lines = _lines(chars, in_order=False)
    return extract_text(chars) if lines is None else "\n".join(text for _, text in lines)


def _page_lines(chars: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """The text lines outside tables, as pdfplumber's text map gives them."""
    lines = _lines(chars, in_order=True)
    if lines is None:
        textmap = chars_to_textmap(chars, layout=False).extract_text_lines(strip=True, return_chars=False)
        lines = [(line["top"], line["text"]) for line in textmap]
    return [(top, text) for top, text in lines if text]


Placed = tuple[dict[str, Any], float, float]  # a char and its centre


def _grid(table: Table, chars: list[Placed]) -> list[list[str | None]]:
    """Rows of cell texts; a char belongs to the cell holding its centre (half-open boxes, as pdfplumber)."""
    rows = table.rows
    xs = sorted({v for row in rows for box in row.cells if box for v in (box[0], box[2])})
    ys = sorted({v for row in rows for box in row.cells if box for v in (box[1], box[3])})
    slot_owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(rows):
        for c, box in enumerate(row.cells):
            if box is None:
                continue
            for i in range(bisect_left(xs, box[0]), bisect_left(xs, box[2])):
                for j in range(bisect_left(ys, box[1]), bisect_left(ys, box[3])):
                    slot_owner[i, j] = (r, c)
    texts: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for char, x, y in chars:
        owner = slot_owner.get((bisect_right(xs, x) - 1, bisect_right(ys, y) - 1))
        if owner is not None:
            texts.setdefault(owner, []).append(char)
    grid = []
    for r, row in enumerate(rows):
        cells: list[str | None] = []
        for c, box in enumerate(row.cells):
            inside = texts.get((r, c))
            cells.append(None if box is None else _cell(_text(inside)) if inside else "")
        if any(cells):
            grid.append(cells)
    return grid


def _page_blocks(page: pdfium.PdfPage) -> list[tuple[float, Block]]:
    height = page.get_height()
    chars = _chars(page, height)
    if not chars:
        return []
    items: list[tuple[float, Block]] = []
    placed = [(char, (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2) for char in chars]
    taken: set[int] = set()  # ids of the chars inside any table
    for table in _tables(_edges(page, height)):
        x0, top, x1, bottom = table.bbox
        # Inclusive bounds: a char sitting on a table's outer border belongs to the table.
        inside = [one for one in placed if x0 <= one[1] <= x1 and top <= one[2] <= bottom]
        rows = _grid(table, inside)
        if rows:
            items.append((top, Block(grid=rows)))
        taken.update(id(char) for char, _, _ in inside)
    rest = [char for char in chars if id(char) not in taken] if taken else chars
    if rest:
        items += [(top, Block(text=text)) for top, text in _page_lines(rest)]
    items.sort(key=lambda item: item[0])
    return items


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise UnreadableDocument("PDF is encrypted (password required)") from exc
        raise UnreadableDocument(f"corrupt PDF: {exc}") from exc


def extract_pdf(data: bytes) -> Document:
    pdf = _open(data)
    blocks: list[Block] = []
    meta: dict[str, str] = {}
    problems: list[str] = []
    try:
        title = pdf.get_metadata_dict(skip_empty=True).get("Title", "")
        if title.strip():
            meta["pdf_title"] = title.strip()
        count = len(pdf)
        if count > MAX_PAGES:
            problems.append(f"only the first {MAX_PAGES} of {count} pages read")
        for index in range(min(count, MAX_PAGES)):
            page = pdf[index]
            try:
                page_items = _page_blocks(page)
            finally:
                page.close()
            for _, block in page_items:  # consecutive text lines make one block
                if block.text is not None and blocks and blocks[-1].text is not None:
                    blocks[-1].text += "\n" + block.text
                else:
                    blocks.append(block)
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"corrupt PDF: {exc}") from exc
    finally:
        pdf.close()
    doc = Document(source_type="pdf", blocks=blocks, metadata=meta, problems=problems)
    if not doc.text.strip():
        raise UnreadableDocument("PDF has no text layer (scanned image?)")
    return doc
