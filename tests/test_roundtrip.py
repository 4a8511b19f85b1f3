"""Acceptance property: the parser recovers every cell, every section and exactly the broken rules of generated reports.

1,030 generated reports in the 2021 format and 600 in the 2019 format (100 per layout) over the six
layouts, with each rule (1–6) broken on purpose and blank cells. A failure lists, per report, the layout,
the seed (``generate(random.Random(f"{layout}:{seed}"), ...)``, prefixed ``2019:`` for the old format),
the cells that differ, the section keys found versus the report's and the rules found versus the rules broken.
"""

from __future__ import annotations

import random

import pytest

from xxgk.generate import generate, render

parse = pytest.importorskip("xxgk.parse", reason="xxgk.parse (the report parser) is not available")

# Reports per layout; PDF and DOCX are the slow ones (render + extraction), kept small enough for < 2 min.
COUNTS = {"html_grid": 250, "html_messy": 250, "pipe": 200, "tsv": 200, "pdf": 50, "docx": 80}
FILENAMES = {
    "html_grid": "report.html",
    "html_messy": "report.htm",
    "pipe": "report.txt",
    "tsv": "report.txt",
    "pdf": "report.pdf",
    "docx": "report.docx",
}
COUNT_2019 = 100  # 2019-format reports per layout
VIOLATIONS = (None, 1, 2, 3, 4, 5, 6)


def case(layout: str, seed: int, table_format: str = "2021"):
    """The report of one case: every 7th breaks no rule, the others one rule each; every 3rd has blanks."""
    rng = random.Random(f"{layout}:{seed}" if table_format == "2021" else f"{table_format}:{layout}:{seed}")
    return generate(rng, violate=VIOLATIONS[seed % 7], blanks=seed % 3 == 0, table_format=table_format)


def differences(layout: str, seed: int, table_format: str = "2021") -> str | None:
    """What the parser got wrong about one generated report, or None."""
    report = case(layout, seed, table_format)
    charset = "gbk" if layout == "html_grid" and seed % 3 == 1 else "utf-8"
    parsed = parse.parse_document(render(report, layout, charset=charset), filename=FILENAMES[layout])
    wrong = [f"format {parsed.format}"] if parsed.format != table_format else []
    wrong += [f"{row} (not in the format)" for row in sorted(set(parsed.tables) - set(report.tables))]
    for row, cols in report.tables.items():
        got_row = parsed.tables.get(row) or {}
        for col, want in cols.items():
            got = got_row.get(col, "missing")
            if got != want or (got is None) != (want is None):
                wrong.append(f"{row}.{col}={got!r} (want {want!r})")
    rules = sorted({c.rule for c in parsed.checks if c.rule <= 6})
    sections, want_sections = sorted(parsed.sections), sorted(report.sections)
    if not wrong and rules == report.violated and sections == want_sections:
        return None
    cells = ", ".join(wrong[:4]) + (f" … {len(wrong)} cells" if len(wrong) > 4 else "")
    return (
        f"{table_format} {layout} seed {seed}: cells [{cells}] rules {rules} want {report.violated}"
        f" sections {sections} want {want_sections}"
    )


@pytest.mark.parametrize("layout", list(COUNTS))
def test_parser_recovers_generated_reports(layout):
    failures = [d for seed in range(COUNTS[layout]) if (d := differences(layout, seed))]
    assert not failures, f"{len(failures)}/{COUNTS[layout]} reports differ:\n" + "\n".join(failures[:15])


@pytest.mark.parametrize("layout", list(COUNTS))
def test_parser_recovers_generated_2019_format_reports(layout):
    failures = [d for seed in range(COUNT_2019) if (d := differences(layout, seed, "2019"))]
    assert not failures, f"{len(failures)}/{COUNT_2019} reports differ:\n" + "\n".join(failures[:15])


def test_cases_cover_every_rule_and_blanks():
    reports = [case(layout, seed) for layout, n in COUNTS.items() for seed in range(n)]
    assert len(reports) >= 1000
    broken = {rule for r in reports for rule in r.violated}
    assert broken == {1, 2, 3, 4, 5, 6}
    with_blanks = [r for r in reports if any(v is None for cols in r.tables.values() for v in cols.values())]
    assert len(with_blanks) > 300
    old = [case(layout, seed, "2019") for layout in COUNTS for seed in range(COUNT_2019)]
    assert {rule for r in old for rule in r.violated} == {1, 2, 3, 4, 5, 6}
    assert sum(any(v is None for cols in r.tables.values() for v in cols.values()) for r in old) > 150
    assert (
        sum(
            r.tables["proactive_2019.licensing"]["change"] < 0
            for r in old
            if r.tables["proactive_2019.licensing"]["change"] is not None
        )
        > 20
    )
