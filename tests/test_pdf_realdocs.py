"""The three real published PDFs read as completely as their pdftotext text: the same record, cell by cell.

A crawl downloads the PDF, not our text: ``xxgk parse pdf-00N.pdf`` must give what ``pdf-00N.txt`` gives
(every cell, the sections, the year, the failed checks, the problems) and what the hand-checked
``pdf-00N.expected.json`` says.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from xxgk.parse import parse_document, parse_text

NAMES = ["pdf-002", "pdf-003", "pdf-004"]


def _parse(realdocs: Path, name: str, suffix: str):
    path = realdocs / f"{name}{suffix}"
    return parse_document(path.read_bytes(), filename=path.name)


@pytest.mark.parametrize("name", NAMES)
def test_pdf_gives_the_record_of_its_text(realdocs, name: str) -> None:
    pdf, txt = _parse(realdocs, name, ".pdf"), _parse(realdocs, name, ".txt")
    assert pdf.source_type == "pdf"
    assert pdf.tables == txt.tables
    assert pdf.cells_raw == txt.cells_raw
    assert pdf.tables_raw == txt.tables_raw
    assert list(pdf.sections) == list(txt.sections)
    assert [(c.rule, c.cells) for c in pdf.checks] == [(c.rule, c.cells) for c in txt.checks]
    assert pdf.problems == txt.problems
    assert (pdf.title, pdf.agency, pdf.year, pdf.published, pdf.format) == (
        txt.title,
        txt.agency,
        txt.year,
        txt.published,
        txt.format,
    )


@pytest.mark.parametrize("suffix", [".pdf", ".txt"])
@pytest.mark.parametrize("name", NAMES)
def test_pdf_matches_the_hand_checked_answer(realdocs, name: str, suffix: str) -> None:
    """Every cell of the answer, ``requests.other_2019`` of the hybrid reports (003, 004) included."""
    report = _parse(realdocs, name, suffix)
    expected = json.loads((realdocs / f"{name}.expected.json").read_text(encoding="utf-8"))
    wrong = [
        (f"{row}.{col}", want, report.tables.get(row, {}).get(col, "missing"))
        for row, cols in expected["tables"].items()
        for col, want in cols.items()
        if report.tables.get(row, {}).get(col, "missing") != want
        or (want is None) != (report.tables.get(row, {}).get(col) is None)
    ]
    assert wrong == []
    assert set(report.tables) == set(expected["tables"])  # a hybrid report has no requests.other.* rows
    assert list(report.sections) == expected["sections"]
    assert report.year == expected["year"]
    assert report.title == expected["title"]
    assert sorted({c.rule for c in report.checks}) == expected["checks_failed"]


@pytest.mark.parametrize("name", NAMES)
def test_pdf_sections_without_tables_hold_the_text_of_the_txt(realdocs, name: str) -> None:
    """Prose sections carry the same characters as from the text (line breaks and spacing aside)."""
    pdf, txt = _parse(realdocs, name, ".pdf"), _parse(realdocs, name, ".txt")
    for key in ("preamble", "overview", "problems", "other"):
        assert "".join(pdf.sections[key].split()) == "".join(txt.sections[key].split()), key


def _pdfminer_text(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path))


def _pdftotext_reading_order(path: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext not installed")
    return subprocess.run([exe, str(path), "-"], capture_output=True, check=True).stdout.decode("utf-8")


@pytest.mark.parametrize("extract", [_pdfminer_text, _pdftotext_reading_order], ids=["pdfminer", "pdftotext"])
@pytest.mark.parametrize("name", NAMES)
def test_other_pipelines_text_of_the_pdf_gives_no_wrong_cell(realdocs, name: str, extract) -> None:
    """Text from pipelines that read a table's boxes column by column (pdfminer's ``extract_text``, pdftotext
    in reading order): what cannot be placed stays blank with a reason; no cell gets another cell's value."""
    report = parse_text(extract(realdocs / f"{name}.pdf"))
    expected = json.loads((realdocs / f"{name}.expected.json").read_text(encoding="utf-8"))
    wrong = [
        (f"{row}.{col}", want, got)
        for row, cols in expected["tables"].items()
        for col, want in cols.items()
        if (got := report.tables.get(row, {}).get(col)) is not None and got != want
    ]
    assert wrong == []
    assert report.problems  # the cells left blank are accounted for
