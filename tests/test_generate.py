"""The report generator: truth that obeys the rules (except the one broken on purpose) and valid layouts."""

from __future__ import annotations

import io
import random
import re

import docx
import pdfplumber
import pytest
from lxml import html

from xxgk.generate import LAYOUTS, generate, grid, render, render_body
from xxgk.model import Region
from xxgk.schema import DECISIONS_2021, SECTIONS, TABLE_ROWS, TABLE_ROWS_2019

APPLICANTS = ["natural_person", "commercial", "research", "social", "legal", "other_org"]
RESULTS = [
    "granted",
    "partially_granted",
    *(f"denied.{k}" for k in ("state_secret", "prohibited_by_law", "security_stability", "third_party")),
    *(f"denied.{k}" for k in ("internal_affairs", "process_info", "enforcement_files", "query_matters")),
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.unclear",
    *(f"not_processed.{k}" for k in ("petition", "repeated", "publication", "excessive", "confirm")),
    "other.no_correction",
    "other.no_fee",
    "other.other",
]


def _sum_if_filled(values):
    return None if any(v is None for v in values) else sum(values)


def _mismatch(left, right):
    a, b = _sum_if_filled(left), _sum_if_filled(right)
    return a is not None and b is not None and a != b


def independent_failures(tables, title_year: int, text_year: int) -> set[int]:
    """The spec's rules 1–6, written out again for the test (comparisons with a blank cell are skipped)."""
    req = {key.removeprefix("requests."): cols for key, cols in tables.items() if key.startswith("requests.")}
    results = RESULTS if "other_2019" not in req else [*RESULTS[:-3], "other_2019"]
    failed = set()
    for col in [*APPLICANTS, "total"]:
        new, old, total, forward = (req[k][col] for k in ("new", "carried_over", "total", "carried_forward"))
        if _mismatch([new, old], [total, forward]):
            failed.add(1)
        if _mismatch([total], [req[k][col] for k in results]):
            failed.add(2)
    if any(_mismatch([cols["total"]], [cols[c] for c in APPLICANTS]) for cols in req.values()):
        failed.add(3)
    for group in ("review", "litigation_direct", "litigation_after_review"):
        g = tables[group]
        if _mismatch([g["total"]], [g["upheld"], g["corrected"], g["other"], g["pending"]]):
            failed.add(4)
    for cols in tables.values():
        for col, value in cols.items():
            if value is None:
                continue
            decimal = col in ("amount_10k_yuan", "amount_yuan")
            if (value < 0 and col != "change") or (not decimal and value != int(value)):
                failed.add(5)
    if title_year != text_year:
        failed.add(6)
    return failed


def _text_year(report) -> int:
    """The reporting year the overview states first."""
    return int(re.search(r"(\d{4})\s*年", report.sections["overview"]).group(1))


@pytest.mark.parametrize("table_format", ["2021", "2019", "hybrid"])
@pytest.mark.parametrize("blanks", [False, True])
@pytest.mark.parametrize("violate", [None, 1, 2, 3, 4, 5, 6])
def test_truth_breaks_exactly_the_requested_rule(violate, blanks, table_format):
    rng = random.Random(f"{violate}-{blanks}" + ("" if table_format == "2021" else f"-{table_format}"))
    for _ in range(150):
        report = generate(rng, violate=violate, blanks=blanks, table_format=table_format)
        expected = {violate} if violate else set()
        assert set(report.violated) == expected
        assert report.violated == sorted(report.violated)
        assert independent_failures(report.tables, report.year, _text_year(report)) == expected


def test_tables_have_every_cell_and_realistic_values():
    rng = random.Random(7)
    reports = [generate(rng) for _ in range(400)]
    for report in reports:
        assert {k: tuple(v) for k, v in report.tables.items()} == TABLE_ROWS
        assert all(v is not None for cols in report.tables.values() for v in cols.values())
        fee = report.tables["proactive.fees"]["amount_10k_yuan"]
        assert fee >= 0 and round(fee, 4) == fee
    totals = [r.tables["requests.new"]["total"] for r in reports]
    assert sum(t == 0 for t in totals) > 40, "many reports (townships) receive no requests"
    assert max(totals) > 150, "some reports are big"
    assert any(
        r.tables["proactive.fees"]["amount_10k_yuan"] != int(r.tables["proactive.fees"]["amount_10k_yuan"])
        for r in reports
    )


def test_2019_format_tables_have_their_own_rows_and_realistic_values():
    rng = random.Random(19)
    reports = [generate(rng, table_format="2019") for _ in range(300)]
    for report in reports:
        assert report.format == "2019" and report.year in (2019, 2020)
        assert {k: tuple(v) for k, v in report.tables.items()} == TABLE_ROWS_2019
        for old, new in DECISIONS_2021.items():
            assert report.tables[new]["decisions"] == report.tables[old]["decisions"]
        docs = report.tables["proactive_2019.normative_documents"]
        assert docs["published"] <= docs["made"] and docs["published"] <= docs["total_public"]
    changes = [cols["change"] for r in reports for cols in r.tables.values() if "change" in cols]
    changes = [c for c in changes if c is not None]
    assert min(changes) < 0 < max(changes), "本年增/减 goes both ways"
    amounts = [r.tables["proactive_2019.procurement"]["amount_yuan"] for r in reports]
    assert any(isinstance(a, float) and not a.is_integer() for a in amounts) and 0 in amounts
    with pytest.raises(ValueError):
        generate(random.Random(1), table_format="2018")


@pytest.mark.parametrize("layout", ["html_grid", "html_messy"])
def test_2019_html_layouts_have_the_old_grid(layout):
    report = generate(random.Random(6), table_format="2019", blanks=True)
    doc, tables = _data_tables(render(report, layout))
    assert [len(t.findall(".//tr")) for t in tables] == [18, 26, 4]
    second = tables[1].findall(".//tr")
    assert second[5].findall("td")[0].get("rowspan") == "20"
    text = doc.text_content()
    assert (
        "本年新制作数量" in text
        and "其他对外管理服务事项" in text
        and "（六）其他处理" in text.replace("(六) ", "（六）")
    )
    assert "申请人无正当理由逾期不补正" not in text


def test_blanks_leave_cells_unfilled():
    rng = random.Random(3)
    reports = [generate(rng, blanks=True) for _ in range(50)]
    assert all(any(v is None for cols in r.tables.values() for v in cols.values()) for r in reports)


def test_metadata_is_consistent():
    rng = random.Random(11)
    levels = set()
    for _ in range(300):
        report = generate(rng)
        levels.add(report.agency_level)
        assert str(report.year) in report.title and report.agency in report.title
        assert report.published[:4] == str(report.year + 1)
        assert report.region.province and re.fullmatch(r"\d{6}", report.region.code)
        if report.agency_level == "township":
            assert re.search(r"(镇|乡|街道)(人民政府|办事处)?$", report.agency)
        if report.agency_level == "department":
            assert report.agency.endswith(("局", "委员会"))
        assert set(report.sections) | {"preamble"} == set(SECTIONS)
        received = report.tables["requests.new"]["total"]
        overview = report.sections["overview"]
        assert f"共收到政府信息公开申请{received}件" in overview or (received == 0 and "未收到" in overview)
        assert 300 < len(report.text()) < 6000
    assert {"township", "county", "department", "city"} <= levels


def test_fixed_year_agency_region():
    region = Region(province="河南省", city="安阳市", county="滑县", code="410526")
    report = generate(random.Random(1), year=2022, agency="牛屯镇人民政府", region=region)
    assert (report.year, report.agency, report.agency_level, report.region) == (
        2022,
        "牛屯镇人民政府",
        "township",
        region,
    )
    with pytest.raises(ValueError):
        generate(random.Random(1), violate=7)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_render_is_deterministic(layout):
    a = render(generate(random.Random(42), blanks=True), layout)
    b = render(generate(random.Random(42), blanks=True), layout)
    assert a == b and len(a) > 2000


def _data_tables(page: bytes):
    doc = html.fromstring(page)
    return doc, [t for t in doc.iter("table") if "xxgk-info" not in (t.get("class") or "")]


@pytest.mark.parametrize("layout", ["html_grid", "html_messy"])
def test_html_layouts_have_the_official_grid(layout):
    rng = random.Random(5)
    for _ in range(20):
        report = generate(rng, blanks=True)
        doc, tables = _data_tables(render(report, layout))
        assert [len(t.findall(".//tr")) for t in tables] == [14, 28, 4]
        assert doc.xpath("//meta[@name='ArticleTitle']/@content") == [report.title]
        assert doc.xpath("//meta[@name='ContentSource']/@content") == [report.agency]
        assert re.fullmatch(r"\d{10}", doc.xpath("//meta[@name='SiteIDCode']/@content")[0])
        assert "发布机构" in doc.text_content() and "索引号" in doc.text_content()
        second = tables[1].findall(".//tr")
        assert second[0].findall("td")[0].get("rowspan") == "3" and second[0].findall("td")[1].get("colspan") == "7"
        assert second[5].findall("td")[0].get("rowspan") == "22"
        third = tables[2].findall(".//tr")
        assert [td.get("colspan") for td in third[0].findall("td")][:2] == ["5", "10"]


def test_gbk_page_declares_and_uses_gbk():
    report = generate(random.Random(9))
    data = render(report, "html_grid", charset="gbk")
    text = data.decode("gbk")
    assert 'charset="gbk"' in text and report.title in text
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_render_body_is_a_fragment():
    report = generate(random.Random(4))
    fragment = render_body(report, "html_grid")
    assert "<html" not in fragment and report.title in fragment and fragment.count("<table") >= 3
    with pytest.raises(ValueError):
        render_body(report, "pdf")
    with pytest.raises(ValueError):
        render(report, "rtf")


def test_text_layouts():
    report = generate(random.Random(8), blanks=True)
    tsv = render(report, "tsv").decode("utf-8")
    assert report.title in tsv and "\t" in tsv
    pipe = render(report, "pipe").decode("utf-8").splitlines()
    cells = [line for line in pipe if line.endswith(" |")]
    assert len(cells) > 200 and all(line != " |" for line in cells), "blank cells carry a marker in pipe text"


def test_pdf_has_extractable_chinese_and_ruled_tables():
    report = generate(random.Random(12))
    with pdfplumber.open(io.BytesIO(render(report, "pdf"))) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
        tables = [t for page in pdf.pages for t in page.extract_tables()]
    assert report.agency in text and "本年新收政府信息公开申请数量" in text
    assert len(tables) >= 3


def test_docx_has_three_merged_tables():
    report = generate(random.Random(13))
    document = docx.Document(io.BytesIO(render(report, "docx")))
    assert len(document.tables) == 3
    second = document.tables[1]
    assert (len(second.rows), len(second.columns)) == (28, 10)
    first_row = [c.text for c in second.rows[0].cells]
    assert first_row[3:] == ["申请人情况"] * 7, "申请人情况 is merged across the seven number columns"
    assert report.agency in "\n".join(p.text for p in document.paragraphs)


def test_grids_cover_every_position_once():
    style = grid.pick_style(random.Random(0))
    report = generate(random.Random(14))
    shapes = [(14, 4), (28, 10), (4, 15)]
    for table, (rows, cols) in zip(grid.grids(report.tables, style, random.Random(1)), shapes, strict=True):
        assert sum(c.rowspan * c.colspan for row in table for c in row) == rows * cols
        full = grid.expand(table)
        assert len(full) == rows and {len(r) for r in full} == {cols}
        assert sum(c is not None for r in full for c in r) == sum(len(r) for r in table)
        assert sum(c.value for row in table for c in row) == {4: 10, 10: 175, 15: 15}[cols]


def test_tsv_keeps_blank_cells_in_place():
    """Blank cells stay positional in tab-separated text: 10 fields per Table 2 row, or one cell per line."""
    rng = random.Random(15)
    for _ in range(40):
        report = generate(rng, blanks=True)
        lines = render(report, "tsv").decode("utf-8").split("\n")
        at = next(i for i, line in enumerate(lines) if "本年新收政府信息公开申请数量" in line)
        fields = lines[at].split("\t")
        if len(fields) > 2:
            assert len(fields) == 10
            values = fields[3:]
        else:
            values = [line.removeprefix("\t") for line in lines[at + 1 : at + 8]]
            assert all(line.startswith("\t") for line in lines[at + 1 : at + 8])
        want = report.tables["requests.new"]
        for text, col in zip(values, want, strict=True):
            assert (want[col] is None) == (text in grid.BLANK_MARKERS)
