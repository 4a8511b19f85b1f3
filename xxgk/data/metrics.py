"""Derived metrics, defined once: Chinese name, formula and the cells it is computed from.

A metric is ``sum(numerator) / sum(denominator)`` (or just the numerator's sum when it has no
denominator). Null-aware: a blank operand makes the metric null, never 0, and a zero denominator too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from xxgk.data.facts import Facts
from xxgk.model import Number
from xxgk.schema import REQUEST_ROWS

DENIED = tuple(f"{row}.total" for row in REQUEST_ROWS if row.startswith("requests.denied."))


@dataclass(frozen=True)
class Metric:
    name: str  # identifier used in --where and URLs
    label: str  # Chinese name
    formula: str  # how it is computed, in words
    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()

    def value(self, cells: Mapping[str, Number | None]) -> float | None:
        """The metric of one report's flat cells (``{"row.col": value}``); None when undefined."""
        top = _sum(cells, self.numerator)
        if top is None or not self.denominator:
            return top
        bottom = _sum(cells, self.denominator)
        return None if bottom is None or bottom == 0 else top / bottom

    @property
    def cells(self) -> tuple[str, ...]:
        return (*self.numerator, *self.denominator)

    def column(self, facts: Facts) -> np.ndarray:
        """The metric for every report of ``facts``; NaN when undefined."""
        top = _columns(facts, self.numerator)
        if not self.denominator:
            return top
        bottom = _columns(facts, self.denominator)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(bottom == 0, np.nan, top / bottom)


def _sum(cells: Mapping[str, Number | None], keys: tuple[str, ...]) -> float | None:
    total = 0.0
    for key in keys:
        value = cells.get(key)
        if value is None:
            return None
        total += value
    return total


def _columns(facts: Facts, keys: tuple[str, ...]) -> np.ndarray:
    total = np.zeros(len(facts.values))
    for key in keys:
        total = total + facts.cell(key)  # NaN (blank) propagates
    return total


LITIGATION = ("litigation_direct", "litigation_after_review")

METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "requests_received",
            "依申请量",
            "本年新收政府信息公开申请数量（总计）",
            ("requests.new.total",),
        ),
        Metric(
            "disclosure_rate",
            "公开率",
            "（予以公开 + 部分公开）÷ 办理结果总计",
            ("requests.granted.total", "requests.partially_granted.total"),
            ("requests.total.total",),
        ),
        Metric(
            "denial_rate",
            "不予公开率",
            "不予公开（8 项之和）÷ 办理结果总计",
            DENIED,
            ("requests.total.total",),
        ),
        Metric(
            "not_held_rate",
            "本机关不掌握率",
            "本机关不掌握相关政府信息 ÷ 办理结果总计",
            ("requests.unavailable.not_held.total",),
            ("requests.total.total",),
        ),
        Metric(
            "carry_forward_rate",
            "结转率",
            "结转下年度继续办理 ÷（本年新收 + 上年结转）",
            ("requests.carried_forward.total",),
            ("requests.new.total", "requests.carried_over.total"),
        ),
        Metric("reviews", "行政复议量", "行政复议总计", ("review.total",)),
        Metric(
            "review_correction_rate",
            "行政复议纠错率",
            "行政复议结果纠正 ÷ 行政复议总计",
            ("review.corrected",),
            ("review.total",),
        ),
        Metric(
            "lawsuits",
            "行政诉讼量",
            "行政诉讼总计（未经复议直接起诉 + 复议后起诉）",
            tuple(f"{g}.total" for g in LITIGATION),
        ),
        Metric(
            "litigation_correction_rate",
            "行政诉讼纠错率",
            "行政诉讼结果纠正 ÷ 行政诉讼总计（两类起诉合计）",
            tuple(f"{g}.corrected" for g in LITIGATION),
            tuple(f"{g}.total" for g in LITIGATION),
        ),
    )
}
BY_LABEL: dict[str, Metric] = {m.label: m for m in METRICS.values()}


def metric(name: str) -> Metric | None:
    """A metric by identifier or Chinese name."""
    return METRICS.get(name) or BY_LABEL.get(name)
