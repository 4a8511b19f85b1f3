"""``--where`` on search: the CLI, the JSON API and the backend find exactly the reports the condition matches."""

from __future__ import annotations

import json
import operator
import sqlite3
import urllib.error
import urllib.parse
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import index_dir
from indexer.embedded import EmbeddedBackend
from indexer.query import Query, QueryError, resolve_where
from indexer.sync import sync
from indexer.web import BackgroundServer, create_app
from xxgk.cli import main
from xxgk.data import audit, facts
from xxgk.store import Store

CONDITIONS = (
    "requests.new.total>=10",
    "requests.new.total>=10 and review.total>0",
    "requests.granted.total<3 or requests.denied.state_secret.total>0",
    "公开率>0.5",
    "requests.new.total>1000000",  # nothing
)


@pytest.fixture(scope="module")
def indexed(generated_store, tmp_path_factory):
    db = generated_store(tmp_path_factory.mktemp("where") / "xxgk.db", 60)
    with Store(db) as store:
        sync(store, EmbeddedBackend(db.with_name("xxgk.db.index")), rebuild=True)
    return db


def brute(store: Store, condition: str) -> set[str]:
    from xxgk.data.where import parse_where

    where = parse_where(condition)
    return {r.id for r in store.reports() if where.matches(r.tables)}


@pytest.mark.parametrize("condition", CONDITIONS)
def test_search_with_where_equals_a_brute_force_filter(indexed, condition):
    with Store(indexed) as store:
        query = resolve_where(Query(where=condition, limit=100, facets=("year",)), store)
        expected = brute(store, condition)
    result = EmbeddedBackend(indexed.with_name("xxgk.db.index")).search(query)
    assert {hit.id for hit in result.hits} == expected
    assert result.total == len(expected) == sum(result.facets["year"].values())


def test_cli_and_api_take_where(indexed, capsys):
    condition = CONDITIONS[1]
    with Store(indexed) as store:
        expected = brute(store, condition)
        with BackgroundServer(create_app(store, EmbeddedBackend(indexed.with_name("xxgk.db.index")))) as server:
            query = urllib.parse.urlencode({"where": condition, "limit": 100})
            with urllib.request.urlopen(f"{server.url}/api/search?{query}", timeout=10) as response:
                answer = json.loads(response.read())
            failing = {r.id for r in store.reports() if any(c.rule == 3 for c in r.checks)}
            query = urllib.parse.urlencode({"rule": 3, "where": "requests.new.total>=0", "limit": 100})
            with urllib.request.urlopen(f"{server.url}/api/search?{query}", timeout=10) as response:
                by_rule = json.loads(response.read())
            with pytest.raises(urllib.error.HTTPError) as bad:
                urllib.request.urlopen(f"{server.url}/api/search?where=requests.nope%3E1", timeout=10)
    assert {h["id"] for h in answer["hits"]} == expected
    with Store(indexed) as store:
        known = {r.id for r in store.reports() if r.tables.get("requests.new", {}).get("total") is not None}
    assert {h["id"] for h in by_rule["hits"]} == failing & known and failing
    assert bad.value.code == 400 and json.loads(bad.value.read())["param"] == "where"
    code = main(["search", "--db", str(indexed), "--where", "requests.new.total>=10", "--where", "review.total>0"])
    assert code == 0 and capsys.readouterr().out
    code = main(["search", "--db", str(indexed), *("--where", condition), "--json", "--limit", "100"])
    assert code == 0 and {h["id"] for h in json.loads(capsys.readouterr().out)["hits"]} == expected


def test_a_bad_condition_is_a_query_error_naming_the_parameter():
    with pytest.raises(QueryError) as caught:
        Query.from_params({"where": "requests.new.total >> 3"})
    assert caught.value.param == "where"


# -- property: search with a random condition finds exactly what a brute-force filter of the store finds ------

OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq}
OPS |= {"==": operator.eq, "!=": operator.ne}
# Cells the generated reports fill (so conditions match some reports and not others).
KEYS = (
    "requests.new.total",
    "requests.granted.total",
    "requests.partially_granted.total",
    "requests.carried_over.total",
    "review.total",
    "review.corrected",
    "litigation_direct.total",
)
LEAF = st.tuples(
    st.sampled_from(KEYS), st.sampled_from(list(OPS)), st.one_of(st.integers(0, 60), st.sampled_from(KEYS))
)
TREE = st.recursive(
    LEAF, lambda kids: st.tuples(st.sampled_from(["and", "or"]), st.lists(kids, min_size=2, max_size=3))
)


def render(tree) -> str:
    if tree[0] in ("and", "or"):
        return f" {tree[0]} ".join(f"({render(kid)})" for kid in tree[1])
    key, op, right = tree
    return f"{key} {op} {right}"


def holds(tree, cells: dict) -> bool:
    if tree[0] in ("and", "or"):
        results = [holds(kid, cells) for kid in tree[1]]
        return all(results) if tree[0] == "and" else any(results)
    key, op, right = tree
    a, b = cells.get(key), (right if isinstance(right, int) else cells.get(right))
    return a is not None and b is not None and OPS[op](a, b)


@pytest.fixture(scope="module")
def flat_cells(indexed):
    with Store(indexed) as store:
        return {r.id: (r.year, facts.flat(r.tables)) for r in store.reports()}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREE, year=st.sampled_from([None, "2019-2021", "2022"]))
def test_search_where_equals_brute_force_on_random_conditions(indexed, flat_cells, tree, year):
    params = {"where": render(tree), "limit": "100"} | ({"year": year} if year else {})
    with Store(indexed) as store:
        query = resolve_where(Query.from_params(params), store)
    result = EmbeddedBackend(indexed.with_name("xxgk.db.index")).search(query)
    low, high = (int(y) for y in (year.split("-") * 2)[:2]) if year else (0, 0)
    expected = {
        rid
        for rid, (y, cells) in flat_cells.items()
        if holds(tree, cells) and (year is None or (y is not None and low <= y <= high))
    }
    assert {hit.id for hit in result.hits} == expected and result.total == len(expected)


def test_search_by_rule_finds_both_reports_of_each_cross_year_failure(demo_crawl, tmp_path, capsys):
    db = tmp_path / "demo.db"  # a copy of the shared crawl, indexed beside it
    with Store(demo_crawl.db) as shared, sqlite3.connect(db) as copy:
        shared.db.backup(copy)
    index = index_dir(db)
    with Store(db) as store:
        sync(store, EmbeddedBackend(index), rebuild=True)
        checks = audit.all_checks(store)
        own = {r.id for r in store.reports() if any(c.rule == 3 for c in r.checks)}
    backend = EmbeddedBackend(index)
    for rule in (7, 8):
        expected = {i for c in checks if c.rule == rule for i in (c.earlier, c.later)}
        assert expected
        with Store(db) as store:
            query = resolve_where(Query.from_params({"rule": str(rule), "limit": "100"}), store)
        assert {hit.id for hit in backend.search(query).hits} == expected
    with Store(db) as store:
        query = resolve_where(Query.from_params({"rule": "3", "limit": "100"}), store)
    assert {hit.id for hit in backend.search(query).hits} == own
    argv = ["search", "--db", str(db), "--rule", "7", "--json", "--limit", "100"]
    assert main(argv) == 0
    seven = {i for c in checks if c.rule == 7 for i in (c.earlier, c.later)}
    assert {h["id"] for h in json.loads(capsys.readouterr().out)["hits"]} == seven
    with pytest.raises(QueryError) as bad:
        Query.from_params({"rule": "12"})
    assert bad.value.param == "rule"
