"""Store pipeline: parse each fetched document into a Report and save it; record every outcome of the run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.misc import load_object

from crawler.items import DocumentItem, FailureItem
from crawler.parsers import worker_pool
from xxgk.errors import UnreadableDocument
from xxgk.model import Report, content_hash, report_id
from xxgk.store import Store, now

logger = logging.getLogger(__name__)


class StorePipeline:
    """Writes to the SQLite store at setting ``XXGK_DB``.

    The run id comes from setting ``XXGK_RUN_ID`` (the CLI opens and closes the run); without it the
    pipeline opens a run itself and logs its summary when the spider closes.

    Parsing (PDF extraction above all) is CPU-bound: with ``XXGK_PARSE_WORKERS`` > 0 it runs in that
    many worker processes, so downloads go on meanwhile and several cores parse; with 0 it runs inline.
    Store writes always happen here, in the crawl process: one transaction per document.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        self.store: Store | None = None
        self.run_id = 0
        self.own_run = False
        self.parse: Callable[..., Report] = load_object(self.settings.get("XXGK_PARSER"))
        self.pool: Executor | None = None
        self.lifeline: Connection | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = Store(self.settings.get("XXGK_DB"))
        self.run_id = self.settings.getint("XXGK_RUN_ID")
        if not self.run_id:
            spider = self.crawler.spider
            self.run_id = self.store.start_run(sorted(getattr(spider, "sites", {})))
            self.own_run = True
        workers = self.settings.getint("XXGK_PARSE_WORKERS")
        if workers > 0:
            preload = [self.parse.__module__, *self.settings.getlist("XXGK_PARSE_PRELOAD")]
            self.pool, self.lifeline = worker_pool(workers, preload)

    def close_spider(self) -> None:
        assert self.store is not None
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.lifeline is not None:
            self.lifeline.close()
        if self.own_run:
            summary = self.store.finish_run(self.run_id)
            logger.info(
                "run %d: %d new, %d changed, %d unchanged, %d failed",
                summary.id,
                summary.new,
                summary.changed,
                summary.unchanged,
                summary.failed,
            )
        self.store.close()

    def _outcome(self, url: str, outcome: str, reason: str | None = None) -> None:
        assert self.store is not None
        self.store.record_event(self.run_id, url, outcome, reason)
        self.crawler.stats.inc_value(f"xxgk/{outcome}")

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, FailureItem):
            self._outcome(item.url, "failed", item.reason)
        elif isinstance(item, DocumentItem):
            await self._document(item)
        return item

    async def _document(self, item: DocumentItem) -> None:
        """Parse (unless the bytes are the stored ones), then record report, fetch state and outcome at once."""
        store = self.store
        assert store is not None
        rid = report_id(item.url)
        if item.status == 304:
            with store.transaction():
                state = store.fetch_state(item.url)
                if state is None or not store.has(rid):
                    self._outcome(item.url, "failed", "HTTP 304 for a document the store does not hold")
                    return
                store.record_fetch(
                    item.url,
                    status=304,
                    etag=item.etag or state.etag,
                    last_modified=item.last_modified or state.last_modified,
                    content_hash=state.content_hash,
                )
                self._outcome(item.url, "unchanged")
            return
        digest = content_hash(item.body)
        state = store.fetch_state(item.url)
        report: Report | str | None = None  # None: same bytes as last time, no need to parse again
        if state is None or state.content_hash != digest or not store.has(rid):
            report = await self._parse(item)  # no transaction is open across this wait
        if isinstance(report, str):
            logger.warning("%s: failed %s: %s", item.site, item.url, report)
            with store.transaction():
                store.record_fetch(item.url, status=item.status, etag=None, last_modified=None, content_hash=None)
                self._outcome(item.url, "failed", report)
            return
        with store.transaction():
            outcome = "unchanged"
            if report is not None:
                report.id = rid
                report.url = item.url
                report.site = item.site
                report.region = report.region.merged(item.region)
                report.fetched_at = now()
                report.content_hash = digest
                outcome = store.save(report)
            store.record_fetch(
                item.url, status=item.status, etag=item.etag, last_modified=item.last_modified, content_hash=digest
            )
            self._outcome(item.url, outcome)

    async def _parse(self, item: DocumentItem) -> Report | str:
        """The parsed report, or the reason it could not be parsed."""
        call = partial(
            self.parse,
            item.body,
            url=item.url,
            content_type=item.content_type,
            filename=item.filename,
            region_hint=item.region,
        )
        try:
            if self.pool is None:
                return call()
            return await asyncio.get_running_loop().run_in_executor(self.pool, call)
        except UnreadableDocument as exc:
            return f"unreadable: {exc}"
        except Exception as exc:  # a parser bug on one document must never stop the crawl
            logger.exception("parser crashed on %s", item.url)
            return f"parser error: {type(exc).__name__}: {exc}"
