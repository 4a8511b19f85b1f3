"""Extraction from HTML, PDF and DOCX, and bad input: every failure is a clear error or a reported problem."""

from __future__ import annotations

import io
import itertools
import random

import docx
import pypdfium2 as pdfium
import pytest
from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges
from pdfplumber.utils import extract_text
from pdfplumber.utils.text import chars_to_textmap
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from xxgk.errors import UnreadableDocument
from xxgk.extract import extract, sniff
from xxgk.extract.pdf import lattice
from xxgk.extract.pdf import reader as pdf_reader
from xxgk.extract.pdf import text as pdf_text
from xxgk.generate import generate
from xxgk.generate import render as render_layout
from xxgk.generate.pdf import tsv_pdf
from xxgk.parse import parse_document

HAND_MADE = """<!DOCTYPE html>
<html><head><meta charset="{charset}">
<title>某某县人民政府2024年政府信息公开工作年度报告_某某县人民政府网</title>
<meta name="ArticleTitle" content="某某县人民政府2024年政府信息公开工作年度报告">
<meta name="PubDate" content="2025-01-21 09:30">
<meta name="ContentSource" content="某某县人民政府办公室">
<meta name="SiteName" content="某某县人民政府网">
<meta name="SiteIDCode" content="4107810001">
</head><body>
<div class="nav"><a href="/">首页</a> | <a href="/xxgk">信息公开</a></div>
<div class="article">
<table class="info"><tr><td>索引号：</td><td>11410781/2025-00012</td><td>发布机构：</td><td>卫辉市人民政府</td></tr>
<tr><td>成文日期：</td><td>2025-01-20</td><td>发布日期：</td><td>2025-01-21</td></tr></table>
<h1>某某县人民政府2024年政府信息公开工作年度报告</h1>
<p>一、总体情况</p><p>2024年，我县持续推进政务公开，全年共受理政府信息公开申请7件。</p>
<p>二、主动公开政府信息情况</p>
<table border="1">
<tr><td colspan="4">第二十条第（一）项</td></tr>
<tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>
<tr><td>规章</td><td><p><span>1</span></p></td><td>&nbsp;</td><td>4</td></tr>
<tr><td>行政规范性文件</td><td>0</td><td>0</td><td>0</td></tr>
<tr><td colspan="4">第二十条第（五）项</td></tr>
<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
<tr><td>行政许可</td><td colspan="3">12</td></tr>
<tr><td>行政处罚</td><td colspan="3">3</td></tr>
<tr><td>行政强制</td><td colspan="3">0</td></tr>
<tr><td>行政事业性收费</td><td colspan="3">0.0000</td></tr>
</table>
<p>三、收到和处理政府信息公开申请情况</p>
<table border="1">
<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>
<td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
{rows}
</table>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<table border="1">
<tr><td colspan="5">行政复议</td><td colspan="10">行政诉讼</td></tr>
<tr><td rowspan="2">结果维持</td><td rowspan="2">结果纠正</td><td rowspan="2">其他结果</td><td rowspan="2">尚未审结</td>
<td rowspan="2">总计</td><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr>
<tr>{review_head}</tr>
<tr>{review}</tr>
</table>
<p>五、存在的主要问题及改进情况</p><p>公开质量有待提高。</p>
<p>六、其他需要报告的事项</p><p>无。</p>
</div>
<div class="footer">版权所有：某某县人民政府 网站标识码4107810001</div>
</body></html>"""

REQUEST_LAYOUT = [
    ("一、本年新收政府信息公开申请数量", None, None, "requests.new"),
    ("二、上年结转政府信息公开申请数量", None, None, "requests.carried_over"),
    ("三、本年度办理结果", "（一）予以公开", None, "requests.granted"),
    (None, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", None, "requests.partially_granted"),
    (None, "（三）不予公开", "1.属于国家秘密", "requests.denied.state_secret"),
    (None, None, "2.其他法律行政法规禁止公开", "requests.denied.prohibited_by_law"),
    (None, None, "3.危及“三安全一稳定”", "requests.denied.security_stability"),
    (None, None, "4.保护第三方合法权益", "requests.denied.third_party"),
    (None, None, "5.属于三类内部事务信息", "requests.denied.internal_affairs"),
    (None, None, "6.属于四类过程性信息", "requests.denied.process_info"),
    (None, None, "7.属于行政执法案卷", "requests.denied.enforcement_files"),
    (None, None, "8.属于行政查询事项", "requests.denied.query_matters"),
    (None, "（四）无法提供", "1.本机关不掌握相关政府信息", "requests.unavailable.not_held"),
    (None, None, "2.没有现成信息需要另行制作", "requests.unavailable.needs_creation"),
    (None, None, "3.补正后申请内容仍不明确", "requests.unavailable.unclear"),
    (None, "（五）不予处理", "1.信访举报投诉类申请", "requests.not_processed.petition"),
    (None, None, "2.重复申请", "requests.not_processed.repeated"),
    (None, None, "3.要求提供公开出版物", "requests.not_processed.publication"),
    (None, None, "4.无正当理由大量反复申请", "requests.not_processed.excessive"),
    (None, None, "5.要求行政机关确认或重新出具已获取信息", "requests.not_processed.confirm"),
    (
        None,
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "requests.other.no_correction",
    ),
    (None, None, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "requests.other.no_fee"),
    (None, None, "3.其他", "requests.other.other"),
    (None, "（七）总计", None, "requests.total"),
    ("四、结转下年度继续办理", None, None, "requests.carried_forward"),
]
SPANS = {
    "三、本年度办理结果": 'rowspan="22"',
    "（三）不予公开": 'rowspan="8"',
    "（四）无法提供": 'rowspan="3"',
    "（五）不予处理": 'rowspan="5"',
    "（六）其他处理": 'rowspan="3"',
}


def hand_made_page(tsv, charset: str = "utf-8", *, blank: str = "&nbsp;") -> str:
    values = tsv.consistent()
    values["requests.granted"][1] = ""  # a blank cell inside the grid
    rows = []
    for top, mid, low, key in REQUEST_LAYOUT:
        cells = []
        if top:
            span = 'colspan="3"' if mid is None else SPANS[top]
            cells.append(f"<td {span}>{top}</td>")
        if mid:
            span = 'colspan="2"' if low is None else SPANS[mid]
            cells.append(f"<td {span}>{mid}</td>")
        if low:
            cells.append(f"<td>{low}</td>")
        cells += [f"<td>{v or blank}</td>" for v in values[key]]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<td>{h}</td>" for h in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)
    review = "".join(
        f"<td>{v}</td>" for v in values["review"] + values["litigation_direct"] + values["litigation_after_review"]
    )
    return HAND_MADE.format(charset=charset, rows="\n".join(rows), review_head=head, review=review)


def test_html_grid_expansion_and_metadata(tsv) -> None:
    doc = extract(hand_made_page(tsv).encode("utf-8"), content_type="text/html")
    assert doc.source_type == "html"
    assert doc.metadata["SiteIDCode"] == "4107810001"
    assert doc.metadata["发布机构"] == "卫辉市人民政府"
    table2 = next(g for g in doc.tables if any("予以公开" in (c or "") for row in g for c in row))
    granted = next(row for row in table2 if "（一）予以公开" in row)
    # rowspan label covered, colspan covered, then 7 value slots with the blank kept as "".
    assert granted[:3] == ["三、本年度办理结果", "（一）予以公开", None]
    assert granted[3:] == ["5", "", "0", "0", "0", "0", "7"]
    secret = next(row for row in table2 if "1.属于国家秘密" in row)
    assert secret[:3] == [None, "（三）不予公开", "1.属于国家秘密"]
    assert all(len(row) == 10 for row in table2)
    assert "首页" not in doc.text  # navigation removed by trafilatura


def test_html_report(tsv) -> None:
    report = parse_document(hand_made_page(tsv).encode("utf-8"), url="http://127.0.0.1/a.html")
    assert report.source_type == "html"
    assert report.title == "某某县人民政府2024年政府信息公开工作年度报告"
    assert report.agency == "某某县人民政府" and report.agency_level == "county"
    assert report.published == "2025-01-21"
    assert report.region.code == "410781" and report.region.county == "卫辉市"
    assert report.tables["proactive.regulations"] == {"issued": 1, "repealed": None, "in_force": 4}
    assert report.tables["proactive.licensing"]["decisions"] == 12
    assert report.tables["proactive.fees"]["amount_10k_yuan"] == 0.0
    assert report.tables["requests.granted"]["commercial"] is None
    assert report.tables["requests.granted"]["natural_person"] == 5
    assert report.tables["review"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert list(report.sections) == ["overview", "proactive", "requests", "review_litigation", "problems", "other"]
    # The blank cell stops rules 2 and 3 for that column/row, without failing them.
    assert report.checks == []
    assert any("requests.granted.commercial" in p for p in report.problems)
    assert len(report.content_hash) == 64 and len(report.id) == 16


@pytest.mark.parametrize("declared", ["utf-8", None, "iso-8859-1"])
def test_gbk_page_with_wrong_or_missing_charset(tsv, declared: str | None) -> None:
    page = hand_made_page(tsv, declared or "utf-8")
    if declared is None:
        page = page.replace('<meta charset="utf-8">', "")
    report = parse_document(page.encode("gbk"))
    assert report.agency == "某某县人民政府"
    assert report.tables["requests.new"]["total"] == 7
    if declared == "utf-8":
        assert any("declared charset utf-8 is wrong" in p for p in report.problems)


def test_truncated_html_reports_missing_rows(tsv) -> None:
    page = hand_made_page(tsv).encode("utf-8")
    cut = page[: page.index("2.没有现成信息".encode())]
    report = parse_document(cut, content_type="text/html")
    assert report.tables["requests.granted"]["natural_person"] == 5
    assert set(report.tables["requests.total"].values()) == {None}
    assert "requests.total: row not found" in report.problems
    assert "Table 3 (review/litigation): not found" in report.problems


def test_html_without_tables() -> None:
    page = (
        "<html><body><h1>某某镇2023年政府信息公开工作年度报告</h1>"
        "<p>一、总体情况</p><p>2023年我镇认真开展工作。</p></body></html>"
    )
    report = parse_document(page.encode("utf-8"))
    assert report.format == "unknown"
    assert "no disclosure tables found" in report.problems


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty document"),
        (b"   \n\t ", "empty document"),
        (bytes(range(256)) * 40, "binary data"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "corrupt .doc"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%garbage" + b"\x00\xff" * 50, "corrupt PDF"),
        (b"PK\x03\x04not really a zip", "corrupt DOCX"),
    ],
)
def test_unreadable_inputs(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableDocument) as err:
        parse_document(data)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


def test_twenty_megabyte_page_is_refused_clearly(tsv) -> None:
    page = hand_made_page(tsv).encode("utf-8")
    big = page + b"<!--" + b"x" * (20 << 20) + b"-->"
    with pytest.raises(UnreadableDocument, match="too large"):
        parse_document(big)


def test_pdf_report(tsv) -> None:
    values = tsv.consistent()
    values["requests.granted"][1] = "/"
    report = parse_document(tsv_pdf(tsv.render(values)), filename="report.pdf")
    assert report.source_type == "pdf"
    assert report.title == "某某县人民政府2024年政府信息公开工作年度报告"
    assert report.tables["requests.new"]["total"] == 7
    assert report.tables["requests.granted"]["commercial"] is None
    assert report.cells_raw["requests.granted.commercial"] == "/"
    assert report.tables["proactive.fees"]["amount_10k_yuan"] == 1.5
    assert report.tables["review"]["upheld"] == 1
    assert list(report.sections)[:2] == ["overview", "proactive"]


def test_encrypted_pdf(tsv) -> None:
    data = tsv_pdf(tsv.render(tsv.consistent()), encrypt=StandardEncryption("secret", ownerPassword="owner"))
    with pytest.raises(UnreadableDocument, match="encrypted"):
        parse_document(data)


def test_pdf_without_text_layer() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 200, 200, fill=1)
    c.save()
    with pytest.raises(UnreadableDocument, match="no text layer"):
        parse_document(buf.getvalue())


def _ruled_pdf(style: str) -> bytes:
    """A 3×3 table whose first row has a cell spanning two columns, ruled with lines, thin filled
    rectangles (as word processors draw borders) or lines inside a form XObject, and a line of text."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("STSong-Light", 10)
    c.drawString(100, 760, "二、主动公开政府信息情况")
    xs, ys = (100, 250, 330, 410), (700, 680, 660, 640)
    segments = [((x, ys[0]), (x, ys[-1])) for x in xs if x != 330]
    segments += [((330, ys[1]), (330, ys[-1]))]  # no border between the two spanned cells of row 1
    segments += [((xs[0], y), (xs[-1], y)) for y in ys]
    if style == "form":
        c.beginForm("borders")
    for (x0, y0), (x1, y1) in segments:
        if style == "rects":
            c.rect(min(x0, x1) - 0.25, min(y0, y1) - 0.25, abs(x1 - x0) + 0.5, abs(y1 - y0) + 0.5, stroke=0, fill=1)
        else:
            c.line(x0, y0, x1, y1)
    if style == "form":
        c.endForm()
        c.doForm("borders")
    c.drawString(105, 686, "信息内容")
    c.drawString(255, 686, "本年处理决定数量")
    c.drawString(105, 666, "行政许可")
    c.drawString(255, 666, "12")
    c.drawString(335, 666, "/")
    c.drawString(105, 646, "行政处罚")
    c.drawString(335, 646, "3")
    c.save()
    return buf.getvalue()


@pytest.mark.parametrize("style", ["lines", "rects", "form"])
def test_pdf_ruled_table_with_merged_cell(style: str) -> None:
    doc = extract(_ruled_pdf(style), filename="t.pdf")
    assert doc.tables == [
        [
            ["信息内容", "本年处理决定数量", None],
            ["行政许可", "12", "/"],
            ["行政处罚", "", "3"],
        ]
    ]
    assert doc.text.splitlines()[0] == "二、主动公开政府信息情况"


def test_pdf_latin_words_keep_their_spaces() -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(100, 700, "Report of the agency, 2024 - 12 cases")
    c.save()
    assert extract(buf.getvalue(), filename="t.pdf").text == "Report of the agency, 2024 - 12 cases"


def test_pdf_chars_know_upright_from_turned_text() -> None:
    """PDFium measures char angles clockwise in [0, 2π): upright text is upright, text turned a quarter
    is not (and is left to pdfplumber's own grouping)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica", 10)
    c.drawString(100, 700, "Upright 2024")
    c.rotate(90)
    c.drawString(300, -200, "Turned")
    c.save()
    pdf = pdfium.PdfDocument(buf.getvalue())
    page = pdf[0]
    chars = pdf_reader.page_chars(page, page.get_height())
    pdf.close()
    upright = "".join(ch["text"] for ch in chars if ch["upright"])
    turned = "".join(ch["text"] for ch in chars if not ch["upright"])
    assert (upright.replace(" ", ""), turned) == ("Upright2024", "Turned")


@pytest.mark.parametrize("seed", range(5))
def test_pdf_cells_match_pdfplumber_lattice(seed: int) -> None:
    """The crossing-to-cell step gives pdfplumber's cells on ruled grids with randomly missing borders."""
    rng = random.Random(seed)
    for _ in range(200):
        xs = sorted(rng.sample(range(0, 400, 10), rng.randint(2, 7)))
        ys = sorted(rng.sample(range(0, 400, 10), rng.randint(2, 7)))
        edges = [
            {"x0": a, "x1": b, "top": y, "bottom": y, "width": b - a, "orientation": "h"}
            for y in ys
            for a, b in itertools.pairwise(xs)
            if rng.random() < 0.8
        ]
        edges += [
            {"x0": x, "x1": x, "top": a, "bottom": b, "height": b - a, "orientation": "v"}
            for x in xs
            for a, b in itertools.pairwise(ys)
            if rng.random() < 0.8
        ]
        crossings = edges_to_intersections(merge_edges(edges, 3, 3, 3, 3), 3, 3)
        assert lattice.cells_from_crossings(crossings) == intersections_to_cells(crossings)


@pytest.mark.parametrize("seed", range(5))
def test_pdf_tables_from_cells_match_pdfplumber(seed: int) -> None:
    """Cells grouped into tables (by shared corners) as pdfplumber's ``cells_to_tables`` groups them, on
    scattered cells of random sizes, one cell at most starting at each crossing as the lattice gives them."""
    rng = random.Random(seed)
    for _ in range(200):
        cells = [
            (10.0 * x, 10.0 * y, 10.0 * (x + rng.randint(1, 2)), 10.0 * (y + rng.randint(1, 2)))
            for x in range(8)
            for y in range(8)
            if rng.random() < 0.3
        ]
        rng.shuffle(cells)
        groups = lattice.group_cells(cells)
        assert [sorted(group) for group in groups] == [sorted(group) for group in cells_to_tables(cells)]


def _random_chars(rng: random.Random) -> list[dict]:
    """Upright chars on a few jittered lines (sometimes chained closer than the line tolerance), with
    spaces, gaps, overlaps and out-of-order runs: the cases pdfplumber's grouping has to decide."""
    chars = []
    for line in range(rng.randint(1, 4)):
        base, x = 12.0 * line + rng.choice([0, 0, 2.5, 5]), rng.uniform(0, 30)
        for _ in range(rng.randint(1, 12)):
            width = rng.choice([5.0, 10.0])
            top = base + rng.choice([0, 0, 0, 1.5, 3.5])
            text = rng.choice("年度报告政务公开 ab12,")
            chars.append({"text": text, "x0": x, "x1": x + width, "top": top, "doctop": top, "bottom": top + 10})
            chars[-1]["upright"] = True
            x += width + rng.choice([0, 0, 0.5, 2.9, 3.5, 8, -7])
    if rng.random() < 0.3:
        rng.shuffle(chars)
    return chars


@pytest.mark.parametrize("seed", range(5))
def test_pdf_text_grouping_matches_pdfplumber(seed: int) -> None:
    """Cell text and page lines written out for upright text equal pdfplumber's own grouping."""
    rng = random.Random(seed)
    for _ in range(300):
        chars = _random_chars(rng)
        assert pdf_text.cell_text(chars) == extract_text(chars)
        textmap = chars_to_textmap(chars, layout=False).extract_text_lines(strip=True, return_chars=False)
        assert pdf_text.page_lines(chars) == [(line["top"], line["text"]) for line in textmap if line["text"]]


def test_docx_report_with_merged_cells(tsv) -> None:
    document = docx.Document()
    values = tsv.consistent()
    text = tsv.render(values)
    table_lines: list[list[str]] = []

    def flush() -> None:
        if not table_lines:
            return
        width = max(map(len, table_lines))
        table = document.add_table(rows=len(table_lines), cols=width)
        for r, cells in enumerate(table_lines):
            for c, cell in enumerate(cells):
                table.cell(r, c).text = cell
            if len(cells) == 2 and width > 2:  # a label and a single value: merge the value across
                table.cell(r, 1).merge(table.cell(r, width - 1))
        table_lines.clear()

    for line in text.splitlines():
        if "\t" in line:
            table_lines.append(line.split("\t"))
        else:
            flush()
            document.add_paragraph(line)
    flush()
    buf = io.BytesIO()
    document.save(buf)
    report = parse_document(buf.getvalue(), filename="r.docx")
    assert report.source_type == "docx"
    assert report.tables["proactive.licensing"]["decisions"] == 0
    assert report.tables["proactive.fees"]["amount_10k_yuan"] == 1.5
    assert report.tables["requests.new"]["natural_person"] == 5
    assert report.checks == [] and report.problems == []


def _python_docx_grids(data: bytes) -> list[list[list[str | None]]]:
    """Reference reading through python-docx's own table API: a cell repeated to the left or above is None."""
    grids = []
    for table in docx.Document(io.BytesIO(data)).tables:
        grid, above = [], []
        for row in table.rows:
            tcs = [cell._tc for cell in row.cells]
            grid.append(
                [
                    None
                    if (i and tc is tcs[i - 1]) or (i < len(above) and tc is above[i])
                    else " ".join(cell.text.split())
                    for i, (tc, cell) in enumerate(zip(tcs, row.cells, strict=True))
                ]
            )
            above = tcs
        grids.append(grid)
    return grids


def test_docx_reading_equals_python_docx_api() -> None:
    """Spans across rows and columns, rows starting late, hyperlinks, tabs and breaks: same as python-docx reads."""
    from docx.enum.text import WD_BREAK
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("年度报告\t正文")
    run = document.add_paragraph("第一行").add_run("续")
    run.add_break()
    run.add_text("第二行")
    run.add_break(WD_BREAK.PAGE)
    table = document.add_table(rows=5, cols=4)
    table.cell(0, 0).merge(table.cell(0, 3))  # across a whole row
    table.cell(1, 1).merge(table.cell(3, 2))  # a block over three rows and two columns
    table.cell(2, 0).merge(table.cell(4, 0))  # down a column
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            if not cell.text:  # a merged cell: named after its first slot
                cell.text = f"r{r}c{c}"
    table.cell(4, 3).add_paragraph("second paragraph")
    link = parse_xml(f'<w:hyperlink {nsdecls("w", "r")} r:id="rId99"><w:r><w:t>链接</w:t></w:r></w:hyperlink>')
    table.cell(4, 2).paragraphs[0]._p.append(link)
    late = document.add_table(rows=2, cols=3)
    for r, row in enumerate(late.rows):
        for c, cell in enumerate(row.cells):
            cell.text = f"L{r}{c}"
    tr = late.rows[1]._tr
    tr.remove(tr.tc_lst[0])  # the second row starts one grid column late
    tr.get_or_add_trPr().append(parse_xml(f'<w:gridBefore {nsdecls("w")} w:val="1"/>'))
    buf = io.BytesIO()
    document.save(buf)
    data = buf.getvalue()

    doc = extract(data)
    assert doc.tables == _python_docx_grids(data)
    assert doc.tables[0][0] == ["r0c0", None, None, None]
    assert doc.tables[0][1] == ["r1c0", "r1c1", None, "r1c3"]
    assert doc.tables[0][2] == ["r2c0", None, None, "r2c3"]  # the block and the column below r2c0 show once
    assert doc.tables[0][4][2:] == ["r4c2链接", "r4c3 second paragraph"]
    assert doc.tables[1] == [["L00", "L01", "L02"], ["L11", "L12"]]
    paragraphs = [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]
    assert doc.blocks[0].text == "\n".join(paragraphs)
    assert "年度报告\t正文" in doc.text and "第一行续\n第二行" in doc.text


def test_docx_generated_reports_read_as_python_docx_reads_them() -> None:
    for seed in range(3):
        data = render_layout(generate(random.Random(seed), blanks=seed == 1), "docx")
        doc = extract(data)
        assert doc.tables == _python_docx_grids(data)
        assert any(None in row for grid in doc.tables for row in grid)  # the generator merges cells


@pytest.mark.parametrize(
    ("head", "content_type", "filename", "kind"),
    [
        (b"%PDF-1.7", None, None, "pdf"),
        (b"<!DOCTYPE html><html>", None, None, "html"),
        (b"plain words", "text/html; charset=gbk", None, "html"),
        (b"plain words", None, "a.txt", "text"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None, "a.pdf", "doc"),
    ],
)
def test_sniff(head: bytes, content_type: str | None, filename: str | None, kind: str) -> None:
    assert sniff(head, content_type, filename) == kind
