"""``--where`` on Meilisearch: the translated filter, read with Meilisearch's semantics over the documents'
numeric fields, selects exactly what the store-side filter selects."""

from __future__ import annotations

import json
import operator
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.meili import FILTERABLE, SETTINGS, MeiliBackend, to_documents
from indexer.query import Query, resolve_where
from xxgk.data import facts
from xxgk.data.meili import FIELDS, fields, to_filter
from xxgk.data.metrics import METRICS
from xxgk.data.where import matching_ids, parse_where
from xxgk.store import Store

OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq, "!=": operator.ne}
TOKEN = re.compile(r"\s*(\(|\)|AND\b|OR\b|EXISTS\b|>=|<=|!=|=|>|<|[-\d.]+(?![\w.])|[\w.]+)")


def meili_matches(tokens: list[str], doc: dict) -> bool:
    """Meilisearch's reading of a filter (as tokens): a missing attribute fails a comparison, except ``!=``."""
    pos = 0

    def expr() -> bool:
        nonlocal pos
        result = term()
        while pos < len(tokens) and tokens[pos] in ("AND", "OR"):
            joiner = tokens[pos]
            pos += 1
            right = term()
            result = (result and right) if joiner == "AND" else (result or right)
        return result

    def term() -> bool:
        nonlocal pos
        if tokens[pos] == "(":
            pos += 1
            result = expr()
            pos += 1  # ")"
            return result
        name, op = tokens[pos], tokens[pos + 1]
        if op == "EXISTS":
            pos += 2
            return name in doc
        value = float(tokens[pos + 2])
        pos += 3
        if name not in doc:
            return op == "!="
        return OPS[op](doc[name], value)

    return expr()


@pytest.fixture(scope="module")
def store(generated_store, tmp_path_factory):
    with Store(generated_store(tmp_path_factory.mktemp("meili") / "gen.db", 150, seed=9)) as opened:
        facts.sync(opened)
        yield opened


@pytest.fixture(scope="module")
def docs(store):
    return [(r.id, fields_of(to_documents(r)[0])) for r in store.reports()]


def test_documents_carry_every_numeric_field_as_filterable(store):
    assert set(FIELDS) <= set(FILTERABLE) and len(FIELDS) == len(facts.CELLS) + len(METRICS)
    report = next(store.reports())
    doc = to_documents(report)[0]
    assert doc["cell.requests.new.total"] == report.tables["requests.new"]["total"]
    assert all(isinstance(doc[k], int | float) for k in FIELDS if k in doc)


def fields_of(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k in FIELDS}


def test_two_attributes_have_no_translation():
    assert to_filter(parse_where("requests.granted.total > requests.unavailable.not_held.total")) is None
    assert to_filter(parse_where("requests.new.total >= 100")) == "cell.requests.new.total >= 100"
    assert to_filter(parse_where("0.5 < 公开率")) == "metric.disclosure_rate > 0.5"
    assert to_filter(parse_where("review.total != 0")) == "(cell.review.total EXISTS AND cell.review.total != 0)"


SIDES = st.one_of(st.sampled_from(facts.CELLS), st.sampled_from(list(METRICS)))
LEAF = st.builds(
    lambda key, op, value, flip: f"{value} {op} {key}" if flip else f"{key} {op} {value}",
    SIDES,
    st.sampled_from(["<", "<=", ">", ">=", "=", "==", "!="]),
    st.one_of(st.integers(0, 60), st.sampled_from([0.25, 0.5, 0.75])),
    st.booleans(),
)
TEXTS = st.recursive(
    LEAF,
    lambda kids: st.builds(lambda a, j, b: f"({a}) {j} ({b})", kids, st.sampled_from(["and", "or"]), kids),
    max_leaves=6,
)


def test_documents_fields_are_the_reports_known_values(store, docs):
    for rid, doc in docs:
        assert fields(store.get(rid)) == doc


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_meili_filter_selects_what_the_store_selects(store, docs, text):
    where = parse_where(text)
    translated = to_filter(where)
    assert translated is not None
    tokens = TOKEN.findall(translated)
    assert [rid for rid, doc in docs if meili_matches(tokens, doc)] == matching_ids(store, where)


# -- up to the HTTP call: what the backend hands the official client (no server, no stand-in for one) --------


def test_settings_documents_and_searches_carry_the_numeric_filters(store):
    """The settings declare every numeric field filterable, the documents carry them, and a search's filter
    (``search_params``, what ``MeiliBackend.search`` passes to ``Index.search``) is the translated condition."""
    assert set(FIELDS) <= set(SETTINGS["filterableAttributes"])
    reports = list(store.reports())[:3]
    documents = to_documents(reports[0])
    assert fields_of(documents[0]) == fields(reports[0]) and fields(reports[0])
    backend = MeiliBackend("http://127.0.0.1:1", "key", index="t")  # the client connects only when called

    def sent_filter(query: Query) -> list[str]:
        return backend.search_params(resolve_where(query, store))[1]["filter"]

    translatable = "requests.new.total >= 10 and 公开率 < 0.5"
    first = sent_filter(Query(where=translatable))
    two_cells = "requests.granted.total > requests.unavailable.not_held.total"
    second = sent_filter(Query(where=two_cells))
    third = sent_filter(Query(where=translatable, rule=3))
    assert "(cell.requests.new.total >= 10 AND metric.disclosure_rate < 0.5)" in first
    assert not any(part.startswith("report_id IN") for part in first)  # the numeric filter, not a list of ids
    ids = sorted(matching_ids(store, parse_where(two_cells)))
    assert f"report_id IN [{', '.join(json.dumps(i) for i in ids)}]" in second and ids
    assert "(cell.requests.new.total >= 10 AND metric.disclosure_rate < 0.5)" in third
    assert any(part.startswith("report_id IN") for part in third)  # the rule's reports, from the store
