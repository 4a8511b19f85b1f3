"""`xxgk index` and `xxgk search` from the command line."""

from __future__ import annotations

import json

import pytest

from xxgk.cli import main
from xxgk.generate import store_record
from xxgk.model import Check, Region, Report
from xxgk.store import Store


def report(
    url: str, title: str, year: int, county: str, body: str, failed: bool = False, region: Region | None = None
) -> Report:
    tables = {"requests.new": {"natural_person": 5, "commercial": 2, "total": 9}}
    return store_record(
        url,
        title=title,
        agency=f"{county}人民政府",
        agency_level="county",
        year=year,
        region=region or Region("河南省", "新乡市", county),
        format="html",
        sections={"overview": body, "problems": "公开不够及时。"},
        tables=tables if failed else {},
        checks=[Check(3, "sum differs", [f"requests.new.{c}" for c in ("total", "natural_person", "commercial")])]
        if failed
        else [],
        text=body,
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
    assert code == 2 and "--year: year range runs backwards" in caplog.text
    code, _, _ = run(capsys, "search", "x", "--db", str(db), "--agency-level", "planet")
    assert code == 2 and "--agency-level: agency_level must be one of province (省级)" in caplog.text
    code, _, _ = run(capsys, "search", "x", "--db", str(db), "--limit", "-1")
    assert code == 2 and "--limit: limit must be a whole number" in caplog.text
    code, _, _ = run(capsys, "index", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and "no report store" in caplog.text
    code, _, _ = run(capsys, "search", "x", "--db", str(tmp_path / "missing.db"))
    assert code == 2 and not (tmp_path / "missing.db.index").exists()


# -- the dead ends a newcomer hit, each as the command that hit it -------------------------------


@pytest.fixture
def indexed(db, capsys):
    with Store(db) as store:
        store.save(
            report(
                "https://nb.example/1",
                "宁波市鄞州区2023年政府信息公开工作年度报告",
                2023,
                "鄞州区",
                "0 0 0 0 16 四、结转下年度继续办理\n本机关结转下年度继续办理2件，政府信息公开工作扎实推进。",
                region=Region("浙江省", "宁波市", "鄞州区"),
            )
        )
    run(capsys, "index", "--db", str(db))
    return db


def total(capsys, db, *argv) -> int:
    code, out, _ = run(capsys, "search", *argv, "--db", str(db), "--json")
    assert code == 0
    return json.loads(out)["total"]


def test_section_headings_are_searchable(indexed, capsys):
    assert total(capsys, indexed, "存在的主要问题") == 4  # every report has the heading, none says it in its text
    assert total(capsys, indexed, "存在的主要问题", "--section", "problems") == 4


def test_short_place_names(indexed, capsys):
    assert total(capsys, indexed, "--province", "浙江") == 1
    assert total(capsys, indexed, "--city", "宁波") == 1
    assert total(capsys, indexed, "--province", "河南", "--city", "新乡") == 3
    assert total(capsys, indexed, "--province", "浙江省") == 1


def test_agency_levels_in_chinese_and_listed_in_the_help(indexed, capsys):
    assert total(capsys, indexed, "--agency-level", "县级") == 4
    assert total(capsys, indexed, "--agency-level", "省级") == 0
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "province 省级, city 市级, county 县级, township 乡镇（街道）, department 部门" in help_text


def test_or_and_exact_phrases(indexed, capsys):
    assert total(capsys, indexed, "主动公开 OR 依申请公开") == 3
    assert total(capsys, indexed, "主动公开 依申请公开") == 0
    assert total(capsys, indexed, '"平原镇 依申请"') == 1
    assert total(capsys, indexed, "信息 OR 公开") == 4


def test_taiwan_wording(indexed, capsys):
    assert total(capsys, indexed, "資訊公開") == 1  # 政府信息公开 in the mainland report
    assert total(capsys, indexed, "政府資訊公開工作") == 1


def test_hits_are_highlighted_in_a_terminal_and_prefer_prose(indexed, capsys):
    code, out, _ = run(capsys, "search", "结转下年度", "--db", str(indexed), "--color", "always")
    assert code == 0
    assert "本机关\033[1;31m结转下年度\033[0m继续办理2件" in out
    assert "0 0 0 0 16" not in out  # the table line is not the snippet
    _, out, _ = run(capsys, "search", "结转下年度", "--db", str(indexed))
    assert "\033[" not in out and "本机关结转下年度继续办理2件" in out  # not a terminal: plain


def test_failed_checks_are_explained_in_chinese(indexed, capsys):
    _, out, _ = run(capsys, "search", "卫滨", "--db", str(indexed))
    assert "勾稽校验未通过 1 项：" in out
    assert "规则 3：表二“本年新收政府信息公开申请数量”行：总计为 9 件，而各类申请人之和为 7 件" in out
    _, out, _ = run(capsys, "search", "卫滨", "--db", str(indexed), "--json")
    assert "勾稽" not in out  # keys and figures stay out of --json's hits


def test_planted_escape_sequences_never_reach_the_terminal(tmp_path, capsys):
    db = tmp_path / "x.db"
    with Store(db) as store:
        store.save(report("https://e.example/1", "报告", 2023, "卫滨区", "卫滨\x1b]0;owned\x07\x1b[2J区公开"))
    run(capsys, "index", "--db", str(db))
    _, out, _ = run(capsys, "search", "卫滨", "--db", str(db), "--color", "always")
    assert "\x1b]" not in out and "\x1b[2J" not in out and "\x07" not in out
