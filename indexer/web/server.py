"""Run the app under uvicorn: in a background thread (tests, ``xxgk demo``), or in several
worker processes listening on one port (``serve``).

In one process, searches already run side by side in the thread pool (tantivy searchers
are thread-safe); worker processes add what one interpreter's lock cannot: a second core
for the Python part of a request (query parsing, snippets, the page template).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable

import uvicorn
from starlette.types import ASGIApp


class BackgroundServer:
    """Serve ``app`` on ``host`` (127.0.0.1 by default) in a daemon thread; port 0 picks a free port.

    Use as a context manager: ``with BackgroundServer(app) as server: urlopen(server.url + "/")``.
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # see _listener
        self.sock.bind((host, port))
        self.host, self.port = self.sock.getsockname()[:2]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"web server did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _listener(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it a response written in two parts (headers, then
    # body) waits for the client's delayed ACK of the first, 40 ms on Linux (measured: a search
    # over keep-alive 52 → 6 ms, a static file 44 → 1.4 ms).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def serve(
    make_app: Callable[[], ASGIApp], host: str = "127.0.0.1", port: int = 8000, *, workers: int = 1, log_level="info"
) -> None:
    """Serve until interrupted; ``make_app`` runs in each worker, so each opens its own store and index.

    Each worker listens on its own SO_REUSEPORT socket, so the kernel spreads connections over the
    workers (one shared socket lets whichever worker wakes first accept a whole burst of them).  The
    parent holds the port (bound, never listening) for as long as a worker runs.
    """
    config = dict(log_level=log_level, access_log=False, lifespan="off")
    if workers <= 1:
        sock = _listener(host, port)
        sock.listen(2048)
        uvicorn.Server(uvicorn.Config(make_app(), **config)).run(sockets=[sock])
        return
    held = _listener(host, port, reuse_port=True)
    port = held.getsockname()[1]
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:  # a worker: its own app, its own socket on the port
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                held.close()
                sock = _listener(host, port, reuse_port=True)
                sock.listen(2048)
                uvicorn.Server(uvicorn.Config(make_app(), **config)).run(sockets=[sock])
            finally:
                os._exit(0)
        children.append(pid)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopping the parent stops the workers
    try:
        for pid in children:
            os.waitpid(pid, 0)
    except KeyboardInterrupt:
        pass
    finally:
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
            except (ChildProcessError, ProcessLookupError):
                pass  # already gone
        held.close()
