"""Downloader middlewares: conditional GET from the store, retries with exponential backoff, redirect loops."""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
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


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry, plus an exponential, non-blocking delay before each retry.

    The retry request carries the earliest time it may go out; ``process_request`` waits for it
    on the reactor (other requests proceed meanwhile). Delay: ``RETRY_BACKOFF_BASE * 2**(n-1)``
    seconds for the n-th retry, at most ``RETRY_BACKOFF_MAX``.
    """

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            attempt = retry.meta.get("retry_times", 1)
            retry.meta["xxgk_not_before"] = time.time() + min(self.cap, self.base * 2 ** (attempt - 1))
        return retry

    async def process_request(self, request: Request) -> None:
        wait = request.meta.get("xxgk_not_before", 0) - time.time()
        if wait > 0:
            await sleep(wait)


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
