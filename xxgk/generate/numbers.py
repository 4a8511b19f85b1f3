"""Table numbers: consistent random tables, single-rule violations, blank cells, and the rule evaluator.

Tables follow ``xxgk.schema``: ``{row_key: {col: int | float | None}}``, with the rows of the 2021 format
or of the 2019 format (``proactive_2019.*``, ``requests.other_2019``). Rule numbers are those of the
spec (1–6). A comparison that involves a blank (``None``) cell cannot be evaluated and is skipped.
"""

from __future__ import annotations

import random

from xxgk.model import Tables
from xxgk.schema import (
    APPLICANT_COLUMNS,
    DECIMAL_CELLS,
    DECISIONS_2021,
    OTHER_2019,
    PROACTIVE_2019_ROWS,
    PROACTIVE_ROWS,
    REQUEST_COLUMNS,
    REQUEST_ROWS,
    REQUEST_ROWS_2019,
    RESULT_ROWS,
    RESULT_ROWS_2019,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    SIGNED_COLUMNS,
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
    OTHER_2019: (0.45, 1.2),
}
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


def request_rows(tables: Tables) -> tuple[str, ...]:
    """Table 2 rows of ``tables``: the 2019 format's (single 其他处理 row) or the 2021 format's."""
    return REQUEST_ROWS_2019 if OTHER_2019 in tables else REQUEST_ROWS


def result_rows(tables: Tables) -> tuple[str, ...]:
    return RESULT_ROWS_2019 if OTHER_2019 in tables else RESULT_ROWS


def _requests(rng: random.Random, level: str, old: bool) -> Tables:
    rows, results_rows = (REQUEST_ROWS_2019, RESULT_ROWS_2019) if old else (REQUEST_ROWS, RESULT_ROWS)
    p_zero, scale = _LEVEL_SCALE[level]
    zero_row = dict.fromkeys(REQUEST_COLUMNS, 0)
    if rng.random() < p_zero:
        return {row: dict(zero_row) for row in rows}
    applicant_w = [rng.uniform(4, 12), rng.uniform(0, 2), rng.uniform(0, 0.2), rng.uniform(0, 0.4)]
    applicant_w += [rng.uniform(0, 0.6), rng.uniform(0, 0.8)]
    new = _split(rng, _count(rng, scale), applicant_w)
    co = _split(rng, randint(rng, 1, max(1, sum(new) // 8)), applicant_w) if rng.random() < 0.3 else [0] * 6
    result_w = [w if rng.random() < p else 0.0 for p, w in (_RESULT_USE[row] for row in results_rows)]
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
    for key, values in zip(results_rows, results, strict=True):
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


def _proactive_2019(rng: random.Random, level: str) -> Tables:
    """The 2019 format's Table 1: documents made/published/public, items with their yearly change, procurement."""
    big = level in ("city", "province")
    township = level == "township"

    def documents(active: bool, hi: int) -> tuple[int, int, int]:
        if not active:
            return 0, 0, 0
        made = randint(rng, 0, hi)
        published = randint(rng, 0, made)
        return made, published, published + randint(rng, 0, 10 * hi)

    def items(p_zero: float, hi: int) -> tuple[int, int, int]:
        if rng.random() < p_zero:
            return 0, 0, 0
        previous = randint(rng, 0, hi)
        change = randint(rng, -(previous // 4), 1 + hi // 10)
        return previous, change, randint(rng, 0, 20) if rng.random() < 0.6 else randint(rng, 20, 30 * hi)

    p_zero = 0.75 if township else 0.3
    fee_items = 0 if township else randint(rng, 0, 30)
    purchases = 0 if township or rng.random() < 0.4 else randint(rng, 1, 60)
    amount = 0 if not purchases else randint(rng, 1000, 5_000_000) * purchases
    if amount and rng.random() < 0.5:
        amount = round(amount / 100 + randint(rng, 1, 99) / 100, 2)
    values = {
        "proactive_2019.regulations": documents(big, 6),
        "proactive_2019.normative_documents": documents(not township or rng.random() < 0.2, 30),
        "proactive_2019.licensing": items(p_zero, 200),
        "proactive_2019.other_services": items(p_zero + 0.1, 60),
        "proactive_2019.penalty": items(p_zero, 150),
        "proactive_2019.enforcement": items(p_zero + 0.1, 20),
        "proactive_2019.fees": (fee_items, randint(rng, -min(fee_items, 3), 2) if fee_items else 0),
        "proactive_2019.procurement": (purchases, amount),
    }
    return {row: dict(zip(PROACTIVE_2019_ROWS[row], v, strict=True)) for row, v in values.items()}


def consistent_tables(rng: random.Random, level: str, fmt: str = "2021") -> Tables:
    """Random tables of format ``fmt`` ("2021", "2019" or "hybrid") for an agency of ``level`` that satisfy rules 1–5.

    A 2019-format table has no 2021 Table 1 rows; :func:`with_2021_decisions` adds the decisions a
    parser writes under the 2021 keys as well.
    """
    if fmt == "2019":
        return {**_proactive_2019(rng, level), **_requests(rng, level, True), **_review(rng, level)}
    if fmt == "hybrid":  # a 2021-format report that still prints the single old 其他处理 row
        return {**_proactive(rng, level), **_requests(rng, level, True), **_review(rng, level)}
    return {**_proactive(rng, level), **_requests(rng, level, False), **_review(rng, level)}


def with_2021_decisions(tables: Tables) -> Tables:
    """``tables`` plus, for the 2019 format, 处理决定数量 under ``proactive.licensing/penalty/enforcement``."""
    if "proactive_2019.licensing" not in tables:
        return tables
    return {**tables, **{new: {"decisions": tables[old]["decisions"]} for old, new in DECISIONS_2021.items()}}


def violate(rng: random.Random, tables: Tables, rule: int) -> None:
    """Change ``tables`` in place so that rule ``rule`` (1–5) fails and rules 1–5 otherwise still hold."""
    col = rng.choice(APPLICANT_COLUMNS)
    d = randint(rng, 1, 5)
    results = result_rows(tables)
    old = "proactive_2019.licensing" in tables
    if rule == 1:
        row = tables[rng.choice(("requests.new", "requests.carried_over", "requests.carried_forward"))]
        row[col] += d
        row["total"] += d
    elif rule == 2:
        row = tables[rng.choice(results)]
        row[col] += d
        row["total"] += d
    elif rule == 3:
        # The same applicant column grows in a row of each side of rule 1 and in the sums of rule 2,
        # so only the row totals (rule 3) disagree.
        for key in ("requests.new", rng.choice(results), "requests.total"):
            tables[key][col] += d
    elif rule == 4:
        group = tables[rng.choice(tuple(REVIEW_GROUPS))]
        group["total"] += d if rng.random() < 0.7 or group["total"] < d else -d
    elif rule == 5:
        if rng.random() < 0.25:
            row, cell = ("proactive_2019.procurement", "amount_yuan") if old else ("proactive.fees", "amount_10k_yuan")
            tables[row][cell] = -round(rng.uniform(0.01, 50), 2)
        else:
            row = rng.choice(tuple(DECISIONS_2021) if old else tuple(DECISIONS_2021.values()))
            tables[row]["decisions"] = -d if rng.random() < 0.5 else d + 0.5
    else:
        raise ValueError(f"rule {rule} is not a table rule")


def is_2019(tables: Tables) -> bool:
    """Tables drawn in the 2019 format (its own Table 1)."""
    return "proactive_2019.regulations" in tables


def blank_cells(rng: random.Random, tables: Tables) -> None:
    """Leave some cells unfilled (``None``) the way real reports do."""
    patterns = rng.sample(("review", "scatter", "row", "fee", "regulations"), randint(rng, 1, 3))
    requests = request_rows(tables)
    prefix = "proactive_2019" if is_2019(tables) else "proactive"
    fee = (
        ("proactive_2019.procurement", "amount_yuan")
        if prefix == "proactive_2019"
        else ("proactive.fees", "amount_10k_yuan")
    )
    for pattern in patterns:
        if pattern == "review":
            groups = [rng.choice(tuple(REVIEW_GROUPS))] if rng.random() < 0.5 else list(REVIEW_GROUPS)
            for group in groups:
                tables[group] = dict.fromkeys(tables[group])
        elif pattern == "scatter":
            for _ in range(randint(rng, 1, 8)):
                tables[rng.choice(requests)][rng.choice(REQUEST_COLUMNS)] = None
        elif pattern == "row":
            key = rng.choice(requests)
            tables[key] = dict.fromkeys(tables[key])
        elif pattern == "fee":
            tables[fee[0]][fee[1]] = None
        else:
            for key in (f"{prefix}.regulations", f"{prefix}.normative_documents")[: randint(rng, 1, 2)]:
                tables[key] = dict.fromkeys(tables[key])


def _differs(a: list[int | float | None], b: list[int | float | None]) -> bool:
    """True when both sides are fully filled and their sums differ."""
    if None in a or None in b:
        return False
    return sum(a) != sum(b)  # type: ignore[arg-type]


def failed_rules(tables: Tables, title_year: int | None, text_year: int | None) -> list[int]:
    """Rules (1–6) that ``tables`` and the two years break; comparisons with a blank cell are skipped."""
    failed: set[int] = set()
    req = {row: tables[row] for row in request_rows(tables)}
    results = result_rows(tables)
    for col in REQUEST_COLUMNS:
        lhs = [req["requests.new"][col], req["requests.carried_over"][col]]
        if _differs(lhs, [req["requests.total"][col], req["requests.carried_forward"][col]]):
            failed.add(1)
        if _differs([req["requests.total"][col]], [req[row][col] for row in results]):
            failed.add(2)
    for row in req.values():
        if _differs([row["total"]], [row[c] for c in APPLICANT_COLUMNS]):
            failed.add(3)
    for group in REVIEW_GROUPS:
        cells = tables[group]
        if _differs([cells["total"]], [cells[c] for c in REVIEW_COLUMNS[:-1]]):
            failed.add(4)
    for key, cols in tables.items():
        for col, value in cols.items():
            if value is None:
                continue
            whole = isinstance(value, int) or f"{key}.{col}" in DECIMAL_CELLS
            if (value < 0 and col not in SIGNED_COLUMNS) or not whole:
                failed.add(5)
    if title_year is not None and text_year is not None and title_year != text_year:
        failed.add(6)
    return sorted(failed)
