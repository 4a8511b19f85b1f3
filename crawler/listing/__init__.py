"""How list pages hand out their links beyond plain ``<a>`` tags: script records, data proxies, JSON, sitemaps.

Each module reads one kind of list and returns plain data (links, page requests); the spider and
``xxgk probe`` turn them into requests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Link:
    """A candidate link: absolute URL and the text that names it."""

    url: str
    text: str


@dataclass(frozen=True)
class PageRequest:
    """Another page of a list: a GET of ``url``, or a POST of ``form`` (urlencoded) when ``form`` is set."""

    url: str
    form: tuple[tuple[str, str], ...] | None = None

    @property
    def method(self) -> str:
        return "GET" if self.form is None else "POST"
