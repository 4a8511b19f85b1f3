"""The embedded (tantivy) backend: Chinese matching, filters, exact facets, snippets, safety, rebuild."""

from __future__ import annotations

import json
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.embedded import STORE_BLOCK, EmbeddedBackend
from indexer.query import FACETS, Query, failed_value
from indexer.text import index_forms, search_form
from xxgk.generate import generate, store_record
from xxgk.model import Check, Region, Report, report_id
from xxgk.schema import SECTIONS

NASTY = [
    '"',
    "*",
    "NEAR(",
    "AND OR",
    "'; DROP TABLE reports; --",
    "",
    "   ",
    "😀",
    "\\",
    "title:*",
    "(((",
    "-",
    "信息 OR",
]


def handmade() -> list[Report]:
    return [
        store_record(
            "https://wbq.example/2023.html",
            title="新乡市卫滨区2023年政府信息公开工作年度报告",
            agency="新乡市卫滨区人民政府",
            agency_level="county",
            year=2023,
            published="2024-01-20",
            region=Region("河南省", "新乡市", "卫滨区", "410703"),
            format="html",
            sections={
                "overview": "卫滨区平原镇持续推进政务公开，在建工程信息及时发布。",
                "problems": "存在问题：<script>alert(1)</script> 公开栏目更新不及时。",
            },
            checks=[Check(1, "requests.total does not add up", ["requests.total.total"])],
        ),
        store_record(
            "https://hq.example/2022.html",
            title="新鄉市紅旗區2022年政府資訊公開工作年度報告",
            agency="新鄉市紅旗區人民政府",
            agency_level="county",
            year=2022,
            published="2023-02-01",
            region=Region("河南省", "新乡市", "红旗区", "410702"),
            format="pdf",
            text="總體情況：本機關全年依申請公開辦理申請12件，行政復議0件。",
        ),
        store_record(
            "https://bj.example/2021.html",
            title="北京市2021年政府信息公开工作年度报告",
            agency="北京市人民政府",
            agency_level="province",
            year=2021,
            published="2022-03-15",
            region=Region("北京市", None, None, "110000"),
            format="html",
            sections={"requests": "依申请公开申请中不予公开3件，行政复议2件。", "problems": "平台建设有待加强。"},
        ),
    ]


def generated(n: int, seed: int = 11) -> list[Report]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        g = generate(rng, violate=rng.choice((None, None, None, 1, 3)))
        out.append(g.record(f"https://gen.example/{i}.html", ("html", "pdf", "docx")[i % 3]))
    return out


def searchable(r: Report) -> str:
    """What a text query looks in (the generated corpus is Simplified): title, agency, region, sections."""
    parts = [r.title, r.agency, r.region.province, r.region.city, r.region.county]
    return "\n".join(filter(None, parts + list(r.sections.values() or [r.text])))


def assert_facets(result, reports: list[Report]) -> None:
    """Every facet equals the records' counts; agency, counted for its top 100 values only, holds
    exactly the most frequent values with their exact counts."""
    for name in FACETS:
        expected = truth(reports, name)
        if name != "agency":
            assert result.facets[name] == expected, name
            continue
        shown = result.facets[name]
        assert len(shown) == min(100, len(expected))
        assert all(expected[value] == count for value, count in shown.items())
        left_out = [count for value, count in expected.items() if value not in shown]
        assert min(shown.values()) >= max(left_out, default=0)


def truth(reports: list[Report], name: str) -> dict[str, int]:
    """Facet counts computed straight from the records."""
    values = {
        "year": lambda r: None if r.year is None else str(r.year),
        "province": lambda r: r.region.province,
        "city": lambda r: r.region.city,
        "county": lambda r: r.region.county,
        "agency": lambda r: r.agency,
        "agency_level": lambda r: r.agency_level,
        "format": lambda r: r.format,
        "failed_checks": lambda r: failed_value(len(r.checks)),
    }[name]
    return dict(Counter(v for r in reports if (v := values(r)) is not None))


@pytest.fixture(scope="module")
def corpus() -> list[Report]:
    return handmade() + generated(300)


@pytest.fixture(scope="module")
def backend(corpus, tmp_path_factory) -> EmbeddedBackend:
    b = EmbeddedBackend(tmp_path_factory.mktemp("idx") / "store.db.index")
    b.add(corpus[:150])
    b.add(corpus[150:])  # two commits, two segments: facets must still be exact
    return b


def ids(result) -> set[str]:
    return {h.id for h in result.hits}


def test_every_facet_equals_the_records(backend, corpus):
    result = backend.search(Query(facets=FACETS, limit=0))
    assert result.total == len(corpus)
    assert_facets(result, corpus)
    agencies = backend.search(Query(facets=("agency",), facet_limit=1000, limit=0)).facets["agency"]
    assert agencies == truth(corpus, "agency")  # every value when asked for


def test_facets_under_filters_and_text_equal_the_records(backend, corpus):
    province = corpus[10].region.province
    query = Query(text="行政复议", province=province, year_from=2022, year_to=2023, facets=FACETS, limit=0)
    expected = [
        r
        for r in corpus
        if r.region.province == province and 2022 <= (r.year or 0) <= 2023 and "行政复议" in searchable(r)
    ]
    result = backend.search(query)
    assert result.total == len(expected)
    assert_facets(result, expected)


def test_facet_limit_keeps_the_most_frequent_values_with_exact_counts(backend, corpus):
    counties = truth(corpus, "county")
    result = backend.search(Query(facets=("county",), facet_limit=3, limit=0))
    assert len(result.facets["county"]) == 3
    top = sorted(counties.values(), reverse=True)[:3]
    assert sorted(result.facets["county"].values(), reverse=True) == top
    assert all(counties[k] == v for k, v in result.facets["county"].items())


def test_filters_combine(backend, corpus):
    r0 = corpus[0]
    both = backend.search(Query(province="河南省", city="新乡市", agency_level="county", limit=50))
    expected = {
        r.id
        for r in corpus
        if r.region.province == "河南省" and r.region.city == "新乡市" and r.agency_level == "county"
    }
    assert ids(both) == expected and r0.id in expected
    assert backend.search(Query(county="卫滨区", format="html")).total == sum(
        1 for r in corpus if r.region.county == "卫滨区" and r.format == "html"
    )
    assert backend.search(Query(agency=r0.agency)).total == 1
    failed = backend.search(Query(failed_checks=True, limit=0)).total
    assert failed == sum(1 for r in corpus if r.checks) and 0 < failed < len(corpus)
    assert backend.search(Query(failed_checks=False, limit=0)).total == len(corpus) - failed


def test_year_value_and_range(backend, corpus):
    assert backend.search(Query(year_from=2023, year_to=2023, limit=0)).total == sum(r.year == 2023 for r in corpus)
    assert backend.search(Query(year_from=2021, year_to=2022, limit=0)).total == sum(
        2021 <= r.year <= 2022 for r in corpus
    )
    assert backend.search(Query(year_from=2024, limit=0)).total == sum(r.year >= 2024 for r in corpus)


@pytest.mark.parametrize(
    ("query", "url"),
    [
        ("依申请公开", "https://hq.example/2022.html"),  # Simplified query, Traditional text
        ("红旗区", "https://hq.example/2022.html"),
        ("依申請公開", "https://bj.example/2021.html"),  # Traditional query, Simplified text
        ("政府資訊", "https://hq.example/2022.html"),
        ("總體情況", "https://hq.example/2022.html"),
    ],
)
def test_simplified_and_traditional_find_each_other(backend, query, url):
    assert report_id(url) in ids(backend.search(Query(text=query, limit=400)))


@pytest.mark.parametrize("word", ["卫滨", "平原镇", "工程", "卫滨区平原镇", "在建工程"])
def test_words_inside_compounds_are_found(backend, word):
    result = backend.search(Query(text=word))
    assert report_id("https://wbq.example/2023.html") in ids(result)
    assert "<mark>" in result.hits[0].snippet


def test_words_that_are_absent_find_nothing(backend):
    assert backend.search(Query(text="滨卫")).total == 0
    assert backend.search(Query(text="量子计算机")).total == 0


def test_several_words_must_all_match(backend):
    both = backend.search(Query(text="卫滨 工程"))
    assert ids(both) == {report_id("https://wbq.example/2023.html")}
    assert backend.search(Query(text="卫滨 北京")).total == 0


def test_snippet_escapes_html_and_marks_matches(backend):
    hit = backend.search(Query(text="alert")).hits[0]
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in hit.snippet
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_hit_carries_the_record_fields(backend):
    hit = backend.search(Query(text="卫滨区平原镇")).hits[0]
    assert hit.title == "新乡市卫滨区2023年政府信息公开工作年度报告"
    assert hit.agency == "新乡市卫滨区人民政府" and hit.year == 2023
    assert hit.region == Region("河南省", "新乡市", "卫滨区", "410703")
    assert hit.url == "https://wbq.example/2023.html"


def test_stored_text_shows_every_character_as_written(tmp_path):
    odd = "卫滨𠀀区 😀 ＡＢＣ é ß € \u00a0\u2028 \U0010fffd 報告"  # outside the common Chinese range, astral, spaces
    report = Report(**{**handmade()[0].__dict__, "title": odd, "agency": odd, "sections": {"overview": odd}})
    b = EmbeddedBackend(tmp_path / "x.index")
    b.add([report])
    hit = b.search(Query(text="卫滨")).hits[0]
    assert hit.title == odd and hit.agency == odd
    assert "😀" in hit.snippet and "\U0010fffd" in hit.snippet


@pytest.mark.parametrize("text", NASTY)
def test_nasty_queries_never_raise(backend, text):
    result = backend.search(Query(text=text, facets=FACETS))
    assert result.total >= 0 and isinstance(result.hits, list)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40), year=st.one_of(st.none(), st.integers()), offset=st.integers(-5, 10**7))
def test_any_input_gives_a_result_never_an_error(backend, text, year, offset):
    result = backend.search(Query(text=text, year_from=year, offset=offset, facets=("year",)))
    assert result.total >= len(result.hits) >= 0


def test_or_and_phrases(backend, corpus):
    assert backend.search(Query(text="😀")).total == 0
    assert backend.search(Query(text="   ", limit=0)).total == len(corpus)  # blank: everything
    either = {r.id for r in corpus if "平原镇" in searchable(r) or "平台建设" in searchable(r)}
    assert ids(backend.search(Query(text="平原镇 OR 平台建设", limit=400))) == either
    assert report_id("https://bj.example/2021.html") in either and report_id("https://wbq.example/2023.html") in either
    both = {r.id for r in corpus if "平原镇" in searchable(r) and "政务公开" in searchable(r)}
    assert ids(backend.search(Query(text="平原镇 OR 量子计算机 政务公开", limit=400))) == both
    assert backend.search(Query(text="信息 or 量子")).total == 0  # lower-case "or" is a word like any other
    assert backend.search(Query(text='"在建 工程"')).total == 1  # a phrase keeps its words together
    assert backend.search(Query(text='"工程 在建"')).total == 0


def test_section_headings_are_searchable(backend, corpus):
    with_heading = [r for r in corpus if r.sections.get("problems") or "存在的主要问题" in r.text]
    result = backend.search(Query(text="存在的主要问题", limit=0))
    assert result.total == len(with_heading) > 300
    assert backend.search(Query(text="存在的主要问题", section="problems", limit=0)).total == result.total


def test_taiwan_wording_finds_mainland_reports_and_back(backend, corpus):
    mainland = backend.search(Query(text="資訊公開", limit=0)).total
    assert mainland == sum("信息公开" in searchable(r) or "資訊公開" in searchable(r) for r in corpus) > 300
    taiwan = report_id("https://hq.example/2022.html")
    assert taiwan in ids(backend.search(Query(text="红旗区 信息公开")))
    assert backend.search(Query(text="资讯")).total == 1  # the character-level form is indexed too


def holds(text: str | None, char: str) -> bool:
    """Whether ``text`` holds ``char`` once both are in search form."""
    (wanted,) = index_forms(char)
    return bool(text) and any(wanted in form for form in index_forms(text))


@pytest.mark.parametrize("char", ["公", "滨", "鄉", "2", "x", "量"])
def test_one_character_words_match_exactly(backend, corpus, char):
    """A one-character word finds exactly the reports holding it, anywhere or in one section: in the fields of
    pairs (the sections, an unsectioned text) it is any pair holding the character, and the newest are listed
    first (it does not rank)."""
    anywhere = [r for r in corpus if any(holds(t, char) for t in searchable(r).split("\n"))]
    result = backend.search(Query(text=char, limit=400, facets=("year",)))
    assert result.total == len(anywhere) and ids(result) == {r.id for r in anywhere}
    assert [h.year for h in result.hits] == sorted((h.year for h in result.hits), reverse=True)
    for key in ("overview", "problems"):
        inside = [r for r in corpus if r.sections.get(key) and holds(f"{SECTIONS[key]}\n{r.sections[key]}", char)]
        found = backend.search(Query(text=char, section=key, limit=400))
        assert found.total == len(inside) and ids(found) == {r.id for r in inside}
        assert [h.year for h in found.hits] == sorted((h.year for h in found.hits), reverse=True)


def test_a_one_character_text_is_found_by_its_character(tmp_path):
    """Each value of a field of pairs ends with a character no query holds, so even a one-character
    section or unsectioned text stands in a pair."""
    lone = Report(**{**handmade()[0].__dict__, "title": None, "agency": None, "region": Region(), "text": "鑫"})
    lone.sections = {"overview": "鑫"}
    bare = Report(**{**lone.__dict__, "id": "bare", "url": "https://x.example/bare", "text": "淼", "sections": {}})
    b = EmbeddedBackend(tmp_path / "x.index")
    b.add([lone, bare])
    assert b.search(Query(text="鑫", section="overview")).total == 1
    assert b.search(Query(text="鑫", section="problems")).total == 0
    assert ids(b.search(Query(text="淼"))) == {"bare"}


def test_section_search_looks_only_inside_that_section(backend):
    url = report_id("https://wbq.example/2023.html")
    assert url in ids(backend.search(Query(text="公开栏目", section="problems")))
    assert url not in ids(backend.search(Query(text="平原镇", section="problems")))
    assert url in ids(backend.search(Query(text="平原镇", section="overview")))
    hit = backend.search(Query(text="不予公开", section="requests")).hits[0]
    assert hit.id == report_id("https://bj.example/2021.html") and "<mark>不予公开</mark>" in hit.snippet
    with pytest.raises(ValueError, match="unknown section"):
        backend.search(Query(text="x", section="nope"))


def test_sort_by_year_and_published(backend, corpus):
    up = [h.year for h in backend.search(Query(sort="year", limit=400)).hits]
    down = [h.year for h in backend.search(Query(sort="-year", limit=400)).hits]
    assert up == sorted(r.year for r in corpus) and down == sorted(up, reverse=True)
    newest = backend.search(Query(sort="-published", limit=1)).hits[0]
    assert newest.id == max(corpus, key=lambda r: r.published).id


def test_pagination_is_stable_and_complete(backend):
    query = Query(text="公开", sort="relevance", limit=7)
    total = backend.search(query).total
    pages = [backend.search(Query(text="公开", limit=7, offset=o)).hits for o in range(0, total, 7)]
    seen = [h.id for page in pages for h in page]
    assert len(seen) == total == len(set(seen))
    again = backend.search(Query(text="公开", limit=7, offset=14)).hits
    assert [h.id for h in again] == [h.id for h in pages[2]]


@pytest.mark.parametrize(
    "query",
    [Query(), Query(text="公开"), Query(text="公开", year_from=2021, year_to=2023), Query(text="行政复议")],
)
def test_newest_first_pages_equal_the_whole_order(backend, query):
    """Newest first, small pages are looked for in the newest years first; every page must be the
    slice of the whole order (ties broken by id the same way)."""
    whole = [h.id for h in backend.search(replace(query, sort="-year", limit=400)).hits]
    assert len(whole) > 40
    for offset in (0, 1, 2, 7, len(whole) - 2, len(whole) - 1):
        page = backend.search(replace(query, sort="-year", limit=2, offset=offset)).hits
        assert [h.id for h in page] == whole[offset : offset + 2]


def test_limits_are_clamped(backend):
    assert backend.search(Query(limit=-5, offset=-3)).hits == []
    assert backend.search(Query(offset=10**6)).hits == []


def facet_cases(reports: list[Report]) -> list[tuple[Query, list[Report]]]:
    """Queries down each way of counting facets (unfiltered; by year alone; a word in most reports,
    alone, by year, by failed checks and in a section; a rarer word; a filter by value), with their
    records."""
    common = [r for r in reports if "公开" in search_form(searchable(r))]
    heading = SECTIONS["problems"]
    problems = [r for r in reports if r.sections.get("problems") and "问题" in f"{heading}{r.sections['problems']}"]
    province = reports[5].region.province
    return [
        (Query(), reports),
        (Query(year_from=2022, year_to=2023), [r for r in reports if 2022 <= (r.year or 0) <= 2023]),
        (Query(text="公开"), common),
        (Query(text="公开", year_from=2022, year_to=2023), [r for r in common if 2022 <= (r.year or 0) <= 2023]),
        (Query(text="公开", failed_checks=True), [r for r in common if r.checks]),
        (Query(text="问题", section="problems"), problems),
        (Query(text="行政复议"), [r for r in reports if "行政复议" in search_form(searchable(r))]),
        (Query(text="公开", province=province), [r for r in common if r.region.province == province]),
    ]


def test_facets_equal_the_records_after_an_incremental_update(tmp_path, corpus):
    """Every way of counting, before and after an update: nothing kept for the old state is reused."""
    b = EmbeddedBackend(tmp_path / "x.index")
    b.add(corpus[:200])
    for _ in range(2):  # the second time from what was kept
        for query, expected in facet_cases(corpus[:200]):
            result = b.search(replace(query, facets=FACETS, limit=0))
            assert result.total == len(expected), query
            assert_facets(result, expected)
    moved = [Report(**{**r.__dict__, "year": 2030, "agency": f"{r.agency}（更名）", "checks": []}) for r in corpus[:40]]
    b.add(moved + corpus[200:])
    b.delete([corpus[-1].id])
    now = [*moved, *corpus[40:-1]]
    for query, expected in facet_cases(now):
        result = b.search(replace(query, facets=FACETS, limit=0))
        assert result.total == len(expected), query
        assert_facets(result, expected)


def test_searches_side_by_side_give_the_answers_of_searches_one_by_one(tmp_path, corpus):
    """The web server searches from many threads at once, sharing what is kept per state."""
    b = EmbeddedBackend(tmp_path / "x.index", cached_queries=0)
    b.add(corpus)
    queries = [replace(q, facets=FACETS, limit=5) for q, _ in facet_cases(corpus)] * 4
    alone = [b.search(q) for q in queries]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(b.search, queries))
    assert together == alone
    unthreaded = EmbeddedBackend(tmp_path / "x.index", cached_queries=0, side_threads=0)  # pages not on a side thread
    assert [unthreaded.search(q) for q in queries] == alone


def test_more_agencies_than_the_bucket_limit_give_the_top_values(tmp_path):
    """tantivy refuses aggregations of more than 65,000 buckets; the agency facet counts its top values."""
    reports = [Report(id=f"r{i}", agency=f"机构{i}", year=2020, text="信息公开") for i in range(66_000)]
    reports += [Report(id=f"big{i}", agency="大机构", year=2021, text="信息公开") for i in range(5)]
    reports += [Report(id=f"mid{i}", agency="中机构", year=2021, text="信息公开" if i else "公开") for i in range(4)]
    b = EmbeddedBackend(tmp_path / "x.index")
    for start in range(0, len(reports), 20_000):  # several segments
        b.add(reports[start : start + 20_000])
    for query in (Query(facets=FACETS, limit=0), Query(year_from=2020, facets=("agency", "year"), limit=0)):
        result = b.search(query)
        agencies = result.facets["agency"]
        assert len(agencies) == 100
        assert list(agencies.items())[:2] == [("大机构", 5), ("中机构", 4)]
        assert set(list(agencies.values())[2:]) == {1}
        assert result.facets["year"] == {"2020": 66_000, "2021": 9}
    assert b.search(Query(facets=("agency",), facet_limit=2, limit=0)).facets["agency"] == {"大机构": 5, "中机构": 4}
    # a word in nearly every report: its counts are the totals less those of the report it misses
    assert b.search(Query(text="信息公开", facets=("agency",), facet_limit=2, limit=0)).facets["agency"] == {
        "大机构": 5,
        "中机构": 3,
    }
    found = b.search(Query(text="信息公开", facets=("agency",), limit=0)).facets["agency"]
    assert len(found) == 100 and list(found.items())[:2] == [("大机构", 5), ("中机构", 3)]


def test_a_word_in_many_reports_ranks_the_agencies_of_most_reports(tmp_path):
    """A ranked word in many reports: its agencies are ranked among those of most reports within
    its filters, each counted exactly; when too few of those are hit, among every agency it hits."""
    reports = [Report(id=f"other{i}", agency=f"其他{i}", year=2021, text="报告") for i in range(300)]
    for i in range(250):  # 250 agencies of three reports each, the word in one of them for the first 40
        text = "行政复议" if i < 40 else "报告"
        reports += [
            Report(id=f"three{i}-{y}", agency=f"三份{i}", year=y, text=text if y == 2023 else "报告")
            for y in (2021, 2022, 2023)
        ]
    for i in range(120):  # 120 agencies of two reports, the word in both
        reports += [Report(id=f"two{i}-{y}", agency=f"两份{i}", year=y, text="行政复议") for y in (2021, 2022)]
    b = EmbeddedBackend(tmp_path / "x.index", cached_queries=0)
    for start in range(0, len(reports), 300):  # several segments
        b.add(reports[start : start + 300])
    for query in (Query(text="行政复议"), Query(text="行政复议", year_from=2021)):  # 280 of 1,290 reports
        agencies = b.search(replace(query, facets=("agency",), facet_limit=30, limit=0)).facets["agency"]
        assert len(agencies) == 30 and set(agencies.values()) == {1}  # not the two-report agencies, hit twice
        assert set(agencies) <= {f"三份{i}" for i in range(40)}  # ranked among the agencies of most reports
        every = b.search(replace(query, facets=("agency",), limit=0)).facets["agency"]
        assert len(every) == 100 and set(every.values()) == {2}  # only 40 of those hit: every agency counted


def test_a_killed_rebuild_leaves_nothing_behind(tmp_path):
    b = EmbeddedBackend(tmp_path / "x.index")
    b.add(handmade())
    live = (tmp_path / "x.index" / "current").resolve().name
    abandoned = b._new_generation()  # what a rebuild killed half-way leaves: a generation, a temporary link
    (tmp_path / "x.index" / ".current-999999999").symlink_to(abandoned.name)
    every = sorted(p.name for p in (tmp_path / "x.index").iterdir())
    guard = b._fresh_index().writer(15_000_000, 1)  # as a rebuild running in another process holds it
    EmbeddedBackend(tmp_path / "x.index")
    assert sorted(p.name for p in (tmp_path / "x.index").iterdir()) == every  # a running rebuild is left alone
    guard.rollback()
    del guard
    again = EmbeddedBackend(tmp_path / "x.index")
    assert sorted(p.name for p in (tmp_path / "x.index").iterdir()) == ["current", live]
    assert again.count() == 3


def test_unknown_facet_is_a_clear_error(backend):
    with pytest.raises(ValueError, match="unknown facet"):
        backend.search(Query(facets=("colour",)))


def test_update_replaces_and_delete_removes(tmp_path):
    b = EmbeddedBackend(tmp_path / "x.index")
    first = handmade()
    b.add(first)
    changed = Report(**{**first[0].__dict__, "title": "卫滨区2023年报告（修订版）"})
    b.add([changed])
    assert b.count() == 3
    assert b.search(Query(text="修订版")).hits[0].id == changed.id
    b.delete([changed.id])
    assert b.count() == 2 and b.search(Query(text="卫滨")).total == 0


def test_a_reader_sees_another_writers_commits_at_once(tmp_path):
    reader = EmbeddedBackend(tmp_path / "x.index")
    writer = EmbeddedBackend(tmp_path / "x.index")
    assert reader.search(Query(text="卫滨")).total == 0
    writer.add(handmade())
    assert reader.search(Query(text="卫滨")).total == 1


def test_rebuild_swaps_in_a_fresh_generation(tmp_path, corpus):
    b = EmbeddedBackend(tmp_path / "x.index")
    b.add(handmade())
    old = (tmp_path / "x.index" / "current").resolve()
    reader = EmbeddedBackend(tmp_path / "x.index")  # another reader, opened before the rebuild
    b.rebuild(corpus[3:50])
    new = (tmp_path / "x.index" / "current").resolve()
    assert new != old and not old.exists()
    assert b.count() == 47
    assert reader.search(Query(limit=0)).total == 47  # readers follow the swap
    assert sorted(p.name for p in (tmp_path / "x.index").iterdir()) == ["current", new.name]


def test_no_other_writer_can_add_during_a_rebuild(tmp_path):
    b = EmbeddedBackend(tmp_path / "x.index")
    other = EmbeddedBackend(tmp_path / "x.index")
    b.add(handmade()[:1])
    refused = []

    def reports():
        yield from handmade()
        try:
            other.add(handmade()[1:])
        except ValueError as exc:  # tantivy: LockBusy
            refused.append(str(exc))

    b.rebuild(reports())
    assert refused and "lock" in refused[0].lower()
    other.add(handmade()[1:])  # after the swap it goes into the new generation
    assert b.count() == 3 and other.count() == 3


def test_failed_rebuild_leaves_the_live_index(tmp_path):
    b = EmbeddedBackend(tmp_path / "x.index")
    b.add(handmade())

    def broken():
        yield from handmade()[:1]
        raise RuntimeError("store went away")

    with pytest.raises(RuntimeError):
        b.rebuild(broken())
    assert b.count() == 3
    assert [p.name for p in (tmp_path / "x.index").iterdir() if p.name.startswith("gen-")] == [
        (tmp_path / "x.index" / "current").resolve().name
    ]


def test_kill_9_during_xxgk_index_rebuild_then_the_next_start_cleans_up(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from xxgk.store import Store

    db = tmp_path / "store.db"
    with Store(db) as store:
        for report in generated(2000, seed=5):
            store.save(report)
    command = [sys.executable, "-m", "xxgk.cli", "index", "--db", str(db)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run(command, check=True, env=env, capture_output=True)
    folder = tmp_path / "store.db.index"
    live = (folder / "current").resolve().name
    rebuild = subprocess.Popen([*command, "--rebuild"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not [p for p in folder.glob("gen-*") if p.name != live]:
        assert rebuild.poll() is None and time.monotonic() < deadline, "the rebuild ended before it could be killed"
        time.sleep(0.005)
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait()
    assert len(list(folder.glob("gen-*"))) == 2  # the half-built generation is left behind
    backend = EmbeddedBackend(folder)  # the next start (xxgk index, search or serve)
    assert sorted(p.name for p in folder.iterdir()) == ["current", live]
    assert backend.count() == 2000


def test_facet_values_indexed_by_another_process_are_named(tmp_path, corpus):
    """Facet values are counted by their codes; a reader that never indexed them names them from the index."""
    EmbeddedBackend(tmp_path / "x.index").add(corpus)
    reader = EmbeddedBackend(tmp_path / "x.index")  # its table of values is empty
    result = reader.search(Query(text="行政复议", facets=FACETS, limit=0))
    expected = [r for r in corpus if "行政复议" in search_form(searchable(r))]
    assert result.total == len(expected)
    assert_facets(result, expected)


def test_stored_documents_keep_their_block_size_across_commits(tmp_path, corpus):
    """The generation's 64 KB store blocks (set in its meta.json before the first commit) survive later commits."""
    b = EmbeddedBackend(tmp_path / "x.index")
    b.rebuild(corpus[:20])
    b.add(corpus[20:40])
    meta = json.loads((tmp_path / "x.index" / "current" / "meta.json").read_text())
    assert meta["index_settings"]["docstore_blocksize"] == STORE_BLOCK and b.count() == 40
