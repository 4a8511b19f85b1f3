"""A scrapy-redis scheduler whose requests are leased, not just popped, and whose workers know when to stop.

scrapy-redis 0.9.1 pops a request from Redis and forgets it: a worker killed mid-download loses every
request it held. It also idles forever once the queue is empty (or stops while other workers still
produce requests), deletes the shared queue and dupefilter when any one worker closes, and pickles
requests. This scheduler keeps scrapy-redis's queue base (``Request.to_dict`` / ``request_from_dict``)
and dupefilter interface, and runs on ``crawler.distributed.frontier.Frontier``:

* ``next_request`` leases the request (see ``Frontier.pop``); a request counts as done once the engine
  has dropped it from its in-progress set — i.e. after its callback ran, the requests it yielded are
  queued and its items went through the pipelines. A tick (``XXGK_REDIS_TICK`` s) acks finished leases,
  renews the others, and re-queues the expired leases of dead workers.
* politeness (``XXGK_REDIS_RATE``): a host is held by the request leased for it until that request leaves the
  downloader (``request_left_downloader``: its response or failure is back), then free one interval later.
  The worker asks for requests again at the moment a host is free: one interval after a response it got,
  and when a pop hands out nothing, when the pop says the first waiting host is free (the tick is a fallback).
  A request answered from the run's robots.txt copy (``crawler.distributed.robots``) sent nothing to its host,
  which is free again as soon as the worker's own gate (``crawler.hostgate``) lets it be.
* the spider closes when the *shared* frontier is drained — nothing queued, delayed or leased by any
  worker — and otherwise stays open (``spider_idle`` → ``DontCloseSpider``).
* backpressure: while the run's item list (parsed documents waiting for ``xxgk ingest``) is longer than
  ``XXGK_REDIS_MAX_ITEMS``, ``next_request`` returns nothing, so Redis memory stays bounded; nor does it
  while the worker has 2 × ``CONCURRENT_REQUESTS`` requests in progress (fetched, still being parsed).
* on a Redis error that outlasts the client's retries the worker stops acking (its leases will expire
  and return to the queue), logs an error and closes with reason ``redis_unavailable``.

Scrapy internals used: ``engine._slot.inprogress`` and ``engine._slot.nextcall`` (checked at open).
"""

from __future__ import annotations

import logging
import math
import os
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.spiders import Spider
from scrapy.utils.asyncio import call_later, create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from crawler.distributed import codec
from crawler.distributed.connection import connect_from_settings
from crawler.distributed.dupefilter import FingerprintDupeFilter
from crawler.distributed.frontier import Frontier, RunKeys, decode_member, encode_member
from crawler.distributed.robots import SHARED
from crawler.hostgate import HostGate

logger = logging.getLogger(__name__)

SEED_META = "xxgk_seed"  # set on start() requests by SeedMiddleware


class RequestCodec(RedisQueueBase):
    """scrapy-redis's request encoding (``to_dict`` with callback names), through the JSON codec."""

    def encode(self, request: Request) -> bytes:
        return self._encode_request(request)

    def decode(self, data: bytes) -> Request:
        return self._decode_request(data)


class LeasedScheduler(RedisScheduler):
    """Settings: ``REDIS_URL``, ``XXGK_REDIS_RUN`` (run name), ``XXGK_REDIS_LEASE`` (s),
    ``XXGK_REDIS_RATE`` (max requests/s per host over all workers, 0 = no limit), ``XXGK_REDIS_TICK`` (s),
    ``XXGK_REDIS_TTL`` / ``XXGK_REDIS_FINISHED_TTL`` (s), ``XXGK_REDIS_MAX_ITEMS`` (item backlog at which
    workers stop starting downloads, 0 = no limit)."""

    def __init__(self, crawler: Crawler, server: redis.Redis, frontier: Frontier):
        settings = crawler.settings
        super().__init__(server, persist=True, dupefilter_cls=settings["DUPEFILTER_CLASS"], serializer=codec)
        self.crawler = crawler
        self.stats = crawler.stats
        self.frontier = frontier
        self.keys = frontier.keys
        self.tick_seconds = settings.getfloat("XXGK_REDIS_TICK", 0.5)
        self.ttl = settings.getint("XXGK_REDIS_TTL")
        self.finished_ttl = settings.getint("XXGK_REDIS_FINISHED_TTL")
        self.backlogged = False  # the item list is over its cap: no new downloads until the ingester catches up
        # requests leased and not yet done (downloading, parsing, pushing): bounds this worker's leases, and the
        # items it may still push once the item list is over its cap
        self.max_in_progress = 2 * settings.getint("CONCURRENT_REQUESTS")
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.leases: dict[Request, str] = {}
        self.broken: BaseException | None = None
        self.codec: RequestCodec | None = None
        self._task: Any = None
        self._wake: Any = None  # the pending wake-up for the moment a waiting host is free, and its time
        self._wake_at = 0.0
        self._gate: HostGate | None = None  # this worker's own per-host gate (crawler.hostgate), if on
        self._last_ttl = 0.0
        crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(self._on_left_downloader, signal=signals.request_left_downloader)
        crawler.signals.connect(self._on_response, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeasedScheduler:
        settings = crawler.settings
        if not settings.get("REDIS_URL") or not settings.get("XXGK_REDIS_RUN"):
            raise ValueError("LeasedScheduler needs the REDIS_URL and XXGK_REDIS_RUN settings")
        server = connect_from_settings(settings)
        server.ping()
        rate = settings.getfloat("XXGK_REDIS_RATE")
        frontier = Frontier(
            server,
            RunKeys(settings["XXGK_REDIS_RUN"]),
            lease_ms=int(settings.getfloat("XXGK_REDIS_LEASE") * 1000),
            interval_ms=int(1000 / rate) if rate > 0 else 0,
            max_items=settings.getint("XXGK_REDIS_MAX_ITEMS"),
        )
        return cls(crawler, server, frontier)

    # -- lifecycle -----------------------------------------------------------

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.codec = RequestCodec(self.server, spider, self.keys.queue, serializer=codec)
        self.df = FingerprintDupeFilter.from_crawler(self.crawler)
        slot = getattr(self.crawler.engine, "_slot", None)
        if not (hasattr(slot, "inprogress") and hasattr(slot, "nextcall")):
            raise RuntimeError("this Scrapy version hides engine._slot.inprogress/nextcall; LeasedScheduler needs them")
        self._slot = slot
        middlewares = self.crawler.engine.downloader.middleware.middlewares
        self._gate = next((m for m in middlewares if isinstance(m, HostGate)), None)
        sites = sorted(getattr(spider, "sites", None) or [])
        known = sorted(m.decode() for m in self.server.smembers(self.keys.sites))
        if known and sites != known:
            # a worker could not handle requests of sites it was not configured for (callbacks look them up)
            raise ValueError(
                f"run {self.keys.run!r} crawls sites {', '.join(known)}; this worker was started for"
                f" {', '.join(sites) or 'none'}: start every worker of a run with the same --config/--site,"
                " or use another --run-name"
            )
        with self.server.pipeline() as pipe:
            if sites:
                pipe.sadd(self.keys.sites, *sites)
            pipe.zadd(self.keys.workers, {self.worker: time.time() + self.frontier.lease_ms / 1000})
            pipe.execute()
        self._refresh_ttl()
        status = self.frontier.status()
        if status.queued or status.leased or status.delayed:
            counts = (status.queued, status.delayed, status.leased)
            logger.info("joining run %s: %d queued, %d delayed, %d leased", self.keys.run, *counts)
        self._task = create_looping_call(self._tick)
        self._task.start(self.tick_seconds, now=False)

    def close(self, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        if self._wake is not None:
            self._wake.cancel()
        if self.broken is not None:
            logger.error(
                "worker %s closed without Redis; its leased requests return when their lease expires", self.worker
            )
            return
        try:
            done, unfinished = self._split_leases()
            self.frontier.settle(done, [])
            if unfinished:
                logger.info("releasing %d unfinished requests back to the shared queue", len(unfinished))
                self.frontier.release(unfinished)
            self.leases.clear()
            self.server.zrem(self.keys.workers, self.worker)
            if reason == "finished" and self.frontier.finish(self.finished_ttl, time.time()):
                logger.info(
                    "run %s finished: frontier removed, dupefilter expires in %d s", self.keys.run, self.finished_ttl
                )
        except redis.RedisError as exc:
            logger.error("could not settle leases on close (they will expire and be re-queued): %s", exc)

    # -- the scheduler interface ---------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if self.broken is not None:
            return False
        assert self.codec is not None and self.df is not None
        seed = request.meta.pop(SEED_META, False)  # only its first push: a retry of a seed must get through
        fingerprint = None if request.dont_filter and not seed else self.df.fingerprint(request)
        member = encode_member(request.priority, urlsplit(request.url).netloc.lower(), self.codec.encode(request))
        try:
            queued = self.frontier.push(member, fingerprint)
        except redis.RedisError as exc:
            self.fail(exc)
            return False
        if not queued:
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.broken is not None or len(self._slot.inprogress) >= self.max_in_progress:
            return None
        try:
            lease = self.frontier.pop()
        except redis.RedisError as exc:
            self.fail(exc)
            return None
        if self.frontier.backlogged != self.backlogged:
            self.backlogged = self.frontier.backlogged
            logger.info(
                "item backlog over %d: downloads %s",
                self.frontier.max_items,
                "paused" if self.backlogged else "resumed",
            )
            self.stats.inc_value("xxgk/backlog_pauses", int(self.backlogged))
        if lease is None:
            if self.frontier.next_free is not None:
                self._wake_in(self.frontier.next_free)
            return None
        assert self.codec is not None
        try:
            request = self.codec.decode(decode_member(lease.member))
        except Exception as exc:  # a request this worker's code cannot rebuild: park it, keep crawling
            logger.error("cannot decode a queued request (kept in %s): %s", self.keys.key("undecodable"), exc)
            with self.server.pipeline() as pipe:
                pipe.rpush(self.keys.key("undecodable"), lease.member)
                pipe.execute()
            self.frontier.settle([lease.token], [])
            return None
        self.leases[request] = lease.token
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.broken is not None:
            return False
        try:
            status = self.frontier.status()
        except redis.RedisError as exc:
            self.fail(exc)
            return False
        return bool(status.queued or status.delayed)

    def __len__(self) -> int:
        status = self.frontier.status()
        return status.queued + status.delayed

    def flush(self) -> None:
        self.server.delete(*self.keys.frontier(), self.keys.dupefilter)

    # -- leases, idleness, failure -------------------------------------------

    def _on_left_downloader(self, request: Request) -> None:
        """Its response (or failure) is back: its host may take the next request one interval from now."""
        self._responded(request, self.frontier.interval_ms / 1000)

    def _on_response(self, response: Response, request: Request) -> None:
        """An answer that never reached the downloader (the run's robots.txt copy): nothing went to the host, which
        is free as soon as this worker's own gate lets it be (a robots.txt fetch of its own may have just gone out)."""
        if SHARED in response.flags:
            host = urlparse_cached(request).hostname or ""
            self._responded(request, self._gate.free_in(host) if self._gate else self.frontier.interval_ms / 1000)

    def _responded(self, request: Request, wait: float) -> None:
        """Free the host of ``request``'s lease ``wait`` s from now."""
        token = self.leases.get(request)
        if token is None or self.broken is not None:
            return
        try:
            self.frontier.responded([token], math.ceil(wait * 1000))
        except redis.RedisError as exc:
            self.fail(exc)
            return
        self._wake_in(wait)

    def _wake_in(self, seconds: float) -> None:
        """Let the engine ask for requests again in ``seconds`` (when a host is free), unless it will sooner."""
        at = time.monotonic() + seconds
        if self._wake is not None and self._wake_at <= at:
            return
        if self._wake is not None:
            self._wake.cancel()
        self._wake, self._wake_at = call_later(seconds, self._woken), at

    def _woken(self) -> None:
        self._wake = None
        self._slot.nextcall.schedule()

    def _split_leases(self) -> tuple[list[str], list[str]]:
        """Tokens of requests the engine is done with, and of those still in progress."""
        inprogress = self._slot.inprogress
        done = [token for request, token in self.leases.items() if request not in inprogress]
        for request in [r for r in self.leases if r not in inprogress]:
            del self.leases[request]
        return done, list(self.leases.values())

    def _tick(self) -> None:
        if self.broken is not None:
            return
        try:
            done, running = self._split_leases()
            lost = self.frontier.settle(done, running)
            if lost:
                logger.warning(
                    "%d leases expired while still in progress; another worker may fetch them too", len(lost)
                )
            self.frontier.requeue_expired()
            self.server.zadd(self.keys.workers, {self.worker: time.time() + self.frontier.lease_ms / 1000})
            if time.monotonic() - self._last_ttl > 60:
                self._refresh_ttl()
            status = self.frontier.status()
        except redis.RedisError as exc:
            self.fail(exc)
            return
        if status.queued or status.due or not self._slot.inprogress:
            # work to take, or this worker idles: let the engine look again now rather than at its
            # 5 s heartbeat (an idle worker then closes as soon as the last lease elsewhere is acked)
            self._slot.nextcall.schedule()

    def _refresh_ttl(self) -> None:
        keys = [*self.keys.frontier(), self.keys.dupefilter, self.keys.workers, self.keys.sites]
        with self.server.pipeline() as pipe:
            for key in keys:
                pipe.expire(key, self.ttl)
            pipe.execute()
        self._last_ttl = time.monotonic()

    def _on_idle(self) -> None:
        """Close only when no worker has anything queued, delayed or in flight.

        Once Redis is lost, ``next_request`` returns nothing, so the engine goes idle at once: without the
        ``DontCloseSpider`` here it would close the spider as "finished" before the close that ``fail``
        scheduled (reason ``redis_unavailable``) runs, and the worker would exit 0 having done nothing.
        """
        if self.broken is not None:
            raise DontCloseSpider
        try:
            done, running = self._split_leases()
            self.frontier.settle(done, running)
            self.frontier.requeue_expired()
            status = self.frontier.status()
        except redis.RedisError as exc:
            self.fail(exc)
            return
        if not status.drained:
            raise DontCloseSpider

    def fail(self, exc: BaseException) -> None:
        if self.broken is not None:
            return
        self.broken = exc
        self.stats.set_value("xxgk/redis_error", str(exc))
        logger.error("Redis unavailable (%s): worker %s stops; nothing it holds is acked", exc, self.worker)
        if self._task is not None and self._task.running:
            self._task.stop()
        engine = self.crawler.engine
        call_later(0, lambda: deferred_from_coro(engine.close_spider_async(reason="redis_unavailable")))
