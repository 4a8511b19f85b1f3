"""The Meilisearch backend (production), through the official ``meilisearch`` client.

A report becomes several documents — one per section, long sections split at
paragraph boundaries — because Meilisearch ignores words past position 65,535 of
an attribute. Every part carries the report's filter fields; ``distinctAttribute``
on ``report_id`` returns one hit per report. Facet counts: Meilisearch computes
``facetDistribution`` over the distinct results, so each report counts once; with
no text query the search is restricted to each report's first part (``part = 0``),
which makes the counts exact without relying on that.

Searchable text is indexed in its search forms (Traditional → Simplified, plus the
Taiwan → mainland wording of Traditional text, see ``indexer.text``) so either script
finds either, and each section's heading is searchable with it. The query is read by
``indexer.text.query_terms``: words and ``"phrases"`` become plain words of searchable
characters only (no operator of Meilisearch's survives: no quotes, no ``-``); ``OR`` is not
something Meilisearch offers, so such a query is refused with a clear message. Filters
are built here with every value quoted and escaped. Snippets are cut from the original text by ``indexer.text.snippet``,
exactly as the embedded backend does. The API key is never logged.
Needs Meilisearch ≥ 1.15 (``typoTolerance.disableOnNumbers``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

import meilisearch
from meilisearch.errors import MeilisearchApiError

from indexer.query import FACETS, Hit, Query, QueryError, SearchResult, failed_value
from indexer.text import query_terms, query_words, search_form, search_forms, snippet
from xxgk.data import meili as data_fields
from xxgk.data.where import parse_where
from xxgk.model import Region, Report
from xxgk.schema import SECTIONS

log = logging.getLogger(__name__)

DEFAULT_INDEX = "reports"
PART_CHARS = 8000  # far below 65,535 positions even if every character were a word
BATCH_DOCS = 5000
TASK_TIMEOUT_MS = 10 * 60 * 1000
MAX_HITS = 1000
DOMAIN_TERMS = (
    "政府信息公开",
    "依申请公开",
    "主动公开",
    "不予公开",
    "部分公开",
    "予以公开",
    "行政复议",
    "行政诉讼",
    "政务公开",
    "年度报告",
    "政府信息",
    "规范性文件",
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政事业性收费",
)
FILTERABLE = ("report_id", "part", "section", "hash", "year", "province", "city", "county", "agency")
FILTERABLE += ("agency_level", "format", "failed_checks")
FILTERABLE += data_fields.FIELDS  # every cell and derived metric, for --where (xxgk.data.meili)
SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["title_n", "meta_n", "text_n"],
    "filterableAttributes": list(FILTERABLE),
    "sortableAttributes": ["year", "published"],
    "distinctAttribute": "report_id",
    "faceting": {"maxValuesPerFacet": 5000, "sortFacetValuesBy": {"*": "count"}},  # ~2,900 counties fit
    "pagination": {"maxTotalHits": 1_000_000},  # so totalHits counts every matching report
    "localizedAttributes": [{"attributePatterns": ["title_n", "meta_n", "text_n"], "locales": ["zho"]}],
    "dictionary": list(DOMAIN_TERMS),
    "typoTolerance": {  # CJK words are 1–4 characters: a typo there is another word
        "minWordSizeForTypos": {"oneTypo": 8, "twoTypos": 16},
        "disableOnNumbers": True,
    },
}


class MeiliTaskError(RuntimeError):
    """A Meilisearch task finished as failed; the message is the task's own error."""


def backend_name(index: str = DEFAULT_INDEX) -> str:
    """Bookkeeping name in the store: one per Meilisearch index."""
    return "meilisearch" if index == DEFAULT_INDEX else f"meilisearch:{index}"


def quote(value: str) -> str:
    """A filter string literal: double-quoted, backslashes and quotes escaped."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_filter(query: Query, *, first_parts_only: bool = False) -> list[str]:
    """The query's filters as Meilisearch filter expressions (ANDed by the list form)."""
    parts = []
    for name in ("province", "city", "county", "agency", "agency_level", "format"):
        value = getattr(query, name)
        if value is not None:
            parts.append(f"{name} = {quote(value)}")
    if query.year_from is not None:
        parts.append(f"year >= {int(query.year_from):d}")
    if query.year_to is not None:
        parts.append(f"year <= {int(query.year_to):d}")
    if query.failed_checks is not None:
        parts.append(f"failed_checks = {'true' if query.failed_checks else 'false'}")
    if query.section is not None:
        if query.section not in SECTIONS:
            raise ValueError(f"unknown section {query.section!r}; known: {', '.join(SECTIONS)}")
        parts.append(f"section = {quote(query.section)}")
    numeric = None if query.where is None else data_fields.to_filter(parse_where(query.where))
    if numeric is not None:
        parts.append(numeric)
    # The ids ``resolve_where`` found in the store: not needed where the numeric filter says the same
    # (a condition that translates, and no rule), else the filter (two cells compared, a rule's reports).
    if query.ids is not None and (numeric is None or query.rule is not None):
        parts.append(f"report_id IN [{', '.join(map(quote, sorted(query.ids)))}]")
    if first_parts_only:
        parts.append("part = 0")
    return parts


def split_text(text: str, limit: int = PART_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:  # one overlong paragraph: hard cuts
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        if len(current) + len(line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current or not pieces:
        pieces.append(current)
    return pieces


def to_documents(report: Report) -> list[dict[str, Any]]:
    """A report as Meilisearch documents: one per section piece, each with every filter field."""
    region = report.region
    common = {
        "report_id": report.id,
        "hash": report.content_hash or "",
        "title": report.title,
        "title_n": "\n".join(search_forms(report.title or "")),
        "meta_n": search_form(" ".join(filter(None, (report.agency, region.province, region.city, region.county)))),
        "url": report.url,
        "agency": report.agency,
        "agency_level": report.agency_level,
        "year": report.year,
        "published": report.published,
        "province": region.province,
        "city": region.city,
        "county": region.county,
        "region_code": region.code,
        "format": report.format,
        "failed_checks": bool(report.checks),
        **data_fields.fields(report),
    }
    texts = [(k, v) for k, v in report.sections.items() if k in SECTIONS and v] or [("", report.text)]
    docs: list[dict[str, Any]] = []
    first_part: dict[str, int] = {}
    for section, text in texts:
        first_part[section] = len(docs)
        for piece in split_text(text):
            n = len(docs)
            docs.append({**common, "doc_id": f"{report.id}-{n}", "part": n, "section": section, "text": piece})
    for doc in docs:
        heading = SECTIONS.get(doc["section"], "") if doc["part"] == first_part[doc["section"]] else ""
        doc["text_n"] = "\n".join(search_forms(f"{heading}\n{doc['text']}" if heading else doc["text"]))
    return docs


class MeiliBackend:
    """Reports in one Meilisearch index; ``sync`` marks them indexed only after their task succeeded."""

    def __init__(self, url: str = "http://127.0.0.1:7700", key: str | None = None, index: str = DEFAULT_INDEX):
        self.client = meilisearch.Client(url, key, timeout=30)
        self.uid = index
        self.name = backend_name(index)
        self._ready = False

    def __repr__(self) -> str:  # never show the key
        return f"MeiliBackend(index={self.uid!r})"

    # -- tasks ---------------------------------------------------------------

    def _wait(self, task_info) -> None:
        task = self.client.wait_for_task(task_info.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=100)
        if task.status != "succeeded":
            error = task.error or {}
            raise MeiliTaskError(
                f"Meilisearch task {task.uid} ({task.type}) {task.status}: {error.get('message', 'no message')}"
                f" [{error.get('code', '?')}]"
            )

    def _prepare(self, uid: str) -> None:
        """Create the index if needed and apply the settings (idempotent)."""
        try:
            self.client.get_index(uid)
        except MeilisearchApiError as exc:
            if exc.code != "index_not_found":
                raise
            self._wait(self.client.create_index(uid, {"primaryKey": "doc_id"}))
        self._wait(self.client.index(uid).update_settings(SETTINGS))

    def _push(self, uid: str, reports: Iterable[Report]) -> None:
        index = self.client.index(uid)
        batch: list[dict[str, Any]] = []
        for report in reports:
            batch += to_documents(report)
            if len(batch) >= BATCH_DOCS:
                self._wait(index.add_documents(batch, primary_key="doc_id"))
                batch = []
        if batch:
            self._wait(index.add_documents(batch, primary_key="doc_id"))

    # -- writing -------------------------------------------------------------

    def add(self, reports: list[Report]) -> None:
        """Upsert reports, then drop parts left over from their earlier versions."""
        if not reports:
            return
        if not self._ready:
            self._prepare(self.uid)
            self._ready = True
        self._push(self.uid, reports)
        ids = ", ".join(quote(r.id) for r in reports)
        hashes = ", ".join(quote(r.content_hash or "") for r in reports)
        stale = f"report_id IN [{ids}] AND hash NOT IN [{hashes}]"
        self._wait(self.client.index(self.uid).delete_documents(filter=stale))

    def delete(self, ids: list[str]) -> None:
        if ids:
            listed = ", ".join(map(quote, ids))
            self._wait(self.client.index(self.uid).delete_documents(filter=f"report_id IN [{listed}]"))

    def rebuild(self, reports: Iterable[Report]) -> None:
        """Fill a temporary index, then swap it with the live one (searches never see it half-built)."""
        temp = f"{self.uid}__rebuild"
        self._drop(temp)
        self._prepare(temp)
        self._push(temp, reports)
        self._prepare(self.uid)  # swap needs both to exist
        self._wait(self.client.swap_indexes([{"indexes": [self.uid, temp]}]))
        self._drop(temp)  # now the old index
        self._ready = True

    def _drop(self, uid: str) -> None:
        try:
            self._wait(self.client.delete_index(uid))
        except MeilisearchApiError as exc:
            if exc.code != "index_not_found":
                raise

    # -- reading -------------------------------------------------------------

    def count(self) -> int:
        """Reports in the index (0 when the index does not exist yet)."""
        try:
            result = self.client.index(self.uid).search("", {"filter": "part = 0", "hitsPerPage": 0, "page": 1})
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return 0
            raise
        return int(result.get("totalHits", 0))

    def search_params(self, query: Query) -> tuple[str, dict[str, Any], int]:
        """Meilisearch ``q``, search parameters, and how many leading hits to skip."""
        terms = query_terms(query.text)
        if any(len(term) > 1 for term in terms):
            raise QueryError(
                "q",
                "OR is not supported with the Meilisearch backend; search each word on its own",
                "当前的 Meilisearch 检索不支持 OR，请分别检索每个词",
            )
        # Each word in its mainland wording (its last form: Traditional text is indexed in that form too).
        words = [term[0][-1] for term in terms]
        unknown = set(query.facets) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facet(s) {sorted(unknown)}; known: {', '.join(FACETS)}")
        limit = max(0, min(query.limit, MAX_HITS))
        offset = max(0, query.offset)
        params: dict[str, Any] = {
            "matchingStrategy": "all",  # every word must match, as in the embedded backend
            "filter": build_filter(query, first_parts_only=not words),
            "attributesToRetrieve": ["report_id", "title", "agency", "year", "province", "city", "county"]
            + ["region_code", "url", "text"],
        }
        if limit and offset % limit == 0:  # a page of exactly the requested hits
            params |= {"page": offset // limit + 1, "hitsPerPage": limit}
            skip = 0
        else:  # page 1 up to the last hit wanted; the leading ones are skipped here
            params |= {"page": 1, "hitsPerPage": min(offset + limit, MAX_HITS)}
            skip = offset
        if query.facets:
            params["facets"] = list(query.facets)
        if query.sort != "relevance":
            params["sort"] = [f"{query.sort.lstrip('-')}:{'desc' if query.sort.startswith('-') else 'asc'}"]
        return " ".join(words), params, skip

    def search(self, query: Query) -> SearchResult:
        words = query_words(query.text)
        if query.text.strip() and not words:
            return SearchResult(total=0, facets={name: {} for name in query.facets})
        q, params, skip = self.search_params(query)
        try:
            found = self.client.index(self.uid).search(q, params)
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return SearchResult(total=0, facets={name: {} for name in query.facets})
            raise
        hits = [self._hit(doc, words) for doc in found.get("hits", [])[skip:]][: max(0, query.limit)]
        facets = {name: dict(self._facet(name, found, query)) for name in query.facets}
        return SearchResult(total=int(found.get("totalHits", 0)), hits=hits, facets=facets)

    @staticmethod
    def _facet(name: str, found: dict[str, Any], query: Query) -> Iterator[tuple[str, int]]:
        counts: dict[str, int] = {}
        for value, count in (found.get("facetDistribution") or {}).get(name, {}).items():
            key = failed_value(value == "true") if name == "failed_checks" else str(value)
            counts[key] = counts.get(key, 0) + int(count)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        yield from ranked if query.facet_limit is None else ranked[: max(1, query.facet_limit)]

    @staticmethod
    def _hit(doc: dict[str, Any], words: list[str]) -> Hit:
        return Hit(
            id=doc["report_id"],
            title=doc.get("title"),
            agency=doc.get("agency"),
            year=doc.get("year"),
            region=Region(doc.get("province"), doc.get("city"), doc.get("county"), doc.get("region_code")),
            url=doc.get("url"),
            snippet=snippet(doc.get("text") or "", words),
        )

    # -- keys ----------------------------------------------------------------

    def search_key(self) -> str:
        """A search-only API key for this index (found by name, created once)."""
        name = f"xxgk-search-{self.uid}"
        for key in self.client.get_keys({"limit": 1000}).results:
            if key.name == name and key.actions == ["search"]:
                return key.key
        created = self.client.create_key(
            {
                "name": name,
                "description": "xxgk search page: search only",
                "actions": ["search"],
                "indexes": [self.uid],
                "expiresAt": None,
            }
        )
        return created.key
