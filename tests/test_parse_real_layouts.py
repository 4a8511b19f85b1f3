"""Layouts seen on real portals and in other people's pipelines, each reached through the generator.

- Cell-per-line exports with bars (the generator's ``bar_cells`` layout): an HTML-to-text converter writes every
  table cell on its own line ending in `` |``, an empty cell as a bare ``|``, and closes each row with bars.
- The section headings in the wordings of the official templates and their common variants
  (``政府信息公开工作存在的主要问题及改进情况``, ``因政府信息公开工作被申请行政复议、提起行政诉讼情况`` …).
- Text through a Taiwan-phrase converter (OpenCC ``s2twp``, as on mirror sites): 政府資訊公開, 規範性檔案.
- Provincial templates that follow a short label with a remark: ``规章（设区的市、自治州人民政府应提供相关数据）``.
- A title naming no agency, the agency on the line above it.
"""

from __future__ import annotations

import random
import re

import opencc
import pytest

from crawler.detect import carries_report_body, classify_title
from xxgk.generate import generate, render
from xxgk.generate.damage import render_damaged
from xxgk.generate.report import HEADINGS, GeneratedReport
from xxgk.parse import parse_document
from xxgk.parse.headings import heading_key
from xxgk.schema import PROACTIVE_2019_LABELS, PROACTIVE_LABELS


def _cells(tables: dict) -> dict[str, object]:
    return {f"{row}.{col}": v for row, cols in tables.items() for col, v in cols.items()}


@pytest.mark.parametrize("seed", range(12))
def test_cell_per_line_bar_exports_read_exactly(seed: int) -> None:
    rng = random.Random(seed)
    report = generate(rng, blanks=True, table_format="2019" if seed % 3 == 0 else "2021")
    text = render_damaged(report, "bar_cells", rng)
    parsed = parse_document(text.encode("utf-8"), filename="bars.txt")
    truth = _cells(report.tables)
    got = _cells(parsed.tables)
    assert {k: (v, got.get(k, "missing")) for k, v in truth.items() if got.get(k, "missing") != v} == {}


OFFICIAL = {
    "review_litigation": [
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议提起行政诉讼情况",
        "五、因政府信息公开申请行政复议、提起行政诉讼的情况",
        "四、政府信息公开行政复议、行政诉讼情况",
    ],
    "problems": [
        "五、政府信息公开工作存在的主要问题及改进情况",
        "五、存在的主要问题及改进情况",
        "五、存在的问题及改进措施",
        "五、主要问题和改进措施",
    ],
}


@pytest.mark.parametrize(("key", "heading"), [(k, h) for k, hs in OFFICIAL.items() for h in hs])
def test_template_wordings_of_the_headings(key: str, heading: str) -> None:
    assert heading_key(heading) == key


@pytest.mark.parametrize("line", ["（一）主要问题", "问题", "行政复议", "改进措施：一是加强培训。"])
def test_parts_of_a_section_are_not_headings(line: str) -> None:
    assert heading_key(line) is None


@pytest.mark.parametrize("seed", range(4))
def test_a_report_with_template_headings_has_every_section(seed: int) -> None:
    report = generate(random.Random(seed))
    text = render(report, "pipe").decode("utf-8")
    for key, wordings in OFFICIAL.items():
        text = text.replace(HEADINGS[key], wordings[seed % len(wordings)])
    parsed = parse_document(text.encode("utf-8"), filename="r.txt")
    assert {"review_litigation", "problems"} <= set(parsed.sections)
    assert _cells(parsed.tables) == _cells(report.tables)


def test_a_report_before_2019_says_its_forms_are_not_mapped() -> None:
    text = (
        "某市人民政府2017年政府信息公开工作年度报告\n一、概述\n2017年，我市认真贯彻《条例》。\n"
        "二、主动公开政府信息情况\n全年主动公开政府信息5928条。\n三、依申请公开政府信息情况\n全年受理申请120件。\n"
        "六、政府信息公开工作存在的主要问题及改进措施\n一是公开内容有待深化。\n"
    )
    report = parse_document(text.encode("utf-8"), filename="r.txt")
    assert report.year == 2017 and report.tables == {}
    assert "a 2017 report: the forms before 2019 are not mapped (no canonical tables)" in report.problems


TAIWAN_LAYOUTS = ("pipe", "tsv", "html_grid", "html_messy", "run_together", "bar_cells", "md_fragmented", "one_line")


def _document(seed: int, layouts: tuple[str, ...]) -> tuple[GeneratedReport, str, str]:
    rng = random.Random(seed)
    layout = layouts[seed % len(layouts)]
    damaged = layout not in ("pipe", "tsv", "html_grid", "html_messy")
    report = generate(rng, blanks=True, table_format="2019" if seed % 3 == 0 and not damaged else "2021")
    text = render_damaged(report, layout, rng) if damaged else render(report, layout).decode("utf-8")
    return report, text, "r.html" if layout.startswith("html") else "r.txt"


@pytest.mark.parametrize("seed", range(16))
def test_text_through_a_taiwan_phrase_converter_reads_as_its_original(seed: int) -> None:
    _, text, name = _document(seed, TAIWAN_LAYOUTS)
    converted = opencc.OpenCC("s2twp").convert(text)
    assert "資訊" in converted  # the conversion changed words, not only characters
    original = parse_document(text.encode("utf-8"), filename=name)
    parsed = parse_document(converted.encode("utf-8"), filename=name)
    assert _cells(parsed.tables) == _cells(original.tables)
    assert set(parsed.sections) == set(original.sections)
    assert (parsed.agency, parsed.year, parsed.format) == (original.agency, original.year, original.format)


def test_taiwan_phrased_titles_and_pages_are_found_as_reports() -> None:
    convert = opencc.OpenCC("s2twp").convert
    assert classify_title(convert("武汉市生态环境局2020年政府信息公开工作年度报告")) == "report"
    body = convert("一、总体情况\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n")
    assert "資訊" in body and carries_report_body(body)


_SHORT_LABELS = sorted({*PROACTIVE_2019_LABELS.values(), *PROACTIVE_LABELS.values()}, key=len, reverse=True)


@pytest.mark.parametrize("seed", range(8))
def test_a_short_label_followed_by_its_remark_is_still_its_row(seed: int) -> None:
    report = generate(random.Random(seed), blanks=True, table_format="2019" if seed % 2 else "2021")
    text = render(report, ("pipe", "tsv")[seed % 2]).decode("utf-8")
    remarked = re.sub(
        "(^|[|\t] ?)(" + "|".join(map(re.escape, _SHORT_LABELS)) + ")(?= ?[|\t])",
        lambda m: f"{m.group(1)}{m.group(2)}（注：设区的市、自治州人民政府应提供相关数据）",
        text,
        flags=re.M,
    )
    assert remarked.count("（注：") >= 5
    parsed = parse_document(remarked.encode("utf-8"), filename="r.txt")
    truth, got = _cells(report.tables), _cells(parsed.tables)
    assert {k: (v, got.get(k, "missing")) for k, v in truth.items() if got.get(k, "missing") != v} == {}


def test_a_title_without_agency_takes_the_agency_on_the_line_above() -> None:
    report = generate(random.Random(5))
    text = render(report, "pipe").decode("utf-8")
    title, rest = text.split("\n", 1)
    assert title == report.title and title.startswith(report.agency)
    split = f"{report.agency}\n政府信息公开工作年度报告\n{rest}"
    parsed = parse_document(split.encode("utf-8"), filename="r.txt")
    assert parsed.agency == report.agency
    assert parsed.title == f"{report.agency}政府信息公开工作年度报告"


@pytest.mark.parametrize("seed", range(8))
def test_toneless_pinyin_after_characters_is_ignored(seed: int) -> None:
    """Scraper-mirror pages print pinyin after characters, toneless and often doubled: 政(zheng)(zheng)府(fu)."""
    _, text, name = _document(seed, ("pipe", "tsv", "run_together", "one_line"))
    rng = random.Random(seed)
    syllables = ("zheng", "fu", "gong", "kai", "xin", "xi", "ge", "he", "a")
    spun = re.sub(
        r"[\u4e00-\u9fff]",
        lambda m: m.group() + f"({rng.choice(syllables)})" * rng.choice((0, 0, 1, 2)),
        text,
    )
    assert spun.count("(") > text.count("(") + 100
    original = parse_document(text.encode("utf-8"), filename=name)
    parsed = parse_document(spun.encode("utf-8"), filename=name)
    assert _cells(parsed.tables) == _cells(original.tables)
    assert set(parsed.sections) == set(original.sections)
    assert (parsed.agency, parsed.year) == (original.agency, original.year)


def test_a_title_wrapped_inside_its_words_is_joined() -> None:
    report = generate(random.Random(7))
    text = render(report, "pipe").decode("utf-8")
    title, rest = text.split("\n", 1)
    cut = title.index("工作年度报告")
    parsed = parse_document(f"{title[:cut]}\n{title[cut:]}\n{rest}".encode(), filename="r.txt")
    assert (parsed.title, parsed.agency) == (report.title, report.agency)
