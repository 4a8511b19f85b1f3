"""Word .docx files: paragraphs and tables in body order; merged cells de-duplicated.

The package is read with ``zipfile`` and ``lxml`` alone: the package relationships name the main document
part (and the core properties, for the title); only those parts are decompressed and parsed.  Every
expansion a hostile file could ask for is bounded: a part's decompressed size and its compression ratio,
the parser's depth (lxml's own limit), a cell's span (as in HTML) and the slots of one table.

The text read equals python-docx's ``Paragraph.text`` / ``_Cell.text`` and the grids what its
``_Row.cells`` gives; content controls (``w:sdt``) are read through, and a table nested in a cell is
read as its own block after the paragraphs of the cell around it, as HTML layout tables are.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document, Grid
from xxgk.extract.grid import MAX_SPAN, Budget

MAX_PART = 32 << 20  # decompressed bytes of one XML part
MAX_RATIO = 400  # decompressed / compressed size of a part larger than 4 MB (deflate's own maximum is ~1030)
_RATIO_FLOOR = 4 << 20

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BODY, _P, _TBL, _TR, _TC = f"{_W}body", f"{_W}p", f"{_W}tbl", f"{_W}tr", f"{_W}tc"
_R, _T, _BR = f"{_W}r", f"{_W}t", f"{_W}br"
_SDT, _SDT_CONTENT = f"{_W}sdt", f"{_W}sdtContent"
_TR_PR, _TC_PR = f"{_W}trPr", f"{_W}tcPr"
_GRID_BEFORE, _GRID_SPAN, _VMERGE = f"{_W}gridBefore", f"{_W}gridSpan", f"{_W}vMerge"
_VAL, _TYPE = f"{_W}val", f"{_W}type"
# Elements holding runs inside a paragraph (w:del is deleted text: not read).
_RUN_HOLDERS = frozenset(f"{_W}{name}" for name in ("hyperlink", "ins", "smartTag", "fldSimple", "customXml"))
# Run content other than w:t as python-docx renders it; w:br counts only as a line break, not a page/column break.
_RUN_SYMBOLS = {f"{_W}tab": "\t", f"{_W}ptab": "\t", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}
_SPACE = re.compile(r"\s+")
_NESTED_TABLE = etree.XPath("boolean(w:tr/w:tc//w:tbl)", namespaces={"w": _W[1:-1]})

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_OFFICE_DOCUMENT = "/officeDocument"  # the relationship type's last step, transitional and strict alike
_CORE_PROPERTIES = "/metadata/core-properties"
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
# No DTD, no entity expansion, no network: an XML part is data, never instructions.
_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


class _Corrupt(Exception):
    """The package is not a readable Word file; the message says why."""


def _add_run_text(run: etree._Element, out: list[str]) -> None:
    for node in run:
        tag = node.tag
        if tag == _T:
            if node.text:
                out.append(node.text)
        elif tag == _BR:
            if node.get(_TYPE, "textWrapping") == "textWrapping":
                out.append("\n")
        elif tag in _RUN_SYMBOLS:
            out.append(_RUN_SYMBOLS[tag])


def _add_runs(holder: etree._Element, out: list[str]) -> None:
    for child in holder:
        tag = child.tag
        if tag == _R:
            _add_run_text(child, out)
        elif tag in _RUN_HOLDERS:
            _add_runs(child, out)
        elif tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                _add_runs(content, out)


def _paragraph_text(p: etree._Element) -> str:
    """Text of a w:p: its runs and those of its hyperlinks, insertions and content controls, in order."""
    out: list[str] = []
    _add_runs(p, out)
    return "".join(out)


def _count(node: etree._Element, minimum: int) -> int:
    """The integer w:val of a w:gridSpan / w:gridBefore within [minimum, MAX_SPAN]; ``minimum`` if not a count."""
    try:
        return min(MAX_SPAN, max(minimum, int(node.get(_VAL, ""))))
    except ValueError:
        return minimum


def _content(holder: etree._Element) -> list[etree._Element]:
    """The w:p and w:tbl children of a body or cell, with those inside content controls."""
    found: list[etree._Element] = []
    for child in holder:
        if child.tag in (_P, _TBL):
            found.append(child)
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                found += _content(content)
    return found


@dataclass
class _Cell:
    """One w:tc: grid offset, span, whether it continues the cell above, the text of its paragraphs."""

    offset: int
    span: int = 1
    continues: bool = False
    paragraphs: list[str] = field(default_factory=list)


def _read_cell(tc: etree._Element, offset: int) -> _Cell:
    cell = _Cell(offset)
    for prop in tc.iterchildren(_TC_PR):
        for item in prop:
            if item.tag == _GRID_SPAN:
                cell.span = _count(item, 1)
            elif item.tag == _VMERGE:
                cell.continues = item.get(_VAL, "continue") == "continue"
    cell.paragraphs = [_paragraph_text(child) for child in _content(tc) if child.tag == _P]
    return cell


def _row(tr: etree._Element) -> list[_Cell]:
    """The cells of a w:tr with their grid offsets (after any w:gridBefore) and text."""
    row: list[_Cell] = []
    before = 0
    for child in tr:
        if child.tag == _TC:
            row.append(_read_cell(child, row[-1].offset + row[-1].span if row else before))
        elif child.tag == _TR_PR:
            for prop in child.iterchildren(_GRID_BEFORE):
                before = _count(prop, 0)
    return row


@dataclass
class _Reader:
    """Walks the body into blocks; ``budget`` bounds the slots of all its tables."""

    blocks: list[Block] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    budget: Budget = field(default_factory=Budget)

    def flush(self) -> None:
        if self.lines:
            self.blocks.append(Block(text="\n".join(self.lines)))
            self.lines = []

    def content(self, holder: etree._Element) -> None:
        for child in _content(holder):
            if child.tag == _P:
                self.lines.append(_paragraph_text(child))
            else:
                self.table(child)

    def table(self, table: etree._Element) -> None:
        if _NESTED_TABLE(table):
            # A layout table around tables: its cells' paragraphs are text, the tables inside are read as tables.
            for tr in table.iterchildren(_TR):
                for tc in tr.iterchildren(_TC):
                    self.content(tc)
            return
        self.flush()
        self.blocks.append(Block(grid=self.grid(table.findall(_TR))))

    def grid(self, rows: list[etree._Element]) -> Grid:
        """Rows of cells; a merged cell's text sits in its first slot, the slots it also covers are None.

        A horizontally merged cell (gridSpan) covers several grid columns; a vertically merged one continues
        (vMerge) the cell starting at the same grid offset in the row above.  Once the budget runs out, the
        rest of the rows are dropped (and counted in it).
        """
        grid: Grid = []
        above: list[_Cell] = []  # the cell shown in each slot of the previous row
        above_at: dict[int, _Cell] = {}  # previous row: grid offset → the cell shown there
        for n, tr in enumerate(rows):
            slots: list[_Cell] = []
            starts: dict[int, _Cell] = {}
            for cell in _row(tr):
                shown = above_at.get(cell.offset, cell) if cell.continues else cell
                starts[cell.offset] = shown
                slots.extend([shown] * shown.span)
                self.budget.left -= shown.span
                if self.budget.left < 0:
                    break
            if self.budget.left < 0:
                self.budget.dropped += len(rows) - n
                self.budget.left = 0
                break
            cells: list[str | None] = []
            for i, shown in enumerate(slots):
                if (i > 0 and shown is slots[i - 1]) or (i < len(above) and shown is above[i]):
                    cells.append(None)
                else:
                    cells.append(_SPACE.sub(" ", "\n".join(shown.paragraphs)).strip())
            grid.append(cells)
            above, above_at = slots, starts
        return grid


def _part(package: zipfile.ZipFile, name: str) -> etree._Element:
    """The parsed XML part ``name``, its decompressed size and compression ratio checked before reading."""
    try:
        info = package.getinfo(name)
    except KeyError:
        raise _Corrupt(f"part {name} is missing") from None
    if info.file_size > MAX_PART:
        raise _Corrupt(f"part {name} inflates to {info.file_size / 2**20:.0f} MB (limit {MAX_PART >> 20} MB)")
    if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(1, info.compress_size):
        ratio = info.file_size / max(1, info.compress_size)
        raise _Corrupt(f"part {name} is a zip bomb: compressed {ratio:.0f}:1 (limit {MAX_RATIO}:1)")
    # zipfile stops at the declared size, so a part cannot inflate beyond what was checked.
    with package.open(info) as stream:
        data = stream.read(MAX_PART + 1)
    try:
        return etree.fromstring(data, _XML)
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():
            raise _Corrupt(f"part {name} nests deeper than lxml's limit of 256 elements") from None
        raise _Corrupt(f"XMLSyntaxError in {name}: {exc}") from None


def _related(rels: etree._Element, suffix: str) -> str | None:
    """Zip name of the part the package relates to by a relationship type ending in ``suffix``."""
    targets = [rel.get("Target", "") for rel in rels.iter(_REL) if rel.get("Type", "").endswith(suffix)]
    if len(targets) > 1:
        raise _Corrupt(f"several package relationships of type {suffix}")
    return posixpath.normpath(targets[0]).lstrip("/") if targets else None


def _content_type(types: etree._Element, name: str) -> str:
    for override in types.iter(f"{_CT}Override"):
        if override.get("PartName", "").lstrip("/").lower() == name.lower():
            return override.get("ContentType", "")
    extension = name.rsplit(".", 1)[-1].lower()
    for default in types.iter(f"{_CT}Default"):
        if default.get("Extension", "").lower() == extension:
            return default.get("ContentType", "")
    return ""


def _open(data: bytes) -> tuple[etree._Element, str]:
    """The root of the main document part and the core-properties title ("" if none); no other part is read."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        rels = _part(package, "_rels/.rels")
        main = _related(rels, _OFFICE_DOCUMENT)
        if main is None:
            raise _Corrupt("no main document part (no officeDocument relationship)")
        content_type = _content_type(_part(package, "[Content_Types].xml"), main)
        if content_type != _WORD_MAIN:
            raise _Corrupt(f"not a Word file, content type is '{content_type}'")
        root = _part(package, main)
        core = _related(rels, _CORE_PROPERTIES)
        title = "" if core is None else _part(package, core).findtext(_DC_TITLE) or ""
    return root, title


def extract_docx(data: bytes) -> Document:
    try:
        root, title = _open(data)
    except _Corrupt as exc:
        raise UnreadableDocument(f"corrupt DOCX: {exc}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, zlib.error) as exc:
        raise UnreadableDocument(f"corrupt DOCX: {type(exc).__name__}: {exc}") from None
    reader = _Reader()
    body = root.find(_BODY)  # None when the main part holds no w:body: no text, reported below
    if body is not None:
        reader.content(body)
    reader.flush()
    meta = {"docx_title": title.strip()} if title.strip() else {}
    doc = Document(source_type="docx", blocks=reader.blocks, metadata=meta, problems=reader.budget.note("DOCX"))
    if not doc.text.strip():
        raise UnreadableDocument("DOCX has no text")
    return doc
