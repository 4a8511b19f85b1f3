"""Chars into words and lines, as pdfplumber groups them with its default settings.

Written out for upright, ligature-free text (nearly all of it), which is several times faster than
pdfplumber's general code; anything else is left to pdfplumber itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import groupby
from operator import itemgetter
from typing import Any

from pdfplumber.utils import extract_text
from pdfplumber.utils.text import LIGATURES, chars_to_textmap

from xxgk.extract.pdf.reader import Char

TOLERANCE = 3  # points: pdfplumber's x and y tolerance for words and lines


def cluster(items: list[Any], key: Callable[[Any], float], *, in_order: bool = False) -> list[list[Any]]:
    """pdfplumber's ``cluster_objects`` with the 3-point tolerance: items whose distinct ``key`` values chain
    within the tolerance share a cluster. Groups come in value order, items in their given order inside a
    group; ``in_order`` (its ``preserve_order``) instead keeps the items' order and starts a group at every
    change of cluster."""
    values = sorted(set(map(key, items)))
    cluster_of: dict[float, int] = {}
    number, last = -1, -math.inf
    for value in values:
        if value > last + TOLERANCE:
            number += 1
        cluster_of[value], last = number, value
    if in_order:
        return [list(group) for _, group in groupby(items, key=lambda item: cluster_of[key(item)])]
    groups: list[list[Any]] = [[] for _ in range(number + 1)]
    for item in items:
        groups[cluster_of[key(item)]].append(item)
    return groups


def words_of(line: list[Char]) -> list[tuple[float, str]]:
    """The words (top, text) of one line of chars: split at spaces and at gaps wider than the tolerance."""
    words: list[tuple[float, str]] = []
    word: list[str] = []
    top = last_x1 = last_top = math.inf  # the word's top; the x1 and top of its last char
    for char in sorted(line, key=itemgetter("x0")):  # so a char never starts left of the one before
        text, char_top = char["text"], char["top"]
        space = text.isspace()
        if word and (space or char["x0"] > last_x1 + TOLERANCE or abs(char_top - last_top) > TOLERANCE):
            words.append((top, "".join(word)))
            word, top = [], math.inf
        if not space:
            word.append(text)
            top, last_x1, last_top = min(top, char_top), char["x1"], char_top
    if word:
        words.append((top, "".join(word)))
    return words


def text_lines(chars: list[Char], *, in_order: bool) -> list[tuple[float, str]] | None:
    """Text lines (top, text): chars clustered into lines and sorted left to right, split into words,
    words regrouped into lines (``in_order`` as pdfplumber's text map does, otherwise as its
    ``extract_text``). None for text that is not upright or holds ligatures."""
    for char in chars:
        if not char["upright"] or char["text"] in LIGATURES:
            return None
    words = [word for line in cluster(chars, itemgetter("top")) for word in words_of(line)]
    if len(words) == 1:  # as most table cells: one word, one line
        return words
    return [
        (min(top for top, _ in line), " ".join(text for _, text in line))
        for line in cluster(words, itemgetter(0), in_order=in_order)
    ]


def cell_text(chars: list[Char]) -> str:
    """A cell's text, as pdfplumber's ``extract_text`` gives it."""
    lines = text_lines(chars, in_order=False)
    return extract_text(chars) if lines is None else "\n".join(text for _, text in lines)


def page_lines(chars: list[Char]) -> list[tuple[float, str]]:
    """The text lines (top, text) of chars outside tables, as pdfplumber's text map gives them."""
    lines = text_lines(chars, in_order=True)
    if lines is None:
        textmap = chars_to_textmap(chars, layout=False).extract_text_lines(strip=True, return_chars=False)
        lines = [(line["top"], line["text"]) for line in textmap]
    return [(top, text) for top, text in lines if text]
