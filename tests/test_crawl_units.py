"""Unit tests of the crawler's pure parts: URL identity, report detection, pagination, site configuration."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest
from parsel import Selector

from crawler.canonical import canonical_url, clean_url
from crawler.detect import (
    attachment_extension,
    carries_report_body,
    classify_title,
    filename_of,
    may_link_documents,
)
from crawler.pagination import page_urls
from crawler.sites import ConfigError, load_sites, select

ROOT = Path(__file__).resolve().parents[1]


# -- canonical URLs -------------------------------------------------------------


def test_tracking_parameters_and_fragment_do_not_change_identity():
    plain = "http://www.example.gov.cn/xxgk/ndbg/202401/t20240115_3271106.html"
    tracked = plain + "?utm_source=wechat&utm_medium=share&from=timeline&spm=a.b.c#top"
    assert canonical_url(tracked) == canonical_url(plain)
    assert clean_url(tracked) == plain


def test_meaningful_query_is_kept_in_order_for_requests_and_sorted_for_identity():
    url = "http://X.gov.cn:80/downfile.jsp?id=3&filename=%E5%B9%B4%E6%8A%A5.pdf&utm_campaign=x"
    assert clean_url(url) == "http://x.gov.cn/downfile.jsp?id=3&filename=%E5%B9%B4%E6%8A%A5.pdf"
    assert canonical_url(url) == "http://x.gov.cn/downfile.jsp?filename=%E5%B9%B4%E6%8A%A5.pdf&id=3"
    assert canonical_url(url) != canonical_url("http://x.gov.cn/downfile.jsp?id=4&filename=a.pdf")


def test_query_without_tracking_parameters_is_left_byte_for_byte():
    url = "http://x.gov.cn/list.jsp?b=a%20b&page=2"
    assert clean_url(url) == url


# -- detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "抚远市人民政府2023年政府信息公开工作年度报告",
        "2022年度政府信息公开工作年度报告",
        "XX区教育局2021年政务公开工作年度报告",
        "政府信息公开年度报告（二〇二三年）",
        "2020年 政府信息 公开年报",
        "撫遠市人民政府2023年政府信息公開工作年度報告",
        "2022年度政務公開工作年報",
        "2023年度政府信息公开工作报告",
        "２０２３年政府信息公开工作年度报告",
        "某某区人民政府2023年政府信息公开工作年...",
        "某某街道办事处2022年度政务公开工作年度报…",
    ],
)
def test_report_titles(title):
    assert classify_title(title) == "report"


@pytest.mark.parametrize(
    "title",
    [
        "抚远市人民政府信息公开指南（2024年修订）",
        "抚远市财政局2024年部门预算公开",
        "关于做好2023年政府信息公开工作年度报告编制发布工作的通知",
        "关于开展2023年度企业年度报告公示工作的通知",
        "2024年政务公开工作要点",
        "抚远市人民政府关于2023年度法治政府建设情况的报告",
        "2023年部门决算",
        "《抚远市人民政府2023年政府信息公开工作年度报告》解读",
        "图解：2023年政府信息公开工作年度报告",
        "一图读懂2023年政务公开工作年度报告",
        "《2023年政府信息公開工作年度報告》解讀",
        "撫遠市2024年部門預算",
        "2023年政府工作报告",
        "２０２３年政府信息公开指南",
        "某某区人民政府2023年政府信息公开工作要...",
        "某某区人民政府2023年政府信息公开工作...",
        "关于2023年政府信息公开...",
    ],
)
def test_non_report_titles(title):
    assert classify_title(title) is None


def test_column_link_without_year_is_a_column():
    assert classify_title("政府信息公开年报") == "column"
    assert classify_title("政府信息公开工作年度报告") == "column"


@pytest.mark.parametrize(
    ("url", "ext"),
    [
        ("http://x.gov.cn/xxgk/P020240115123456.pdf", "pdf"),
        ("http://x.gov.cn/a/report.DOCX", "docx"),
        ("http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=2301151234.pdf", "pdf"),
        ("http://x.gov.cn/downfile.jsp?filename=%E5%B9%B4%E6%8A%A5.doc", "doc"),
        ("http://x.gov.cn/art/2024/1/20/art_1229_5678.html", None),
        ("http://x.gov.cn/list.jsp?filename=a.pdf", None),  # not a download endpoint
    ],
)
def test_attachment_extension(url, ext):
    assert attachment_extension(url) == ext


@pytest.mark.parametrize("dot", [".", "%2E", "&#46;", "&#x2e;"])
def test_a_page_linking_a_document_is_never_ruled_out_before_parsing(dot):
    for href in ("/xxgk/P020240115123456.pdf", "/a/report.DOCX", "/module/download/downfile.jsp?filename=2301.wps"):
        page = f'<html><body><a href="{href.replace(".", dot)}">附件</a></body></html>'
        link = lxml.html.fromstring(page).xpath("//a/@href")[0]
        assert attachment_extension(urljoin("http://x.gov.cn/", link)) is not None  # what the spider would find
        assert may_link_documents(page)
    assert not may_link_documents('<a href="/art/2024/1/20/art_1229_5678.html">2023年年度报告</a><p>pdfs docs</p>')


def test_filename_from_disposition_then_url():
    url = "http://x.gov.cn/downfile.jsp?classid=0&filename=2301.pdf"
    assert filename_of(url, "attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf") == "年报.pdf"
    assert filename_of(url, 'attachment; filename="a b.docx"') == "a b.docx"
    assert filename_of(url, None) == "2301.pdf"
    assert filename_of("http://x.gov.cn/a/P0202401.pdf", None) == "P0202401.pdf"


def test_report_body_needs_several_headings():
    body = "一、总体情况 …… 二、主动公开政府信息情况 …… 三、收到和处理政府信息公开申请情况 ……"
    assert carries_report_body(body)
    assert not carries_report_body("附件：2023年政府信息公开工作年度报告.pdf 一、总体情况")
    assert carries_report_body("一、總體情況 二、主動公開政府信息情況 三、收到和處理政府信息公開申請情況")


# -- pagination ---------------------------------------------------------------------------


def test_trs_create_page_html_literal_and_variables():
    base = "http://x.gov.cn/xxgk/ndbg/index.html"
    html = '<script>createPageHTML(4, 0, "index", "html");</script>'
    assert page_urls(base, Selector(text=html)) == [
        "http://x.gov.cn/xxgk/ndbg/index_1.html",
        "http://x.gov.cn/xxgk/ndbg/index_2.html",
        "http://x.gov.cn/xxgk/ndbg/index_3.html",
    ]
    html = (
        "<script>var countPage = 3;var currentPage = 1;"
        "createPageHTML(countPage, currentPage, 'index', 'shtml');</script>"
    )
    assert page_urls("http://x.gov.cn/c/index_1.shtml", Selector(text=html)) == [
        "http://x.gov.cn/c/index.shtml",
        "http://x.gov.cn/c/index_2.shtml",
    ]


def test_trs_variables_without_semicolons():
    html = """<script>
    var currentPage = 0;//所在页从0开始
    var prevPage = currentPage-1//上一页
    var countPage = 3//共多少页
    createPageHTML(countPage, currentPage, "index", "html");
    </script>"""
    assert page_urls("http://x.gov.cn/c/index.html", Selector(text=html)) == [
        "http://x.gov.cn/c/index_1.html",
        "http://x.gov.cn/c/index_2.html",
    ]


def test_numbered_page_links_in_the_same_directory():
    html = """<div class="fy">第1页/共3页 <b>1</b> <a href="list_2.html">2</a> <a href="list_3.html">3</a>
      <a href="/other/list_9.html">9</a> <a href="./P0202401.pdf">2023年报.pdf</a></div>"""
    assert page_urls("http://x.gov.cn/zfxxgk/ndbg/list_1.html", Selector(text=html)) == [
        "http://x.gov.cn/zfxxgk/ndbg/list_2.html",
        "http://x.gov.cn/zfxxgk/ndbg/list_3.html",
    ]


def test_trs_new_signature_with_element_id():
    html = "<script>createPageHTML('page_div', 3, 0, 'index', 'html', 27);</script>"
    assert page_urls("http://x.gov.cn/l/index.html", Selector(text=html)) == [
        "http://x.gov.cn/l/index_1.html",
        "http://x.gov.cn/l/index_2.html",
    ]


def test_next_links_and_page_parameters():
    html = """<div class="page"><a href="?page=1">1</a><a href="list.jsp?page=2">2</a>
      <a href="/col/col1229/index.html?uid=1&pageNum=3">3</a> <a href="/other.html?page=4">other</a>
      <a href="index_5.html"> 下一页 </a><a href="javascript:void(0)">下一页</a></div>"""
    got = page_urls("http://x.gov.cn/col/col1229/index.html", Selector(text=html))
    assert got == [
        "http://x.gov.cn/col/col1229/index.html?page=1",
        "http://x.gov.cn/col/col1229/list.jsp?page=2",  # numbered link in the same directory
        "http://x.gov.cn/col/col1229/index.html?uid=1&pageNum=3",
        "http://x.gov.cn/col/col1229/index_5.html",
    ]


def test_page_parameters_spelled_with_underscores_or_dashes():
    html = """<a href="iList.jsp?node_id=GK&cat_id=15971&cur_page=2">第2页</a>
      <a href="iList.jsp?node_id=GK&cat_id=15971&page_no=3">第3页</a><a href="iList.jsp?cat_id=9&sort_no=4">x</a>"""
    got = page_urls("http://x.gov.cn/info/iList.jsp?node_id=GK&cat_id=15971&cur_page=1", Selector(text=html))
    assert got == [
        "http://x.gov.cn/info/iList.jsp?node_id=GK&cat_id=15971&cur_page=2",
        "http://x.gov.cn/info/iList.jsp?node_id=GK&cat_id=15971&page_no=3",
    ]


def test_next_page_hint():
    html = '<div id="pager"><span><a href="p2.html">&gt;&gt;</a></span></div>'
    got = page_urls("http://x.gov.cn/c/p1.html", Selector(text=html), next_hint="#pager span")
    assert got == ["http://x.gov.cn/c/p2.html"]


# -- site configuration -------------------------------------------------------------------


def _config(**site):
    return {"sites": [{"name": "a", "start_urls": ["http://a.gov.cn/ndbg/"], **site}]}


def test_load_expands_placeholders_and_types():
    sites = load_sites(
        {
            "sites": [
                {
                    "name": "demo",
                    "start_urls": ["${DEMO_PORTAL_TRS}/xxgk/ndbg/index.html"],
                    "region": {"province": "黑龙江省", "code": "230883"},
                    "allow": r"/xxgk/",
                    "deny": [r"\.css$"],
                    "hints": {"next_page": "a.next"},
                    "max_pages": 3,
                }
            ]
        },
        env={"DEMO_PORTAL_TRS": "http://127.0.0.1:8123"},
    )
    (site,) = sites
    assert site.start_urls == ("http://127.0.0.1:8123/xxgk/ndbg/index.html",)
    assert site.region.code == "230883" and site.region.province == "黑龙江省"
    assert site.hints.next_page == "a.next" and site.max_pages == 3
    assert site.allows("http://127.0.0.1:8123/xxgk/a.html")
    assert not site.allows("http://127.0.0.1:8123/xxgk/a.css")
    assert not site.allows("http://127.0.0.1:8123/other/a.html")


@pytest.mark.parametrize(
    ("site", "message"),
    [
        ({"start_urls": ["${NOPE}/x"]}, "${NOPE} is not set"),
        ({"start_urls": ["ftp://a/"]}, "not an absolute http(s) URL"),
        ({"start_urls": []}, "start_urls must be a non-empty list"),
        ({"allow": ["("]}, "bad regex"),
        ({"region": {"code": "12"}}, "6-digit"),
        ({"max_pages": 0}, "max_pages"),
        ({"colour": "red"}, "unknown keys"),
        ({"hints": {"foo": "a"}}, "hints may only hold"),
    ],
)
def test_config_errors_are_clear(site, message):
    with pytest.raises(ConfigError, match=None) as info:
        load_sites(_config(**site), env={})
    assert message in str(info.value)


def test_duplicate_names_and_unknown_selection():
    config = {"sites": [_config()["sites"][0], _config()["sites"][0]]}
    with pytest.raises(ConfigError, match="duplicate site names"):
        load_sites(config, env={})
    sites = load_sites(_config(), env={})
    with pytest.raises(ConfigError, match="unknown site"):
        select(sites, ["b"])
    assert select(sites, None) == sites


def test_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("sites: [ {name: x", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml: not valid YAML"):
        load_sites(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_sites(tmp_path / "missing.yaml")


def test_shipped_configurations_load():
    sites = load_sites(ROOT / "config" / "sites.yaml", env={})
    assert len(sites) >= 15
    assert all(s.region.province for s in sites)
    from xxgk.portal import DemoPortal, placeholder

    names = [site["name"] for site in DemoPortal(seed=0).template_config()["sites"]]
    demo = load_sites(ROOT / "config" / "demo.yaml", env={placeholder(n)[2:-1]: "http://127.0.0.1:1" for n in names})
    assert [s.name for s in demo] == names and {"trs", "hanweb", "attach", "jpage", "json"} <= set(names)
