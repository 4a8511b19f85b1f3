"""Redis clients that ride out a short outage (a restart) and then fail loudly."""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from scrapy.settings import BaseSettings

# About 30 s of reconnect attempts (backoff 50 ms doubling up to 1 s) before a command gives up.
RETRIES = 40


def connect(url: str, *, retries: int = RETRIES) -> redis.Redis:
    """A client for ``url`` (``redis://host:port/db``) that retries a lost connection with backoff."""
    return redis.Redis.from_url(
        url,
        socket_timeout=30,
        socket_connect_timeout=5,
        health_check_interval=15,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), retries),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
    )


def connect_from_settings(settings: BaseSettings) -> redis.Redis:
    """The client for ``REDIS_URL``, with ``XXGK_REDIS_RETRIES`` reconnect attempts."""
    return connect(settings["REDIS_URL"], retries=settings.getint("XXGK_REDIS_RETRIES", RETRIES))
