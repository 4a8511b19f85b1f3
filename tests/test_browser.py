"""The search page in headless Chromium: search, facet, open a report, and planted markup stays inert.

The screenshots are kept as test artifacts under pytest's temporary directory.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from indexer.web import BackgroundServer, create_app
from xxgk.parse.checks import check_tables

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
FONTS = Path("/usr/share/fonts/opentype/noto")
BAD_LINE = (0xD3, 0x3A, 0x3A)  # --bad-line in style.css: the box around a disagreeing cell

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(fill_store, sample_reports, list_backend, tmp_path_factory):
    reports = sample_reports()
    store = fill_store(tmp_path_factory.mktemp("browser") / "store.db", reports)
    with BackgroundServer(create_app(store, list_backend(reports))) as running:
        yield running
    store.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed at /usr/bin/chromium: browser tests skipped (apt-get install chromium)")
    if not any(FONTS.glob("NotoSansCJK*")):
        pytest.skip("fonts-noto-cjk not installed: Chinese would render as boxes (apt-get install fonts-noto-cjk)")
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


def test_search_then_narrow_by_facet(page, server, tmp_path):
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
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

    page.locator("a.chip", has_text="河南省").click()  # removing the filter widens again
    page.wait_for_load_state()
    assert total(page) == 25


def test_open_report_and_see_its_tables(failing_report, page, server, tmp_path):
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
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)


def test_planted_script_never_runs(planted_report, page, server):
    report = planted_report()
    for path in (f"/reports/{report.id}", "/?q=%E6%81%B6%E6%84%8F"):
        page.goto(server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.locator("script").count() == 0 and page.locator("main img").count() == 0
    assert page.dialogs == []
    page.goto(server.url + f"/reports/{report.id}")
    assert "<script>" in page.locator("h1").inner_text()  # shown as text


@pytest.fixture
def rule_2_report(make_report, zero_tables):
    """Table 2 says 1 request in total from natural persons, but 2 were granted: rule 2 fails twice."""
    tables = zero_tables()
    tables["requests.new"].update(natural_person=2, total=2)
    tables["requests.granted"].update(natural_person=2, total=2)
    tables["requests.total"].update(natural_person=1, total=1)
    tables["requests.carried_forward"].update(natural_person=1, total=1)
    checks = check_tables(tables).checks
    assert [c.rule for c in checks] == [2, 2] and all(len(c.cells) == 22 for c in checks)
    return make_report(950, tables=tables, checks=checks, problems=["no section headings found"])


def red_pixels(png: bytes) -> int:
    from PIL import Image

    data = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for pixel in pixels if all(abs(a - b) < 40 for a, b in zip(pixel, BAD_LINE, strict=True)))


def test_screenshot_of_a_rule_2_failure_boxes_only_the_disagreeing_cells(
    rule_2_report, fill_store, list_backend, page, tmp_path
):
    report = rule_2_report
    store = fill_store(tmp_path / "store.db", [report])
    with BackgroundServer(create_app(store, list_backend([report]))) as server:
        page.goto(f"{server.url}/reports/{report.id}")
        page.wait_for_load_state("load")
        shot = tmp_path / "rule2-report.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        checks = page.locator("section.checks").inner_text()
        assert "勾稽校验：2 项未通过" in checks
        assert "表二“自然人”列：办理结果总计为 1 件，而各项办理结果之和为 2 件（予以公开 2 件）" in checks
        assert "表二“总计”列：办理结果总计为 1 件" in checks
        assert not re.search(r"[A-Za-z_]{3,}|!=", checks), checks  # no English, no keys
        assert page.locator("section.problems").inner_text().endswith("没有找到报告的章节标题")
        assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"')")  # real glyphs, not boxes

        def boxed(td) -> bool:
            return td.evaluate("c => getComputedStyle(c).boxShadow") != "none"

        cells = page.locator("td[data-cell]")
        drawn = {key for key, td in ((td.get_attribute("data-cell"), td) for td in cells.all()) if boxed(td)}
        expected = {f"requests.{row}.{col}" for row in ("total", "granted") for col in ("natural_person", "total")}
        assert drawn == expected  # not the 44 cells the two checks name
        for key in expected:  # and the box is visible in the picture
            assert red_pixels(page.locator(f'td[data-cell="{key}"]').screenshot()) > 20, key
        assert red_pixels(page.locator('td[data-cell="requests.partially_granted.natural_person"]').screenshot()) == 0
    store.close()
