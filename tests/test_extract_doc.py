"""Legacy Word (.doc): the same text and grids as the DOCX it was saved from, every cell exact, bad files refused.

``tests/fixtures/doc`` holds generated reports (2021 format, 2019 format, one with blank cells) as DOCX and as
the .doc that LibreOffice's "MS Word 97" filter wrote from them (``soffice --headless --convert-to doc``),
with the generator's truth beside them.
"""

from __future__ import annotations

import json
import random
import struct
from pathlib import Path

import pytest

from xxgk.errors import UnreadableDocument
from xxgk.extract import extract, sniff
from xxgk.parse import parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "doc"
NAMES = ["r2021", "r2019", "blanks"]


@pytest.mark.parametrize("name", NAMES)
def test_doc_reads_as_its_docx(name: str) -> None:
    doc = extract((FIXTURES / f"{name}.doc").read_bytes(), filename=f"{name}.doc")
    docx = extract((FIXTURES / f"{name}.docx").read_bytes(), filename=f"{name}.docx")
    assert doc.source_type == "doc" and doc.problems == []
    assert doc.tables == docx.tables  # merged cells: text in the first slot, covered slots None
    assert doc.text == docx.text


@pytest.mark.parametrize("name", NAMES)
def test_every_cell_exact(name: str) -> None:
    truth = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    report = parse_document((FIXTURES / f"{name}.doc").read_bytes(), filename=f"{name}.doc")
    assert (report.source_type, report.year, report.format) == ("doc", truth["year"], truth["format"])
    wrong = [
        (f"{row}.{col}", want, report.tables.get(row, {}).get(col, "missing"))
        for row, cols in truth["tables"].items()
        for col, want in cols.items()
        if report.tables.get(row, {}).get(col, "missing") != want
    ]
    assert wrong == []
    assert sorted(c.rule for c in report.checks) == truth["violated"]


def test_wps_and_doc_names_and_the_ole_signature() -> None:
    data = (FIXTURES / "r2021.doc").read_bytes()
    assert sniff(data) == "doc"
    assert sniff(b"anything", filename="报告.wps") == "doc"
    assert sniff(b"anything", content_type="application/msword") == "doc"


def _with_flag(data: bytes, bit: int) -> bytes:
    """The .doc with one bit of its FIB flags set (the WordDocument stream starts at a sector of its own)."""
    at = data.index(struct.pack("<H", 0xA5EC), 512)
    flags = struct.unpack_from("<H", data, at + 0x0A)[0] | bit
    return data[: at + 0x0A] + struct.pack("<H", flags) + data[at + 0x0C :]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda d: d[:3000], "corrupt .doc"),
        (lambda d: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "corrupt .doc"),
        (lambda d: _with_flag(d, 0x0100), "encrypted .doc"),
    ],
)
def test_bad_doc_files_get_one_line_reasons(damage, reason: str) -> None:
    with pytest.raises(UnreadableDocument) as err:
        parse_document(damage((FIXTURES / "r2021.doc").read_bytes()), filename="x.doc")
    assert reason in str(err.value) and "\n" not in str(err.value)


def test_random_damage_never_escapes_as_anything_but_a_reason() -> None:
    """Flipped bytes anywhere in the file: a record or a one-line reason, never another exception."""
    data = bytearray((FIXTURES / "blanks.doc").read_bytes())
    rng = random.Random(7)
    outcomes = {"parsed": 0, "refused": 0}
    for _ in range(150):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 40)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            parse_document(bytes(damaged), filename="x.doc")
            outcomes["parsed"] += 1
        except UnreadableDocument as err:
            assert "\n" not in str(err)
            outcomes["refused"] += 1
    assert outcomes["parsed"] > 0
