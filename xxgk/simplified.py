"""Traditional → Simplified script: the one OpenCC ``t2s`` converter of a process.

The parser's matching forms (``xxgk.parse.normalize``), the search forms (``indexer.text``)
and the report detector (``crawler.detect``) all read text through it. A module of its own,
so that the crawler and the search side get it without importing the parser.

Text that went through a Taiwan-phrase conversion (OpenCC ``s2twp``, as on mirror sites) also
changes words, not only characters: 信息 reads 資訊, 文件 reads 檔案. :func:`mainland_words` turns
such words of a closed vocabulary (the form's labels, the report titles) back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from difflib import SequenceMatcher
from functools import cache

import opencc


@cache
def _converter(config: str = "t2s") -> opencc.OpenCC:
    return opencc.OpenCC(config)


def t2s(text: str) -> str:
    return _converter().convert(text)


def taiwan_words(terms: Iterable[str]) -> dict[str, str]:
    """The words a Taiwan-phrase conversion replaces in ``terms``, read back in Simplified script,
    mapped to the mainland words they replaced (e.g. 资讯 → 信息, 档案 → 文件)."""
    words: dict[str, str] = {}
    for term in terms:
        taiwan = t2s(_converter("s2twp").convert(term))
        matcher = SequenceMatcher(None, term, taiwan, autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "replace":
                words[taiwan[b1:b2]] = term[a1:a2]
    return words


def mainland_words(terms: Iterable[str]) -> Callable[[str], str]:
    """A function that turns the Taiwan-phrase words of ``terms``' vocabulary back into the mainland
    words in Simplified text, each only where it outnumbers the word it stands for (a text that went
    through the conversion, not one that merely uses 资讯 or 档案). The words are found on first use:
    loading OpenCC's phrase tables costs ~75 ms, paid only by a process that meets Traditional text."""
    terms = tuple(terms)

    @cache
    def table() -> tuple[dict[str, str], re.Pattern[str] | None]:
        words = taiwan_words(terms)
        alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
        return words, re.compile(alternatives) if words else None

    def mainland(text: str) -> str:
        words, pattern = table()
        taiwan = {word for word, own in words.items() if text.count(word) > text.count(own)}
        if pattern is None or not taiwan:
            return text
        return pattern.sub(lambda m: words[m.group()] if m.group() in taiwan else m.group(), text)

    return mainland


def simplified(text: str, mainland: Callable[[str], str]) -> str:
    """``t2s`` of ``text``; where that changed it (Traditional script), also ``mainland`` (from
    :func:`mainland_words`), as a Taiwan-phrase conversion may have changed the words too."""
    converted = t2s(text)
    return converted if converted == text else mainland(converted)
