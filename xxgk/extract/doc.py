"""Legacy Word (.doc, Word 97–2003; also WPS files saved in that format): text and table grids.

The binary format (MS-DOC) keeps the main text as pieces (the piece table in the ``Clx`` of the table
stream), each either UTF-16LE or one byte a character. Paragraph properties live in formatted disk pages
(``PlcBtePapx`` → ``PapxFkp``): a paragraph carrying ``sprmPFTtp`` ends a table row, one carrying
``sprmPFInTable`` lies inside a table. A table cell ends with character 7; the row-end mark is also
character 7, so the paragraph properties are what tells a row's end from an empty last cell. Field codes
(``\\x13 instruction \\x14 result \\x15``) keep only their result.

Rows come out as their cells in order (Word keeps no covered slots: a merged cell is one cell, a
continued vertical merge an empty one); the table parser reads such rows by their labels and values.
"""

from __future__ import annotations

import bisect
import io
import struct

import olefile

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document, Grid
from xxgk.extract.grid import Budget

_MAGIC = 0xA5EC
_FC_PLCF_BTE_PAPX, _FC_CLX = 13, 33  # pair indexes in FibRgFcLcb97
_PAGE = 512
_IN_TABLE, _TTP, _ITAP, _DEF_TABLE, _HUGE_PAPX = 0x2416, 0x2417, 0x6649, 0xD608, 0x6646
_OPERAND = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}  # operand size by a sprm's spra bits (6: variable)
_CELL, _PARA, _FIELD_START, _FIELD_SEP, _FIELD_END = "\x07", "\r", "\x13", "\x14", "\x15"
_DROP = dict.fromkeys(map(ord, "\x01\x02\x03\x04\x05\x08\x1f"), None) | {0x0B: "\n", 0x0C: "\n", 0x1E: "-", 0xA0: " "}
MAX_FIELD_DEPTH = 64
_SNAP = 40  # twips (0.7 mm): rows drawn by hand put the same column edge a few twips apart


class _Corrupt(Exception):
    pass


def _streams(data: bytes) -> tuple[bytes, bytes, bytes]:
    """The WordDocument stream, the table stream it names and the Data stream (empty if none)."""
    try:
        return _read_streams(data)
    except (OSError, ValueError, struct.error, IndexError) as err:  # olefile's own checks, and short streams
        raise UnreadableDocument(f"corrupt .doc: {err}") from None


def _read_streams(data: bytes) -> tuple[bytes, bytes, bytes]:
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        if not ole.exists("WordDocument"):
            streams = ", ".join("/".join(s) for s in ole.listdir()[:8]) or "none"
            raise UnreadableDocument(f"an OLE file without a Word document (streams: {streams})")
        word = ole.openstream("WordDocument").read()
        if len(word) < 34 or struct.unpack_from("<H", word)[0] != _MAGIC:
            raise UnreadableDocument("corrupt .doc: no Word 97–2003 file information block")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:
            raise UnreadableDocument("encrypted .doc (password protected)")
        table = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table):
            raise UnreadableDocument(f"corrupt .doc: table stream {table} missing")
        extra = ole.openstream("Data").read() if ole.exists("Data") else b""
        return word, ole.openstream(table).read(), extra


def _fib(word: bytes) -> tuple[int, list[tuple[int, int]]]:
    """``ccpText`` (characters of the main text) and the (fc, lcb) pairs of the FIB."""
    at = 32
    (csw,) = struct.unpack_from("<H", word, at)
    at += 2 + 2 * csw
    (cslw,) = struct.unpack_from("<H", word, at)
    ccp_text = struct.unpack_from("<i", word, at + 2 + 12)[0]
    at += 2 + 4 * cslw
    (pairs,) = struct.unpack_from("<H", word, at)
    at += 2
    if pairs <= _FC_CLX or at + 8 * pairs > len(word):
        raise _Corrupt("file information block too short")
    return ccp_text, [struct.unpack_from("<II", word, at + 8 * i) for i in range(pairs)]


def _pieces(table: bytes, fc: int, lcb: int) -> list[tuple[int, int, int, bool]]:
    """(first cp, end cp, stream offset, one byte a character) of each piece of text."""
    end = fc + lcb
    if end > len(table):
        raise _Corrupt("piece table outside the table stream")
    at = fc
    while at < end and table[at] == 0x01:  # Prc: property modifiers, skipped
        at += 3 + struct.unpack_from("<H", table, at + 1)[0]
    if at >= end or table[at] != 0x02:
        raise _Corrupt("no piece table")
    (size,) = struct.unpack_from("<I", table, at + 1)
    plc = table[at + 5 : at + 5 + size]
    count = (len(plc) - 4) // 12
    if count <= 0:
        raise _Corrupt("empty piece table")
    cps = struct.unpack_from(f"<{count + 1}i", plc)
    pieces = []
    for i in range(count):
        (raw,) = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)
        compressed = bool(raw & 0x40000000)
        offset = (raw & 0x3FFFFFFF) // 2 if compressed else raw & 0x3FFFFFFF
        pieces.append((cps[i], cps[i + 1], offset, compressed))
    return pieces


def _sprms(grpprl: bytes) -> dict[int, bytes]:
    """The operands of a list of property modifiers, by sprm."""
    out: dict[int, bytes] = {}
    at = 0
    while at + 2 <= len(grpprl):
        (sprm,) = struct.unpack_from("<H", grpprl, at)
        at += 2
        spra = sprm >> 13
        if spra != 6:
            size = _OPERAND[spra]
        elif sprm == 0xD608 and at + 2 <= len(grpprl):  # sprmTDefTable: a 2-byte count, plus one
            size = struct.unpack_from("<H", grpprl, at)[0] + 1
        elif at < len(grpprl):
            size = grpprl[at] + 1
        else:
            break
        out[sprm] = grpprl[at : at + size]
        at += size
    return out


Tap = tuple[tuple[int, ...], tuple[bool, ...]]  # a row's cell edges (twips) and which cells continue a merge
Props = tuple[bool, bool, Tap | None]  # in a table, ends a row, the row's layout (on row ends)


def _tap(operand: bytes) -> Tap | None:
    """Cell edges and vertical-merge continuations of a ``sprmTDefTable`` operand."""
    if len(operand) < 3:
        return None
    cells = operand[2]
    edges_end = 3 + 2 * (cells + 1)
    if cells == 0 or len(operand) < edges_end:
        return None
    edges = struct.unpack_from(f"<{cells + 1}h", operand, 3)
    continues = []
    for i in range(cells):
        at = edges_end + 20 * i
        flags = struct.unpack_from("<H", operand, at)[0] if at + 2 <= len(operand) else 0
        continues.append((flags >> 5) & 3 == 1)  # vertMerge 1: merged with the cell above
    return edges, tuple(continues)


def _huge(sprms: dict[int, bytes], extra: bytes) -> dict[int, bytes]:
    """A paragraph's properties too large for its page live in the Data stream (``sprmPHugePapx``)."""
    at = int.from_bytes(sprms[_HUGE_PAPX][:4], "little")
    if at + 2 > len(extra):
        return sprms
    (size,) = struct.unpack_from("<H", extra, at)
    return sprms | _sprms(extra[at + 2 : at + 2 + size])


def _paragraphs(word: bytes, table: bytes, extra: bytes, fc: int, lcb: int) -> tuple[list[int], list[Props]]:
    """Stream offsets where paragraph runs start, and the properties of each run."""
    if lcb < 8 or fc + lcb > len(table):
        return [], []
    count = (lcb - 4) // 8
    starts: list[int] = []
    props: list[Props] = []
    for i in range(count):
        (pn,) = struct.unpack_from("<I", table, fc + 4 * (count + 1) + 4 * i)
        at = (pn & 0x3FFFFF) * _PAGE  # the page number is the low 22 bits
        page = word[at : at + _PAGE]
        if len(page) < _PAGE:
            continue
        runs = page[_PAGE - 1]
        fcs = struct.unpack_from(f"<{runs + 1}I", page)
        for r in range(runs):
            offset = page[4 * (runs + 1) + 13 * r] * 2
            sprms: dict[int, bytes] = {}
            if offset:
                cb = page[offset]
                body = (
                    page[offset + 1 : offset + 2 * cb] if cb else page[offset + 2 : offset + 2 + 2 * page[offset + 1]]
                )
                sprms = _sprms(body[2:])  # after the style index
                if _HUGE_PAPX in sprms:
                    sprms = _huge(sprms, extra)
            depth = int.from_bytes(sprms.get(_ITAP, b"\0"), "little")
            in_table = sprms.get(_IN_TABLE, b"\0")[:1] == b"\x01" or depth > 0
            row_end = sprms.get(_TTP, b"\0")[:1] == b"\x01"
            starts.append(fcs[r])
            props.append((in_table, row_end, _tap(sprms[_DEF_TABLE]) if row_end and _DEF_TABLE in sprms else None))
    order = sorted(range(len(starts)), key=starts.__getitem__)
    return [starts[i] for i in order], [props[i] for i in order]


def _characters(word: bytes, pieces: list[tuple[int, int, int, bool]], ccp_text: int):
    """Each character of the main text with its stream offset."""
    for first, end, offset, compressed in pieces:
        end = min(end, ccp_text)
        if first >= end:
            continue
        n = end - first
        if compressed:
            chunk = word[offset : offset + n].decode("cp1252", errors="replace")
            yield from ((ch, offset + i) for i, ch in enumerate(chunk))
        else:
            chunk = word[offset : offset + 2 * n].decode("utf-16-le", errors="replace")
            yield from ((ch, offset + 2 * i) for i, ch in enumerate(chunk))


def _layout(rows: list[tuple[list[str], Tap | None]], budget: Budget) -> Grid:
    """A table's rows on the columns of all its cell edges: a merged cell's text in its first slot, the slots
    it also covers (to the right, and below for a vertical merge) None; rows without a usable layout as read."""
    boundaries: list[int] = []
    column: dict[int, int] = {}  # cell edge (twips) → its boundary; edges within _SNAP of each other are one
    for x in sorted({x for _, tap in rows if tap for x in tap[0]}):
        if not boundaries or x - boundaries[-1] > _SNAP:
            boundaries.append(x)
        column[x] = len(boundaries) - 1
    grid: Grid = []
    for n, (cells, tap) in enumerate(rows):
        if tap is None or len(tap[0]) != len(cells) + 1:
            slots: list[str | None] = list(cells)
        else:
            slots = [""] * max(0, len(boundaries) - 1)
            for text, left, right, continues in zip(cells, tap[0], tap[0][1:], tap[1], strict=False):
                start, end = column[left], max(column[left] + 1, column[right])
                slots[start:end] = [None if continues else text] + [None] * (end - start - 1)
        if not slots:
            continue
        budget.left -= len(slots)
        if budget.left < 0:
            budget.dropped += len(rows) - n
            budget.left = 0
            break
        grid.append(slots)
    return grid


class _Builder:
    """Characters → blocks: text lines, and rows of cells gathered into grids."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.lines: list[str] = []
        self.rows: list[tuple[list[str], Tap | None]] = []
        self.row: list[str] = []
        self.buffer: list[str] = []
        self.budget = Budget()

    def _text(self) -> str:
        out = "".join(self.buffer).translate(_DROP)
        self.buffer = []
        return out

    def _flush_lines(self) -> None:
        if self.lines:
            self.blocks.append(Block(text="\n".join(self.lines)))
            self.lines = []

    def paragraph(self, in_table: bool) -> None:
        if in_table:
            self.buffer.append("\n")  # a paragraph inside a cell
            return
        self.end_table()
        self.lines.append(self._text())

    def cell_mark(self, row_end: bool, tap: Tap | None) -> None:
        if row_end:
            self.buffer = []
            self.rows.append((self.row, tap))
            self.row = []
            return
        self._flush_lines()
        self.row.append(" ".join(self._text().split()))

    def end_table(self) -> None:
        if self.row:
            self.rows.append((self.row, None))
            self.row = []
        if self.rows:
            self._flush_lines()
            grid = _layout(self.rows, self.budget)
            if grid:
                self.blocks.append(Block(grid=grid))
            self.rows = []

    def finish(self) -> list[Block]:
        self.end_table()
        if self.buffer:
            self.lines.append(self._text())
        self._flush_lines()
        return self.blocks


def extract_doc(data: bytes) -> Document:
    """Read a Word 97–2003 document; :class:`UnreadableDocument` with the reason if it cannot be read."""
    word, table, extra = _streams(data)
    try:
        ccp_text, pairs = _fib(word)
        pieces = _pieces(table, *pairs[_FC_CLX])
        starts, props = _paragraphs(word, table, extra, *pairs[_FC_PLCF_BTE_PAPX])
    except (_Corrupt, struct.error, IndexError, ValueError) as err:
        raise UnreadableDocument(f"corrupt .doc: {err}") from None
    builder = _Builder()
    problems: list[str] = []
    skipping: list[bool] = []  # open fields, innermost last: True while in its instruction (skipped)
    for ch, fc in _characters(word, pieces, ccp_text):
        if ch == _FIELD_START:
            if len(skipping) >= MAX_FIELD_DEPTH:
                raise UnreadableDocument(f"corrupt .doc: fields nested deeper than {MAX_FIELD_DEPTH}")
            skipping.append(True)
        elif ch == _FIELD_SEP and skipping:
            skipping[-1] = False
        elif ch == _FIELD_END and skipping:
            skipping.pop()
        elif skipping and skipping[-1]:
            continue
        elif ch in (_PARA, _CELL):
            at = bisect.bisect_right(starts, fc) - 1
            in_table, row_end, tap = props[at] if at >= 0 else (False, False, None)
            if ch == _CELL:
                builder.cell_mark(row_end, tap)
            else:
                builder.paragraph(in_table)
        else:
            builder.buffer.append(ch)
    if not starts:
        problems.append("paragraph properties unreadable: table rows not told apart")
    problems += builder.budget.note(".doc")
    return Document(source_type="doc", blocks=builder.finish(), problems=problems)
