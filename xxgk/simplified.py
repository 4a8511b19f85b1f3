"""Traditional → Simplified script: the one OpenCC ``t2s`` converter of a process.

The parser's matching forms (``xxgk.parse.normalize``), the search forms (``indexer.text``)
and the report detector (``crawler.detect``) all read text through it. A module of its own,
so that the crawler and the search side get it without importing the parser.
"""

from __future__ import annotations

from functools import cache

import opencc


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def t2s(text: str) -> str:
    return _converter().convert(text)
