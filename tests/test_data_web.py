"""The 数据 pages on the demo crawl: the numbers equal a brute-force pivot of the store (HTML, CSV, JSON and in
headless Chromium, with a screenshot of each view kept in the pytest tmp dir), the export API, cross-year
failures on report pages, no script anywhere."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from lxml import html

from indexer.web import BackgroundServer, create_app
from xxgk.data import audit, facts
from xxgk.store import Store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
VIEWS = [
    {"value": "requests.new.total", "by": "province", "stat": "sum"},
    {"value": "disclosure_rate", "by": "county", "stat": "median"},
    {"value": "公开率", "by": "agency", "stat": "sum"},
    {"value": "review.total", "by": "city", "stat": "count"},
]


@pytest.fixture(scope="module")
def demo(demo_crawl, list_backend):
    crawled = demo_crawl
    store = Store(crawled.db)
    reports = list(store.reports())
    yield crawled, store, create_app(store, list_backend(reports))
    store.close()


@dataclass
class Answer:
    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")

    def json(self):
        return json.loads(self.content)


class Client:
    """GET requests to the running app, answers read whole (errors included)."""

    def __init__(self, base: str):
        self.base = base

    def get(self, path: str) -> Answer:
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as response:
                return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


@pytest.fixture(scope="module")
def client(server):
    return Client(server.url)


def expected(brute_pivot, db, view: dict) -> dict[tuple[str, int], float | int | None]:
    stat = {"sum": 0, "median": 1, "count": 2}[view["stat"]]
    value = "disclosure_rate" if view["value"] == "公开率" else view["value"]
    return {key: stats[stat] for key, stats in brute_pivot(db, value, view["by"]).items()}


def page_numbers(text: str) -> dict[tuple[str, int], float | None]:
    """(group, year) -> the value each cell of the page's table carries (None where blank)."""
    tree = html.fromstring(text)
    out = {}
    for row in tree.cssselect("table.data-table tbody tr[data-group]"):
        for cell in row.cssselect("td[data-year]"):
            if cell.text_content().strip():
                value = cell.get("data-value")
                out[(row.get("data-group"), int(cell.get("data-year")))] = None if value is None else float(value)
    return out


def assert_same(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert got[key] == (None if value is None else pytest.approx(value)), key


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: f"{v['value']}-{v['by']}")
def test_data_page_csv_and_api_show_the_pivot_of_the_store(demo, client, brute_pivot, view):
    crawled = demo[0]
    want = expected(brute_pivot, crawled.db, view)
    response = client.get("/data?" + urlencode(view))
    assert response.status_code == 200
    assert "script-src 'none'" in response.headers["content-security-policy"]
    assert "<script" not in response.text and " style=" not in response.text
    assert "<svg" in response.text and "数据" in response.text
    assert_same(page_numbers(response.text), want)

    download = client.get("/data.csv?" + urlencode(view))
    assert download.headers["content-type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(download.text)))
    got = {(r[0], int(y)): float(v) for r in rows for y, v in zip(header[1:], r[1:], strict=True) if v}
    assert_same(got, {k: v for k, v in want.items() if v is not None})

    api = client.get("/api/compare?" + urlencode(view)).json()
    got = {(r["label"], int(y)): s[view["stat"]] for r in api["rows"] for y, s in r["years"].items()}
    assert_same(got, want)


def test_filters_and_where_narrow_the_view(demo, client):
    crawled = demo[0]
    with Store(crawled.db) as store:
        chosen = [r for r in store.reports() if (facts.flat(r.tables).get("requests.new.total") or -1) >= 10]
    response = client.get(
        "/api/compare?" + urlencode({"value": "requests.new.total", "where": "requests.new.total>=10"})
    )
    assert response.json()["reports"] == len(chosen)
    bad = client.get("/data?where=requests.new.totl>=1")
    assert bad.status_code == 400 and "requests.new.total" in bad.text
    assert client.get("/api/compare?by=nowhere").status_code == 400


def test_query_field_narrows_the_view_and_its_export_to_what_search_finds(demo, client):
    crawled, store, _ = demo
    text = "行政复议"
    with Store(crawled.db) as opened:
        reports = list(opened.reports())
    found = {r.id for r in reports if text in r.text and r.year is not None and 2021 <= r.year <= 2023}
    assert len(found) > 0
    params = {"value": "requests.new.total", "by": "province", "q": text, "year": "2021-2023"}
    assert client.get("/api/compare?" + urlencode(params)).json()["reports"] == len(found)
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/export?" + urlencode({"q": text, "year": "2021-2023"})).text))
    )
    assert {r["id"] for r in rows} == found
    page = html.fromstring(client.get("/data?" + urlencode(params)).text)
    assert page.cssselect("input[name=q]")[0].get("value") == text and "检索词" in page.text_content()
    assert f"q={urlencode({'q': text})[2:]}" in page.cssselect("a.download")[0].get("href")
    assert int(page.cssselect("#reports")[0].text) == len(found)


def test_export_api_returns_the_selected_reports(demo, client):
    crawled = demo[0]
    response = client.get("/api/export?" + urlencode({"format": "csv", "year": "2023"}))
    rows = list(csv.DictReader(io.StringIO(response.text)))
    with Store(crawled.db) as store:
        truth = {r.id: facts.flat(r.tables) for r in store.reports() if r.year == 2023}
    assert {r["id"] for r in rows} == set(truth) and truth
    for row in rows:
        assert all((row[k] == "") == (truth[row["id"]].get(k) is None) for k in facts.CELLS)
    lines = client.get("/api/export?format=jsonl&shape=long&year=2023").text.splitlines()
    assert len(lines) == len(truth) * len(facts.CELLS) and json.loads(lines[0])["key"] == facts.CELLS[0]
    assert client.get("/api/export?format=pdf").status_code == 400


def test_report_pages_show_cross_year_failures_with_a_link_to_the_other_year(demo, client):
    crawled = demo[0]
    with Store(crawled.db) as store:
        check = next(c for c in audit.all_checks(store) if c.rule == 7)
    for me, other in ((check.earlier, check.later), (check.later, check.earlier)):
        page = client.get(f"/reports/{me}")
        assert page.status_code == 200
        section = html.fromstring(page.text).cssselect("section.cross-year li[data-rule='7']")
        assert section and section[0].cssselect(f"a.other-year[href='/reports/{other}']")
        assert section[0].cssselect("a.rule[href='/?rule=7']")  # search for every report failing the rule
    assert client.get("/?rule=7").status_code == 200 and client.get("/?rule=x").status_code == 400
    agency = html.fromstring(client.get(f"/reports/{check.later}").text).cssselect("p.agency-years a")[0].get("href")
    years = client.get(agency)
    assert years.status_code == 200 and "历年数据" in years.text
    assert len(re.findall(r"<svg", years.text)) == 3  # a trend chart per table
    assert f"/reports/{check.earlier}" in years.text and f"/reports/{check.later}" in years.text


# -- the same in headless Chromium ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium: browser tests skipped (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(demo):
    with BackgroundServer(demo[2]) as running:
        yield running


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("data-screenshots")


@pytest.mark.browser
@pytest.mark.parametrize("view", VIEWS, ids=lambda v: f"{v['value']}-{v['by']}")
def test_data_page_in_chromium_shows_the_pivot(demo, browser, server, shots, brute_pivot, view):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(server.url + "/data")
    page.select_option("select[name=value]", view["value"] if view["value"] != "公开率" else "disclosure_rate")
    page.select_option("select[name=by]", view["by"])
    page.select_option("select[name=stat]", view["stat"])
    page.click("form.data-form button[type=submit]")
    page.wait_for_url("**/data?*")
    assert page.locator("svg.chart polyline, svg.chart circle").count() > 0
    assert page.locator("svg.chart").bounding_box()["width"] > 300  # drawn, not blocked
    cells = page.locator("table.data-table tbody tr[data-group] td[data-year]").evaluate_all(
        "cells => cells.filter(c => c.innerText.trim()).map(c => [c.parentElement.dataset.group,"
        " +c.dataset.year, c.dataset.value === undefined ? null : +c.dataset.value, c.innerText.trim()])"
    )
    got = {(group, year): value for group, year, value, _ in cells}
    assert_same(got, expected(brute_pivot, demo[0].db, view))
    shown = [text for _, _, value, text in cells if value is not None and float(value).is_integer()]
    assert all(re.fullmatch(r"[\d,]+", text) for text in shown)
    page.screenshot(path=str(shots / f"data-{view['by']}-{view['stat']}.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()


@pytest.mark.browser
def test_agency_and_report_pages_in_chromium(demo, browser, server, shots):
    with Store(demo[0].db) as store:
        check = next(c for c in audit.all_checks(store) if c.rule == 8)
        # a report can fail rule 8 against both neighbouring years; the page lists each failure once
        involved = [c for c in audit.checks_of(store, check.later) if c.rule == 8]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + f"/reports/{check.later}")
    assert page.locator("section.cross-year li[data-rule='8']").count() == len(involved) >= 1
    page.screenshot(path=str(shots / "report-cross-year.png"), full_page=True)
    page.locator(f"section.cross-year li[data-rule='8'] a.other-year[href$='/reports/{check.earlier}']").click()
    page.wait_for_url(f"**/reports/{check.earlier}")
    page.locator("p.agency-years a").first.click()
    page.wait_for_url("**/agency?series=*")
    assert page.locator("svg.chart").count() == 3
    assert page.locator("table.agency-table").count() == 4
    page.screenshot(path=str(shots / "agency.png"), full_page=True)
    context.close()
    assert len(list(shots.glob("*.png"))) >= 2
