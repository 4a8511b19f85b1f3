"""PDF files: PDFium reads the text layer and the ruling lines; ruled tables become grids.

One concern per module, in pipeline order:

- :mod:`~xxgk.extract.pdf.reader`: the PDFium calls: a page's chars and the segments of its visible paths;
- :mod:`~xxgk.extract.pdf.geometry`: matrices and ruling edges in top-down page coordinates;
- :mod:`~xxgk.extract.pdf.text`: chars into words and lines (pdfplumber's grouping);
- :mod:`~xxgk.extract.pdf.lattice`: ruling edges into tables (pdfplumber's lattice; open sides closed);
- :mod:`~xxgk.extract.pdf.cells`: a table's chars into its cells, the table as a grid;
- :mod:`~xxgk.extract.pdf.repair`: row lines a table is missing, found from its text;
- :mod:`~xxgk.extract.pdf.layout`: pages as blocks; tables continued over page breaks joined.
"""

from __future__ import annotations

import pypdfium2 as pdfium

from xxgk.errors import UnreadableDocument
from xxgk.extract.document import Block, Document
from xxgk.extract.pdf.layout import Page, join_continued, page_items
from xxgk.extract.pdf.reader import open_pdf

MAX_PAGES = 200

__all__ = ["MAX_PAGES", "extract_pdf"]


def extract_pdf(data: bytes) -> Document:
    pdf = open_pdf(data)
    meta: dict[str, str] = {}
    problems: list[str] = []
    pages: list[Page] = []
    try:
        title = pdf.get_metadata_dict(skip_empty=True).get("Title", "")
        if title.strip():
            meta["pdf_title"] = title.strip()
        count = len(pdf)
        if count > MAX_PAGES:
            problems.append(f"only the first {MAX_PAGES} of {count} pages read")
        for index in range(min(count, MAX_PAGES)):
            page = pdf[index]
            try:
                pages.append(page_items(page))
            finally:
                page.close()
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"corrupt PDF: {exc}") from exc
    finally:
        pdf.close()
    blocks: list[Block] = []
    for item in join_continued(pages):  # consecutive text lines make one block
        block = item.block
        if block.text is not None and blocks and blocks[-1].text is not None:
            blocks[-1].text += "\n" + block.text
        else:
            blocks.append(block)
    doc = Document(source_type="pdf", blocks=blocks, metadata=meta, problems=problems)
    if not doc.text.strip():
        raise UnreadableDocument("PDF has no text layer (scanned image?)")
    return doc
