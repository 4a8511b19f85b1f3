"""Hostile site configurations: each is refused when it loads, with a line naming the site and what is wrong."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.sites import ConfigError, load_sites

ROOT = Path(__file__).resolve().parent.parent


def _site(**fields: object) -> dict:
    return {"sites": [{"name": "a", "start_urls": ["http://a.gov.cn/ndbg/"], **fields}]}


@pytest.mark.parametrize(
    ("hints", "message"),
    [
        ({"list_items": "ul.list li[class="}, "site 'a': hints.list_items: bad CSS selector 'ul.list li[class='"),
        ({"next_page": "//a[text()='下一页'"}, "site 'a': hints.next_page: bad XPath selector"),
        ({"next_page": "//a[foo:bar()]"}, "site 'a': hints.next_page: bad XPath selector"),
        ({"list_items": ""}, "site 'a': hints.list_items: expected a CSS or XPath selector"),
        ({"list_items": 3}, "site 'a': hints.list_items: expected a CSS or XPath selector"),
    ],
)
def test_bad_hints_are_refused_when_the_config_loads(hints: dict, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_sites(_site(hints=hints))
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_good_hints_pass() -> None:
    (site,) = load_sites(_site(hints={"list_items": "ul.list > li", "next_page": "//a[contains(., '下一页')]"}))
    assert site.hints.list_items == "ul.list > li"


def test_chinese_site_names_are_words() -> None:
    (site,) = load_sites({"sites": [{"name": "抚远市", "start_urls": ["http://www.fuyuan.gov.cn/"]}]})
    assert site.name == "抚远市"
    for bad in ("抚远 市", "a,b", "", "x/y"):
        with pytest.raises(ConfigError, match="name must be a non-empty word"):
            load_sites({"sites": [{"name": bad, "start_urls": ["http://a.gov.cn/"]}]})


def test_a_config_that_is_not_utf8_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_bytes("sites:\n  - name: 抚远市\n    start_urls: [http://a.gov.cn/]\n".encode("gbk"))
    with pytest.raises(ConfigError, match=r"sites.yaml: not UTF-8 text \(byte \d+ is 0x[0-9a-f]{2}\)"):
        load_sites(path)


def test_deeply_nested_yaml_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "sites.yaml"
    path.write_text("sites: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_sites(path)


BOMB = "\n".join(
    ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    + ["sites:", "  - name: bomb", "    start_urls: [http://a.gov.cn/]", "    allow: *a9"]
)


def test_yaml_alias_bomb_is_refused_quickly_and_small(tmp_path) -> None:
    """Ten levels of ten aliases (10^10 values once copied out): refused in a child with a 1 GiB ceiling."""
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    code = (
        "import sys; from crawler.sites import load_sites, ConfigError\n"
        "try: load_sites(sys.argv[1])\n"
        "except ConfigError as e: print(e)\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)),
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert "expands to more than 100000 values" in child.stdout
