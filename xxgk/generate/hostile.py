"""The hostile-input corpus: documents built to blow memory, hide content or confuse the reader.

    python -m xxgk.generate.hostile OUT_DIR      # writes every case (and cases.json, what each must give)

Each :class:`Case` says what ``xxgk parse`` must make of it: a report (``same_as`` names the clean case
whose table cells it must all recover, ``note`` a phrase its problems must contain) or a one-line error
containing ``note``.  ``tests/test_hostile_inputs.py`` parses every case in a child process with a memory
ceiling and checks that, and that no parse peaks above 1 GiB.
"""

from __future__ import annotations

import io
import json
import random
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from xxgk.generate import generate, render

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_BODY = re.compile(rb"(<w:body>)(.*)(<w:sectPr.*</w:body>)", re.S)


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    content_type: str | None
    expect: str  # "report" or "error"
    note: str | None = None  # a phrase the error, or one of the report's problems, must contain
    same_as: str | None = None  # the clean case whose filled cells this one must recover


def _report_bytes(layout: str) -> bytes:
    return render(generate(random.Random(7)), layout)


def _rezip(docx: bytes, replace: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def _document_xml(docx: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")


def _with_body(docx: bytes, body: bytes) -> bytes:
    """The package with ``body`` as the content of its w:body (the section properties kept)."""
    xml = _BODY.sub(lambda m: m.group(1) + body + m.group(3), _document_xml(docx), count=1)
    return _rezip(docx, {"word/document.xml": xml})


def _body(docx: bytes) -> bytes:
    match = _BODY.search(_document_xml(docx))
    assert match is not None
    return match.group(2)


def _cell(text: str, span: int = 1) -> str:
    props = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span != 1 else ""
    return f"<w:tc>{props}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def _minimal_docx(body: str) -> bytes:
    """A Word package of the three parts a reader needs, around ``body`` (w:body content)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        z.writestr("word/document.xml", f'<w:document xmlns:w="{_W_NS}"><w:body>{body}</w:body></w:document>')
    return out.getvalue()


def _bomb_docx(inflated: int, level: int) -> bytes:
    """A Word package whose main part inflates to ``inflated`` bytes of blanks (written in 1 MB steps)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", zipfile.ZipFile(io.BytesIO(_minimal_docx(""))).read("[Content_Types].xml"))
        z.writestr("_rels/.rels", zipfile.ZipFile(io.BytesIO(_minimal_docx(""))).read("_rels/.rels"))
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(f'<w:document xmlns:w="{_W_NS}"><w:body>'.encode())
            chunk = b" " * (1 << 20)
            for _ in range(inflated >> 20):
                part.write(chunk)
            part.write(b"</w:body></w:document>")
    return out.getvalue()


def _html_page(body: str, charset: str = "utf-8") -> str:
    return f'<html><head><meta charset="{charset}"><title>报告</title></head><body>{body}</body></html>'


def _html_body(html: bytes) -> str:
    text = html.decode("utf-8")
    return text[text.index("<body") : text.rindex("</body>")].split(">", 1)[1]


def _traditional(html: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(html)


def _image_only_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for i in range(40):
        page.rect(50 + i * 10, 100 + i * 15, 80, 40, fill=1)
    page.showPage()
    page.save()
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption

    from xxgk.generate.pdf import tsv_pdf

    return tsv_pdf("2023年政府信息公开工作年度报告\n一、总体情况", encrypt=StandardEncryption("secret", "owner"))


_ROW = f"<w:tr>{_cell('1') * 5}</w:tr>"


def cases() -> Iterator[tuple[Case, Callable[[], bytes]]]:
    """Every case with the function that builds its bytes."""
    html = _report_bytes("html_grid")
    body = _html_body(html)
    docx = _report_bytes("docx")
    pdf = _report_bytes("pdf")
    text = _report_bytes("tsv")
    yield Case("clean.html", "clean.html", "text/html", "report"), lambda: html
    yield Case("clean.docx", "clean.docx", DOCX_TYPE, "report"), lambda: docx
    yield Case("clean.pdf", "clean.pdf", "application/pdf", "report"), lambda: pdf
    yield Case("clean.txt", "clean.txt", "text/plain", "report"), lambda: text

    # Silent loss: deep nesting, a NUL byte, a wrong charset, a wrong Content-Type, a cut-off transfer.
    for tag, depth in (("font", 400), ("span", 400), ("font", 3000), ("span", 3000)):
        yield (
            Case(f"deep-{tag}-{depth}.html", "r.html", "text/html", "report", "nested deeper than", "clean.html"),
            lambda tag=tag, depth=depth: _html_page(f'<{tag} face="宋体">' * depth + body).encode(),
        )
    for depth in (3000, 100_000):
        yield (
            Case(f"deep-div-{depth}.html", "r.html", "text/html", "report", "nested deeper than", "clean.html"),
            lambda depth=depth: _html_page("<div>" * depth + body + "</div>" * depth).encode(),
        )
    yield (
        Case("deep-tables.html", "r.html", "text/html", "report", "table, row or cell tags", "clean.html"),
        lambda: _html_page(body + "<table><tr><td>" * 3000 + "深" + "</td></tr></table>" * 3000).encode(),
    )
    yield (
        Case("nul-byte.html", "r.html", "text/html", "report", "control characters", "clean.html"),
        lambda: html.replace(b"</title>", b"\x00</title>", 1),
    )
    yield (
        Case("nul-byte.txt", "r.txt", "text/plain", "report", "control characters", "clean.txt"),
        lambda: text.replace(b"\n", b"\x00\n", 1),
    )
    yield (
        Case("big5-labelled-gb2312.html", "r.html", "text/html; charset=gb2312", "report", "decoded as big5"),
        lambda: _traditional(_html_page(body, "gb2312")).encode("big5", errors="xmlcharrefreplace"),
    )
    yield (
        Case("gbk-labelled-utf8.html", "r.html", "text/html; charset=utf-8", "report", "is wrong", "clean.html"),
        lambda: html.decode().encode("gbk", errors="xmlcharrefreplace"),
    )
    yield Case("html-served-as-pdf", "r.pdf", "application/pdf", "report", None, "clean.html"), lambda: html
    yield (
        Case("truncated.html", "r.html", "text/html", "report", "may be truncated"),
        lambda: html[: len(html) * 2 // 3],
    )

    # Memory: huge pages, span bombs, huge cells and tables, zip bombs.
    yield (
        Case("15mb.html", "r.html", "text/html", "error", "document too large"),
        lambda: _html_page("<p>本年度政府信息公开工作情况良好。</p>" * 300_000).encode(),
    )
    yield (
        Case("many-elements.html", "r.html", "text/html", "error", "elements (limit"),
        lambda: _html_page("<div><i>1</i></div>" * 400_000).encode(),
    )
    spans = '<table><tr><td rowspan="99999" colspan="99999">1</td><td>2</td></tr><tr><td>3</td></tr></table>'
    yield (
        Case("span-bomb.html", "r.html", "text/html", "report", "tables larger than", "clean.html"),
        lambda: _html_page(body + spans * 200).encode(),
    )
    yield (
        Case("huge-cell.html", "r.html", "text/html", "report"),
        lambda: _html_page(body + "<table><tr><td>说明</td><td>" + "很长" * 1_000_000 + "</td></tr></table>").encode(),
    )
    yield (
        Case("400-digit-cell.html", "r.html", "text/html", "report"),
        lambda: re.sub(rb"<td>(\d+)</td>", lambda m: b"<td>" + b"9" * 400 + b"</td>", html, count=3),
    )
    yield (
        Case("huge-table.html", "r.html", "text/html", "report", "tables larger than", "clean.html"),
        lambda: _html_page(body + "<table>" + "<tr><td>1</td><td>2</td><td>3</td></tr>" * 70_000 + "</table>").encode(),
    )
    yield (
        Case("gridspan-bomb.docx", "r.docx", DOCX_TYPE, "report"),
        lambda: _minimal_docx(
            "<w:p><w:r><w:t>2023年政府信息公开工作年度报告</w:t></w:r></w:p>"
            f"<w:tbl><w:tr>{_cell('a', 999999999)}{_cell('b')}</w:tr><w:tr>{_cell('c', 999999999)}</w:tr></w:tbl>"
        ),
    )
    yield (
        Case("gridspan-bomb-many.docx", "r.docx", DOCX_TYPE, "report", "tables larger than", "clean.docx"),
        lambda: _with_body(docx, _body(docx) + f"<w:tbl><w:tr>{_cell('x', 999999999) * 5000}</w:tr></w:tbl>".encode()),
    )
    yield (
        Case("huge-table.docx", "r.docx", DOCX_TYPE, "report", "tables larger than", "clean.docx"),
        lambda: _with_body(docx, _body(docx) + f"<w:tbl>{_ROW * 50_000}</w:tbl>".encode()),
    )
    yield (
        Case("nested-tables.docx", "r.docx", DOCX_TYPE, "report", None, "clean.docx"),
        lambda: _with_body(docx, b"<w:tbl><w:tr><w:tc>" * 5 + _body(docx) + b"<w:p/></w:tc></w:tr></w:tbl>" * 5),
    )
    yield (
        Case("deeply-nested-tables.docx", "r.docx", DOCX_TYPE, "error", "nests deeper than"),
        lambda: _with_body(docx, b"<w:tbl><w:tr><w:tc>" * 100 + b"<w:p/>" + b"</w:tc></w:tr></w:tbl>" * 100),
    )
    yield (
        Case("entity-bomb.docx", "r.docx", DOCX_TYPE, "error", "Entity 'lol9' not defined"),
        lambda: _minimal_docx(
            "<w:p><w:r><w:t>2023年政府信息公开工作年度报告</w:t></w:r></w:p><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>"
        ).replace(b"<w:document", _ENTITY_BOMB + b"<w:document", 1),
    )
    yield Case("zip-bomb-2gib.docx", "r.docx", DOCX_TYPE, "error", "to 2048 MB"), lambda: _bomb_docx(2 << 30, 1)
    yield Case("zip-bomb-ratio.docx", "r.docx", DOCX_TYPE, "error", "zip bomb"), lambda: _bomb_docx(24 << 20, 9)
    yield Case("not-a-docx.zip", "r.docx", DOCX_TYPE, "error", "corrupt DOCX"), lambda: b"PK\x03\x04" + b"\x00" * 200

    # PDFs that cannot be read, and inputs that are nothing at all.
    yield Case("truncated.pdf", "r.pdf", "application/pdf", "error"), lambda: pdf[: len(pdf) // 2]
    yield Case("encrypted.pdf", "r.pdf", "application/pdf", "error"), _encrypted_pdf
    yield Case("image-only.pdf", "r.pdf", "application/pdf", "error"), _image_only_pdf
    yield Case("empty", "r.html", "text/html", "error", "empty document"), lambda: b""
    yield Case("binary", "r.bin", None, "error", "binary data"), lambda: bytes(range(256)) * 64


# The "billion laughs": ten levels of ten references; never expanded (no DTD is loaded), so the reference is undefined.
_ENTITY_BOMB = (
    b'<!DOCTYPE w:document [<!ENTITY lol0 "lol">'
    + b"".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">'.encode() for i in range(1, 10))
    + b"]>"
)


def write(out: Path) -> list[Case]:
    """Write every case into ``out`` (one file each, named after the case) and ``cases.json``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for case, build in cases():
        (out / case.name).write_bytes(build())
        written.append(case)
    (out / "cases.json").write_text(json.dumps([asdict(c) for c in written], ensure_ascii=False, indent=1))
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m xxgk.generate.hostile OUT_DIR", file=sys.stderr)
        return 2
    for case in write(Path(args[0])):
        print(f"{case.name:32} {case.expect:7} {case.note or ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
