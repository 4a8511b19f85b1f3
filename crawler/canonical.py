"""URL canonicalisation: one identity per document however it was linked."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that only say where a click came from; dropped before requesting and for identity.
TRACKING_PARAMS = frozenset(
    {"from", "spm", "share_token", "share", "sharefrom", "isappinstalled", "scene", "gclid", "fbclid", "_hsmi"}
)
TRACKING_PREFIXES = ("utm_",)


def is_tracking(param: str) -> bool:
    name = param.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def clean_url(url: str) -> str:
    """The URL to request: tracking parameters and fragment dropped, scheme/host lower-cased, order kept."""
    parts = urlsplit(url.strip())
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not is_tracking(k)]
    query = parts.query if len(kept) == len(pairs) else urlencode(kept)
    netloc = parts.netloc.lower()
    scheme = parts.scheme.lower()
    if (scheme, netloc.rsplit(":", 1)[-1]) in {("http", "80"), ("https", "443")}:
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def canonical_url(url: str) -> str:
    """The identity of a document: ``clean_url`` then w3lib canonicalisation (sorted query, normalised escapes)."""
    return canonicalize_url(clean_url(url))
