"""DOCX package parts (only the main document part and core properties are read; broken or missing parts
are clear errors) and the expansion of HTML tables into full grids."""

from __future__ import annotations

import io
import random
import zipfile

import lxml.html
import pytest

from xxgk.errors import UnreadableDocument
from xxgk.extract import extract
from xxgk.extract.grid import expand
from xxgk.generate import generate, render

WML_MAIN = b"wordprocessingml.document.main"


def _generated_docx() -> bytes:
    return render(generate(random.Random(7)), "docx")


def _rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same package with some members' contents replaced."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for name in source.namelist():
            out.writestr(name, replace.get(name, source.read(name)))
    return buf.getvalue()


def test_parts_nobody_reads_are_not_parsed() -> None:
    """A broken styles part does not stop the report being read: only word/document.xml and core.xml are parsed."""
    data = _generated_docx()
    expected = extract(data)
    broken = _rezip(data, {"word/styles.xml": b"<not xml", "word/numbering.xml": b"<not xml"})
    doc = extract(broken)
    assert doc.blocks == expected.blocks
    assert doc.metadata == expected.metadata and doc.metadata["docx_title"]


def test_broken_main_part_is_a_clear_error() -> None:
    broken = _rezip(_generated_docx(), {"word/document.xml": b"<not xml"})
    with pytest.raises(UnreadableDocument, match="corrupt DOCX: XMLSyntaxError"):
        extract(broken)


def test_main_part_without_body_is_a_clear_error() -> None:
    empty = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
    with pytest.raises(UnreadableDocument, match="DOCX has no text"):
        extract(_rezip(_generated_docx(), {"word/document.xml": empty}))


def test_package_that_is_not_a_word_document_is_refused() -> None:
    data = _generated_docx()
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    assert WML_MAIN in types
    sheet = _rezip(data, {"[Content_Types].xml": types.replace(WML_MAIN, b"spreadsheetml.sheet.main")})
    with pytest.raises(UnreadableDocument, match="not a Word file"):
        extract(sheet)


def test_package_without_main_document_relationship_is_refused() -> None:
    rels = b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
    with pytest.raises(UnreadableDocument, match="no main document part"):
        extract(_rezip(_generated_docx(), {"_rels/.rels": rels}))


def test_html_grid_expansion() -> None:
    """Spans (valid, zero, non-numeric), ragged rows, thead/tbody, a nested table and an empty spacer column."""
    page = lxml.html.document_fromstring(
        "<table><thead><tr><th>项目</th><th colspan='2'>数量</th><td></td></tr></thead><tbody>"
        "<tr><td rowspan='2'>a</td><td>1</td><td>2</td><td> </td></tr>"
        "<tr><td>3<br>\n4</td><td rowspan='x'>&nbsp;</td><td></td></tr>"
        "<tr><td colspan='0'>b</td><td><table><tr><td>inner</td></tr></table></td></tr>"
        "<tr><td></td></tr></tbody></table>"
    )
    assert expand(page.find(".//table")) == [
        ["项目", "数量", None],
        ["a", "1", "2"],
        [None, "3 4", ""],
        ["b", "inner", ""],
    ]
