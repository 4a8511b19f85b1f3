"""Sitemaps as a further source of article URLs: ``Sitemap:`` lines of robots.txt, sitemap indexes and url sets."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field

from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file


@dataclass(frozen=True)
class SitemapEntries:
    """What one sitemap file lists: pages (``urlset``) or further sitemaps (``sitemapindex``)."""

    urls: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def robots_sitemaps(robots_txt: bytes, base_url: str) -> list[str]:
    """The sitemaps a robots.txt declares, as absolute URLs."""
    return list(dict.fromkeys(sitemap_urls_from_robots(robots_txt, base_url=base_url)))


def _unzipped(body: bytes) -> bytes | None:
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = inflater.decompress(body, MAX_SITEMAP_BYTES)
    except (zlib.error, gzip.BadGzipFile):
        return None
    return data if not inflater.unconsumed_tail else None


def is_sitemap(body: bytes) -> bool:
    """True when ``body`` is an XML url set or sitemap index (gzipped or not)."""
    head = (_unzipped(body) or b"")[:4096].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def entries(body: bytes) -> SitemapEntries:
    """The locations a sitemap lists; an unreadable file lists nothing."""
    data = _unzipped(body)
    if not data:
        return SitemapEntries()
    try:
        sitemap = Sitemap(data)
    except Exception:  # lxml raises several types on broken XML; a broken sitemap lists nothing
        return SitemapEntries()
    locations = [entry["loc"].strip() for entry in sitemap if entry.get("loc")]
    if sitemap.type == "sitemapindex":
        return SitemapEntries(sitemaps=locations)
    return SitemapEntries(urls=locations) if sitemap.type == "urlset" else SitemapEntries()
