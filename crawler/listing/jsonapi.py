"""JSON list endpoints (集约化 platforms, TRS search APIs): article links in the JSON and the endpoint's paging.

No fixed schema: an article is any JSON object with a URL-like field (``url``, ``link``, ``docpuburl`` …)
and a title-like field (``title``, ``doctitle``, ``name`` …). Paging comes from the page-number
parameter of the endpoint's URL and the counts in the answer (``totalPage``, or ``total`` and the page
size); when the answer gives no count, the next page is asked for as long as pages bring links.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.listing import Link

_URL_KEY = re.compile(r"url|link|href|path|address", re.I)
_TITLE_KEY = re.compile(r"title|subject|name|标题", re.I)
_URL_VALUE = re.compile(
    r"^(?:https?://|/|\./|\.\./)\S*$|^[\w./-]+\.(?:s?html?|jsp|php|aspx?|pdf|docx?|wps)(?:\?\S*)?$", re.I
)
_TAG = re.compile(r"<[^>]+>")
_PAGE_PARAM = re.compile(r"^(?:page|pageno|pagenum|pageindex|pagenumber|currentpage|curpage|current|pn|p)$", re.I)
_SIZE_PARAM = re.compile(r"^(?:pagesize|size|rows|limit|perpage|per_page|page_size)$", re.I)
_PAGES_KEY = re.compile(r"^(?:total_?pages?|pages|page_?count|pagetotal|totalpagenum|pagenum_?total)$", re.I)
_TOTAL_KEY = re.compile(r"^(?:total|total_?count|total_?records?|total_?elements|total_?num|recordcount|count)$", re.I)
# Endpoints named in a page's scripts: a quoted URL with a page-number parameter, or a .json file.
_SCRIPT_URL = re.compile(r"""["']((?:https?://|/|\./)[^"'\s<>]*?(?:\?[^"'\s<>]*|\.json))["']""")

JSON_TYPES = ("application/json", "text/json", "application/javascript", "text/javascript")


@dataclass(frozen=True)
class Paging:
    """The endpoint's page-number parameter, the current page and the page count (None: unknown)."""

    param: str
    current: int
    pages: int | None


def load(text: str) -> Any | None:
    """The JSON value of a body, also when wrapped in a JSONP callback; None when it is not JSON."""
    text = text.strip().lstrip("\ufeff")
    if text[:1] not in "[{":
        match = re.fullmatch(r"[\w$.]+\s*\(\s*([\[{].*[\]}])\s*\)\s*;?", text, re.S)
        if not match:
            return None
        text = match.group(1)
    try:
        return json.loads(text)
    except ValueError:
        return None


def _objects(value: Any) -> Iterator[dict]:
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _objects(v)


def links(data: Any, base_url: str) -> list[Link]:
    """Article links of a JSON answer, in order, without duplicates."""
    found: dict[str, Link] = {}
    for obj in _objects(data):
        url = next(
            (
                v.strip()
                for k, v in obj.items()
                if _URL_KEY.search(k) and isinstance(v, str) and _URL_VALUE.match(v.strip())
            ),
            None,
        )
        title = next((v for k, v in obj.items() if _TITLE_KEY.search(k) and isinstance(v, str) and v.strip()), None)
        if url and title:
            absolute = urljoin(base_url, url)
            found.setdefault(absolute, Link(absolute, " ".join(_TAG.sub("", title).split())))
    return list(found.values())


def _number(data: Any, key: re.Pattern[str]) -> int | None:
    for obj in _objects(data):
        for k, v in obj.items():
            if (
                key.match(k)
                and (isinstance(v, int) or (isinstance(v, str) and v.isdigit()))
                and not isinstance(v, bool)
            ):
                return int(v)
    return None


def paging(url: str, data: Any, found: int) -> Paging | None:
    """How the endpoint at ``url`` pages, from its query and its answer ``data`` (``found`` links on it)."""
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    param = next((k for k, _ in query if _PAGE_PARAM.match(k)), None)
    if param is None:
        return None
    value = dict(query)[param]
    current = int(value) if value.isdigit() else 1
    pages = _number(data, _PAGES_KEY)
    if pages is None and (total := _number(data, _TOTAL_KEY)) is not None:
        size = _number(data, _SIZE_PARAM) or next((int(v) for k, v in query if _SIZE_PARAM.match(k) and v.isdigit()), 0)
        size = size or found
        pages = math.ceil(total / size) if size else None
    return Paging(param, current, pages)


def with_page(url: str, param: str, number: int) -> str:
    """``url`` with its page parameter set to ``number``."""
    parts = urlsplit(url)
    query = [(k, str(number) if k == param else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def page_urls(url: str, data: Any, found: int) -> list[str]:
    """The endpoint's other pages: all of them when the answer counts them, else the next while pages bring links."""
    page = paging(url, data, found)
    if page is None:
        return []
    if page.pages is None:
        return [with_page(url, page.param, page.current + 1)] if found else []
    first = 0 if page.current == 0 else 1
    last = page.pages - 1 if first == 0 else page.pages
    return [with_page(url, page.param, n) for n in range(first, last + 1) if n != page.current]


def script_endpoints(scripts: list[str], base_url: str) -> list[str]:
    """JSON endpoints a page's scripts call: quoted URLs with a page-number parameter (filled in when blank)."""
    found = []
    for script in scripts:
        for raw in _SCRIPT_URL.findall(script):
            url = urljoin(base_url, raw)
            query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
            param = next((k for k, _ in query if _PAGE_PARAM.match(k)), None)
            if param is not None:
                found.append(with_page(url, param, 1) if not dict(query)[param] else url)
            elif urlsplit(url).path.endswith(".json"):
                found.append(url)
    return list(dict.fromkeys(found))
