"""Ruled tables from ruling edges: pdfplumber's lattice method with its default tolerances.

Edges are snapped and joined (pdfplumber's ``merge_edges``), their crossings found
(``edges_to_intersections``), the smallest ruled rectangle at each crossing becomes a cell, and cells
sharing corners make a table. One step is added: a table whose ruling stops open at one side (the
bottom border of a table that goes on over a page break, the top border of its continuation) is closed
there, so its last row still makes cells.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from operator import itemgetter

from pdfplumber.table import edges_to_intersections, merge_edges

from xxgk.extract.pdf.geometry import Bbox, Edge, Point, horizontal, length, vertical

TOLERANCE = 3  # points: snapping and joining of ruling lines, their crossings (pdfplumber's defaults)
MIN_EDGE = 3  # shorter ruling segments are no table borders
Crossings = dict[Point, dict[str, list[Edge]]]


@dataclass
class Table:
    """A ruled table: its cells (x0, top, x1, bottom), in any order."""

    cells: list[Bbox]

    @property
    def bbox(self) -> Bbox:
        return (
            min(c[0] for c in self.cells),
            min(c[1] for c in self.cells),
            max(c[2] for c in self.cells),
            max(c[3] for c in self.cells),
        )

    @property
    def rows(self) -> list[list[Bbox | None]]:
        """pdfplumber's ``Table.rows``: one row per distinct cell top, one slot per distinct cell left
        edge; a cell sits in the row of its top and the slot of its left edge, other slots are None."""
        xs = sorted({cell[0] for cell in self.cells})
        by_top: dict[float, dict[float, Bbox]] = {}
        for cell in sorted(self.cells, key=itemgetter(1, 0)):
            by_top.setdefault(cell[1], {})[cell[0]] = cell
        return [[row.get(x) for x in xs] for row in by_top.values()]


def cells_from_crossings(crossings: Crossings) -> list[Bbox]:
    """pdfplumber's ``intersections_to_cells``: the smallest ruled rectangle whose top left corner is each
    crossing. Each crossing's edges are looked up once, and only crossings below it and to its right are
    tried as corners."""

    def ids(edges: list[Edge]) -> set[Bbox]:
        return {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in edges}

    v = {p: ids(d["v"]) for p, d in crossings.items()}
    h = {p: ids(d["h"]) for p, d in crossings.items()}

    def joined(a: Point, b: Point, by: dict[Point, set[Bbox]]) -> bool:
        return not by[a].isdisjoint(by[b])

    def bottom_right(top_left: Point, bottom_left: Point, right: list[Point]) -> Point | None:
        for top_right in right:
            corner = (top_right[0], bottom_left[1])
            if (
                joined(top_left, top_right, h)
                and corner in crossings
                and joined(top_right, corner, v)
                and joined(bottom_left, corner, h)
            ):
                return corner
        return None

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
                if not joined(point, below, v):
                    continue
                corner = bottom_right(point, below, right)
                if corner is not None:
                    cells.append((*point, *corner))
                    break
    return cells


def group_cells(cells: list[Bbox]) -> list[list[Bbox]]:
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


def covered(x: float, y: float, across: list[Edge]) -> bool:
    """Whether one of the edges ``across`` (all of one orientation) passes through (x, y)."""
    for e in across:
        if e["orientation"] == "h":
            if abs(e["top"] - y) <= TOLERANCE and e["x0"] - TOLERANCE <= x <= e["x1"] + TOLERANCE:
                return True
        elif abs(e["x0"] - x) <= TOLERANCE and e["top"] - TOLERANCE <= y <= e["bottom"] + TOLERANCE:
            return True
    return False


def lattices(crossings: Crossings, edges: list[Edge] = ()) -> list[list[Edge]]:
    """The edges of each lattice: edges crossing each other, directly or through other edges; each of
    ``edges`` that crosses none makes a lattice of its own."""
    parent: dict[int, int] = {}  # edge id → the id of an edge of the same lattice, up to a root
    edge_of: dict[int, Edge] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = i = parent[parent[i]]
        return i

    for found in crossings.values():
        meeting = found["v"] + found["h"]
        for e in meeting:
            if id(e) not in parent:
                parent[id(e)] = id(e)
                edge_of[id(e)] = e
        first = root(id(meeting[0]))
        for e in meeting[1:]:
            parent[root(id(e))] = first
    groups: dict[int, list[Edge]] = {}
    for i, e in edge_of.items():
        groups.setdefault(root(i), []).append(e)
    return [*groups.values(), *([e] for e in edges if id(e) not in parent)]


def regions(lattices: list[list[Edge]]) -> list[list[Edge]]:
    """Lattices that share a row line joined: a table whose rulings have gaps can fall apart into
    lattices side by side (or leave stretches of row line crossing nothing), and the gaps between them
    are what is to be judged."""
    regions: list[tuple[set[float], list[Edge]]] = []
    for lattice in lattices:
        ys = {e["top"] for e in lattice if e["orientation"] == "h"}
        edges = list(lattice)
        for other in [r for r in regions if not r[0].isdisjoint(ys)]:
            regions.remove(other)
            ys |= other[0]
            edges += other[1]
        regions.append((ys, edges))
    return [edges for _, edges in regions]


def _closing(ends: list[Edge], end: str, across: list[Edge], extent: tuple[float, float]) -> Edge | None:
    """The border across the ends of ``ends`` (edges of one orientation ending at the same outermost
    line), if two or more of them end there with nothing drawn across; it runs over the lattice's whole
    ``extent`` the other way."""
    if end in ("top", "bottom"):
        open_ends = [e for e in ends if not covered(e["x0"], e[end], across)]
        y = max(e[end] for e in ends) if end == "bottom" else min(e[end] for e in ends)
        border = horizontal(*extent, y)
    else:
        open_ends = [e for e in ends if not covered(e[end], e["top"], across)]
        x = min(e[end] for e in ends) if end == "x0" else max(e[end] for e in ends)
        border = vertical(x, *extent)
    return border if len(open_ends) >= 2 else None


def close_open_ends(groups: list[list[Edge]], index: object = None) -> list[Edge]:
    """Borders a ruled table is missing at its outer sides: where two or more edges of a table (lattices
    sharing row lines, see :func:`regions`) end at its outermost line (its lowest, highest, leftmost or
    rightmost end) with nothing drawn across their ends, that line is drawn along the whole table. A
    table cut by a page break has no bottom border (its continuation no top border); some tables have no
    outer side borders. (``index``, the page's chars, is not needed: the signature is that of the
    repairs that go by the text.)"""
    added: list[Edge] = []
    for lattice in regions(groups):
        hs = [e for e in lattice if e["orientation"] == "h"]
        vs = [e for e in lattice if e["orientation"] == "v"]
        if not hs or not vs:
            continue
        width = (min(e["x0"] for e in lattice), max(e["x1"] for e in lattice))
        height = (min(e["top"] for e in lattice), max(e["bottom"] for e in lattice))
        for edges, across, end, outermost, extent in (
            (vs, hs, "bottom", max, width),
            (vs, hs, "top", min, width),
            (hs, vs, "x0", min, height),
            (hs, vs, "x1", max, height),
        ):
            extreme = outermost(e[end] for e in edges)
            ends = [e for e in edges if abs(e[end] - extreme) <= TOLERANCE]
            border = _closing(ends, end, across, extent)
            if border is not None:
                added.append(border)
    return added


def snapped(edges: list[Edge]) -> list[Edge]:
    edges = [e for e in edges if length(e) >= 1]
    if not edges:
        return []
    edges = merge_edges(edges, TOLERANCE, TOLERANCE, TOLERANCE, TOLERANCE)
    return [e for e in edges if length(e) >= MIN_EDGE]


def crossings_of(edges: list[Edge]) -> Crossings:
    return edges_to_intersections(edges, TOLERANCE, TOLERANCE)


def tables_from(crossings: Crossings) -> list[Table]:
    return [Table(group) for group in group_cells(cells_from_crossings(crossings))]


def find_tables(edges: list[Edge]) -> list[Table]:
    """The ruled tables drawn by ``edges``, their open sides closed (see :func:`close_open_ends`)."""
    edges = snapped(edges)
    if not edges:
        return []
    crossings = crossings_of(edges)
    closing = close_open_ends(lattices(crossings))
    if closing:
        crossings = crossings_of(snapped(edges + closing))
    return tables_from(crossings)
