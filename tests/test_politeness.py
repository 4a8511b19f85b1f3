"""Politeness at small scale: 5 rate-limited loopback sites, crawled by one process and by 2 workers on Redis.

A site never sees two requests closer than 1/rate apart (each host's next request leaves only 1/rate after
the previous response), robots.txt included, and the crawl stays close to the ideal time. Workers on Redis
fetch each site's robots.txt once between them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bench.politeness import crawl_on_redis, politeness_settings
from crawler.run import crawl
from xxgk.portal.many import ManySites

RATE = 4.0  # requests/s per site: the sites refuse a request sooner than 0.2 s after the previous one
SITES = 5


def check(arrivals: dict[str, list[float]], refused: int, fraction: float) -> None:
    assert all(arrivals.values()), "every site was crawled"
    assert refused == 0, f"{refused} requests came sooner than the site's interval"
    gaps = [b - a for times in arrivals.values() for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 1 / RATE, f"two requests {min(gaps):.3f}s apart at one site"
    start = min(times[0] for times in arrivals.values())
    end = max(times[-1] for times in arrivals.values())
    ideal = max(len(times) for times in arrivals.values()) / RATE
    measured = end - start + 1 / RATE
    assert ideal / measured >= fraction, f"ideal {ideal:.1f}s, measured {measured:.1f}s"


def test_one_process_spaces_every_site_and_is_close_to_ideal(tmp_path: Path) -> None:
    with ManySites(count=SITES, rate=RATE) as portal:
        portal.warm()
        settings = politeness_settings(RATE, SITES)
        crawl(portal.config(), db=tmp_path / "x.db", settings_overrides=settings, throttle=True)
        check(portal.arrivals(), sum(portal.refused.values()), 0.7)


def test_two_workers_on_redis_space_every_site_together(tmp_path: Path, redis_class) -> None:
    """``redis_class``: skipped (with the reason) where no redis-server is installed."""
    with ManySites(count=SITES, rate=RATE) as portal:
        portal.warm()
        settings = politeness_settings(RATE, SITES)
        crawl_on_redis(portal, tmp_path, settings, workers=2, rate=RATE, tick=0.05)
        check(portal.arrivals(), sum(portal.refused.values()), 0.6)
        robots = Counter(r.site for r in portal.log.snapshot() if r.path == "/robots.txt")
        assert robots == {name: 1 for name in portal.gates}  # fetched once per run, for both workers and the spider
