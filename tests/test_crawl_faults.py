"""Fault handling against a small misbehaving site on 127.0.0.1: retries with backoff, then failures with reasons."""

from __future__ import annotations

import random
import socket
import struct
import time
from collections import defaultdict
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from crawler.middlewares import retry_after
from crawler.run import crawl
from crawler.spiders.disclosure import NEEDS_BROWSER
from xxgk.generate import generate, render
from xxgk.model import report_id
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
# Served by a second server (its own port, so its broken connections never share a pool with the faults above).
HOSTILE = {
    "/r/short-length.html": "壬局2023年政府信息公开工作年度报告",
    "/r/retry-after.txt": "癸局2023年政府信息公开工作年度报告",
    "/r/retry-after-long.html": "子局2023年政府信息公开工作年度报告",
    "/r/endless.html": "丑局2023年政府信息公开工作年度报告",
    "/r/bad-status.html": "寅局2023年政府信息公开工作年度报告",
    "/r/wrong-type.pdf": "卯局2023年政府信息公开工作年度报告",
}
RETRIES = 2
BACKOFF = 0.3
RETRY_AFTER = 2  # seconds the server asks for: longer than the backoff, shorter than the cap
RETRY_AFTER_MAX = 10
MAXSIZE = 1 << 20


class FaultySite:
    """Each path misbehaves in one way; every request is logged with its arrival time."""

    def __init__(self, http_site, hostile: FaultySite | None = None) -> None:
        self.hostile = hostile
        self.hits: dict[str, list[float]] = defaultdict(list)
        self.seed = SEED.read_bytes()
        self.page = render(generate(random.Random(3)), "html_grid")
        self.server = http_site(self.logged, protocol="HTTP/1.1")
        self.base = self.server.base

    def logged(self, h: BaseHTTPRequestHandler) -> None:
        self.hits[h.path].append(time.monotonic())
        self.answer(h)

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/list.html":
            links = "".join(f'<li><a href="{p}">{t}</a></li>' for p, t in TITLES.items())
            if self.hostile is not None:
                links += "".join(f'<li><a href="{self.hostile.base}{p}">{t}</a></li>' for p, t in HOSTILE.items())
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
        if path == "/r/short-length.html":  # declares a third of the page, sends it all: the client reads a third
            h.close_connection = True
            headers = {"Connection": "close"}
            return self.send(h, 200, self.page, "text/html; charset=utf-8", headers, length=len(self.page) // 3)
        if path == "/r/retry-after.txt":
            if len(self.hits[path]) == 1:
                return self.send(h, 503, b"busy", headers={"Retry-After": str(RETRY_AFTER)})
            return self.send(h, 200, self.seed, "text/plain; charset=utf-8")
        if path == "/r/retry-after-long.html":
            return self.send(h, 503, b"come back in an hour", headers={"Retry-After": "3600"})
        if path == "/r/endless.html":
            h.close_connection = True
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b"<p>" + b"x" * 65536 + b"</p>"
            for _ in range(4 * MAXSIZE // len(chunk)):  # endless, as far as the client's size cap can tell
                h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            return None
        if path == "/r/bad-status.html":
            h.close_connection = True
            h.wfile.write(b"HTTP/1.1 OK-ISH\r\n\r\n")
            return None
        if path == "/r/wrong-type.pdf":  # an HTML report labelled as a PDF
            return self.send(h, 200, self.page, "application/pdf")
        return self.send(h, 404, b"not found")

    @staticmethod
    def send(
        h, status: int, body: bytes, ctype: str = "text/html", headers: dict[str, str] | None = None, length=None
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in (headers or {}).items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    def stop(self) -> None:
        self.server.close()


@pytest.fixture(scope="module")
def faulty_crawl(http_site, tmp_path_factory):
    if not SEED.exists():
        pytest.skip(f"seed fixture {SEED} is missing")
    hostile = FaultySite(http_site)
    site = FaultySite(http_site, hostile)
    db = tmp_path_factory.mktemp("faults") / "x.db"
    config = {"sites": [{"name": "faulty", "start_urls": [site.base + "/list.html"], "region": {"province": "甲省"}}]}
    overrides = {
        "RETRY_TIMES": RETRIES,
        "XXGK_RETRY_BACKOFF_BASE": BACKOFF,
        "DOWNLOAD_TIMEOUT": 1,
        "DOWNLOAD_MAXSIZE": MAXSIZE,
        "XXGK_RETRY_AFTER_MAX": RETRY_AFTER_MAX,
    }
    started = time.monotonic()
    summary = crawl(config, db=db, throttle=False, settings_overrides=overrides)
    elapsed = time.monotonic() - started
    site.stop()
    hostile.stop()
    yield site, db, summary, elapsed


def test_crawl_finishes_and_stores_what_it_could(faulty_crawl):
    site, db, summary, _ = faulty_crawl
    with Store(db) as store:
        stored = {r.url for r in store.reports()}
    good = {site.base + "/r/ok.txt", site.base + "/r/flaky.txt"}
    good |= {site.hostile.base + p for p in ("/r/retry-after.txt", "/r/wrong-type.pdf", "/r/short-length.html")}
    assert stored == good
    assert summary.new == len(good)


def test_500_once_is_retried_and_succeeds(faulty_crawl):
    site, *_ = faulty_crawl
    assert len(site.hits["/r/flaky.txt"]) == 2


def test_failures_carry_reasons(faulty_crawl):
    site, _, summary, _ = faulty_crawl
    reasons = {url.removeprefix(site.base).removeprefix(site.hostile.base): r for url, r in summary.failures}
    assert reasons["/r/fail500.html"] == f"HTTP 500 after {RETRIES} retries"
    assert reasons["/r/forbidden.html"] == f"HTTP 403 after {RETRIES} retries"
    assert reasons["/r/slow.html"] == f"timed out (1s) after {RETRIES} retries"
    assert "after 2 retries" in reasons["/r/reset.html"] and "Connection" in reasons["/r/reset.html"]
    assert reasons["/r/loop.html"].startswith("IgnoreRequest: redirect loop")
    assert reasons["/r/challenge.html"] == NEEDS_BROWSER
    assert reasons["/r/retry-after-long.html"] == (
        f"IgnoreRequest: retry-after too long: HTTP 503 asks to wait 3600 s (at most {RETRY_AFTER_MAX} s are honoured)"
    )
    assert reasons["/r/endless.html"] == (
        f"DownloadCancelledError: body larger than the download size cap ({MAXSIZE} bytes), cancelled"
    )
    assert reasons["/r/bad-status.html"] == (
        "DownloadFailedError: no complete HTTP response: ParseError: ('non-integer status code', b'HTTP/1.1 OK-ISH')"
        f" after {RETRIES} retries"
    )
    assert summary.failed == 9 == len(summary.failures)


def test_retry_after_is_honoured_up_to_the_cap(faulty_crawl):
    site, *_ = faulty_crawl
    first, second = site.hostile.hits["/r/retry-after.txt"]
    assert second - first >= RETRY_AFTER * 0.95  # not the 0.3 s backoff
    assert len(site.hostile.hits["/r/retry-after-long.html"]) == 1  # beyond the cap: failed at once, never hammered


def test_wrong_content_type_is_read_by_its_bytes(faulty_crawl):
    site, db, *_ = faulty_crawl
    with Store(db) as store:
        report = store.get(report_id(site.hostile.base + "/r/wrong-type.pdf"))
    assert report.source_type == "html" and report.year is not None
    assert sum(v is not None for row in report.tables.values() for v in row.values()) > 150


def test_a_body_cut_at_its_declared_length_is_stored_with_the_problem(faulty_crawl):
    site, db, *_ = faulty_crawl
    with Store(db) as store:
        report = store.get(report_id(site.hostile.base + "/r/short-length.html"))
    assert any("may be truncated" in p for p in report.problems), report.problems


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


def test_retry_after_reads_seconds_and_http_dates():
    soon = formatdate(time.time() + 90, usegmt=True).encode()
    assert retry_after(b"3600") == 3600
    assert 85 <= retry_after(soon) <= 90
    assert retry_after(formatdate(time.time() - 60, usegmt=True).encode()) == 0  # a date past: no wait
    assert retry_after(b"soon") is None and retry_after(None) is None
