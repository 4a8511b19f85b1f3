"""Which links the spider follows on a small local site: report pages, attachment-only detail pages, columns."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.run import crawl
from xxgk.portal.docs import docx_bytes, pdf_bytes
from xxgk.store import Store

SEED = Path(__file__).resolve().parent / "fixtures" / "seeds" / "000_52fabd2e9e55d580.txt"
HEADINGS = "<h2>一、总体情况</h2><h2>二、主动公开政府信息情况</h2><h2>三、收到和处理政府信息公开申请情况</h2>"


def page(title: str, body: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>".encode()


def link(href: str, text: str) -> str:
    return f'<li><a href="{href}">{text}</a></li>'


def site_pages(seed: str) -> dict[str, tuple[str, bytes]]:
    html = "text/html; charset=utf-8"
    lines = seed.splitlines()
    return {
        "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /xxgk/private/\n"),
        # A report page used as start URL: stored, and its column link followed.
        "/xxgk/t1.html": (
            html,
            page(
                "甲县2023年政府信息公开工作年度报告",
                f'<a href="/xxgk/ndbg/">政府信息公开年报</a>{HEADINGS}<pre>{seed}</pre>',
            ),
        ),
        "/xxgk/ndbg/": (
            html,
            page(
                "政府信息公开年报",
                "<ul>"
                + "".join(
                    [
                        link("/xxgk/d2.html", "乙局2022年政府信息公开工作年度报告"),
                        link("/xxgk/f3.pdf", "丙局2021年政务公开工作年度报告"),
                        link("/xxgk/n.html", "关于做好2023年政府信息公开工作年度报告编制发布工作的通知"),
                        link("/xxgk/private/r.html", "戊局2019年政府信息公开工作年度报告"),
                        link("/elsewhere/x.html", "己局2019年政府信息公开工作年度报告"),
                    ]
                )
                + '</ul><a href="index_1.html">下一页</a>',
            ),
        ),
        "/xxgk/ndbg/index_1.html": (
            html,
            page("政府信息公开年报", "<ul>" + link("/xxgk/d4.html", "丁镇2020年政府信息公开工作年度报告") + "</ul>"),
        ),
        # Attachment-only detail page: the report attachment is followed, the form is not.
        "/xxgk/d2.html": (
            html,
            page(
                "乙局2022年政府信息公开工作年度报告",
                "<p>详见附件。</p><ul>"
                + "".join(
                    [
                        link("/xxgk/att/b.docx", "附件1：乙局2022年政府信息公开工作年度报告.docx"),
                        link("/xxgk/att/form.doc", "附件2：政府信息公开申请表.doc"),
                    ]
                )
                + "</ul>",
            ),
        ),
        "/xxgk/att/b.docx": (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx_bytes("乙局2022年政府信息公开工作年度报告", lines),
        ),
        "/xxgk/f3.pdf": ("application/pdf", pdf_bytes("丙局2021年政务公开工作年度报告", lines)),
        # A full HTML report that also offers a PDF copy: the page is the report, the copy is not fetched.
        "/xxgk/d4.html": (
            html,
            page(
                "丁镇2020年政府信息公开工作年度报告", f'{HEADINGS}<pre>{seed}</pre><a href="/xxgk/d4.pdf">下载PDF版</a>'
            ),
        ),
    }


@pytest.fixture(scope="module")
def site(static_site):
    if not SEED.exists():
        pytest.skip(f"seed fixture {SEED} is missing")
    server = static_site(site_pages(SEED.read_text(encoding="utf-8")))
    yield server
    server.close()


def _crawl(site, db: Path, **extra) -> set[str]:
    """Crawl; the paths of the stored reports (every fetched document parses, nothing fails)."""
    entry = {"name": "walk", "start_urls": [site.base + "/xxgk/t1.html"], "allow": ["/xxgk/"], **extra}
    summary = crawl({"sites": [entry]}, db=db, throttle=False)
    assert summary.failures == []
    with Store(db) as store:
        return {r.url.removeprefix(site.base) for r in store.reports()}


def test_walk_follows_reports_columns_pages_and_attachments(site, tmp_path):
    site.requested.clear()
    stored = _crawl(site, tmp_path / "a.db")
    assert stored == {"/xxgk/t1.html", "/xxgk/att/b.docx", "/xxgk/f3.pdf", "/xxgk/d4.html"}
    for never in ("/xxgk/n.html", "/xxgk/private/r.html", "/elsewhere/x.html", "/xxgk/att/form.doc", "/xxgk/d4.pdf"):
        assert never not in site.requested
    assert "/xxgk/ndbg/index_1.html" in site.requested


def test_page_budget_limits_list_pages(site, tmp_path):
    site.requested.clear()
    stored = _crawl(site, tmp_path / "b.db", max_pages=2)  # the start page and the column, not page 2
    assert "/xxgk/ndbg/index_1.html" not in site.requested
    assert "/xxgk/d4.html" not in stored and "/xxgk/f3.pdf" in stored
