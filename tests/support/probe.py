"""Stand-in parsers for tests, loaded by name in parser processes: each shows what that process did or had."""

from __future__ import annotations

import sys

from xxgk.model import Report, report_id


def modules_report(data: bytes, *, url: str, **_: object) -> Report:
    loaded = [name for name in ("scrapy", "twisted") if name in sys.modules]
    return Report(id=report_id(url), url=url, text=" ".join(loaded) or "lean")


def dies_on_marked(data: bytes, *, url: str, **kwargs: object) -> Report:
    """The real parser, except that the process parsing the document at ``$PROBE_DIE_URL`` is killed (as by the
    OOM killer) every time it tries."""
    import os
    import signal

    from xxgk.parse import parse_document

    if url == os.environ.get("PROBE_DIE_URL"):
        os.kill(os.getpid(), signal.SIGKILL)
    return parse_document(data, url=url, **kwargs)


def dies_on_die_urls(data: bytes, *, url: str, **_: object) -> Report:
    """Kills its own process on a URL ending in ``/die`` (the environment of a fork server started earlier in
    the same test session would not carry ``PROBE_DIE_URL``)."""
    import os
    import signal

    if url.endswith("/die"):
        os.kill(os.getpid(), signal.SIGKILL)
    return Report(id=report_id(url), url=url, text=str(len(data)))


def sleeps(data: bytes, *, url: str, **_: object) -> Report:
    """Sleeps ``data`` seconds (as text), then reports its process id."""
    import os
    import time

    time.sleep(float(data))
    return Report(id=report_id(url), url=url, text=str(os.getpid()))


def grabs_memory(data: bytes, *, url: str, **_: object) -> Report:
    """Allocates ``data`` MiB (as text)."""
    block = bytearray(int(data) << 20)
    return Report(id=report_id(url), url=url, text=str(len(block)))


def spins(data: bytes, *, url: str, **_: object) -> Report:
    """Burns CPU for ever."""
    while True:
        pass


def crashes(data: bytes, *, url: str, **_: object) -> Report:
    raise RuntimeError("a parser bug")
