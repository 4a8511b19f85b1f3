"""Item pipeline of a distributed worker: parse each fetched document here, push the outcome to Redis.

Parsing runs in the worker's own parser processes (``XXGK_PARSE_WORKERS``, as in a single-process crawl), so
every worker added to a run adds parsing capacity and the ingester only writes. What goes to the run's item
list is a ``xxgk.ingest.Parsed`` message (the report's store row and JSON text, the raw bytes' sha256 and
the fetch metadata; the raw bytes themselves only with ``XXGK_REDIS_RAW``), or a ``Failure`` for a URL that
could not be fetched.

The push is done before the engine drops the request that produced the item — the request's lease is
acked only after its items are safely in Redis. A Redis error is not swallowed: the scheduler stops acking
(the request will be fetched again) and the worker closes, dropping at once (unparsed) the items still
coming in meanwhile.
"""

from __future__ import annotations

from typing import Any

import redis
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.distributed.connection import connect_from_settings
from crawler.distributed.frontier import RunKeys
from crawler.items import DocumentItem, FailureItem
from crawler.pipelines import parser_from_settings
from xxgk.ingest import Failure, parse_fetched
from xxgk.parsers import Parser


class ParseAndPushPipeline:
    def __init__(self, crawler: Crawler, server: redis.Redis, key: str):
        self.crawler = crawler
        self.server = server
        self.key = key
        self.keep_body = crawler.settings.getbool("XXGK_REDIS_RAW")
        self.parser: Parser | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParseAndPushPipeline:
        settings = crawler.settings
        return cls(crawler, connect_from_settings(settings), RunKeys(settings["XXGK_REDIS_RUN"]).items)

    def open_spider(self) -> None:
        self.parser = parser_from_settings(self.crawler.settings)

    def close_spider(self) -> None:
        if self.parser is not None:
            self.parser.close()

    async def process_item(self, item: Any) -> Any:
        assert self.parser is not None
        scheduler = self.crawler.engine.scheduler
        if getattr(scheduler, "broken", None) is not None:  # closing without Redis: its request is not acked
            raise DropItem("Redis unavailable: the request will be fetched again")
        if isinstance(item, DocumentItem):
            message = (await parse_fetched(item, self.parser, keep_body=self.keep_body)).to_message()
        elif isinstance(item, FailureItem):
            message = Failure(item.url, item.reason).to_message()
        else:
            raise TypeError(f"a worker pushes documents and failures, not {type(item).__name__}")
        try:
            self.server.rpush(self.key, message)
        except redis.RedisError as exc:
            if hasattr(scheduler, "fail"):
                scheduler.fail(exc)
            raise
        self.crawler.stats.inc_value("xxgk/items_to_redis")
        return item
