"""Derived metrics (null-aware) and the cross-year audit over a store (pairs, blanks, recomputation)."""

from __future__ import annotations

import dataclasses
import math
import random

import numpy as np
import pytest

from xxgk.data import audit, facts
from xxgk.data.metrics import METRICS, metric
from xxgk.generate import generate
from xxgk.generate.numbers import consistent_tables
from xxgk.generate.series import chain
from xxgk.model import Region, Report, content_hash, report_id
from xxgk.store import Store


def test_metric_formulas_on_hand_made_cells():
    cells = {
        "requests.granted.total": 6,
        "requests.partially_granted.total": 2,
        "requests.total.total": 10,
        "review.corrected": 1,
        "review.total": 4,
    }
    assert metric("公开率").value(cells) == 0.8
    assert metric("review_correction_rate").value(cells) == 0.25
    assert metric("行政复议纠错率") is METRICS["review_correction_rate"]
    assert metric("disclosure_rate").value({**cells, "requests.partially_granted.total": None}) is None
    assert metric("disclosure_rate").value({**cells, "requests.total.total": 0}) is None  # 0 / 0 is null
    assert metric("litigation_correction_rate").value(cells) is None  # blank cells, not 0
    assert all(m.label and m.formula for m in METRICS.values())


def test_matrix_and_single_report_metrics_agree(generated_store, tmp_path):
    with Store(generated_store(tmp_path / "m.db", 120)) as store:
        loaded = facts.load(store)
        by_id = {r.id: facts.flat(r.tables) for r in store.reports()}
    nulls = 0
    for m in METRICS.values():
        column = m.column(loaded)
        values = [m.value(by_id[rid]) for rid in loaded.columns["id"]]
        assert any(v is not None for v in values), m.name
        nulls += values.count(None)
        for got, want in zip(column, values, strict=True):
            assert (math.isnan(got) and want is None) or got == want
    assert nulls > 0


def saved(store: Store, agency: str, year: int, tables, code: str = "410703") -> Report:
    url = f"https://a.invalid/{code}/{agency}/{year}.html"
    text = f"{agency}{year}{tables!r}"
    report = Report(
        id=report_id(url),
        url=url,
        agency=agency,
        year=year,
        region=Region("河南省", "新乡市", "卫滨区", code),
        tables=tables,
        content_hash=content_hash(text.encode()),
    )
    store.save(report)
    return report


def series_tables(n: int, seed: int = 5):
    """``n`` years of one agency, chained by the generator without planted breaks."""
    rng = random.Random(seed)
    reports = [
        dataclasses.replace(generate(rng, year=2019 + i), tables=consistent_tables(rng, "county")) for i in range(n)
    ]
    assert chain(reports, rng, plant=0) == []
    return [r.tables for r in reports]


def test_consistent_years_pass_and_each_break_names_both_reports(tmp_path):
    first, second, third = series_tables(3)
    with Store(tmp_path / "a.db") as store:
        a = saved(store, "卫滨区人民政府", 2019, first)
        b = saved(store, "卫滨区人民政府", 2020, second)
        saved(store, "卫滨区人民政府", 2022, third)  # 2021 missing: not compared with 2020
        facts.sync(store)
        assert [c.rule for c in audit.all_checks(store) if c.rule != 9] == []
        broken = {row: dict(cols) for row, cols in second.items()}
        broken["requests.carried_over"]["legal"] += 3
        broken["proactive.normative_documents"]["in_force"] += 1
        b = saved(store, "卫滨区人民政府", 2020, broken)
        facts.sync(store)
        found = {c.rule: c for c in audit.checks_of(store, a.id)}
        assert {7, 8} <= set(found)
        assert (found[7].earlier, found[7].later) == (a.id, b.id)
        assert found[7].earlier_cells == ("requests.carried_forward.legal",)
        assert found[7].later_cells == ("requests.carried_over.legal",)
        assert found[8].later_cells[0] == "proactive.normative_documents.in_force"
        assert {c.rule for c in audit.checks_of(store, b.id)} >= {7, 8}
        assert audit.failed_ids(store, [7]) == {a.id, b.id}
        assert facts.load(store, facts.Selection(rules=(7,))).columns["id"] == sorted(
            [a.id, b.id], key=lambda i: store.get(i).url
        )
        saved(store, "卫滨区人民政府", 2020, second)  # fixed again: the checks go away
        facts.sync(store)
        assert [c for c in audit.checks_of(store, a.id) if c.rule != 9] == []


def test_blank_cells_other_agencies_and_other_divisions_are_not_compared(tmp_path):
    zero, first, second = series_tables(3)
    blank = {row: dict(cols) for row, cols in second.items()}
    blank["requests.carried_over"] = dict.fromkeys(blank["requests.carried_over"])
    blank["proactive.regulations"]["in_force"] = None
    blank["proactive.normative_documents"]["in_force"] = None
    blank["requests.total"]["total"] = 10**6  # rules 1–6 are the report's own business
    shifted = {row: dict(cols) for row, cols in second.items()}
    shifted["requests.carried_over"]["total"] += 99
    earlier = {row: dict(cols) for row, cols in zero.items()}
    earlier["requests.carried_forward"]["total"] += 1  # breaks rule 7 against 2021 (and rule 1 of itself)
    with Store(tmp_path / "b.db") as store:
        a = saved(store, "甲镇人民政府", 2021, first)
        saved(store, "甲镇人民政府", 2022, blank)
        saved(store, "乙镇人民政府", 2022, shifted)  # another agency
        saved(store, "甲镇人民政府", 2022, shifted, code="410704")  # the same name elsewhere
        old = saved(store, "甲 镇人民政府", 2020, earlier)  # spaces do not make another agency
        facts.sync(store)
        found = [c for c in audit.all_checks(store) if c.rule in (7, 8)]
    assert [(c.rule, c.earlier, c.later, c.later_cells) for c in found] == [
        (7, old.id, a.id, ("requests.carried_over.total",))
    ]
    assert "上年结转" in found[0].message


def test_anomaly_flag_needs_ten_times_and_both_values_at_least_twenty():
    def vector(**cells):
        tables: dict = {}
        for key, value in cells.items():
            row, col = key.replace("__", ".").rsplit(".", 1)
            tables.setdefault(row, {})[col] = value
        return facts.vector(tables)

    def flagged(before, after) -> list[str]:
        checks = audit.pair_checks("a", vector(**before), "b", vector(**after))
        return [key for c in checks if c.rule == 9 for key in c.later_cells]

    key = "review__total"
    assert flagged({key: 20}, {key: 200}) == ["review.total"]
    assert flagged({key: 300}, {key: 30}) == ["review.total"]
    assert flagged({key: 20}, {key: 199}) == []
    assert flagged({key: 19}, {key: 190}) == []
    assert flagged({key: None}, {key: 500}) == []


def test_sync_is_incremental(generated_store, tmp_path):
    with Store(generated_store(tmp_path / "c.db", 30)) as store:
        assert facts.sync(store) == 30
        assert facts.sync(store) == 0
        report = store.get(facts.load(store).columns["id"][0])
        changed = dataclasses.replace(report, tables={"review": {"total": 7}}, content_hash="changed")
        store.save(changed)
        assert facts.sync(store) == 1
        row = facts.load(store, facts.Selection(ids=(report.id,)))
        assert row.cell("review.total").tolist() == [7.0]
        assert np.isnan(row.cell("requests.new.total")).all()


@pytest.mark.parametrize("seed", range(3))
def test_the_generator_truth_says_every_cross_year_break(seed):
    from xxgk.portal.sites import build_sites

    for site in build_sites(seed, 1, False):
        ids = {id(r): str(i) for i, r in enumerate(site.truth.values())}
        vectors = {id(r): facts.vector(r.tables) for r in site.truth.values()}
        by_agency: dict[str, list] = {}
        for r in site.truth.values():
            by_agency.setdefault(r.agency, []).append(r)
        found = set()
        for reports in by_agency.values():
            for before in reports:
                for after in reports:
                    if after.year == before.year + 1:
                        checks = audit.pair_checks(
                            ids[id(before)], vectors[id(before)], ids[id(after)], vectors[id(after)]
                        )
                        found |= {(c.rule, c.earlier, c.later) for c in checks if c.rule in (7, 8)}
        assert found == {(p.rule, ids[id(p.earlier)], ids[id(p.later)]) for p in site.cross_year}
