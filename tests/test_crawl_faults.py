"""Fault handling against a small misbehaving site on 127.0.0.1: retries with backoff, then failures with reasons."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.run import crawl
from crawler.spiders.disclosure import NEEDS_BROWSER
from xxgk.store import Store

SEED = Path(__file__).resolve().parent / "fixtures" / "seeds" / "000_52fabd2e9e55d580.txt"
TITLES = {
    "/r/ok.txt": "甲县人民政府2023年政府信息公开工作年度报告",
    "/r/flaky.txt": "乙镇人民政府2023年政府信息公开工作年度报告",
    "/r/fail500.html": "丙局2023年政府信息公开工作年度报告",
    "/r/slow.html": "丁局2023年政府信息公开工作年度报告",
    "/r/reset.html": "戊局2023年政府信息公开工作年度报告",
    "/r/loop.html": "己局2023年政府信息公开工作年度报告",
    "/r/forbidden.html": "庚局2023年政府信息公开工作年度报告",
    "/r/challenge.html": "辛局2023年政府信息公开工作年度报告",
}
RETRIES = 2
BACKOFF = 0.3


class FaultySite:
    """Each path misbehaves in one way; every request is logged with its arrival time."""

    def __init__(self) -> None:
        self.hits: dict[str, list[float]] = defaultdict(list)
        self.seed = SEED.read_bytes()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                site.hits[self.path].append(time.monotonic())
                site.answer(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # the crawler hanging up on the slow page is expected

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/list.html":
            links = "".join(f'<li><a href="{p}">{t}</a></li>' for p, t in TITLES.items())
            return self.send(h, 200, f"<html><body><ul>{links}</ul></body></html>".encode(), "text/html; charset=utf-8")
        if path in ("/r/ok.txt", "/r/flaky.txt"):
            if path == "/r/flaky.txt" and len(self.hits[path]) == 1:
                return self.send(h, 500, b"busy")
            return self.send(h, 200, self.seed, "text/plain; charset=utf-8")
        if path == "/r/fail500.html":
            return self.send(h, 500, b"<h1>500</h1>")
        if path == "/r/slow.html":
            time.sleep(2.5)
            return self.send(h, 200, b"late")
        if path == "/r/reset.html":  # abortive close: the client sees a connection reset
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.close_connection = True
            h.connection.close()
            return None
        if path in ("/r/loop.html", "/r/loop2.html"):
            target = "/r/loop2.html" if path == "/r/loop.html" else "/r/loop.html"
            return self.send(h, 302, b"", headers={"Location": target})
        if path == "/r/forbidden.html":
            return self.send(h, 403, b"<h1>403 Forbidden</h1>")
        if path == "/r/challenge.html":
            return self.send(h, 412, b"<script>document.cookie='x=1';location.reload()</script>")
        return self.send(h, 404, b"not found")

    @staticmethod
    def send(h, status: int, body: bytes, ctype: str = "text/html", headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory):
    if not SEED.exists():
        pytest.skip(f"seed fixture {SEED} is missing")
    site = FaultySite()
    db = tmp_path_factory.mktemp("faults") / "x.db"
    config = {"sites": [{"name": "faulty", "start_urls": [site.base + "/list.html"], "region": {"province": "甲省"}}]}
    overrides = {"RETRY_TIMES": RETRIES, "RETRY_BACKOFF_BASE": BACKOFF, "DOWNLOAD_TIMEOUT": 1}
    started = time.monotonic()
    summary = crawl(config, db=db, throttle=False, settings_overrides=overrides)
    elapsed = time.monotonic() - started
    site.stop()
    yield site, db, summary, elapsed


def test_crawl_finishes_and_stores_what_it_could(faulty_crawl):
    site, db, summary, _ = faulty_crawl
    with Store(db) as store:
        stored = {r.url for r in store.reports()}
    assert stored == {site.base + "/r/ok.txt", site.base + "/r/flaky.txt"}
    assert summary.new == 2


def test_500_once_is_retried_and_succeeds(faulty_crawl):
    site, *_ = faulty_crawl
    assert len(site.hits["/r/flaky.txt"]) == 2


def test_failures_carry_reasons(faulty_crawl):
    site, _, summary, _ = faulty_crawl
    reasons = {url.removeprefix(site.base): reason for url, reason in summary.failures}
    assert reasons["/r/fail500.html"] == f"HTTP 500 after {RETRIES} retries"
    assert reasons["/r/forbidden.html"] == f"HTTP 403 after {RETRIES} retries"
    assert reasons["/r/slow.html"] == f"timed out (1s) after {RETRIES} retries"
    assert "after 2 retries" in reasons["/r/reset.html"] and "Connection" in reasons["/r/reset.html"]
    assert reasons["/r/loop.html"].startswith("IgnoreRequest: redirect loop")
    assert reasons["/r/challenge.html"] == NEEDS_BROWSER
    assert summary.failed == 6 == len(summary.failures)


def test_retries_back_off_exponentially(faulty_crawl):
    site, *_ = faulty_crawl
    for path in ("/r/fail500.html", "/r/forbidden.html"):
        times = site.hits[path]
        assert len(times) == 1 + RETRIES
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert gaps[0] >= BACKOFF * 0.9
        assert gaps[1] >= 2 * BACKOFF * 0.9


def test_anti_bot_challenge_is_not_retried(faulty_crawl):
    site, *_ = faulty_crawl
    assert len(site.hits["/r/challenge.html"]) == 1


def test_redirect_loop_stops_at_the_first_repeat(faulty_crawl):
    site, *_ = faulty_crawl
    assert len(site.hits["/r/loop.html"]) == 1
    assert len(site.hits["/r/loop2.html"]) == 1
