"""Which links and pages are annual open-government reports (政府信息公开工作年度报告)."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from xxgk.simplified import mainland_words, simplified

# Every pattern is in Simplified script: text is matched after the parser's own OpenCC
# Traditional → Simplified conversion (``xxgk.simplified``), so 政府信息公開 and 年度報告 match too.
# An annual report names itself a 年度报告/年报 (or a 公开工作报告 of a year) of 政府信息公开/政务公开/信息公开 work.
_REPORT = re.compile(r"年度报告|年报|公开工作报告")
_TOPIC = re.compile(r"政府信息公开|政务公开|信息公开")
# Titles that share the words but are something else: guides, budgets, notices, company reports,
# and the interpretation of a report (《…年度报告》解读, 图解, 一图读懂).
_NOT_REPORT = re.compile(
    r"指南|预算|决算|通知|企业年度报告|企业年报|年度报告公示|目录|申请表|统计表|规定|办法|解读|图解|读懂"
)
_YEAR = re.compile(r"(?:19|20)\d{2}|[二〇○零0][〇○零0一二三四五六七八九]{3}")

DOCUMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps")
_DOWNLOAD_PATH = re.compile(r"down(?:load)?(?:file)?|attach|getfile|fileserver", re.I)

# Headings of the prescribed report structure; a page showing several of them carries a report itself.
_BODY_MARKERS = (
    "总体情况",
    "主动公开政府信息",
    "收到和处理政府信息公开申请",
    "行政复议",
    "存在的主要问题",
    "本年新收政府信息公开申请",
)

# Text through a Taiwan-phrase conversion prints 政府資訊公開: the words above read back to their own.
_MAINLAND = mainland_words((*_BODY_MARKERS, _TOPIC.pattern))

Kind = Literal["report", "column"]


# List pages cut long titles (…年政府信息公开工作年...): what is left after the topic must begin a report's name.
_CUT = re.compile(r"(?:\.{2,}|…+|。{2,})$")
_NAME_STARTS = ("工作年度报告", "工作年报", "年度报告", "年报", "工作报告")


def classify_title(text: str) -> Kind | None:
    """``report`` for a report's title, ``column`` for a report column (no year), else None."""
    text = _matching(text)
    if _NOT_REPORT.search(text) or not _TOPIC.search(text):
        return None
    if not _REPORT.search(text) and not _cut_report_name(text):
        return None
    return "report" if _YEAR.search(text) else "column"


def _cut_report_name(text: str) -> bool:
    """A title cut short whose last words after the topic are the start of 工作年度报告 (or 年报 …)."""
    cut = _CUT.search(text)
    if cut is None:
        return False
    *_, last = _TOPIC.finditer(text[: cut.start()])
    rest = text[last.end() : cut.start()]
    return ("年" in rest or "报" in rest) and any(name.startswith(rest) for name in _NAME_STARTS)


def is_negative(text: str) -> bool:
    """Link text that names something other than a report (指南, 预算, 通知, 企业年度报告 …)."""
    return bool(_NOT_REPORT.search(_matching(text)))


def attachment_extension(url: str) -> str | None:
    """The document type of an attachment link (pdf/doc/docx/wps), from its path or a ``filename=`` parameter."""
    parts = urlsplit(url)
    candidates = [unquote(parts.path)]
    if _DOWNLOAD_PATH.search(parts.path):
        candidates += [unquote(v) for _, v in parse_qsl(parts.query, keep_blank_values=True)]
    for candidate in candidates:
        ext = candidate.rsplit(".", 1)[-1].lower() if "." in candidate else ""
        if ext in DOCUMENT_EXTENSIONS:
            return ext
    return None


# A link to a document file names its type after a dot: written plainly, percent-encoded or as a character reference.
_DOCUMENT_LINK = re.compile(r"(?:\.|%2e|&#0*46;|&#x0*2e;)(?:pdf|docx?|wps)", re.I)


def may_link_documents(html: str) -> bool:
    """False when no link of the page can point to a document file: a test on the raw page, before parsing it."""
    return _DOCUMENT_LINK.search(html) is not None


def carries_report_body(text: str) -> bool:
    """True when a page shows the report itself (at least three of the prescribed headings)."""
    # normalising costs ~1 ms a page: only if needed
    return _headings(text) >= 3 or _headings(simplified(text, _MAINLAND)) >= 3


def _headings(text: str) -> int:
    return sum(1 for marker in _BODY_MARKERS if marker in text)


def _matching(text: str | None) -> str:
    """Link or title text in Simplified script, full-width forms folded (２０２３ → 2023), without whitespace."""
    return simplified(re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")), _MAINLAND)


_DISPOSITION_NAME = re.compile(r"filename\*=(?:UTF-8|utf-8)''([^;]+)|filename=\"?([^\";]+)\"?")


def filename_of(url: str, content_disposition: str | None) -> str | None:
    """A document's file name, from Content-Disposition or else from the URL."""
    if content_disposition:
        match = _DISPOSITION_NAME.search(content_disposition)
        if match:
            return unquote(match.group(1) or match.group(2)).strip()
    parts = urlsplit(url)
    for _, value in parse_qsl(parts.query):
        if "." in value and value.rsplit(".", 1)[-1].lower() in DOCUMENT_EXTENSIONS:
            return value.rsplit("/", 1)[-1]
    name = unquote(parts.path.rsplit("/", 1)[-1])
    return name or None
