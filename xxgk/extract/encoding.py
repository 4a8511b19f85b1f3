"""Decode document bytes: honour BOM and declared charsets, but verify them."""

from __future__ import annotations

import codecs
import re

from xxgk.errors import UnreadableDocument

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_HTTP_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
# Declared charsets that Chinese sites use truthfully often enough to try first.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
_TRUSTED = {"utf-8", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "utf-16"}


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes, content_type: str | None = None) -> str | None:
    """Charset from the HTTP Content-Type, else from a <meta> tag in the first 4 KB."""
    if content_type:
        m = _HTTP_CHARSET.search(content_type)
        if m and _codec(m.group(1)):
            return _codec(m.group(1))
    m = _META_CHARSET.search(data[:4096])
    return _codec(m.group(1).decode("ascii")) if m else None


def decode(data: bytes, content_type: str | None = None) -> tuple[str, list[str]]:
    """Text of ``data`` and notes on what was done (e.g. a wrong charset declaration)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), []
    declared = declared_charset(data, content_type)
    # gbk/gb2312 declarations are read as gb18030, their superset.
    if declared in ("gbk", "gb2312"):
        declared = "gb18030"
    order: list[str] = []
    if declared in _TRUSTED:
        order.append(declared)
    order += [c for c in ("utf-8", "gb18030", "big5") if c not in order]
    for name in order:
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        notes = []
        if declared and name != declared:
            notes.append(f"declared charset {declared} is wrong; decoded as {name}")
        return text, notes
    text = data.decode("gb18030", errors="replace")
    return text, ["undecodable bytes replaced (decoded as gb18030)"]


def check_not_binary(text: str) -> None:
    """Raise if decoded text is mostly control characters or replacement marks."""
    if not text.strip():
        raise UnreadableDocument("empty document")
    sample = text[:20000]
    bad = len(_BAD_CHARS.findall(sample))
    if "\x00" in sample or bad > len(sample) * 0.05:
        raise UnreadableDocument("binary data, not a readable document")
