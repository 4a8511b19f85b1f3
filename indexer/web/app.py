"""The ASGI app behind ``xxgk serve``: a JSON API and a server-rendered search page.

Search goes to the index backend; a single report always comes from the store,
the source of truth. Pages are rendered on the server and carry no JavaScript,
so no search key of any kind (Meilisearch's included) ever reaches a browser.
Every piece of crawled text is escaped by the template engine; the backend's
snippets are re-sanitised so that only ``<mark>`` survives as markup.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import jinja2
import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from indexer.query import (
    FACETS,
    LEVEL_LABELS,
    MAX_OFFSET,
    PARAMS,
    Backend,
    Hit,
    Query,
    QueryError,
    SearchResult,
    resolve_where,
)
from indexer.web import data
from indexer.web.tables import report_tables
from xxgk.explain import RULE_NAMES, cell_label, disagreeing_cells, explain_check, explain_problem
from xxgk.model import Region, Report
from xxgk.schema import SECTIONS
from xxgk.store import Store

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
T = TypeVar("T")

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
FORMAT_LABELS = {"2021": "2021 版表格", "2019": "2019 版表格", "unknown": "未识别格式"}
SOURCE_LABELS = {"html": "网页", "pdf": "PDF", "docx": "Word (docx)", "doc": "Word (doc)", "text": "文本"}
FACET_LABELS = {
    "year": "年度",
    "province": "省份",
    "city": "城市",
    "county": "区县",
    "agency": "发布机构",
    "agency_level": "机构层级",
    "format": "表格格式",
    "failed_checks": "勾稽校验",
}
SORT_LABELS = {
    "relevance": "按相关度",
    "-year": "年度（新→旧）",
    "year": "年度（旧→新）",
    "-published": "发布日期（新→旧）",
    "published": "发布日期（旧→新）",
}
SECTION_LABELS = {key: heading or "前言" for key, heading in SECTIONS.items()}
TRUTHY = {"1", "true", "True"}  # how backends and the page spell "has failed checks"
DRILL_DOWN = {"province": ("city", "county"), "city": ("county",)}  # choosing a region clears the levels below
PAGE_SIZE = 20
PAGE_PARAMS = tuple(p for p in PARAMS if p not in ("facets", "facet_limit"))  # the page picks its own facets
MARK_RE = re.compile(r"(</?mark>)")


# -- helpers shared by pages and API ------------------------------------------------


def safe_snippet(snippet: str) -> str:
    """Keep ``<mark>``/``</mark>``; everything else becomes escaped text (idempotent on escaped input)."""
    return "".join(
        part if part in ("<mark>", "</mark>") else html.escape(html.unescape(part), quote=False)
        for part in MARK_RE.split(snippet)
    )


def safe_href(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) link, else None (no javascript:, data: …)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def region_text(region: Region) -> str:
    return " ".join(p for p in (region.province, region.city, region.county) if p)


def hit_json(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "agency": hit.agency,
        "year": hit.year,
        "region": {k: getattr(hit.region, k) for k in ("province", "city", "county", "code")},
        "url": hit.url,
        "snippet": safe_snippet(hit.snippet),
    }


def facet_param(name: str, value: str) -> str:
    """The request parameter value that selects a facet value the backend reported."""
    if name == "failed_checks":
        return "1" if value in TRUTHY else "0"
    return value


def facet_label(name: str, value: str) -> str:
    if name == "failed_checks":
        return "有未通过的校验" if value in TRUTHY else "全部通过"
    if name == "agency_level":
        return LEVEL_LABELS.get(value, value)
    if name == "format":
        return FORMAT_LABELS.get(value, value)
    if name == "year":
        return f"{value} 年"
    return value


class SecurityHeaders:
    """ASGI middleware adding CSP and friends to every response, error pages included."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode("latin-1") not in SECURITY_HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- the page's view of a search -------------------------------------------------------


def link(filters: dict[str, str], **changes: str | None) -> str:
    """A search-page URL with ``filters`` changed; a changed filter sends you back to the first page."""
    params = {k: v for k, v in filters.items() if k != "offset"}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "/?" + "&".join(_encoded(k, v) for k, v in params.items()) if params else "/"


@lru_cache(maxsize=4096)
def _encoded(key: str, value: str) -> str:
    """One ``key=value`` of a query string, as ``urlencode`` writes it (a page repeats the same few)."""
    return urlencode({key: value})


class FastJSONResponse(JSONResponse):
    """``JSONResponse`` encoded by orjson: the same compact UTF-8 JSON, a fraction of the CPU."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def page_facets(filters: dict[str, str]) -> tuple[str, ...]:
    """Facets the page shows: region drills down province → city → county."""
    names = ["year", "province"]
    if "province" in filters:
        names.append("city")
    if "city" in filters:
        names.append("county")
    return (*names, "agency_level", "format", "failed_checks")


def facet_panels(result: SearchResult, filters: dict[str, str], names: tuple[str, ...]) -> list[dict[str, Any]]:
    panels = []
    for name in names:
        counts = result.facets.get(name) or {}
        if name == "year":
            ordered = sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
        else:
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        clears = DRILL_DOWN.get(name, ())
        options = []
        for value, count in ordered:
            if not count:
                continue
            param = facet_param(name, str(value))
            active = filters.get(name) == param
            href = link(filters, **{name: None if active else param}, **dict.fromkeys(clears))
            options.append({"label": facet_label(name, str(value)), "count": count, "href": href, "active": active})
        if options:
            panels.append({"name": name, "label": FACET_LABELS[name], "options": options})
    return panels


def active_filters(filters: dict[str, str]) -> list[dict[str, str]]:
    chips = []
    for name in FACETS:
        if name in filters:
            chips.append(
                {
                    "label": f"{FACET_LABELS[name]}：{facet_label(name, filters[name])}",
                    "href": link(filters, **{name: None}, **dict.fromkeys(DRILL_DOWN.get(name, ()))),
                }
            )
    return chips


@dataclass(frozen=True)
class PageLink:
    label: str
    href: str | None  # None: the current page or a gap
    current: bool = False


def pagination(total: int, query: Query, filters: dict[str, str]) -> list[PageLink]:
    """Previous/next and page numbers around the current page; empty when everything fits on one page."""
    size = query.limit or PAGE_SIZE
    last = min(total - 1, MAX_OFFSET) // size if total else 0
    if last == 0:
        return []
    current = query.offset // size
    pages = sorted({0, last, *range(max(0, current - 2), min(last, current + 2) + 1)})
    items: list[PageLink] = []
    if current > 0:
        items.append(PageLink("上一页", link(filters, offset=_page_offset(current - 1, size))))
    for previous, page in zip([None, *pages], pages, strict=False):
        if previous is not None and page - previous > 1:
            items.append(PageLink("…", None))
        href = None if page == current else link(filters, offset=_page_offset(page, size))
        items.append(PageLink(str(page + 1), href, page == current))
    if current < last:
        items.append(PageLink("下一页", link(filters, offset=_page_offset(current + 1, size))))
    return items


def _page_offset(page: int, size: int) -> str | None:
    return str(page * size) if page else None


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# -- the application ----------------------------------------------------------------------


def create_app(store: Store, backend: Backend, *, title: str = "政府信息公开工作年度报告检索") -> ASGIApp:
    """Build the app over an open store and a search backend; neither is closed by the app."""
    store_lock = threading.Lock()  # one store connection: its calls take turns; searches run side by side
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are compiled once, not checked on disk at every request
    )
    env.globals.update(site_title=title, section_labels=SECTION_LABELS, sort_labels=SORT_LABELS, cell_label=cell_label)

    async def read(fn: Callable[..., T], *args: Any) -> T:
        def locked() -> T:
            with store_lock:
                return fn(*args)

        return await run_in_threadpool(locked)

    async def search(query: Query) -> tuple[Query, SearchResult]:
        """``query`` with its ``where`` and ``rule`` resolved against the store, and its result: one trip
        to the thread pool, and the store lock taken only for those."""

        def run() -> tuple[Query, SearchResult]:
            resolved = query
            if query.needs_store:
                with store_lock:
                    resolved = resolve_where(query, store)
            return resolved, backend.search(resolved)

        return await run_in_threadpool(run)

    def render(name: str, code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status_code=code)

    def error_page(status: int, message: str) -> HTMLResponse:
        return render("error.html", status, status=status, message=message)

    async def api_search(request: Request) -> Response:
        try:
            _, result = await search(Query.from_params(request.query_params.multi_items()))
        except QueryError as exc:
            return JSONResponse({"error": str(exc), "param": exc.param}, status_code=400)
        return FastJSONResponse(
            {"total": result.total, "hits": [hit_json(h) for h in result.hits], "facets": result.facets}
        )

    async def api_facets(request: Request) -> Response:
        if request.query_params:
            return JSONResponse({"error": "/api/facets takes no parameters; use /api/search?facets="}, 400)
        result = await run_in_threadpool(backend.search, Query(limit=0, facets=FACETS))
        return JSONResponse({"total": result.total, "facets": result.facets})

    async def api_report(request: Request) -> Response:
        report = await read(store.get, request.path_params["id"])
        if report is None:
            return JSONResponse({"error": "no report with this id"}, status_code=404)
        return JSONResponse(report.to_dict())

    async def search_page(request: Request) -> Response:
        try:
            query = Query.from_params(request.query_params.multi_items(), allowed=PAGE_PARAMS, limit=PAGE_SIZE)
            filters = query.to_params(limit=PAGE_SIZE)
            names = page_facets(filters)
            query = replace(query, facets=names)
            if not query.text and "sort" not in filters:
                query = replace(query, sort="-year")  # browsing without words: newest reports first
            query, result = await search(query)
        except QueryError as exc:
            return error_page(400, f"查询参数有误：{exc.chinese}。")
        return render(
            "search.html",
            query=query,
            result=result,
            hits=[_hit_view(h) for h in result.hits],
            panels=facet_panels(result, filters, names),
            chips=active_filters(filters),
            pages=pagination(result.total, query, filters),
            hidden={k: v for k, v in filters.items() if k not in ("q", "offset", "sort", "section", "limit")},
            first=query.offset + 1,
            last=query.offset + len(result.hits),
        )

    async def report_page(request: Request) -> Response:
        report_id = request.path_params["id"]
        report = await read(store.get, report_id)
        if report is None:
            return error_page(404, "没有找到这份报告。")
        earlier = await read(store.versions, report_id)
        extra = await read(data.report_context, store, report)
        return render("report.html", **_report_view(report, len(earlier)), **extra)

    async def not_found(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 404
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "not found" if status == 404 else "method not allowed"}, status)
        return error_page(status, "页面不存在。" if status == 404 else "不支持的请求方法。")

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path, exc_info=exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "internal error"}, 500)
        return error_page(500, "服务器内部错误。")

    routes = [
        Route("/", search_page),
        Route("/reports/{id}", report_page),
        Route("/api/search", api_search),
        Route("/api/facets", api_facets),
        Route("/api/reports/{id}", api_report),
        *data.routes(store, backend, env, read),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found, 500: server_error})
    return SecurityHeaders(app)  # outside Starlette's error middleware, so 500 responses carry the headers too


def _hit_view(hit: Hit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title or "（无标题）",
        "agency": hit.agency,
        "year": hit.year,
        "region": region_text(hit.region),
        "snippet": safe_snippet(hit.snippet),
        "source": safe_href(hit.url),
    }


def _report_view(report: Report, earlier_versions: int) -> dict[str, Any]:
    tables = report_tables(report)
    known = [k for k in SECTIONS if report.sections.get(k) or k in tables]
    unknown = [k for k in report.sections if k not in SECTIONS and report.sections[k]]
    sections = [
        {
            "key": key,
            "heading": SECTION_LABELS.get(key, key),
            "paragraphs": paragraphs(report.sections.get(key, "")),
            "table": tables.get(key),
        }
        for key in (*known, *unknown)
    ]
    if not report.sections and report.text:
        sections.append({"key": "text", "heading": "正文", "paragraphs": paragraphs(report.text), "table": None})
    checks = [
        {
            "rule": c.rule,
            "name": RULE_NAMES.get(c.rule, ""),
            "text": explain_check(c, report),
            "cells": disagreeing_cells(c, report),
        }
        for c in report.checks
    ]
    return {
        "report": report,
        "checks": checks,
        "problems": [explain_problem(p) for p in report.problems],
        "title": report.title or "（无标题）",
        "region": region_text(report.region),
        "level": LEVEL_LABELS.get(report.agency_level or "", report.agency_level),
        "format_label": FORMAT_LABELS.get(report.format, report.format),
        "source_label": SOURCE_LABELS.get(report.source_type, report.source_type),
        "source": safe_href(report.url),
        "earlier_versions": earlier_versions,
        "sections": sections,
        "raw_table": tables.get("raw"),
        "table_cells": {c.key for t in tables.values() for row in t.body for c in row if c.key},
        "inferred": sum(c.inferred for t in tables.values() for row in t.body for c in row),
        "agency_link": link({"agency": report.agency}) if report.agency else None,
    }
