"""Turn lines into a stream of cells: text, numbers, null markers, blanks and section-heading marks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

from xxgk.parse.lines import Line
from xxgk.parse.normalize import compact, fold

TEXT, VALUE, NULL, BLANK, HEADING, EMPTY = "T", "V", "N", "B", "H", "E"  # EMPTY: an empty text line

NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(万元|元|件|个|条|项|次|人次|家|宗)?$")
PLAIN_NUMBER = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")
NULLS = frozenset({"/", "-", "--", "---", "—", "——", "–", "无", "空", "\\", "//", "-/-"})


class Token(NamedTuple):
    kind: str
    text: str  # normalised (for HEADING: the section key)
    raw: str  # as printed
    line: int
    col: int = 0  # position of the cell in its line (grid column for grid rows and tab-separated lines)


@lru_cache(maxsize=65536)
def kind_of(cell: str) -> str:
    c = compact(fold(cell))
    if not c:
        return BLANK
    if NUMBER.match(c):
        return VALUE
    return NULL if c in NULLS else TEXT


@lru_cache(maxsize=65536)
def numeric(cell: str) -> float:
    """Value of a VALUE cell without separators or unit."""
    return float(NUMBER.match(compact(fold(cell))).group(1).replace(",", ""))


def split_cells(text: str) -> list[str]:
    """Cells of a text line: tab-separated, pipe-separated, or whitespace-separated."""
    if "\t" in text:
        parts = text.split("\t")
        # One-cell-per-line exports prefix each cell with a tab; that tab separates nothing.
        return parts[1:] if len(parts) == 2 and not parts[0] else parts
    stripped = text.strip().replace("｜", "|")
    if stripped == "|":
        return [""]  # a cell-per-line export's empty cell
    if "|" in stripped and (stripped.endswith("|") or stripped.startswith("|")):
        parts = stripped.split("|")
        if stripped.startswith("|"):
            parts = parts[1:]
        if stripped.endswith("|"):
            parts = parts[:-1]
        return parts
    return join_letter_spaced(text)


_WORD = re.compile(r"\S+")
LETTER_RUN = 3  # single characters in a row, one space apart, that are one word spaced out by OCR


def _spaced_char(word: str) -> bool:
    return len(word) == 1 and not word.isdigit() and word not in NULLS


def join_letter_spaced(text: str) -> list[str]:
    """Whitespace-separated cells, with OCR's letter-spaced words (``1 . 属 于 国 家 秘 密``) joined back.

    A run of at least ``LETTER_RUN`` single characters one space apart is one word; an ordinal of one or
    two digits one space before a run that starts with ``.``/``、`` belongs to it.  Digits and null markers
    (``无``, ``/``) never join a run, and cells two or more spaces apart (a layout's columns) stay apart.
    """
    spans = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    cells: list[str] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and _spaced_char(spans[j][2]) and spans[j + 1][0] - spans[j][1] == 1:
            j += 1
        if not _spaced_char(spans[j][2]):
            j -= 1
        if j - i + 1 >= LETTER_RUN:
            word = "".join(w for _, _, w in spans[i : j + 1])
            ordinal = cells[-1] if cells else ""
            if ordinal.isdigit() and len(ordinal) <= 2 and word[0] in ".．、" and spans[i][0] - spans[i - 1][1] == 1:
                cells[-1] = ordinal + word
            else:
                cells.append(word)
            i = j + 1
        else:
            cells.append(spans[i][2])
            i += 1
    return cells


def _row_end(text: str) -> bool:
    """An empty line, or a line of two or more bars alone: a cell-per-line export pads each row with such a
    line (one bar per column that a span covers), so it ends a row and holds no cell; one bar alone is an
    empty cell."""
    bare = text.strip()
    return ("\t" not in text and not bare) or (len(bare) >= 2 and not bare.replace("｜", "|").strip("|"))


def tokenize(lines: list[Line], start: int, end: int, headings: dict[int, str]) -> Iterator[Token]:
    for i in range(start, end):
        if i in headings:
            yield Token(HEADING, headings[i], lines[i].raw, i)
            continue
        line = lines[i]
        if line.cells is not None:
            cells, raws = line.cells, line.raw.split("\t")
        elif _row_end(line.norm):
            yield Token(EMPTY, "", "", i)
            continue
        else:
            cells = split_cells(line.norm)
            raws = cells if line.raw == line.norm else split_cells(line.raw)
        if len(raws) != len(cells):
            raws = cells
        for col, (cell, raw) in enumerate(zip(cells, raws, strict=True)):
            if cell is not None:  # None: slot covered by a merged cell
                yield Token(kind_of(cell), cell.strip(), raw.strip(), i, col)
