"""The 数据 pages and their JSON API: compare a metric or cell across agencies or regions and years,
one agency's years side by side, tidy exports, and the cross-year checks shown on report pages.

Mounted by ``create_app`` through ``routes(store, backend, env, call)``; everything comes from the store
(``xxgk.data``) except a full-text query (检索词, ``q``), which the search backend answers as report ids.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from indexer.query import Backend
from indexer.web.charts import line_chart
from xxgk.data import audit, export, facts, filters
from xxgk.data.compare import (
    GROUP_COLUMNS,
    GROUP_LABELS,
    STAT_LABELS,
    STATS,
    CompareError,
    Pivot,
    default_stat,
    pivot,
    value_of,
)
from xxgk.data.metrics import METRICS
from xxgk.data.where import WhereError
from xxgk.explain import cell_label
from xxgk.model import Report
from xxgk.schema import PROACTIVE_ROWS, REQUEST_ROWS, REVIEW_GROUPS
from xxgk.store import Store

Call = Callable[..., Awaitable[Any]]
FILTERS = ("q", "year", "province", "city", "county", "agency_level", "format", "failed_checks", "rule")
LEVELS = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇（街道）", "department": "部门"}
FORMATS = {"2021": "2021 版表格", "2019": "2019 版表格", "unknown": "未识别格式"}
RULE_LABELS = {n: f"规则 {n}" for n in range(1, 7)} | {n: f"规则 {n}：{text}" for n, text in audit.RULES.items()}
TABLES = {
    "proactive": ("表一 主动公开政府信息情况", [f"{r}.{c}" for r, cols in PROACTIVE_ROWS.items() for c in cols]),
    "requests": ("表二 收到和处理政府信息公开申请情况", [f"{r}.total" for r in REQUEST_ROWS]),
    "review_litigation": (
        "表三 政府信息公开行政复议、行政诉讼情况",
        [f"{g}.{c}" for g in REVIEW_GROUPS for c in ("upheld", "corrected", "other", "pending", "total")],
    ),
}
TRENDS = {  # what each table's small chart draws
    "proactive": (
        "proactive.licensing.decisions",
        "proactive.penalty.decisions",
        "proactive.enforcement.decisions",
        "proactive.normative_documents.in_force",
    ),
    "requests": (
        "requests.new.total",
        "requests.granted.total",
        "requests.total.total",
        "requests.carried_forward.total",
    ),
    "review_litigation": (
        "review.total",
        "review.corrected",
        "litigation_direct.total",
        "litigation_after_review.total",
    ),
}
SHORT = {  # chart legends need short names
    "proactive.licensing.decisions": "行政许可",
    "proactive.penalty.decisions": "行政处罚",
    "proactive.enforcement.decisions": "行政强制",
    "proactive.normative_documents.in_force": "规范性文件现行有效",
    "requests.new.total": "本年新收",
    "requests.granted.total": "予以公开",
    "requests.total.total": "办理结果总计",
    "requests.carried_forward.total": "结转下年度",
    "review.total": "行政复议",
    "review.corrected": "复议纠正",
    "litigation_direct.total": "直接起诉",
    "litigation_after_review.total": "复议后起诉",
}


class BadRequest(ValueError):
    """A parameter the page cannot use; the message is shown to the user."""


def number(value: float | int | None) -> str:
    """How the pages print a value: whole numbers as such, others with four significant digits."""
    if value is None:
        return "—"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.4g}"


def known(value: float) -> float | None:
    """A matrix value, or None where it is blank (NaN)."""
    return None if value != value else float(value)


def value_options() -> list[tuple[str, list[tuple[str, str]]]]:
    metrics = [(m.name, f"{m.label}（{m.formula}）") for m in METRICS.values()]
    cells = [(key, cell_label(key)) for key in facts.CELLS]
    return [("派生指标", metrics), ("表格单元格", cells)]


@dataclass
class DataView:
    params: dict[str, str]
    wheres: list[str]
    pivot: Pivot
    stat: str
    reports: int

    def rows(self) -> list[list[float | int | None]]:
        return [
            [row.years[y].get(self.stat) if y in row.years else None for y in self.pivot.years]
            for row in self.pivot.rows
        ]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([GROUP_LABELS[self.pivot.by], *self.pivot.years])
        for row, values in zip(self.pivot.rows, self.rows(), strict=True):
            writer.writerow([row.label, *("" if v is None else repr(v) if isinstance(v, float) else v for v in values)])
        return out.getvalue()

    @property
    def where_text(self) -> str:
        """The conditions as one (several are all required)."""
        return self.wheres[0] if len(self.wheres) == 1 else " and ".join(f"({w})" for w in self.wheres)

    def query_string(self) -> str:
        return urlencode([*self.params.items(), *(("where", w) for w in self.wheres)])

    def export_query(self) -> str:
        """The view's filters for ``/api/export``, where ``format`` is the output and ``table_format`` the filter."""
        kept = [(("table_format" if k == "format" else k), v) for k, v in self.params.items() if k in FILTERS]
        return urlencode([*kept, *(("where", w) for w in self.wheres), ("shape", "wide"), ("format", "csv")])


def parse_view(
    params: dict[str, str], wheres: list[str], backend: Backend | None = None
) -> tuple[facts.Selection, Any, Any, str, str]:
    try:
        value = value_of(params.get("value") or "requests_received")
        by = params.get("by") or "province"
        if by not in GROUP_LABELS:
            raise BadRequest(f"分组方式应为 {'、'.join(GROUP_LABELS)} 之一")
        stat = params.get("stat") or default_stat(value, by)
        if stat not in STATS:
            raise BadRequest(f"统计方式应为 {'、'.join(STATS)} 之一")
        selection, where = filters.from_params(params, wheres, backend)
    except (CompareError, WhereError, filters.FilterError) as exc:
        raise BadRequest(str(exc)) from exc
    return selection, where, value, by, stat


def build_view(store: Store, params: dict[str, str], wheres: list[str], backend: Backend | None = None) -> DataView:
    selection, where, value, by, stat = parse_view(params, wheres, backend)
    chosen = facts.select(store, selection, where, columns=GROUP_COLUMNS[by], cells=value.cells, ordered=False)
    kept = {k: v for k, v in params.items() if k in (*FILTERS, "value", "by", "stat") and v}
    return DataView(kept, [w for w in wheres if w.strip()], pivot(chosen, value, by), stat, len(chosen))


def agency_view(store: Store, series: str) -> dict[str, Any] | None:
    chosen = facts.load(store, facts.Selection(series=series))
    if not len(chosen):
        return None
    order = sorted(range(len(chosen)), key=lambda i: (chosen.columns["year"][i] or 0, chosen.columns["url"][i]))
    columns = [
        {"id": chosen.columns["id"][i], "year": chosen.columns["year"][i], "title": chosen.columns["title"][i]}
        for i in order
    ]
    years = sorted({c["year"] for c in columns if c["year"] is not None})
    tables = []
    for key, (title, cells) in TABLES.items():
        rows = [
            {
                "key": cell,
                "label": cell_label(cell),
                "values": [number(known(chosen.cell(cell)[i])) for i in order],
            }
            for cell in cells
        ]
        lines = []
        for cell in TRENDS[key]:
            by_year: dict[int, float | None] = {}
            for i in order:
                year = chosen.columns["year"][i]
                if year is not None:
                    by_year[year] = known(chosen.cell(cell)[i])
            lines.append((SHORT[cell], by_year))
        tables.append(
            {
                "key": key,
                "title": title,
                "rows": rows,
                "chart": line_chart(years, lines, title=title, width=640, height=240),
            }
        )
    metrics = [
        {
            "label": m.label,
            "formula": m.formula,
            "values": [number(known(m.column(chosen)[i])) for i in order],
        }
        for m in METRICS.values()
    ]
    first = order[0]
    checks = [c for rid in {c["id"] for c in columns} for c in audit.checks_of(store, rid)]
    unique = {(c.rule, c.earlier, c.later, c.message): c for c in checks}
    year_of = {c["id"]: c["year"] for c in columns}
    return {
        "agency": chosen.columns["agency"][first],
        "region": " ".join(p for p in (chosen.columns[k][first] for k in ("province", "city", "county")) if p),
        "code": chosen.columns["code"][first],
        "columns": columns,
        "tables": tables,
        "metrics": metrics,
        "checks": [
            {
                "rule": c.rule,
                "message": c.message,
                "earlier": c.earlier,
                "later": c.later,
                "earlier_year": year_of.get(c.earlier),
                "later_year": year_of.get(c.later),
            }
            for c in sorted(unique.values(), key=lambda c: (year_of.get(c.later) or 0, c.rule))
        ],
    }


def report_context(store: Store, report: Report) -> dict[str, Any]:
    """What a report page adds from the data side: its cross-year failures (each with the other year's
    report) and the link to its agency's years."""
    facts.sync(store)
    report_id = report.id
    out = []
    for check in audit.checks_of(store, report_id):
        other_id = check.later if check.earlier == report_id else check.earlier
        other = store.get(other_id)
        mine = check.earlier_cells if check.earlier == report_id else check.later_cells
        out.append(
            {
                "rule": check.rule,
                "severity": audit.SEVERITY[check.rule],
                "message": check.message,
                "other_id": other_id,
                "other_year": other.year if other else None,
                "other_title": (other.title if other else None) or other_id,
                "relation": "下一年度" if check.earlier == report_id else "上一年度",
                "cells": list(mine),
            }
        )
    series = facts.series_key(report)
    return {"cross_year": out, "agency_series": f"/agency?{urlencode({'series': series})}" if series else None}


def routes(store: Store, backend: Backend, env: jinja2.Environment, call: Call) -> list[Route]:
    """The data pages' routes over an open store (``call`` runs a store function in turn with the others);
    ``backend`` answers a full-text query."""

    def page(name: str, http_status: int = 200, /, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), status_code=http_status)

    def params_of(request: Request) -> tuple[dict[str, str], list[str]]:
        items = request.query_params.multi_items()
        return {k: v for k, v in items if k != "where"}, [v for k, v in items if k == "where"]

    async def view(request: Request) -> DataView:
        params, wheres = params_of(request)
        return await call(build_view, store, params, wheres, backend)

    async def data_page(request: Request) -> Response:
        try:
            current = await view(request)
        except BadRequest as exc:
            return page("error.html", 400, status=400, message=f"查询参数有误：{exc}")
        table = current.pivot
        lines = [
            (row.label, dict(zip(table.years, values, strict=True)))
            for row, values in zip(table.rows, current.rows(), strict=True)
        ]
        lines.sort(key=lambda line: -sum(v for v in line[1].values() if v is not None))  # the chart draws the largest
        title = f"{table.value.label} · {STAT_LABELS[current.stat]}（按{GROUP_LABELS[table.by]}）"
        return page(
            "data.html",
            view=current,
            table=table,
            values=current.rows(),
            title=title,
            chart=line_chart(table.years, lines, title=title),
            value_options=value_options(),
            group_labels=GROUP_LABELS,
            stat_labels=STAT_LABELS,
            levels=LEVELS,
            formats=FORMATS,
            rules=RULE_LABELS,
            number=number,
        )

    async def data_csv(request: Request) -> Response:
        try:
            current = await view(request)
        except BadRequest as exc:
            return Response(str(exc), 400, media_type="text/plain; charset=utf-8")
        return Response(
            current.csv(),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="xxgk-data.csv"'},
        )

    async def api_compare(request: Request) -> Response:
        try:
            current = await view(request)
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, 400)
        return JSONResponse({**current.pivot.to_dict(), "stat": current.stat, "reports": current.reports})

    async def api_export(request: Request) -> Response:
        params, wheres = params_of(request)
        shape, fmt = params.pop("shape", "wide"), params.pop("format", "csv")
        if "table_format" in params:
            params["format"] = params.pop("table_format")
        if shape not in export.SHAPES or fmt not in export.FORMATS:
            message = f"shape: {'|'.join(export.SHAPES)}, format: {'|'.join(export.FORMATS)}"
            return JSONResponse({"error": message}, 400)

        def make() -> bytes:
            selection, where = filters.from_params(params, wheres, backend)
            chosen = facts.select(store, selection, where)
            table = export.wide_table(chosen) if shape == "wide" else export.long_table(store, chosen)
            out = io.BytesIO()
            export.write(table, fmt, out)
            return out.getvalue()

        try:
            body = await call(make)
        except ValueError as exc:  # a filter or condition that does not parse (WhereError, FilterError), too many rows
            return JSONResponse({"error": str(exc)}, 400)
        media = {
            "csv": "text/csv; charset=utf-8",
            "jsonl": "application/x-ndjson; charset=utf-8",
            "parquet": "application/vnd.apache.parquet",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[fmt]
        name = f"xxgk-{shape}.{fmt}"
        return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})

    async def agency_page(request: Request) -> Response:
        series = request.query_params.get("series", "")
        found = await call(agency_view, store, series) if series else None
        if found is None:
            return page("error.html", 404, status=404, message="没有找到这个机构的报告。")
        return page("agency.html", **found)

    return [
        Route("/data", data_page),
        Route("/data.csv", data_csv),
        Route("/agency", agency_page),
        Route("/api/compare", api_compare),
        Route("/api/export", api_export),
    ]
