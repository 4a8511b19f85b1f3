"""Cross-year checks: one agency's report against the same agency's report of the year before.

A series is one canonical agency name within one division code (``facts.series_key``); every report of
year y is checked against every report of year y − 1 in its series:

- rule 7: this year's 上年结转 (``requests.carried_over``, every column) equals last year's
  结转下年度继续办理 (``requests.carried_forward``);
- rule 8 (a warning: agencies also clean up their lists): this year's 现行有效件数 of 规章 and
  行政规范性文件 equals last year's plus this year's 制发 minus 废止;
- rule 9 (a flag): a count in ``ANOMALY_CELLS`` jumps or falls by 10× or more, both values ≥ 20.

Comparisons with a blank cell are skipped. Failures are stored in ``cross_checks`` and recomputed for a
whole series whenever one of its reports changes (``facts.sync``).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from xxgk.explain import COLUMN_LABELS, cell_label
from xxgk.schema import CELL_INDEX as INDEX
from xxgk.schema import REQUEST_COLUMNS, REVIEW_GROUPS
from xxgk.store import Store

RULES = {
    7: "上年结转与上年度结转下年度不一致",
    8: "现行有效件数与上年度及本年制发、废止不符（警告）",
    9: "同比异常（10 倍以上）",
}
SEVERITY = {7: "error", 8: "warning", 9: "flag"}
DOC_ROWS = {"proactive.regulations": "规章", "proactive.normative_documents": "行政规范性文件"}
ANOMALY_CELLS = (
    "requests.new.total",
    "requests.granted.total",
    "requests.total.total",
    "proactive.licensing.decisions",
    "proactive.penalty.decisions",
    "proactive.enforcement.decisions",
    "proactive.regulations.in_force",
    "proactive.normative_documents.in_force",
    *(f"{group}.total" for group in REVIEW_GROUPS),
)
ANOMALY_RATIO, ANOMALY_FLOOR = 10, 20


@dataclass(frozen=True)
class CrossCheck:
    """One failed cross-year rule: the two reports and the cells of each involved."""

    rule: int
    earlier: str  # report id, year y − 1
    later: str  # report id, year y
    message: str
    earlier_cells: tuple[str, ...]
    later_cells: tuple[str, ...]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def pair_checks(earlier: str, before: np.ndarray, later: str, after: np.ndarray) -> list[CrossCheck]:
    """Rules 7–9 for one pair of consecutive years (cells in ``CELLS`` order, NaN = blank)."""

    def get(values: np.ndarray, key: str) -> float | None:
        value = values[INDEX[key]]
        return None if np.isnan(value) else float(value)

    out = []
    wrong = []
    for col in REQUEST_COLUMNS:
        was, now = get(before, f"requests.carried_forward.{col}"), get(after, f"requests.carried_over.{col}")
        if was is not None and now is not None and was != now:
            wrong.append((col, was, now))
    if wrong:
        detail = "；".join(
            f"{COLUMN_LABELS.get(col, col)}：上年结转 {_num(now)}，上年度结转下年度 {_num(was)}"
            for col, was, now in wrong
        )
        out.append(
            CrossCheck(
                7,
                earlier,
                later,
                f"{RULES[7]}（{detail}）",
                tuple(f"requests.carried_forward.{col}" for col, _, _ in wrong),
                tuple(f"requests.carried_over.{col}" for col, _, _ in wrong),
            )
        )
    for row, label in DOC_ROWS.items():
        was = get(before, f"{row}.in_force")
        now, issued, repealed = (get(after, f"{row}.{col}") for col in ("in_force", "issued", "repealed"))
        if None in (was, now, issued, repealed):
            continue
        expected = was + issued - repealed
        if now != expected:
            sums = f"{_num(was)} + {_num(issued)} − {_num(repealed)} = {_num(expected)}"
            detail = f"{label}：现行有效 {_num(now)}，应为 {sums}"
            out.append(
                CrossCheck(
                    8,
                    earlier,
                    later,
                    f"{RULES[8]}（{detail}）",
                    (f"{row}.in_force",),
                    (f"{row}.in_force", f"{row}.issued", f"{row}.repealed"),
                )
            )
    jumps = []
    for key in ANOMALY_CELLS:
        was, now = get(before, key), get(after, key)
        if was is None or now is None or min(was, now) < ANOMALY_FLOOR:
            continue
        if max(was, now) >= ANOMALY_RATIO * min(was, now):
            jumps.append((key, was, now))
    if jumps:
        detail = "；".join(f"{cell_label(key)}：{_num(was)} → {_num(now)}" for key, was, now in jumps)
        keys = tuple(key for key, _, _ in jumps)
        out.append(CrossCheck(9, earlier, later, f"{RULES[9]}（{detail}）", keys, keys))
    return out


def series_checks(rows: Iterable[tuple[str, int | None, bytes]]) -> list[CrossCheck]:
    """Every cross-year failure in one series of (report id, year, cells blob)."""
    by_year: dict[int, list[tuple[str, np.ndarray]]] = defaultdict(list)
    for report_id, year, blob in rows:
        if year is not None:
            by_year[year].append((report_id, np.frombuffer(blob, dtype=np.float64)))
    out = []
    for year in sorted(by_year):
        for earlier, before in by_year.get(year - 1, ()):
            for later, after in by_year[year]:
                out += pair_checks(earlier, before, later, after)
    return out


def recompute(db: sqlite3.Connection, series: Iterable[str]) -> None:
    """Replace the stored failures of each series (called by ``facts.sync`` inside its transaction)."""
    for key in series:
        db.execute("DELETE FROM cross_checks WHERE series = ?", (key,))
        rows = db.execute(
            "SELECT report_id, year, cells FROM report_facts WHERE series = ? ORDER BY url",
            (key,),
        ).fetchall()
        checks = series_checks((r[0], r[1], r[2]) for r in rows)
        db.executemany(
            "INSERT INTO cross_checks (series, rule, earlier, later, message, cells) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (key, c.rule, c.earlier, c.later, c.message, json.dumps([c.earlier_cells, c.later_cells]))
                for c in checks
            ],
        )
        failed: dict[str, set[int]] = {r[0]: set() for r in rows}
        for c in checks:
            failed[c.earlier].add(c.rule)
            failed[c.later].add(c.rule)
        db.executemany(
            "UPDATE report_facts SET cross = ? WHERE report_id = ?",
            [(";".join(map(str, sorted(rules))), rid) for rid, rules in failed.items()],
        )


def _check(row: sqlite3.Row) -> CrossCheck:
    before, after = json.loads(row["cells"])
    return CrossCheck(row["rule"], row["earlier"], row["later"], row["message"], tuple(before), tuple(after))


def all_checks(store: Store) -> list[CrossCheck]:
    """Every stored cross-year failure (sync the facts first)."""
    rows = store.db.execute("SELECT * FROM cross_checks ORDER BY earlier, later, rule")
    return [_check(row) for row in rows]


def checks_of(store: Store, report_id: str) -> list[CrossCheck]:
    """The cross-year failures a report takes part in, as the earlier or the later year."""
    rows = store.db.execute(
        "SELECT * FROM cross_checks WHERE earlier = ? OR later = ? ORDER BY rule, earlier, later",
        (report_id, report_id),
    )
    return [_check(row) for row in rows]


def failed_ids(store: Store, rules: Iterable[int] | None = None) -> set[str]:
    """Reports taking part in a cross-year failure (of the given rules; default all): for search filters."""
    wanted = sorted(set(rules)) if rules is not None else sorted(RULES)
    rows = store.db.execute(
        "SELECT earlier, later FROM cross_checks WHERE rule IN (SELECT value FROM json_each(?))",
        (json.dumps(wanted),),
    )
    return {rid for row in rows for rid in row}
