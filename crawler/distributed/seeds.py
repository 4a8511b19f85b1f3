"""Spider middleware: start requests of a shared run go out once, not once per worker.

Every worker runs the spider's ``start()``; the ``disclosure`` spider marks its list pages
``dont_filter`` so that each run re-walks them. Under a shared frontier that would queue every seed
once per worker, so seeds are tagged here and the scheduler filters them through the run's dupefilter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Request

from crawler.distributed.scheduler import SEED_META


class SeedMiddleware:
    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item_or_request in start:
            if isinstance(item_or_request, Request):
                item_or_request.meta[SEED_META] = True
            yield item_or_request
