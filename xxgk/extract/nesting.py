"""Flatten HTML nested deeper than libxml2 can parse, before it is parsed.

libxml2 stops at 255 levels (2,048 with XML_PARSE_HUGE) and drops everything below without a word;
Word exports nest thousands of unclosed ``<font>``/``<span>``, and hostile pages as many ``<div>``.
:func:`flatten` walks the page's tags once (linear time: no pattern scans past the next ``<``), keeps
a model of the open elements, and leaves out the tags that would open an element deeper than ``depth``
— with their end tags.  Inline formatting tags get a small share of that depth (``INLINE_NESTING``
open at once), so a page under thousands of them keeps its structure.  A block tag left out becomes
a ``<br>``, so lines stay lines; table tags (table, rows, cells) are kept beyond ``depth``,
``table_nesting`` of them open at once, so that a table inside the nesting keeps its grid; only
beyond that are they left out too (counted: their cells' text is kept as lines).  Text is never
dropped.  The model closes elements as libxml2 does for cells, rows, paragraphs and list items, and
ignores end tags as it does; where it differs from libxml2 it overestimates the depth, which only
leaves out more tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEPTH = 180  # open elements kept: deeper non-table tags are left out
INLINE_NESTING = 20  # inline formatting tags (<font>, <span>, …) kept open at once: the depth is for structure
TABLE_NESTING = 60  # table tags kept beyond DEPTH; more open at once are left out (180 + 60 < libxml2's 255)
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/<>]*)(?:\"[^\"<]*\"|'[^'<]*'|[^<>\"'])*>")


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


_VOID = _names("area base basefont br col embed frame hr img input isindex keygen link meta param source track wbr")
_RAW = _names("script style textarea title xmp noscript iframe noembed plaintext")
_INLINE = _names("font span o:p b i u em strong small big s strike ins sub sup a abbr code")
_TABLE = _names("table caption colgroup thead tbody tfoot tr td th")
_BLOCK = (
    _names(
        "address article aside blockquote center dd details dir div dl dt fieldset figcaption figure footer form "
        "h1 h2 h3 h4 h5 h6 header hr li main menu nav ol p pre section summary ul"
    )
    | _TABLE
)
# A start tag of the key closes the innermost open element while it is one of these (as libxml2 does; it
# closes more, which only makes the model's depth an overestimate).
_CLOSES = {
    "td": {"td", "th"},
    "th": {"td", "th"},
    "tr": {"td", "th", "tr"},
    "tbody": {"td", "th", "tr", "tbody", "thead", "tfoot"},
    "thead": {"td", "th", "tr", "tbody", "thead", "tfoot"},
    "tfoot": {"td", "th", "tr", "tbody", "thead", "tfoot"},
    "p": {"p"},
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "option": {"option"},
}
# libxml2 ignores an end tag when an element of a higher priority is open inside the one it names.
_PRIORITY = {"div": 150, "td": 160, "th": 160, "tr": 170, "thead": 180, "tbody": 180, "tfoot": 180, "table": 190}
_IGNORED_ENDS = frozenset(("html", "body"))  # libxml2 keeps these open to the end


@dataclass(frozen=True)
class Flattened:
    html: str
    tags_left_out: int  # start tags left out (their text is kept)
    table_tags_left_out: int  # of which table, row or cell tags: that much table structure is lost


def _raw_end(tag: str) -> re.Pattern[str]:
    return re.compile(f"</{tag}\\s*>", re.I)


_RAW_END = {tag: _raw_end(tag) for tag in _RAW}


class _Open:
    """The open elements, with where each name sits, so that finding one never walks the stack."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.kept: list[bool] = []
        self.where: dict[str, list[int]] = {}
        self.depth = 0  # open elements kept
        self.tables = 0  # of which table tags
        self.inline = 0  # of which inline formatting tags

    def admits(self, name: str, depth: int, table_nesting: int) -> bool:
        if name in _TABLE:
            return self.tables < table_nesting
        if name in _INLINE:
            return self.inline < INLINE_NESTING and self.depth < depth
        return name in _RAW or self.depth < depth

    def push(self, name: str, kept: bool) -> None:
        self.where.setdefault(name, []).append(len(self.names))
        self.names.append(name)
        self.kept.append(kept)
        self.depth += kept
        self.tables += kept and name in _TABLE
        self.inline += kept and name in _INLINE

    def ends(self, name: str) -> int:
        """Position of the open element an end tag ``name`` closes; -1 if it closes nothing."""
        at = self.where[name][-1] if self.where.get(name) else -1
        if at < 0 or name in _IGNORED_ENDS:
            return -1
        mine = _PRIORITY.get(name, 100)
        above = (self.where[n][-1] for n, rank in _PRIORITY.items() if rank > mine and self.where.get(n))
        return -1 if max(above, default=-1) > at else at

    def close(self, at: int) -> bool:
        """Close the element at ``at`` and everything inside it; whether it was kept."""
        kept = self.kept[at]
        for name, was_kept in zip(self.names[at:], self.kept[at:], strict=True):
            self.where[name].pop()
            self.depth -= was_kept
            self.tables -= was_kept and name in _TABLE
            self.inline -= was_kept and name in _INLINE
        del self.names[at:], self.kept[at:]
        return kept


def flatten(html: str, depth: int = DEPTH, table_nesting: int = TABLE_NESTING) -> Flattened:
    """``html`` with the tags that would open elements below ``depth`` left out (table tags: beyond
    ``table_nesting`` of them open at once)."""
    out: list[str] = []
    open_ = _Open()
    dropped = dropped_table = 0
    copied = pos = 0  # html[copied:pos] is yet to be copied to out
    while True:
        pos = html.find("<", pos)
        if pos < 0:
            break
        if html.startswith("<!--", pos):
            close = html.find("-->", pos + 4)
            if close < 0:
                break
            pos = close + 3
            continue
        m = _TAG.match(html, pos)
        if m is None:
            pos += 1
            continue
        closing, name = m.group(1) == "/", m.group(2).lower()
        keep = True
        if closing:
            at = open_.ends(name)
            if at >= 0:
                keep = open_.close(at)
        elif name not in _VOID:
            while open_.names and open_.names[-1] in _CLOSES.get(name, ()):
                open_.close(len(open_.names) - 1)
            keep = open_.admits(name, depth, table_nesting)
            if not keep:
                dropped += 1
                dropped_table += name in _TABLE
            open_.push(name, keep)
        if keep:
            pos = m.end()
        else:
            text = html[copied:pos]
            if text.strip() or not out or out[-1] != "<br>":
                out.append(text)
                if name in _BLOCK:  # a run of them with nothing between: one line break
                    out.append("<br>")
            pos = copied = m.end()
        if not closing and name in _RAW:
            raw = _RAW_END[name].search(html, pos)
            if raw is None:
                break
            open_.close(len(open_.names) - 1)
            pos = raw.end()
    out.append(html[copied:])
    return Flattened("".join(out), dropped, dropped_table)
