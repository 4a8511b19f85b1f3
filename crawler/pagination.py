"""Find the other pages of a list: TRS ``createPageHTML`` scripts, 下一页/next links, ``?page=N`` links."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from parsel import Selector

_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
# ``var countPage = 3//共多少页`` — statements often lack the semicolon.
_VAR = re.compile(r"\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(\d+(?![\w.])|\"[^\"]*\"|'[^']*')")
_NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后页|尾页|末页|next|›|»|>)\s*$", re.I)
_PAGE_NUMBER = re.compile(r"^\s*\[?\d{1,4}\]?\s*$")
_PAGE_PARAMS = frozenset({"page", "pageno", "pagenum", "pageindex", "currentpage", "curpage", "pn", "p"})
_PAGE_EXTENSIONS = ("html", "htm", "shtml", "jhtml")


def _script_pages(base_url: str, script: str) -> list[str]:
    """Pages announced by ``createPageHTML(count, current, "index", "html")`` (args may be variables)."""
    variables = {name: value.strip("\"'") for name, value in _VAR.findall(script)}
    urls: list[str] = []
    for call in _CREATE_PAGE.findall(script):
        args = [a.strip().strip("\"'") for a in call.split(",")]
        args = [variables.get(a, a) for a in args]
        numbers = [int(a) for a in args if a.isdigit()]
        ext_at = next((i for i, a in enumerate(args) if a.lower() in _PAGE_EXTENSIONS), None)
        if len(numbers) < 2 or ext_at is None or ext_at == 0:
            continue
        count, prefix, ext = numbers[0], args[ext_at - 1], args[ext_at]
        if not re.fullmatch(r"[\w.-]+", prefix):
            continue
        urls += [urljoin(base_url, f"{prefix}.{ext}" if n == 0 else f"{prefix}_{n}.{ext}") for n in range(count)]
    return urls


def _is_page_link(base_url: str, url: str) -> bool:
    """A link to the same path differing only by a page-number parameter."""
    base, target = urlsplit(base_url), urlsplit(url)
    if (base.netloc, base.path) != (target.netloc, target.path):
        return False
    return any(_param_name(k) in _PAGE_PARAMS and v.isdigit() for k, v in parse_qsl(target.query))


def _param_name(name: str) -> str:
    """``cur_page``, ``page-no`` and ``PageNo`` are the same parameter."""
    return name.lower().replace("_", "").replace("-", "")


def _same_directory(base_url: str, url: str) -> bool:
    base, target = urlsplit(base_url), urlsplit(url)
    return base.netloc == target.netloc and base.path.rsplit("/", 1)[0] == target.path.rsplit("/", 1)[0]


def page_urls(base_url: str, selector: Selector, next_hint: str | None = None) -> list[str]:
    """Absolute URLs of the list's other pages, in document order, without duplicates."""
    found: list[str] = []
    for script in selector.xpath("//script/text()").getall():
        if "createPageHTML" in script:
            found += _script_pages(base_url, script)
    if next_hint:
        nodes = selector.xpath(next_hint) if next_hint.startswith(("/", "(")) else selector.css(next_hint)
        found += [urljoin(base_url, h) for h in nodes.xpath("descendant-or-self::a/@href").getall()]
    for anchor in selector.xpath("//a[@href]"):
        href = anchor.xpath("@href").get("").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, href)
        text = " ".join(anchor.xpath(".//text()").getall())
        numbered = _PAGE_NUMBER.match(text) and _same_directory(base_url, url)
        if _NEXT_TEXT.match(text) or numbered or _is_page_link(base_url, url):
            found.append(url)
    return list(dict.fromkeys(u for u in found if u.split("#")[0] != base_url))
