"""Pivot a metric or a cell by agency or region × year: sum, median and count of reports per cell.

Agencies are series (canonical name within division code, as the cross-year audit uses); regions are
province, city (within its province) or county (within its city). A report whose region lacks the
grouping level is left out. Sum and median are over the reports whose value is known (null when none
is); ``count`` is every report of the group and year, ``known`` those with a value. 2019-format
reports join through the keys the two formats share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from xxgk.data.facts import INDEX, Facts
from xxgk.data.metrics import metric
from xxgk.explain import cell_label

GROUPS = ("agency", "county", "city", "province")
STATS = ("sum", "median", "count", "known")
GROUP_LABELS = {"agency": "发布机构", "county": "区县", "city": "城市", "province": "省份"}
STAT_LABELS = {"sum": "合计", "median": "中位数", "count": "报告数", "known": "有数值的报告数"}


class CompareError(ValueError):
    """An unknown value, grouping or statistic."""


@dataclass(frozen=True)
class Value:
    """What is compared: a derived metric or one canonical cell."""

    name: str
    label: str

    @property
    def cells(self) -> tuple[str, ...]:
        found = metric(self.name)
        return found.cells if found else (self.name,)

    def column(self, facts: Facts) -> np.ndarray:
        found = metric(self.name)
        return found.column(facts) if found else facts.cell(self.name)


def value_of(name: str) -> Value:
    found = metric(name)
    if found is not None:
        return Value(found.name, found.label)
    if name in INDEX:
        return Value(name, cell_label(name))
    raise CompareError(f"unknown metric or cell {name!r}; see `xxgk compare --list` for the metrics and cells")


def default_stat(value: Value, by: str) -> str:
    """Sum for an agency or a count; the median for a region's rates."""
    found = metric(value.name)
    return "median" if by != "agency" and found is not None and found.denominator else "sum"


@dataclass
class Stat:
    sum: float | None
    median: float | None
    count: int
    known: int

    def get(self, name: str) -> float | int | None:
        return getattr(self, name)


@dataclass
class Row:
    key: str  # the group's identity (series key or region path)
    label: str  # what the page shows
    years: dict[int, Stat] = field(default_factory=dict)


@dataclass
class Pivot:
    value: Value
    by: str
    years: list[int]
    rows: list[Row]

    def to_dict(self) -> dict:
        return {
            "value": {"name": self.value.name, "label": self.value.label},
            "by": self.by,
            "years": self.years,
            "rows": [
                {"key": r.key, "label": r.label, "years": {str(y): vars(s) for y, s in r.years.items()}}
                for r in self.rows
            ],
        }


def _groups(facts: Facts, by: str) -> tuple[list[str | None], Callable[[int], str]]:
    """Each report's group key (None: not in any group) and how to label the group of report ``i``."""
    c = facts.columns
    if by == "agency":

        def agency(i: int) -> str:
            place = c["county"][i] or c["city"][i] or c["province"][i]
            return f"{c['agency'][i]}（{place}）" if place else c["agency"][i]

        # An agency without a division code is grouped by its name within its named region.
        keys = [
            s or f"|{p}|{ci}|{co}|{a}"
            for s, p, ci, co, a in zip(c["series"], c["province"], c["city"], c["county"], c["agency"], strict=True)
        ]
        return [k if a else None for k, a in zip(keys, c["agency"], strict=True)], agency
    path = REGION_PATHS[by]
    names = [c[p] for p in path]
    if by == "province":
        return names[0], lambda i: names[0][i]
    keys = [None if parts[-1] is None else "/".join(p or "" for p in parts) for parts in zip(*names, strict=True)]
    return keys, lambda i: " ".join(dict.fromkeys(n[i] for n in names if n[i]))  # a municipality is its own city


REGION_PATHS = {"province": ("province",), "city": ("province", "city"), "county": ("province", "city", "county")}
# What a pivot by each grouping reads (``facts.load`` columns).
GROUP_COLUMNS = {"agency": ("agency", "province", "city", "county", "year", "series")}
GROUP_COLUMNS |= {by: (*path, "year") for by, path in REGION_PATHS.items()}


def pivot(facts: Facts, value: Value, by: str, years: tuple[int, int] | None = None) -> Pivot:
    """The ``by`` × year table of ``value`` over ``facts`` (grouped and summarised in vectorised passes)."""
    if by not in GROUPS:
        raise CompareError(f"unknown grouping {by!r}; expected one of {', '.join(GROUPS)}")
    keys, label = _groups(facts, by)
    encoded = pa.array(keys, pa.string()).dictionary_encode()
    group = pc.fill_null(encoded.indices, -1).to_numpy()
    year = pc.fill_null(pa.array(facts.columns["year"], pa.int64()), -1).to_numpy()
    inside = (group >= 0) & (year >= 0)
    if years:
        inside &= (year >= years[0]) & (year <= years[1])
    # One code per (group, year) cell of the table, numbered in (group, year) order.
    span = int(year.max(initial=0)) + 1
    cell_of = group.astype(np.int64) * span + year
    found, first, codes_inside = np.unique(cell_of[inside], return_index=True, return_inverse=True)
    codes = np.full(len(facts), -1)
    codes[inside] = codes_inside
    column = value.column(facts)
    n_cells = len(found)
    known = inside & ~np.isnan(column)
    count = np.bincount(codes[inside], minlength=n_cells)
    n_known = np.bincount(codes[known], minlength=n_cells)
    total = np.bincount(codes[known], weights=column[known], minlength=n_cells)
    order = np.lexsort((column[known], codes[known]))  # known values sorted by cell, then value
    ordered = column[known][order]
    start = np.concatenate(([0], np.cumsum(n_known)[:-1])) if n_cells else np.zeros(0, int)
    lo, hi = start + (n_known - 1) // 2, start + n_known // 2
    has = n_known > 0
    median = np.full(n_cells, np.nan)
    median[has] = (ordered[lo[has]] + ordered[hi[has]]) / 2
    dictionary = encoded.dictionary.to_pylist()
    at = np.flatnonzero(inside)[first]  # a report of each cell, for its group's label
    rows: dict[str, Row] = {}
    for j, (cell, i) in enumerate(zip(found.tolist(), at.tolist(), strict=True)):
        key = dictionary[cell // span]
        row = rows.get(key) or rows.setdefault(key, Row(key, label(i)))
        row.years[cell % span] = Stat(
            float(total[j]) if has[j] else None,
            float(median[j]) if has[j] else None,
            int(count[j]),
            int(n_known[j]),
        )
    ordered_rows = sorted(rows.values(), key=lambda r: (r.label, r.key))
    return Pivot(value, by, sorted({cell % span for cell in found.tolist()}), ordered_rows)
