"""Acceptance property: the parser recovers every cell, every section and exactly the broken rules of generated reports.

1,030 generated reports over the six layouts, with each rule (1–6) broken on purpose and blank cells.
A failure lists, per report, the layout, the seed (``generate(random.Random(f"{layout}:{seed}"), ...)``),
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
VIOLATIONS = (None, 1, 2, 3, 4, 5, 6)


def case(layout: str, seed: int):
    """The report of one case: every 7th breaks no rule, the others one rule each; every 3rd has blanks."""
    rng = random.Random(f"{layout}:{seed}")
    return generate(rng, violate=VIOLATIONS[seed % 7], blanks=seed % 3 == 0)


def differences(layout: str, seed: int) -> str | None:
    """What the parser got wrong about one generated report, or None."""
    report = case(layout, seed)
    charset = "gbk" if layout == "html_grid" and seed % 3 == 1 else "utf-8"
    parsed = parse.parse_document(render(report, layout, charset=charset), filename=FILENAMES[layout])
    wrong = []
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
        f"{layout} seed {seed}: cells [{cells}] rules {rules} want {report.violated}"
        f" sections {sections} want {want_sections}"
    )


@pytest.mark.parametrize("layout", list(COUNTS))
def test_parser_recovers_generated_reports(layout):
    failures = [d for seed in range(COUNTS[layout]) if (d := differences(layout, seed))]
    assert not failures, f"{len(failures)}/{COUNTS[layout]} reports differ:\n" + "\n".join(failures[:15])


def test_cases_cover_every_rule_and_blanks():
    reports = [case(layout, seed) for layout, n in COUNTS.items() for seed in range(n)]
    assert len(reports) >= 1000
    broken = {rule for r in reports for rule in r.violated}
    assert broken == {1, 2, 3, 4, 5, 6}
    with_blanks = [r for r in reports if any(v is None for cols in r.tables.values() for v in cols.values())]
    assert len(with_blanks) > 300
