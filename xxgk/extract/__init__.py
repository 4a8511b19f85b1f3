"""Extraction: input bytes → :class:`Document` (text in reading order, table grids, metadata)."""

from __future__ import annotations

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document, Grid
from xxgk.extract.encoding import clean_text, decode

MAX_BYTES = {"html": 8 << 20, "text": 8 << 20, "pdf": 64 << 20, "docx": 64 << 20, "doc": 64 << 20}
_EXTENSIONS = {
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".doc": "doc",
    ".wps": "doc",
    ".txt": "text",
}
_CONTENT_TYPES = (
    ("html", "html"),
    ("pdf", "pdf"),
    ("wordprocessingml", "docx"),
    ("msword", "doc"),
    ("text/plain", "text"),
)
_HTML_HINTS = (b"<html", b"<!doctype html", b"<body", b"<head", b"<table", b"<meta", b"<div", b"<p>")


def sniff(data: bytes, content_type: str | None = None, filename: str | None = None) -> str:
    """Source type of the input: magic bytes first, then markup, then Content-Type, then file name.

    The bytes beat the label: servers send HTML pages as ``application/pdf`` or ``octet-stream``.
    """
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    lowered = head.lower()
    if lowered.lstrip().startswith(b"<") and any(h in lowered for h in _HTML_HINTS):
        return "html"
    ct = (content_type or "").lower()
    for needle, kind in _CONTENT_TYPES:
        if needle in ct:
            return kind
    if filename:
        dot = filename.lower().rfind(".")
        if dot >= 0 and filename.lower()[dot:] in _EXTENSIONS:
            return _EXTENSIONS[filename.lower()[dot:]]
    lowered = head.lower()
    return "html" if any(h in lowered for h in _HTML_HINTS) else "text"


def extract_text(data: bytes, content_type: str | None = None) -> Document:
    text, notes = decode(data, content_type)
    text = clean_text(text, notes)
    return Document(source_type="text", blocks=[Block(text=text)], problems=notes)


def extract(data: bytes, *, content_type: str | None = None, filename: str | None = None) -> Document:
    """Read any supported input; raise :class:`UnreadableDocument` with a one-line reason otherwise."""
    if not data or not data.strip():
        raise UnreadableDocument("empty document")
    kind = sniff(data, content_type, filename)
    if len(data) > MAX_BYTES[kind]:
        raise UnreadableDocument(
            f"document too large: {len(data) / 2**20:.1f} MB ({kind} limit {MAX_BYTES[kind] >> 20} MB)"
        )
    if kind == "pdf":
        from xxgk.extract.pdf import extract_pdf

        return extract_pdf(data)
    if kind == "docx":
        from xxgk.extract.docx import extract_docx

        return extract_docx(data)
    if kind == "doc":
        from xxgk.extract.doc import extract_doc

        return extract_doc(data)
    if kind == "html":
        from xxgk.extract.html import extract_html

        return extract_html(data, content_type)
    return extract_text(data, content_type)


__all__ = ["Block", "Document", "Grid", "UnreadableDocument", "extract", "sniff"]
