"""Plain-text layouts: tab-separated tables (``tsv``) and extractor-style ``pipe`` cells."""

from __future__ import annotations

import datetime as dt
import random

from xxgk.generate import grid
from xxgk.generate.report import HEADINGS, GeneratedReport

TABLE_AFTER = {"proactive": 0, "requests": 1, "review_litigation": 2}


def chinese_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def document(report: GeneratedReport, tables: list[str], rng: random.Random) -> str:
    """Title, sections with headings and the rendered tables placed after their section's lead."""
    lines = [report.title, ""]
    if report.sections.get("preamble"):
        lines += [report.sections["preamble"], ""]
    for key, heading in HEADINGS.items():
        lines.append(heading)
        lines.append("")
        if report.sections.get(key):
            lines += [report.sections[key], ""]
        if key in TABLE_AFTER:
            lines += [tables[TABLE_AFTER[key]], ""]
    if rng.random() < 0.5:
        lines += [report.agency, chinese_date(report.published)]
    return "\n".join(lines) + "\n"


def _tsv_rows(table: grid.Grid) -> str:
    """One line per row; every grid position is a cell, covered positions are empty."""
    out = []
    for row in grid.expand(table):
        out.append("\t".join("" if cell is None else cell.text.replace("\n", " ") for cell in row))
    return "\n".join(out)


def _tsv_cells(table: grid.Grid) -> str:
    """One cell per line, each led by a tab; rows end with an empty line; merged-from-above cells are empty."""
    blocks = []
    for row in grid.slots(table):
        blocks.append("\n".join(f"\t{'' if cell is None else cell.text}" for cell in row))
    return "\n\n".join(blocks)


def render_tsv(report: GeneratedReport, rng: random.Random) -> str:
    style = grid.pick_style(rng)
    tables = grid.grids(report.tables, style, rng)
    render = _tsv_rows if rng.random() < 0.6 else _tsv_cells
    return document(report, [render(t) for t in tables], rng)


def render_pipe(report: GeneratedReport, rng: random.Random) -> str:
    """Each non-empty cell on its own line ending in `` |`` (blank cells always carry a marker)."""
    style = grid.pick_style(rng, blanks=tuple(m for m in grid.BLANK_MARKERS if m))
    rendered = []
    for table in grid.grids(report.tables, style, rng):
        lines = [f"{cell.text.replace(chr(10), ' ')} |" for row in table for cell in row if cell.text]
        rendered.append("\n".join(lines))
    return document(report, rendered, rng)
