"""Sitemaps as a list source: declared in robots.txt or given as start URL, their URLs judged by the detector."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.run import crawl
from xxgk.portal.docs import pdf_bytes
from xxgk.store import Store

SEED = Path(__file__).resolve().parent / "fixtures" / "seeds" / "000_52fabd2e9e55d580.txt"
HEADINGS = "<h2>一、总体情况</h2><h2>二、主动公开政府信息情况</h2><h2>三、收到和处理政府信息公开申请情况</h2>"
HTML = "text/html; charset=utf-8"


def page(title: str, body: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>".encode()


def urlset(base: str, paths: list[str]) -> bytes:
    rows = "".join(f"<url><loc>{base}{p}</loc></url>" for p in paths)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'.encode()


@pytest.fixture(scope="module")
def site(static_site):
    if not SEED.exists():
        pytest.skip(f"seed fixture {SEED} is missing")
    seed = SEED.read_text(encoding="utf-8")
    pages: dict[str, tuple[str, bytes]] = {}
    server = static_site(pages)  # serves the dict it is given: filled below, once the port is known
    listed = ["/xxgk/r1.html", "/xxgk/guide.html", "/xxgk/f2.pdf", "/xxgk/private/r3.html", "/other/r4.html"]
    pages.update(
        {
            "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /xxgk/private/\nSitemap: /sitemap_index.xml\n"),
            "/sitemap_index.xml": (
                "application/xml",
                f"<sitemapindex><sitemap><loc>{server.base}/sitemap1.xml</loc></sitemap></sitemapindex>".encode(),
            ),
            "/sitemap1.xml": ("application/xml", urlset(server.base, listed)),
            "/xxgk/index.html": (HTML, page("政务公开", "<p>栏目建设中</p>")),  # no link at all
            "/xxgk/r1.html": (HTML, page("甲县2023年政府信息公开工作年度报告", f"{HEADINGS}<pre>{seed}</pre>")),
            "/xxgk/guide.html": (HTML, page("甲县政府信息公开指南", "<p>一、主动公开</p>")),
            "/xxgk/f2.pdf": ("application/pdf", pdf_bytes("乙局2022年政府信息公开工作年度报告", seed.splitlines())),
            "/xxgk/private/r3.html": (HTML, page("丙局2021年政府信息公开工作年度报告", HEADINGS)),
            "/other/r4.html": (HTML, page("丁局2021年政府信息公开工作年度报告", HEADINGS)),
        }
    )
    yield server
    server.close()


def test_sitemap_declared_in_robots_is_a_list_source(site, tmp_path):
    # The PDF is a file with no title: its name does not say "report", so only the HTML report is kept.
    site.requested.clear()
    entry = {"name": "sm", "start_urls": [site.base + "/xxgk/index.html"], "allow": ["/xxgk/"]}
    summary = crawl({"sites": [entry]}, db=tmp_path / "a.db", throttle=False)
    with Store(tmp_path / "a.db") as store:
        stored = {r.url.removeprefix(site.base) for r in store.reports()}
    assert stored == {"/xxgk/r1.html"} and summary.failures == []
    assert {"/sitemap_index.xml", "/sitemap1.xml", "/xxgk/guide.html"} <= set(site.requested)
    assert "/xxgk/private/r3.html" not in site.requested and "/other/r4.html" not in site.requested


def test_sitemap_as_start_url(site, tmp_path):
    entry = {"name": "sm", "start_urls": [site.base + "/sitemap1.xml"], "allow": ["/xxgk/", "/sitemap"]}
    crawl({"sites": [entry]}, db=tmp_path / "b.db", throttle=False)
    with Store(tmp_path / "b.db") as store:
        assert {r.url.removeprefix(site.base) for r in store.reports()} == {"/xxgk/r1.html"}
