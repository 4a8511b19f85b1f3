"""The web layer over a real store and an in-memory backend, through a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.query import PARAMS, Backend, Query, QueryError
from indexer.web import BackgroundServer, create_app
from indexer.web.app import safe_href, safe_snippet
from xxgk.explain import cell_label
from xxgk.model import Report
from xxgk.schema import PROACTIVE_ROWS, REQUEST_ROWS, REVIEW_GROUPS


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Site:
    url: str
    backend: Backend
    reports: list[Report] = field(default_factory=list)

    def get(self, path: str) -> Response:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as r:
                return Response(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode())
        except urllib.error.HTTPError as e:
            return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode())


@pytest.fixture(scope="module")
def site(fill_store, sample_reports, list_backend, tmp_path_factory):
    reports = sample_reports()
    store = fill_store(tmp_path_factory.mktemp("web") / "store.db", reports)
    backend = list_backend(reports)
    with BackgroundServer(create_app(store, backend)) as server:
        yield Site(server.url, backend, reports)
    store.close()


# -- JSON API -----------------------------------------------------------------------------


def test_search_api_shape(site):
    r = site.get("/api/search?" + urlencode({"q": "依申请公开", "facets": "year,province", "limit": 5}))
    assert r.status == 200
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert set(data) == {"total", "hits", "facets"}
    assert data["total"] == 25  # every ordinary sample report says 依申请公开
    assert len(data["hits"]) == 5
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "agency", "year", "region", "url", "snippet"}
    assert "<mark>依申请公开</mark>" in hit["snippet"]
    assert set(hit["region"]) == {"province", "city", "county", "code"}
    assert data["facets"]["year"] == {"2021": 9, "2022": 8, "2023": 8}
    assert data["facets"]["province"] == {"黑龙江省": 17, "河南省": 8}


def test_every_filter_reaches_the_backend(site):
    params = {
        "q": "行政复议 公开",
        "year": "2020-2022",
        "province": "河南省",
        "city": "新乡市",
        "county": "卫滨区",
        "agency": "卫滨区人民政府",
        "agency_level": "county",
        "format": "2021",
        "failed_checks": "1",
        "section": "requests",
        "sort": "-year",
        "offset": "40",
        "limit": "7",
        "facets": "year,province,failed_checks",
        "facet_limit": "10",
    }
    assert site.get("/api/search?" + urlencode(params)).status == 200
    assert site.backend.queries[-1] == Query(
        text="行政复议 公开",
        year_from=2020,
        year_to=2022,
        province="河南省",
        city="新乡市",
        county="卫滨区",
        agency="卫滨区人民政府",
        agency_level="county",
        format="2021",
        failed_checks=True,
        section="requests",
        facets=("year", "province", "failed_checks"),
        facet_limit=10,
        sort="-year",
        offset=40,
        limit=7,
    )


def test_single_year_and_no_failed_checks(failing_report, site):
    data = site.get("/api/search?year=2024&failed_checks=0&facets=failed_checks").json()
    query = site.backend.queries[-1]
    assert (query.year_from, query.year_to, query.failed_checks) == (2024, 2024, False)
    assert data["total"] == 0  # the only 2024 report fails a check
    data = site.get("/api/search?year=2024&failed_checks=1").json()
    assert [h["id"] for h in data["hits"]] == [failing_report().id]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("year=20x4", "year"),
        ("year=2024-2020", "year"),
        ("year=1200", "year"),
        ("limit=101", "limit"),
        ("limit=-1", "limit"),
        ("limit=%C2%B2", "limit"),
        ("offset=abc", "offset"),
        ("offset=99999999", "offset"),
        ("agency_level=planet", "agency_level"),
        ("format=1999", "format"),
        ("sort=random", "sort"),
        ("facets=year,colour", "facets"),
        ("facet_limit=0", "facet_limit"),
        ("facet_limit=x", "facet_limit"),
        ("section=nowhere", "section"),
        ("failed_checks=maybe", "failed_checks"),
        ("years=2024", "years"),
        ("q=a&q=b", "q"),
        ("q=" + "长" * 201, "q"),
    ],
)
def test_bad_parameters_give_400_with_a_reason(site, query, names):
    r = site.get("/api/search?" + query.replace("长", quote("长")))
    assert r.status == 400
    assert names in r.json()["error"] and r.json()["param"] == names


NAMES = st.sampled_from([*PARAMS, "bogus"])
VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["2024", "2020-2024", "0", "1", "100", "-1", "year,province", "requests", "-year", "county", "²"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(NAMES, VALUES), max_size=6))
def test_any_parameters_parse_or_fail_with_a_query_error(items):
    try:
        query = Query.from_params(items)
    except QueryError as exc:
        assert str(exc) and exc.chinese and exc.param in {name for name, _ in items}
        return
    assert 0 <= query.limit <= 100 and 0 <= query.offset <= 10_000
    assert query.year_from is None or query.year_from <= query.year_to
    assert Query.from_params(query.to_params()) == Query(**{**query.__dict__, "facets": (), "facet_limit": None})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(NAMES, VALUES), max_size=4))
def test_server_never_fails_on_odd_parameters(site, items):
    query = urlencode(items)
    assert site.get("/api/search?" + query).status in (200, 400)
    assert site.get("/?" + query).status in (200, 400)


def test_limit_is_capped_at_100_but_100_is_fine(site):
    assert site.get("/api/search?limit=100").status == 200
    assert site.backend.queries[-1].limit == 100
    assert site.get("/api/search?limit=1000").status == 400


def test_report_api_returns_the_stored_record(failing_report, site):
    report = failing_report()
    r = site.get(f"/api/reports/{report.id}")
    assert r.status == 200
    assert r.json() == json.loads(json.dumps(report.to_dict(), ensure_ascii=False))


def test_unknown_report_is_404(site):
    r = site.get("/api/reports/0000000000000000")
    assert r.status == 404
    assert "error" in r.json()
    assert site.get("/reports/0000000000000000").status == 404
    assert site.get("/api/nothing").status == 404
    assert site.get("/nothing").status == 404


def test_facets_endpoint_counts_everything(site):
    data = site.get("/api/facets").json()
    assert data["total"] == len(site.reports)
    assert data["facets"]["failed_checks"] == {"true": 2, "false": 25}
    assert site.get("/api/facets?x=1").status == 400


# -- pages ----------------------------------------------------------------------------------


def test_search_page_shows_hits_facets_and_highlights(site):
    r = site.get("/?q=" + quote("依申请公开"))
    assert r.status == 200
    assert r.headers["content-type"].startswith("text/html")
    assert '<strong class="total" id="total">25</strong>' in r.body
    assert "<mark>依申请公开</mark>" in r.body
    assert r.body.count('class="hit"') == 20  # first page
    assert f'href="/?q={quote("依申请公开")}&amp;offset=20"' in r.body  # page 2
    for label in ("年度", "省份", "机构层级", "表格格式", "勾稽校验"):
        assert f"<h2>{label}</h2>" in r.body
    assert "城市" not in r.body  # drill-down starts at province
    assert site.backend.queries[-1].facets == ("year", "province", "agency_level", "format", "failed_checks")


def test_browsing_without_words_shows_newest_first(sample_reports, failing_report, site):
    body = site.get("/").body
    assert site.backend.queries[-1].sort == "-year"
    assert '<option value="-year" selected>' in body
    assert body.index(failing_report().id) < body.index(sample_reports()[2].id)  # 2024 before 2023
    site.get("/?sort=year")
    assert site.backend.queries[-1].sort == "year"
    site.get("/?q=" + quote("公开"))
    assert site.backend.queries[-1].sort == "relevance"


class Pages(HTMLParser):
    """The pagination bar as (label, href or None for plain text)."""

    def __init__(self):
        super().__init__()
        self.items: list[tuple[str, str | None]] = []
        self._inside = False
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "nav" and ("class", "pages") in attrs:
            self._inside = True
        elif self._inside and tag in ("a", "span"):
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag):
        if tag == "nav":
            self._inside = False

    def handle_data(self, data):
        if self._inside and data.strip():
            self.items.append((data.strip(), self._href))


def test_pagination_with_gaps_keeps_filters(site):
    pages = Pages()
    pages.feed(site.get("/?province=" + quote("黑龙江省") + "&limit=2&offset=10").body)  # 19 reports, page 6 of 10
    labels = [label for label, _ in pages.items]
    assert labels == ["上一页", "1", "…", "4", "5", "6", "7", "8", "…", "10", "下一页"]
    links = dict(pages.items)
    assert links["6"] is None  # the current page is not a link
    assert links["下一页"] == "/?province=" + quote("黑龙江省") + "&limit=2&offset=12"
    assert links["1"] == "/?province=" + quote("黑龙江省") + "&limit=2"
    assert links["10"].endswith("offset=18")


def test_region_facets_drill_down(site):
    body = site.get("/?" + urlencode({"province": "黑龙江省"})).body
    assert "<h2>城市</h2>" in body and "<h2>区县</h2>" not in body
    assert site.backend.queries[-1].province == "黑龙江省"
    # The city link keeps the province; the active province link removes it (and any city below).
    city_link = "/?" + urlencode({"province": "黑龙江省", "city": "佳木斯市"}).replace("&", "&amp;")
    assert f'href="{city_link}"' in body
    body = site.get("/?" + urlencode({"province": "黑龙江省", "city": "佳木斯市"})).body
    assert "<h2>区县</h2>" in body
    assert "抚远市" in body


def test_search_page_rejects_bad_parameters_with_html_400(site):
    r = site.get("/?year=abc")
    assert r.status == 400
    assert r.headers["content-type"].startswith("text/html")
    assert "查询参数有误：年度应为 2023 或 2020-2023 这样的写法，而不是“abc”" in r.body
    assert "must" not in r.body  # no English on the page
    r = site.get("/?agency_level=planet")
    assert r.status == 400 and "机构层级应为省级、市级、县级、乡镇（街道）、部门之一" in r.body


def test_report_page_tables_rows_and_failed_cells(failing_report, page_cells, site):
    report = failing_report()
    r = site.get(f"/reports/{report.id}")
    assert r.status == 200
    page = page_cells(r.body)
    expected_cells = {f"{row}.{c}" for row, cols in PROACTIVE_ROWS.items() for c in cols}
    expected_cells |= {f"{row}.{c}" for row in (*REQUEST_ROWS, *REVIEW_GROUPS) for c in report.tables[row]}
    assert set(page.cells) == expected_cells  # all 200 cells, each once
    failed = {key for key, cell in page.cells.items() if "cell-failed" in cell["class"].split()}
    assert failed == set(report.checks[0].cells)
    assert page.cells["requests.new.total"]["text"] == "9"
    assert "规则 3" in page.cells["requests.new.total"]["title"]
    blank = page.cells["requests.carried_forward.legal"]
    assert blank["text"] == "—" and "cell-missing" in blank["class"] and "/" in blank["title"]
    assert page.cells["proactive.fees.amount_10k_yuan"]["text"] == "25.1"
    assert "251000元" in page.cells["proactive.fees.amount_10k_yuan"]["title"]
    for label in (
        "本年新收政府信息公开申请数量",
        "（三）不予公开",
        "1.属于国家秘密",
        "（七）总计",
        "复议后起诉",
        "行政许可",
    ):
        assert label in r.body
    assert "规则 3（各类申请人之和等于总计）" in r.body
    assert "表二“本年新收政府信息公开申请数量”行：总计为 9 件，而各类申请人之和为 7 件" in r.body
    assert '<a href="#cell-requests.new.total">本年新收政府信息公开申请数量·总计</a>' in r.body  # jumps to the cell
    assert 'id="cell-requests.new.total"' in r.body
    # A section with a table shows the table, its flattened original text folded away below it.
    requests_section = r.body.split('id="section-requests"')[1].split("</section>")[0]
    assert requests_section.index("<table") < requests_section.index("<details") < requests_section.index("收到申请9件")
    assert "结转下年度 法律服务机构" in r.body  # parser problems listed
    assert "0 个早期版本" in r.body
    assert f'<a class="source" href="{report.url}" rel="noopener noreferrer nofollow"' in r.body
    assert "<h2>总体情况</h2>" in r.body and "<h2>收到和处理政府信息公开申请情况</h2>" in r.body


def test_report_page_counts_earlier_versions(fill_store, failing_report, list_backend, tmp_path):
    report = failing_report()
    store = fill_store(tmp_path / "s.db", [report])
    report.title = report.title + "（修订）"
    report.content_hash = "changed"
    store.save(report)
    with BackgroundServer(create_app(store, list_backend([report]))) as server:
        body = Site(server.url, list_backend()).get(f"/reports/{report.id}").body
    store.close()
    assert "1 个早期版本" in body and "（修订）" in body


def test_report_page_says_how_each_cell_was_read(fill_store, failing_report, list_backend, page_cells, tmp_path):
    report = failing_report()
    report.cell_sources = {
        "requests.new.total": "label:12",
        "requests.granted.total": "constraint:20",
        "requests.granted.natural_person": "position:21",
        "requests.carried_forward.legal": "constraint:30",  # blank: nothing to mark
    }
    store = fill_store(tmp_path / "s.db", [report])
    with BackgroundServer(create_app(store, list_backend([report]))) as server:
        body = Site(server.url, list_backend()).get(f"/reports/{report.id}").body
    store.close()
    cells = page_cells(body).cells
    assert "按行标签读取，解析文本第 12 行" in cells["requests.new.total"]["title"]
    assert "cell-inferred" not in cells["requests.new.total"]["class"].split()
    assert "勾稽关系唯一确定（原文数字连写），解析文本第 20 行" in cells["requests.granted.total"]["title"]
    assert "按行序读取" in cells["requests.granted.natural_person"]["title"]
    inferred = {key for key, cell in cells.items() if "cell-inferred" in cell["class"].split()}
    assert inferred == {"requests.granted.total", "requests.granted.natural_person"}
    assert "加点下划线的 2 个数值" in body


def test_planted_markup_is_inert_everywhere(planted_report, xss, page_cells, site):
    report = planted_report()
    bodies = [
        site.get(f"/reports/{report.id}").body,
        site.get("/?q=" + quote("恶意")).body,
        site.get("/?" + urlencode({"province": "黑龙江省", "city": f"市{xss}"})).body,
    ]
    for body in bodies:
        tags = set(page_cells(body).tags)
        assert "script" not in tags and "img" not in tags
        assert "<script" not in body.lower() and "<img" not in body.lower()
        assert "&lt;script&gt;" in body
    page = page_cells(bodies[0])
    assert page.cells["requests.new.total"]["title"].startswith("原文：<script>")  # shown as text in the tooltip
    assert 'href="javascript:' not in bodies[0]
    assert "https://evil.example.cn/report.html" in bodies[0]


def test_only_http_links_become_hrefs(fill_store, failing_report, list_backend, tmp_path):
    report = failing_report()
    report.url = "javascript:alert(1)//x"
    store = fill_store(tmp_path / "s.db", [report])
    with BackgroundServer(create_app(store, list_backend([report]))) as server:
        body = Site(server.url, list_backend()).get(f"/reports/{report.id}").body
    store.close()
    assert 'href="javascript' not in body
    assert "javascript:alert(1)//x" in body  # still shown, as text
    assert safe_href("https://a.gov.cn/x?y=1") == "https://a.gov.cn/x?y=1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//a.gov.cn/x", "ftp://a.gov.cn/", "", None):
        assert safe_href(bad) is None


def test_cell_labels():
    assert cell_label("requests.denied.third_party.legal") == "保护第三方合法权益·法律服务机构"
    assert cell_label("proactive.fees.amount_10k_yuan") == "行政事业性收费·本年收费金额（万元）"
    assert cell_label("litigation_direct.pending") == "未经复议直接起诉·尚未审结"
    assert cell_label("year") == "报告年度"
    assert cell_label("requests.nowhere.total") == "requests.nowhere.total"


def test_snippets_keep_only_mark(xss, xss_img):
    assert safe_snippet("a &lt;b&gt; <mark>公开</mark> c") == "a &lt;b&gt; <mark>公开</mark> c"
    assert safe_snippet(f"x{xss}<mark>y</mark>") == (
        'x&lt;script&gt;window.__xss = 1; alert("xss")&lt;/script&gt;<mark>y</mark>'
    )
    assert "<img" not in safe_snippet(xss_img)
    assert safe_snippet("&amp;") == "&amp;"  # already escaped text is not escaped twice


@pytest.mark.parametrize("path", ["/", "/api/search", "/reports/0000000000000000", "/static/style.css", "/nothing"])
def test_security_headers_on_every_response(site, path):
    headers = site.get(path).headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "script-src 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_security_headers_on_a_500_too(fill_store, sample_reports, list_backend, tmp_path):
    class Exploding(list_backend):
        def search(self, query):
            raise RuntimeError("index went away")

    store = fill_store(tmp_path / "store.db", sample_reports()[:1])
    with BackgroundServer(create_app(store, Exploding())) as server:
        site = Site(server.url, Exploding())
        for path in ("/api/search?q=x", "/?q=x"):
            r = site.get(path)
            assert r.status == 500 and "index went away" not in r.body
            assert "script-src 'none'" in r.headers["content-security-policy"]
            assert r.headers["x-frame-options"] == "DENY"
    store.close()


def test_stylesheet_is_served_locally(site):
    r = site.get("/static/style.css")
    assert r.status == 200 and r.headers["content-type"].startswith("text/css")
    assert "cell-failed" in r.body
    page = site.get("/").body
    assert "http://" not in page.split("<main>")[0] and "https://" not in page.split("<main>")[0]


def test_failed_checks_filter_on_the_page(site):
    body = site.get("/").body
    assert '<a href="/?failed_checks=1"><span class="value">有未通过的校验</span><span class="count">2</span>' in body
    body = site.get("/?failed_checks=true").body  # any spelling the API accepts
    assert site.backend.queries[-1].failed_checks is True
    assert '<strong class="total" id="total">2</strong>' in body
    assert '<li class="active"><a href="/"><span class="value">有未通过的校验</span>' in body  # click again: clear
    assert "勾稽校验：有未通过的校验" in body
