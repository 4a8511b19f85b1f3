"""The generated report (exact truth) and :func:`generate`."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from xxgk.generate import numbers, prose
from xxgk.generate.agencies import pick_agency
from xxgk.generate.numbers import randint
from xxgk.model import Check, Region, Report, Tables, content_hash, report_id
from xxgk.schema import SECTIONS

# Numbered section headings as reports print them: 一、总体情况 … 六、其他需要报告的事项.
_NUMBERED = [(key, name) for key, name in SECTIONS.items() if key != "preamble"]
HEADINGS = {key: f"{n}、{name}" for n, (key, name) in zip("一二三四五六", _NUMBERED, strict=True)}
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
    format: str = "2021"  # table format: "2021" or "2019" (2019 and 2020 reports)

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

    def record(self, url: str, source_format: str) -> Report:
        """This report as a stored record at ``url`` (metadata, prose and text; a check per broken rule)."""
        return store_record(
            url,
            title=self.title,
            agency=self.agency,
            agency_level=self.agency_level,
            year=self.year,
            published=self.published,
            region=self.region,
            format=source_format,
            sections=dict(self.sections),
            checks=[Check(rule, f"rule {rule} broken") for rule in self.violated],
            text=self.text(),
        )


def store_record(url: str, *, text: str | None = None, **fields) -> Report:
    """A Report at ``url`` whose id and content hash follow from the URL and ``text`` (default: the sections)."""
    if text is None:
        text = "\n".join(fields.get("sections", {}).values())
    return Report(id=report_id(url), url=url, text=text, content_hash=content_hash(text.encode()), **fields)


def generate(
    rng: random.Random,
    *,
    year: int | None = None,
    agency: str | None = None,
    region: Region | None = None,
    violate: int | None = None,
    blanks: bool = False,
    table_format: str = "2021",
) -> GeneratedReport:
    """A random report; ``violate=n`` breaks exactly rule n (1–6), ``blanks`` leaves some cells unfilled.

    ``table_format="2019"`` draws a 2019 or 2020 report in the 2019 format (its truth also carries the
    decisions under their 2021 keys, as the parser writes them); ``"hybrid"`` a 2021-format report that
    prints the single old （六）其他处理 row (``requests.other_2019``) instead of the three 2021 rows.
    """
    if violate is not None and not 1 <= violate <= 6:
        raise ValueError(f"violate must be a rule number 1–6, got {violate!r}")
    if table_format not in ("2021", "2019", "hybrid"):
        raise ValueError(f"table_format must be '2021', '2019' or 'hybrid', got {table_format!r}")
    year = year or (randint(rng, 2019, 2020) if table_format == "2019" else randint(rng, 2021, 2024))
    who = pick_agency(rng, region, agency)
    base = numbers.consistent_tables(rng, who.level, table_format)
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
    tables = numbers.with_2021_decisions(tables)
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
        format="2019" if table_format == "2019" else "2021",
    )
