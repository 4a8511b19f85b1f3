"""bench/search.py's generated corpus: a cycle of reports repeats their content under fresh ids."""

from dataclasses import replace

from bench.search import Truth, queries, stream


def test_a_cycle_repeats_the_first_reports_with_fresh_ids():
    plain = list(stream(5))
    cycled = list(stream(12, cycle=5))
    assert cycled[:5] == plain
    assert len({r.id for r in cycled}) == len({r.url for r in cycled}) == 12
    for i, report in enumerate(cycled):
        assert replace(report, id=plain[i % 5].id, url=plain[i % 5].url) == plain[i % 5]


def test_the_truth_of_a_cycle_counts_every_copy():
    mix = queries(list(stream(50)))
    plain, cycled = Truth(mix), Truth(mix, cycle=50)
    list(plain.keep(stream(50)))
    list(cycled.keep(stream(150, cycle=50)))
    for _, query in mix:
        total, counts = plain.answer(query)
        assert cycled.answer(query) == (3 * total, {name: +(c + c + c) for name, c in counts.items()})
