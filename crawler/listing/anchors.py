"""Links a page hands out: ``<a>`` tags, with the URL a script handler opens where the href is a script
(``href="javascript:void(0);" onclick="window.open('…')"``, as some CMSs write their list items), and the
document files a detail page shows in a frame or viewer instead of linking them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import etree

from crawler.detect import attachment_extension
from crawler.listing import Link

_ANCHORS = etree.XPath("descendant-or-self::a[@href or @onclick]")
_TEXT = etree.XPath(".//text()", smart_strings=False)
_EMBEDS = etree.XPath("descendant-or-self::*[(self::iframe or self::embed) and @src or self::object and @data]")
# The first string literal of a handler that reads as a URL: a path, or a page or document file name.
_SCRIPT_URL = re.compile(
    r"""["']((?:https?://|/|\.{1,2}/)[^"'\s<>]+|[^"'\s<>/]+\.(?:s?html?|jsp|aspx?|php|pdf|docx?|wps)(?:\?[^"'\s<>]*)?)["']""",
    re.I,
)
_NOT_PAGES = ("javascript:", "mailto:", "tel:", "#")


def anchor_text(anchor: etree._Element) -> str:
    """A link's text and its title attribute (once where they are the same)."""
    names = (" ".join("".join(_TEXT(anchor)).split()), (anchor.get("title") or "").strip())
    return " ".join(dict.fromkeys(name for name in names if name))


def target(anchor: etree._Element) -> str | None:
    """Where a link leads, as written: its href, else the URL its script opens; None for neither."""
    href = (anchor.get("href") or "").strip()
    if href and not href.lower().startswith(_NOT_PAGES):
        return href
    script = href[len("javascript:") :] if href.lower().startswith("javascript:") else ""
    for handler in (script, anchor.get("onclick") or ""):
        if found := _SCRIPT_URL.search(handler):
            return found.group(1)
    return None


def links(base_url: str, root: etree._Element) -> Iterator[Link]:
    """Every link below ``root`` (itself included), absolute."""
    for anchor in _ANCHORS(root):
        if (href := target(anchor)) is not None:
            yield Link(urljoin(base_url, href), anchor_text(anchor))


def embedded_documents(base_url: str, root: etree._Element) -> Iterator[str]:
    """Document files shown below ``root``: ``<embed src=a.pdf>``, ``<iframe src=viewer.html?file=/a.pdf>`` …"""
    for element in _EMBEDS(root):
        url = urljoin(base_url, (element.get("src") or element.get("data") or "").strip())
        if attachment_extension(url):
            yield url
            continue
        for _, value in parse_qsl(urlsplit(url).query):
            candidate = urljoin(url, value)
            if attachment_extension(candidate):
                yield candidate
