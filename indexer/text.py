"""Chinese text handling shared by the backends: search form, query terms, snippets.

Index and query go through the same ``search_form`` (NFKC, Traditional → Simplified with
the OpenCC converter the parser uses too, lower case), so a query in either script finds
documents in either script. ``search_chars`` then keeps only CJK characters and ASCII
letters/digits (punctuation, spaces, emoji are dropped): search works on that character
string, so a query word is found anywhere in it — also inside a longer compound
(``工程`` in 在建工程, ``卫滨`` in 卫滨区平原镇). Text in Traditional script is also read
with OpenCC's phrase-level Taiwan → mainland conversion (``tw2sp``: 資訊公開 → 信息公开),
as an extra form beside the character-level one, on both sides: mainland text is never
re-worded (``tw2sp`` would turn 文件 into 文档).

(``xxgk.parse.normalize`` has the parser's matching forms; these are the search forms.)
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache, lru_cache

import opencc

from xxgk.simplified import t2s

# CJK unified ideographs (base, extension A, compatibility, extensions B+).
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_DROPPED = re.compile(f"[^0-9a-z{_CJK}]+")
_SEPARATOR = "\x1f"  # joins the texts ``index_forms_of`` normalises together
_KEPT = re.compile(f"[^0-9a-z{_SEPARATOR}{_CJK}]+")  # ``_DROPPED``, keeping the separator
# What ``search_chars`` drops between two characters, as it appears in the original text.
_GAP = f"[^0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a{_CJK}]*"
# A query token: a quoted phrase (the closing quote may be missing) or a run of non-space characters.
_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
OR = "OR"
# A line of table figures rather than prose: three numbers standing apart, or mostly digits.
_NUMBERS = re.compile(r"(?:^|\s)\d+(?=\s|$)")
_DIGIT = re.compile(r"\d")
_LINE = re.compile(r".+")

SNIPPET_CHARS = 160


@cache
def _tw2sp() -> opencc.OpenCC:
    return opencc.OpenCC("tw2sp")


@cache
def _nfkc() -> tuple[dict[int, str], re.Pattern[str]]:
    """NFKC as a ``str.translate`` table, limited to characters whose NFKC form is searchable
    (full-width letters/digits, compatibility ideographs …), and a pattern finding them.

    Punctuation NFKC would only turn into other punctuation, which ``search_chars`` drops anyway;
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
    """For each search-form character, every character that folds to it (itself first)."""
    sources: dict[str, list[str]] = {}
    for code in [*range(0x3400, 0xA000), *range(0xF900, 0xFB00), *range(0xFF10, 0xFF5B)]:
        original = chr(code)
        target = search_form(original)
        if len(target) == 1 and target != original:
            sources.setdefault(target, []).append(original)
    return {target: target + "".join(chars) for target, chars in sources.items()}


def _width(text: str) -> str:
    table, found = _nfkc()
    return text.translate(table) if found.search(text) else text


def search_form(text: str) -> str:
    """NFKC, Traditional → Simplified, lower case: the form both index and query use."""
    return t2s(_width(text)).lower()


def search_chars(form: str) -> str:
    """Only the searchable characters of a search form, in order."""
    return _DROPPED.sub("", form)


def search_forms(text: str) -> list[str]:
    """``search_form`` of ``text``, plus its Taiwan → mainland wording when the text is in
    Traditional script and that wording differs."""
    wide = _width(text)
    simplified = t2s(wide)
    forms = [simplified.lower()]
    if simplified != wide:
        taiwan = _tw2sp().convert(wide).lower()
        if taiwan != forms[0]:
            forms.append(taiwan)
    return forms


def index_forms(text: str) -> list[str]:
    """What the embedded index holds for ``text``: the search characters of each search form."""
    return list(dict.fromkeys(search_chars(form) for form in search_forms(text)))


def index_forms_of(texts: list[str]) -> list[list[str]]:
    """``index_forms`` of each of ``texts``, normalised as one joined text (one OpenCC call and
    one character filter for a whole report instead of one per field).

    The texts are joined by a control character that no step changes or joins with its
    neighbours (OpenCC converts phrases of ideographs only), so each part comes out as it would
    alone; Taiwan → mainland wording is read only for the parts in Traditional script.
    """
    if any(_SEPARATOR in text for text in texts):
        return [index_forms(text) for text in texts]
    wide = _width(_SEPARATOR.join(texts))
    simplified = t2s(wide)
    chars = _KEPT.sub("", simplified.lower()).split(_SEPARATOR)
    if simplified == wide:
        return [[part] for part in chars]
    forms = []
    for original, converted, part in zip(wide.split(_SEPARATOR), simplified.split(_SEPARATOR), chars, strict=True):
        taiwan = _tw2sp().convert(original).lower() if converted != original else None
        if taiwan is None or taiwan == converted.lower():
            forms.append([part])
        else:
            forms.append(list(dict.fromkeys([part, search_chars(taiwan)])))
    return forms


# A query term: alternatives joined by OR, each a word given by its forms (any form may match).
Term = tuple[tuple[str, ...], ...]


def query_terms(text: str) -> list[Term]:
    """A user's query as terms that must all match.

    Words separated by spaces are ANDed; ``A OR B`` (capital OR) makes one term of both;
    ``"…"`` keeps a phrase (spaces included) as one word. Nothing else is syntax: other
    punctuation is dropped like any other non-searchable character.
    """
    terms: list[list[tuple[str, ...]]] = []
    join = False
    for match in _TOKEN.finditer(text):
        phrase, token = match.groups()
        if phrase is None and token == OR:
            join = bool(terms)
            continue
        forms = tuple(f for f in index_forms(token if phrase is None else phrase) if f)
        if not forms:
            continue
        if join:
            terms[-1].append(forms)
        else:
            terms.append([forms])
        join = False
    return [tuple(term) for term in terms]


def query_words(text: str) -> list[str]:
    """Every word of a query, in every form, for highlighting."""
    return [form for term in query_terms(text) for word in term for form in word]


def is_tabular(line: str) -> bool:
    """A line of table figures (``0 0 0 0 16 四、结转下年度继续办理``) rather than prose."""
    digits = len(_DIGIT.findall(line))
    return len(_NUMBERS.findall(line)) >= 3 or digits * 3 > len(line.replace(" ", "")) > 0


def _line(text: str, a: int, b: int) -> str:
    """The line of ``text`` holding the span a..b."""
    end = text.find("\n", b)
    return text[text.rfind("\n", 0, a) + 1 : end if end >= 0 else len(text)]


def snippet(text: str, words: list[str], width: int = SNIPPET_CHARS) -> str:
    """An HTML-escaped window of ``text`` around the first match, matches wrapped in ``<mark>``.

    Prose is preferred: a match in a line of table figures is shown only when the prose has none,
    and without a match the window starts at the first line of prose.

    Matching runs on the original text, each query character standing for every
    character that normalises to it (Traditional forms, full-width digits, case). The text is
    read only as far as the window needs (up to the first match in prose and the window after it).
    """
    pairs = sorted({w[i : i + 2] for w in words for i in range(len(w) - 1)})
    spans, first = _window_spans(text, words, width)
    if not spans:
        spans, first = _window_spans(text, pairs, width)
    if spans:
        first = spans[0][0] if first is None else first
        start = max(text.rfind("\n", 0, first) + 1, first - width // 4)
    else:
        start = next((m.start() for m in _LINE.finditer(text) if m[0].strip() and not is_tabular(m[0])), 0)
    end = min(len(text), start + width)
    out, pos = [], start
    for a, b in spans:
        if a < pos or b > end:
            continue
        out += [html.escape(_squash(text[pos:a])), "<mark>", html.escape(_squash(text[a:b])), "</mark>"]
        pos = b
    out.append(html.escape(_squash(text[pos:end])))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


def _window_spans(text: str, words: list[str], width: int) -> tuple[list[tuple[int, int]], int | None]:
    """Matches of ``words`` in order, up to ``width`` past the first match in prose; and where
    that match starts (None when every match stands in a line of table figures)."""
    spans: list[tuple[int, int]] = []
    first = None
    if not words:
        return spans, first
    for match in _pattern(tuple(words)).finditer(text):
        a, b = match.span()
        if first is not None and a > first + width:
            break
        spans.append((a, b))
        if first is None and not is_tabular(_line(text, a, b)):
            first = a
    return spans, first


def plain(snippet_html: str) -> str:
    """A snippet as plain text (for a terminal)."""
    return html.unescape(re.sub(r"</?mark>", "", snippet_html))


def _char_class(char: str) -> str:
    chars = _variants().get(char, char)
    return re.escape(chars) if len(chars) == 1 else "[" + "".join(map(re.escape, chars)) + "]"


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = (_GAP.join(map(_char_class, w)) for w in sorted(words, key=len, reverse=True))
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)
