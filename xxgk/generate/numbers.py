"""Table numbers: consistent random tables, single-rule violations, blank cells, and the rule evaluator.

Tables follow ``xxgk.schema``: ``{row_key: {col: int | float | None}}``. Rule numbers are those of the
spec (1–6). A comparison that involves a blank (``None``) cell cannot be evaluated and is skipped.
"""

from __future__ import annotations

import random

from xxgk.model import Tables
from xxgk.schema import (
    APPLICANT_COLUMNS,
    PROACTIVE_ROWS,
    REQUEST_COLUMNS,
    REQUEST_ROWS,
    RESULT_ROWS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)

# How likely each result row is in use, and how heavily it is used when it is.
_RESULT_USE = {
    "requests.granted": (0.95, 6.0),
    "requests.partially_granted": (0.45, 1.5),
    "requests.denied.state_secret": (0.03, 0.3),
    "requests.denied.prohibited_by_law": (0.08, 0.5),
    "requests.denied.security_stability": (0.05, 0.3),
    "requests.denied.third_party": (0.15, 0.6),
    "requests.denied.internal_affairs": (0.12, 0.5),
    "requests.denied.process_info": (0.15, 0.6),
    "requests.denied.enforcement_files": (0.06, 0.4),
    "requests.denied.query_matters": (0.1, 0.5),
    "requests.unavailable.not_held": (0.6, 3.0),
    "requests.unavailable.needs_creation": (0.2, 0.8),
    "requests.unavailable.unclear": (0.2, 0.6),
    "requests.not_processed.petition": (0.3, 1.0),
    "requests.not_processed.repeated": (0.25, 0.8),
    "requests.not_processed.publication": (0.05, 0.3),
    "requests.not_processed.excessive": (0.05, 0.5),
    "requests.not_processed.confirm": (0.08, 0.4),
    "requests.other.no_correction": (0.3, 0.8),
    "requests.other.no_fee": (0.02, 0.2),
    "requests.other.other": (0.35, 1.0),
}
_RESULT_ODDS = [_RESULT_USE[row] for row in RESULT_ROWS]  # in table order
# Share of reports with no request at all, and the scale of request counts, per agency level.
_LEVEL_SCALE = {
    "township": (0.6, 0.3),
    "department": (0.35, 1.0),
    "county": (0.25, 1.5),
    "city": (0.1, 4.0),
    "province": (0.05, 8.0),
}


def randint(rng: random.Random, a: int, b: int) -> int:
    """``rng.randint(a, b)`` at a fraction of its cost (the generator draws hundreds per report)."""
    return a + int(rng.random() * (b - a + 1))


def _split(rng: random.Random, n: int, weights: list[float]) -> list[int]:
    """Split ``n`` into ``len(weights)`` non-negative parts, roughly proportional to ``weights``."""
    k = len(weights)
    out = [0] * k
    if n <= 0:
        return out
    if n <= 12:
        for i in rng.choices(range(k), weights, k=n):
            out[i] += 1
        return out
    total = sum(weights)
    given = 0
    for i, w in enumerate(weights):
        share = int(n * w / total)
        out[i] = share
        given += share
    if given < n:
        for i in rng.choices(range(k), weights, k=n - given):
            out[i] += 1
    return out


def _count(rng: random.Random, scale: float) -> int:
    """A request count: mostly small, sometimes medium, rarely in the thousands."""
    tier = rng.random()
    if tier < 0.6:
        n = randint(rng, 1, 9)
    elif tier < 0.92:
        n = randint(rng, 10, 150)
    else:
        n = randint(rng, 150, 3000)
    return max(1, min(9000, int(n * scale)))


def _fee(rng: random.Random) -> int | float:
    if rng.random() < 0.75:
        return 0
    places = rng.choice((0, 1, 2, 2, 4))
    value = randint(rng, 1, 10 ** randint(rng, 1, 5)) / 10**places
    return round(value, places) if places else int(value)


def _proactive(rng: random.Random, level: str) -> Tables:
    big = level in ("city", "province")
    local = level in ("county", "department")
    regs = (randint(rng, 0, 6), randint(rng, 0, 3), randint(rng, 5, 150)) if big else (0, 0, 0)
    if big or (local and rng.random() < 0.6):
        docs = (randint(rng, 0, 30), randint(rng, 0, 10), randint(rng, 0, 200))
    elif rng.random() < 0.2:
        docs = (randint(rng, 0, 3), 0, randint(rng, 0, 5))
    else:
        docs = (0, 0, 0)

    def decisions(p_zero: float, hi: int) -> int:
        if rng.random() < p_zero:
            return 0
        return randint(rng, 1, 20) if rng.random() < 0.6 else randint(rng, 20, hi)

    p_zero = 0.75 if level == "township" else 0.3
    return {
        "proactive.regulations": dict(zip(PROACTIVE_ROWS["proactive.regulations"], regs, strict=True)),
        "proactive.normative_documents": dict(zip(PROACTIVE_ROWS["proactive.normative_documents"], docs, strict=True)),
        "proactive.licensing": {"decisions": decisions(p_zero, 5000)},
        "proactive.penalty": {"decisions": decisions(p_zero, 3000)},
        "proactive.enforcement": {"decisions": decisions(p_zero + 0.1, 200)},
        "proactive.fees": {"amount_10k_yuan": _fee(rng)},
    }


def _requests(rng: random.Random, level: str) -> Tables:
    p_zero, scale = _LEVEL_SCALE[level]
    zero_row = dict.fromkeys(REQUEST_COLUMNS, 0)
    if rng.random() < p_zero:
        return {row: dict(zero_row) for row in REQUEST_ROWS}
    applicant_w = [rng.uniform(4, 12), rng.uniform(0, 2), rng.uniform(0, 0.2), rng.uniform(0, 0.4)]
    applicant_w += [rng.uniform(0, 0.6), rng.uniform(0, 0.8)]
    new = _split(rng, _count(rng, scale), applicant_w)
    co = _split(rng, randint(rng, 1, max(1, sum(new) // 8)), applicant_w) if rng.random() < 0.3 else [0] * 6
    result_w = [w if rng.random() < p else 0.0 for p, w in _RESULT_ODDS]
    result_w[0] = result_w[0] or 1.0
    forward = rng.random() < 0.3
    cf = [0] * 6
    by_column = []
    for c in range(6):
        avail = new[c] + co[c]
        cf[c] = randint(rng, 0, min(avail, 1 + avail // 6)) if forward and avail else 0
        by_column.append(_split(rng, avail - cf[c], result_w))
    results = list(zip(*by_column, strict=True))
    totals = [sum(col) for col in by_column]

    def row(values) -> dict[str, int | float | None]:
        cells: dict[str, int | float | None] = dict(zip(APPLICANT_COLUMNS, values, strict=True))
        cells["total"] = sum(values)
        return cells

    tables = {"requests.new": row(new), "requests.carried_over": row(co)}
    for key, values in zip(RESULT_ROWS, results, strict=True):
        tables[key] = row(values)
    tables["requests.total"] = row(totals)
    tables["requests.carried_forward"] = row(cf)
    return tables


def _review(rng: random.Random, level: str) -> Tables:
    p_any = {"township": 0.08, "department": 0.3, "county": 0.45, "city": 0.7, "province": 0.85}[level]
    tables: Tables = {}
    for group in REVIEW_GROUPS:
        if rng.random() < p_any:
            hi = 3 if rng.random() < 0.8 else 40
            parts = [randint(rng, 0, hi) for _ in range(4)]
        else:
            parts = [0, 0, 0, 0]
        tables[group] = dict(zip(REVIEW_COLUMNS, [*parts, sum(parts)], strict=True))
    return tables


def consistent_tables(rng: random.Random, level: str) -> Tables:
    """Random tables for an agency of ``level`` that satisfy rules 1–5."""
    return {**_proactive(rng, level), **_requests(rng, level), **_review(rng, level)}


def violate(rng: random.Random, tables: Tables, rule: int) -> None:
    """Change ``tables`` in place so that rule ``rule`` (1–5) fails and rules 1–5 otherwise still hold."""
    col = rng.choice(APPLICANT_COLUMNS)
    d = randint(rng, 1, 5)
    if rule == 1:
        row = tables[rng.choice(("requests.new", "requests.carried_over", "requests.carried_forward"))]
        row[col] += d
        row["total"] += d
    elif rule == 2:
        row = tables[rng.choice(RESULT_ROWS)]
        row[col] += d
        row["total"] += d
    elif rule == 3:
        # The same applicant column grows in a row of each side of rule 1 and in the sums of rule 2,
        # so only the row totals (rule 3) disagree.
        for key in ("requests.new", rng.choice(RESULT_ROWS), "requests.total"):
            tables[key][col] += d
    elif rule == 4:
        group = tables[rng.choice(tuple(REVIEW_GROUPS))]
        group["total"] += d if rng.random() < 0.7 or group["total"] < d else -d
    elif rule == 5:
        if rng.random() < 0.25:
            tables["proactive.fees"]["amount_10k_yuan"] = -round(rng.uniform(0.01, 50), 2)
        else:
            row = rng.choice(("proactive.licensing", "proactive.penalty", "proactive.enforcement"))
            tables[row]["decisions"] = -d if rng.random() < 0.5 else d + 0.5
    else:
        raise ValueError(f"rule {rule} is not a table rule")


def blank_cells(rng: random.Random, tables: Tables) -> None:
    """Leave some cells unfilled (``None``) the way real reports do."""
    patterns = rng.sample(("review", "scatter", "row", "fee", "regulations"), randint(rng, 1, 3))
    for pattern in patterns:
        if pattern == "review":
            groups = [rng.choice(tuple(REVIEW_GROUPS))] if rng.random() < 0.5 else list(REVIEW_GROUPS)
            for group in groups:
                tables[group] = dict.fromkeys(tables[group])
        elif pattern == "scatter":
            for _ in range(randint(rng, 1, 8)):
                tables[rng.choice(REQUEST_ROWS)][rng.choice(REQUEST_COLUMNS)] = None
        elif pattern == "row":
            key = rng.choice(REQUEST_ROWS)
            tables[key] = dict.fromkeys(tables[key])
        elif pattern == "fee":
            tables["proactive.fees"]["amount_10k_yuan"] = None
        else:
            for key in ("proactive.regulations", "proactive.normative_documents")[: randint(rng, 1, 2)]:
                tables[key] = dict.fromkeys(tables[key])


def _differs(a: list[int | float | None], b: list[int | float | None]) -> bool:
    """True when both sides are fully filled and their sums differ."""
    if None in a or None in b:
        return False
    return sum(a) != sum(b)  # type: ignore[arg-type]


def failed_rules(tables: Tables, title_year: int | None, text_year: int | None) -> list[int]:
    """Rules (1–6) that ``tables`` and the two years break; comparisons with a blank cell are skipped."""
    failed: set[int] = set()
    req = {row: tables[row] for row in REQUEST_ROWS}
    for col in REQUEST_COLUMNS:
        lhs = [req["requests.new"][col], req["requests.carried_over"][col]]
        if _differs(lhs, [req["requests.total"][col], req["requests.carried_forward"][col]]):
            failed.add(1)
        if _differs([req["requests.total"][col]], [req[row][col] for row in RESULT_ROWS]):
            failed.add(2)
    for row in req.values():
        if _differs([row["total"]], [row[c] for c in APPLICANT_COLUMNS]):
            failed.add(3)
    for group in REVIEW_GROUPS:
        cells = tables[group]
        if _differs([cells["total"]], [cells[c] for c in REVIEW_COLUMNS[:-1]]):
            failed.add(4)
    for key, cols in tables.items():
        for value in cols.values():
            if value is None:
                continue
            whole = isinstance(value, int) or key == "proactive.fees"
            if value < 0 or not whole:
                failed.add(5)
    if title_year is not None and text_year is not None and title_year != text_year:
        failed.add(6)
    return sorted(failed)
