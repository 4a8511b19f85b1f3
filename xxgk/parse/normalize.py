"""Normalisation for matching (the original text is kept for output).

Traditional → Simplified (OpenCC t2s, one converter per process), NFKC (full-width → half-width),
pinyin annotations such as ``鄉(xiāng)`` removed, and label keys without spacing, numbering and punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_converter: opencc.OpenCC | None = None

# A CJK character followed by a parenthesised pinyin syllable carrying a tone mark.
_PINYIN = re.compile(
    r"(?<=[\u4e00-\u9fff])\(\s*[a-zA-Z]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]*\s*\)"
)
_SPACE = re.compile(r"\s+")
_NUMBERING = re.compile(
    r"^(?:第?[一二三四五六七八九十]+[、.,:)]|\([一二三四五六七八九十]+\)|\d{1,2}(?:[、.,:)](?!\d))|\(\d{1,2}\))+"
)
_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》()\[\]【】,，、。.:;：；!?·•*_…\-—~]+")


def t2s(text: str) -> str:
    global _converter
    if _converter is None:
        _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


def normalize(text: str) -> str:
    """Matching form of a whole text: Simplified, NFKC, no pinyin annotations. Keeps line breaks."""
    return _PINYIN.sub("", unicodedata.normalize("NFKC", t2s(text)))


def compact(text: str) -> str:
    """``text`` without any whitespace (labels and names are wrapped freely by PDF extraction)."""
    return _SPACE.sub("", text)


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Key for label comparison: normalised text without whitespace, leading numbering or punctuation."""
    s = compact(unicodedata.normalize("NFKC", text))
    s = _NUMBERING.sub("", s)
    return _PUNCT.sub("", s)
