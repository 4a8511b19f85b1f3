"""HTML nested deeper than libxml2 parses: flattened in one bounded pass, text and tables kept, the loss counted."""

from __future__ import annotations

import random
import time

import lxml.html
import pytest

from xxgk.extract.html import extract_html
from xxgk.extract.nesting import DEPTH, TABLE_NESTING, flatten
from xxgk.generate import hostile
from xxgk.parse import parse_document

CASES = {case.name: build for case, build in hostile.cases()}


def _parse(data: bytes):
    return parse_document(data, url="http://127.0.0.1/r.html", content_type="text/html", filename="r.html")


def _depth(root) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in el)
    return deepest


@pytest.fixture(scope="module")
def clean():
    return _parse(CASES["clean.html"]())


@pytest.mark.parametrize(
    "name", ["deep-font-3000.html", "deep-span-3000.html", "deep-div-3000.html", "deep-div-100000.html"]
)
def test_report_inside_deep_nesting_keeps_every_cell(clean, name: str) -> None:
    report = _parse(CASES[name]())
    assert report.tables == clean.tables
    assert report.format == clean.format
    [note] = [p for p in report.problems if "nested deeper than" in p]
    assert "tags left out" in note and "table" not in note  # the report's own table tags all survive


def test_deep_formatting_keeps_the_page_structure(clean) -> None:
    """Thousands of unclosed <font> use only a small share of the depth: boilerplate is still told apart."""
    report = _parse(CASES["deep-font-3000.html"]())
    assert report.text == clean.text
    assert report.sections == clean.sections


def test_nested_tables_beyond_the_bound_are_counted_and_their_text_kept(clean) -> None:
    report = _parse(CASES["deep-tables.html"]())
    assert report.tables == clean.tables
    [note] = [p for p in report.problems if "nested deeper than" in p]
    assert f"more than {TABLE_NESTING} open at once" in note
    assert "深" in report.text


@pytest.mark.parametrize("depth", [3000, 100_000])
def test_text_at_the_bottom_is_kept(depth: int) -> None:
    page = "<html><body>" + "<div><span>层" * depth + "底部的文字" + "</span></div>" * depth + "</body></html>"
    doc = extract_html(page.encode())
    assert "底部的文字" in doc.text
    assert doc.text.count("层") == depth  # every level's text, none dropped
    assert any(f"within {DEPTH} levels" in p for p in doc.problems)


def test_flattened_pages_stay_within_libxml2s_depth() -> None:
    """Random mixes of block, inline, table and void tags, closed or not: the flattened tree parses whole."""
    rng = random.Random(9)
    tags = ["div", "font", "span", "p", "li", "table", "tr", "td", "b", "br", "img", "section"]
    for _ in range(8):
        parts = []
        for i in range(4000):
            tag = rng.choice(tags)
            parts.append(f"<{tag}> {i} " if rng.random() < 0.9 else f"</{tag}> {i} ")
        page = "<html><body>" + "".join(parts) + "</body></html>"
        flat = flatten(page)
        parser = lxml.html.HTMLParser()
        root = lxml.html.document_fromstring(flat.html, parser=parser)
        assert not [e for e in parser.error_log if "depth" in e.message]
        assert _depth(root) < 255
        text = root.text_content()
        assert [int(n) for n in text.split()] == list(range(4000))  # every text node, in order


def test_flatten_keeps_what_is_shallow_untouched() -> None:
    page = '<div class="a"><!-- <div> --><script>if (a<b) {"</div>"}</script><p title="x>y">t</p></div>'
    assert flatten(page).html == page
    assert flatten(page).tags_left_out == 0


@pytest.mark.parametrize(
    "page",
    [
        "<tr>" + "<font>" * 100_000 + "<td>x" * 100_000,  # implied cell ends behind a deep stack
        "<div>" * 100_000 + "</font>" * 100_000,  # end tags that match nothing
        "<font>" + "<div>" * 100_000 + "</font>" * 100_000,  # end tags libxml2 ignores (a <div> inside)
        "<a b='" * 200_000,  # unterminated quotes
        "<!--" * 200_000,  # unterminated comments
        "<p" * 300_000,  # unterminated tags
    ],
    ids=["implied-cells", "unmatched-ends", "ignored-ends", "open-quotes", "open-comments", "open-tags"],
)
def test_flatten_is_linear_on_hostile_tag_soup(page: str) -> None:
    start = time.process_time()
    flatten(page)
    assert time.process_time() - start < 5
