"""The list-page budget counts distinct list pages actually fetched, and says once per site when it is reached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.run import crawl
from xxgk.store import Store

SEED = Path(__file__).resolve().parent / "fixtures" / "seeds" / "000_52fabd2e9e55d580.txt"
PAGES = 8
AGENCIES = "甲乙丙丁戊己庚辛"


def _list_page(n: int) -> bytes:
    """Page ``n`` of a report column: one report, links to the first, previous and next pages (each linked
    from several pages, as real paginators do), and a column link robots.txt disallows."""
    name = "index.html" if n == 0 else f"index_{n}.html"
    links = [f'<a href="r{n}.txt">{AGENCIES[n]}局2023年政府信息公开工作年度报告</a>']
    links += ['<a href="index.html">首页</a>']
    if n > 0:
        links.append(f'<a href="{"index.html" if n == 1 else f"index_{n - 1}.html"}">上一页</a>')
    if n + 1 < PAGES:
        links.append(f'<a href="index_{n + 1}.html">下一页</a>')
    links.append(f'<a href="/xxgk/private/col{n}/">政府信息公开年报</a>')
    body = f"<html><head><title>年报 {name}</title></head><body>{''.join(links)}</body></html>"
    return body.encode()


def paged_pages(seed: bytes) -> dict[str, tuple[str, bytes]]:
    pages = {"/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /xxgk/private/\n")}
    for n in range(PAGES):
        path = "/xxgk/ndbg/index.html" if n == 0 else f"/xxgk/ndbg/index_{n}.html"
        pages[path] = ("text/html; charset=utf-8", _list_page(n))
        pages[f"/xxgk/ndbg/r{n}.txt"] = ("text/plain; charset=utf-8", seed)
    return pages


@pytest.fixture(scope="module")
def site(static_site):
    if not SEED.exists():
        pytest.skip(f"seed fixture {SEED} is missing")
    server = static_site(paged_pages(SEED.read_bytes()))
    yield server
    server.close()


def _crawl(site, db: Path, max_pages: int) -> set[str]:
    entry = {"name": "paged", "start_urls": [site.base + "/xxgk/ndbg/index.html"], "allow": ["/xxgk/"]}
    summary = crawl({"sites": [{**entry, "max_pages": max_pages}]}, db=db, throttle=False)
    assert summary.failures == []
    with Store(db) as store:
        return {r.url.removeprefix(site.base) for r in store.reports()}


def test_budget_counts_each_list_page_once_and_not_disallowed_ones(site, tmp_path, capfd):
    # Every page links three others and a disallowed column: a budget of the pages plus one slot (for the
    # last page's disallowed link, tried in turn) walks them all.
    site.requested.clear()
    stored = _crawl(site, tmp_path / "a.db", max_pages=PAGES + 1)
    assert stored == {f"/xxgk/ndbg/r{n}.txt" for n in range(PAGES)}
    lists = [p for p in site.requested if "/index" in p]
    assert len(lists) == len(set(lists)) == PAGES  # each list page fetched once, the start page too
    assert not any("/private/" in p for p in site.requested)
    assert "budget" not in capfd.readouterr().err


def test_budget_reached_is_said_once_per_site(site, tmp_path, capfd):
    site.requested.clear()
    stored = _crawl(site, tmp_path / "b.db", max_pages=3)
    assert stored == {f"/xxgk/ndbg/r{n}.txt" for n in range(3)}
    assert "/xxgk/ndbg/index_3.html" not in site.requested
    err = capfd.readouterr().err
    assert err.count("budget") == 1
    assert re.search(r"paged: page budget of 3 list pages reached; [1-9]\d* more list pages were not fetched", err)
