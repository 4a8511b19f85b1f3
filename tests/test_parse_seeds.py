"""The five seed reports and three real PDF-extracted reports, cell by cell against hand-checked answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xxgk.parse import parse_text
from xxgk.schema import CELL_COUNT, TABLE_ROWS

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
SEED_NAMES = sorted(p.stem for p in SEEDS.glob("*.txt"))
REAL_NAMES = ["pdf-002", "pdf-003", "pdf-004"]


def _mismatches(report, expected_tables: dict) -> list[tuple]:
    bad = []
    for row, cols in expected_tables.items():
        for col, want in cols.items():
            got = report.tables.get(row, {}).get(col, "missing")
            # None must stay None and 0 must stay 0: compare identity of "blank" as well as value.
            if (want is None) != (got is None) or got != want:
                bad.append((f"{row}.{col}", want, got))
    return bad


def test_seed_fixtures_present() -> None:
    assert len(SEED_NAMES) == 5


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed(name: str) -> None:
    expected = json.loads((SEEDS / f"{name}.expected.json").read_text(encoding="utf-8"))
    report = parse_text((SEEDS / f"{name}.txt").read_text(encoding="utf-8"))
    assert sum(len(cols) for cols in expected["tables"].values()) == CELL_COUNT
    assert _mismatches(report, expected["tables"]) == []
    assert set(report.tables) == set(TABLE_ROWS)
    assert list(report.sections) == expected["sections"]
    assert report.title == expected["title"]
    assert report.agency == expected["agency"]
    assert report.year == expected["year"]
    if "published" in expected:
        assert report.published == expected["published"]
    assert sorted({c.rule for c in report.checks}) == expected["checks_failed"]
    assert report.format == "2021"
    assert report.problems == []


def test_seed_sections_hold_their_text() -> None:
    report = parse_text((SEEDS / "000_52fabd2e9e55d580.txt").read_text(encoding="utf-8"))
    assert report.sections["problems"].startswith("存在的问题：在政务公开工作中")
    assert "我镇2024年未收取信息处理费" in report.sections["other"]
    assert "行政事业性收费" in report.sections["proactive"]


def test_traditional_seed_keeps_original_text() -> None:
    report = parse_text((SEEDS / "001_c6ba2d9de738c146.txt").read_text(encoding="utf-8"))
    assert "總體情況" not in report.sections["overview"]  # the heading itself is not section text
    assert "鄉(xiāng)" in report.sections["preamble"]  # output keeps the text as printed


def test_seed_003_rule6_names_both_years() -> None:
    report = parse_text((SEEDS / "003_6e18e055b7681b91.txt").read_text(encoding="utf-8"))
    (check,) = report.checks
    assert check.rule == 6 and "2023" in check.message and "2022" in check.message


@pytest.mark.parametrize("name", REAL_NAMES)
def test_realdoc(realdocs, name: str) -> None:
    expected = json.loads((realdocs / f"{name}.expected.json").read_text(encoding="utf-8"))
    report = parse_text((realdocs / f"{name}.txt").read_text(encoding="utf-8"))
    assert _mismatches(report, expected["tables"]) == []
    # Hybrid layouts have no requests.other.* rows; their single row is kept raw.
    assert set(report.tables) == set(expected["tables"])
    assert report.tables_raw == expected.get("tables_raw", {})
    assert sorted({c.rule for c in report.checks}) == expected["checks_failed"]
    assert report.title == expected["title"]
    assert report.agency == expected["agency"]
    assert report.agency_level == expected["agency_level"]
    assert report.year == expected["year"]
    assert report.format == expected["format"]
    assert list(report.sections) == expected["sections"]


def test_realdoc_fee_is_decimal(realdocs) -> None:
    report = parse_text((realdocs / "pdf-002.txt").read_text(encoding="utf-8"))
    fee = report.tables["proactive.fees"]["amount_10k_yuan"]
    assert isinstance(fee, float) and fee == 96171.6
    assert isinstance(report.tables["requests.new"]["total"], int)
    assert report.region.city == "淮安市" and report.region.code == "320800"


def test_realdoc_rule4_cells(realdocs) -> None:
    report = parse_text((realdocs / "pdf-003.txt").read_text(encoding="utf-8"))
    failed = {c.cells[0] for c in report.checks if c.rule == 4}
    assert failed == {"review.total", "litigation_after_review.total"}
