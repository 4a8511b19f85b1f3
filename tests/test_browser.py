"""The search page in headless Chromium: search, facet, open a report, and planted markup stays inert."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_web_fixtures import ListBackend, failing_report, fill_store, planted_report, sample_reports

from indexer.web import BackgroundServer, create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path("/tmp/xxgk-search.png")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    reports = sample_reports()
    store = fill_store(tmp_path_factory.mktemp("browser") / "store.db", reports)
    with BackgroundServer(create_app(store, ListBackend(reports))) as running:
        yield running
    store.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium: browser tests skipped (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.dialogs = []  # every alert/confirm the page tries to open
    tab.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    yield tab
    context.close()


def total(page) -> int:
    return int(page.locator("#total").inner_text())


def test_search_then_narrow_by_facet(page, server):
    page.goto(server.url + "/")
    assert total(page) == 27  # empty query browses everything
    page.fill("input[name=q]", "依申请公开")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/?q=*")
    assert total(page) == 25
    assert page.locator("li.hit").count() == 20
    assert page.locator("li.hit mark").first.inner_text() == "依申请公开"

    option = page.locator("[data-facet=province] li", has_text="河南省")
    expected = int(option.locator(".count").inner_text())
    option.locator("a").click()
    page.wait_for_url("**province=*")
    assert total(page) == expected == 8
    assert page.locator("li.hit").count() == 8
    assert page.locator("[data-facet=city]").is_visible()  # drill-down to cities appears
    assert page.locator("input[name=q]").input_value() == "依申请公开"  # the query is kept
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.locator("a.chip", has_text="河南省").click()  # removing the filter widens again
    page.wait_for_load_state()
    assert total(page) == 25


def test_open_report_and_see_its_tables(page, server):
    report = failing_report()
    page.goto(server.url + "/")
    page.fill("input[name=q]", "抚远镇")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/?q=*")
    assert total(page) == 1
    page.locator("li.hit h3 a").click()
    page.wait_for_url(f"**/reports/{report.id}")
    assert page.locator("h1").inner_text() == report.title
    assert page.locator("table.report-table").count() == 3
    assert page.locator("table.report-table tbody tr").count() >= 6 + 25 + 3
    failed = page.locator("td.cell-failed")
    assert sorted(failed.evaluate_all("cells => cells.map(c => c.dataset.cell)")) == sorted(report.checks[0].cells)
    cell = page.locator('td[data-cell="requests.new.total"]')
    assert cell.inner_text() == "9"
    colour = cell.evaluate("c => getComputedStyle(c).backgroundColor")
    plain = page.locator('td[data-cell="requests.new.research"]').evaluate("c => getComputedStyle(c).backgroundColor")
    assert colour != plain  # the highlight is visible, not just a class name
    assert page.locator("section.checks li").count() == 1
    page.screenshot(path="/tmp/xxgk-report.png", full_page=True)


def test_planted_script_never_runs(page, server):
    report = planted_report()
    for path in (f"/reports/{report.id}", "/?q=%E6%81%B6%E6%84%8F"):
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("script").count() == 0 and page.locator("main img").count() == 0
    assert page.dialogs == []
    page.goto(server.url + f"/reports/{report.id}")
    assert "<script>" in page.locator("h1").inner_text()  # shown as text
