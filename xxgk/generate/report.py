"""The generated report (exact truth) and :func:`generate`."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from xxgk.generate import numbers, prose
from xxgk.generate.agencies import pick_agency
from xxgk.generate.numbers import randint
from xxgk.model import Region, Tables
from xxgk.schema import SECTIONS

HEADINGS = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review_litigation": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}
_TITLES = (
    "{ag}{y}年政府信息公开工作年度报告",
    "{ag}{y}年政府信息公开工作年度报告",
    "{ag}{y}年度政府信息公开工作年度报告",
    "{y}年{ag}政府信息公开工作年度报告",
    "{ag} {y} 年政府信息公开工作年度报告",
)


@dataclass
class GeneratedReport:
    """A random annual report with its exact truth; render it with :func:`xxgk.generate.render`."""

    title: str
    agency: str
    agency_level: str
    year: int
    published: str  # ISO date
    region: Region
    tables: Tables  # exact truth; None = blank cell
    sections: dict[str, str]  # section key -> prose
    violated: list[int]  # rules (1–6) this report breaks, sorted

    def text(self) -> str:
        """Plain body text: title, then each section's heading and prose in order."""
        parts = [self.title]
        for key in SECTIONS:
            body = self.sections.get(key, "")
            heading = HEADINGS.get(key)
            if heading:
                parts.append(heading)
            if body:
                parts.append(body)
        return "\n".join(parts)


def generate(
    rng: random.Random,
    *,
    year: int | None = None,
    agency: str | None = None,
    region: Region | None = None,
    violate: int | None = None,
    blanks: bool = False,
) -> GeneratedReport:
    """A random report; ``violate=n`` breaks exactly rule n (1–6), ``blanks`` leaves some cells unfilled."""
    if violate is not None and not 1 <= violate <= 6:
        raise ValueError(f"violate must be a rule number 1–6, got {violate!r}")
    year = year or randint(rng, 2021, 2024)
    who = pick_agency(rng, region, agency)
    base = numbers.consistent_tables(rng, who.level)
    if violate is not None and violate <= 5:
        numbers.violate(rng, base, violate)
    text_year = year - 1 if violate == 6 else year
    tables = base
    if blanks:
        for _ in range(8):
            tables = {row: dict(cols) for row, cols in base.items()}
            numbers.blank_cells(rng, tables)
            if violate is None or violate in numbers.failed_rules(tables, year, text_year):
                break
        else:
            tables = base
    # Unblanked tables break exactly the requested rule by construction (the tests re-check that).
    violated = numbers.failed_rules(tables, year, text_year) if blanks else ([violate] if violate else [])
    received = tables["requests.new"]["total"]
    sections = prose.sections(
        rng,
        agency=who.name,
        self_ref=who.self_ref,
        text_year=text_year,
        requests_received=None if received is None else int(received),
    )
    published = dt.date(year + 1, 1, 1) + dt.timedelta(days=randint(rng, 5, 85))
    title = rng.choice(_TITLES).format(ag=who.name, y=year)
    return GeneratedReport(
        title=title,
        agency=who.name,
        agency_level=who.level,
        year=year,
        published=published.isoformat(),
        region=who.region,
        tables=tables,
        sections=sections,
        violated=violated,
    )
