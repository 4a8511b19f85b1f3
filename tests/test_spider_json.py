"""A JSON list endpoint given as start URL: article links in the JSON, its paging, the site's allow patterns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.run import crawl
from xxgk.store import Store

SEED = Path(__file__).resolve().parent / "fixtures" / "seeds" / "000_52fabd2e9e55d580.txt"
HEADINGS = "<h2>一、总体情况</h2><h2>二、主动公开政府信息情况</h2><h2>三、收到和处理政府信息公开申请情况</h2>"


def report(title: str, seed: str) -> tuple[str, bytes]:
    body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{HEADINGS}<pre>{seed}</pre></body></html>"
    return "text/html; charset=utf-8", body.encode()


def answer(rows: list[dict]) -> tuple[str, bytes]:
    """A TRS-search-style answer with no page count: the crawler asks for pages while they bring links."""
    return "application/json", json.dumps({"code": "200", "data": {"datas": rows}}, ensure_ascii=False).encode()


@pytest.fixture(scope="module")
def site(static_site):
    if not SEED.exists():
        pytest.skip(f"seed fixture {SEED} is missing")
    seed = SEED.read_text(encoding="utf-8")
    api = "/trs/search?channel=ndbg&page="
    server = static_site(
        {
            "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /xxgk/private/\n"),
            api + "1": answer(
                [
                    {"doctitle": "甲县<em>2023</em>年政府信息公开工作年度报告", "docpuburl": "/xxgk/a.html"},
                    {"doctitle": "甲县政府信息公开指南", "docpuburl": "/xxgk/guide.html"},
                    {"doctitle": "乙局2022年政府信息公开工作年度报告", "docpuburl": "/xxgk/private/b.html"},
                ]
            ),
            api + "2": answer([{"doctitle": "丙镇2021年政府信息公开工作年度报告", "docpuburl": "/xxgk/c.html"}]),
            api + "3": answer([]),
            "/xxgk/a.html": report("甲县2023年政府信息公开工作年度报告", seed),
            "/xxgk/c.html": report("丙镇2021年政府信息公开工作年度报告", seed),
            "/xxgk/guide.html": report("甲县政府信息公开指南", seed),
        }
    )
    server.api = api
    yield server
    server.close()


def test_json_start_url_is_paged_outside_the_allow_patterns(site, tmp_path):
    entry = {"name": "api", "start_urls": [site.base + site.api + "1"], "allow": ["/xxgk/"]}
    summary = crawl({"sites": [entry]}, db=tmp_path / "a.db", throttle=False)
    with Store(tmp_path / "a.db") as store:
        stored = {r.url.removeprefix(site.base) for r in store.reports()}
    assert stored == {"/xxgk/a.html", "/xxgk/c.html"} and summary.failures == []
    assert [p for p in site.requested if p.startswith(site.api)] == [site.api + n for n in "123"]
    assert "/xxgk/guide.html" not in site.requested and "/xxgk/private/b.html" not in site.requested
