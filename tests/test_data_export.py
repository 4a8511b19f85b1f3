"""On the demo portal's crawl: tidy exports equal the store, cross-year rules find exactly what was planted,
``xxgk compare`` equals a brute-force pivot."""

from __future__ import annotations

import csv
import json
import sqlite3

import openpyxl
import pyarrow.parquet as pq
import pytest

from indexer import index_dir
from indexer.embedded import EmbeddedBackend
from indexer.query import Query
from indexer.sync import sync
from xxgk.cli import main
from xxgk.data import audit, facts
from xxgk.data.compare import GROUPS
from xxgk.store import Store


def stored(db) -> dict[str, dict]:
    """Report id -> {"row.col": value} straight from the stored records."""
    with Store(db) as store:
        return {r.id: facts.flat(r.tables) for r in store.reports()}


def same(value, expected) -> bool:
    if expected is None:
        return value in (None, "")
    return value not in (None, "") and float(value) == float(expected)


def assert_wide_equals_store(rows: list[dict], truth: dict[str, dict]) -> None:
    assert len(rows) == len(truth)
    assert {r["id"] for r in rows} == set(truth)
    assert len([c for c in rows[0] if c in facts.INDEX]) == len(facts.CELLS) >= 200
    wrong = [
        (row["id"], key, row[key], truth[row["id"]].get(key))
        for row in rows
        for key in facts.CELLS
        if not same(row[key], truth[row["id"]].get(key))
    ]
    assert not wrong, wrong[:5]


def export(db, tmp_path, fmt: str, *extra: str):
    out = tmp_path / f"out.{fmt}"
    assert main(["export", "--db", str(db), "--format", fmt, "--output", str(out), *extra]) == 0
    return out


def test_wide_csv_has_a_row_per_report_and_every_cell(demo_crawl, tmp_path):
    out = export(demo_crawl.db, tmp_path, "csv", "--shape", "wide")
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    truth = stored(demo_crawl.db)
    assert_wide_equals_store(rows, truth)
    blanks = sum(1 for row in rows for key in facts.CELLS if row[key] == "")
    assert blanks == sum(1 for cells in truth.values() for key in facts.CELLS if cells.get(key) is None) > 0
    with Store(demo_crawl.db) as store:
        for row in rows:
            report = store.get(row["id"])
            assert (row["url"], row["agency"], int(row["year"])) == (report.url, report.agency, report.year)
            assert row["division_code"] == report.region.code and row["province"] == report.region.province
            assert row["checks"] == ";".join(str(c.rule) for c in sorted(report.checks, key=lambda c: c.rule))


def test_parquet_and_xlsx_read_back_the_same_values(demo_crawl, tmp_path):
    truth = stored(demo_crawl.db)
    table = pq.read_table(export(demo_crawl.db, tmp_path, "parquet"))
    assert table.schema.field("requests.new.total").type in ("int64", "double")
    assert_wide_equals_store(table.to_pylist(), truth)
    sheet = openpyxl.load_workbook(export(demo_crawl.db, tmp_path, "xlsx"), read_only=True).active
    header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert_wide_equals_store([dict(zip(header, r, strict=True)) for r in body], truth)


def test_long_and_wide_agree_cell_for_cell(demo_crawl, tmp_path):
    wide = {r["id"]: r for r in pq.read_table(export(demo_crawl.db, tmp_path, "parquet")).to_pylist()}
    long_rows = pq.read_table(export(demo_crawl.db, tmp_path, "parquet", "--shape", "long")).to_pylist()
    assert len(long_rows) == len(wide) * len(facts.CELLS)
    with Store(demo_crawl.db) as store:
        reports = list(store.reports())
    raw = {r.id: r.cells_raw for r in reports}
    sources = {r.id: r.cell_sources for r in reports}
    lines = {r.id: len(r.text.splitlines()) for r in reports}
    for row in long_rows:
        source = sources[row["id"]].get(row["key"])
        assert (row["read_by"], row["line"]) == (
            (None, None) if source is None else (source.split(":")[0], int(source.split(":")[1]))
        )
        assert row["line"] is None or 1 <= row["line"] <= lines[row["id"]]
        value = wide[row["id"]][row["key"]]
        assert row["is_null"] == (value is None)
        assert row["value"] == value
        assert row["raw"] == raw[row["id"]].get(row["key"])
        if value is None:
            assert row["obtained"] == ("blank" if row["raw"] is not None else "absent")
        else:
            assert row["obtained"] == ("normalised" if row["raw"] is not None else "number")
    assert {"number", "blank"} <= {r["obtained"] for r in long_rows}
    assert "label" in {r["read_by"] for r in long_rows} and any(r["line"] for r in long_rows)


def test_jsonl_wide_and_where_filter(demo_crawl, tmp_path):
    out = export(demo_crawl.db, tmp_path, "jsonl", "--shape", "wide", "--where", "requests.new.total >= 10")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    truth = stored(demo_crawl.db)
    expected = {rid for rid, cells in truth.items() if (cells.get("requests.new.total") or -1) >= 10}
    assert {r["id"] for r in rows} == expected and 0 < len(expected) < len(truth)


def test_rules_7_and_8_find_every_planted_break_and_nothing_else(demo_crawl):
    assert len(demo_crawl.planted) >= 8 and {p.rule for p in demo_crawl.planted} == {7, 8}
    with Store(demo_crawl.db) as store:
        found = [c for c in audit.all_checks(store) if c.rule in (7, 8)]
        years = {r.id: r.year for r in store.reports()}
    planted = {(p.rule, demo_crawl.ids[id(p.earlier)], demo_crawl.ids[id(p.later)]): p for p in demo_crawl.planted}
    assert {(c.rule, c.earlier, c.later) for c in found} == set(planted)
    for check in found:
        assert years[check.later] == years[check.earlier] + 1
        assert set(planted[(check.rule, check.earlier, check.later)].cells) <= set(check.later_cells) | {
            "requests.carried_over.total"
        }
        assert check.earlier_cells and check.later_cells


@pytest.mark.parametrize("value", ["requests.new.total", "disclosure_rate", "review.corrected"])
@pytest.mark.parametrize("by", GROUPS)
def test_compare_equals_a_brute_force_pivot(brute_pivot, demo_crawl, capsys, value, by):
    assert main(["compare", value, "--by", by, "--db", str(demo_crawl.db), "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    table = {
        (row["label"], int(year)): (s["sum"], s["median"], s["count"])
        for row in got["rows"]
        for year, s in row["years"].items()
    }
    expected = brute_pivot(demo_crawl.db, value, by)
    assert table.keys() == expected.keys()
    for key, (total, median, count) in expected.items():
        assert table[key][2] == count
        assert table[key][0] == pytest.approx(total) and table[key][1] == pytest.approx(median)


def test_export_and_compare_take_search_s_full_text_query(demo_crawl, tmp_path, capsys):
    db = tmp_path / "demo.db"  # a copy of the shared crawl, indexed beside it
    with Store(demo_crawl.db) as shared, sqlite3.connect(db) as copy:
        shared.db.backup(copy)
    with Store(db) as store:
        sync(store, EmbeddedBackend(index_dir(db)), rebuild=True)
        total = store.count()
    backend = EmbeddedBackend(index_dir(db))
    for text, years in (("行政复议", None), ("依申请公开 OR 主动公开", "2022-2023")):
        query = Query.from_params({"q": text, "limit": "100"} | ({"year": years} if years else {}))
        found = {hit.id for hit in backend.search(query).hits}
        assert 0 < len(found) <= 100
        extra = ("--query", text, *(("--year", years) if years else ()))
        out = export(db, tmp_path, "jsonl", "--shape", "wide", *extra)
        assert {json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()} == found
        assert (
            main(["compare", "requests.new.total", "--by", "province", "--db", str(db), "--format", "json", *extra])
            == 0
        )
        table = json.loads(capsys.readouterr().out)
        assert sum(s["count"] for row in table["rows"] for s in row["years"].values()) == len(found)
    nothing = export(db, tmp_path, "jsonl", "--shape", "wide", "--query", "无此词语组合甲乙丙")
    assert nothing.read_text(encoding="utf-8") == "" and total
