"""End to end against the demo portal: find every report and nothing else, exact tables, robots, incremental runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.canonical import canonical_url
from crawler.run import crawl
from crawler.sites import load_sites
from xxgk.model import report_id
from xxgk.portal import DemoPortal, placeholder
from xxgk.store import RunSummary, Store


@dataclass
class Runs:
    portal: DemoPortal
    db: Path
    first: RunSummary
    second: RunSummary
    third: RunSummary
    edited_url: str
    log_first: list
    log_second: list


def _document_requests(portal: DemoPortal, log: list) -> list:
    """Logged requests for report documents (truth URLs, tracking parameters ignored)."""
    truth = {canonical_url(u) for u in portal.truth}
    out = []
    for entry in log:
        base = portal.site(entry.site).base_url
        if canonical_url(base + entry.path) in truth:
            out.append(entry)
    return out


@pytest.fixture(scope="module")
def runs(fast_settings, tmp_path_factory) -> Runs:
    db = tmp_path_factory.mktemp("e2e") / "xxgk.db"
    with DemoPortal(seed=0, scale=1) as portal:
        config = portal.config()
        first = crawl(config, db=db, throttle=False, settings_overrides=fast_settings)
        log_first = portal.request_log
        second = crawl(config, db=db, throttle=False, settings_overrides=fast_settings)
        log_second = portal.request_log[len(log_first) :]
        edited_url = sorted(portal.truth)[len(portal.truth) // 2]
        portal.edit(edited_url)
        third = crawl(config, db=db, throttle=False, settings_overrides=fast_settings)
        yield Runs(portal, db, first, second, third, edited_url, log_first, log_second)


def test_every_report_found_and_nothing_else(runs):
    with Store(runs.db) as store:
        stored = {r.url for r in store.reports()}
    truth = {canonical_url(u) for u in runs.portal.truth}
    assert stored == truth
    assert not stored & {canonical_url(u) for u in runs.portal.non_reports}
    assert runs.first.new == len(truth)


def test_tables_equal_the_truth(runs):
    with Store(runs.db) as store:
        wrong = {
            url: (report.tables if report else None)
            for url, truth in runs.portal.truth.items()
            if (report := store.get(report_id(canonical_url(url)))) is None or report.tables != truth.tables
        }
    assert not wrong, f"{len(wrong)} reports with cells differing from the truth: {sorted(wrong)[:5]}"


def test_region_and_site_come_from_the_config(runs):
    with Store(runs.db) as store:
        for report in store.reports():
            site = runs.portal.site_of(report.url)
            assert report.site == site.name
            assert report.region.province == site.region.province
            assert report.region.code is not None


def test_robots_disallowed_urls_are_never_requested(runs):
    prefixes = {(urlsplit(u).port, urlsplit(u).path) for u in runs.portal.disallowed}
    for entry in runs.log_first + runs.log_second:
        port = urlsplit(runs.portal.site(entry.site).base_url).port
        assert not any(port == p and entry.path.startswith(path) for p, path in prefixes), entry.path


def test_broken_links_are_reported_as_failed(runs):
    broken = {canonical_url(u) for u, kind in runs.portal.fault_urls.items() if kind == "not_found"}
    failures = dict(runs.first.failures)
    assert broken <= set(failures)
    assert all(failures[u] == "HTTP 404" for u in broken)


def test_second_run_is_all_conditional_and_unchanged(runs):
    assert (runs.second.new, runs.second.changed) == (0, 0)
    assert runs.second.unchanged == len(runs.portal.truth)
    documents = _document_requests(runs.portal, runs.log_second)
    assert documents, "the second run should revalidate every document"
    for entry in documents:
        headers = {k.lower() for k in entry.headers}
        assert {"if-none-match", "if-modified-since"} & headers, entry.path
        assert entry.status == 304, entry.path


def test_an_edit_is_one_change_and_the_old_version_is_kept(runs):
    assert (runs.third.new, runs.third.changed) == (0, 1)
    url = canonical_url(runs.edited_url)
    with Store(runs.db) as store:
        current = store.get(report_id(url))
        old = store.versions(report_id(url))
    assert current is not None and len(old) == 1
    assert old[0].content_hash != current.content_hash
    assert current.tables == runs.portal.truth[runs.edited_url].tables


def test_shipped_demo_config_matches_the_portal():
    names = [site["name"] for site in DemoPortal(seed=0).template_config()["sites"]]
    env = {placeholder(name)[2:-1]: f"http://127.0.0.1:{port}" for port, name in enumerate(names)}
    shipped = load_sites(Path(__file__).resolve().parents[1] / "config" / "demo.yaml", env=env)
    assert shipped == load_sites(DemoPortal(seed=0).template_config(), env=env)


def test_post_list_pages_are_fetched_again_and_no_document_is_downloaded_again(runs):
    """Re-crawl: the data proxy's POSTs and the JSON pages go out again; no document is downloaded again."""

    def posts(log: list) -> list[tuple[str, str]]:  # answered ones: the flaky page's 500 was retried
        return sorted((e.path, e.body) for e in log if e.method == "POST" and e.status == 200)

    assert posts(runs.log_first) and posts(runs.log_second) == posts(runs.log_first)
    assert all(e.status == 200 for e in runs.log_second if e.method == "POST")
    documents = {canonical_url(u) for u in set(runs.portal.truth) | runs.portal.non_reports}
    downloaded = [
        (e.site, e.path)
        for e in runs.log_second
        if e.status == 200 and canonical_url(runs.portal.site(e.site).base_url + e.path) in documents
    ]
    assert downloaded == []

    def lists(log: list) -> list[tuple[str, str, str, str]]:  # everything else answered 200: robots.txt, list pages
        return sorted(
            (e.site, e.method, e.path, e.body)
            for e in log
            if e.site in ("jpage", "json")
            and e.status == 200
            and canonical_url(runs.portal.site(e.site).base_url + e.path) not in documents
        )

    assert len(lists(runs.log_first)) > 6 and lists(runs.log_second) == lists(runs.log_first)


def test_a_failing_post_page_is_retried_with_its_form(runs):
    flaky = [u for u, kind in runs.portal.fault_urls.items() if kind == "flaky" and "/dataproxy.jsp?" in u]
    assert flaky
    for url in flaky:
        path = url.removeprefix(runs.portal.site_of(url).base_url)
        answers = [(e.status, e.body) for e in runs.log_first if e.method == "POST" and e.path == path]
        assert [status for status, _ in answers] == [500, 200] and answers[0][1] == answers[1][1]
