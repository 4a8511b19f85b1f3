"""robots.txt fetched once per site and run, by whichever worker asks first: a downloader middleware of workers.

Scrapy's robots middleware keeps what it fetched in its own process, so every worker of a run fetched each
site's robots.txt again, and the spider's own robots.txt request (for the sitemaps it declares) once more.
Here the first final answer to a ``/robots.txt`` request (2xx, or 4xx but 429) goes to the run's ``robots``
hash, and every later robots.txt request of the run, from any worker, is answered from there. A redirect,
a 5xx, a 429 or a failure is not kept: the next request asks the site again.

It sits just before ``crawler.hostgate.HostGate``, so an answer from Redis takes no turn at the host's gate.
Without Redis (an outage) the site is asked, as without this middleware.
"""

from __future__ import annotations

import logging

import redis
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.httpobj import urlparse_cached

from crawler.distributed.connection import connect_from_settings
from crawler.distributed.frontier import RunKeys

logger = logging.getLogger(__name__)

SHARED = "shared"  # flag of a response answered from the run's hash


def is_robots(request: Request) -> bool:
    url = urlparse_cached(request)
    return request.method == "GET" and url.path == "/robots.txt" and not url.query


def kept(response: Response) -> bytes | None:
    """What the hash keeps of a final answer (status, content type, body), or None for one asked again."""
    if not (200 <= response.status < 300 or (400 <= response.status < 500 and response.status != 429)):
        return None
    ctype = response.headers.get(b"Content-Type", b"").replace(b"\n", b" ")
    return b"%d\n%s\n%s" % (response.status, ctype, response.body)


def answer(request: Request, value: bytes) -> Response:
    status, ctype, body = value.split(b"\n", 2)
    headers = {b"Content-Type": ctype} if ctype else {}
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(url=request.url, status=int(status), headers=headers, body=body, request=request, flags=[SHARED])


class SharedRobots:
    def __init__(self, crawler: Crawler, server: redis.Redis, key: str):
        self.stats = crawler.stats
        self.server = server
        self.key = key

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRobots:
        settings = crawler.settings
        return cls(crawler, connect_from_settings(settings), RunKeys(settings["XXGK_REDIS_RUN"]).robots)

    def process_request(self, request: Request) -> Response | None:
        if not is_robots(request):
            return None
        try:
            value = self.server.hget(self.key, request.url)
        except redis.RedisError as exc:
            logger.warning("robots.txt from the site, not the run's copy (%s): %s", exc, request.url)
            return None
        if value is None:
            return None
        try:
            response = answer(request, value)
        except ValueError:  # not what this module writes: ask the site
            return None
        self.stats.inc_value("xxgk/robots_shared")
        return response

    def process_response(self, request: Request, response: Response) -> Response:
        value = kept(response) if is_robots(request) and SHARED not in response.flags else None
        if value is not None:
            try:
                self.server.hsetnx(self.key, request.url, value)
            except redis.RedisError as exc:
                logger.warning("robots.txt not shared with the other workers (%s): %s", exc, request.url)
        return response
