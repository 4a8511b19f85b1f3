"""Item pipeline of a distributed worker: every item goes to the run's Redis item list, for ``xxgk ingest``.

The push is synchronous, so it is done before the engine drops the request that produced the item —
the request's lease is acked only after its items are safely in Redis. A Redis error is not swallowed:
the scheduler stops acking (the request will be fetched again) and the worker closes.
"""

from __future__ import annotations

from typing import Any

import redis
from scrapy.crawler import Crawler

from crawler.distributed.codec import dump_item
from crawler.distributed.connection import connect_from_settings
from crawler.distributed.frontier import RunKeys


class RedisItemPipeline:
    def __init__(self, crawler: Crawler, server: redis.Redis, key: str):
        self.crawler = crawler
        self.server = server
        self.key = key

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisItemPipeline:
        settings = crawler.settings
        return cls(crawler, connect_from_settings(settings), RunKeys(settings["XXGK_REDIS_RUN"]).items)

    def process_item(self, item: Any) -> Any:
        try:
            self.server.rpush(self.key, dump_item(item))
        except redis.RedisError as exc:
            scheduler = self.crawler.engine.scheduler
            if hasattr(scheduler, "fail"):
                scheduler.fail(exc)
            raise
        self.crawler.stats.inc_value("xxgk/items_to_redis")
        return item
