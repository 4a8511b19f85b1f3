"""Politeness at small scale: 5 rate-limited loopback sites crawled by one process with per-host slots."""

from __future__ import annotations

from pathlib import Path

from bench.politeness import politeness_settings
from crawler.run import crawl
from xxgk.portal.many import ManySites

RATE = 4.0  # requests/s per site: the sites admit one request per 0.2 s (interval 0.25 s less 50 ms tolerance)


def test_five_sites_spaced_and_close_to_ideal(tmp_path: Path) -> None:
    with ManySites(count=5, rate=RATE) as portal:
        portal.warm()
        crawl(portal.config(), db=tmp_path / "x.db", settings_overrides=politeness_settings(RATE, 5), throttle=True)
        arrivals = portal.arrivals()
        refused = sum(portal.refused.values())
    assert all(arrivals.values()), "every site was crawled"
    total = sum(len(times) for times in arrivals.values())
    assert refused <= 0.05 * total, f"{refused} of {total} requests came sooner than the site's interval"
    start = min(times[0] for times in arrivals.values())
    end = max(times[-1] for times in arrivals.values())
    busiest = max(len(times) for times in arrivals.values())
    ideal = busiest / RATE
    measured = end - start + 1 / RATE
    assert ideal / measured >= 0.6, f"ideal {ideal:.1f}s, measured {measured:.1f}s"
