"""The web layer over the real embedded (tantivy) index, and ``xxgk serve`` as a process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from urllib.parse import quote, urlencode

import pytest

from indexer import open_backend, sync
from indexer.web import BackgroundServer, create_app
from xxgk.cli import main
from xxgk.schema import SECTIONS
from xxgk.store import Store


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture(scope="module")
def indexed(fill_store, sample_reports, tmp_path_factory):
    db = tmp_path_factory.mktemp("embedded") / "store.db"
    reports = sample_reports()
    store = fill_store(db, reports)
    backend = open_backend("embedded", db=db)
    sync(store, backend)
    store.close()
    return db, reports


@pytest.fixture(scope="module")
def url(indexed):
    db, _ = indexed
    store = Store(db)
    with BackgroundServer(create_app(store, open_backend("embedded", db=db))) as server:
        yield server.url
    store.close()


def test_api_over_tantivy_counts_like_the_store(url, indexed):
    _, reports = indexed
    status, body = fetch(url + "/api/search?" + urlencode({"facets": "year,province,failed_checks", "limit": 100}))
    assert status == 200
    data = json.loads(body)
    assert data["total"] == len(reports)
    assert data["facets"]["year"] == {str(y): n for y, n in Counter(r.year for r in reports).items()}
    assert data["facets"]["province"] == dict(Counter(r.region.province for r in reports))
    assert data["facets"]["failed_checks"] == {"true": 2, "false": len(reports) - 2}
    assert {h["id"] for h in data["hits"]} == {r.id for r in reports}


def test_page_over_tantivy_filters_and_highlights(failing_report, url):
    status, body = fetch(url + "/?" + urlencode({"q": "抚远镇", "year": "2024"}))
    assert status == 200
    assert '<strong class="total" id="total">1</strong>' in body
    assert f'href="/reports/{failing_report().id}"' in body
    assert "<mark>抚远镇</mark>" in body
    status, body = fetch(url + "/?" + urlencode({"province": "河南省", "city": "新乡市"}))
    assert '<strong class="total" id="total">8</strong>' in body and "<h2>区县</h2>" in body


def test_planted_markup_from_the_real_index_is_inert(planted_report, xss, url):
    status, body = fetch(url + "/?q=" + quote("恶意"))
    assert status == 200
    assert f'href="/reports/{planted_report().id}"' in body
    assert "<script" not in body.lower() and "&lt;script&gt;" in body
    assert xss not in body


def test_serve_command_serves_the_store(free_port, failing_report, indexed, tmp_path):
    db, reports = indexed
    port = free_port()
    cmd = [sys.executable, "-m", "xxgk.cli", "serve", "--db", str(db), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = fetch(f"http://127.0.0.1:{port}/api/search?limit=1")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"xxgk serve did not come up: {proc.communicate(timeout=5)[0]}")
                time.sleep(0.2)
        assert status == 200 and json.loads(body)["total"] == len(reports)
        status, body = fetch(f"http://127.0.0.1:{port}/reports/{failing_report().id}")
        assert status == 200 and "cell-failed" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_refuses_a_missing_store(tmp_path):
    assert main(["serve", "--db", str(tmp_path / "absent.db")]) == 2
    assert not (tmp_path / "absent.db").exists()  # not created by accident


@pytest.mark.parametrize("sort", ["relevance", "year", "-year", "published", "-published"])
def test_every_sort_and_section_is_served(url, sort):
    for section in ("", *SECTIONS):
        params = {"q": "公开", "sort": sort, "section": section, "facets": "year,agency_level,format"}
        status, body = fetch(url + "/api/search?" + urlencode(params))
        assert status == 200, body
        status, _ = fetch(url + "/?" + urlencode({k: v for k, v in params.items() if k != "facets"}))
        assert status == 200


def _serve_two_workers(db, port):
    from indexer.web import serve

    serve(lambda: create_app(Store(db), open_backend("embedded", db=db)), port=port, workers=2, log_level="warning")


def test_worker_processes_share_the_port_and_stop_together(free_port, indexed):
    import multiprocessing

    db, reports = indexed
    port = free_port()
    server = multiprocessing.get_context("fork").Process(target=_serve_two_workers, args=(db, port))
    server.start()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = fetch(f"http://127.0.0.1:{port}/api/search?limit=0")
                break
            except OSError:
                assert time.monotonic() < deadline, "workers did not start"
                time.sleep(0.2)
        assert status == 200 and json.loads(body)["total"] == len(reports)
        for _ in range(20):  # several connections: whichever worker answers, the same answer
            assert json.loads(fetch(f"http://127.0.0.1:{port}/api/search?q=%E4%BE%9D%E7%94%B3%E8%AF%B7")[1])["total"]
    finally:
        server.terminate()
        server.join(15)
    with pytest.raises(OSError):  # no worker left listening
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
