"""Section headings (一、总体情况 … 六、其他需要报告的事项) and the text under each."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from xxgk.parse.normalize import compact, fold

if TYPE_CHECKING:  # lines.py asks this module whether a line split in two is a heading
    from xxgk.parse.lines import Line

_NUM = r"(?:第?[一二三四五六七八九十]+[、.,:)]|\([一二三四五六七八九十]+\)|\d{1,2}[、.)])?"
_TAIL = r"[.:。:]?$"
HEADINGS: dict[str, re.Pattern[str]] = {
    key: re.compile("^" + _NUM + pattern + _TAIL)
    for key, pattern in {
        "overview": r"(?:政府信息公开(?:工作)?)?(?:总体情况|概述|总体概述|基本情况)",
        "proactive": r"主动公开政府信息(?:的)?情况",
        "requests": r"收到和处理政府信息公开申请(?:的)?情况",
        "review_litigation": r"(?:政府信息公开)?(?:行政复议[、,和及与]?行政诉讼|行政复议和诉讼)(?:的)?情况",
        "problems": r"存在的?主要问题(?:及其?|和|与|以及)?(?:改进|整改)(?:情况|措施)",
        "other": r"其他需要报告的事项",
    }.items()
}
_ANY_HEADING = re.compile("|".join(f"(?P<{key}>{p.pattern})" for key, p in HEADINGS.items()))
_HEADING_HINT = re.compile("情况|措施|事项|概述")
MAX_HEADING = 40
# Page furniture before the body: the info block (索引号/发布机构/…) and date lines.
INFO_LINE = re.compile(r"^\s*(?:索引号|发布机构|成文日期|发布日期|公开日期|主题分类|文号|来源|发布时间|浏览次数|字号)")
MIN_PREAMBLE = 10


def heading_key(norm: str) -> str | None:
    """The section key of a heading line (normalised text), None if the line is no heading."""
    if len(norm) > MAX_HEADING * 3 or not _HEADING_HINT.search(norm):
        return None
    text = compact(fold(norm))
    if not text or len(text) > MAX_HEADING:
        return None
    m = _ANY_HEADING.match(text)
    return None if m is None else m.lastgroup


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
