"""The body as lines: original text for output, normalised text for matching, cells where known."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from xxgk.extract.document import Document
from xxgk.parse.headings import INLINE_HEADING, MAX_HEADING, heading_key
from xxgk.parse.normalize import normalize

# Page furniture: a page number (- 3 -, 第3页 共9页, an online flip-book's P. 3).
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?|P\.\s*\d{1,3})\s*$"
)
# A flip-book's page header repeats the book's title on every page: Page 3 - 某局2022年政府信息公开工作年度报告.
_FLIP_HEADER = re.compile(r"^\s*Page\s+\d{1,3}\s+-\s+(.*\S)\s*$")
_CELL_SPACE = re.compile(r"[\t\r\n]+")
# How a numbered section heading starts (一、 （一） 1.), full- or half-width.
_NUMBERED = re.compile(
    r"^\s*(?:第?[一二三四五六七八九十]+\s*[、.，,．:：)）]|[(（]\s*[一二三四五六七八九十]+\s*[)）]|\d{1,2}\s*[、.．)）])"
)


@dataclass(slots=True)
class Line:
    raw: str  # as printed
    norm: str  # Simplified, NFKC, pinyin removed
    cells: list[str | None] | None = None  # normalised cells of a table-grid row (None: covered by a span)


def document_lines(doc: Document) -> list[Line]:
    """Lines of every block in reading order; grid rows become tab-joined lines with known cells.

    All normalisation is done in one OpenCC call for the whole document.
    """
    raw_lines: list[str] = []
    rows: list[list[str | None] | None] = []
    for block in doc.blocks:
        if block.grid is not None:
            for row in block.grid:
                raw_lines.append("\t".join(_CELL_SPACE.sub(" ", c or "") for c in row))
                rows.append(row)
        elif block.text:
            for line in block.text.splitlines():
                raw_lines.append(line)
                rows.append(None)
    norm_lines = normalize("\n".join(raw_lines)).split("\n")
    if len(norm_lines) != len(raw_lines):  # conversion changed the line structure: fall back per line
        norm_lines = [normalize(line) for line in raw_lines]
    lines = []
    titled = False  # a flip-book's title kept once, from its first page header
    for raw, norm, row in zip(raw_lines, norm_lines, rows, strict=True):
        if row is None:
            header = _FLIP_HEADER.match(norm)
            if header and not titled:
                titled = True
                raw_header = _FLIP_HEADER.match(raw)
                lines.append(Line(raw=raw_header.group(1) if raw_header else header.group(1), norm=header.group(1)))
            elif not header and not _PAGE_NUMBER.match(norm):
                lines.append(Line(raw=raw, norm=norm))
            continue
        cells = [None if orig is None else cell for orig, cell in zip(row, norm.split("\t"), strict=True)]
        lines.append(Line(raw=raw, norm=norm, cells=cells))
    return join_split_headings(lines)


def _split_heading(first: Line, second: Line) -> bool:
    """Whether two text lines are one numbered section heading broken in two (a PDF's line wrap)."""
    if first.cells is not None or second.cells is not None or len(second.norm) > MAX_HEADING:
        return False
    joined = first.norm + second.norm
    return heading_key(joined) is not None and heading_key(first.norm) is None and heading_key(second.norm) is None


def join_split_headings(lines: list[Line]) -> list[Line]:
    """Lines with every numbered section heading broken over two lines joined into one."""
    starts = [
        i
        for i, line in enumerate(lines[:-1])
        if len(line.norm) <= MAX_HEADING and _NUMBERED.match(line.norm) and _split_heading(line, lines[i + 1])
    ]
    if not starts:
        return lines
    out: list[Line] = []
    i = 0
    for start in starts:
        if start < i:
            continue  # the second line of a heading just joined
        out += lines[i:start]
        first, second = lines[start], lines[start + 1]
        out.append(Line(raw=first.raw.rstrip() + second.raw.strip(), norm=first.norm.rstrip() + second.norm.strip()))
        i = start + 2
    return out + lines[i:]


def split_glued_headings(lines: list[Line]) -> list[Line]:
    """Lines with every numbered standard heading glued to the text around it (``一、总体情况2023年，…``,
    or a whole body on one line) cut out onto a line of its own; ``lines`` itself where there is none."""
    out: list[Line] = []
    changed = False
    for line in lines:
        cuts = [] if line.cells is not None else _heading_cuts(line.norm)
        if not cuts:
            out.append(line)
            continue
        changed = True
        # Offsets are the normalised line's; where normalising changed its length (pinyin removed),
        # the pieces' text is the normalised one.
        raw = line.raw if len(line.raw) == len(line.norm) else line.norm
        for a, b in pairwise([0, *cuts, len(line.norm)]):
            if line.norm[a:b].strip():
                out.append(Line(raw=raw[a:b].strip(), norm=line.norm[a:b].strip()))
    return out if changed else lines


def _heading_cuts(norm: str) -> list[int]:
    """Where a line is cut around the standard headings inside it (none for a heading line of its own)."""
    if heading_key(norm) is not None:
        return []
    cuts: list[int] = []
    for m in INLINE_HEADING.finditer(norm):
        cuts += [m.start(), m.end()]
    return [c for c in dict.fromkeys(cuts) if 0 < c < len(norm)]
