"""Normalisation, query words and snippets shared by both backends."""

from __future__ import annotations

import pytest

from indexer.query import parse_years
from indexer.text import compact, normalize, plain, query_words, snippet


def test_normalize_folds_script_width_and_case():
    assert normalize("總體情況") == "总体情况"
    assert normalize("依申請公開") == "依申请公开"
    assert normalize("ＡＢＣ２０２３") == "abc2023"


def test_compact_keeps_only_searchable_characters():
    assert compact(normalize("卫滨区，平原镇！ (2023) <b>")) == "卫滨区平原镇2023b"


def test_query_words_interpret_no_syntax():
    assert query_words('"卫滨" AND 工程*') == ["卫滨", "and", "工程"]
    assert query_words("NEAR( ) '; --") == ["near"]
    assert query_words("😀 \t ") == []


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
    for bad in ("2023-2020", "abc", "2020-", ""):
        with pytest.raises(ValueError):
            parse_years(bad)
