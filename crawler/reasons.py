"""Why a link's title is, or is not, an annual report: the detector's verdict put in words for ``xxgk probe``.

The verdict is always ``crawler.detect.classify_title``'s; this module only names the reason.
"""

from __future__ import annotations

import re

from crawler.detect import classify_title

# What non-report titles in report columns name, most specific first (compared without spaces).
_KINDS = (
    "法治政府建设",
    "企业年度报告",
    "年度报告公示",
    "解读",
    "指南",
    "预算",
    "决算",
    "工作要点",
    "通知",
    "目录",
    "申请表",
    "统计表",
    "规定",
    "办法",
)
_REPORT_WORDS = re.compile(r"年度报告|年报")
_TOPIC = re.compile(r"政府信息公开|政务公开|信息公开")


def reason(title: str) -> str:
    """``report``, ``report column`` or ``not a report: WHY`` for a link or page title."""
    text = re.sub(r"\s+", "", title or "")
    kind = classify_title(text)
    if kind == "report":
        return "report"
    if kind == "column":
        return "report column (no year): followed as a list"
    named = next((k for k in _KINDS if k in text), None)
    if named:
        return f"not a report: {named}"
    if not _REPORT_WORDS.search(text):
        return "not a report: no 年度报告/年报 in the title"
    if not _TOPIC.search(text):
        return "not a report: not about 政府信息公开"
    return "not a report"
