"""Consecutive years of one agency: tables chained so that rules 7 and 8 hold, with planted breaks.

``chain`` edits an agency's generated reports in place, oldest first: this year's 上年结转 becomes last
year's 结转下年度继续办理 (the difference is balanced inside this year's table, so rules 1–3 keep
their state), and this year's 现行有效件数 becomes last year's plus 制发 minus 废止. Where a cell
involved is blank, rule 8 skips the pair by itself; for rule 7 the later 上年结转 row is left blank
(a partly blank pair could not be chained column by column and total alike).
Then some year pairs get one deliberate break, recorded as a ``Planted`` truth. Each report's
``violated`` (rules 1–6) is recomputed from its final tables.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from xxgk.generate.numbers import failed_rules, randint
from xxgk.generate.report import GeneratedReport
from xxgk.model import Tables
from xxgk.schema import APPLICANT_COLUMNS, REQUEST_COLUMNS, RESULT_ROWS

CARRIED_OVER, CARRIED_FORWARD = "requests.carried_over", "requests.carried_forward"
DOC_ROWS = ("proactive.regulations", "proactive.normative_documents")


@dataclass(frozen=True)
class Planted:
    """A cross-year inconsistency the generator put in on purpose (rule 7 or 8)."""

    rule: int
    earlier: GeneratedReport
    later: GeneratedReport
    cells: tuple[str, ...]  # the later report's cells that were changed


def _known(row: dict | None, cols: Iterable[str]) -> bool:
    return row is not None and all(row.get(c) is not None for c in cols)


def _add(row: dict, col: str, d: int) -> None:
    row[col] += d
    if row.get("total") is not None and col != "total":
        row["total"] += d


def _shift_carried_over(tables: Tables, col: str, d: int) -> None:
    """Change this year's 上年结转 in ``col`` by ``d``, balancing results or 结转下年度 so rule 1 keeps its state."""
    _add(tables[CARRIED_OVER], col, d)
    total = tables.get("requests.total") or {}
    if d > 0:
        row = next((tables[r] for r in RESULT_ROWS if _known(tables.get(r), (col,))), None)
        if row is not None:
            _add(row, col, d)
            if total.get(col) is not None:
                _add(total, col, d)
        return
    need = -d
    for key in (CARRIED_FORWARD, *RESULT_ROWS):
        row = tables.get(key)
        if need == 0 or not _known(row, (col,)) or row[col] <= 0:
            continue
        take = min(row[col], need)
        _add(row, col, -take)
        if key != CARRIED_FORWARD and total.get(col) is not None:
            _add(total, col, -take)
        need -= take


def _chain_pair(before: Tables, after: Tables) -> tuple[bool, list[str]]:
    """Make ``after`` follow ``before``; returns (rule 7 cells comparable, doc rows comparable)."""
    carried = _known(before.get(CARRIED_FORWARD), REQUEST_COLUMNS) and _known(after.get(CARRIED_OVER), REQUEST_COLUMNS)
    if carried:
        for col in APPLICANT_COLUMNS:
            d = before[CARRIED_FORWARD][col] - after[CARRIED_OVER][col]
            if d:
                _shift_carried_over(after, col, d)
    elif after.get(CARRIED_OVER) is not None:
        after[CARRIED_OVER] = dict.fromkeys(after[CARRIED_OVER])
    docs = []
    for key in DOC_ROWS:
        was, row = before.get(key), after.get(key)
        if row is None:
            continue
        if not _known(was, ("in_force",)) or not _known(row, ("issued", "repealed", "in_force")):
            continue  # a blank on either side: rule 8 cannot compare them
        if was["in_force"] + row["issued"] - row["repealed"] < 0:
            row["repealed"] = was["in_force"] + row["issued"]
        row["in_force"] = was["in_force"] + row["issued"] - row["repealed"]
        docs.append(key)
    return carried and _known(after.get(CARRIED_OVER), REQUEST_COLUMNS), docs


def chain(reports: Iterable[GeneratedReport], rng: random.Random, plant: float = 0.35) -> list[Planted]:
    """Chain one agency's reports (one per year) in place; returns the planted breaks."""
    ordered = sorted(reports, key=lambda r: r.year)
    planted = []
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.year - before.year != 1:
            continue
        carried, docs = _chain_pair(before.tables, after.tables)
        if rng.random() >= plant or not (carried or docs):
            continue
        d = randint(rng, 1, 5)
        if carried and (not docs or rng.random() < 0.5):
            col = rng.choice(APPLICANT_COLUMNS)
            _shift_carried_over(after.tables, col, d)
            planted.append(Planted(7, before, after, (f"{CARRIED_OVER}.{col}", f"{CARRIED_OVER}.total")))
        else:
            key = rng.choice(docs)
            after.tables[key]["in_force"] += d
            planted.append(Planted(8, before, after, (f"{key}.in_force",)))
    for report in ordered:
        text_year = report.year - 1 if 6 in report.violated else report.year
        report.violated[:] = failed_rules(report.tables, report.year, text_year)
    return planted


def chain_all(reports: Iterable[GeneratedReport], rng: random.Random) -> list[Planted]:
    """``chain`` every agency's reports (agencies in order of first appearance); returns every planted break."""
    by_agency: dict[str, list[GeneratedReport]] = defaultdict(list)
    for report in reports:
        by_agency[report.agency].append(report)
    return [p for group in by_agency.values() for p in chain(group, rng)]
