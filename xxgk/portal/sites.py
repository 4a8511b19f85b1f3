"""The demo sites' content: which URLs exist, what they answer, which are reports, which are traps.

Five CMS styles (see the module functions): ``trs`` (GBK, JavaScript paging), ``hanweb`` (UTF-8,
下一页/?page=N paging, some reports only as attachments), ``attach`` (reports only as PDF/DOCX files),
``jpage`` (records in a script block, the rest from a POST data proxy) and ``json`` (a JSON list endpoint).
Everything is keyed by resource key (path plus non-tracking query); the portal turns keys into URLs.
"""

from __future__ import annotations

import dataclasses
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from urllib.parse import quote

from xxgk.generate import GeneratedReport, generate, render, render_body
from xxgk.generate.series import Planted, chain_all
from xxgk.model import Region
from xxgk.portal import templates as tpl
from xxgk.portal.agencies import agency_pool, region_of
from xxgk.portal.docs import docx_bytes, pdf_bytes
from xxgk.portal.faults import FaultState
from xxgk.portal.resources import Query, Resource, redirect, resource_key, static

CST = timezone(timedelta(hours=8))
HTML_LAYOUTS = ("html_grid", "html_messy")
YEARS = tuple(range(2024, 2018, -1))  # reporting years, newest first


def _epoch(day: str) -> float:
    return datetime.fromisoformat(day).replace(hour=9, minute=30, tzinfo=CST).timestamp()


@dataclass
class SiteContent:
    """One site: its resources, the truth about them and its faults."""

    name: str
    kind: str
    title: str  # the site's own name, e.g. 抚远市人民政府
    region: Region
    start_paths: list[str]
    allow: list[str]  # URL regexes a crawler may follow
    deny: list[str]
    resources: dict[str, Resource] = field(default_factory=dict)
    faults: FaultState = field(default_factory=FaultState)
    truth: dict[str, GeneratedReport] = field(default_factory=dict)  # key -> report
    renderers: dict[str, Callable[[GeneratedReport], bytes]] = field(default_factory=dict)  # key -> bytes maker
    non_reports: set[str] = field(default_factory=set)
    disallowed: list[str] = field(default_factory=list)  # robots.txt Disallow prefixes
    fault_paths: dict[str, str] = field(default_factory=dict)  # path (with query) -> fault kind
    trap: Callable[[str], Resource | None] | None = None
    handlers: dict[str, Callable[[Query], Resource]] = field(default_factory=dict)  # path -> answer per request
    cross_year: list[Planted] = field(default_factory=list)  # planted cross-year breaks (xxgk.generate.series)

    def add(self, path: str, resource: Resource) -> None:
        key = resource_key(path)
        if key in self.resources:
            raise ValueError(f"{self.name}: duplicate path {key}")
        self.resources[key] = resource

    def add_report(
        self,
        path: str,
        report: GeneratedReport,
        content_type: str,
        renderer: Callable[[GeneratedReport], bytes],
        **headers: str,
    ) -> None:
        key = resource_key(path)
        self.add(path, Resource(content_type, lambda: renderer(report), _epoch(report.published), headers=headers))
        self.truth[key] = report
        self.renderers[key] = renderer

    def add_article(
        self,
        path: str,
        entry: Entry,
        shell: Callable[[str, str, str, str], bytes],
        rng: random.Random,
        charset: str = "utf-8",
    ) -> None:
        """A list entry's HTML detail page: its report in one of the HTML layouts, or its plain article;
        ``shell(title, day, source, body)`` is the site's page around the body."""
        content_type = f"text/html; charset={charset}"
        if entry.report is None:
            body = shell(entry.title, entry.day, self.title, tpl.simple_article(entry.paragraphs))
            self.add_non_report(path, static(content_type, body, _epoch(entry.day)))
            return
        layout = rng.choice(HTML_LAYOUTS)
        self.add_report(
            path, entry.report, content_type, lambda r: shell(r.title, r.published, r.agency, render_body(r, layout))
        )

    def add_non_report(self, path: str, resource: Resource) -> None:
        """A document that is not an annual report (guide, budget, notice ...)."""
        self.add(path, resource)
        self.non_reports.add(resource_key(path))

    def add_date_trap(self, link: str, prefix: str, title: str) -> None:
        """Endless calendar pages under ``prefix`` (robots-disallowed), entered through ``link``.

        Each page links the next day and a search result page.
        """

        def page(key: str) -> Resource | None:
            if not key.startswith(prefix):
                return None
            day = date(2024, 1, 1) + timedelta(days=sum(map(ord, key)) % 3000)
            links = [
                tpl.ListItem(f"{prefix}index.jsp?date={day + timedelta(days=1)}", "后一天", ""),
                tpl.ListItem(f"{prefix}index.jsp?date={day}&q=ndbg", "搜索：政府信息公开工作年度报告", ""),
            ]
            body = tpl.link_page(site=self.title, title=f"{title} {day}", links=links).encode()
            return static("text/html; charset=utf-8", body, _epoch("2024-01-01"))

        self.fault_paths[link] = "trap"
        self.trap = page

    def lookup(self, key: str, query: Query | None = None) -> Resource | None:
        handler = self.handlers.get(key.split("?", 1)[0])
        if handler is not None and query is not None:
            return handler(query)
        found = self.resources.get(key) if query is None or query.method != "POST" else None
        if found is None and self.trap is not None:
            return self.trap(key)
        return found

    def add_robots(self, newest: float) -> None:
        self.add(
            "/robots.txt",
            static("text/plain; charset=utf-8", tpl.robots(self.disallowed).encode(), newest),
        )

    def add_navigation(self, pages: dict[str, tuple[str, list[tpl.ListItem]]], newest: float, charset: str) -> None:
        """Home and column index pages (path -> (title, links)) that breadcrumbs point at."""
        for path, (title, links) in pages.items():
            text = tpl.link_page(site=self.title, title=title, links=links, charset=charset)
            body = text.encode(charset, errors="xmlcharrefreplace")
            self.add(path, static(f"text/html; charset={'GBK' if charset == 'gbk' else charset}", body, newest))


@dataclass
class Entry:
    """One item of a column list: a report (``report`` set) or a non-report document."""

    title: str
    day: str
    report: GeneratedReport | None = None
    paragraphs: list[str] = field(default_factory=list)


def plan_reports(rng: random.Random, region: Region, count: int) -> list[GeneratedReport]:
    """``count`` reports by distinct (agency, year), newest years first; some break rules, some have blanks."""
    agencies = agency_pool(region, max(4, -(-count // len(YEARS))), rng)
    reports = []
    for i in range(count):
        (agency, level), year = agencies[i % len(agencies)], YEARS[i // len(agencies)]
        violate = rng.choice((1, 2, 3, 4, 6)) if rng.random() < 0.2 else None
        report = generate(rng, year=year, agency=agency, region=region, violate=violate, blanks=rng.random() < 0.2)
        # The site knows its publishers: their level and region are facts, not the generator's guess.
        reports.append(dataclasses.replace(report, agency_level=level, region=region))
    return reports


def non_report_entries(rng: random.Random, region: Region, count: int) -> list[Entry]:
    """Items that sit in the same columns but are not annual reports — several look a lot like one."""
    county = region.county or ""
    makers: list[Callable[[int], tuple[str, list[str]]]] = [
        lambda y: (
            f"{county}人民政府信息公开指南（{y}年修订）",
            [
                "为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
                "一、主动公开：公开的主要内容包括机构职能、政策文件、政府信息公开工作年度报告等。",
                "二、依申请公开：申请人可通过网络、信函或当面方式提出申请。",
            ],
        ),
        lambda y: (
            f"{county}财政局{y}年部门预算公开",
            [f"{y}年部门预算收入总计12345.67万元，支出总计12345.67万元。", "一、部门职责及机构设置情况。"],
        ),
        lambda y: (
            f"关于做好{y - 1}年政府信息公开工作年度报告编制发布工作的通知",
            [
                "各乡镇人民政府、街道办事处，县直各部门：",
                f"请于{y}年1月31日前编制并公布本机关{y - 1}年政府信息公开工作年度报告。",
            ],
        ),
        lambda y: (
            f"关于开展{y - 1}年度企业年度报告公示工作的通知",
            [f"各类企业应当于{y}年1月1日至6月30日通过国家企业信用信息公示系统报送{y - 1}年度年度报告。"],
        ),
        lambda y: (
            f"办事指南：{county}不动产登记（{y}年版）",
            ["办理地点：政务服务中心一楼。", "办理时限：5个工作日。", "收费标准：按规定收取登记费。"],
        ),
        lambda y: (f"{county}{y}年政务公开工作要点", ["一、围绕稳预期强信心加强政策发布解读。"]),
        lambda y: (f"{county}人民政府关于{y - 1}年度法治政府建设情况的报告", [f"{y - 1}年，我县深入推进依法行政。"]),
    ]
    entries = []
    for i in range(count):
        year = 2025 - (i // len(makers)) % 6
        title, paragraphs = makers[i % len(makers)](year)
        day = date(year, rng.randrange(1, 7 if year == 2025 else 13), rng.randrange(1, 29)).isoformat()
        entries.append(Entry(title, day, paragraphs=paragraphs))
    return entries


def mixed_entries(rng: random.Random, region: Region, scale: int) -> list[Entry]:
    reports = plan_reports(rng, region, scale * rng.randrange(16, 23))
    entries = [Entry(r.title, r.published, report=r) for r in reports]
    entries += non_report_entries(rng, region, 7 * scale)
    entries.sort(key=lambda e: e.day, reverse=True)
    return entries


def _growing_ids(rng: random.Random, start: int, count: int) -> list[int]:
    """Increasing CMS document ids, as a CMS hands them out over time."""
    ids, current = [], start
    for _ in range(count):
        current += rng.randrange(3, 300)
        ids.append(current)
    return ids


def chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


# --- site 1: TRS WCM, GBK, JavaScript paging ------------------------------------------------------------------


def build_trs(rng: random.Random, scale: int, faults: bool) -> SiteContent:
    region = region_of("230883")
    site = SiteContent(
        name="trs",
        kind="trs",
        title=f"{region.county}人民政府",
        region=region,
        start_paths=["/xxgk/ndbg/index.html"],
        allow=[r"/xxgk/"],
        deny=[r"\.(?:css|js|jpg|png|gif)$"],
        disallowed=["/xxgk/search/"],
    )
    column, charset, site_code = "政府信息公开年报", "gb2312", f"{region.code}0001"

    def gbk(text: str) -> bytes:
        return text.encode("gbk", errors="xmlcharrefreplace")

    def detail(title: str, day: str, source: str, body: str) -> bytes:
        return gbk(
            tpl.trs_detail(
                site=site.title,
                site_code=site_code,
                column=column,
                title=title,
                published=day,
                source=source,
                body=body,
                charset=charset,
            )
        )

    entries = mixed_entries(rng, region, scale)
    docids = dict(zip(reversed(range(len(entries))), _growing_ids(rng, 3271106, len(entries)), strict=True))
    items: list[tpl.ListItem] = []
    report_keys: list[str] = []
    for i, entry in enumerate(entries):
        docid = docids[i]
        stamp = entry.day.replace("-", "")
        path = f"/xxgk/ndbg/{stamp[:6]}/t{stamp}_{docid}.html"
        items.append(tpl.ListItem(f"./{stamp[:6]}/t{stamp}_{docid}.html", entry.title, entry.day))
        site.add_article(path, entry, detail, rng, charset="GBK")
        if entry.report is not None:
            report_keys.append(path)

    # Faults, all on reports or on links list pages show.
    lie = report_keys[1]
    site.resources[lie].content_type = "text/html; charset=utf-8"
    site.fault_paths[lie] = "charset_lie"
    dup = report_keys[0] + "?utm_source=wechat&utm_medium=share"
    site.fault_paths[dup] = "tracking_duplicate"
    old = f"/xxgk/ndbg/old/{report_keys[2].rsplit('_', 1)[1]}"
    site.add(old, redirect(report_keys[2], 301, _epoch("2024-01-01")))
    site.fault_paths[old] = "redirect"
    gone = "/xxgk/ndbg/202301/t20230110_3100001.html"
    site.fault_paths[gone] = "not_found"
    trap = "/xxgk/search/index.jsp?date=2024-01-15"
    site.add_date_trap(trap, "/xxgk/search/", "按日期检索")
    if faults:
        site.faults.flaky.add(report_keys[3])
        site.fault_paths[report_keys[3]] = "flaky"
        slow = next(k for k in site.resources if k in site.non_reports)
        site.faults.slow.add(slow)
        site.fault_paths[slow] = "slow"

    sidebar = [
        tpl.ListItem("../zn/index.html", "政府信息公开指南", ""),
        tpl.ListItem(trap, "按日期检索", ""),
        tpl.ListItem(dup, "推荐：" + site.truth[report_keys[0]].title, ""),
        tpl.ListItem(old, "往年年报（旧版链接）", ""),
        tpl.ListItem(gone, "2022年度政府信息公开工作年度报告（已撤回）", ""),
    ]
    guide = next(e for e in entries if e.report is None and "指南" in e.title)
    site.add_non_report(
        "/xxgk/zn/index.html",
        static(
            "text/html; charset=GBK",
            detail(guide.title, guide.day, site.title, tpl.simple_article(guide.paragraphs)),
            _epoch(guide.day),
        ),
    )

    pages = chunks(items, 10)
    newest = _epoch(entries[0].day)
    for n, page_items in enumerate(pages):
        name = "index.html" if n == 0 else f"index_{n}.html"
        text = tpl.trs_list(
            site=site.title, column=column, items=page_items, page=n, pages=len(pages), sidebar=sidebar, charset=charset
        )
        site.add(f"/xxgk/ndbg/{name}", static("text/html; charset=GBK", gbk(text), newest))
    home = ("首页", [tpl.ListItem("/xxgk/index.html", "政府信息公开", "")])
    xxgk = (
        "政府信息公开",
        [tpl.ListItem("./ndbg/index.html", column, ""), tpl.ListItem("./zn/index.html", "政府信息公开指南", "")],
    )
    site.add_navigation({"/": home, "/index.html": home, "/xxgk/index.html": xxgk}, newest, "gbk")
    site.add_robots(newest)
    return site


# --- site 2: 大汉 Hanweb, UTF-8, 下一页 and ?page=N paging, some reports only as attachments ---------------------


def _disposition(name: str, path: str) -> str:
    """Content-Disposition with the file's Chinese name (RFC 5987) and its stored name as ASCII fallback."""
    fallback = path.rsplit("=", 1)[-1].rsplit("/", 1)[-1]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def build_hanweb(rng: random.Random, scale: int, faults: bool) -> SiteContent:
    region = region_of("330212")
    site = SiteContent(
        name="hanweb",
        kind="hanweb",
        title=f"宁波市{region.county}人民政府",
        region=region,
        start_paths=["/col/col1229/index.html"],
        allow=[r"/col/", r"/art/", r"/attach/", r"/module/"],
        deny=[r"\.(?:css|js|jpg|png|gif)$", r"/module/jpage/"],
        disallowed=["/module/search/"],
    )
    column, col_path = "政府信息公开年度报告", "/col/col1229/index.html"
    entries = mixed_entries(rng, region, scale)
    artids = dict(zip(reversed(range(len(entries))), _growing_ids(rng, 5678, len(entries)), strict=True))
    items: list[tpl.ListItem] = []
    attachments: list[str] = []
    details: list[str] = []

    def page(title: str, day: str, source: str, body: str, files: list[tpl.Attachment]) -> bytes:
        return tpl.hanweb_detail(
            site=site.title, column=column, title=title, published=day, source=source, body=body, attachments=files
        ).encode()

    for i, entry in enumerate(entries):
        artid = artids[i]
        y, m, d = (int(x) for x in entry.day.split("-"))
        path = f"/art/{y}/{m}/{d}/art_1229_{artid}.html"
        items.append(tpl.ListItem(path, entry.title, entry.day, opener=i % 3 == 2))
        if entry.report is None or rng.random() < 0.6:
            site.add_article(path, entry, lambda title, day, source, body: page(title, day, source, body, []), rng)
            if entry.report is not None:
                details.append(path)
        else:  # attachment only: the detail page just points at the file
            ext = rng.choice(tuple(FILE_TYPES))
            file_path = f"/attach/0/{entry.day.replace('-', '')[2:]}{rng.randrange(10**9):09d}.{ext}"
            name = f"{entry.title}.{ext}"
            site.add_report(
                file_path,
                entry.report,
                FILE_TYPES[ext],
                lambda r, ext=ext: render(r, ext),
                **{"Content-Disposition": _disposition(name, file_path)},
            )
            if ext == "pdf" and i % 2 == 0:  # shown in a viewer, not linked
                body = page(entry.title, entry.day, entry.report.agency, tpl.pdf_viewer(file_path), [])
            else:
                body = page(
                    entry.title, entry.day, entry.report.agency, "<p>详见附件。</p>", [tpl.Attachment(file_path, name)]
                )
            site.add(path, static("text/html; charset=utf-8", body, _epoch(entry.day)))
            attachments.append(file_path)

    moved = f"/art/redirect.jsp?artid={details[0].rsplit('_', 1)[1].split('.')[0]}"
    site.add(moved, redirect(details[0], 302, _epoch("2024-01-01")))
    site.fault_paths[moved] = "redirect"
    dup = details[1] + "?utm_source=timeline&from=timeline"
    site.fault_paths[dup] = "tracking_duplicate"
    loop_a, loop_b = "/col/col1230/index.html", "/col/col1230/index.html?uid=1&pageNum=1"
    site.add(loop_a, redirect(loop_b, 302, _epoch("2024-01-01")))
    site.add(loop_b, redirect(loop_a, 302, _epoch("2024-01-01")))
    site.fault_paths[loop_a] = site.fault_paths[loop_b] = "redirect_loop"
    forbidden = "/col/col1231/index.html"
    site.add(
        forbidden,
        static("text/html; charset=utf-8", b"<h1>403 Forbidden</h1>", _epoch("2024-01-01"), status=403),
    )
    site.fault_paths[forbidden] = "forbidden"
    gone = "/art/2023/1/18/art_1229_4321.html"
    site.fault_paths[gone] = "not_found"
    trap = "/module/search/index.jsp?date=2024-01-15&q=ndbg"
    site.add_date_trap(trap, "/module/search/", "站内搜索")
    if faults and attachments:
        site.faults.flaky.add(attachments[0])
        site.fault_paths[attachments[0]] = "flaky"

    nav = [
        tpl.ListItem("/col/col1229/index.html", column, ""),
        tpl.ListItem(loop_a, "政策解读", ""),
        tpl.ListItem(forbidden, "内部事项", ""),
        tpl.ListItem(trap, "站内搜索", ""),
        tpl.ListItem(moved, "热点：" + site.truth[details[0]].title, ""),
        tpl.ListItem(dup, "时间轴：" + site.truth[details[1]].title, ""),
        tpl.ListItem(gone, "2022年度政府信息公开工作年度报告", ""),
    ]
    pages = chunks(items, 8)
    newest = _epoch(entries[0].day)
    for n, page_items in enumerate(pages, start=1):
        text = tpl.hanweb_list(
            site=site.title, column=column, col_path=col_path, items=page_items, page=n, pages=len(pages), nav=nav
        )
        site.add(
            col_path if n == 1 else f"{col_path}?page={n}", static("text/html; charset=utf-8", text.encode(), newest)
        )
    home = ("首页", [tpl.ListItem("/col/col1228/index.html", "政府信息公开", "")])
    xxgk = ("政府信息公开", [tpl.ListItem(col_path, column, ""), tpl.ListItem(loop_a, "政策解读", "")])
    site.add_navigation({"/": home, "/col/col1228/index.html": xxgk}, newest, "utf-8")
    site.add_robots(newest)
    return site


# --- site 3: reports only as PDF/DOCX attachments --------------------------------------------------------------


def build_attach(rng: random.Random, scale: int, faults: bool) -> SiteContent:
    region = region_of("360124")
    site = SiteContent(
        name="attach",
        kind="attach",
        title=f"{region.county}人民政府",
        region=region,
        start_paths=["/zfxxgk/ndbg/list_1.html"],
        allow=[r"/zfxxgk/", r"/module/download/"],
        deny=[r"\.(?:css|js|jpg|png|gif)$"],
        disallowed=["/zfxxgk/search/"],
    )
    column = "政府信息公开年度报告"
    entries = mixed_entries(rng, region, scale)
    items: list[tpl.ListItem] = []
    files: list[str] = []
    for i, entry in enumerate(entries):
        ext = "pdf" if rng.random() < 0.6 else "docx"
        stamp = entry.day.replace("-", "")
        name = f"{entry.title}.{ext}"
        if i % 2:
            path = f"/zfxxgk/ndbg/P0{stamp}{rng.randrange(10**9):09d}.{ext}"
            href, ctype = "./" + path.rsplit("/", 1)[1], FILE_TYPES[ext]
        else:
            path = f"/module/download/downfile.jsp?classid=0&filename={stamp[2:]}{rng.randrange(10**6):06d}.{ext}"
            href, ctype = path, "application/octet-stream"
        items.append(tpl.ListItem(href, entry.title, entry.day))
        headers = {"Content-Disposition": _disposition(name, path)}
        if entry.report is not None:
            site.add_report(path, entry.report, ctype, lambda r, ext=ext: render(r, ext), **headers)
            files.append(resource_key(path))
        else:
            maker = pdf_bytes if ext == "pdf" else docx_bytes
            site.add_non_report(
                path,
                Resource(ctype, lambda e=entry, m=maker: m(e.title, e.paragraphs), _epoch(entry.day), headers=headers),
            )

    guarded = "/zfxxgk/yqt/index.html"
    budget = next(k for k in site.resources if k in site.non_reports)  # in the order added, not set order
    site.add(
        guarded,
        static(
            "text/html; charset=utf-8",
            tpl.attach_list(
                site=site.title,
                column="依申请公开",
                items=[tpl.ListItem(budget, "依申请公开目录", "2024-01-01")],
                page=1,
                pages=1,
                base="list",
                nav=[],
            ).encode(),
            _epoch("2024-01-01"),
        ),
    )
    site.faults.guarded.add(guarded)
    site.fault_paths[guarded] = "challenge"
    gone = "/zfxxgk/ndbg/P020230112000000001.pdf"
    site.fault_paths[gone] = "not_found"
    trap = "/zfxxgk/search/index.jsp?date=2024-01-15"
    site.add_date_trap(trap, "/zfxxgk/search/", "信息检索")
    if faults:
        slow = next(k for k in site.resources if k in site.non_reports and k != budget)
        site.faults.slow.add(slow)
        site.fault_paths[slow] = "slow"
    nav = [
        tpl.ListItem("/zfxxgk/ndbg/list_1.html", column, ""),
        tpl.ListItem(guarded, "依申请公开", ""),
        tpl.ListItem(trap, "信息检索", ""),
        tpl.ListItem(gone, "2022年政府信息公开工作年度报告.pdf", ""),
    ]
    pages = chunks(items, 10)
    newest = _epoch(entries[0].day)
    for n, page_items in enumerate(pages, start=1):
        text = tpl.attach_list(
            site=site.title, column=column, items=page_items, page=n, pages=len(pages), base="list", nav=nav
        )
        site.add(f"/zfxxgk/ndbg/list_{n}.html", static("text/html; charset=utf-8", text.encode(), newest))
    site.add_robots(newest)
    return site


# --- site 4: 大汉 JCMS jpage column: records in a script block, the rest from a POST data proxy --------------------


def build_jpage(rng: random.Random, scale: int, faults: bool) -> SiteContent:
    region = region_of("330726")
    colid, unitid, webid, per_page = 1229514, 5947032, 3185, 10
    col_path, proxy = f"/col/col{colid}/index.html", "/module/web/jpage/dataproxy.jsp"
    site = SiteContent(
        name="jpage",
        kind="jpage",
        title=f"{region.county}人民政府",
        region=region,
        start_paths=[col_path],
        allow=[r"/col/", r"/art/", r"/module/web/jpage/"],
        deny=[r"\.(?:css|js|jpg|png|gif)$"],
        disallowed=["/interview/", "/module/search/"],
    )
    column, site_code = "政府信息公开年报", f"{region.code}0001"
    entries = mixed_entries(rng, region, scale)
    entries.append(
        Entry(f"{region.county}2023年法治政府建设年度报告", "2024-03-28", paragraphs=["2023年，我县深入推进依法行政。"])
    )
    entries.sort(key=lambda e: e.day, reverse=True)
    artids = dict(zip(reversed(range(len(entries))), _growing_ids(rng, 59012345, len(entries)), strict=True))
    items: list[tpl.ListItem] = []

    def page(title: str, day: str, source: str, body: str) -> bytes:
        return tpl.hanweb_detail(
            site=site.title, column=column, title=title, published=day, source=source, body=body, attachments=[]
        ).encode()

    for i, entry in enumerate(entries):
        y, m, d = (int(x) for x in entry.day.split("-"))
        path = f"/art/{y}/{m}/{d}/art_{colid}_{artids[i]}.html"
        items.append(tpl.ListItem(path, entry.title, entry.day))
        site.add_article(path, entry, page, rng)
    # A record titled like a report behind a robots-disallowed path: a crawler that ignores robots.txt fetches it.
    interview = "/interview/index.jsp?date=2024-01-26"
    items.insert(3, tpl.ListItem(interview, "2023年度政府信息公开工作年度报告在线访谈", "2024-01-26"))
    site.add_date_trap(interview, "/interview/", "在线访谈")

    records = [tpl.jpage_record(i) for i in items]
    newest = _epoch(entries[0].day)
    fields: dict[str, str | int] = {
        "col": 1,
        "appid": 1,
        "webid": webid,
        "path": "/",
        "columnid": colid,
        "sourceContentType": 1,
        "unitid": unitid,
        "webname": site.title,
        "permissiontype": 0,
    }
    empty = tpl.datastore([], 0)

    def data_proxy(query: Query) -> Resource:
        """Records startrecord..endrecord (1-based) for a POST naming this column; anything else: none."""
        p = query.params
        wanted = (str(colid), str(unitid), str(webid))
        ok = query.method == "POST" and (p.get("columnid"), p.get("unitid"), p.get("webid")) == wanted
        start, end = p.get("startrecord", ""), p.get("endrecord", "")
        if not (ok and start.isdigit() and end.isdigit()):
            return static("text/xml; charset=UTF-8", empty.encode(), newest)
        answer = tpl.datastore(records[int(start) - 1 : int(end)], len(records))
        return static("text/xml; charset=UTF-8", f'<?xml version="1.0" encoding="UTF-8"?>\n{answer}'.encode(), newest)

    site.handlers[proxy] = data_proxy
    if faults:  # the proxy's first POST page answers 500 once: a crawler retries it like any GET
        flaky = f"{proxy}?startrecord={per_page + 1}&endrecord={2 * per_page}&perpage={per_page}"
        site.faults.flaky.add(resource_key(flaky))
        site.fault_paths[flaky] = "flaky"
    nextgroup = f'<a href="{proxy}?page=1&' + "&".join(f"{k}={quote(str(v))}" for k, v in fields.items()) + '"></a>'
    nav = [
        tpl.ListItem(col_path, column, ""),
        tpl.ListItem("/module/search/index.jsp?q=ndbg", "站内搜索", ""),
    ]
    text = tpl.jpage_column(
        site=site.title,
        site_code=site_code,
        column=column,
        unit=str(unitid),
        inline=tpl.datastore(records[:per_page], len(records), nextgroup),
        total=len(records),
        per_page=per_page,
        proxy=proxy,
        fields=fields,
        nav=nav,
    )
    site.add(col_path, static("text/html; charset=utf-8", text.encode(), newest))
    site.add_robots(newest)
    return site


# --- site 5: 集约化 platform: the column page renders its list from a JSON endpoint -------------------------------


def build_json(rng: random.Random, scale: int, faults: bool) -> SiteContent:
    region = region_of("440605")
    channel, size = 2817, 10
    col_path, api = "/zwgk/ndbg/index.html", "/api/content/list"
    site = SiteContent(
        name="json",
        kind="json",
        title=f"{region.city}{region.county}人民政府",
        region=region,
        start_paths=[col_path],
        allow=[r"/zwgk/", r"/api/content/"],
        deny=[r"\.(?:css|js|jpg|png|gif)$"],
        disallowed=["/zwgk/search/"],
    )
    column, site_code = "政府信息公开年度报告", f"{region.code}0001"
    entries = mixed_entries(rng, region, scale)
    ids = dict(zip(reversed(range(len(entries))), _growing_ids(rng, 1893000, len(entries)), strict=True))
    rows: list[dict] = []

    def detail(title: str, day: str, source: str, body: str) -> bytes:
        return tpl.trs_detail(
            site=site.title,
            site_code=site_code,
            column=column,
            title=title,
            published=day,
            source=source,
            body=body,
            charset="utf-8",
        ).encode()

    for i, entry in enumerate(entries):
        path = f"/zwgk/ndbg/content/post_{ids[i]}.html"
        rows.append({"id": ids[i], "title": entry.title, "url": path, "publishDate": entry.day, "source": site.title})
        site.add_article(path, entry, detail, rng)
    newest = _epoch(entries[0].day)

    def content_list(query: Query) -> Resource:
        """One page of the channel's articles, as the platform's front end asks for them."""
        p = query.params
        number = int(p["pageNo"]) if p.get("pageNo", "").isdigit() else 1
        per = int(p["pageSize"]) if p.get("pageSize", "").isdigit() and 0 < int(p["pageSize"]) <= 100 else size
        listed = rows[(number - 1) * per : number * per] if str(p.get("channelId")) == str(channel) else []
        data = {
            "total": len(rows),
            "pageNo": number,
            "pageSize": per,
            "totalPage": -(-len(rows) // per),
            "list": listed,
        }
        body = json.dumps({"code": 0, "msg": "success", "data": data}, ensure_ascii=False).encode()
        return static("application/json; charset=utf-8", body, newest)

    site.handlers[api] = content_list
    trap = "/zwgk/search/index.jsp?date=2024-01-15"
    site.add_date_trap(trap, "/zwgk/search/", "信息检索")
    nav = [tpl.ListItem(col_path, column, ""), tpl.ListItem(trap, "信息检索", "")]
    text = tpl.json_column(
        site=site.title,
        site_code=site_code,
        column=column,
        api=f"{api}?channelId={channel}&pageSize={size}&pageNo=",
        nav=nav,
    )
    site.add(col_path, static("text/html; charset=utf-8", text.encode(), newest))
    site.add_robots(newest)
    return site


BUILDERS = (build_trs, build_hanweb, build_attach, build_jpage, build_json)


def build_sites(seed: int, scale: int, faults: bool) -> list[SiteContent]:
    """All demo sites; the same seed and scale give the same sites."""
    sites = [build(random.Random(f"{seed}:{build.__name__}"), scale, faults) for build in BUILDERS]
    for site in sites:  # an agency's years follow each other, with a few planted breaks
        site.cross_year = chain_all(site.truth.values(), random.Random(f"{seed}:series:{site.name}"))
    return sites
