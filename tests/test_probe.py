"""``xxgk probe`` on the demo portal's jpage and JSON sites: exactly the reports, every non-report with its
reason, the pagination with its page count, and a config entry that crawls the site completely."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crawler.canonical import canonical_url
from crawler.probe import probe
from crawler.run import crawl
from crawler.sites import parse_sites
from xxgk.portal import DemoPortal
from xxgk.store import Store

ROOT = Path(__file__).resolve().parents[1]
SITES = ("jpage", "json")


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(seed=0, scale=1) as demo:
        yield demo


def of_site(portal: DemoPortal, name: str, urls) -> set[str]:
    return {canonical_url(u) for u in urls if portal.site_of(u).name == name}


@pytest.fixture(scope="module")
def probes(portal):
    return {site.name: probe(site.start_urls[0]) for site in portal.sites}


@pytest.mark.parametrize("name", SITES)
def test_lists_exactly_the_reports_as_reports(portal, probes, name):
    result = probes[name]
    assert {canonical_url(c.url) for c in result.reports} == of_site(portal, name, portal.truth)
    assert result.seconds < 10


@pytest.mark.parametrize("name", SITES)
def test_every_non_report_has_its_reason(portal, probes, name):
    verdicts = {canonical_url(c.url): c for c in probes[name].candidates}
    non_reports = of_site(portal, name, portal.non_reports)
    assert non_reports <= set(verdicts)
    reasons = {verdicts[u].reason for u in non_reports}
    assert all(verdicts[u].verdict == "not a report" for u in non_reports)
    for word in ("指南", "预算", "通知", "工作要点", "法治政府建设", "企业年度报告"):
        assert f"not a report: {word}" in reasons, word


def test_jpage_records_proxy_pages_and_the_disallowed_record(portal, probes):
    result = probes["jpage"]
    posts = [p for p in result.list_pages if p.method == "POST"]
    assert posts and all(p.status == 200 and p.via == "data proxy" and p.links > 0 for p in posts)
    assert result.list_pages[0].content == "script records"
    (paging,) = result.pagination
    assert paging.how.startswith("data proxy (jpage") and paging.pages == 1 + len(posts)
    sources = {c.source for c in result.reports}
    assert sources == {"script records", "data proxy"}
    disallowed = [c for c in result.candidates if c.verdict == "disallowed"]
    assert disallowed and all(any(c.url.startswith(d) for d in portal.disallowed) for c in disallowed)


def test_json_site_endpoint_and_paging(probes):
    result = probes["json"]
    pages = [p for p in result.list_pages if p.content == "JSON"]
    (paging,) = result.pagination
    assert paging.how.startswith("JSON paging (pageNo=") and paging.pages == len(pages) > 1
    assert {c.source for c in result.reports} == {"JSON"}


@pytest.mark.parametrize("name", ["trs", "hanweb", "attach", *SITES])
def test_config_entry_crawls_the_site_completely(portal, probes, name, tmp_path):
    """Also on the older sites, whose reports sit in other directories (attachments) than their lists."""
    entry = probes[name].config
    site = portal.site(name)
    assert entry["region"]["county"] == site.region.county  # from SiteIDCode, else the site's name
    (config,) = parse_sites({"sites": [entry]}, env={})  # the loader accepts it as is
    assert config.start_urls == tuple(site.start_urls)
    before = len(portal.request_log)
    summary = crawl({"sites": [entry]}, db=tmp_path / "probe.db", throttle=False)
    with Store(tmp_path / "probe.db") as store:
        stored = {r.url for r in store.reports()}
    assert stored == of_site(portal, name, portal.truth)
    assert name not in SITES or summary.failures == []  # the older sites carry deliberate broken links
    disallowed = [d.removeprefix(site.base_url) for d in portal.disallowed if d.startswith(site.base_url)]
    requested = [r.path for r in portal.request_log[before:] if r.site == name]
    assert not [p for p in requested if any(p.startswith(d) for d in disallowed)]


def test_cli_json_output(portal):
    url = portal.site("jpage").start_urls[0]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "xxgk.cli", "probe", url, "--json"], capture_output=True, text=True, env=env, check=True
    ).stdout
    data = json.loads(out)
    assert data["url"] == url and data["site_name"] == "浦江县人民政府"
    assert sum(c["verdict"] == "report" for c in data["candidates"]) == len(of_site(portal, "jpage", portal.truth))
    assert parse_sites({"sites": yaml.safe_load(data["config_yaml"])}, env={})[0].region.code == "330726"
    human = subprocess.run(
        [sys.executable, "-m", "xxgk.cli", "probe", url], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "data proxy (jpage" in human and "not a report: 指南" in human and "config entry" in human
