"""List sources beyond plain <a> tags: script handlers, script-block records and their data proxy, JSON endpoints,
sitemaps, and documents a detail page shows in a viewer."""

from __future__ import annotations

import gzip

from lxml import html
from scrapy import FormRequest, Spider
from scrapy.utils.request import RequestFingerprinter, request_from_dict

from crawler.distributed import codec
from crawler.listing import Link, anchors, jsonapi, records, sitemaps

BASE = "http://www.example.gov.cn/col/col1/index.html"

NEXT = "/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=7&path=/&columnid=1&unitid=5001&webname=%E7%94%B2%E5%8E%BF"
JCMS_PAGE = f"""<html><body><div id="5001"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{NEXT}&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/1.html">甲县2023年政府信息公开工作年度报告</a></li>]]></record>
<record><![CDATA[<li><a href="/art/2.html">甲县政府信息公开指南</a></li>]]></record>
<record><![CDATA[<li><a href="/art/3.html">乙局2022年政府信息公开工作年度报告</a></li>]]></record>
</recordset></datastore></script></div>
<script>var total = 10;
$('#5001').jpage({{dataStore: dataStore, perPage: 3, totalRecord: total, groupSize: 1,
  proxyUrl: '/module/web/jpage/dataproxy.jsp', ajaxParam: {{col: 1, sourceContentType: 1, "columnid": 1}}}});
</script></body></html>"""


def test_script_records_and_the_jpage_call():
    fragments = records.script_records(JCMS_PAGE)
    assert len(fragments) == 3 and "/art/3.html" in fragments[2]
    (call,) = records.jpage_calls(JCMS_PAGE, BASE)
    assert call.proxy_url == "http://www.example.gov.cn/module/web/jpage/dataproxy.jsp"
    assert (call.total, call.per_page) == (10, 3)  # the total came from a variable
    form = dict(call.form)  # fields of the nextgroup link and the call, without pager options
    assert form == {
        "appid": "1",
        "webid": "7",
        "path": "/",
        "columnid": "1",
        "unitid": "5001",
        "webname": "甲县",
        "permissiontype": "0",
        "col": "1",
        "sourceContentType": "1",
    }
    pages = call.page_requests(len(fragments))
    assert [p.url.split("?")[1] for p in pages] == [
        "startrecord=4&endrecord=6&perpage=3",
        "startrecord=7&endrecord=9&perpage=3",
        "startrecord=10&endrecord=10&perpage=3",
    ]
    assert all(p.method == "POST" for p in pages)


def test_groups_follow_the_inline_count_and_a_page_without_a_proxy_has_no_call():
    page = JCMS_PAGE.replace("groupSize: 1", "groupSize: 3").replace("var total = 10", "var total = 20")
    (call,) = records.jpage_calls(page, BASE)
    assert [p.url.split("?")[1] for p in call.page_requests(9)] == [
        "startrecord=10&endrecord=18&perpage=3",
        "startrecord=19&endrecord=20&perpage=3",
    ]
    assert [p.url.split("?")[1] for p in call.page_requests(0)][0] == "startrecord=1&endrecord=9&perpage=3"
    assert records.jpage_calls(JCMS_PAGE.replace("proxyUrl", "otherUrl"), BASE) == []


def test_proxy_answer():
    answer = '<?xml version="1.0"?><datastore><totalrecord>10</totalrecord><recordset>'
    answer += "<record><![CDATA[<li><a href='/art/9.html'>x</a></li>]]></record></recordset></datastore>"
    assert records.script_records(answer) == ["<li><a href='/art/9.html'>x</a></li>"]
    assert records.script_records("<datastore><recordset></recordset></datastore>") == []


def test_post_pages_are_fingerprinted_by_their_body_and_cross_redis_intact():
    spider = Spider(name="disclosure")
    spider.parse_list = lambda response: None
    a, b = (FormRequest("http://h/p.jsp?startrecord=4", formdata={"columnid": c}) for c in ("1", "2"))
    fingerprints = RequestFingerprinter()
    assert fingerprints.fingerprint(a) != fingerprints.fingerprint(b)
    back = request_from_dict(codec.loads(codec.dumps(a.to_dict(spider=spider))), spider=spider)
    assert (back.method, back.body, back.url) == ("POST", a.body, a.url)
    assert fingerprints.fingerprint(back) == fingerprints.fingerprint(a)


def test_json_links_in_any_shape_and_their_paging():
    trs = {"data": {"total": "25", "datas": [{"doctitle": "<em>甲县</em>2023年年度报告", "docpuburl": "/a/1.html"}]}}
    (link,) = jsonapi.links(trs, "http://h/api/search?page=1&pageSize=10")
    assert (link.url, link.text) == ("http://h/a/1.html", "甲县2023年年度报告")
    assert jsonapi.page_urls("http://h/api/search?page=1&pageSize=10", trs, 1) == [
        f"http://h/api/search?page={n}&pageSize=10" for n in (2, 3)
    ]
    counted = {"totalPage": 3, "list": [{"title": "x", "url": "http://h/b.html"}]}
    assert jsonapi.page_urls("http://h/l?pageNo=2", counted, 1) == ["http://h/l?pageNo=1", "http://h/l?pageNo=3"]
    uncounted = {"rows": [{"name": "x", "link": "./c.pdf"}]}
    assert jsonapi.page_urls("http://h/l?pn=4", uncounted, 1) == ["http://h/l?pn=5"]  # next while pages bring links
    assert jsonapi.page_urls("http://h/l?pn=5", {"rows": []}, 0) == []
    assert jsonapi.page_urls("http://h/l", counted, 1) == []  # no page parameter: one page


def test_json_detection_and_script_endpoints():
    assert jsonapi.load('cb({"a": [1]});') == {"a": [1]}
    assert jsonapi.load("<html></html>") is None and jsonapi.load("{broken") is None
    scripts = ['var api = "/api/list?channelId=9&pageNo="; fetch(api + 1);', "load('/data/list.json')", "x = '/a.html'"]
    assert jsonapi.script_endpoints(scripts, "http://h/col/") == [
        "http://h/api/list?channelId=9&pageNo=1",
        "http://h/data/list.json",
    ]


def test_sitemaps():
    robots = b"User-agent: *\nDisallow: /x/\nSitemap: /sitemap.xml\nSitemap: http://h/news.xml.gz\n"
    assert sitemaps.robots_sitemaps(robots, "http://h/robots.txt") == ["http://h/sitemap.xml", "http://h/news.xml.gz"]
    index = b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    index += b"<sitemap><loc>http://h/s1.xml</loc></sitemap></sitemapindex>"
    urlset = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> http://h/a.html </loc></url></urlset>'
    )
    assert sitemaps.entries(index) == sitemaps.SitemapEntries(sitemaps=["http://h/s1.xml"])
    assert sitemaps.entries(gzip.compress(urlset)) == sitemaps.SitemapEntries(urls=["http://h/a.html"])
    assert sitemaps.is_sitemap(gzip.compress(urlset)) and not sitemaps.is_sitemap(b"<html><body>urlset</body></html>")
    assert sitemaps.entries(b"<urlset><url><loc>") == sitemaps.SitemapEntries()


def test_links_opened_by_script_handlers():
    page = html.fromstring(
        """<ul>
        <li><a href="javascript:void(0);" onclick="window.open('/art/2024/1/9/art_1_1.html')">甲县2023年报告</a></li>
        <li><a href="#" onclick="location.href='../ndbg/t20240110_2.shtml';return false;" title="乙">乙</a></li>
        <li><a href="javascript:openDoc(&quot;./files/r.pdf&quot;, 3)">丙</a></li>
        <li><a href="plain.html" onclick="track('x')">丁 <b>报告</b></a></li>
        <li><a href="javascript:void(0)" onclick="toggle(3)">展开</a></li>
        <li><a href="mailto:x@example.gov.cn">信箱</a></li>
        </ul>"""
    )
    assert list(anchors.links(BASE, page)) == [
        Link("http://www.example.gov.cn/art/2024/1/9/art_1_1.html", "甲县2023年报告"),
        Link("http://www.example.gov.cn/col/ndbg/t20240110_2.shtml", "乙"),
        Link("http://www.example.gov.cn/col/col1/files/r.pdf", "丙"),
        Link("http://www.example.gov.cn/col/col1/plain.html", "丁 报告"),
    ]


def test_documents_shown_in_a_viewer_or_embedded():
    page = html.fromstring(
        """<div><iframe src="/static/pdfjs/web/viewer.html?file=%2Fattach%2F0%2Fa.pdf" width="100%"></iframe>
        <embed src="files/b.pdf" type="application/pdf"><object data="/c.docx"></object>
        <iframe src="/video/player.html?id=7"></iframe><iframe src="https://map.example.com/x.html"></iframe></div>"""
    )
    assert list(anchors.embedded_documents(BASE, page)) == [
        "http://www.example.gov.cn/attach/0/a.pdf",
        "http://www.example.gov.cn/col/col1/files/b.pdf",
        "http://www.example.gov.cn/c.docx",
    ]
