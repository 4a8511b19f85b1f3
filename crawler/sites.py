"""Portal configuration (config/sites.yaml): load, expand ``${VAR}`` placeholders, validate into dataclasses."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from parsel import Selector

from xxgk.model import Region

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SITE_KEYS = frozenset({"name", "start_urls", "region", "allow", "deny", "hints", "max_pages"})
_REGION_KEYS = frozenset({"province", "city", "county", "code"})
_HINT_KEYS = frozenset({"list_items", "next_page"})
# A name is one word: letters of any script (Chinese ones too), digits, _ . - ; never a comma (``-a site=a,b``).
_NAME = re.compile(r"[\w.-]+")
MAX_VALUES = 100_000  # strings, numbers, lists and mappings of one configuration, aliases expanded
MAX_FILE = 4 << 20
# Where hints are tried: XPath predicates and functions are evaluated only on nodes that exist.
_SAMPLE_PAGE = '<html><body><div class="list"><ul><li><a href="a.html">年度报告</a></li></ul></div></body></html>'


class ConfigError(ValueError):
    """The site configuration is unusable; the message says where and why."""


@dataclass(frozen=True)
class Hints:
    """Optional selectors (CSS, or XPath when starting with ``/`` or ``(``) for odd list pages."""

    list_items: str | None = None
    next_page: str | None = None


def _is_xpath(selector: str) -> bool:
    return selector.startswith(("/", "("))


def _check_hint(value: Any, where: str) -> None:
    """A hint must be a selector the spider can run: tried once on a small list page, as the spider runs it."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a CSS or XPath selector")
    page = Selector(text=_SAMPLE_PAGE)
    try:
        page.xpath(value) if _is_xpath(value) else page.css(value)
    except Exception as exc:  # parsel raises ValueError, cssselect its SelectorError: both mean "not a selector"
        kind = "XPath" if _is_xpath(value) else "CSS"
        raise ConfigError(f"{where}: bad {kind} selector {value!r}: {' '.join(str(exc).split())}") from None


@dataclass(frozen=True)
class SiteConfig:
    name: str
    start_urls: tuple[str, ...]
    region: Region
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    hints: Hints = field(default_factory=Hints)
    max_pages: int | None = None

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset(urlsplit(u).netloc.lower() for u in self.start_urls)

    def allows(self, url: str) -> bool:
        """Deny patterns win; with allow patterns a URL must match one of them."""
        if any(p.search(url) for p in self.deny):
            return False
        return not self.allow or any(p.search(url) for p in self.allow)


def expand(value: Any, env: Mapping[str, str], where: str, budget: list[int] | None = None) -> Any:
    """Replace ``${VAR}`` in every string of ``value``; an unknown variable is a ConfigError.

    The result is a tree: YAML aliases are copied out, so ``budget`` (one counter) stops an alias bomb
    (ten levels of ten aliases expand to ten billion values) at ``MAX_VALUES``.
    """
    budget = [MAX_VALUES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise ConfigError(f"configuration expands to more than {MAX_VALUES} values (a YAML alias bomb?)")
    if isinstance(value, str):

        def lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in env:
                raise ConfigError(f"{where}: ${{{name}}} is not set")
            return env[name]

        return _PLACEHOLDER.sub(lookup, value)
    if isinstance(value, list):
        return [expand(v, env, f"{where}[{i}]", budget) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: expand(v, env, f"{where}.{k}", budget) for k, v in value.items()}
    return value


def _patterns(raw: Any, where: str) -> tuple[re.Pattern[str], ...]:
    items = [raw] if isinstance(raw, str) else raw or []
    if not isinstance(items, list) or not all(isinstance(p, str) for p in items):
        raise ConfigError(f"{where}: expected a regex or a list of regexes")
    try:
        return tuple(re.compile(p) for p in items)
    except re.error as exc:
        raise ConfigError(f"{where}: bad regex: {exc}") from None


def _site(raw: Any, index: int) -> SiteConfig:
    where = f"sites[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping")
    if unknown := set(raw) - _SITE_KEYS:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(f"{where}: name must be a non-empty word (letters of any script, digits, _ . -)")
    where = f"site {name!r}"
    urls = raw.get("start_urls")
    if isinstance(urls, str):
        urls = [urls]
    if not urls or not isinstance(urls, list):
        raise ConfigError(f"{where}: start_urls must be a non-empty list")
    for url in urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"{where}: start URL {url!r} is not an absolute http(s) URL")
    region = raw.get("region") or {}
    if not isinstance(region, dict) or (unknown := set(region) - _REGION_KEYS):
        raise ConfigError(f"{where}: region must be a mapping of {sorted(_REGION_KEYS)}")
    code = region.get("code")
    if code is not None and not re.fullmatch(r"\d{6}", str(code)):
        raise ConfigError(f"{where}: region.code must be a 6-digit division code, got {code!r}")
    hints = raw.get("hints") or {}
    if not isinstance(hints, dict) or (unknown := set(hints) - _HINT_KEYS):
        raise ConfigError(f"{where}: hints may only hold {sorted(_HINT_KEYS)}")
    for key, value in hints.items():
        _check_hint(value, f"{where}: hints.{key}")
    max_pages = raw.get("max_pages")
    if max_pages is not None and (not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1):
        raise ConfigError(f"{where}: max_pages must be a positive integer")
    return SiteConfig(
        name=name,
        start_urls=tuple(urls),
        region=Region(**{k: (str(v) if v is not None else None) for k, v in region.items()}),
        allow=_patterns(raw.get("allow"), f"{where}.allow"),
        deny=_patterns(raw.get("deny"), f"{where}.deny"),
        hints=Hints(**hints),
        max_pages=max_pages,
    )


def parse_sites(data: Any, env: Mapping[str, str] | None = None) -> list[SiteConfig]:
    """Validate a loaded configuration mapping ``{"sites": [...]}``."""
    if not isinstance(data, dict) or not isinstance(data.get("sites"), list):
        raise ConfigError("configuration must be a mapping with a 'sites' list")
    try:
        data = expand(data, os.environ if env is None else env, "config")
    except RecursionError:
        raise ConfigError("configuration is nested too deeply") from None
    sites = [_site(raw, i) for i, raw in enumerate(data["sites"])]
    names = [s.name for s in sites]
    if dupes := sorted({n for n in names if names.count(n) > 1}):
        raise ConfigError(f"duplicate site names: {dupes}")
    return sites


def load_sites(source: str | Path | Mapping[str, Any], env: Mapping[str, str] | None = None) -> list[SiteConfig]:
    """Sites from a YAML/JSON file or an already-loaded mapping; ``env`` defaults to ``os.environ``."""
    if isinstance(source, Mapping):
        return parse_sites(dict(source), env)
    path = Path(source)
    try:
        if path.stat().st_size > MAX_FILE:
            raise ConfigError(f"{path}: larger than {MAX_FILE >> 20} MB, not a site configuration")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start} is 0x{exc.object[exc.start]:02x})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply") from None
    try:
        return parse_sites(data, env)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def select(sites: list[SiteConfig], names: list[str] | None) -> list[SiteConfig]:
    """The named sites (all when ``names`` is empty); an unknown name is a ConfigError."""
    if not names:
        return sites
    known = {s.name: s for s in sites}
    if missing := [n for n in names if n not in known]:
        raise ConfigError(f"unknown site(s) {missing}; configured: {sorted(known)}")
    return [known[n] for n in names]
