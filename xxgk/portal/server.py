"""One ThreadingHTTPServer per demo site on 127.0.0.1, with conditional GET and a shared request log."""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from xxgk.portal.faults import challenge_page
from xxgk.portal.resources import Query, Resource, resource_key

if TYPE_CHECKING:
    from xxgk.portal.sites import SiteContent


@dataclass(frozen=True)
class LoggedRequest:
    site: str
    method: str
    path: str  # path including the query string, as requested
    headers: dict[str, str]
    status: int
    body: str = ""  # a POST's form, as sent


class RequestLog:
    """Append-only, thread-safe list of requests across all sites."""

    def __init__(self) -> None:
        self._items: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def add(self, item: LoggedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._items)


NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
SERVER_ERROR = b"<html><body><h1>500 Internal Server Error</h1></body></html>"


def _not_modified(resource: Resource, headers) -> bool:
    """RFC 9110 order: If-None-Match wins; If-Modified-Since only when there is no If-None-Match."""
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or resource.etag in tags
    ims = headers.get("If-Modified-Since")
    if ims is None:
        return False
    try:
        since = parsedate_to_datetime(ims).timestamp()
    except (TypeError, ValueError):
        return False
    return int(resource.last_modified) <= since


def make_handler(content: SiteContent, log: RequestLog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "TRS-WCM/7.0" if content.kind == "trs" else "nginx"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
            pass  # requests go to the request log instead of stderr

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._answer(send_body=True, form=self.rfile.read(length).decode("utf-8", "replace") if length else "")

        def _answer(self, *, send_body: bool, form: str = "") -> None:
            key = resource_key(self.path)
            fields = parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
            query = Query(self.command, dict(fields + parse_qsl(form, keep_blank_values=True)), self.headers["Host"])
            faults = content.faults
            faults.delay(key)
            if faults.fail_once(key):
                status, resource = 500, None
                body, ctype = SERVER_ERROR, "text/html; charset=utf-8"
            elif faults.challenged(key, content.name, self.headers.get("Cookie")):
                status, resource = 412, None
                body, ctype = challenge_page(content.name), "text/html; charset=utf-8"
            else:
                resource = content.lookup(key, query)
                if resource is None:
                    status, body, ctype = 404, NOT_FOUND, "text/html; charset=utf-8"
                else:
                    try:
                        body = resource.body()
                    except Exception:  # a document that cannot be made answers 500; the server goes on
                        logging.getLogger(__name__).exception("rendering %s failed", key)
                        status, resource = 500, None
                        body, ctype = SERVER_ERROR, "text/html; charset=utf-8"
                    else:
                        status, ctype = resource.status, resource.content_type
                        if status == 200 and self.command != "POST" and _not_modified(resource, self.headers):
                            status, body = 304, b""
            log.add(LoggedRequest(content.name, self.command, self.path, dict(self.headers.items()), status, form))
            self.send_response(status)
            if status != 304:
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
            if resource is not None:
                self.send_header("ETag", resource.etag)
                self.send_header("Last-Modified", resource.last_modified_http)
                for name, value in resource.headers.items():
                    self.send_header(name, value)
            self.end_headers()
            if send_body and body:
                self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # crawlers open many connections at once; the default backlog of 5 refuses them

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client hanging up (a crawler closing its kept-alive connections) is routine, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class SiteServer:
    """A site's server on a free port of 127.0.0.1 (or ``host``), run in a daemon thread."""

    def __init__(
        self,
        content: SiteContent,
        log: RequestLog,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        handler: type[BaseHTTPRequestHandler] | None = None,
    ) -> None:
        self.httpd = _Server((host, port), handler or make_handler(content, log))
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"demo-{content.name}", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
