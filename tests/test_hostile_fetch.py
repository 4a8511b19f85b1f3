"""``xxgk parse URL`` against hostile servers on 127.0.0.1: one overall deadline, one-line errors, and no
request to link-local, metadata or private addresses unless ``--allow-private`` (refused before connecting)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from xxgk import fetch as fetch_module
from xxgk.cli import main
from xxgk.fetch import FetchError, fetch

SEED = Path(__file__).parent / "fixtures" / "seeds" / "003_6e18e055b7681b91.txt"


def _ok(body: bytes, ctype: str = "text/plain; charset=utf-8") -> Callable[[socket.socket], None]:
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return lambda sock: sock.sendall(head.encode() + body)


def _drip(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    for _ in range(120):
        sock.sendall(b"x")
        time.sleep(1)


def _drip_head(sock: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 200:
        sock.sendall(bytes([byte]))
        time.sleep(0.5)


def test_a_good_url_is_parsed(raw_server, capsys) -> None:
    url = raw_server(_ok(SEED.read_bytes()))
    assert main(["parse", url + "/report.txt"]) == 0
    assert "agency:    牛屯镇" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [_drip, _drip_head], ids=["body", "head"])
def test_one_byte_a_second_ends_at_the_deadline(raw_server, answer) -> None:
    url = raw_server(answer)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out: no complete answer within 2 s"):
        fetch(url + "/r.txt", deadline=2)
    assert time.monotonic() - started < 4


def test_the_cli_has_a_deadline(raw_server, capsys, monkeypatch) -> None:
    monkeypatch.setattr(fetch_module, "DEADLINE", 1.5)
    url = raw_server(_drip)
    started = time.monotonic()
    assert main(["parse", url + "/r.txt"]) == 1
    assert time.monotonic() - started < 4
    assert "timed out: no complete answer within 1.5 s" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (lambda s: s.sendall(b"NOT HTTP AT ALL\r\n\r\n"), "bad HTTP answer from 127.0.0.1"),
        (lambda s: s.close(), "RemoteDisconnected: Remote end closed connection"),
        (lambda s: s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nshort"), "closed after 5 of 1000 bytes"),
        (lambda s: s.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), "HTTP 404 Not Found"),
        (lambda s: s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n"), "larger than 64 MB"),
        (lambda s: s.sendall(b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/\r\n\r\n"), "refused"),
    ],
    ids=["bad-status-line", "hang-up", "short-body", "404", "too-large", "redirect-to-metadata"],
)
def test_bad_answers_are_one_line_errors(raw_server, capsys, answer, reason) -> None:
    url = raw_server(answer)
    assert main(["parse", url + "/r.html"]) == 1
    err = capsys.readouterr().err
    assert reason in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.fixture
def no_connections(monkeypatch) -> list[tuple]:
    """Every connection attempt, recorded and stopped before it leaves the machine."""
    attempts: list[tuple] = []

    def refuse(address: tuple, *args: object, **kwargs: object) -> socket.socket:
        attempts.append(address)
        raise ConnectionRefusedError(111, "Connection refused (test)")

    monkeypatch.setattr(fetch_module.socket, "create_connection", refuse)
    return attempts


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://10.1.2.3/report.html",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::ffff:169.254.169.254]/",
    ],
)
def test_special_addresses_are_refused_before_any_connection(no_connections, capsys, url) -> None:
    assert main(["parse", url]) == 1
    err = capsys.readouterr().err
    assert "refused" in err and "--allow-private" in err
    assert no_connections == []


def test_allow_private_opts_in(no_connections, capsys) -> None:
    assert main(["parse", "http://169.254.169.254/latest/meta-data/", "--allow-private"]) == 1
    assert no_connections == [("169.254.169.254", 80)]  # it would have connected (stopped by the test)
    assert "Connection refused (test)" in capsys.readouterr().err


def test_loopback_and_public_addresses_are_allowed() -> None:
    for address in ("127.0.0.1", "::1", "8.8.8.8", "2001:4860:4860::8888"):
        assert fetch_module.refused(address) is None
    assert "link-local" in fetch_module.refused("169.254.169.254")
