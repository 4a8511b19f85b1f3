"""HTML pages: body text via trafilatura, tables as expanded grids, metadata from <meta> and the info block."""

from __future__ import annotations

import re

import lxml.html
import trafilatura
from lxml import etree

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document
from xxgk.extract.encoding import check_not_binary, decode
from xxgk.extract.grid import expand, own_rows

META_NAMES = ("ArticleTitle", "PubDate", "ContentSource", "SiteName", "SiteIDCode", "ColumnName")
_META_LOWER = {name.lower(): name for name in META_NAMES}
_INFO_FIELDS = ("索引号", "发布机构", "成文日期", "发布日期", "公开日期", "主题分类", "文号")
_INFO = re.compile(
    r"(" + "|".join(_INFO_FIELDS) + r")\s*[:：]\s*(.*?)\s*(?=(?:" + "|".join(_INFO_FIELDS) + r")\s*[:：]|\n|$)"
)
_TAG = re.compile(r"<[^>]*>")
_INFO_WINDOW = 3000
_DIGITS = re.compile(r"\d")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_MARKER = "XXGKTABLE{}"
_MARKER_LINE = re.compile(r"^XXGKTABLE(\d+)$")
_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "pre",
        "blockquote",
    ]
)
_MAX_DATA_CELL = 400


def _is_data_table(grid: list[list[str]]) -> bool:
    cells = [c for row in grid for c in row if c]
    return (
        len(grid) >= 2
        and max((len(row) for row in grid), default=0) >= 2
        and max(map(len, cells), default=0) < _MAX_DATA_CELL
    )


def _metadata(root: etree._Element, page: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = _META_LOWER.get((el.get("name") or "").strip().lower())
        content = (el.get("content") or "").strip()
        if name and content and name not in meta:
            meta[name] = content
    title = root.find(".//title")
    if title is not None and (title.text or "").strip():
        meta["html_title"] = " ".join(title.text.split())
    # The info block (索引号/发布机构/成文日期…) sits near its first field: read that window as text.
    first = min((i for i in (page.find(f) for f in _INFO_FIELDS) if i >= 0), default=-1)
    if first >= 0:
        window = _TAG.sub("\n", page[first : first + _INFO_WINDOW]).replace("&nbsp;", " ")
        window = "\n".join(line.strip() for line in window.splitlines() if line.strip())
        window = re.sub(r"([:：])\n", r"\1", window)
        for m in _INFO.finditer(window):
            field, value = m.group(1), m.group(2).strip()
            if value and field not in meta:
                meta[field] = value[:100]
    return meta


def _walk_text(el: etree._Element, out: list[str]) -> None:
    """Plain text of an element with line breaks at block boundaries (fallback to trafilatura)."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("script", "style", "noscript", "head"):
        if el.tail:
            out.append(el.tail)
        return
    if tag in _BLOCK_TAGS:
        out.append("\n")
    if el.text:
        out.append(el.text)
    for child in el:
        _walk_text(child, out)
    if tag in ("td", "th"):
        out.append("\t")
    elif tag in _BLOCK_TAGS:
        out.append("\n")
    if el.tail:
        out.append(el.tail)


def _lost_figures(body: etree._Element, extracted: str) -> bool:
    """True if the extracted text kept less than half of the page's digits (trafilatura merges repeated lines)."""
    page_digits = len(_DIGITS.findall(etree.tostring(body, method="text", encoding="unicode")))
    return page_digits >= 40 and len(_DIGITS.findall(extracted)) < page_digits / 2


def _blocks(text: str, grids: dict[int, list[list[str]]]) -> tuple[list[Block], set[int]]:
    blocks: list[Block] = []
    pending: list[str] = []
    seen: set[int] = set()
    for line in text.splitlines():
        m = _MARKER_LINE.match(line.strip())
        if m and int(m.group(1)) in grids:
            if pending:
                blocks.append(Block(text="\n".join(pending)))
                pending = []
            seen.add(int(m.group(1)))
            blocks.append(Block(grid=grids[int(m.group(1))]))
        else:
            pending.append(line.replace("\xa0", " "))
    if pending:
        blocks.append(Block(text="\n".join(pending)))
    return blocks, seen


def extract_html(data: bytes, content_type: str | None = None) -> Document:
    text, notes = decode(data, content_type)
    check_not_binary(text)
    text = _XML_DECL.sub("", text, count=1)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(f"HTML cannot be parsed: {exc}") from exc
    meta = _metadata(root, text)
    body = root.find(".//body")
    if body is None:
        body = root
    grids: dict[int, list[list[str]]] = {}
    # Leaf data tables are replaced by marker paragraphs so their place in reading order survives.
    for table in list(body.iter("table")):
        if table.find(".//table") is not None or not own_rows(table):
            continue
        grid = expand(table)
        if not grid or not _is_data_table(grid):
            continue
        n = len(grids)
        grids[n] = grid
        marker = etree.Element("p")
        marker.text = _MARKER.format(n)
        marker.tail = table.tail
        table.getparent().replace(table, marker)
    body_text = (
        trafilatura.extract(
            root,
            output_format="txt",
            include_tables=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            fast=True,
            deduplicate=False,
        )
        or ""
    )
    blocks, seen = _blocks(body_text, grids)
    if len(seen) < len(grids) or len(body_text.strip()) < 50 or _lost_figures(body, body_text):
        # trafilatura dropped tables, figures or most of the body: read the whole page instead.
        out: list[str] = []
        _walk_text(body, out)
        raw = re.sub(r"[ \t]*\n[\s]*\n+", "\n", "".join(out))
        blocks, seen = _blocks(raw, grids)
        notes.append("body read without boilerplate removal (trafilatura lost content)")
    doc = Document(source_type="html", blocks=blocks, metadata=meta, problems=notes)
    if not doc.text.strip():
        raise UnreadableDocument("HTML page has no text")
    return doc
