"""DemoPortal: the demo sites served on 127.0.0.1, with the truth about what they publish."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from xxgk.generate import GeneratedReport
from xxgk.model import Region
from xxgk.portal.edits import bumped
from xxgk.portal.resources import resource_key
from xxgk.portal.server import LoggedRequest, RequestLog, SiteServer
from xxgk.portal.sites import SiteContent, build_sites


@dataclass
class DemoSite:
    name: str
    base_url: str  # http://127.0.0.1:PORT
    start_urls: list[str]
    region: Region
    kind: str  # trs | hanweb | attach


def placeholder(name: str) -> str:
    """The config/demo.yaml placeholder for a site's base URL."""
    return "${DEMO_PORTAL_" + name.upper() + "}"


def site_config(content: SiteContent, base_url: str) -> dict:
    """One entry of the crawler's site config; allow/deny are URL regexes (re.search)."""
    region = content.region
    return {
        "name": content.name,
        "start_urls": [base_url + p for p in content.start_paths],
        "region": {"province": region.province, "city": region.city, "county": region.county, "code": region.code},
        "allow": list(content.allow),
        "deny": list(content.deny),
    }


class DemoPortal:
    """Context manager serving every demo site on its own free port of 127.0.0.1.

    ``truth``, ``non_reports``, ``disallowed`` and ``fault_urls`` are filled by ``start()`` (they hold absolute URLs).
    """

    def __init__(self, *, seed: int = 0, scale: int = 1, faults: bool = True) -> None:
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self._contents = build_sites(seed, scale, faults)
        self._rng = random.Random(f"{seed}:edits")
        self._log = RequestLog()
        self._servers: list[SiteServer] = []
        self._edit_lock = threading.Lock()
        self.sites: list[DemoSite] = []
        self.truth: dict[str, GeneratedReport] = {}
        self.non_reports: set[str] = set()
        self.disallowed: set[str] = set()
        self.fault_urls: dict[str, str] = {}
        self.cross_year = [p for content in self._contents for p in content.cross_year]  # planted rule 7/8 breaks

    @property
    def request_log(self) -> list[LoggedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        return self._log.snapshot()

    def start(self) -> DemoPortal:
        if self._servers:
            raise RuntimeError("DemoPortal already started")
        for content in self._contents:
            server = SiteServer(content, self._log)
            server.start()
            self._servers.append(server)
            base = server.base_url
            self.sites.append(
                DemoSite(content.name, base, [base + p for p in content.start_paths], content.region, content.kind)
            )
            self.truth.update({base + k: r for k, r in content.truth.items()})
            self.non_reports.update(base + k for k in content.non_reports)
            self.disallowed.update(base + p for p in content.disallowed)
            self.fault_urls.update({base + p: kind for p, kind in content.fault_paths.items()})
        return self

    def warm(self) -> None:
        """Render every document now (PDF/DOCX take tens of ms each), so timings measure the client, not us."""
        for content in self._contents:
            for resource in list(content.resources.values()):
                resource.body()

    def stop(self) -> None:
        for server in self._servers:
            server.stop()

    def __enter__(self) -> DemoPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def site(self, name: str) -> DemoSite:
        return next(s for s in self.sites if s.name == name)

    def site_of(self, url: str) -> DemoSite:
        """The site serving ``url``."""
        return next(s for s in self.sites if url.startswith(s.base_url + "/"))

    def _locate(self, url: str) -> tuple[SiteContent, str]:
        for site, content in zip(self.sites, self._contents, strict=True):
            if url.startswith(site.base_url + "/"):
                parts = urlsplit(url)
                return content, resource_key(parts.path + ("?" + parts.query if parts.query else ""))
        raise KeyError(f"not a demo portal URL: {url}")

    def edit(self, url: str) -> GeneratedReport:
        """Publish a corrected version of the report at ``url``: one more granted request, consistently
        everywhere; new bytes, ETag and Last-Modified. Returns (and records) the new truth."""
        if url not in self.truth:
            raise KeyError(f"not a report URL: {url}")
        content, key = self._locate(url)
        with self._edit_lock:
            report = bumped(self.truth[url], self._rng)
            resource = content.resources[key]
            renderer = content.renderers[key]
            resource.replace_body(lambda: renderer(report), max(time.time(), resource.last_modified + 1))
            content.truth[key] = report
            self.truth[url] = report
        return report

    def config(self) -> dict:
        """The crawler's site config pointing at the live ports (config/demo.yaml with placeholders filled)."""
        if not self.sites:
            raise RuntimeError("start the portal first")
        return {"sites": [site_config(c, s.base_url) for c, s in zip(self._contents, self.sites, strict=True)]}

    def template_config(self) -> dict:
        """The same config with ``${DEMO_PORTAL_<NAME>}`` placeholders for the base URLs (config/demo.yaml)."""
        return {"sites": [site_config(c, placeholder(c.name)) for c in self._contents]}
