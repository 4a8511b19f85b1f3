"""Consistency rules (勾稽关系) 1–6 of the spec, plus rule 7: prose figures that contradict the table.

A comparison involving a blank cell is skipped, never treated as 0; skipped comparisons are listed
so the caller can say what could not be checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xxgk.model import Check, Number, Tables
from xxgk.schema import APPLICANT_COLUMNS, REQUEST_COLUMNS, REQUEST_ROWS, RESULT_ROWS, REVIEW_COLUMNS, REVIEW_GROUPS

FEE_CELL = ("proactive.fees", "amount_10k_yuan")
# "全市共受理政府信息公开申请3119件", "收到政府信息公开申请2件", "受理依申请公开政府信息0件"
PROSE_REQUESTS = re.compile(r"(.{0,12}?)(?:受理|收到|接收)([^。；;，,]{0,20}?申请[^。；;，,\d]{0,12}?)(\d+)\s*件")


@dataclass
class CheckResult:
    checks: list[Check] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)


def _get(tables: Tables, row: str, col: str) -> Number | None:
    return tables.get(row, {}).get(col)


def _compare(result: CheckResult, rule: int, what: str, left: list[str], right: list[str], tables: Tables) -> None:
    cells = left + right
    values = {c: _get(tables, *c.rsplit(".", 1)) for c in cells}
    blank = [c for c, v in values.items() if v is None]
    if blank:
        result.unchecked.append(f"rule {rule} ({what}) not checked: blank {', '.join(blank)}")
        return
    lsum = sum(values[c] for c in left)
    rsum = sum(values[c] for c in right)
    if abs(lsum - rsum) > 1e-9:
        result.checks.append(Check(rule, f"{what}: {_fmt(lsum)} != {_fmt(rsum)}", cells))


def _fmt(x: Number) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def check_tables(tables: Tables, tables_raw: dict[str, list]) -> CheckResult:
    """Rules 1–5 over the canonical tables (rule 2 counts a single 其他处理 row from ``tables_raw``)."""
    result = CheckResult()
    if not any(row in tables for row in REQUEST_ROWS):
        return result
    single = tables_raw.get("（六）其他处理")
    for i, c in enumerate(REQUEST_COLUMNS):
        _compare(
            result,
            1,
            f"{c}: new + carried_over = total + carried_forward",
            [f"requests.new.{c}", f"requests.carried_over.{c}"],
            [f"requests.total.{c}", f"requests.carried_forward.{c}"],
            tables,
        )
        parts = [f"{row}.{c}" for row in RESULT_ROWS if row in tables]
        if single is not None:
            if single[i] is None:
                result.unchecked.append(f"rule 2 ({c}) not checked: blank （六）其他处理 cell")
                continue
            extra = single[i]
        else:
            extra = 0
        values = [_get(tables, *p.rsplit(".", 1)) for p in parts]
        total = _get(tables, "requests.total", c)
        if total is None or None in values:
            blank = [p for p, v in zip(parts, values, strict=True) if v is None]
            if total is None:
                blank.append(f"requests.total.{c}")
            result.unchecked.append(f"rule 2 ({c}) not checked: blank {', '.join(blank)}")
            continue
        if sum(values) + extra != total:
            result.checks.append(
                Check(
                    2,
                    f"{c}: total {_fmt(total)} != sum of results {_fmt(sum(values) + extra)}",
                    [f"requests.total.{c}", *parts],
                )
            )
    for row in REQUEST_ROWS:
        if row in tables:
            _compare(
                result,
                3,
                f"{row}: total = sum of applicant columns",
                [f"{row}.total"],
                [f"{row}.{c}" for c in APPLICANT_COLUMNS],
                tables,
            )
    for group in REVIEW_GROUPS:
        _compare(
            result,
            4,
            f"{group}: total = upheld + corrected + other + pending",
            [f"{group}.total"],
            [f"{group}.{c}" for c in REVIEW_COLUMNS[:-1]],
            tables,
        )
    bad = []
    for row, cols in tables.items():
        for col, value in cols.items():
            if value is None:
                continue
            if value < 0 or ((row, col) != FEE_CELL and not float(value).is_integer()):
                bad.append(f"{row}.{col}")
    if bad:
        result.checks.append(Check(5, "negative or non-integer values: " + ", ".join(bad), bad))
    return result


def check_year(title_year: int | None, text_years: list[int]) -> Check | None:
    """Rule 6: the title's year must be the reporting year the text speaks of."""
    if title_year is None or not text_years or title_year in text_years:
        return None
    mode = max(set(text_years), key=text_years.count)
    return Check(6, f"title says {title_year}, text reports on {mode}", ["year"])


def check_prose(text: str, tables: Tables) -> list[Check]:
    """Rule 7: a request count stated in the prose must match Table 2 (new, or new + carried over)."""
    new = _get(tables, "requests.new", "total")
    if new is None:
        return []
    carried = _get(tables, "requests.carried_over", "total") or 0
    for m in PROSE_REQUESTS.finditer(text):
        if "代表" in m.group(1) or "复议" in m.group(2) or "诉讼" in m.group(2):
            continue  # another body's figure, or not about requests
        stated = int(m.group(3))
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
