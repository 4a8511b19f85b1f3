"""What a demo site serves: documents with stable validators, rendered lazily and cached."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from urllib.parse import parse_qsl, urlencode, urlsplit

# Query parameters that only track where a click came from; the servers ignore them.
TRACKING_PARAMS = frozenset({"utm_source", "utm_medium", "utm_campaign", "from", "spm", "share_token"})


def resource_key(path_and_query: str) -> str:
    """Lookup key of a request target: the path plus its non-tracking parameters in their given order."""
    parts = urlsplit(path_and_query)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in TRACKING_PARAMS]
    return parts.path + ("?" + urlencode(params) if params else "")


@dataclass(frozen=True)
class Query:
    """What a request asks a resource made per request (a data proxy, a JSON endpoint) for."""

    method: str
    params: dict[str, str]  # query string and form fields together
    host: str  # the Host header, for absolute URLs in the answer


@dataclass
class Resource:
    """One URL's answer. ``render`` makes the body the first time it is asked for (PDFs are slow to make)."""

    content_type: str
    render: Callable[[], bytes]
    last_modified: float  # epoch seconds
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    _body: bytes | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def body(self) -> bytes:
        with self._lock:
            if self._body is None:
                self._body = self.render()
            return self._body

    def replace_body(self, render: Callable[[], bytes], last_modified: float) -> None:
        """New content (an edit): validators change with it."""
        with self._lock:
            self.render = render
            self._body = None
            self.last_modified = last_modified

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body()).hexdigest()[:20] + '"'

    @property
    def last_modified_http(self) -> str:
        return formatdate(self.last_modified, usegmt=True)


def redirect(location: str, status: int, last_modified: float) -> Resource:
    return Resource(
        "text/html; charset=utf-8",
        lambda: f'<html><body>Moved: <a href="{location}">{location}</a></body></html>'.encode(),
        last_modified,
        status=status,
        headers={"Location": location},
    )


def static(content_type: str, body: bytes, last_modified: float, status: int = 200) -> Resource:
    return Resource(content_type, lambda: body, last_modified, status=status)
