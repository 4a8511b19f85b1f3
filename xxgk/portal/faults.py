"""Misbehaviour the demo sites put in a crawler's way, and the labels tests use to find it.

Static oddities (redirects, a redirect loop, broken links, tracking-parameter duplicates, a lying charset
header, a 403 page, robots-disallowed traps) are plain resources built in ``sites``. The stateful or
timing faults live here: a page that fails with 500 once, a slow page, and a 瑞数-style 412 cookie challenge.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

# Labels of ``DemoPortal.fault_urls`` values.
FAULT_KINDS = (
    "charset_lie",  # header says charset=utf-8, bytes are GBK
    "redirect",  # 301/302 to a report
    "redirect_loop",  # two URLs redirecting to each other
    "not_found",  # a linked URL that answers 404
    "tracking_duplicate",  # same document behind ?utm_source=… / &from=…
    "flaky",  # 500 on the first request, then 200 (faults=True only)
    "slow",  # answers after SLOW_SECONDS (faults=True only)
    "forbidden",  # 403
    "challenge",  # 412 with a JavaScript cookie challenge; 200 once the cookie is sent
    "trap",  # robots-disallowed endless pages
)
SLOW_SECONDS = 2.0
CHALLENGE_COOKIE = "FSSBBIl1UgzbN7N80T"


def challenge_token(site: str) -> str:
    """The cookie value the challenge script computes for ``site`` (deterministic, so clients can reproduce it)."""
    return hashlib.md5(f"xxgk-demo:{site}".encode()).hexdigest()


def challenge_page(site: str) -> bytes:
    """A 412 body in the style of 瑞数 bot protection: obfuscated-looking script that sets a cookie and reloads."""
    token = challenge_token(site)
    half = len(token) // 2
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Pragma" content="no-cache">'
        '<script type="text/javascript">'
        f'var _$a=["{token[:half]}","{token[half:]}"];'
        f'var _$c="{CHALLENGE_COOKIE}";'
        'document.cookie=_$c+"="+_$a[0]+_$a[1]+"; path=/";'
        "setTimeout(function(){location.reload();},50);"
        '</script></head><body><p style="display:none">请开启JavaScript并刷新该页</p></body></html>'
    ).encode()


@dataclass
class FaultState:
    """Per-site switches for the stateful faults; thread-safe."""

    flaky: set[str] = field(default_factory=set)  # resource keys answering 500 on their first request
    slow: set[str] = field(default_factory=set)
    guarded: set[str] = field(default_factory=set)  # resource keys behind the cookie challenge
    _failed: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_once(self, key: str) -> bool:
        """True the first time a flaky key is asked for."""
        if key not in self.flaky:
            return False
        with self._lock:
            if key in self._failed:
                return False
            self._failed.add(key)
            return True

    def delay(self, key: str) -> None:
        if key in self.slow:
            time.sleep(SLOW_SECONDS)

    def challenged(self, key: str, site: str, cookie_header: str | None) -> bool:
        """True when ``key`` is guarded and the request lacks the challenge cookie."""
        if key not in self.guarded:
            return False
        cookie = SimpleCookie()
        try:
            cookie.load(cookie_header or "")
        except CookieError:  # malformed Cookie header: treat as absent
            return True
        morsel = cookie.get(CHALLENGE_COOKIE)
        return morsel is None or morsel.value != challenge_token(site)
