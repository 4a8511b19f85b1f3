"""Plane geometry of a page: transformation matrices and ruling edges in top-down coordinates.

PDF space has its origin at the bottom left with y growing upwards; everything after PDFium (chars, edges,
cells) uses pdfplumber's top-down coordinates, where ``top`` is the distance from the top of the page.
An edge is pdfplumber's dict: ``x0``, ``x1``, ``top``, ``bottom``, ``orientation`` ("h" or "v") and its
length as ``width`` (horizontal) or ``height`` (vertical).
"""

from __future__ import annotations

from typing import Any

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f, as in PDF
Point = tuple[float, float]
Bbox = tuple[float, float, float, float]  # x0, top, x1, bottom
Edge = dict[str, Any]

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
FLAT = 0.01  # a segment this close to horizontal or vertical counts as such


def compose(inner: Matrix, outer: Matrix) -> Matrix:
    """The matrix applying ``inner`` first, then ``outer``."""
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


def apply(matrix: Matrix, x: float, y: float) -> Point:
    a, b, c, d, e, f = matrix
    return (a * x + c * y + e, b * x + d * y + f)


def horizontal(x0: float, x1: float, top: float) -> Edge:
    return {"x0": x0, "x1": x1, "top": top, "bottom": top, "width": x1 - x0, "orientation": "h"}


def vertical(x: float, top: float, bottom: float) -> Edge:
    return {"x0": x, "x1": x, "top": top, "bottom": bottom, "height": bottom - top, "orientation": "v"}


def straight_edge(p: Point, q: Point, height: float) -> Edge | None:
    """The edge of the segment p–q (PDF space) if it is horizontal or vertical, else None."""
    (x0, y0), (x1, y1) = p, q
    if abs(y1 - y0) <= FLAT:
        return horizontal(min(x0, x1), max(x0, x1), height - y0)
    if abs(x1 - x0) <= FLAT:
        return vertical(x0, height - max(y0, y1), height - min(y0, y1))
    return None


def length(edge: Edge) -> float:
    return edge["width"] if edge["orientation"] == "h" else edge["height"]
