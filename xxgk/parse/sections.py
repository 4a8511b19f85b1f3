"""Section headings (一、总体情况 … 六、其他需要报告的事项) and the text under each."""

from __future__ import annotations

import re

from xxgk.parse.headings import HEADINGS, heading_key
from xxgk.parse.lines import Line
from xxgk.parse.normalize import compact

# Page furniture before the body: the info block (索引号/发布机构/…) and date lines.
INFO_LINE = re.compile(r"^\s*(?:索引号|发布机构|成文日期|发布日期|公开日期|主题分类|文号|来源|发布时间|浏览次数|字号)")
MIN_PREAMBLE = 10


def heading_text(line: Line) -> str:
    """The text a line would be a heading with: a text line as it is, a table row only when it holds a
    single cell of text (a heading printed as the first row of its table)."""
    if line.cells is None:
        return line.norm
    filled = [cell for cell in line.cells if cell and cell.strip()]
    return filled[0] if len(filled) == 1 else ""


def find_headings(lines: list[Line]) -> dict[str, int]:
    """Line index of each section heading found, first occurrence, in document order."""
    found: dict[str, int] = {}
    last = -1
    for i, line in enumerate(lines):
        key = heading_key(heading_text(line))
        if key is not None and key not in found and i > last:
            found[key] = i
            last = i
    return found


def split_sections(lines: list[Line], headings: dict[str, int], skip: set[int]) -> dict[str, str]:
    """Original text of every section present; ``skip`` holds title/metadata lines left out of the preamble."""
    bounds = sorted((i, key) for key, i in headings.items())
    sections: dict[str, str] = {}
    first = bounds[0][0] if bounds else len(lines)
    preamble = "\n".join(
        lines[i].raw
        for i in range(first)
        if i not in skip and lines[i].cells is None and lines[i].raw.strip() and not INFO_LINE.match(lines[i].norm)
    ).strip()
    if len(compact(preamble)) >= MIN_PREAMBLE:
        sections["preamble"] = preamble
    for n, (start, key) in enumerate(bounds):
        end = bounds[n + 1][0] if n + 1 < len(bounds) else len(lines)
        sections[key] = "\n".join(line.raw for line in lines[start + 1 : end]).strip()
    ordered = ["preamble", *HEADINGS]
    return {key: sections[key] for key in ordered if key in sections}
