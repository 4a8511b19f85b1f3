"""`xxgk index` and `xxgk search` from the command line."""

from __future__ import annotations

import json

import pytest

from xxgk.cli import main
from xxgk.model import Check, Region, Report, content_hash, report_id
from xxgk.store import Store


def report(url: str, title: str, year: int, county: str, body: str, failed: bool = False) -> Report:
    return Report(
        id=report_id(url),
        url=url,
        title=title,
        agency=f"{county}人民政府",
        agency_level="county",
        year=year,
        region=Region("河南省", "新乡市", county),
        format="html",
        sections={"overview": body, "problems": "公开不够及时。"},
        checks=[Check(2, "sum differs")] if failed else [],
        text=body,
        content_hash=content_hash(body.encode()),
    )


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "x.db"
    with Store(path) as store:
        store.save(
            report("https://a.example/1", "卫滨区2023年报告", 2023, "卫滨区", "卫滨区平原镇依申请公开<b>x</b>", True)
        )
        store.save(report("https://a.example/2", "红旗区2022年报告", 2022, "红旗区", "紅旗區依申請公開辦理"))
        store.save(report("https://a.example/3", "牧野区2021年报告", 2021, "牧野区", "牧野区主动公开"))
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_index_then_search_json(db, capsys):
    code, out, _ = run(capsys, "index", "--db", str(db))
    assert code == 0 and "indexed 3 reports" in out
    code, out, _ = run(capsys, "index", "--db", str(db))
    assert "indexed 0 reports" in out
    code, out, _ = run(capsys, "search", "依申请公开", "--db", str(db), "--json", "--facets", "--sort", "year-desc")
    data = json.loads(out)
    assert code == 0 and set(data) == {"total", "hits", "facets"}
    assert data["total"] == 2
    assert [h["title"] for h in data["hits"]] == ["卫滨区2023年报告", "红旗区2022年报告"]
    assert set(data["hits"][0]) == {"id", "title", "agency", "year", "region", "url", "snippet"}
    assert data["hits"][0]["region"]["county"] == "卫滨区"
    assert "<mark>依申请公开</mark>&lt;b&gt;" in data["hits"][0]["snippet"]
    assert data["facets"]["year"] == {"2022": 1, "2023": 1}
    assert data["facets"]["failed_checks"] == {"true": 1, "false": 1}


def test_search_filters_from_the_command_line(db, capsys):
    run(capsys, "index", "--db", str(db), "--rebuild")
    _, out, _ = run(capsys, "search", "--db", str(db), "--json", "--year", "2021-2022")
    assert {h["year"] for h in json.loads(out)["hits"]} == {2021, 2022}
    _, out, _ = run(capsys, "search", "--db", str(db), "--json", "--failed-checks")
    assert [h["title"] for h in json.loads(out)["hits"]] == ["卫滨区2023年报告"]
    _, out, _ = run(capsys, "search", "公开", "--db", str(db), "--json", "--section", "problems", "--county", "牧野区")
    assert json.loads(out)["total"] == 1
    _, out, _ = run(capsys, "search", "--db", str(db), "--json", "--limit", "1", "--offset", "2", "--sort", "year")
    assert [h["year"] for h in json.loads(out)["hits"]] == [2023]


def test_search_human_output(db, capsys):
    run(capsys, "index", "--db", str(db))
    code, out, _ = run(capsys, "search", "卫滨", "--db", str(db), "--facets")
    assert code == 0
    assert out.startswith("1 reports")
    assert "1. 卫滨区2023年报告" in out and "卫滨区人民政府 · 2023 · 河南省 新乡市 卫滨区" in out
    assert "https://a.example/1" in out
    assert "卫滨区平原镇依申请公开<b>x</b>" in out  # plain text in a terminal
    assert "<mark>" not in out and "province: 河南省 1" in out


@pytest.mark.parametrize("text", ['"', "*", "NEAR(", "AND OR", "'; DROP TABLE reports; --", "", "😀"])
def test_nasty_queries_on_the_command_line(db, capsys, text):
    run(capsys, "index", "--db", str(db))
    code, out, _ = run(capsys, "search", text, "--db", str(db), "--json")
    assert code == 0 and json.loads(out)["total"] in (0, 3)


def test_bad_arguments_are_reported(db, capsys, caplog, tmp_path):
    code, _, _ = run(capsys, "search", "x", "--db", str(db), "--year", "2023-2020")
    assert code == 2 and "--year takes a year" in caplog.text
    code, _, _ = run(capsys, "index", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and "no report store" in caplog.text
    code, _, _ = run(capsys, "search", "x", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and not (tmp_path / "missing.db.index").exists()
