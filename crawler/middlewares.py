"""Downloader middlewares: conditional GET from the store, retries with exponential backoff, redirect loops."""

from __future__ import annotations

import logging
import time
from email.utils import parsedate_to_datetime

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import DownloadCancelledError, DownloadFailedError, IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message
from w3lib.url import safe_url_string

from crawler.canonical import canonical_url
from xxgk.store import Store

logger = logging.getLogger(__name__)


class ConditionalGetMiddleware:
    """Adds If-None-Match / If-Modified-Since to document requests the store already holds."""

    def __init__(self, store: Store):
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        middleware = cls(Store(crawler.settings.get("XXGK_DB")))
        crawler.signals.connect(middleware.store.close, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request) -> None:
        if not request.meta.get("xxgk_document"):
            return
        state = self.store.fetch_state(canonical_url(request.url))
        # Only a successfully stored fetch may be answered by 304; failed ones are fetched in full again.
        if state is None or not state.content_hash:
            return
        if state.etag:
            request.headers.setdefault(b"If-None-Match", state.etag)
        if state.last_modified:
            request.headers.setdefault(b"If-Modified-Since", state.last_modified)


class BackoffRetryMiddleware:
    """Scrapy's retry (``RETRY_*`` settings, through its public ``get_retry_request``), plus a non-blocking
    delay before each retry: exponential, or what the server's ``Retry-After`` asks for.

    The retry request carries the earliest time it may go out; ``process_request`` waits for it on the
    reactor (other requests proceed meanwhile).  Delay: ``XXGK_RETRY_BACKOFF_BASE * 2**(n-1)`` seconds for the
    n-th retry, at most ``XXGK_RETRY_BACKOFF_MAX``; a longer ``Retry-After`` (seconds or an HTTP date) wins up to
    ``XXGK_RETRY_AFTER_MAX`` seconds.  Beyond that the document fails ("retry-after too long") instead of
    the site being asked again too soon.  A download cancelled at ``DOWNLOAD_MAXSIZE`` says so, and a broken
    response (a bad status line, a dropped connection) names its cause.
    """

    def __init__(self, crawler: Crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.retry_http_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.priority_adjust = settings.getint("RETRY_PRIORITY_ADJUST")
        self.exceptions = tuple(
            load_object(e) if isinstance(e, str) else e for e in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.base = settings.getfloat("XXGK_RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("XXGK_RETRY_BACKOFF_MAX", 30.0)
        self.retry_after_max = settings.getfloat("XXGK_RETRY_AFTER_MAX")
        self.maxsize = settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    def _retry(self, request: Request, reason: str | Exception, wait: float | None = None) -> Request | None:
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
        )
        if retry is not None:
            backoff = min(self.cap, self.base * 2 ** (retry.meta["retry_times"] - 1))
            retry.meta["xxgk_not_before"] = time.time() + max(backoff, wait or 0)
        return retry

    async def process_request(self, request: Request) -> None:
        wait = request.meta.get("xxgk_not_before", 0) - time.time()
        if wait > 0:
            await sleep(wait)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = retry_after(response.headers.get(b"Retry-After"))
        if wait is not None and wait > self.retry_after_max:
            raise IgnoreRequest(
                f"retry-after too long: HTTP {response.status} asks to wait {wait:.0f} s "
                f"(at most {self.retry_after_max:g} s are honoured)"
            )
        return self._retry(request, response_status_message(response.status), wait) or response

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if isinstance(exception, DownloadCancelledError) and not str(exception):
            # Scrapy cancels a body that grows past DOWNLOAD_MAXSIZE (an endless chunked body) without a word.
            limit = request.meta.get("download_maxsize", self.maxsize)
            raise DownloadCancelledError(f"body larger than the download size cap ({limit} bytes), cancelled")
        if isinstance(exception, self.exceptions) and not request.meta.get("dont_retry"):
            retry = self._retry(request, exception)
            if retry is not None:
                return retry
        reasons = getattr(exception.__cause__, "reasons", None)  # Twisted's ResponseFailed, as Scrapy wraps it
        if isinstance(exception, DownloadFailedError) and reasons:
            causes = "; ".join(f"{type(r.value).__name__}: {r.value}" for r in reasons)
            raise DownloadFailedError(f"no complete HTTP response: {causes}")
        return None


def retry_after(value: bytes | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delay-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class RedirectLoopMiddleware:
    """Fails a request whose redirect points back to a URL of its own redirect chain.

    Without this, Scrapy's duplicate filter drops the looping request silently and the URL
    would never be reported as failed.
    """

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        target = canonical_url(safe_url_string(response.urljoin(location.decode("latin-1"))))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {canonical_url(u) for u in chain}:
            raise IgnoreRequest(f"redirect loop: {' -> '.join(chain)} -> {target}")
        return response
