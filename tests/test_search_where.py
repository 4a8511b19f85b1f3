"""``--where`` on search: the CLI, the JSON API and the backend find exactly the reports the condition matches."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from indexer.embedded import EmbeddedBackend
from indexer.query import Query, QueryError, resolve_where
from indexer.sync import sync
from indexer.web import BackgroundServer, create_app
from xxgk.cli import main
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
            with pytest.raises(urllib.error.HTTPError) as bad:
                urllib.request.urlopen(f"{server.url}/api/search?where=requests.nope%3E1", timeout=10)
    assert {h["id"] for h in answer["hits"]} == expected
    assert bad.value.code == 400 and json.loads(bad.value.read())["param"] == "where"
    code = main(["search", "--db", str(indexed), "--where", "requests.new.total>=10", "--where", "review.total>0"])
    assert code == 0 and capsys.readouterr().out
    code = main(["search", "--db", str(indexed), *("--where", condition), "--json", "--limit", "100"])
    assert code == 0 and {h["id"] for h in json.loads(capsys.readouterr().out)["hits"]} == expected


def test_a_bad_condition_is_a_query_error_naming_the_parameter():
    with pytest.raises(QueryError) as caught:
        Query.from_params({"where": "requests.new.total >> 3"})
    assert caught.value.param == "where"
