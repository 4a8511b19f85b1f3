"""A tiny real HTTP site for crawler tests: fixed pages on a free 127.0.0.1 port, every request logged."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StaticSite:
    """Serves ``pages`` ({path: (content type, body)}); other paths answer 404."""

    def __init__(self, pages: dict[str, tuple[str, bytes]]):
        self.requested: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                site.requested.append(self.path)
                ctype, body = pages.get(self.path, ("text/html", b"not found"))
                self.send_response(200 if self.path in pages else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
