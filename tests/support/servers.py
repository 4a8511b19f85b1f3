"""Servers for tests and benchmarks on free 127.0.0.1 ports: a tiny static site, a throwaway redis-server."""

from __future__ import annotations

import contextlib
import shutil
import socket
import socketserver
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import redis


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HTTPSite:
    """An HTTP server on a free 127.0.0.1 port that answers every GET with ``answer(handler)``."""

    def __init__(self, answer: Callable[[BaseHTTPRequestHandler], None], *, protocol: str = "HTTP/1.0"):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = protocol

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                answer(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client hanging up (a crawler's timeout or size cap) is expected

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class StaticSite(HTTPSite):
    """Serves ``pages`` ({path: (content type, body)}); other paths answer 404. ``requested`` logs every path."""

    def __init__(self, pages: dict[str, tuple[str, bytes]]):
        self.requested: list[str] = []
        super().__init__(lambda handler: self._answer(handler, pages))

    def _answer(self, handler: BaseHTTPRequestHandler, pages: dict[str, tuple[str, bytes]]) -> None:
        self.requested.append(handler.path)
        ctype, body = pages.get(handler.path, ("text/html", b"not found"))
        handler.send_response(200 if handler.path in pages else 404)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


class RawServer:
    """A TCP server on 127.0.0.1 whose every connection is answered by ``answer(socket)``."""

    def __init__(self, answer: Callable[[socket.socket], None]):
        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.recv(65536)  # the request head
                with contextlib.suppress(OSError):  # the client hung up
                    answer(self.request)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


SKIP_REASON = "redis-server not found: distributed tests skipped (apt-get install redis-server)"


def redis_server_binary() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/local/bin/redis-server") if Path(p).exists()), None
    )


class RedisServer:
    """``start()`` / ``stop()`` / ``restart()`` a redis-server; data survives restarts through its AOF."""

    def __init__(self, directory: Path | None = None, port: int | None = None):
        binary = redis_server_binary()
        if binary is None:
            raise FileNotFoundError(SKIP_REASON)
        self.binary = binary
        self._tmp = None if directory else tempfile.TemporaryDirectory(prefix="xxgk-redis-")
        self.directory = Path(directory or self._tmp.name)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)

    def start(self) -> RedisServer:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)]
        command += ["--appendonly", "yes", "--save", "", "--daemonize", "no", "--loglevel", "warning"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return self
            except redis.ConnectionError:
                if self.process.poll() is not None:
                    error = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                    raise RuntimeError(f"redis-server exited: {error.strip()}") from None
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("redis-server did not answer within 10 s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        """Graceful stop (SIGTERM): Redis flushes its append-only file first."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
