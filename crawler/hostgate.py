"""Per-host politeness that holds whatever the latencies: one request at a time per host, the next one no
sooner than ``1 / XXGK_HOST_RATE`` seconds after the previous one's response (or failure) came back.

Scrapy's ``DOWNLOAD_DELAY`` spaces the moments requests leave the crawler; a host sees them at those
moments plus a latency that varies (a busy event loop, a descheduled process, the network), so two
requests can reach it closer together than the delay. Here the interval starts when the previous
response arrived, after the host admitted its request: two requests reach the host at least the
interval apart, always. The cost is the latency of each response added to the interval.

The gate is the last downloader middleware, so every request to the host passes it, robots.txt
included (Scrapy's robots middleware downloads through the same chain), and a retry waits for its
backoff before queuing here. Off when ``XXGK_HOST_RATE`` is 0.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

HELD = "xxgk_host_held"  # request meta: the host whose gate this request holds


@dataclass
class Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    free_at: float = 0.0  # monotonic time from which the next request may go out


class HostGate:
    """Downloader middleware (setting ``XXGK_HOST_RATE``, requests per second per host)."""

    def __init__(self, rate: float):
        self.interval = 1 / rate
        self.hosts: dict[str, Host] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostGate:
        rate = crawler.settings.getfloat("XXGK_HOST_RATE")
        if rate <= 0:
            raise NotConfigured
        return cls(rate)

    async def process_request(self, request: Request) -> None:
        name = urlparse_cached(request).hostname or ""
        host = self.hosts.setdefault(name, Host())
        await host.lock.acquire()
        request.meta[HELD] = name
        wait = host.free_at - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def process_response(self, request: Request, response: Response) -> Response:
        self.release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self.release(request)

    def free_in(self, name: str) -> float:
        """Seconds until host ``name`` may take its next request here (0: now)."""
        host = self.hosts.get(name)
        return max(0.0, host.free_at - time.monotonic()) if host is not None else 0.0

    def release(self, request: Request) -> None:
        """Start the host's interval now and let its next request wait for it (no-op if not held)."""
        name = request.meta.pop(HELD, None)
        if name is None:
            return
        host = self.hosts[name]
        host.free_at = time.monotonic() + self.interval
        host.lock.release()
