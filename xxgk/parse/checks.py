"""Consistency rules (勾稽关系) 1–6 of the spec, plus rule 7: prose figures that contradict the table.

A comparison involving a blank cell is skipped, never treated as 0; skipped comparisons are listed
so the caller can say what could not be checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xxgk.model import Check, Number, Tables
from xxgk.schema import (
    APPLICANT_COLUMNS,
    DECIMAL_CELLS,
    OTHER_2019,
    REQUEST_COLUMNS,
    REQUEST_ROWS,
    RESULT_ROWS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    SIGNED_COLUMNS,
)

# Result rows of either format, in table order (a report has the three requests.other.* rows or OTHER_2019).
RESULTS_ANY = (*RESULT_ROWS, OTHER_2019)
# "全市共受理政府信息公开申请3119件", "收到政府信息公开申请2件", "受理依申请公开政府信息0件"
PROSE_REQUESTS = re.compile(r"(?:受理|收到|接收)([^。；;，,]{0,20}?申请[^。；;，,\d]{0,12}?)(\d+)\s*件")


@dataclass
class CheckResult:
    checks: list[Check] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)


Cell = tuple[str, str]


def _spec(rule: int, what: str, left: list[Cell], right: list[Cell]) -> tuple[int, str, list[Cell], list[str]]:
    return rule, what, left + right, [f"{r}.{c}" for r, c in left + right]


# Rules 1, 3 and 4 compare one sum with another; their cells are fixed, so they are listed once.
_SUM_RULES = [
    *(
        _spec(
            1,
            f"{c}: new + carried_over = total + carried_forward",
            [("requests.new", c), ("requests.carried_over", c)],
            [("requests.total", c), ("requests.carried_forward", c)],
        )
        for c in REQUEST_COLUMNS
    ),
    *(
        _spec(3, f"{row}: total = sum of applicant columns", [(row, "total")], [(row, c) for c in APPLICANT_COLUMNS])
        for row in (*REQUEST_ROWS, OTHER_2019)
    ),
    *(
        _spec(
            4,
            f"{g}: total = upheld + corrected + other + pending",
            [(g, "total")],
            [(g, c) for c in REVIEW_COLUMNS[:-1]],
        )
        for g in REVIEW_GROUPS
    ),
]


def _fmt(x: Number) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def check_tables(tables: Tables) -> CheckResult:
    """Rules 1–5 over the canonical tables of either format (rule 2 sums ``requests.other_2019`` where present)."""
    result = CheckResult()
    _rule5(result, tables)
    if not any(row in tables for row in REQUEST_ROWS):
        return result
    for rule, what, cells, names in _SUM_RULES:
        if cells[0][0] not in tables:
            continue
        values = [tables.get(r, {}).get(c) for r, c in cells]
        if None in values:
            blank = [n for n, v in zip(names, values, strict=True) if v is None]
            result.unchecked.append(f"rule {rule} ({what}) not checked: blank {', '.join(blank)}")
            continue
        # Rule 1 has two cells on the left; rules 3 and 4 one.
        split = 2 if rule == 1 else 1
        left, right = sum(values[:split]), sum(values[split:])
        if abs(left - right) > 1e-9:
            result.checks.append(Check(rule, f"{what}: {_fmt(left)} != {_fmt(right)}", list(names)))
    _rule2(result, tables)
    result.checks.sort(key=lambda c: c.rule)
    return result


def _rule5(result: CheckResult, tables: Tables) -> None:
    """Counts are non-negative integers (本年增/减 may be negative); the decimal cells are non-negative."""
    negative, fractional = [], []
    for row, cols in tables.items():
        for col, value in cols.items():
            if value is None:
                continue
            key = f"{row}.{col}"
            if value < 0 and col not in SIGNED_COLUMNS:
                negative.append(key)
            elif key not in DECIMAL_CELLS and not float(value).is_integer():
                fractional.append(key)
    if negative:
        result.checks.append(Check(5, "negative values: " + ", ".join(negative), negative))
    if fractional:
        result.checks.append(Check(5, "non-integer counts: " + ", ".join(fractional), fractional))


def _rule2(result: CheckResult, tables: Tables) -> None:
    results = [row for row in RESULTS_ANY if row in tables]
    for c in REQUEST_COLUMNS:
        parts = [f"{row}.{c}" for row in results]
        values = [tables[row].get(c) for row in results]
        total = tables.get("requests.total", {}).get(c)
        if total is None or None in values:
            blank = [p for p, v in zip(parts, values, strict=True) if v is None]
            blank += [f"requests.total.{c}"] * (total is None)
            result.unchecked.append(f"rule 2 ({c}) not checked: blank {', '.join(blank)}")
            continue
        if sum(values) != total:
            message = f"{c}: total {_fmt(total)} != sum of results {_fmt(sum(values))}"
            result.checks.append(Check(2, message, [f"requests.total.{c}", *parts]))


def check_year(title_year: int | None, text_years: list[int]) -> Check | None:
    """Rule 6: the title's year must be the reporting year the text speaks of."""
    if title_year is None or not text_years or title_year in text_years:
        return None
    mode = max(set(text_years), key=text_years.count)
    return Check(6, f"title says {title_year}, text reports on {mode}", ["year"])


def check_prose(text: str, tables: Tables) -> list[Check]:
    """Rule 7: a request count stated in the prose must match Table 2 (new, or new + carried over)."""
    new = tables.get("requests.new", {}).get("total")
    if new is None:
        return []
    carried = tables.get("requests.carried_over", {}).get("total") or 0
    for m in PROSE_REQUESTS.finditer(text):
        before = text[max(0, m.start() - 12) : m.start()].rsplit("\n", 1)[-1]
        if "代表" in before or "复议" in m.group(1) or "诉讼" in m.group(1):
            continue  # another body's figure, or not about requests
        stated = int(m.group(2))
        if stated not in (new, new + carried):
            return [
                Check(
                    7,
                    f"prose vs table: text says {stated} requests ('{m.group(0).strip()}'), table says {_fmt(new)} new",
                    ["requests.new.total"],
                )
            ]
        return []
    return []
