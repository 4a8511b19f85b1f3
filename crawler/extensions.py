"""Crawl extensions: a periodic progress line, and a guard that makes ``JOBDIR`` safe after a hard kill."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.job import job_dir

logger = logging.getLogger(__name__)

RUNNING_MARK = "xxgk.running"


class ProgressLog:
    """Logs one line every ``XXGK_PROGRESS_INTERVAL`` seconds: pages fetched, reports new/changed/unchanged, failed."""

    def __init__(self, crawler: Crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.task = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLog:
        interval = crawler.settings.getfloat("XXGK_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def opened(self) -> None:
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def log(self) -> None:
        get = self.crawler.stats.get_value
        logger.info(
            "progress: %d pages fetched, reports %d new / %d changed / %d unchanged, %d failed",
            get("response_received_count", 0),
            get("xxgk/new", 0),
            get("xxgk/changed", 0),
            get("xxgk/unchanged", 0),
            get("xxgk/failed", 0),
        )

    def closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.log()


class JobdirGuard:
    """Keeps a ``JOBDIR`` trustworthy.

    Scrapy saves its request queue only on a clean shutdown, while the seen-request file grows
    as requests are scheduled. After a hard kill (kill -9, power loss) the directory holds "seen"
    requests that were never fetched and no queue: resuming from it would silently lose them.
    A marker file, present while a crawl runs, detects that case; the stale state is then dropped
    and the crawl walks the site again — documents already stored come back as cheap 304s.
    A crawl that finished leaves an empty job directory, so the next run starts afresh; an
    interrupted one (Ctrl-C) keeps its state and resumes.
    """

    def __init__(self, crawler: Crawler, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        mark = path / RUNNING_MARK
        if mark.exists():
            logger.warning("job directory %s is from a crawl that was killed; starting its walk again", path)
            self.clear()
        mark.touch()
        self.reason: str | None = None
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobdirGuard:
        path = job_dir(crawler.settings)
        if not path:
            raise NotConfigured
        return cls(crawler, Path(path))

    def clear(self) -> None:
        for child in self.path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()

    def closed(self, reason: str) -> None:
        self.reason = reason

    def stopped(self) -> None:
        # After every component has saved its state: drop it all if the crawl is complete.
        if self.reason == "finished":
            self.clear()
        (self.path / RUNNING_MARK).unlink(missing_ok=True)
