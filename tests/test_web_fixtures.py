"""Shared by the web tests: a small store of reports and an in-memory backend over it.

``ListBackend`` implements the ``indexer.query.Backend`` protocol over a list of
reports (substring match, exact filters, facet counts); it is the web layer's
test double, so these tests do not depend on which real index is installed.
It records every query it receives, so tests can see what the web layer asked for.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from indexer.query import Hit, Query, SearchResult
from xxgk.model import Check, Region, Report, content_hash, report_id
from xxgk.schema import TABLE_ROWS
from xxgk.store import Store

XSS = '<script>window.__xss = 1; alert("xss")</script>'
XSS_IMG = '<img src="x" onerror="window.__xss = 1">'


def zero_tables() -> dict[str, dict[str, int | float | None]]:
    return {row: dict.fromkeys(cols, 0) for row, cols in TABLE_ROWS.items()}


def make_report(n: int, **fields: object) -> Report:
    url = fields.pop("url", f"https://www.gov.example.cn/xxgk/{n}.html")
    report = Report(
        id=report_id(str(url)),
        url=str(url),
        title=f"测试县第{n}号单位2023年政府信息公开工作年度报告",
        agency=f"测试县第{n}号单位",
        agency_level="county",
        year=2023,
        region=Region("黑龙江省", "佳木斯市", "抚远市", "230883"),
        published="2024-01-20",
        format="2021",
        sections={"overview": f"第{n}号单位总体情况：依申请公开工作稳步推进。", "problems": "存在的问题：培训不足。"},
        tables=zero_tables(),
        text=f"第{n}号单位总体情况：依申请公开工作稳步推进。存在的问题：培训不足。",
        source_type="html",
        site="gov.example.cn",
        fetched_at="2024-03-01T00:00:00+00:00",
    )
    for key, value in fields.items():
        setattr(report, key, value)
    report.content_hash = content_hash(repr(report.to_dict()).encode())
    return report


def failing_report() -> Report:
    """A report whose Table 2 breaks rule 3 in one row and has a blank cell with raw text."""
    tables = zero_tables()
    tables["requests.new"].update(natural_person=5, commercial=2, total=9)  # 5 + 2 != 9
    tables["requests.carried_forward"]["legal"] = None
    tables["proactive.fees"]["amount_10k_yuan"] = 25.1
    return make_report(
        900,
        title="抚远镇人民政府2024年政府信息公开工作年度报告",
        agency="抚远镇人民政府",
        agency_level="township",
        year=2024,
        tables=tables,
        cells_raw={"requests.carried_forward.legal": "/", "proactive.fees.amount_10k_yuan": "251000元"},
        checks=[
            Check(
                3,
                "本年新收申请：总计 9 ≠ 各类申请人之和 7",
                ["requests.new.total", "requests.new.natural_person", "requests.new.commercial"],
            ),
        ],
        problems=["结转下年度 法律服务机构 一栏为“/”"],
        sections={
            "overview": "抚远镇人民政府认真贯彻落实《条例》。",
            "requests": "本年度共收到申请9件。",
            "review_litigation": "未发生行政复议、行政诉讼。",
        },
        text="抚远镇人民政府认真贯彻落实《条例》。本年度共收到申请9件。",
    )


def planted_report() -> Report:
    """Crawled text with markup planted everywhere a page could echo it."""
    tables = zero_tables()
    tables["requests.new"]["total"] = None
    return make_report(
        901,
        url="https://evil.example.cn/report.html",
        title=f"恶意标题{XSS}",
        agency=f"机构{XSS_IMG}",
        region=Region("黑龙江省", f"市{XSS}", None, None),
        year=2022,
        sections={"overview": f"正文{XSS}{XSS_IMG}", "other": "普通内容"},
        tables=tables,
        cells_raw={"requests.new.total": XSS},
        tables_raw={f"旧表{XSS}": ["1", XSS_IMG]},
        checks=[Check(1, f"消息{XSS}", ["requests.new.total"])],
        problems=[f"问题{XSS_IMG}"],
        text=f"恶意正文{XSS}",
        published="2023-02-01",
    )


def sample_reports() -> list[Report]:
    """25 ordinary reports over two provinces and three years, plus the failing and planted ones."""
    places = [
        Region("黑龙江省", "佳木斯市", "抚远市", "230883"),
        Region("黑龙江省", "哈尔滨市", "道里区", "230102"),
        Region("河南省", "新乡市", "卫滨区", "410703"),
    ]
    reports = [
        make_report(i, region=places[i % 3], year=2021 + i % 3, agency_level=("county", "city")[i % 2])
        for i in range(25)
    ]
    return [*reports, failing_report(), planted_report()]


class ListBackend:
    """The ``Backend`` protocol over a list of reports, recording the queries it is asked."""

    name = "list"

    def __init__(self, reports: Iterable[Report] = ()):
        self.reports: dict[str, Report] = {r.id: r for r in reports}
        self.queries: list[Query] = []

    def add(self, reports: list[Report]) -> None:
        self.reports.update({r.id: r for r in reports})

    def delete(self, ids: list[str]) -> None:
        for i in ids:
            self.reports.pop(i, None)

    def rebuild(self, reports: Iterable[Report]) -> None:
        self.reports = {r.id: r for r in reports}

    def count(self) -> int:
        return len(self.reports)

    def search(self, query: Query) -> SearchResult:
        self.queries.append(query)
        found = [r for r in self.reports.values() if self._matches(r, query)]
        if query.sort in ("year", "-year"):
            found.sort(key=lambda r: (r.year or 0, r.url or ""), reverse=query.sort == "-year")
        else:
            found.sort(key=lambda r: r.url or "")
        facets = {name: dict(Counter(self._facet_value(r, name) for r in found)) for name in query.facets}
        facets = {name: {k: v for k, v in counts.items() if k is not None} for name, counts in facets.items()}
        page = found[query.offset : query.offset + query.limit]
        return SearchResult(total=len(found), hits=[self._hit(r, query) for r in page], facets=facets)

    @staticmethod
    def _text(report: Report, query: Query) -> str:
        if query.section:
            return report.sections.get(query.section, "")
        return " ".join([report.title or "", report.text, *report.sections.values()])

    def _matches(self, report: Report, query: Query) -> bool:
        if query.text and not all(word in self._text(report, query) for word in query.text.split()):
            return False
        if query.year_from is not None and (report.year is None or not query.year_from <= report.year):
            return False
        if query.year_to is not None and (report.year is None or not report.year <= query.year_to):
            return False
        for name in ("province", "city", "county"):
            wanted = getattr(query, name)
            if wanted is not None and getattr(report.region, name) != wanted:
                return False
        for name in ("agency", "agency_level", "format"):
            wanted = getattr(query, name)
            if wanted is not None and getattr(report, name) != wanted:
                return False
        return query.failed_checks is None or bool(report.checks) == query.failed_checks

    @staticmethod
    def _facet_value(report: Report, name: str) -> str | None:
        if name in ("province", "city", "county"):
            return getattr(report.region, name)
        if name == "failed_checks":
            return "true" if report.checks else "false"
        value = getattr(report, name)
        return None if value is None else str(value)

    def _hit(self, report: Report, query: Query) -> Hit:
        text = self._text(report, query)
        word = query.text.split()[0] if query.text.split() else ""
        at = text.find(word) if word else -1
        if at < 0:
            snippet = html.escape(text[:80])
        else:
            start = max(0, at - 20)
            snippet = (
                html.escape(text[start:at])
                + "<mark>"
                + html.escape(word)
                + "</mark>"
                + html.escape(text[at + len(word) : at + len(word) + 60])
            )
        return Hit(report.id, report.title, report.agency, report.year, report.region, report.url, snippet)


def fill_store(path: Path, reports: Iterable[Report]) -> Store:
    store = Store(path)
    for report in reports:
        store.save(report)
    return store
