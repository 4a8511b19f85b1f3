"""Shared fixtures: a store, the sample reports and their factory, servers on free ports, the demo crawl.

Test modules import nothing from ``tests/``: what they share comes from here (the helpers live in ``support``).
Fixtures that hand out a helper function or class are session-scoped, so module-scoped fixtures can use them.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from support import backend, demo, pages, paths, reports, rows, servers

from xxgk.store import Store

# -- documents ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository (may be missing: tests that need it skip, saying so)."""
    return paths.SHARED


@pytest.fixture(scope="session")
def realdocs(shared_dir: Path) -> Path:
    """``../shared/realdocs``: real published reports with hand-checked records (skips, saying so, if missing)."""
    path = shared_dir / "realdocs"
    if not path.is_dir():
        pytest.skip(f"shared realdocs not found at {path}")
    return path


@pytest.fixture(scope="session")
def tsv():
    """Tab-separated report text: ``consistent()`` rows, ``render(rows)``, ``with_new_total(text)``, …"""
    return rows


# -- the store and its reports -----------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "x.db") as opened:
        yield opened


@pytest.fixture(scope="session")
def make_report():
    """``make_report(n, **fields)``: report ``n`` of the web sample, built on the generator's ``store_record``."""
    return reports.make_report


@pytest.fixture(scope="session")
def sample_reports():
    """``sample_reports()``: 25 ordinary reports, then ``failing_report()`` and ``planted_report()``."""
    return reports.sample_reports


@pytest.fixture(scope="session")
def failing_report():
    return reports.failing_report


@pytest.fixture(scope="session")
def planted_report():
    return reports.planted_report


@pytest.fixture(scope="session")
def zero_tables():
    return reports.zero_tables


@pytest.fixture(scope="session")
def xss() -> str:
    """The script planted in ``planted_report()``."""
    return reports.XSS


@pytest.fixture(scope="session")
def xss_img() -> str:
    """The ``onerror`` image planted in ``planted_report()``."""
    return reports.XSS_IMG


@pytest.fixture(scope="session")
def fill_store():
    """``fill_store(path, reports)``: an open store at ``path`` holding ``reports``."""
    return reports.fill_store


@pytest.fixture(scope="session")
def list_backend():
    """The ``ListBackend`` class: the search backend protocol over a list of reports, recording its queries."""
    return backend.ListBackend


@pytest.fixture(scope="session")
def page_cells():
    """``page_cells(html)``: the report page's data cells (``.cells``), tags and rows."""
    return pages.parse


@pytest.fixture(scope="session")
def shown():
    """``shown(value)``: a cell value as the report page prints it."""
    return pages.shown


# -- the demo portal and generated stores ------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_crawl(tmp_path_factory: pytest.TempPathFactory) -> demo.DemoCrawl:
    """The demo portal (seed 0, scale 1) crawled into a store whose facts are synced, once per test run."""
    return demo.crawl_demo(tmp_path_factory)


@pytest.fixture(scope="session")
def generated_store():
    """``generated_store(path, n, seed=3)``: ``n`` generated reports saved in a fresh store at ``path``."""
    return demo.generated_store


@pytest.fixture(scope="session")
def brute_pivot():
    """``brute_pivot(db, value, by)``: (group, year) -> (sum, median, count) from the stored records alone."""
    return demo.brute_pivot


@pytest.fixture(scope="session")
def fast_settings() -> dict:
    """Crawl settings for loopback sites: short retry backoff and download timeout (do not change them)."""
    return dict(demo.FAST)


# -- servers -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def free_port():
    """``free_port()``: a 127.0.0.1 port nothing listens on."""
    return servers.free_port


@pytest.fixture(scope="session")
def http_site():
    """``HTTPSite(answer, protocol=...)``: every GET answered by ``answer(handler)``; ``.base``, ``close()``."""
    return servers.HTTPSite


@pytest.fixture(scope="session")
def static_site():
    """``StaticSite(pages)``: fixed pages ({path: (content type, body)}); ``.base``, ``.requested``, ``close()``."""
    return servers.StaticSite


@pytest.fixture
def raw_server():
    """``raw_server(answer) -> url``: a TCP server answering each connection with ``answer(socket)``."""
    started: list[servers.RawServer] = []

    def start(answer) -> str:
        started.append(servers.RawServer(answer))
        return started[-1].url

    yield start
    for server in started:
        server.close()


@pytest.fixture(scope="session")
def redis_class():
    """The ``RedisServer`` class (skips, saying why, where no redis-server is installed)."""
    if servers.redis_server_binary() is None:
        pytest.skip(servers.SKIP_REASON)
    return servers.RedisServer


@pytest.fixture
def redis_server(redis_class, tmp_path: Path):
    """A started redis-server with its data in ``tmp_path``; ``restart()`` keeps the data."""
    with redis_class(tmp_path / "redis") as server:
        yield server


# -- parser processes --------------------------------------------------------------------------------------


@pytest.fixture
def parser_probe(monkeypatch: pytest.MonkeyPatch) -> str:
    """The dotted name of the stand-in parsers (``f"{parser_probe}.crashes"``), importable in parser processes
    (they inherit the environment, not ``sys.path``)."""
    tests = str(paths.ROOT / "tests")
    monkeypatch.syspath_prepend(tests)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")])))
    importlib.import_module("support.probe")
    return "support.probe"
