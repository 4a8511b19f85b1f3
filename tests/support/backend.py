"""``ListBackend``: the ``indexer.query.Backend`` protocol over a list of reports, the web layer's test double.

Substring match, exact filters, facet counts, so the web tests do not depend on which real index is installed;
it records every query it receives, so tests can see what the web layer asked for.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable

from indexer.query import Hit, Query, SearchResult
from xxgk.model import Report


class ListBackend:
    """The ``Backend`` protocol over a list of reports, recording the queries it is asked."""

    name = "list"

    def __init__(self, reports: Iterable[Report] = ()):
        self.reports: dict[str, Report] = {r.id: r for r in reports}
        self.queries: list[Query] = []

    def add(self, reports: list[Report]) -> None:
        self.reports.update({r.id: r for r in reports})

    def delete(self, ids: list[str]) -> None:
        for i in ids:
            self.reports.pop(i, None)

    def rebuild(self, reports: Iterable[Report]) -> None:
        self.reports = {r.id: r for r in reports}

    def count(self) -> int:
        return len(self.reports)

    def search(self, query: Query) -> SearchResult:
        self.queries.append(query)
        found = [r for r in self.reports.values() if self._matches(r, query)]
        if query.sort in ("year", "-year"):
            found.sort(key=lambda r: (r.year or 0, r.url or ""), reverse=query.sort == "-year")
        else:
            found.sort(key=lambda r: r.url or "")
        facets = {name: dict(Counter(self._facet_value(r, name) for r in found)) for name in query.facets}
        facets = {name: {k: v for k, v in counts.items() if k is not None} for name, counts in facets.items()}
        page = found[query.offset : query.offset + query.limit]
        return SearchResult(total=len(found), hits=[self._hit(r, query) for r in page], facets=facets)

    @staticmethod
    def _text(report: Report, query: Query) -> str:
        if query.section:
            return report.sections.get(query.section, "")
        return " ".join([report.title or "", report.text, *report.sections.values()])

    def _matches(self, report: Report, query: Query) -> bool:
        if query.text and not all(word in self._text(report, query) for word in query.text.split()):
            return False
        if query.year_from is not None and (report.year is None or not query.year_from <= report.year):
            return False
        if query.year_to is not None and (report.year is None or not report.year <= query.year_to):
            return False
        for name in ("province", "city", "county"):
            wanted = getattr(query, name)
            if wanted is not None and getattr(report.region, name) != wanted:
                return False
        for name in ("agency", "agency_level", "format"):
            wanted = getattr(query, name)
            if wanted is not None and getattr(report, name) != wanted:
                return False
        return query.failed_checks is None or bool(report.checks) == query.failed_checks

    @staticmethod
    def _facet_value(report: Report, name: str) -> str | None:
        if name in ("province", "city", "county"):
            return getattr(report.region, name)
        if name == "failed_checks":
            return "true" if report.checks else "false"
        value = getattr(report, name)
        return None if value is None else str(value)

    def _hit(self, report: Report, query: Query) -> Hit:
        text = self._text(report, query)
        word = query.text.split()[0] if query.text.split() else ""
        at = text.find(word) if word else -1
        if at < 0:
            snippet = html.escape(text[:80])
        else:
            start = max(0, at - 20)
            snippet = (
                html.escape(text[start:at])
                + "<mark>"
                + html.escape(word)
                + "</mark>"
                + html.escape(text[at + len(word) : at + len(word) + 60])
            )
        return Hit(report.id, report.title, report.agency, report.year, report.region, report.url, snippet)
