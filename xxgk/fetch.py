"""Fetch one document by URL for ``xxgk parse URL``: one overall deadline, a size cap, and no requests to
private or special addresses unless asked.

The host is resolved once and every address it has is checked; the connection then goes to that checked
address (a second lookup could answer differently).  Loopback stays allowed (the demo portal runs on
127.0.0.1); link-local and cloud-metadata (169.254.0.0/16, fe80::/10), private, shared (100.64.0.0/10),
reserved, multicast and unspecified addresses are refused unless ``allow_private``.  Redirects are followed
by hand, each target checked the same way.  A timer closes the connection at the deadline, so even a server
sending one byte a second cannot hold the fetch longer.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

DEADLINE = 60.0  # seconds for the whole fetch, redirects included
MAX_BYTES = 64 << 20
MAX_REDIRECTS = 5
USER_AGENT = "xxgk-parse/0.1"


class FetchError(Exception):
    """The document could not be fetched; ``str(e)`` is a one-line reason."""


@dataclass(frozen=True)
class Fetched:
    data: bytes
    url: str  # after redirects
    content_type: str | None
    filename: str | None


def refused(address: str) -> str | None:
    """Why ``address`` may not be fetched without opting in, or None if it may (public or loopback)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_global:
        return None
    if ip.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    return "a private or reserved address"


def _addresses(host: str, port: int, allow_private: bool) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses if not allow_private else ():
        if why := refused(address):
            raise FetchError(f"refused: {host} is {address}, {why}; pass --allow-private to fetch it")
    return addresses


class _Pinned(http.client.HTTPConnection):
    """An HTTP connection to ``host`` that goes to an address checked beforehand."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedTLS(_Pinned):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, address, timeout)
        self.tls = ssl.create_default_context()

    def connect(self) -> None:
        super().connect()
        self.sock = self.tls.wrap_socket(self.sock, server_hostname=self.host)


def _filename(url: str) -> str | None:
    return PurePosixPath(unquote(urlsplit(url).path)).name or None


class _Deadline:
    """Closes the current connection's socket when the time is up; ``left()`` is the time remaining."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self.conn: http.client.HTTPConnection | None = None
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        sock = self.conn.sock if self.conn is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            raise FetchError(f"timed out: no complete answer within {self.seconds:g} s")
        return left


def _get(url: str, deadline: _Deadline, allow_private: bool) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(f"bad port in {url}") from None
    address = _addresses(parts.hostname, port, allow_private)[0]
    kind = _PinnedTLS if parts.scheme == "https" else _Pinned
    if deadline.conn is not None:
        deadline.conn.close()  # the previous hop's
    conn = kind(parts.hostname, port, address, timeout=deadline.left())
    deadline.conn = conn
    path = parts.path or "/"
    conn.request("GET", f"{path}?{parts.query}" if parts.query else path, headers={"User-Agent": USER_AGENT})
    return conn.getresponse()


def _body(response: http.client.HTTPResponse, deadline: _Deadline, limit: int) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(f"document larger than {limit >> 20} MB (Content-Length {declared})")
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(1 << 16):
        deadline.left()
        size += len(chunk)
        if size > limit:
            raise FetchError(f"document larger than {limit >> 20} MB")
        chunks.append(chunk)
    if declared and declared.isdigit() and size < int(declared):
        raise FetchError(f"connection closed after {size} of {declared} bytes of the body")
    return b"".join(chunks)


def fetch(url: str, *, allow_private: bool = False, deadline: float | None = None, limit: int = MAX_BYTES) -> Fetched:
    """The document at ``url`` within ``deadline`` seconds (``DEADLINE``); raise :class:`FetchError` otherwise."""
    clock = _Deadline(DEADLINE if deadline is None else deadline)
    clock.timer.start()
    try:
        for _ in range(MAX_REDIRECTS + 1):
            response = _get(url, clock, allow_private)
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location", ""))
                response.close()
                continue
            if response.status != 200:
                raise FetchError(f"HTTP {response.status} {response.reason}".strip())
            data = _body(response, clock, limit)
            return Fetched(data, url, response.getheader("Content-Type"), _filename(url))
        raise FetchError(f"more than {MAX_REDIRECTS} redirects")
    except http.client.IncompleteRead as exc:  # a chunked body cut short
        raise FetchError(f"connection closed after {len(exc.partial)} bytes of the body") from None
    except http.client.HTTPException as exc:
        clock.left()  # a connection closed at the deadline reads as a broken answer: say it timed out
        raise FetchError(f"bad HTTP answer from {urlsplit(url).netloc}: {type(exc).__name__}: {exc}") from None
    except ssl.SSLError as exc:
        raise FetchError(f"TLS error with {urlsplit(url).netloc}: {exc.reason or exc}") from None
    except OSError as exc:
        clock.left()
        raise FetchError(f"connection failed: {exc.strerror or exc}") from None
    finally:
        clock.timer.cancel()
        if clock.conn is not None:
            clock.conn.close()
