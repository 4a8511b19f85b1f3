"""Normalisation for matching (the original text is kept for output).

Traditional → Simplified (OpenCC t2s, one converter per process), NFKC per cell (full-width → half-width),
pinyin annotations such as ``鄉(xiāng)`` removed, and label keys without spacing, numbering and punctuation,
the form's words in their mainland wording where a Taiwan-phrase conversion changed them (资讯 → 信息).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from xxgk.schema import PROACTIVE_2019_LABELS, PROACTIVE_LABELS, REQUEST_LABELS
from xxgk.simplified import mainland_words, simplified

# A parenthesised pinyin syllable: with a tone mark, e.g. 鄉(xiāng), or toneless right after a character,
# as scraper-mirror pages print every other word: 政(zheng)府(fu); starts with a literal for fast scanning.
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN = re.compile(rf"[(（]\s*[a-zA-Z]*[{_TONES}][a-zA-Z{_TONES}]*\s*[)）]|(?<=[\u4e00-\u9fff)])\([a-z]{{1,6}}\)")
_SPACE = re.compile(r"\s+")
_NUMBERING = re.compile(
    r"^(?:第?[一二三四五六七八九十]+[、.,:)]|\([一二三四五六七八九十]+\)|\d{1,2}(?:[、.,:)](?!\d))|\(\d{1,2}\))+"
)
# The form's vocabulary as a Taiwan-phrase conversion prints it, back to its own words.
_form_words = mainland_words([*PROACTIVE_2019_LABELS.values(), *PROACTIVE_LABELS.values(), *REQUEST_LABELS.values()])
_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》()\[\]【】,，、。.:;：；!?·•*_…\-—~]+")


def normalize(text: str) -> str:
    """Matching form of a whole text: Simplified, without pinyin annotations. Keeps line breaks.

    Full-width forms are folded later, per cell or short line (:func:`fold`), which is much cheaper
    than NFKC over the whole document.
    """
    return _PINYIN.sub("", simplified(text, _form_words))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """NFKC: full-width digits, letters and punctuation to their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def compact(text: str) -> str:
    """``text`` without any whitespace (labels and names are wrapped freely by PDF extraction)."""
    return _SPACE.sub("", text)


@lru_cache(maxsize=65536)
def numbered(text: str) -> bool:
    """Whether a label starts with its numbering (一、 （一） 1.)."""
    return _NUMBERING.match(compact(unicodedata.normalize("NFKC", text))) is not None


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Key for label comparison: normalised text without whitespace, leading numbering or punctuation."""
    s = compact(unicodedata.normalize("NFKC", text))
    s = _NUMBERING.sub("", s)
    return _PUNCT.sub("", s)
