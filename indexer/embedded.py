"""The embedded search backend: a tantivy index in a directory next to the store.

Text is normalised and compacted in Python (``indexer.text``), then cut by tantivy's
n-gram tokenizer into overlapping character pairs (frequencies, no positions). A query word
matches a field holding all of its pairs, so words inside compounds are found (``卫滨`` in
卫滨区). Each section of a report (with its heading, so ``存在的主要问题`` finds every report
having that heading) is a field of its own, and the text of a report without sections is
``body``: each character of a report is indexed once, as the first of a pair (each value of
these fields ends with ``END``, so the last character is one too) — the rebuild's
cost is its tokens, and one field per section serves ``section=`` queries exactly without a
second copy of the text. An ordinary query is the union over title, meta and these fields of
one intersection of the word's pairs each (measured at 100,000 reports, counting a word in
every report: 1.1 ms against 0.9 over one field of the whole text); each field is ranked by
BM25 over its pairs. The short title and meta fields also hold single characters. A
one-character word elsewhere is any pair starting with it (a prefix of the field's terms; at
1,000,000 reports 0.2–7 ms for rare characters, 46 ms for 公, in every report, where a pattern
also matching pairs ending with it took 5–112 ms), and it filters without ranking. Measured
against exact phrase queries over positioned pairs, this answers the commonest words (信息公开,
in every report) 30–60 times faster; the price: a word of three or more characters also
matches a field holding all its pairs apart (on the benchmark corpus, counts equal exact phrase
matching for every query). Text in Traditional script also holds its Taiwan → mainland wording
as a second value of the field (``indexer.text.index_forms``); a query word matches either. A
word found in more than half the reports filters without ranking (see ``_word``); a query with
no ranking word lists the newest reports first.

Facet fields (region, agency, level, format) are held as 64-bit codes of their values (a hash,
``value_code``) in integer fast fields: filters are exact terms on them, and facets are terms
aggregations over them, which tantivy counts without reading a term dictionary (measured at
100,000 reports on a loaded machine, every report matching: the county facet in full, 2,777
values, 24.8 ms over a text field, 4.3 ms over codes; the agency's top 100, 14 ms and 3.2 ms).
A code is turned back into its value by a table filled while indexing and, for values another
process indexed, from one matching document's stored fields. Year, level, format and failed
checks are also coded together, one combination per report, so a single aggregation of a few
hundred buckets gives all four facets (and the number of hits). Facets of few values (year …
county: at most a few thousand) are counted in full. The agency facet (a quarter of a million
values nationally) counts only its top values: tantivy ranks them per segment, and when its
result says the ranking may be approximate, those values alone are counted again, exactly, so
every count shown is exact. A query whose words are in many reports (a tenth or more, by their
rarest pair) and that filters at most by year or failed checks ranks instead the ``CANDIDATES``
agencies with most reports within its filters (kept per state, below), each counted exactly
among its hits: counting every agency a third of a million hits fall in cost more than all its
other facets together, and these candidates hold more of the true top values than tantivy's
per-segment ranking (on the benchmark corpus); when fewer of them are hit than values asked
for, every agency it hits is counted as above.

A query's filters are also held inside each ranked word's conjunction of pairs per field
(constant score, so scores do not change): the union over the text fields then scores only
the reports that pass them (for unranked words, measured at 1,000,000 reports, it slowed the
count of the reports they miss: kept out of them). A ranked page, and the agency candidates'
counts, are searched on side threads while the other facets are counted (tantivy lets go of the
GIL while it searches), when those threads are free.

What is kept per committed state of the index (named by a hash of its meta.json): the totals
and facets of the last ``cached_queries`` queries; every agency's count over the whole index
(``indexer.topvalues``), which answers the unfiltered query; the counts of each year/failed-checks
filter without words. A query whose words are all in most reports (unranked) and that filters at
most by year or failed checks counts only the reports its words miss and takes them off those
counts (信息公开 misses none): counting 100,000 reports costs more than counting a few.

Layout: ``<dir>/gen-<n>/`` holds one complete index, ``<dir>/current`` is a symlink
to the live one. A rebuild writes a new generation and swaps the symlink with an
atomic rename, so a reader never opens a half-built index; a generation left behind by a
killed rebuild is removed when the backend next opens (unless a rebuild is running).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import orjson
import tantivy
from tantivy import Document, FieldType, Occur, Order
from tantivy import Query as TQ

from indexer.query import FACETS, Hit, Query, SearchResult, failed_value
from indexer.text import Term, index_forms_of, query_terms, snippet
from indexer.topvalues import Totals, less
from xxgk.model import Region, Report
from xxgk.schema import SECTIONS

ANALYZER = "chars12"  # single characters and pairs: title and meta
PAIRS = "pairs"  # pairs only: the section fields and body
SECTION_FIELDS = {key: f"s_{key}" for key in SECTIONS}
PAIR_FIELDS = frozenset({"body", *SECTION_FIELDS.values()})  # pairs only: each character once in the index
END = "\x1e"  # closes each value of a pair field (no query holds it: ``search_chars`` drops it)
TEXT_BOOSTS = {"title": 3.0, "meta": 2.0, **dict.fromkeys(sorted(PAIR_FIELDS), 1.0)}  # an ordinary query's fields
CODED_FIELDS = ("province", "city", "county", "agency", "agency_level", "format")  # held as value codes
INT_FIELDS = ("year", "failed")
# Sort keys: the value in the high bits, a hash of the report id below it, so ties always
# break the same way (pages stay stable, and a rebuilt index orders exactly like the old one).
SORT_FIELDS = {"year": "year_key", "published": "published_key"}
TIE_BITS = 32
FACET_FIELDS = {name: ("failed" if name == "failed_checks" else name) for name in FACETS}
MAX_LIMIT = 1000
YEAR_BOUND = 100_000  # years outside ±this are clamped (tantivy takes 64-bit integers only)
TOP_ONLY = {"agency": 100}  # high-cardinality facets: how many top values are counted by default
# The facets of few values are also counted together: one field codes each report's combination
# (year, level, format, failed checks or not), and one aggregation over it (a few hundred values)
# gives all four facets by summing, instead of four passes over the hits.
COMBINED = ("year", "agency_level", "format", "failed_checks")
COMBINED_FIELD = "combined"
COMMON = 0.5  # a word in more than this share of the reports filters without ranking
HITS = "_hits"  # the aggregation counting the hits beside the facets
TOTAL = "_total"  # in counts by code: the number of hits
INCOMPLETE = "_incomplete"  # in counts by code: the aggregations with more values than buckets
SEGMENT_ERROR = "_ranked_per_segment"  # in one facet's counts by code: the top values may be off
NEWEST_SHARE = 20  # newest first: the newest years are searched alone if they hold this many times a page
MAX_TABLES = 64
CACHED_QUERIES = 256  # the most recent queries' totals and facets, kept per committed state
# A query whose words are in at least this share of the reports (by their rarest pair) and that filters
# at most by year or failed checks ranks its agencies among the CANDIDATES of most reports within its
# filters (kept per state), counted exactly among its hits, instead of counting every agency it hits.
MANY = 0.1
CANDIDATES = 200
SIDE_THREADS = 2  # threads ranking a page, and counting the agency candidates, while the caller counts the other facets
ALL_BUCKETS = 20_000  # every value of the other facets (tantivy refuses more than 65,000 buckets)
WRITER_HEAP = 256_000_000
# Stored documents are LZ4-compressed in blocks of this size (tantivy's default: 16 KB). Generated and real
# reports share most of their wording, and a block of ~30 documents compresses to half the bytes a report
# of 16 KB blocks takes; a hit decompresses one block (tens of µs).
STORE_BLOCK = 65536
GUARD_HEAP = 15_000_000  # a writer that only holds the lock
LAYOUT = "layout.json"  # names the schema a generation was written with
# The stored JSON's encoding: two bytes a Chinese character instead of UTF-8's three, which tantivy's
# LZ4 blocks do not make up for (a third less stored text); every Unicode character round-trips.
STORED_ENCODING = "gb18030"


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in TEXT_BOOSTS:
        sb.add_text_field(name, tokenizer_name=PAIRS if name in PAIR_FIELDS else ANALYZER, index_option="freq")
    for name in (*CODED_FIELDS, *INT_FIELDS, COMBINED_FIELD):
        sb.add_integer_field(name, indexed=True, fast=True)
    for name in SORT_FIELDS.values():
        sb.add_integer_field(name, fast=True)
    sb.add_bytes_field("doc", stored=True)  # what a hit shows: JSON of title, agency, region, texts …
    return sb.build()


SCHEMA = build_schema()
# Names this layout: a generation written with another (an older version's) is replaced, not misread.
SCHEMA_ID = "coded-facets-closed-section-pairs-store64k"


def _open(path: Path) -> tantivy.Index:
    index = tantivy.Index(SCHEMA, path=str(path))
    index.register_tokenizer(ANALYZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(1, 2)).build())
    index.register_tokenizer(PAIRS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(2, 2)).build())
    return index


@lru_cache(maxsize=1 << 18)  # the values of a rebuild repeat (a province, a level … in most reports)
def value_code(value: str) -> int:
    """The signed 64-bit code a facet value is indexed as (blake2b; a collision among a million
    distinct values has a chance of about 3 in 10^8)."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big", signed=True)


@lru_cache(maxsize=4096)
def _combination_code(combination: tuple) -> int:
    """The ``COMBINED_FIELD`` code of a combination of values (``_combination``)."""
    return value_code(json.dumps(combination))


def to_document(report: Report) -> Document:
    """One report as a tantivy document (text fields normalised for the analyzer, all in one pass)."""
    region = report.region
    texts = {k: v for k, v in report.sections.items() if k in SECTIONS and v}
    sections = {SECTION_FIELDS[key]: f"{SECTIONS[key]}\n{value}" for key, value in texts.items()}
    searchable = {
        "title": report.title or "",
        "meta": " ".join(filter(None, (report.agency, region.province, region.city, region.county))),
        **(sections or {"body": report.text}),
    }
    tie = _tie(report.id)
    numbers = {
        "year": report.year,
        "failed": len(report.checks),
        "year_key": _sort_key(report.year, tie),
        "published_key": _sort_key(_date_number(report.published), tie),
        COMBINED_FIELD: _combination_code(_combination(report)),
        **{name: value_code(value) for name, value in _coded_values(report).items() if value is not None},
    }
    doc = Document()  # field by field: a third of the time of Document(**fields), which infers each type
    doc.add_text("id", report.id)
    for name, value in numbers.items():
        if value is not None:
            doc.add_integer(name, value)
    for name, forms in zip(searchable, index_forms_of(list(searchable.values())), strict=True):
        for form in forms:
            if form:
                doc.add_text(name, form + END if name in PAIR_FIELDS else form)
    shown = {
        "title": report.title,
        "agency": report.agency,
        "year": report.year,
        "region": {k: getattr(region, k) for k in ("province", "city", "county", "code")},
        "agency_level": report.agency_level,
        "format": report.format,
        "failed": len(report.checks),
        "url": report.url,
        "sections": texts,
        "text": "" if texts else report.text,
    }
    doc.add_bytes("doc", orjson.dumps(shown).decode().encode(STORED_ENCODING))
    return doc


def _shown(doc: Document) -> dict:
    """What a stored document shows (its ``doc`` field)."""
    return json.loads(doc.get_first("doc").decode(STORED_ENCODING))


def _coded_values(report: Report) -> dict[str, str | None]:
    region = report.region
    return {
        "province": region.province,
        "city": region.city,
        "county": region.county,
        "agency": report.agency,
        "agency_level": report.agency_level,
        "format": report.format,
    }


def _combination(report: Report) -> tuple[int | None, str | None, str | None, bool]:
    """A report's values of the ``COMBINED`` facets."""
    return report.year, report.agency_level, report.format, bool(report.checks)


def _shown_value(shown: dict, name: str) -> str | None:
    """A coded field's value as the stored ``doc`` JSON holds it."""
    return shown["region"].get(name) if name in ("province", "city", "county") else shown.get(name)


def _clamp_year(year: int | None) -> int | None:
    return None if year is None else max(-YEAR_BOUND, min(year, YEAR_BOUND))


def _tie(report_id: str) -> int:
    """What breaks ties between equal sort values: a hash of the report id."""
    return int.from_bytes(hashlib.blake2b(report_id.encode(), digest_size=4).digest(), "big")


def _sort_key(value: int | None, tie: int) -> int:
    """Unknown values count as 0: last when newest come first, first otherwise."""
    return (max(0, min(value or 0, 2**30)) << TIE_BITS) | tie


def _date_number(iso: str | None) -> int | None:
    """``2024-01-31`` → 20240131, for sorting; None when absent or malformed."""
    digits = (iso or "")[:10].replace("-", "")
    return int(digits) if len(digits) == 8 and digits.isdigit() else None


class EmbeddedBackend:
    """Tantivy index under ``directory`` (see module docstring for the layout)."""

    name = "embedded"

    def __init__(
        self,
        directory: str | Path,
        *,
        threads: int = 0,
        cached_queries: int = CACHED_QUERIES,
        side_threads: int = SIDE_THREADS,
    ):
        self.directory = Path(directory)
        self.threads = threads
        self.cached_queries = cached_queries  # queries whose total and facets are kept (0: none)
        self.side_threads = side_threads  # threads searching beside the facets' counting (0: none)
        self._current = self.directory / "current"
        if not self._current.exists() or not _current_layout(self._current):
            self._swap_in(self._new_generation())  # an index of an older layout is replaced by an empty one
        self._generation = ""
        self._index: tantivy.Index | None = None
        self._lock = threading.Lock()  # guards reopening and making the side threads: searches run side by side
        self._tables: dict[tuple, object] = {}  # what is kept per committed state, keyed (state, kind, …)
        self._loaded: tuple = ()  # the state the reader was last reloaded at
        self._answers: OrderedDict[tuple, tuple[int, dict]] = OrderedDict()  # (state, query) → total, facets
        self._answers_lock = threading.Lock()
        self._values: dict[str, dict[int, str]] = {name: {} for name in CODED_FIELDS}  # field → code → value
        self._combinations: dict[int, tuple] = {}  # COMBINED_FIELD code → values
        self._combination_names: dict[int, tuple[str | None, ...]] = {}  # … → facet values
        self._side: tuple[int, ThreadPoolExecutor, threading.Semaphore] | None = None  # see _beside
        self._reopen()
        self._remove_abandoned()

    # -- writing ---------------------------------------------------------------

    def add(self, reports: list[Report]) -> None:
        """Add or replace reports; one commit, so a batch is all-or-nothing."""
        index = self._fresh_index()
        writer = index.writer(WRITER_HEAP, self.threads)
        try:
            for report in reports:
                writer.delete_documents_by_term("id", report.id)
                writer.add_document(self._document(report))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        index.reload()

    def delete(self, ids: list[str]) -> None:
        index = self._fresh_index()
        writer = index.writer(WRITER_HEAP, self.threads)
        for report_id in ids:
            writer.delete_documents_by_term("id", report_id)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()

    def rebuild(self, reports: Iterable[Report]) -> None:
        """Write every report into a new generation, then swap it in atomically.

        The live generation's writer lock is held meanwhile, so another process's ``add``
        fails (its reports stay pending) instead of landing in an index about to be dropped.
        """
        guard = self._fresh_index().writer(GUARD_HEAP, 1)
        try:
            path = self._build_generation(reports)
            old = self._current.resolve()
            self._swap_in(path)
        finally:
            guard.rollback()
            guard.wait_merging_threads()
        shutil.rmtree(old, ignore_errors=True)  # open readers keep their files (POSIX unlink semantics)
        self._reopen()

    def _build_generation(self, reports: Iterable[Report]) -> Path:
        path = self._new_generation()
        index = _open(path)
        writer = index.writer(WRITER_HEAP, self.threads)
        try:
            for report in reports:
                writer.add_document(self._document(report))
            writer.commit()
        except BaseException:
            writer.rollback()
            writer.wait_merging_threads()
            del writer, index  # release the directory's lock and files before removing it
            shutil.rmtree(path, ignore_errors=True)
            raise
        writer.wait_merging_threads()
        return path

    def _new_generation(self) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        numbers = [int(p.name[4:]) for p in self.directory.glob("gen-*") if p.name[4:].isdigit()]
        path = self.directory / f"gen-{max(numbers, default=0) + 1:06d}"
        path.mkdir()
        _open(path)  # writes an empty index's meta.json
        meta = json.loads((path / "meta.json").read_text())
        meta["index_settings"]["docstore_blocksize"] = STORE_BLOCK  # kept by every later commit
        (path / "meta.json").write_text(json.dumps(meta))
        (path / LAYOUT).write_text(json.dumps({"schema": SCHEMA_ID}))
        return path

    def _swap_in(self, path: Path) -> None:
        link = self.directory / f".current-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(path.name)
        os.replace(link, self._current)

    def _remove_abandoned(self) -> None:
        """Remove what a killed rebuild left (generations other than the current one, temporary links).

        A rebuild holds the live generation's writer lock from before it creates its generation
        until after the swap; while that lock is taken nothing is touched.
        """
        stale = [p for p in self.directory.glob("gen-*") if p.name != self._generation]
        links = [p for p in self.directory.glob(".current-*") if not _alive(p.name.removeprefix(".current-"))]
        if not stale and not links:
            return
        assert self._index is not None
        try:
            guard = self._index.writer(GUARD_HEAP, 1)
        except ValueError:  # tantivy: LockBusy, a rebuild (or an add) is running
            return
        try:
            for path in stale:
                shutil.rmtree(path, ignore_errors=True)
            for link in links:
                link.unlink(missing_ok=True)
        finally:
            guard.rollback()
            guard.wait_merging_threads()

    # -- reading ---------------------------------------------------------------

    def _reopen(self) -> None:
        self._generation = os.readlink(self._current)
        self._index = _open(self.directory / self._generation)

    def _fresh_index(self, *, reload: bool = True) -> tantivy.Index:
        """The live index as last committed, by any process (reopened if a rebuild swapped it)."""
        if os.readlink(self._current) != self._generation:
            with self._lock:
                if os.readlink(self._current) != self._generation:
                    self._reopen()
        index = self._index
        assert index is not None
        if reload:
            index.reload()  # ~0.1 ms; without it a commit from elsewhere shows up only after a delay
        return index

    def _state(self) -> tuple:
        """Identifies the committed state of the live index: its meta.json, rewritten by every commit
        (it names the segments, their deletes and the commit's stamp)."""
        generation = self._generation
        meta = (self.directory / generation / "meta.json").read_bytes()
        return generation, hashlib.blake2b(meta, digest_size=16).digest()

    def count(self) -> int:
        return self._fresh_index().searcher().num_docs

    def search(self, query: Query) -> SearchResult:
        index = self._fresh_index(reload=False)
        terms = query_terms(query.text)
        if (query.text.strip() and not terms) or query.ids == frozenset():
            return SearchResult(total=0, facets={name: {} for name in query.facets})
        state, searcher = self._searcher(index)
        built = self._build(query, terms, searcher)
        limit = max(0, min(query.limit, MAX_LIMIT))
        offset = max(0, query.offset)
        sort = query.sort if built.ranked or query.sort != "relevance" else "-year"  # no word ranks: newest first
        answer = self._answer(state, query)
        if answer is None and limit and sort == "relevance" and built.ranked:  # both cost: side by side
            paging = self._beside(self._page, searcher, built, sort, offset, limit, state)
            total, facets = self._facets(searcher, built, query, state)
            found, maybe_short = paging()
        else:
            total, facets = answer or self._facets(searcher, built, query, state)
            found, maybe_short = self._page(searcher, built, sort, offset, limit, state) if limit else ([], False)
        if maybe_short and len(found) < min(limit, total - offset):  # the newest years did not hold the page
            found = self._page(searcher, built, sort, offset, limit, state, everything=True)[0]
        words = [form for term in terms for word in term for form in word]
        scored = sort == "relevance"
        hits = [self._hit(searcher, address, score if scored else None, query, words) for score, address in found]
        return SearchResult(total=total, hits=hits, facets=facets)

    def _beside(self, work: Callable, *args) -> Callable:
        """``work(*args)`` started on a side thread, to run while the caller counts (tantivy lets go
        of the GIL while it searches), or left to the caller when the side threads are all busy;
        returns what gives its result. A forked child makes its own thread (threads do not fork)."""
        if not self.side_threads:
            return lambda: work(*args)
        side = self._side
        if side is None or side[0] != os.getpid():
            with self._lock:
                side = self._side
                if side is None or side[0] != os.getpid():
                    count = self.side_threads
                    side = (os.getpid(), ThreadPoolExecutor(count), threading.Semaphore(count))
                    self._side = side
        _, pool, free = side
        if not free.acquire(blocking=False):
            return lambda: work(*args)
        try:
            future = pool.submit(work, *args)
        except BaseException:
            free.release()
            raise
        future.add_done_callback(lambda _: free.release())
        return future.result

    def _searcher(self, index: tantivy.Index) -> tuple[tuple, tantivy.Searcher]:
        """A searcher and the committed state it sees (what is kept per state is used with it only)."""
        state = self._state()
        while True:
            if state != self._loaded:  # reloading costs ~0.4 ms, reading meta.json ~0.02
                index.reload()
                self._loaded = state
            searcher = index.searcher()
            now = self._state()
            if now == state:  # no commit landed while reloading
                return state, searcher
            state = now

    def _page(
        self,
        searcher: tantivy.Searcher,
        built: Built,
        sort: str,
        offset: int,
        limit: int,
        state: tuple,
        *,
        everything: bool = False,
    ) -> tuple[list, bool]:
        """The hits of one page, as (score or sort key, address) pairs, and whether there may be more
        of them than found (the page was looked for in the newest years only).

        Newest first (``-year``), the newest years are searched first: the page is the same when
        they alone hold it (every report of a year sorts above every older one), and ranking the
        newest year's reports instead of all of them is what makes a word in every report cheap.
        """
        options: dict[str, object] = {"offset": offset}
        if sort != "relevance":
            options["order_by_field"] = SORT_FIELDS[sort.lstrip("-")]
            options["order"] = Order.Desc if sort.startswith("-") else Order.Asc
        newest = None
        if sort == "-year" and not everything:
            newest = self._newest_years(searcher, state, NEWEST_SHARE * (offset + limit), built.year_to)
        if newest is None:
            return searcher.search(built.tq, limit, count=False, **options).hits, False
        recent = TQ.range_query(SCHEMA, "year", FieldType.Integer, newest, None, use_inverted_index=True)
        narrowed = TQ.boolean_query([(Occur.Must, built.tq), (Occur.Must, TQ.const_score_query(recent, 0.0))])
        found = searcher.search(narrowed, limit, count=False, **options).hits
        return found, len(found) < limit

    def _newest_years(self, searcher: tantivy.Searcher, state: tuple, reports: float, upto: int | None) -> int | None:
        """The oldest year from which on (to ``upto``) the index holds at least ``reports`` reports
        (None: all of them)."""
        years = self._tables.get((state, "years"))
        if years is None:
            spec = {"y": {"terms": {"field": "year", "size": ALL_BUCKETS, "segment_size": ALL_BUCKETS}}}
            counts = _bucket_counts(searcher.aggregate(TQ.all_query(), spec)["y"]["buckets"])
            years = sorted(counts.items(), reverse=True)
            self._keep((state, "years"), years, state)
        held = 0
        if upto is not None:
            years = [(year, count) for year, count in years if year <= upto]
        for year, count in years[:-1]:
            held += count
            if held >= reports:
                return year
        return None

    def _build(self, query: Query, terms: list[Term], searcher: tantivy.Searcher, also: tuple[TQ, ...] = ()) -> Built:
        """The query, its words and filters apart, and whether any of its words ranks the hits (see
        ``_word``); ``also``: more filters, in the query only (not in its base)."""
        if query.section is not None and query.section not in SECTIONS:
            raise ValueError(f"unknown section {query.section!r}; known: {', '.join(SECTIONS)}")
        fields = {SECTION_FIELDS[query.section]: 1.0} if query.section else TEXT_BOOSTS
        coded = [TQ.term_query(SCHEMA, name, value) for name, value in self._terms(query)]
        filters = []
        if query.year_from is not None or query.year_to is not None:
            low, high = (_clamp_year(y) for y in (query.year_from, query.year_to))
            filters.append(TQ.range_query(SCHEMA, "year", FieldType.Integer, low, high))
        if query.failed_checks is True:
            filters.append(TQ.range_query(SCHEMA, "failed", FieldType.Integer, 1, None))
        elif query.failed_checks is False:
            filters.append(TQ.term_query(SCHEMA, "failed", 0))
        within = [*coded, *filters, *also]  # in each field's conjunction of pairs: only hits are scored
        words = [self._term(term, fields, searcher, within) for term in terms]
        ranked = any(ranks for _, ranks, _ in words)
        text = _conjunction([word for word, _, _ in words])
        reach = min((reach for _, _, reach in words), default=searcher.num_docs)
        ids = [] if query.ids is None else [TQ.term_set_query(SCHEMA, "id", sorted(query.ids))]  # once only
        base = _conjunction(filters)
        key = None if coded or ids else (query.year_from, query.year_to, query.failed_checks)
        clauses = [*([(Occur.Must, text)] if text else []), *_musts(within + ids)]
        tq = TQ.boolean_query(clauses) if clauses else TQ.all_query()
        return Built(tq, text, base, key, ranked, _clamp_year(query.year_to), reach)

    @staticmethod
    def _terms(query: Query) -> list[tuple[str, int]]:
        return [(name, value_code(value)) for name in CODED_FIELDS if (value := getattr(query, name)) is not None]

    def _term(
        self, term: Term, fields: dict[str, float], searcher: tantivy.Searcher, within: list[TQ]
    ) -> tuple[TQ, bool, int]:
        """One query term: any form of any of its alternative words; True if one of them ranks; about
        how many reports it matches (the sum of its words' rarest pairs, see ``_word``)."""
        forms = list(dict.fromkeys(form for word in term for form in word))
        words = [self._word(form, fields, searcher, within) for form in forms]
        ranked = any(ranks for _, ranks, _ in words)
        reach = sum(rarest for _, _, rarest in words)
        if len(words) == 1:
            return words[0][0], ranked, reach
        return TQ.boolean_query([(Occur.Should, word) for word, _, _ in words]), ranked, reach

    @staticmethod
    def _word(
        word: str, fields: dict[str, float], searcher: tantivy.Searcher, within: list[TQ]
    ) -> tuple[TQ, bool, int]:
        """One query word in any of ``fields``: all its character pairs in one field, and every
        filter of ``within`` (constant score: the field's score is its pairs').

        A word found in more than ``COMMON`` of the reports (信息公开 is in every one) filters
        without ranking: its BM25 weight is next to nothing, yet scoring it costs most of a search
        (at 100,000 reports, 13 ms scored against 1.7 ms unscored). So does a one-character word
        wherever pair fields are searched (any pair starting with it), whose reports are counted.
        Returns the query, whether the word ranks, and about how many reports it matches: the
        document frequency of its rarest pair in the field where that is highest (a one-character
        word's count).
        """
        grams = sorted({word[i : i + 2] for i in range(len(word) - 1)}) or [word]
        single = len(word) == 1
        unranked = single and not PAIR_FIELDS.isdisjoint(fields)
        reach = {
            field: searcher.num_docs
            if single and field in PAIR_FIELDS
            else min(searcher.doc_freq(field, g) for g in grams)
            for field in fields
        }
        rarest = max(reach.values())
        ranks = not unranked and rarest <= COMMON * searcher.num_docs
        alternatives = []
        for field, boost in fields.items():
            if not reach[field]:
                continue  # a pair in no report's field: nothing to match there
            if single and field in PAIR_FIELDS:  # any pair starting with the character (a letter, digit or ideograph)
                q = TQ.regex_query(SCHEMA, field, f"{word}.")
            else:
                q = _conjunction([TQ.term_query(SCHEMA, field, g) for g in grams])
            if within and ranks:  # scored only where the filters hold
                q = TQ.boolean_query([(Occur.Must, q), *_musts(within)])
            alternatives.append((Occur.Should, q if boost == 1.0 or not ranks else TQ.boost_query(q, boost)))
        found = TQ.boolean_query(alternatives) if alternatives else TQ.empty_query()
        if ranks:
            return found, True, rarest
        found = TQ.const_score_query(found, 0.0)
        if unranked:  # no document frequency tells how many reports hold it (1M reports: 0.2 ms for 鑫, 46 for 公)
            rarest = searcher.search(found, 1, count=True).count
        return found, False, rarest

    def _hit(self, searcher: tantivy.Searcher, address, score, query: Query, words: list[str]) -> Hit:
        doc = searcher.doc(address)
        shown = _shown(doc)
        sections = shown["sections"]
        if query.section:
            body = sections.get(query.section, "")
        else:
            body = "\n".join(sections.values()) if sections else shown["text"]
        return Hit(
            id=doc.get_first("id"),
            title=shown["title"],
            agency=shown["agency"],
            year=shown["year"],
            region=Region(**shown["region"]),
            url=shown["url"],
            snippet=snippet(body, words),
            score=float(score) if query.sort == "relevance" and score is not None else 0.0,
        )

    # -- facets ----------------------------------------------------------------

    def _facets(self, searcher: tantivy.Searcher, built: Built, query: Query, state: tuple) -> tuple[int, dict]:
        """The number of hits and the counts per facet value.

        Counted in one aggregation beside the hits and kept for the next ``cached_queries`` searches
        until the next commit, except for a query filtering at most by year or failed checks, with
        no words or words all in most reports (unranked, see ``_word``): it counts only the reports
        its words miss and takes them off the counts of its filters alone, kept per state and filter
        (the agency's: every value's, ``indexer.topvalues``).
        """
        unknown = set(query.facets) - set(FACETS)
        if unknown:
            raise ValueError(f"unknown facet(s) {sorted(unknown)}; known: {', '.join(FACETS)}")
        key = _answer_key(state, query)
        sizes = {name: self._facet_size(name, query.facet_limit) for name in query.facets}
        full = [name for name in query.facets if name not in COMBINED and name not in TOP_ONLY]
        tops = [name for name in query.facets if name in TOP_ONLY]
        counted = None
        most = built.text is None or built.reach > COMMON * searcher.num_docs  # a rare character does not rank either
        if built.base_key is not None and not built.ranked and most:  # no words, or words in most reports
            counted = self._by_complement(searcher, built, sizes, state)
        many = built.base_key is not None and built.reach >= MANY * searcher.num_docs
        if counted is None:  # in one aggregation (the agency's apart, beside it, when the words match many reports)
            beside = (self._beside(self._among_most, searcher, built, query, n, sizes[n], state) for n in tops)
            apart = dict(zip(tops, beside, strict=True)) if many else {}
            counted = self._count(searcher, built.tq, {name: sizes[name] for name in full + ([] if many else tops)})
            for name in tops:
                among = apart[name]() if name in apart else None
                if among is None:
                    ranked = (
                        counted[name] if name in counted else self._count(searcher, built.tq, {name: sizes[name]})[name]
                    )
                    among = self._recount(searcher, built.tq, name, ranked)
                counted[name] = among
        total = counted[TOTAL]
        result = total, self._named_facets(searcher, built.tq, counted, query, sizes)
        if self.cached_queries and state == self._state():  # no commit landed meanwhile
            with self._answers_lock:
                self._answers[key] = result
                for old in [k for k in self._answers if k[0] != state]:
                    del self._answers[old]
                while len(self._answers) > self.cached_queries:
                    self._answers.popitem(last=False)
        return result

    def _answer(self, state: tuple, query: Query) -> tuple[int, dict] | None:
        """The total and facets kept for ``query`` at ``state``, if any."""
        key = _answer_key(state, query)
        with self._answers_lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def _count(self, searcher: tantivy.Searcher, tq: TQ, sizes: dict[str, int]) -> dict[str, dict]:
        """Counts by code of the combined facets (``HITS``) and of the fields in ``sizes`` (those of
        ``TOP_ONLY`` as tantivy ranks them, with ``SEGMENT_ERROR`` set when that may be inexact)."""
        spec = {name: _terms_aggregation(name, size) for name, size in sizes.items()}
        spec[HITS] = {"terms": {"field": COMBINED_FIELD, "size": ALL_BUCKETS, "segment_size": ALL_BUCKETS}}
        result = searcher.aggregate(tq, spec)
        counted: dict = {name: _bucket_counts(result[name]["buckets"]) for name in spec}
        counted[TOTAL] = sum(counted[HITS].values()) + result[HITS].get("sum_other_doc_count", 0)
        for name in spec:
            if result[name].get("sum_other_doc_count") and name not in TOP_ONLY:
                counted.setdefault(INCOMPLETE, {})[name] = True  # more values than buckets
            if result[name].get("doc_count_error_upper_bound") and name in TOP_ONLY:
                counted[name][SEGMENT_ERROR] = 1
        return counted

    @staticmethod
    def _recount(searcher: tantivy.Searcher, tq: TQ, name: str, counts: dict) -> dict[int, int]:
        """Top values as tantivy ranked them per segment, counted again exactly when that may be off."""
        if counts.pop(SEGMENT_ERROR, None) is None:
            return counts
        exact = TQ.boolean_query([(Occur.Must, tq), (Occur.Must, _any_of(name, list(counts)))])
        again = searcher.aggregate(exact, {name: _terms_aggregation(name, len(counts), exact=True)})
        return _bucket_counts(again[name]["buckets"])

    def _among_most(
        self, searcher: tantivy.Searcher, built: Built, query: Query, name: str, size: int, state: tuple
    ) -> dict[int, int] | None:
        """The top ``size`` values of the query's hits among the values of most reports within its
        filters (``CANDIDATES``, or twice ``size``), each counted exactly; None when fewer than
        ``size`` of them are hit and other values may be."""
        totals = self._totals(searcher, name, built, state)
        reach = max(CANDIDATES, 2 * size)
        codes = totals.codes[:reach].tolist()
        if not codes:  # no report has a value
            return {}
        among = self._build(query, query_terms(query.text), searcher, also=(_any_of(name, codes),)).tq
        counts = _bucket_counts(
            searcher.aggregate(among, {name: _terms_aggregation(name, reach, exact=True)})[name]["buckets"]
        )
        if len(counts) < size and len(totals.codes) > reach:
            return None
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size])

    def _by_complement(
        self, searcher: tantivy.Searcher, built: Built, sizes: dict[str, int], state: tuple
    ) -> dict[str, dict] | None:
        """Counts of a query without words or whose words are in most reports: the counts without
        its words (kept per state and filter), less those of the reports its words miss. None when
        not all were exact."""
        full = [name for name in sizes if name not in COMBINED and name not in TOP_ONLY]
        tops = [name for name in sizes if name in TOP_ONLY]
        base = built.base or TQ.all_query()
        key = (state, "base", built.base_key, tuple(full))
        kept = self._tables.get(key)
        if kept is None:
            kept = self._count(searcher, base, dict.fromkeys(full, ALL_BUCKETS))
            self._keep(key, kept, state)
        if INCOMPLETE in kept:
            return None
        missed: dict = {name: {} for name in (HITS, *full, *tops)} | {TOTAL: 0}
        if built.text is not None:
            rest = TQ.boolean_query([(Occur.Must, base), (Occur.MustNot, built.text)])
            missed = self._count(searcher, rest, dict.fromkeys(full + tops, ALL_BUCKETS))
            if INCOMPLETE in missed:
                return None
        counted: dict = {name: less(kept[name], missed[name]) for name in (HITS, *full)}
        counted[TOTAL] = kept[TOTAL] - missed[TOTAL]
        for name in tops:
            if SEGMENT_ERROR in missed[name] or len(missed[name]) >= ALL_BUCKETS:
                return None
            counted[name] = self._totals(searcher, name, built, state).without(missed[name], sizes[name])
        return counted

    def _totals(self, searcher: tantivy.Searcher, name: str, built: Built, state: tuple) -> Totals:
        """Every value's count among the reports of the query's filters without its words, kept per
        committed state and filter."""
        key = (state, "totals", name, built.base_key)
        totals = self._tables.get(key)
        if totals is None:
            totals = Totals.count(searcher, SCHEMA, FACET_FIELDS[name], built.base)
            self._keep(key, totals, state)
        return totals

    def _keep(self, key: tuple, value: object, state: tuple) -> None:
        """Keep a table computed for ``state`` unless a commit landed meanwhile (tables of older states go)."""
        if state != self._state():
            return
        stale = [k for k in self._tables if k[0] != state]
        for k in stale:
            self._tables.pop(k, None)
        if len(self._tables) > MAX_TABLES:
            self._tables.clear()
        self._tables[key] = value

    def _named_facets(
        self, searcher: tantivy.Searcher, tq: TQ, counted: dict[str, dict], query: Query, sizes: dict
    ) -> dict[str, dict[str, int]]:
        """Counts by code as counts by value, in the order of ``query.facets``."""
        facets: dict[str, dict[str, int]] = {}
        combined = [name for name in query.facets if name in COMBINED]
        if HITS in counted.get(INCOMPLETE, {}):  # more combinations than buckets: count those facets apart
            apart = self._count(searcher, tq, {name: sizes[name] for name in combined})
            for name in combined:
                facets[name] = _top(self._named(searcher, name, apart[name]), sizes[name])
            combined = []
        positions = [(COMBINED.index(name), facets.setdefault(name, {})) for name in combined]
        for code, count in counted[HITS].items():
            values = self._combination_values(searcher, code)
            for position, named in positions:
                if (value := values[position]) is not None:
                    named[value] = named.get(value, 0) + count
        for name in combined:
            facets[name] = _top(facets[name], sizes[name])
        for name in query.facets:
            if name not in COMBINED:
                named = self._named(searcher, name, counted[name])  # most frequent first, as tantivy ranks buckets
                facets[name] = named if name in TOP_ONLY else _top(named, sizes[name])
        return {name: facets[name] for name in query.facets}

    def _document(self, report: Report) -> Document:
        for name, value in _coded_values(report).items():
            if value is not None:
                self._values[name][value_code(value)] = value
        combination = _combination(report)
        self._combinations[_combination_code(combination)] = combination
        return to_document(report)

    def _combination_values(self, searcher: tantivy.Searcher, code: int) -> tuple[str | None, ...]:
        """A ``COMBINED_FIELD`` code as the facet values it stands for."""
        values = self._combination_names.get(code)
        if values is None:
            year, level, format_, failed = self._combination(searcher, code)
            values = (None if year is None else str(year), level, format_, failed_value(failed))
            self._combination_names[code] = values
        return values

    def _combination(self, searcher: tantivy.Searcher, code: int) -> tuple:
        """A ``COMBINED_FIELD`` code as its values (read from a document holding it if another process indexed it)."""
        combination = self._combinations.get(code)
        if combination is None:
            found = searcher.search(TQ.term_query(SCHEMA, COMBINED_FIELD, code), 1, count=False).hits
            if not found:
                raise LookupError(f"no document holds the combination coded {code}")
            shown = _shown(searcher.doc(found[0][1]))
            combination = (shown["year"], shown["agency_level"], shown["format"], bool(shown["failed"]))
            self._combinations[code] = combination
        return combination

    def _named(self, searcher: tantivy.Searcher, name: str, counts: dict[int, int]) -> dict[str, int]:
        """Counts by bucket key as counts by the values the keys stand for."""
        if name not in CODED_FIELDS:
            named: dict[str, int] = {}
            for key, count in counts.items():
                value = failed_value(key) if name == "failed_checks" else str(key)
                named[value] = named.get(value, 0) + count
            return named
        table = self._values[name]
        for code in counts.keys() - table.keys():  # indexed by another process
            table[code] = self._lookup(searcher, name, code)
        return {table[code]: count for code, count in counts.items()}  # distinct codes, distinct values

    @staticmethod
    def _lookup(searcher: tantivy.Searcher, name: str, code: int) -> str:
        """The value coded ``code`` in field ``name``, read from a document holding it."""
        found = searcher.search(TQ.term_query(SCHEMA, name, code), 1, count=False).hits
        value = _shown_value(_shown(searcher.doc(found[0][1])), name) if found else None
        if value is None:
            raise LookupError(f"no document holds the {name} value coded {code}")
        return value

    @staticmethod
    def _facet_size(name: str, facet_limit: int | None) -> int:
        if facet_limit is not None:
            return max(1, facet_limit)
        return TOP_ONLY.get(name, ALL_BUCKETS)


@dataclass(frozen=True)
class Built:
    """A query as tantivy runs it, with its parts apart."""

    tq: TQ  # the whole query
    text: TQ | None  # its words (each field's conjunction also holding its filters)
    base: TQ | None  # its filters on year and failed checks
    base_key: tuple | None  # those filters as a key; None when it also filters by value (region, agency …) or id
    ranked: bool  # whether a word ranks the hits
    year_to: int | None  # the newest year asked for
    reach: int  # about how many reports its words match (by their rarest pairs' document frequencies)


def _answer_key(state: tuple, query: Query) -> tuple:
    """What a query's total and facets depend on (not its page or order)."""
    return state, replace(query, offset=0, limit=0, sort="relevance")


def _musts(queries: list[TQ]) -> list[tuple[Occur, TQ]]:
    return [(Occur.Must, TQ.const_score_query(q, 0.0)) for q in queries]


def _conjunction(queries: list[TQ]) -> TQ | None:
    if not queries:
        return None
    return queries[0] if len(queries) == 1 else TQ.boolean_query([(Occur.Must, q) for q in queries])


def _any_of(name: str, codes: list[int]) -> TQ:
    """Any of the values coded ``codes``: a union of their terms (a term set query is slower)."""
    return TQ.boolean_query([(Occur.Should, TQ.term_query(SCHEMA, FACET_FIELDS[name], code)) for code in codes])


def _terms_aggregation(name: str, size: int, *, exact: bool = False) -> dict:
    """A terms aggregation of ``size`` values; ``segment_size`` covers every value, except for
    the high-cardinality facets (``exact`` when the query only matches the values asked for)."""
    segment = size if exact else (max(size * 2, 200) if name in TOP_ONLY else ALL_BUCKETS)
    return {"terms": {"field": FACET_FIELDS[name], "size": size, "segment_size": segment}}


def _bucket_counts(buckets: list[dict]) -> dict[int, int]:
    """Counts by bucket key (a terms aggregation's keys are distinct)."""
    return {bucket["key"]: bucket["doc_count"] for bucket in buckets}


def _top(counts: dict[str, int], size: int) -> dict[str, int]:
    """The ``size`` most frequent values, most frequent first (ties in the order given: tantivy's
    bucket order; sorting a county facet's 2,800 names as well took 2 ms)."""
    return dict(sorted(counts.items(), key=itemgetter(1), reverse=True)[:size])


def _current_layout(current: Path) -> bool:
    """True when the live generation was written with this module's schema."""
    try:
        return json.loads((current / LAYOUT).read_text()).get("schema") == SCHEMA_ID
    except (OSError, ValueError):
        return False


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
