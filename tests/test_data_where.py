"""``--where``: the grammar, its errors, null-awareness, and equality with a brute-force filter (property test)."""

from __future__ import annotations

import operator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk.data import facts
from xxgk.data.metrics import METRICS
from xxgk.data.where import And, Compare, Or, WhereError, combine, matching_ids, parse_where
from xxgk.store import Store

OPS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "=": operator.eq}
OPS |= {"==": operator.eq, "!=": operator.ne}


@pytest.fixture(scope="module")
def store(generated_store, tmp_path_factory):
    with Store(generated_store(tmp_path_factory.mktemp("where") / "gen.db", 160)) as opened:
        facts.sync(opened)
        yield opened


@pytest.fixture(scope="module")
def records(store):
    return [(r.id, facts.flat(r.tables), r.tables) for r in store.reports()]


def test_a_bad_key_names_the_valid_ones():
    with pytest.raises(WhereError) as err:
        parse_where("requests.new.totl >= 100")
    message = str(err.value)
    assert "requests.new.total" in message and "公开率" in message and "review" in message


@pytest.mark.parametrize("text", ["requests.new.total => 5", "requests.new.total ~ 5", "requests.new.total 5"])
def test_a_bad_operator_names_the_valid_ones(text):
    with pytest.raises(WhereError, match=">= <= != == = > <"):
        parse_where(text)


@pytest.mark.parametrize(
    "text", ["", "(requests.new.total > 1", "requests.new.total > 1 and", "requests.new.total > 1 review.total > 1"]
)
def test_malformed_conditions_are_errors(text):
    with pytest.raises(WhereError):
        parse_where(text)


def test_and_binds_tighter_than_or_and_names_are_resolved():
    where = parse_where("requests.new.total>=100 or 公开率 < 0.5 AND review_correction_rate > 0")
    assert isinstance(where.root, Or) and isinstance(where.root.parts[1], And)
    first = where.root.parts[0]
    assert isinstance(first, Compare) and first.op == ">=" and first.right.value == 100
    assert where.root.parts[1].parts[0].left.metric is METRICS["disclosure_rate"]


def test_blank_cells_and_undefined_metrics_match_nothing():
    tables = {"requests.new": {"total": None}, "requests.total": {"total": 0}, "requests.granted": {"total": 0}}
    for op in OPS:
        assert not parse_where(f"requests.new.total {op} 0").matches(tables)
        assert not parse_where(f"公开率 {op} 0").matches(tables)  # 0 / 0 is null, not 0
    assert parse_where("requests.total.total = 0").matches(tables)


def test_several_conditions_all_hold(store, records):
    where = combine(["requests.new.total >= 10", "requests.granted.total > requests.unavailable.not_held.total"])
    expected = [
        rid
        for rid, cells, _ in records
        if (cells.get("requests.new.total") is not None and cells["requests.new.total"] >= 10)
        and None not in (cells.get("requests.granted.total"), cells.get("requests.unavailable.not_held.total"))
        and cells["requests.granted.total"] > cells["requests.unavailable.not_held.total"]
    ]
    assert 0 < len(expected) < len(records)
    assert matching_ids(store, where) == expected


# -- property: the parsed condition equals a brute-force evaluation of the same tree ------------------------

OPERANDS = st.one_of(
    st.sampled_from(facts.CELLS).map(lambda k: ("cell", k)),
    st.sampled_from(list(METRICS)).map(lambda m: ("metric", m)),
    st.sampled_from([m.label for m in METRICS.values()]).map(lambda m: ("metric", m)),
)
CONSTANTS = st.one_of(st.integers(0, 200), st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9, 1.5]))
LEAVES = st.tuples(
    st.just("cmp"),
    OPERANDS,
    st.sampled_from(list(OPS)),
    st.one_of(CONSTANTS.map(lambda c: ("const", c)), OPERANDS),
)
TREES = st.recursive(
    LEAVES,
    lambda kids: st.tuples(st.sampled_from(["and", "or"]), st.lists(kids, min_size=2, max_size=3)),
    max_leaves=12,
)
BY_LABEL = {m.label: m for m in METRICS.values()}


def value(operand, cells):
    kind, name = operand
    if kind == "const":
        return name
    if kind == "cell":
        return cells.get(name)
    return (METRICS.get(name) or BY_LABEL[name]).value(cells)


def brute(tree, cells) -> bool:
    if tree[0] == "cmp":
        _, left, op, right = tree
        a, b = value(left, cells), value(right, cells)
        return a is not None and b is not None and OPS[op](a, b)
    results = [brute(kid, cells) for kid in tree[1]]
    return all(results) if tree[0] == "and" else any(results)


def render(tree, spaced: bool) -> str:
    gap = " " if spaced else ""
    if tree[0] == "cmp":
        _, left, op, right = tree
        return f"{left[1]}{gap}{op}{gap}{right[1]}"
    parts = [f"({render(kid, spaced)})" if kid[0] != "cmp" else render(kid, spaced) for kid in tree[1]]
    return f" {tree[0]} ".join(parts)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=TREES, spaced=st.booleans())
def test_where_equals_a_brute_force_filter(store, records, tree, spaced):
    where = parse_where(render(tree, spaced))
    expected = [rid for rid, cells, _ in records if brute(tree, cells)]
    assert matching_ids(store, where) == expected
    assert [rid for rid, _, tables in records if where.matches(tables)] == expected
