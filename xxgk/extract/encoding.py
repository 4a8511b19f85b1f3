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
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
_MAX_RARE = 0.1
_MIN_WIDE = 20  # bytes of non-ASCII text needed to judge
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


def _rare_share(text: str) -> float:
    """Share of the non-ASCII characters of GB-decoded text that lie outside GB2312 (its 7,445 common
    characters): near 0 for real Chinese, about a third for Big5 or UTF-8 bytes read as GB."""
    wide = len(text.encode("gb18030")) - len(text.encode("ascii", errors="ignore"))
    rare = len(text.encode("gb18030")) - len(text.encode("gb2312", errors="ignore"))
    return rare / wide if wide >= _MIN_WIDE else 0.0


def decode(data: bytes, content_type: str | None = None) -> tuple[str, list[str]]:
    """Text of ``data`` and notes on what was done (e.g. a wrong charset declaration)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace"), []
    named = declared_charset(data, content_type)
    # gbk/gb2312 declarations are read as gb18030, their superset.
    declared = "gb18030" if named in ("gbk", "gb2312") else named
    order: list[str] = []
    if declared in _TRUSTED:
        order.append(declared)
    order += [c for c in ("utf-8", "gb18030", "big5") if c not in order]
    decoded = []
    for name in order:
        try:
            decoded.append((name, data.decode(name)))
        except UnicodeDecodeError:
            continue
        if name != "gb18030" or _rare_share(decoded[-1][1]) <= _MAX_RARE:
            break  # GB bytes decode almost anything: trusted only when the characters are common ones
    else:
        if not decoded:
            text = data.decode("gb18030", errors="replace")
            return text, ["undecodable bytes replaced (decoded as gb18030)"]
        name, text = decoded[0]
        share = _rare_share(text)
        return text, [f"text may be garbled: {share:.0%} of its characters are rare ones (decoded as {name})"]
    name, text = decoded[-1]
    notes = []
    if declared and name != declared:
        notes.append(f"declared charset {named} is wrong; decoded as {name}")
    return text, notes


def clean_text(text: str, notes: list[str]) -> str:
    """``text`` without stray control characters (a note says how many); raise if it is empty or binary."""
    if not text.strip():
        raise UnreadableDocument("empty document")
    sample = text[:20000]
    if len(_BAD_CHARS.findall(sample)) > len(sample) * 0.05:
        raise UnreadableDocument("binary data, not a readable document")
    cleaned, count = _CONTROL_CHARS.subn("", text.replace("\f", "\n"))  # a form feed is a page break
    if count:
        notes.append(f"{count} control characters (NUL and the like) removed")
    if not cleaned.strip():
        raise UnreadableDocument("empty document")
    return cleaned
