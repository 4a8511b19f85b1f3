"""Report pages of the demo portal's CMS templates: the whole report body, and nothing but it, is extracted.

The templates wrap each report in breadcrumbs, an info block (索引号/发布机构/成文日期…), navigation and a
footer; trafilatura alone loses headings and prose on them, so this checks every HTML report page served.
"""

from __future__ import annotations

import re
import urllib.request

import lxml.html
import pytest

from xxgk.extract.html import extract_html
from xxgk.parse import parse_document
from xxgk.portal import DemoPortal

INFO_FIELDS = ("索引号", "发布机构", "成文日期", "发布日期")
FURNITURE = ("当前位置", "首页", "主办", "【打印】", "发布时间")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pages():
    """(url, site name, the page's visible text, truth, parsed report) for every HTML report page of the portal."""
    out = []
    with DemoPortal(faults=False) as portal:
        for url, truth in portal.truth.items():
            if not url.endswith(".html"):
                continue
            with urllib.request.urlopen(url) as response:
                data, content_type = response.read(), response.headers["Content-Type"]
            site = portal.site_of(url).name
            visible = lxml.html.document_fromstring(data.decode("gbk" if site == "trs" else "utf-8")).text_content()
            out.append((url, site, visible, truth, parse_document(data, url=url, content_type=content_type)))
    return out


def test_pages_cover_both_templates(pages):
    sites = {site for _, site, *_ in pages}
    assert sites == {"trs", "hanweb", "jpage", "json"}  # attach serves files only
    assert len(pages) >= 20


def test_title_agency_year_and_tables(pages):
    for url, _, _, truth, parsed in pages:
        assert (parsed.title, parsed.agency, parsed.year) == (truth.title, truth.agency, truth.year), url
        assert parsed.tables == truth.tables, url


def test_every_section_is_found_with_its_prose(pages):
    for url, _, visible, truth, parsed in pages:
        assert set(parsed.sections) == set(truth.sections), url
        for key, prose in truth.sections.items():
            start = squeeze(prose)[:20]
            if start:  # some sections are a heading with no prose (a table follows)
                assert start in squeeze(visible), url  # the page really carries this prose
                assert start in squeeze(parsed.sections[key]), f"{url} {key}"


def test_info_block_and_page_furniture_stay_out_of_the_body(pages):
    for url, _, visible, _, parsed in pages:
        assert any(field in visible for field in INFO_FIELDS), url
        preamble = parsed.sections.get("preamble", "")
        for word in INFO_FIELDS:
            assert word not in preamble, url
            assert word not in parsed.text, url
        for word in FURNITURE:
            assert word not in parsed.text, f"{url} {word}"


def test_a_data_table_with_info_field_columns_is_kept():
    page = """<html><body><div class="nav"><a href="/">首页</a></div><div id="content">
    <ul class="info"><li>索引号：123/2024-001</li><li>发布机构：某县人民政府</li></ul>
    <p>本年度制发的规范性文件如下：</p>
    <table><tr><td>文号</td><td>发布日期</td></tr><tr><td>某政发〔2024〕1号</td><td>2024-01-05</td></tr>
    <tr><td>某政发〔2024〕2号</td><td>2024-03-09</td></tr></table>
    <p>以上文件均已公开。</p></div></body></html>"""
    doc = extract_html(page.encode("utf-8"), "text/html; charset=utf-8")
    assert doc.tables == [
        [["文号", "发布日期"], ["某政发〔2024〕1号", "2024-01-05"], ["某政发〔2024〕2号", "2024-03-09"]]
    ]
    assert doc.metadata["索引号"] == "123/2024-001" and doc.metadata["发布机构"] == "某县人民政府"
    assert "索引号" not in doc.text and "发布机构" not in doc.text


def test_headings_trafilatura_drops_are_read_from_the_report_container():
    paragraphs = "".join(
        f"<p>第{n}段正文，内容较长以便被识别为正文，记录本机关的工作情况和具体做法。</p>" for n in range(8)
    )
    page = f"""<html><body><div class="top"><a href="/">首页</a> &gt; <a href="/x/">年报</a></div>
    <div class="article"><h1>某县2024年政府信息公开工作年度报告</h1><div id="zoom">
    <h3>一、总体情况</h3>{paragraphs}<h3>二、主动公开政府信息情况</h3><p>详见下表。</p>
    <table><tr><td>信息内容</td><td>本年制发件数</td></tr><tr><td>规章</td><td>3</td></tr></table>
    <h3>三、收到和处理政府信息公开申请情况</h3><p>详见下表。</p>{paragraphs}</div></div>
    <div class="foot">主办：某县人民政府</div></body></html>"""
    text = extract_html(page.encode("utf-8"), "text/html; charset=utf-8").text
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"):
        assert heading in text
    assert text.count("详见下表。") == 2
    assert "主办" not in text and "首页" not in text
