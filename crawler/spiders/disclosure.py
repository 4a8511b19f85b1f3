"""The ``disclosure`` spider: walks each configured portal's report column and fetches every annual report.

    scrapy crawl disclosure -a site=NAME[,NAME…] [-a config=PATH]

List pages are fetched on every run, whatever hands out their links: ``<a>`` tags and their pagination,
records in a script block with the POSTs of its data proxy, JSON list endpoints, sitemaps (declared in
robots.txt) — see ``crawler.listing``. Report documents (detail pages and attachments) go out as conditional
GETs once the store holds them (see ``ConditionalGetMiddleware``).
All state lives on the spider instance, so the spider also runs under a shared (scrapy-redis) scheduler.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import scrapy
from lxml import etree, html
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from crawler.canonical import canonical_url, clean_url
from crawler.detect import (
    attachment_extension,
    carries_report_body,
    classify_title,
    filename_of,
    is_negative,
    may_link_documents,
)
from crawler.items import DocumentItem, FailureItem
from crawler.listing import Link, anchors, jsonapi, records, sitemaps
from crawler.pagination import page_urls
from crawler.sites import SiteConfig, load_sites, select

logger = logging.getLogger(__name__)

NEEDS_BROWSER = "needs a browser: HTTP 412 anti-bot challenge (JavaScript cookie check)"
_HTML_TYPES = (b"text/html", b"application/xhtml")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


# Compiled once and run on lxml trees directly: parsel would wrap every node of a page in a Selector.
_JS = "//script[not(@type) or contains(@type, 'javascript')]/text()"  # not text/xml data blocks
_BODY_TEXT = etree.XPath("//body//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False)


def _describe(exc: BaseException) -> str:
    """``Type: message`` of the innermost cause (Scrapy and Twisted wrap connection errors in lists of failures)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], list) and exc.args[0] else None
    if inner and isinstance(inner[0], Failure):
        return _describe(inner[0].value)
    message = " ".join(str(exc).split()) or "no detail"
    return f"{type(exc).__name__}: {message}"


class DisclosureSpider(scrapy.Spider):
    name = "disclosure"

    def __init__(self, site: str | None = None, config: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.site_names = [s.strip() for s in (site or "").split(",") if s.strip()]
        self.config_path = config
        self.sites: dict[str, SiteConfig] = {}
        self.list_pages: dict[str, set[str]] = defaultdict(set)  # per site: list pages scheduled (canonical URLs)
        self.over_budget: dict[str, dict[str, scrapy.Request]] = defaultdict(dict)  # per site: waiting list pages
        self.disallowed: set[str] = set()  # list pages robots.txt kept us from: they take no place in a budget
        self.needs_browser: set[str] = set()
        self.default_max_pages = 500

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> DisclosureSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.config_path or crawler.settings.get("XXGK_CONFIG")
        spider.sites = {s.name: s for s in select(load_sites(path), spider.site_names)}
        spider.default_max_pages = crawler.settings.getint("XXGK_MAX_PAGES", 500)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites.values():
            for url in site.start_urls:
                request = self._list_request(site, url, dont_filter=True)
                if request is not None:
                    request.meta["start"] = True
                    yield request
            for root in dict.fromkeys(f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in site.start_urls):
                yield scrapy.Request(
                    f"{root}/robots.txt",
                    callback=self.parse_robots,
                    errback=self.no_robots,
                    meta={"site": site.name},
                    dont_filter=True,
                )

    # -- requests ------------------------------------------------------------

    def _list_request(
        self, site: SiteConfig, url: str, *, form: Iterable[tuple[str, str]] | None = None, dont_filter: bool = False
    ) -> scrapy.Request | None:
        """A list page not scheduled before, within the site's page budget (which counts distinct pages).

        With ``form`` the page is a POST of those fields (a data proxy's), told apart from others by its body.
        A page over the budget waits: it is fetched only if a scheduled page turns out disallowed by robots.txt.
        """
        key = canonical_url(url) if form is None else f"POST {canonical_url(url)} {urlencode(list(form))}"
        scheduled, waiting = self.list_pages[site.name], self.over_budget[site.name]
        if key in scheduled or key in waiting or key in self.disallowed:
            return None  # every page of a TRS list announces all the others: count each page once
        request = (scrapy.Request if form is None else scrapy.FormRequest)(
            clean_url(url),
            callback=self.parse_list,
            errback=self.failed,
            meta={"site": site.name, "xxgk_list": key},
            dont_filter=dont_filter,
            **({} if form is None else {"formdata": list(form)}),
        )
        if len(scheduled) >= self._budget(site.name):
            waiting[key] = request
            return None
        scheduled.add(key)
        return request

    def _budget(self, site: str) -> int:
        return self.sites[site].max_pages or self.default_max_pages

    def _document_request(self, site: SiteConfig, url: str, title: str, *, candidate: bool = False) -> scrapy.Request:
        """A report document; a ``candidate`` (a sitemap's URL, no title known) is kept only if its page is a report."""
        return scrapy.Request(
            clean_url(url),
            callback=self.parse_candidate if candidate else self.parse_document,
            errback=self.failed,
            meta={"site": site.name, "xxgk_document": True, "title": title, "handle_httpstatus_list": [304]},
            priority=10,  # drain documents before walking further list pages: a short queue, early results
        )

    def _follows(self, site: SiteConfig, url: str) -> bool:
        return urlsplit(url).scheme in ("http", "https") and site.allows(url)

    @staticmethod
    def _same_site(site: SiteConfig, url: str) -> bool:
        return urlsplit(url).netloc.lower() in site.hosts

    # -- callbacks -----------------------------------------------------------

    def _follow(self, site: SiteConfig, link: Link) -> scrapy.Request | None:
        """The request for a list's link: a report document, a report column, or nothing."""
        if not self._follows(site, link.url):
            return None
        kind = classify_title(link.text)
        if kind == "report":
            return self._document_request(site, link.url, link.text.strip())
        if kind == "column" and self._same_site(site, link.url):
            return self._list_request(site, link.url)
        return None

    def _page(
        self, site: SiteConfig, list_url: str, url: str, form: tuple[tuple[str, str], ...] | None = None
    ) -> scrapy.Request | None:
        """Another page of a list: on the site and allowed, or at the list's own path (an API start URL's pages)."""
        own_path = urlsplit(url)[:3] == urlsplit(list_url)[:3] and not any(p.search(url) for p in site.deny)
        if not self._same_site(site, url) or not (self._follows(site, url) or own_path):
            return None
        return self._list_request(site, url, form=form)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        site = self.sites[response.meta["site"]]
        if sitemaps.is_sitemap(response.body):
            yield from self._sitemap(site, response)
            return
        if not isinstance(response, TextResponse):
            logger.warning("%s: list page %s is not text (%s), skipped", site.name, response.url, response.headers)
            return
        if not response.text[:256].lstrip().startswith("<") and (data := jsonapi.load(response.text)) is not None:
            yield from self._json_list(site, response, data)
            return
        if response.meta.get("start") and self._is_report_page(response):
            # A start URL that is itself a report: store it (its column link is followed below).
            yield self._document_request(site, response.url, response.xpath("//title/text()").get(""))
        scope = [response.selector.root]
        if site.hints.list_items:
            hint = site.hints.list_items
            scope = [s.root for s in (response.xpath(hint) if hint.startswith(("/", "(")) else response.css(hint))]
        fragments = records.script_records(response.text)
        if fragments:  # records in a script block (or a data proxy's answer): HTML hidden from the page's tree
            scope.append(html.fragment_fromstring("".join(fragments), create_parent="div"))
        for root in scope:
            if not isinstance(root, etree._Element):
                continue  # a hint that selects text or attributes holds no links
            for link in anchors.links(response.url, root):
                if request := self._follow(site, link):
                    yield request
        for call in records.jpage_calls(response.text, response.url):
            for page in call.page_requests(len(fragments)):
                if request := self._page(site, response.url, page.url, page.form):
                    yield request
        scripts = response.xpath(_JS).getall() if "<script" in response.text else []
        for url in [
            *jsonapi.script_endpoints(scripts, response.url),
            *page_urls(response.url, response.selector, site.hints.next_page),
        ]:
            if request := self._page(site, response.url, url):
                yield request

    def _json_list(self, site: SiteConfig, response: TextResponse, data: Any) -> Iterator[scrapy.Request]:
        """A JSON list endpoint: its article links, then its other pages."""
        links = jsonapi.links(data, response.url)
        for link in links:
            if request := self._follow(site, link):
                yield request
        for url in jsonapi.page_urls(response.url, data, len(links)):
            if request := self._page(site, response.url, url):
                yield request

    def _sitemap(self, site: SiteConfig, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap: its nested sitemaps as list pages, its URLs on the site as candidate reports."""
        found = sitemaps.entries(response.body)
        for url in found.sitemaps:
            if self._same_site(site, url) and (request := self._list_request(site, url)):
                yield request
        for url in found.urls:
            if self._follows(site, url) and self._same_site(site, url):
                yield self._document_request(site, url, "", candidate=True)

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request]:
        """The sitemaps robots.txt declares, fetched as list pages."""
        site = self.sites[response.meta["site"]]
        for url in sitemaps.robots_sitemaps(response.body, response.url):
            if self._same_site(site, url) and (request := self._list_request(site, url)):
                yield request

    def no_robots(self, failure: Failure) -> None:
        """No robots.txt (or none readable): no declared sitemaps, nothing failed."""
        logger.debug("%s: no robots.txt for sitemaps: %s", failure.request.meta.get("site"), failure.value)

    def parse_candidate(self, response: Response) -> Iterator[DocumentItem | scrapy.Request]:
        """A sitemap's URL: a document like any other if its title (or file name) names a report, else dropped."""
        if response.status == 304:  # the store holds it: it was a report
            yield from self.parse_document(response)
            return
        if isinstance(response, TextResponse) and not attachment_extension(response.url):
            title = " ".join(response.xpath("//title//text() | //h1//text()").getall())
        else:
            title = filename_of(response.url, _header(response, "Content-Disposition")) or ""
        if classify_title(title) != "report":
            logger.debug("%s: sitemap URL %s is not a report (%s)", response.meta["site"], response.url, title[:80])
            return
        response.meta["title"] = title.strip()
        yield from self.parse_document(response)

    def parse_document(self, response: Response) -> Iterator[DocumentItem | scrapy.Request]:
        site = self.sites[response.meta["site"]]
        content_type = _header(response, "Content-Type")
        is_html = isinstance(response, TextResponse) and (
            not content_type or content_type.encode().lower().startswith(_HTML_TYPES)
        )
        if (
            response.status == 200
            and is_html
            and may_link_documents(response.text)  # else parsing the page here could not find attachments
            and not carries_report_body(self._page_text(response))
        ):
            attachments = self._report_attachments(response)
            if attachments:
                # A detail page that only links the report as PDF/DOC files: the files are the reports.
                for url, text in attachments:
                    yield self._document_request(site, url, text)
                return
        yield DocumentItem(
            url=canonical_url(response.url),
            site=site.name,
            status=response.status,
            body=response.body if response.status == 200 else b"",
            content_type=content_type,
            filename=filename_of(response.url, _header(response, "Content-Disposition")),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            region=site.region,
        )

    def _is_report_page(self, response: TextResponse) -> bool:
        titles = " ".join(response.xpath("//title//text() | //h1//text()").getall())
        return classify_title(titles) == "report" and carries_report_body(self._page_text(response))

    @staticmethod
    def _page_text(response: TextResponse) -> str:
        return " ".join(_BODY_TEXT(response.selector.root))

    @staticmethod
    def _report_attachments(response: TextResponse) -> list[tuple[str, str]]:
        """Attachments of a detail page (linked, or shown in a viewer): those titled as reports, else every one
        not titled otherwise."""
        root = response.selector.root
        shown = [(url, "") for url in anchors.embedded_documents(response.url, root)]
        linked = [(link.url, link.text) for link in anchors.links(response.url, root)]
        found: list[tuple[str, str, bool]] = []
        for url, text in [*linked, *shown]:
            if attachment_extension(url) is None or is_negative(text) or is_negative(filename_of(url, None) or ""):
                continue
            found.append((url, text, classify_title(text) == "report"))
        titled = [(u, t) for u, t, is_report in found if is_report]
        return titled or [(u, t) for u, t, _ in found]

    def failed(self, failure: Failure) -> Iterator[FailureItem | scrapy.Request]:
        request = failure.request
        site = request.meta.get("site", "?")
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            logger.debug("%s: %s is disallowed by robots.txt", site, request.url)
            if "xxgk_list" in request.meta:  # never fetched: its place in the budget goes to a waiting page
                self.list_pages[site].discard(request.meta["xxgk_list"])
                self.disallowed.add(request.meta["xxgk_list"])
                waiting = self.over_budget[site]
                if waiting:
                    key = next(iter(waiting))
                    self.list_pages[site].add(key)
                    yield waiting.pop(key)
            return
        reason = self.failure_reason(failure)
        if reason == NEEDS_BROWSER:
            self.needs_browser.add(site)
        url = request.meta.get("redirect_urls", [request.url])[0]  # the URL as linked, before redirects
        logger.warning("%s: failed %s: %s", site, url, reason)
        yield FailureItem(url=canonical_url(url), site=site, reason=reason)

    def closed(self, reason: str) -> None:
        for site, waiting in sorted(self.over_budget.items()):
            if waiting:
                logger.warning(
                    "%s: page budget of %d list pages reached; %d more list pages were not fetched (first: %s)",
                    site,
                    self._budget(site),
                    len(waiting),
                    next(iter(waiting.values())).url,
                )
        if self.needs_browser:
            logger.warning(
                "sites answering with an anti-bot challenge (crawl them with a browser): %s",
                ", ".join(sorted(self.needs_browser)),
            )

    def failure_reason(self, failure: Failure) -> str:
        retries = failure.request.meta.get("retry_times", 0)
        after = f" after {retries} retries" if retries else ""
        if failure.check(HttpError):
            status = failure.value.response.status
            return NEEDS_BROWSER if status == 412 else f"HTTP {status}{after}"
        if failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
            timeout = failure.request.meta.get("download_timeout") or self.settings.getfloat("DOWNLOAD_TIMEOUT")
            return f"timed out ({timeout:g}s){after}"
        return f"{_describe(failure.value)}{after}"
