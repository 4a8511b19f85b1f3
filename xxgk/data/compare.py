"""Pivot a metric or a cell by agency or region × year: sum, median and count of reports per cell.

Agencies are series (canonical name within division code, as the cross-year audit uses); regions are
province, city (within its province) or county (within its city). A report whose region lacks the
grouping level is left out. Sum and median are over the reports whose value is known (null when none
is); ``count`` is every report of the group and year, ``known`` those with a value. 2019-format
reports join through the keys the two formats share.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from xxgk.data.facts import INDEX, Facts
from xxgk.data.metrics import metric

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

    def column(self, facts: Facts) -> np.ndarray:
        found = metric(self.name)
        return found.column(facts.values) if found else facts.cell(self.name)


def value_of(name: str) -> Value:
    found = metric(name)
    if found is not None:
        return Value(found.name, found.label)
    if name in INDEX:
        from indexer.web.tables import cell_label

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


def _group(facts: Facts, by: str, i: int) -> tuple[str, str] | None:
    c = facts.columns
    if by == "agency":
        series = c["series"][i]
        if series is None:
            return None
        place = c["county"][i] or c["city"][i] or c["province"][i]
        return series, f"{c['agency'][i]}（{place}）" if place else c["agency"][i]
    path = {"province": ("province",), "city": ("province", "city"), "county": ("province", "city", "county")}[by]
    names = [c[p][i] for p in path]
    if names[-1] is None:
        return None
    parts = list(dict.fromkeys(n for n in names if n))  # a municipality is its own city
    return "/".join(n or "" for n in names), " ".join(parts)


def pivot(facts: Facts, value: Value, by: str, years: tuple[int, int] | None = None) -> Pivot:
    """The ``by`` × year table of ``value`` over ``facts``."""
    if by not in GROUPS:
        raise CompareError(f"unknown grouping {by!r}; expected one of {', '.join(GROUPS)}")
    column = value.column(facts)
    cells: dict[tuple[str, int], list[int]] = defaultdict(list)
    labels: dict[str, str] = {}
    for i, year in enumerate(facts.columns["year"]):
        if year is None or (years and not years[0] <= year <= years[1]):
            continue
        group = _group(facts, by, i)
        if group is None:
            continue
        labels.setdefault(group[0], group[1])
        cells[(group[0], year)].append(i)
    rows: dict[str, Row] = {}
    for (key, year), members in cells.items():
        picked = column[members]
        known = picked[~np.isnan(picked)]
        stat = Stat(
            float(known.sum()) if known.size else None,
            float(np.median(known)) if known.size else None,
            len(members),
            int(known.size),
        )
        rows.setdefault(key, Row(key, labels[key])).years[year] = stat
    ordered = sorted(rows.values(), key=lambda r: (r.label, r.key))
    return Pivot(value, by, sorted({y for _, y in cells}), ordered)
