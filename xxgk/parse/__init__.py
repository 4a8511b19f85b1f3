"""Parse an annual report into a checked :class:`~xxgk.model.Report`.

``parse_document(bytes)`` sniffs and extracts HTML, PDF, DOCX or text; ``parse_text(str)`` parses text
that is already extracted.  Unreadable input raises :class:`~xxgk.errors.UnreadableDocument`; a readable
report whose tables cannot be found or resolved still gives a Report, with ``problems`` saying what failed.
"""

from __future__ import annotations

from xxgk.errors import UnreadableDocument
from xxgk.extract import Block, Document, extract
from xxgk.model import Region, Report, content_hash, report_id
from xxgk.parse.align import align_to_form
from xxgk.parse.checks import check_prose, check_tables, check_year
from xxgk.parse.headings import HEADINGS
from xxgk.parse.kind import NOT_A_REPORT, not_a_report
from xxgk.parse.lines import document_lines, split_glued_headings
from xxgk.parse.metadata import extract_metadata
from xxgk.parse.region import agency_level, find_region
from xxgk.parse.sections import find_headings, split_sections
from xxgk.parse.tables import parse_tables

__all__ = ["UnreadableDocument", "parse_document", "parse_text", "parse_extracted"]


def parse_extracted(
    doc: Document, *, url: str | None = None, region_hint: Region | None = None, digest: str | None = None
) -> Report:
    """Build the report record from an extracted document."""
    lines = document_lines(doc)
    headings = find_headings(lines)
    if len(headings) < len(HEADINGS) and (split := split_glued_headings(lines)) is not lines:
        lines, headings = split, find_headings(split)  # headings glued to the text, found inside lines
    md = extract_metadata(lines, headings, doc.metadata)
    tables = parse_tables(lines, headings)
    sources = align_to_form(lines, headings, tables)
    text = doc.text
    report = Report(
        id=report_id(url) if url else (digest or content_hash(text.encode("utf-8")))[:16],
        url=url,
        title=md.title,
        agency=md.agency,
        agency_level=agency_level(md.agency),
        year=md.year,
        published=md.published,
        format=tables.format,
        sections=split_sections(lines, headings, md.skip_lines),
        tables=tables.tables,
        cells_raw=tables.cells_raw,
        tables_raw=tables.tables_raw,
        cell_sources=sources,
        text=text,
        source_type=doc.source_type,
        content_hash=digest,
    )
    report.region = find_region([md.agency or "", md.title or ""], doc.metadata.get("SiteIDCode"), region_hint)
    problems = list(doc.problems)
    title = md.title or doc.metadata.get("ArticleTitle")  # never a breadcrumb line such as 通知公告
    reason = not_a_report(title, len(headings), tables.rows_found, tables.tables)
    if reason:  # its tables' and rules' problems would only be noise
        report.problems = [*problems, f"{NOT_A_REPORT}: {reason}"]
        return report
    if not headings:
        problems.append("no section headings found")
    problems += tables.problems
    if tables.tables:
        checked = check_tables(tables.tables)
        report.checks = checked.checks
        problems += checked.unchecked
        report.checks += check_prose(text, tables.tables)
    year_check = check_year(md.title_year, md.text_years)
    if year_check:
        report.checks.append(year_check)
    if report.year is None:
        problems.append("reporting year not found")
    elif report.year < FIRST_FORM_YEAR and not tables.tables:
        problems.append(
            f"a {report.year} report: the forms before {FIRST_FORM_YEAR} are not mapped (no canonical tables)"
        )
    report.checks.sort(key=lambda c: c.rule)
    report.problems = problems
    return report


FIRST_FORM_YEAR = 2019  # the revised regulation's first reporting year; earlier reports used the 2008 forms


def parse_document(
    data: bytes,
    *,
    url: str | None = None,
    content_type: str | None = None,
    filename: str | None = None,
    region_hint: Region | None = None,
) -> Report:
    """Sniff, extract and parse one document (HTML, PDF, DOCX, text)."""
    doc = extract(data, content_type=content_type, filename=filename)
    return parse_extracted(doc, url=url, region_hint=region_hint, digest=content_hash(data))


def parse_text(text: str, *, url: str | None = None, region_hint: Region | None = None) -> Report:
    """Parse already-extracted text."""
    if not text.strip():
        raise UnreadableDocument("empty document")
    doc = Document(source_type="text", blocks=[Block(text=text)])
    return parse_extracted(doc, url=url, region_hint=region_hint, digest=content_hash(text.encode("utf-8")))
