"""Records embedded in a page's script block and the data proxy that serves the rest (Hanweb JCMS ``jpage`` style).

The column page holds no ``<a>`` to any article in its HTML. Its first records sit in
``<script type="text/xml"><datastore>…<recordset><record><![CDATA[<li><a href=…>…</li>]]></record>…``;
a ``jpage({...})`` call names the total (``totalRecord``), the page size (``perPage``), the proxy
(``proxyUrl``) and the form fields the proxy wants (``columnid``, ``unitid``, ``webid`` …). The other
records come from ``POST proxyUrl?startrecord=A&endrecord=B&perpage=N`` with those fields, answered by
the same XML datastore.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from crawler.listing import PageRequest

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)
_JPAGE = re.compile(r"\.jpage\s*\(\s*\{")
# ``key: value`` pairs of a JavaScript object literal; values are strings, numbers, booleans or identifiers.
_PAIR = re.compile(
    r"""["']?([A-Za-z_$][\w$]*)["']?\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|[A-Za-z_$][\w$.]*)"""
)
_VAR = re.compile(r"\b(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(\d+|\"[^\"]*\"|'[^']*')")
# Options of the jpage plugin that shape its pager, not the proxy's query (compared in lower case).
_OPTIONS = frozenset(
    {
        "datastore", "totalrecord", "perpage", "proxyurl", "groupsize", "barposition", "pagesize", "ajaxtype",
        "showmode", "themename", "containertag", "ishideonepage", "isshowpagebar", "callback", "startrecord",
        "endrecord", "page", "ajaxparam", "params", "data",
    }
)  # fmt: skip


@dataclass(frozen=True)
class JPage:
    """One ``jpage({...})`` call: what its pager would ask the data proxy for."""

    proxy_url: str  # absolute
    total: int
    per_page: int
    group_size: int
    form: tuple[tuple[str, str], ...]

    def page_requests(self, inline: int) -> list[PageRequest]:
        """The POSTs for records after the first ``inline`` ones (the page's own), one group at a time."""
        step = inline or self.per_page * self.group_size
        requests = []
        for start in range(inline + 1, self.total + 1, step):
            end = min(start + step - 1, self.total)
            query = urlencode({"startrecord": start, "endrecord": end, "perpage": self.per_page})
            sep = "&" if urlsplit(self.proxy_url).query else "?"
            requests.append(PageRequest(f"{self.proxy_url}{sep}{query}", self.form))
        return requests


def script_records(text: str) -> list[str]:
    """The HTML fragments of every ``<record><![CDATA[…]]></record>`` in a page or a proxy answer."""
    return _RECORD.findall(text)


def _object_literal(text: str, start: int) -> str:
    """The ``{…}`` starting at ``text[start]``, braces balanced (outside string literals)."""
    depth, quote, i = 0, "", start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
        i += 1
    return text[start:]


def _value(raw: str, variables: dict[str, str]) -> str | None:
    if raw[0] in "\"'":
        return raw[1:-1]
    if raw[0].isdigit() or raw[0] == "-" or raw in ("true", "false"):
        return raw
    return variables.get(raw)  # an identifier: a variable's literal value, else unknown


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


def jpage_calls(text: str, base_url: str) -> list[JPage]:
    """Every ``jpage({...})`` call of a page that names a proxy and a total (variables resolved)."""
    if ".jpage" not in text:
        return []
    variables = {name: value.strip("\"'") for name, value in _VAR.findall(text)}
    nextgroup = _NEXTGROUP.search(text)
    link = _HREF.search(nextgroup.group(1)) if nextgroup else None
    link_fields = parse_qsl(urlsplit(link.group(1)).query) if link else []
    calls = []
    for match in _JPAGE.finditer(text):
        pairs: dict[str, str] = {}
        for key, raw in _PAIR.findall(_object_literal(text, match.end() - 1)):
            value = _value(raw, variables)
            if value is not None:
                pairs.setdefault(key, value)
        options = {k.lower(): v for k, v in pairs.items()}
        if "proxyurl" not in options or not options.get("totalrecord", "").isdigit():
            continue
        form = {k: v for k, v in [*link_fields, *pairs.items()] if k.lower() not in _OPTIONS}
        calls.append(
            JPage(
                proxy_url=urljoin(base_url, options["proxyurl"]),
                total=int(options["totalrecord"]),
                per_page=max(1, _int(options.get("perpage"), 15)),
                group_size=max(1, _int(options.get("groupsize"), 1)),
                form=tuple(form.items()),
            )
        )
    return calls
