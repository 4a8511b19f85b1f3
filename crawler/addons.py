"""Scrapy add-ons of the crawler: named bundles of settings, switched on through ``ADDONS``.

A bundle's values override the project's settings (``crawler/settings.py``) and yield to settings given
explicitly (``build_settings`` overrides, ``--settings-json``): they are set at priority ``BUNDLE``, between
the two. The Redis worker's bundle is ``crawler.distributed.settings.RedisWorker``.
"""

from __future__ import annotations

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

BUNDLE = (SETTINGS_PRIORITIES["project"] + SETTINGS_PRIORITIES["cmdline"]) // 2


class NoThrottle:
    """Politeness off (no AutoThrottle, no delay, high concurrency): for loopback demo portals and benchmarks only."""

    SETTINGS = {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 64,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
    }

    def update_settings(self, settings: BaseSettings) -> None:
        settings.setdict(self.SETTINGS, priority=BUNDLE)
