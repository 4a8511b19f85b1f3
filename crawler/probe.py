"""What the spider would see on a portal, in seconds and without storing anything (``xxgk probe URL``).

Walks the list pages from one URL the way the ``disclosure`` spider does — ``<a>`` links and their
pagination, records in script blocks and the POSTs of their data proxy, JSON endpoints, sitemaps —
obeying robots.txt, within a small page budget. Every candidate link gets the detector's verdict and its
reason; the result ends with a site config entry that ``xxgk crawl`` accepts.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from lxml import etree, html
from parsel import Selector
from protego import Protego
from w3lib.encoding import html_to_unicode

from crawler.canonical import canonical_url
from crawler.detect import attachment_extension, classify_title
from crawler.listing import Link, PageRequest, anchors, jsonapi, records, sitemaps
from crawler.pagination import page_urls
from crawler.reasons import reason
from crawler.settings import USER_AGENT
from crawler.sites import ConfigError, parse_sites
from xxgk.parse.region import find_region

DENY = r"\.(?:css|js|jpg|png|gif)$"
_SITE_CODE = etree.XPath("//meta[translate(@name, 'SITEDCO', 'sitedco')='siteidcode']/@content")
_SITE_NAME = etree.XPath("//meta[translate(@name, 'SITENAM', 'sitenam')='sitename']/@content")
_JS = etree.XPath("//script[not(@type) or contains(@type, 'javascript')]/text()")
# A government's name, not the start of 政府信息公开… or 政府网站….
_GOVERNMENT = re.compile(r"[\u4e00-\u9fa5]{2,12}?(?:人民政府|政府)(?![\u4e00-\u9fa5]*(?:信息|网站))")


@dataclass
class ListPage:
    url: str
    method: str  # GET | POST
    via: str  # how it was found: start URL | links | page links | JS paging | data proxy | JSON | sitemap
    status: int | str  # HTTP status, or why it was not fetched
    content: str = ""  # what it holds: links | script records | data proxy records | JSON | sitemap
    links: int = 0  # new candidate links on it


@dataclass
class Pagination:
    page: str  # the list page that announced it
    how: str  # JS paging (createPageHTML) | page links | data proxy (jpage) | JSON paging
    pages: int | None  # page count, None when only a next page is known


@dataclass
class Candidate:
    url: str
    title: str
    source: str  # how the link was found (links, script records, data proxy, JSON, sitemap)
    verdict: str  # report | column | not a report | disallowed
    reason: str
    attachment: str | None = None  # pdf/doc/docx/wps for a link to a file


@dataclass
class Probe:
    url: str
    seconds: float = 0.0
    robots: str = ""
    list_pages: list[ListPage] = field(default_factory=list)
    pagination: list[Pagination] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    site_name: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def reports(self) -> list[Candidate]:
        return [c for c in self.candidates if c.verdict == "report"]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Answer:
    status: int | str
    content_type: str
    body: bytes


class _Client:
    """Sequential GET/POST with the crawler's User-Agent, obeying each host's robots.txt."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.robots: dict[str, Protego | None] = {}
        self.robots_body: dict[str, bytes] = {}

    def fetch(self, url: str, form: tuple[tuple[str, str], ...] | None = None) -> _Answer:
        """One request, retried twice (after 0.5 s, then 1 s) on a server error or a failed connection."""
        answer = self._fetch_once(url, form)
        for wait in (0.5, 1.0):
            if isinstance(answer.status, int) and answer.status < 500:
                break
            time.sleep(wait)
            answer = self._fetch_once(url, form)
        return answer

    def _fetch_once(self, url: str, form: tuple[tuple[str, str], ...] | None) -> _Answer:
        data = urlencode(list(form)).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return _Answer(answer.status, answer.headers.get("Content-Type", ""), answer.read())
        except urllib.error.HTTPError as exc:
            return _Answer(exc.code, exc.headers.get("Content-Type", ""), b"")
        except (urllib.error.URLError, OSError) as exc:
            return _Answer(f"failed: {getattr(exc, 'reason', exc)}", "", b"")

    def root(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def allowed(self, url: str) -> bool:
        root = self.root(url)
        if root not in self.robots:
            answer = self.fetch(root + "/robots.txt")
            ok = answer.status == 200
            self.robots_body[root] = answer.body if ok else b""
            self.robots[root] = Protego.parse(answer.body.decode("utf-8", "replace")) if ok else None
        rules = self.robots[root]
        return rules is None or rules.can_fetch(url, USER_AGENT)


def _text(answer: _Answer) -> str:
    return html_to_unicode(answer.content_type, answer.body)[1]


def probe(url: str, *, max_pages: int = 30, timeout: float = 10.0) -> Probe:
    """Walk the list pages reachable from ``url`` (at most ``max_pages`` fetches of lists)."""
    started = time.monotonic()
    result = Probe(url)
    client = _Client(timeout)
    host = urlsplit(url).netloc.lower()
    client.allowed(url)
    root = client.root(url)
    declared = sitemaps.robots_sitemaps(client.robots_body[root], root + "/robots.txt")
    if client.robots[root] is None:
        result.robots = "no robots.txt"
    else:
        disallows = sum(
            1
            for line in client.robots_body[root].decode("utf-8", "replace").splitlines()
            if line.strip().lower().startswith("disallow:") and line.split(":", 1)[1].strip()
        )
        result.robots = f"{disallows} Disallow rules, sitemaps: {', '.join(declared) or 'none'}"
    queue: list[tuple[PageRequest, str]] = [(PageRequest(url), "start URL")]
    queue += [(PageRequest(u), "sitemap") for u in declared if urlsplit(u).netloc.lower() == host]
    queued = {_key(p) for p, _ in queue}
    seen_links: set[str] = set()
    site_code: str | None = None
    paged: set[str] = set()  # lists whose pagination is recorded (every page of a list announces the others)

    def add_paging(list_url: str, how: str, pages: int | None) -> None:
        key = urlsplit(list_url).path.rsplit("/", 1)[0]  # a list's pages share their directory
        if key not in paged:
            paged.add(key)
            result.pagination.append(Pagination(list_url, how, pages))

    def add_page(page: PageRequest, via: str) -> None:
        if urlsplit(page.url).netloc.lower() == host and _key(page) not in queued:
            queued.add(_key(page))
            queue.append((page, via))

    def add_link(link: Link, source: str) -> None:
        key = canonical_url(link.url)
        if key in seen_links or urlsplit(link.url).scheme not in ("http", "https"):
            return
        seen_links.add(key)
        title = " ".join(link.text.split())
        verdict = {"report": "report", "column": "column"}.get(classify_title(title) or "", "not a report")
        why = reason(title)
        if verdict != "not a report" and not client.allowed(link.url):
            verdict, why = "disallowed", "disallowed by robots.txt: never fetched"
        result.candidates.append(Candidate(link.url, title, source, verdict, why, attachment_extension(link.url)))
        if verdict == "column" and urlsplit(link.url).netloc.lower() == host:
            add_page(PageRequest(link.url), "links")

    fetched = 0
    while queue and fetched < max_pages:
        page, via = queue.pop(0)
        if not client.allowed(page.url):
            result.list_pages.append(ListPage(page.url, page.method, via, "disallowed by robots.txt"))
            continue
        answer = client.fetch(page.url, page.form)
        fetched += 1
        entry = ListPage(page.url, page.method, via, answer.status)
        result.list_pages.append(entry)
        if answer.status != 200:
            continue
        before = len(result.candidates)
        text = _text(answer)
        if sitemaps.is_sitemap(answer.body):
            entry.content = "sitemap"
            found = sitemaps.entries(answer.body)
            for nested in found.sitemaps:
                add_page(PageRequest(nested), "sitemap")
            for candidate in found.urls:
                if urlsplit(candidate).netloc.lower() == host and canonical_url(candidate) not in seen_links:
                    add_link(Link(candidate, _title_of(client, candidate)), "sitemap")
        elif not text[:256].lstrip().startswith("<") and (data := jsonapi.load(text)) is not None:
            entry.content = "JSON"
            links = jsonapi.links(data, page.url)
            for link in links:
                add_link(link, "JSON")
            paging = jsonapi.paging(page.url, data, len(links))
            if paging is not None:
                add_paging(page.url, f"JSON paging ({paging.param}=N)", paging.pages)
            for other in jsonapi.page_urls(page.url, data, len(links)):
                add_page(PageRequest(other), "JSON")
        elif text.strip():
            tree = html.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))  # lxml refuses a declaration in str
            if page.method == "GET" and not result.site_name:
                result.site_name = _site_name(tree)
                site_code = next(iter(_SITE_CODE(tree)), None)
            entry.content = "links"
            fragments = records.script_records(text)
            if fragments:  # first: a proxy's XML answer parsed as HTML shows the same links as plain anchors
                entry.content = "data proxy records" if page.method == "POST" else "script records"
                source = "data proxy" if page.method == "POST" else "script records"
                for link in anchors.links(page.url, html.fragment_fromstring("".join(fragments), create_parent="div")):
                    add_link(link, source)
            for link in anchors.links(page.url, tree):
                add_link(link, "links")
            for call in records.jpage_calls(text, page.url):
                posts = call.page_requests(len(fragments))
                how = f"data proxy (jpage: POST {urlsplit(call.proxy_url).path}, {call.total} records)"
                add_paging(page.url, how, 1 + len(posts))
                for post in posts:
                    add_page(post, "data proxy")
            for endpoint in jsonapi.script_endpoints(list(_JS(tree)), page.url):
                add_page(PageRequest(endpoint), "JSON")
            scripted = "createPageHTML" in text
            others = page_urls(page.url, Selector(text=text))
            if others:
                kind = "JS paging (createPageHTML)" if scripted else "page links (下一页, ?page=N)"
                add_paging(page.url, kind, 1 + len(others) if scripted else None)
            for other in others:
                add_page(PageRequest(other), "JS paging" if scripted else "page links")
        entry.links = len(result.candidates) - before
    for page, via in queue:
        result.list_pages.append(
            ListPage(page.url, page.method, via, f"not fetched: probe budget of {max_pages} pages")
        )
    result.config = config_entry(result, url, site_code)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _key(page: PageRequest) -> str:
    return f"{page.method} {canonical_url(page.url)} {urlencode(list(page.form or ()))}"


def _title_of(client: _Client, url: str) -> str:
    """A sitemap URL's title (the spider fetches such pages to judge them, so the probe does too)."""
    if attachment_extension(url) or not client.allowed(url):
        return url.rsplit("/", 1)[-1]
    answer = client.fetch(url)
    if answer.status != 200:
        return ""
    tree = html.fromstring(_text(answer) or "<html/>")
    return " ".join(tree.xpath("//title//text() | //h1//text()"))


def _site_name(tree: etree._Element) -> str:
    """The site's own name: its SiteName meta, else the first government named in its title or text."""
    named = next((n.strip() for n in _SITE_NAME(tree) if n.strip()), None)
    if named:
        return named
    title = " ".join(tree.xpath("//title//text()")).strip()
    found = _GOVERNMENT.search(title) or _GOVERNMENT.search(tree.text_content()[:20000])
    return found.group(0) if found else title


def config_entry(result: Probe, url: str, site_code: str | None) -> dict[str, Any]:
    """A ``config/sites.yaml`` entry for the probed column (Chinese name when the config loader takes one)."""
    region = find_region([result.site_name], site_code, None)
    entry: dict[str, Any] = {
        "name": result.site_name or urlsplit(url).netloc,
        "start_urls": [url],
        "region": {k: v for k, v in asdict(region).items() if v is not None},
        # The whole site: reports may sit in other directories than their lists (attachments, detail pages).
        "allow": [f"^https?://{re.escape(urlsplit(url).netloc)}/"],
        "deny": [DENY],
    }
    try:
        parse_sites({"sites": [entry]}, env={})
    except ConfigError:  # the loader takes only ASCII names: the host, the Chinese name goes in the comment
        entry["name"] = re.sub(r"[^A-Za-z0-9_.-]+", "-", urlsplit(url).netloc)
    return entry
