"""Generator of realistic annual reports with known truth, rendered into the layouts portals publish.

``generate`` draws a report (agency, region, consistent or deliberately broken tables, prose);
``render`` turns it into the bytes of one layout. The same report always renders to the same bytes.
"""

from __future__ import annotations

import hashlib
import random

from xxgk.generate.report import GeneratedReport, generate, store_record

LAYOUTS = ("html_grid", "html_messy", "pipe", "tsv", "pdf", "docx")

__all__ = ["LAYOUTS", "GeneratedReport", "generate", "render", "render_body", "store_record"]


def _layout_rng(report: GeneratedReport, layout: str) -> random.Random:
    """Rendering choices depend only on the report and the layout, never on global state."""
    digest = hashlib.sha256(f"{layout}|{report.title}|{report.published}|{report.tables!r}".encode()).hexdigest()
    return random.Random(digest)


def render(report: GeneratedReport, layout: str, *, charset: str = "utf-8") -> bytes:
    """The document bytes of ``report`` in ``layout`` (one of ``LAYOUTS``); ``charset`` applies to HTML and text."""
    rng = _layout_rng(report, layout)
    if layout in ("html_grid", "html_messy"):
        from xxgk.generate import html

        return html.page(report, layout, rng, charset).encode(charset, errors="xmlcharrefreplace")
    if layout in ("pipe", "tsv"):
        from xxgk.generate import text

        out = text.render_pipe(report, rng) if layout == "pipe" else text.render_tsv(report, rng)
        return out.encode(charset)
    if layout == "pdf":
        from xxgk.generate import pdf

        return pdf.render(report, rng)
    if layout == "docx":
        from xxgk.generate import docx

        return docx.render(report, rng)
    raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")


def render_body(report: GeneratedReport, layout: str) -> str:
    """The article fragment (title, info block, prose, tables) of an HTML layout, for a portal's own page."""
    if layout not in ("html_grid", "html_messy"):
        raise ValueError(f"render_body needs an HTML layout, not {layout!r}")
    from xxgk.generate import html

    return html.body(report, layout, _layout_rng(report, layout))
