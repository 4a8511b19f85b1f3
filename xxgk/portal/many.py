"""Many demo sites at once, each on its own loopback address (127.0.0.2, 127.0.0.3, …) and each enforcing a rate.

    with ManySites(count=200, rate=1.0) as sites:
        sites.config()       # the crawler's site config (one entry per address)
        sites.arrivals()     # site -> arrival times (monotonic s) of the requests it admitted
        sites.refused        # site -> requests refused for coming too early

Linux routes all of 127.0.0.0/8 to the loopback interface, so every site is a distinct host to a crawler
(its own download slot, its own politeness). Site ``i`` is the ``i % 5``-th kind of ``build_sites`` with
seed ``seed + i // 5``, renamed ``<kind>-<i>``. A site admits a request only ``1/rate - tolerance`` seconds
or more after the previous one it admitted; an earlier one gets ``429 Too Many Requests`` with
``Retry-After: 1`` and is counted in ``refused``. No faults (500-once, slow pages) are planted.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler

from xxgk.portal.portal import site_config
from xxgk.portal.server import RequestLog, SiteServer, make_handler
from xxgk.portal.sites import SiteContent, build_sites

KINDS = 5  # sites per build_sites() call


class Gate:
    """One site's rate: admits a request no sooner than ``gap`` seconds after the previous admitted one."""

    def __init__(self, gap: float):
        self.gap = gap
        self.lock = threading.Lock()
        self.admitted: list[float] = []
        self.refused = 0

    def admit(self) -> bool:
        with self.lock:
            now = time.monotonic()
            if self.admitted and now - self.admitted[-1] < self.gap:
                self.refused += 1
                return False
            self.admitted.append(now)
            return True


def limited_handler(content: SiteContent, log: RequestLog, gate: Gate) -> type[BaseHTTPRequestHandler]:
    base = make_handler(content, log)

    class Limited(base):  # type: ignore[valid-type, misc]
        def _answer(self, *, send_body: bool, form: str = "") -> None:
            if gate.admit():
                super()._answer(send_body=send_body, form=form)
                return
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Limited


class ManySites:
    def __init__(self, *, count: int = 200, seed: int = 0, rate: float = 1.0, tolerance: float = 0.05):
        if not 1 <= count <= 250:
            raise ValueError("count must be 1 to 250 (addresses 127.0.0.2 to 127.0.0.251)")
        self.rate = rate
        self.contents: list[SiteContent] = []
        for group in range((count + KINDS - 1) // KINDS):
            for kind, content in enumerate(build_sites(seed + group, 1, False)):
                index = group * KINDS + kind
                if index < count:
                    content.name = f"{content.name}-{index:03d}"
                    self.contents.append(content)
        self.gates = {c.name: Gate(1 / rate - tolerance) for c in self.contents}
        self.log = RequestLog()
        self.servers: list[SiteServer] = []

    def warm(self) -> None:
        """Render every document now, so the first request of each costs the server nothing."""
        for content in self.contents:
            for resource in list(content.resources.values()):
                resource.body()

    def start(self) -> ManySites:
        port = 0
        for i, content in enumerate(self.contents):
            handler = limited_handler(content, self.log, self.gates[content.name])
            server = SiteServer(content, self.log, port=port, host=f"127.0.0.{i + 2}", handler=handler)
            port = server.httpd.server_address[1]  # the same port on every address
            server.start()
            self.servers.append(server)
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.stop()

    def __enter__(self) -> ManySites:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def config(self) -> dict:
        sites = zip(self.contents, self.servers, strict=True)
        return {"sites": [site_config(content, server.base_url) for content, server in sites]}

    def arrivals(self) -> dict[str, list[float]]:
        return {name: list(gate.admitted) for name, gate in self.gates.items()}

    @property
    def refused(self) -> dict[str, int]:
        return {name: gate.refused for name, gate in self.gates.items() if gate.refused}
