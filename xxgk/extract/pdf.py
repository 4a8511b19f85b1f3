"""PDF files: ruled tables via pdfplumber, the remaining text in reading order."""

from __future__ import annotations

import io
import re

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document

_WRAP = re.compile(r"\s*\n\s*")
MAX_PAGES = 200


def _cell(text: str | None) -> str | None:
    # None marks a slot covered by a merged cell; wrapped CJK text joins without a space.
    return None if text is None else _WRAP.sub("", text).strip()


def _page_blocks(page: pdfplumber.page.Page) -> list[tuple[float, Block]]:
    items: list[tuple[float, Block]] = []
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    for table in tables:
        rows = [list(map(_cell, row)) for row in table.extract()]
        rows = [r for r in rows if any(r)]
        if rows:
            items.append((table.bbox[1], Block(grid=rows)))

    def outside(obj: dict) -> bool:
        x, top = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= top <= b[3] for b in boxes)

    rest = page.filter(outside) if boxes else page
    for line in rest.extract_text_lines(layout=False, strip=True):
        if line["text"]:
            items.append((line["top"], Block(text=line["text"])))
    items.sort(key=lambda item: item[0])
    return items


def extract_pdf(data: bytes) -> Document:
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PdfminerException, PDFPasswordIncorrect, PDFEncryptionError) as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) or "password" in str(exc).lower():
            raise UnreadableDocument("PDF is encrypted (password required)") from exc
        raise UnreadableDocument(f"corrupt PDF: {type(cause).__name__}") from exc
    except Exception as exc:  # pdfminer raises many unrelated types on broken files
        raise UnreadableDocument(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    blocks: list[Block] = []
    meta: dict[str, str] = {}
    problems: list[str] = []
    try:
        with pdf:
            info = pdf.metadata or {}
            if isinstance(info.get("Title"), str) and info["Title"].strip():
                meta["pdf_title"] = info["Title"].strip()
            if len(pdf.pages) > MAX_PAGES:
                problems.append(f"only the first {MAX_PAGES} of {len(pdf.pages)} pages read")
            for page in pdf.pages[:MAX_PAGES]:
                page_items = _page_blocks(page)
                # Merge consecutive text lines into one block.
                for _, block in page_items:
                    if block.text is not None and blocks and blocks[-1].text is not None:
                        blocks[-1].text += "\n" + block.text
                    else:
                        blocks.append(block)
    except (PdfminerException, PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise UnreadableDocument("PDF is encrypted or unreadable: " + type(exc).__name__) from exc
    except Exception as exc:
        raise UnreadableDocument(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
    doc = Document(source_type="pdf", blocks=blocks, metadata=meta, problems=problems)
    if not doc.text.strip():
        raise UnreadableDocument("PDF has no text layer (scanned image?)")
    return doc
