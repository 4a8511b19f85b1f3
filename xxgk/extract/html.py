"""HTML pages: body text via trafilatura, tables as expanded grids, metadata from <meta> and the info block.

Portal templates wrap the report in navigation, breadcrumbs and footers, and trafilatura sometimes drops part
of the report with them (headings such as ``<h3>二、…</h3>``, prose between tables).  The report's own
container — the smallest element holding its data tables and numbered section headings — is therefore read
as well: trafilatura's text is kept when it covers every line of that container, otherwise the container's
text is used.  The info block (索引号/发布机构/成文日期…) is read as metadata and removed from the body.

Bounds: at most ``MAX_ELEMENTS`` elements; a page nested deeper than libxml2's limit (which drops the rest
without a word) is flattened (``nesting.flatten``) and read again; the grid slots of all tables are budgeted.
"""

from __future__ import annotations

import logging
import re

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.settings import Extractor

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document, Grid
from xxgk.extract.encoding import clean_text, decode
from xxgk.extract.grid import Budget, expand
from xxgk.extract.nesting import DEPTH, TABLE_NESTING, flatten

log = logging.getLogger(__name__)

META_NAMES = ("ArticleTitle", "PubDate", "ContentSource", "SiteName", "SiteIDCode", "ColumnName")
_META_LOWER = {name.lower(): name for name in META_NAMES}
_INFO_FIELDS = ("索引号", "发布机构", "成文日期", "发布日期", "公开日期", "主题分类", "文号")
_FURNITURE_FIELDS = ("发布时间", "来源", "浏览次数", "字号")  # read like the info block, not kept as metadata
_LABELS = _INFO_FIELDS + _FURNITURE_FIELDS
_INFO_LABEL = re.compile(r"(" + "|".join(_LABELS) + r")(?:\s*[:：]\s*|\s+|$)")
_LABEL_TEXT = etree.XPath(".//text()[" + " or ".join(f"starts-with(normalize-space(.), '{f}')" for f in _LABELS) + "]")
_MAX_INFO_VALUE = 60
_MAX_INFO_BLOCK = 600
# A numbered top-level section heading (一、总体情况 … 六、其他需要报告的事项) ends with one of these words.
_HINTS = ("情况", "措施", "事项", "概述")
_SECTION_HEADING = re.compile(r"^第?[一二三四五六七八九十]{1,3}[、.．].{0,36}(?:" + "|".join(_HINTS) + r")[。:：]?$")
_HINT_TEXT = etree.XPath(".//text()[" + " or ".join(f"contains(., '{w}')" for w in _HINTS) + "]")
_MAX_HEADING = 40
_GAPS = re.compile(r"[\s|\xa0]+")
_INFO = re.compile(
    r"(" + "|".join(_INFO_FIELDS) + r")\s*[:：]\s*(.*?)\s*(?=(?:" + "|".join(_INFO_FIELDS) + r")\s*[:：]|\n|$)"
)
_INFO_FIELD = re.compile("|".join(_INFO_FIELDS))
_TAG = re.compile(r"<[^>]*>")
_INFO_WINDOW = 3000
_DIGITS = re.compile(r"\d")
# The first <title> / <body>; find(".//title") would also walk the rest of the page looking for the next one.
_FIRST_TITLE = etree.XPath("descendant::title[1]")
_FIRST_BODY = etree.XPath("descendant::body[1]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
MAX_ELEMENTS = 300_000  # elements of one page's tree; a long report page has a few thousand
_COUNT_ELEMENTS = etree.XPath("count(//*)")
_CLOSING = re.compile(r"</(?:body|html)\s*>", re.I)
_TAIL = 64 << 10  # where the closing tags are looked for: the page's last 64 K characters
_MAX_DEPTH = 255  # libxml2's nesting limit without XML_PARSE_HUGE
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
# trafilatura's settings, built once: building them for every call re-reads its configuration each time.
_TRAFILATURA = Extractor(
    output_format="txt", fast=True, comments=False, tables=True, images=False, links=False, dedup=False
)
# lxml.html's own parser picks every element's class in a Python callback (form fields get their own classes);
# this one gives every element the plain HtmlElement class, picked in C, which makes each node visited cheaper —
# and trafilatura and this module visit every node several times.  Nothing here reads form fields.
_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


def _is_data_table(grid: list[list[str]]) -> bool:
    cells = [c for row in grid for c in row if c]
    return (
        len(grid) >= 2
        and max((len(row) for row in grid), default=0) >= 2
        and max(map(len, cells), default=0) < _MAX_DATA_CELL
        and not all(_info_pairs(" ".join(c for c in row if c)) for row in grid)
    )


def _metadata(root: etree._Element, page: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = _META_LOWER.get((el.get("name") or "").strip().lower())
        content = (el.get("content") or "").strip()
        if name and content and name not in meta:
            meta[name] = content
    titles = _FIRST_TITLE(root)
    title = titles[0] if titles else None
    if title is not None and (title.text or "").strip():
        meta["html_title"] = " ".join(title.text.split())
    # The info block (索引号/发布机构/成文日期…) sits near its first field: read that window as text.
    first = _INFO_FIELD.search(page)
    if first:
        window = _TAG.sub("\n", page[first.start() : first.start() + _INFO_WINDOW]).replace("&nbsp;", " ")
        window = "\n".join(line.strip() for line in window.splitlines() if line.strip())
        window = re.sub(r"([:：])\n", r"\1", window)
        for m in _INFO.finditer(window):
            field, value = m.group(1), m.group(2).strip()
            if value and field not in meta:
                meta[field] = value[:100]
    return meta


def _info_pairs(text: str) -> list[tuple[str, str]] | None:
    """Field/value pairs if ``text`` is nothing but info-block fields ("索引号：… 发布机构：…"), else None."""
    text = " ".join(text.split()).strip(" |")
    if not _INFO_LABEL.match(text):
        return None
    labels = list(_INFO_LABEL.finditer(text))
    pairs = []
    for n, m in enumerate(labels):
        end = labels[n + 1].start() if n + 1 < len(labels) else len(text)
        value = text[m.end() : end].strip(" |")
        if not value or len(value) > _MAX_INFO_VALUE or "。" in value:
            return None
        pairs.append((m.group(1), value))
    if len(pairs) < 2 and not re.match(r"\S+\s*[:：]", text):
        return None  # one bare "文号 X" could be a row of a data table; a lone field needs its colon
    return pairs


def _short_text(el: etree._Element) -> str | None:
    """Text of ``el`` with its text nodes joined by spaces, or None if it is longer than an info block."""
    parts, size = [], 0
    for part in el.itertext():
        size += len(part)
        if size > _MAX_INFO_BLOCK:
            return None
        parts.append(part)
    return " ".join(parts)


def _drop_info_block(body: etree._Element, meta: dict[str, str]) -> None:
    """Remove the info block (and date/source lines) from the page; fields not yet in ``meta`` are added.

    From each text node starting with a field name, climb to the largest element that is nothing but fields
    (table cells are passed over: a row or the whole table goes).
    """
    blocks: dict[etree._Element, list[tuple[str, str]]] = {}
    for hit in _LABEL_TEXT(body):
        el = hit.getparent()
        if el is not None and hit.is_tail:
            el = el.getparent()
        if el is None or any(a in blocks for a in (el, *el.iterancestors())):
            continue
        best = None
        while el is not None and el is not body and el.tag not in ("script", "style"):
            if el.tag not in ("td", "th"):
                text = _short_text(el)
                pairs = _info_pairs(text) if text is not None else None
                if pairs is None and (best is not None or text is None):
                    break
                if pairs is not None:
                    best = (el, pairs)
            el = el.getparent()
        if best is not None:
            blocks[best[0]] = best[1]
    for el, pairs in blocks.items():
        for field, value in pairs:
            if field in _INFO_FIELDS:
                meta.setdefault(field, value[:100])
        el.drop_tree()


def _swap_tables(body: etree._Element, problems: list[str]) -> tuple[dict[int, Grid], list[etree._Element]]:
    """Replace leaf data tables by marker paragraphs (so their place in reading order survives)."""
    grids: dict[int, Grid] = {}
    markers = []
    budget = Budget()
    for table in list(body.iter("table")):
        if table.find(".//table") is not None:
            continue
        grid = expand(table, budget)
        if not grid or not _is_data_table(grid):
            continue
        n = len(grids)
        grids[n] = grid
        marker = etree.Element("p")
        marker.text = _MARKER.format(n)
        marker.tail = table.tail
        table.getparent().replace(table, marker)
        markers.append(marker)
    problems += budget.note("HTML")
    return grids, markers


def _section_headings(body: etree._Element) -> list[etree._Element]:
    """Block elements holding just a numbered section heading (一、总体情况 …), outside links."""
    found = []
    for hit in _HINT_TEXT(body):
        el = hit.getparent()
        while el is not None and el.tag not in _BLOCK_TAGS and el.tag not in ("td", "th"):
            el = el.getparent()
        if el is None or el in found:
            continue
        text = _GAPS.sub("", "".join(el.itertext()))
        if len(text) <= _MAX_HEADING and _SECTION_HEADING.match(text) and next(el.iterancestors("a"), None) is None:
            found.append(el)
    return found


def _common_ancestor(elements: list[etree._Element]) -> etree._Element:
    path = [*reversed(list(elements[0].iterancestors())), elements[0]]
    for el in elements[1:]:
        mine = {el, *el.iterancestors()}
        while path[-1] not in mine:
            path.pop()
    return path[-1]


def _content_container(body: etree._Element, markers: list[etree._Element]) -> etree._Element | None:
    """Smallest element holding every data table and section heading; None when that is the whole page."""
    anchors = markers + _section_headings(body)
    if not anchors:
        return None
    container = _common_ancestor(anchors)
    return None if container is body or container in body.iterancestors() else container


def _walk_text(el: etree._Element, out: list[str]) -> None:
    """Plain text of an element with line breaks at block boundaries."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("script", "style", "noscript", "head"):
        if el.tail:
            out.append(el.tail)
        return
    if tag in _BLOCK_TAGS:
        out.append("\n")
    if el.text and tag:
        out.append(el.text)
    for child in el:
        _walk_text(child, out)
    if tag in ("td", "th"):
        out.append("\t")
    elif tag in _BLOCK_TAGS:
        out.append("\n")
    if el.tail:
        out.append(el.tail)


def _plain_text(el: etree._Element) -> str:
    out: list[str] = []
    _walk_text(el, out)
    return re.sub(r"[ \t]*\n[\s]*\n+", "\n", "".join(out).replace("\xa0", " ")).strip()


def _uncovered(container_text: str, extracted: str) -> bool:
    """True if the container's text lines (tables aside) do not all appear, in order, in the extracted text.

    In order, so that a repeated line ("详见下表。") dropped once is noticed.
    """
    have = _GAPS.sub("", extracted)
    pos = 0
    for line in container_text.splitlines():
        key = _GAPS.sub("", line)
        if len(key) < 2 or _MARKER_LINE.match(key):
            continue
        found = have.find(key, pos)
        if found < 0:
            return True
        pos = found + len(key)
    return False


def _lost_figures(body: etree._Element, extracted: str) -> bool:
    """True if the extracted text kept less than half of the page's digits (trafilatura merges repeated lines)."""
    page_digits = len(_DIGITS.findall(etree.tostring(body, method="text", encoding="unicode")))
    return page_digits >= 40 and len(_DIGITS.findall(extracted)) < page_digits / 2


def _blocks(text: str, grids: dict[int, Grid]) -> tuple[list[Block], set[int]]:
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


def _too_deep() -> bool:
    """True if the last parse stopped at libxml2's depth limit (it drops everything below it without a word)."""
    return any(e.type_name == "ERR_RESOURCE_LIMIT" and "depth" in e.message for e in _PARSER.error_log)


def _parse(text: str, notes: list[str]) -> etree._Element:
    """The page's tree, whole: a page nested deeper than libxml2 allows (thousands of unclosed <font>/<span> in
    Word exports) is flattened first, its deepest tags left out and counted in a problem line."""
    try:
        root = lxml.html.document_fromstring(text, parser=_PARSER)
        if _too_deep():
            flat = flatten(text)
            root = lxml.html.document_fromstring(flat.html, parser=_PARSER)
            if _too_deep():
                raise UnreadableDocument(
                    f"HTML nests deeper than {_MAX_DEPTH} elements even with its tags below depth {DEPTH} left out: "
                    "the content below that depth cannot be read"
                )
            note = (
                f"page nested deeper than {_MAX_DEPTH} elements: {flat.tags_left_out} tags left out to keep it within "
                f"{DEPTH} levels (their text kept)"
            )
            if flat.table_tags_left_out:
                note += (
                    f", {flat.table_tags_left_out} of them table, row or cell tags (more than {TABLE_NESTING} open at "
                    "once; those cells read as lines of text)"
                )
            notes.append(note)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(f"HTML cannot be parsed: {exc}") from exc
    return root


def _truncated(text: str) -> bool:
    """True for a page that opens <html> or <body> but ends without closing either (cut off in transfer)."""
    head = text[:4096].lower()
    return ("<html" in head or "<body" in head) and not _CLOSING.search(text, max(0, len(text) - _TAIL))


def _check_size(root: etree._Element) -> None:
    """Refuse a tree too large to walk within the memory bound (trafilatura copies parts of it)."""
    elements = int(_COUNT_ELEMENTS(root))
    if elements > MAX_ELEMENTS:
        raise UnreadableDocument(f"HTML page has {elements} elements (limit {MAX_ELEMENTS}): too large to read")


def extract_html(data: bytes, content_type: str | None = None) -> Document:
    text, notes = decode(data, content_type)
    text = clean_text(text, notes)
    text = _XML_DECL.sub("", text, count=1)
    if _truncated(text):
        notes.append("page ends before its closing </body> or </html> tag: it may be truncated (content missing)")
    root = _parse(text, notes)
    _check_size(root)
    meta = _metadata(root, text)
    bodies = _FIRST_BODY(root)
    body = bodies[0] if bodies else root
    grids, markers = _swap_tables(body, notes)
    _drop_info_block(body, meta)
    container = _content_container(body, markers)
    container_text = _plain_text(container) if container is not None else ""
    body_text = trafilatura.extract(root, options=_TRAFILATURA) or ""
    blocks, seen = _blocks(body_text, grids)
    if container is not None and (len(seen) < len(grids) or _uncovered(container_text, body_text)):
        # trafilatura dropped part of the report (headings, prose between tables): read its container.
        blocks, seen = _blocks(container_text, grids)
        log.debug("body read from the report's container: trafilatura dropped part of it")
    elif len(seen) < len(grids) or len(body_text.strip()) < 50 or _lost_figures(body, body_text):
        # trafilatura dropped tables, figures or most of the body: read the whole page instead.
        blocks, seen = _blocks(_plain_text(body), grids)
        notes.append("body read without boilerplate removal (trafilatura lost content)")
    doc = Document(source_type="html", blocks=blocks, metadata=meta, problems=notes)
    if not doc.text.strip():
        raise UnreadableDocument("HTML page has no text")
    return doc
