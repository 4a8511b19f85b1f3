"""A stand-in parser for tests: its report says which crawl-side modules the parsing process has loaded."""

from __future__ import annotations

import sys

from xxgk.model import Report, report_id


def modules_report(data: bytes, *, url: str, **_: object) -> Report:
    loaded = [name for name in ("scrapy", "twisted") if name in sys.modules]
    return Report(id=report_id(url), url=url, text=" ".join(loaded) or "lean")
