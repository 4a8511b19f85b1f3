"""Corrected versions of reports, for ``DemoPortal.edit`` (a re-published report with a consistent change)."""

from __future__ import annotations

import copy
import dataclasses
import random

from xxgk.generate import GeneratedReport
from xxgk.schema import APPLICANT_COLUMNS, PROACTIVE_ROWS

_ROWS = ("requests.new", "requests.granted", "requests.total")


def bumped(report: GeneratedReport, rng: random.Random) -> GeneratedReport:
    """``report`` with one more request from some applicant type, granted, consistently everywhere.

    Adds 1 to that column and to ``total`` in the rows new, granted and total (every consistency rule that
    held still holds, one that failed still fails) and restates the number received in the prose. When Table 2
    is too blank for that, one count of Table 1 goes up instead.
    """
    tables = copy.deepcopy(report.tables)
    usable = [
        c for c in APPLICANT_COLUMNS if all(isinstance(tables[r].get(k), int) for r in _ROWS for k in (c, "total"))
    ]
    if not usable:  # blanks everywhere: only the applicant-column cells that are filled move
        usable = [c for c in APPLICANT_COLUMNS if all(isinstance(tables[r].get(c), int) for r in _ROWS)]
    if not usable:
        return _bumped_proactive(report, tables, rng)
    column = rng.choice(usable)
    old_received = tables["requests.new"].get("total")
    for row in _ROWS:
        for key in (column, "total"):
            if isinstance(tables[row].get(key), int):
                tables[row][key] += 1
    sections = dict(report.sections)
    new_received = tables["requests.new"].get("total")
    if isinstance(old_received, int) and isinstance(new_received, int):
        sections = {k: v.replace(f"申请{old_received}件", f"申请{new_received}件") for k, v in sections.items()}
    return dataclasses.replace(report, tables=tables, sections=sections)


def _bumped_proactive(report: GeneratedReport, tables: dict, rng: random.Random) -> GeneratedReport:
    """Fallback when Table 2 is too blank: one more decision in Table 1, which no consistency rule ties."""
    cells = [(row, col) for row in PROACTIVE_ROWS for col, value in tables[row].items() if isinstance(value, int)]
    if not cells:
        raise ValueError(f"no filled count to change in {report.title}")
    row, col = rng.choice(cells)
    tables[row][col] += 1
    return dataclasses.replace(report, tables=tables)
