"""Normalisation, query words and snippets shared by both backends."""

from __future__ import annotations

import pytest

from indexer.query import QueryError, parse_years
from indexer.text import (
    index_forms,
    index_forms_of,
    is_tabular,
    plain,
    query_terms,
    query_words,
    search_chars,
    search_form,
    snippet,
)


def test_search_form_folds_script_width_and_case():
    assert search_form("總體情況") == "总体情况"
    assert search_form("依申請公開") == "依申请公开"
    assert search_form("ＡＢＣ２０２３") == "abc2023"


def test_search_chars_keep_only_searchable_characters():
    assert search_chars(search_form("卫滨区，平原镇！ (2023) <b>")) == "卫滨区平原镇2023b"


def test_taiwan_wording_gets_its_mainland_form_and_mainland_text_is_never_reworded():
    assert index_forms("政府資訊公開") == ["政府资讯公开", "政府信息公开"]
    assert index_forms("规范性文件和程序") == ["规范性文件和程序"]  # tw2sp would say 文档, 进程
    assert index_forms("規範性文件") == ["规范性文件", "规范性文档"]
    assert query_terms("資訊公開") == [(("资讯公开", "信息公开"),)]


def test_fields_normalised_together_read_as_each_alone():
    texts = [
        "政府資訊公開",
        "",
        "规范性文件和程序",
        "ＡＢＣ２０２３ 卫滨区，平原镇！\n存在的主要問題",
        "規範性文件",
        "體驗。",
        "\n",
        "𠀀㐀﨑 ΑΣ x",
    ]
    assert index_forms_of(texts) == [index_forms(t) for t in texts]
    assert index_forms_of(texts[2:4]) == [index_forms(t) for t in texts[2:4]]  # no Traditional text at all
    with_separator = ["a\x1fb", "資訊"]  # the joining character inside a text: each is read alone
    assert index_forms_of(with_separator) == [["ab"], ["资讯", "信息"]]


def test_query_grammar_or_and_phrases_only():
    assert query_terms("信息 OR 公开") == [(("信息",), ("公开",))]
    assert query_terms("年度 信息 OR 公开 报告") == [(("年度",),), (("信息",), ("公开",)), (("报告",),)]
    assert query_terms('"信息 公开" 年度') == [(("信息公开",),), (("年度",),)]
    assert query_terms("信息 or 公开") == [(("信息",),), (("or",),), (("公开",),)]  # lower-case or is a word
    assert query_terms("OR 信息 OR") == [(("信息",),)]  # a dangling OR joins nothing
    assert query_words('"卫滨" AND 工程*') == ["卫滨", "and", "工程"]
    assert query_words('"卫滨') == ["卫滨"]  # an unclosed quote runs to the end
    assert query_words("NEAR( ) '; --") == ["near"]
    assert query_words("😀 \t ") == []


def test_table_lines_are_told_from_prose():
    assert is_tabular("0 0 0 0 16 四、结转下年度继续办理")
    assert is_tabular("1\t2\t3")
    assert not is_tabular("本机关共收到申请16件，结转下年度继续办理2件。")


def test_snippet_prefers_prose_over_table_figures():
    text = "0 0 0 0 16 四、结转下年度继续办理\n本机关结转下年度继续办理2件。"
    assert snippet(text, query_words("结转下年度")) == "…本机关<mark>结转下年度</mark>继续办理2件。"
    assert snippet(text, ["不存在"]) == "…本机关结转下年度继续办理2件。"  # no match: the first prose
    assert "<mark>" in snippet("0 0 0 0 16 四、结转下年度继续办理", ["结转"])  # no prose match: the table line


def test_snippet_marks_the_match_in_the_original_script():
    text = "總體情況：本機關依申請公開辦理12件。"
    assert snippet(text, query_words("依申请公开")) == "總體情況：本機關<mark>依申請公開</mark>辦理12件。"


def test_snippet_escapes_everything_but_its_own_marks():
    text = '<script>alert("x")</script> & 卫滨区 <img src=x onerror=alert(1)>'
    out = snippet(text, ["卫滨"])
    assert out == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; <mark>卫滨</mark>区 &lt;img src=x onerror=alert(1)&gt;"
    )
    assert plain(out) == text


def test_snippet_matches_across_dropped_punctuation_and_windows_long_text():
    text = "甲" * 500 + "卫滨，区平原镇" + "乙" * 500
    out = snippet(text, ["滨区平原"], width=60)
    assert "<mark>滨，区平原</mark>" in out
    assert out.startswith("…") and out.endswith("…") and len(plain(out)) <= 62


def test_snippet_without_a_match_shows_the_beginning():
    assert snippet("第一段<b>粗</b>" + "字" * 300, ["不存在"], width=10) == "第一段&lt;b&gt;粗&lt;/b…"


def test_parse_years():
    assert parse_years("2023") == (2023, 2023)
    assert parse_years(" 2020-2023 ") == (2020, 2023)
    for bad in ("2023-2020", "abc", "2020-", "", "1900"):
        with pytest.raises(QueryError) as error:
            parse_years(bad)
        assert error.value.param == "year"
