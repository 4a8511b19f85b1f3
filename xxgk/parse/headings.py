"""Section heading lines: which section a line of normalised text heads, if any."""

from __future__ import annotations

import re

from xxgk.parse.normalize import compact, fold

_NUM = r"(?:第?[一二三四五六七八九十]+[、.,:)]|\([一二三四五六七八九十]+\)|\d{1,2}[、.)])?"
_TAIL = r"[.:。:]?$"
_WORDS = {
    "overview": r"(?:政府信息公开(?:工作)?)?(?:总体情况|概述|总体概述|基本情况)",
    "proactive": r"主动公开政府信息(?:的)?情况",
    "requests": r"收到和处理政府信息公开申请(?:的)?情况",
    "review_litigation": r"(?:因?政府信息公开(?:工作)?(?:被?申请)?)?"
    r"(?:行政复议[、,和及与]?(?:提起)?行政诉讼|行政复议和诉讼)(?:的)?情况",
    "problems": r"(?:政府信息公开(?:工作)?)?(?:存在的?)?(?:主要)?问题"
    r"(?:及其?|和|与|以及)?(?:改进|整改)(?:的)?(?:情况|措施)",
    "other": r"其他需要报告的事项",
}
HEADINGS: dict[str, re.Pattern[str]] = {
    key: re.compile("^" + _NUM + pattern + _TAIL) for key, pattern in _WORDS.items()
}
# A numbered standard heading inside a line (glued to the text around it): 一、 … 六、 and the heading's words.
INLINE_HEADING = re.compile(r"[一二三四五六]、\s*(?:" + "|".join(f"(?:{p})" for p in _WORDS.values()) + ")")
_ANY_HEADING = re.compile("|".join(f"(?P<{key}>{p.pattern})" for key, p in HEADINGS.items()))
_HEADING_HINT = re.compile("情况|措施|事项|概述")
_HINT_START = re.compile("[情措事概]")  # a hint's first character: found in a line even when it is spaced out
MAX_HEADING = 40


def heading_key(norm: str) -> str | None:
    """The section key of a heading line (normalised text), None if the line is no heading."""
    if len(norm) > MAX_HEADING * 3 or not _HINT_START.search(norm):
        return None
    text = compact(fold(norm))  # a heading OCR spaced out (一 、 总 体 情 况) is the heading
    if not text or len(text) > MAX_HEADING or not _HEADING_HINT.search(text):
        return None
    m = _ANY_HEADING.match(text)
    return None if m is None else m.lastgroup
