"""Chinese text handling shared by the backends: normalisation, tokens, snippets.

Index and query go through the same ``normalize`` (NFKC, Traditional → Simplified
via OpenCC ``t2s``, lower case), so a query in either script finds documents in
either script. ``compact`` then keeps only CJK characters and ASCII letters/digits
(punctuation, spaces, emoji are dropped): search works on that character string,
so a query word is found anywhere in it — also inside a longer compound
(``工程`` in 在建工程, ``卫滨`` in 卫滨区平原镇).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache

import opencc

# CJK unified ideographs (base, extension A, compatibility, extensions B+).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_DROPPED = re.compile(f"[^0-9a-z{_CJK}]+")
# What ``compact`` drops between two characters, as it appears in the original text.
_GAP = f"[^0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a{_CJK}]*"

SNIPPET_CHARS = 160


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@cache
def _nfkc() -> tuple[dict[int, str], re.Pattern[str]]:
    """NFKC as a ``str.translate`` table, limited to characters whose NFKC form is searchable
    (full-width letters/digits, compatibility ideographs …), and a pattern finding them.

    Punctuation NFKC would only turn into other punctuation, which ``compact`` drops anyway;
    leaving it out lets most texts skip the translation altogether.
    """
    table = {}
    for code in range(0x80, 0x10000):
        mapped = unicodedata.normalize("NFKC", chr(code))
        if mapped != chr(code) and _DROPPED.sub("", mapped.lower()):
            table[code] = mapped
    return table, re.compile("[" + "".join(map(re.escape, map(chr, table))) + "]")


@cache
def _variants() -> dict[str, str]:
    """For each normalised character, every character that normalises to it (itself first)."""
    sources: dict[str, list[str]] = {}
    for code in [*range(0x3400, 0xA000), *range(0xF900, 0xFB00), *range(0xFF10, 0xFF5B)]:
        original = chr(code)
        target = normalize(original)
        if len(target) == 1 and target != original:
            sources.setdefault(target, []).append(original)
    return {target: target + "".join(chars) for target, chars in sources.items()}


def normalize(text: str) -> str:
    """NFKC, Traditional → Simplified, lower case: the form both index and query use."""
    table, found = _nfkc()
    if found.search(text):
        text = text.translate(table)
    return _t2s().convert(text).lower()


def compact(normalized: str) -> str:
    """Only the searchable characters of normalised text, in order."""
    return _DROPPED.sub("", normalized)


def query_words(text: str) -> list[str]:
    """A user's query as compacted words (split at whitespace); no query syntax is interpreted."""
    words = (compact(part) for part in normalize(text).split())
    return [w for w in words if w]


def snippet(text: str, words: list[str], width: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped window of ``text`` around the first match, matches wrapped in ``<mark>``.

    Matching runs on the original text, each query character standing for every
    character that normalises to it (Traditional forms, full-width digits, case).
    """
    pairs = sorted({w[i : i + 2] for w in words for i in range(len(w) - 1)})
    spans = _match_spans(text, words) or _match_spans(text, pairs)
    if not spans:
        return html.escape(_squash(text[:width])) + ("…" if len(text) > width else "")
    start = max(0, spans[0][0] - width // 4)
    end = min(len(text), start + width)
    out, pos = [], start
    for a, b in spans:
        if a < pos or b > end:
            continue
        out += [html.escape(_squash(text[pos:a])), "<mark>", html.escape(_squash(text[a:b])), "</mark>"]
        pos = b
    out.append(html.escape(_squash(text[pos:end])))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


def plain(snippet_html: str) -> str:
    """A snippet as plain text (for a terminal)."""
    return html.unescape(re.sub(r"</?mark>", "", snippet_html))


def _char_class(char: str) -> str:
    chars = _variants().get(char, char)
    return re.escape(chars) if len(chars) == 1 else "[" + "".join(map(re.escape, chars)) + "]"


def _match_spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    if not words:
        return []
    alternatives = (_GAP.join(map(_char_class, w)) for w in sorted(words, key=len, reverse=True))
    return [m.span() for m in re.finditer("|".join(alternatives), text, re.IGNORECASE)]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)
