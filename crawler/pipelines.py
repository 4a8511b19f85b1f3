"""Store pipeline: hands each fetched document to the ingest stage (``xxgk.ingest``) and counts the outcomes."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.settings import Settings

from crawler.items import DocumentItem, FailureItem
from xxgk.ingest import Ingest, Outcome
from xxgk.parsers import Limits, Parser, parser
from xxgk.store import Store

logger = logging.getLogger(__name__)


def parser_from_settings(settings: Settings) -> Parser:
    """The parser processes (or inline parser) the ``XXGK_PARSE*`` / ``XXGK_PARSER`` settings ask for."""
    limits = Limits(
        settings.getint("XXGK_PARSE_MEMORY"),
        settings.getint("XXGK_PARSE_CPU_SECONDS"),
        settings.getint("XXGK_PARSE_NICE"),
    )
    return parser(
        settings.getint("XXGK_PARSE_WORKERS"),
        settings.get("XXGK_PARSER"),
        settings.getlist("XXGK_PARSE_PRELOAD"),
        limits,
    )


class StorePipeline:
    """Writes to the SQLite store at setting ``XXGK_DB``.

    The store run comes from setting ``XXGK_STORE_RUN`` (the CLI opens and closes it); without it the
    pipeline opens a run itself and logs its summary when the spider closes.

    Parsing (PDF extraction above all) is CPU-bound: with ``XXGK_PARSE_WORKERS`` > 0 it runs in that
    many parser processes (``xxgk.parsers``), so downloads go on meanwhile and several cores parse; with 0
    it runs inline. Store writes always happen here, in the crawl process: one transaction per document.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        self.store: Store | None = None
        self.ingest: Ingest | None = None
        self.parser: Parser | None = None
        self.own_run = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        settings = self.settings
        self.store = Store(settings.get("XXGK_DB"))
        run = settings.getint("XXGK_STORE_RUN")
        if not run:
            run = self.store.start_run(sorted(getattr(self.crawler.spider, "sites", {})))
            self.own_run = True
        self.parser = parser_from_settings(settings)
        self.ingest = Ingest(self.store, run, self.parser)

    def close_spider(self) -> None:
        assert self.store is not None and self.ingest is not None and self.parser is not None
        self.parser.close()
        if self.own_run:
            summary = self.store.finish_run(self.ingest.run)
            logger.info(
                "run %d: %d new, %d changed, %d unchanged, %d failed",
                summary.id,
                summary.new,
                summary.changed,
                summary.unchanged,
                summary.failed,
            )
        self.store.close()

    async def process_item(self, item: Any) -> Any:
        assert self.ingest is not None
        if isinstance(item, FailureItem):
            self._count(self.ingest.failure(item.url, item.reason))
        elif isinstance(item, DocumentItem):
            self._count(await self.ingest.document(item))
        return item

    def _count(self, outcome: Outcome) -> None:
        self.crawler.stats.inc_value(f"xxgk/{outcome.kind}")
