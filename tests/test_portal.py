"""The demo portal: real HTTP on 127.0.0.1, encodings, validators, faults and the truth it reports."""

from __future__ import annotations

import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from xxgk.portal import DemoPortal, placeholder
from xxgk.portal.faults import CHALLENGE_COOKIE, challenge_token
from xxgk.portal.process import portal_process

ROOT = Path(__file__).resolve().parents[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) without following redirects; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with OPENER.open(request, timeout=timeout) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers.items()), err.read()


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(seed=0) as demo:
        yield demo


def urls_of(portal: DemoPortal, kind: str) -> list[str]:
    return [u for u, k in portal.fault_urls.items() if k == kind]


def test_sites_listen_on_distinct_free_loopback_ports(portal):
    assert {s.name for s in portal.sites} >= {"trs", "hanweb", "attach"}
    ports = {urlsplit(s.base_url).port for s in portal.sites}
    assert len(ports) == len(portal.sites)
    for site in portal.sites:
        assert urlsplit(site.base_url).hostname == "127.0.0.1"
        assert fetch(site.start_urls[0])[0] == 200
    assert len({s.region.code for s in portal.sites}) == len(portal.sites)


def test_stop_closes_the_ports():
    demo = DemoPortal(seed=1).start()
    url = demo.sites[0].start_urls[0]
    assert fetch(url)[0] == 200
    demo.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


def test_each_site_has_a_realistic_number_of_reports(portal):
    for site in portal.sites:
        count = sum(u.startswith(site.base_url + "/") for u in portal.truth)
        assert 15 <= count <= 25, (site.name, count)
    years = {r.year for r in portal.truth.values()}
    assert min(years) <= 2020 and max(years) >= 2024
    assert not set(portal.truth) & portal.non_reports


def test_trs_list_pages_page_only_by_createpagehtml_in_gbk(portal):
    site = portal.site("trs")
    status, headers, body = fetch(site.start_urls[0])
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=GBK"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("gbk")
    assert '<meta charset="gb2312" />' in text
    assert "政府信息公开年报" in text
    call = re.search(r'createPageHTML\(countPage, currentPage, "index", "html"\)', text)
    count = int(re.search(r"var countPage = (\d+)", text).group(1))
    assert call and count >= 2
    assert "index_1.html" not in text  # the next pages are only reachable through the script call
    for n in range(1, count):
        status, _, page = fetch(f"{site.base_url}/xxgk/ndbg/index_{n}.html")
        assert status == 200 and f"var currentPage = {n};" in page.decode("gbk")
    assert fetch(f"{site.base_url}/xxgk/ndbg/index_{count}.html")[0] == 404
    links = re.findall(r'href="(\./\d{6}/t\d{8}_\d+\.html)"', text)
    assert links and all(re.fullmatch(r"\./(\d{6})/t\1\d{2}_\d+\.html", link) for link in links)


def test_every_report_answers_with_decodable_bytes(portal):
    lie = set(urls_of(portal, "charset_lie"))
    flaky = set(urls_of(portal, "flaky"))
    for url, report in portal.truth.items():
        status, headers, body = fetch(url)
        if url in flaky and status == 500:
            status, headers, body = fetch(url)
        assert status == 200, url
        ctype = headers["Content-Type"]
        if body.startswith(b"%PDF"):
            assert "pdf" in ctype or ctype == "application/octet-stream"
        elif body.startswith(b"PK"):
            assert "word" in ctype or ctype == "application/octet-stream"
        else:
            declared = re.search(r"charset=([\w-]+)", ctype).group(1)
            encoding = "gbk" if url in lie else declared
            assert url in lie or declared.lower() in ("gbk", "utf-8")
            text = body.decode(encoding)
            assert report.title in text and report.agency in text
        if url.startswith(portal.site("attach").base_url):
            assert "filename*=UTF-8''" in headers["Content-Disposition"]


def test_trs_detail_carries_cms_meta_tags_in_gbk(portal):
    site = portal.site("trs")
    url, report = next((u, r) for u, r in portal.truth.items() if u.startswith(site.base_url))
    text = fetch(url)[2].decode("gbk")
    assert f'<meta name="ArticleTitle" content="{report.title}" />' in text
    assert f'<meta name="PubDate" content="{report.published}' in text
    assert f'<meta name="ContentSource" content="{report.agency}" />' in text
    assert '<meta name="SiteIDCode" content="2308830001" />' in text


def test_charset_lie_header_says_utf8_while_bytes_are_gbk(portal):
    (url,) = urls_of(portal, "charset_lie")
    status, headers, body = fetch(url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert portal.truth[url].title in body.decode("gbk")


def test_hanweb_pages_with_next_links_and_page_parameter(portal):
    site = portal.site("hanweb")
    url, seen, pages, openers = site.start_urls[0], [], 0, 0
    while url:
        status, headers, body = fetch(url)
        assert status == 200 and "charset=utf-8" in headers["Content-Type"]
        text = body.decode("utf-8")
        found = re.findall(r"""(href="|window\.open\(')(/art/\d{4}/\d{1,2}/\d{1,2}/art_1229_\d+\.html)["']""", text)
        openers += sum(how != 'href="' for how, _ in found)
        seen += [path for _, path in found]
        nxt = re.search(r'<a href="([^"]+)">下一页</a>', text)
        url = site.base_url + nxt.group(1) if nxt else None
        if nxt:
            assert re.search(r"\?page=\d+$", nxt.group(1))
        pages += 1
    assert pages >= 2 and 0 < openers < len(seen)  # some items are opened by a script handler
    reports_here = [u for u in portal.truth if u.startswith(site.base_url)]
    attachments = [u for u in reports_here if "/attach/" in u]
    assert attachments and len(attachments) < len(reports_here)
    detail_reports = {u.removeprefix(site.base_url) for u in reports_here if "/art/" in u}
    assert detail_reports <= set(seen)


def test_attachment_only_reports_are_linked_from_their_detail_page(portal):
    site = portal.site("hanweb")
    files = {u.removeprefix(site.base_url) for u in portal.truth if u.startswith(site.base_url + "/attach/")}
    linked, shown = set(), set()
    for n in range(1, 10):
        status, _, body = fetch(site.start_urls[0] + (f"?page={n}" if n > 1 else ""))
        if status != 200:
            break
        for path in re.findall(r"""(?:href="|window\.open\(')(/art/[^"']+)["']""", body.decode()):
            page = fetch(site.base_url + path)[2].decode()
            linked |= set(re.findall(r'href="(/attach/0/[^"]+)"', page))
            shown |= {unquote(f) for f in re.findall(r'viewer\.html\?file=(%2Fattach%2F0%2F[^"&]+)"', page)}
    assert files and files <= linked | shown and linked and shown  # some PDFs are only shown in a viewer


def test_robots_txt_disallows_the_linked_traps(portal):
    for site in portal.sites:
        status, headers, body = fetch(site.base_url + "/robots.txt")
        assert status == 200 and headers["Content-Type"].startswith("text/plain")
        rules = [line.split(":", 1)[1].strip() for line in body.decode().splitlines() if line.startswith("Disallow:")]
        assert {site.base_url + r for r in rules} == {d for d in portal.disallowed if d.startswith(site.base_url)}
        trap = next(u for u in urls_of(portal, "trap") if u.startswith(site.base_url))
        assert any(trap.startswith(site.base_url + r) for r in rules)
        status, _, page = fetch(trap)
        assert status == 200 and "index.jsp?date=" in page.decode()  # endless: each page links another


def test_conditional_get_answers_304_until_edit(portal):
    url = next(u for u in portal.truth if "/xxgk/" in u and u not in portal.fault_urls)
    status, headers, body = fetch(url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag.startswith('"')
    assert fetch(url, {"If-None-Match": etag})[0] == 304
    assert fetch(url, {"If-Modified-Since": modified})[0] == 304
    assert fetch(url, {"If-None-Match": '"other"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"})[0] == 200

    old = portal.truth[url]
    new = portal.edit(url)
    assert portal.truth[url] is new and new.title == old.title
    assert new.tables != old.tables
    changed = [(r, c) for r in new.tables for c in new.tables[r] if new.tables[r][c] != old.tables[r].get(c)]
    assert ("requests.new", "total") in changed and ("requests.total", "total") in changed
    status, headers2, body2 = fetch(url, {"If-None-Match": etag})
    assert status == 200 and headers2["ETag"] != etag and body2 != body
    assert fetch(url, {"If-Modified-Since": modified})[0] == 200
    assert fetch(url, {"If-None-Match": headers2["ETag"]})[0] == 304


def test_edit_of_an_attachment_changes_the_file(portal):
    url = next(u for u in portal.truth if u.endswith(".pdf") and u not in portal.fault_urls)
    _, before, body = fetch(url)
    portal.edit(url)
    _, after, body2 = fetch(url)
    assert body2.startswith(b"%PDF") and body2 != body and after["ETag"] != before["ETag"]
    with pytest.raises(KeyError):
        portal.edit(portal.sites[0].start_urls[0])


def test_flaky_page_answers_500_once_then_200():
    with DemoPortal(seed=2) as demo:
        flaky = urls_of(demo, "flaky")
        assert len([u for u in flaky if u in demo.truth]) >= 2  # reports, and the data proxy's first POST page
        for url in flaky:
            assert url in demo.truth or "/dataproxy.jsp?" in url
            assert fetch(url)[0] == 500
            assert fetch(url)[0] == 200
            assert fetch(url)[0] == 200


def test_faults_off_has_no_flaky_or_slow_pages():
    demo = DemoPortal(seed=0, faults=False)
    with demo:
        assert not urls_of(demo, "flaky") and not urls_of(demo, "slow")
        assert all(fetch(u)[0] == 200 for u in list(demo.truth)[:5])


def test_slow_page_is_slow(portal):
    url = urls_of(portal, "slow")[0]
    assert url in portal.non_reports
    started = time.monotonic()
    assert fetch(url)[0] == 200
    assert time.monotonic() - started >= 1.5
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(url, timeout=0.3)


def test_redirects_loops_404_and_403(portal):
    for url in urls_of(portal, "redirect"):
        status, headers, _ = fetch(url)
        assert status in (301, 302)
        assert portal.site_of(url).base_url + headers["Location"] in portal.truth
    loop = urls_of(portal, "redirect_loop")
    assert len(loop) == 2
    for url in loop:
        status, headers, _ = fetch(url)
        assert status == 302 and portal.site_of(url).base_url + headers["Location"] in loop
    for url in urls_of(portal, "not_found"):
        assert fetch(url)[0] == 404
    for url in urls_of(portal, "forbidden"):
        assert fetch(url)[0] == 403


def test_tracking_parameters_give_the_same_document(portal):
    dups = urls_of(portal, "tracking_duplicate")
    assert len(dups) >= 2
    for url in dups:
        canonical = url.split("?", 1)[0]
        assert canonical in portal.truth and re.search(r"[?&](utm_source|from)=", url)
        assert fetch(url)[2] == fetch(canonical)[2]


def test_challenge_412_until_the_cookie_is_sent(portal):
    (url,) = urls_of(portal, "challenge")
    status, _, body = fetch(url)
    assert status == 412 and b"document.cookie" in body and CHALLENGE_COOKIE.encode() in body
    site = next(s for s in portal.sites if url.startswith(s.base_url))
    token = challenge_token(site.name)
    assert token[:16].encode() in body and token[16:].encode() in body
    assert fetch(url, {"Cookie": f"{CHALLENGE_COOKIE}=wrong"})[0] == 412
    assert fetch(url, {"Cookie": f"a=b; {CHALLENGE_COOKIE}={token}"})[0] == 200


def test_request_log_records_paths_headers_and_status(portal):
    site = portal.site("hanweb")
    before = len(portal.request_log)
    fetch(site.base_url + "/col/col1229/index.html?page=2", {"User-Agent": "xxgk-test/1"})
    fetch(site.base_url + "/no/such/page.html")
    log = portal.request_log[before:]
    assert [(e.site, e.method, e.path, e.status) for e in log] == [
        ("hanweb", "GET", "/col/col1229/index.html?page=2", 200),
        ("hanweb", "GET", "/no/such/page.html", 404),
    ]
    assert log[0].headers["User-Agent"] == "xxgk-test/1"


def test_non_reports_include_lookalikes(portal):
    titles = []
    for url in portal.non_reports:
        status, _, body = fetch(url)
        if url in portal.fault_urls:
            continue
        assert status == 200
        titles.append(url)
    assert len(titles) >= 15
    text = " ".join(fetch(s.start_urls[0])[2].decode("gbk" if s.kind == "trs" else "utf-8") for s in portal.sites)
    assert "政府信息公开指南" in text and "企业年度报告公示" in text


def test_config_matches_demo_yaml(portal):
    raw = yaml.safe_dump(yaml.safe_load((ROOT / "config" / "demo.yaml").read_text(encoding="utf-8")))
    for site in portal.sites:
        raw = raw.replace(placeholder(site.name), site.base_url)
    assert "${" not in raw
    assert yaml.safe_load(raw) == portal.config()
    for entry, site in zip(portal.config()["sites"], portal.sites, strict=True):
        assert entry["start_urls"] == site.start_urls
        assert all(any(re.search(p, u) for p in entry["allow"]) for u in portal.truth if u.startswith(site.base_url))
        assert not any(re.search(p, u) for p in entry["deny"] for u in portal.truth)


def test_same_seed_same_portal():
    a, b = DemoPortal(seed=3), DemoPortal(seed=3)
    with a, b:
        paths_a = {u.removeprefix(s.base_url) for s in a.sites for u in a.truth if u.startswith(s.base_url)}
        paths_b = {u.removeprefix(s.base_url) for s in b.sites for u in b.truth if u.startswith(s.base_url)}
        assert paths_a == paths_b
        assert fetch(a.sites[0].start_urls[0])[2] == fetch(b.sites[0].start_urls[0])[2]


def test_same_seed_same_portal_in_processes_with_other_string_hashes():
    script = """
import hashlib
from xxgk.portal.sites import build_sites
for site in build_sites(0, 1, True):
    for key in sorted(site.non_reports) + sorted(site.faults.guarded):
        print(site.name, key, hashlib.sha1(site.resources[key].body()).hexdigest())
    print(site.name, sorted(site.fault_paths.items()))
"""
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1] and ".docx" in outputs[0] and "challenge" in outputs[0]


def test_attachments_hold_the_report_text(portal):
    import io

    import docx
    import pdfplumber

    site = portal.site("attach")
    files = [u for u in portal.truth if u.startswith(site.base_url) and u not in portal.fault_urls]
    pdf_url = next(u for u in files if fetch(u)[2].startswith(b"%PDF"))
    docx_url = next(u for u in files if fetch(u)[2].startswith(b"PK"))
    with pdfplumber.open(io.BytesIO(fetch(pdf_url)[2])) as pdf:
        pdf_text = "".join(page.extract_text() or "" for page in pdf.pages)
    docx_text = "".join(p.text for p in docx.Document(io.BytesIO(fetch(docx_url)[2])).paragraphs)
    for url, text in ((pdf_url, pdf_text), (docx_url, docx_text)):
        assert portal.truth[url].agency in text.replace(" ", ""), url
    assert fetch(pdf_url)[1]["Content-Disposition"].startswith("attachment;")


def test_warm_prerenders_without_changing_what_is_served():
    warmed, cold = DemoPortal(seed=4), DemoPortal(seed=4)
    warmed.warm()
    with warmed, cold:
        assert warmed.request_log == []
        for site_w, site_c in zip(warmed.sites, cold.sites, strict=True):
            reports = (u for u in warmed.truth if u.startswith(site_w.base_url) and u not in warmed.fault_urls)
            path = next(reports).removeprefix(site_w.base_url)  # not a flaky one: its first answer is a 500
            (_, hw, bw), (_, hc, bc) = fetch(site_w.base_url + path), fetch(site_c.base_url + path)
            assert bw == bc and hw["ETag"] == hc["ETag"]


def test_every_link_on_list_pages_works_or_is_a_declared_fault(portal):
    from html import unescape
    from urllib.parse import urljoin

    list_pages = [
        *(f"{portal.site('trs').base_url}/xxgk/ndbg/index{'' if n == 0 else f'_{n}'}.html" for n in range(2)),
        *(f"{portal.site('hanweb').base_url}/col/col1229/index.html{'' if n == 1 else f'?page={n}'}" for n in (1, 2)),
        *(f"{portal.site('attach').base_url}/zfxxgk/ndbg/list_{n}.html" for n in (1, 2)),
    ]
    checked = 0
    for page in list_pages:
        status, headers, body = fetch(page)
        assert status == 200, page
        text = body.decode("gbk" if "GBK" in headers["Content-Type"] else "utf-8")
        for href in re.findall(r'href="([^"]+)"', text):
            url = urljoin(page, unescape(href))
            if href.startswith("javascript:") or href.endswith(".css"):
                continue
            status = fetch(url)[0]
            assert status == 200 or url in portal.fault_urls, (page, url, status)
            checked += 1
    assert checked > 60


def test_portal_process_serves_until_the_block_ends(tmp_path):
    with portal_process(tmp_path / "sites.json", "--seed", "2", "--no-faults") as portal:
        assert [site["name"] for site in portal.config["sites"]] == ["trs", "hanweb", "attach", "jpage", "json"]
        start = portal.config["sites"][0]["start_urls"][0]
        assert fetch(start)[0] == 200
        assert not list(tmp_path.glob("*.part"))
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(start, timeout=2)
    with pytest.raises(RuntimeError, match="did not start"), portal_process(tmp_path / "never.json", "--scale", "0"):
        pass


def test_a_client_hanging_up_is_not_reported_as_a_server_error(portal, capsys):
    """A crawler closing its connections with a reset (as at the end of a crawl) leaves no traceback behind."""
    host, port = urlsplit(portal.sites[0].base_url).netloc.split(":")
    for _ in range(5):
        with socket.create_connection((host, int(port))) as conn:
            conn.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            conn.recv(1)  # the answer has started
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
    time.sleep(0.5)
    assert fetch(portal.sites[0].base_url + "/robots.txt")[0] == 200  # still serving
    assert "Traceback" not in capsys.readouterr().err


def post(url: str, form: dict[str, str]) -> tuple[int, bytes]:
    from urllib.parse import urlencode

    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=urlencode(form).encode()), timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_jpage_records_sit_in_a_script_block_and_the_rest_only_come_from_a_post(portal):
    from html import unescape
    from urllib.parse import parse_qsl

    site = portal.site("jpage")
    text = fetch(site.start_urls[0])[2].decode()
    reports = {u.removeprefix(site.base_url) for u in portal.truth if u.startswith(site.base_url)}
    outside = re.sub(r"<script.*?</script>", "", text, flags=re.S)
    assert not any(path in outside for path in reports)  # no <a> to an article in the page's own HTML
    records = re.compile(r"<record><!\[CDATA\[(.*?)\]\]></record>", re.S)
    per_page, total = (int(n) for n in re.search(r"perPage: (\d+), totalRecord: (\d+)", text).groups())
    listed = records.findall(text)
    assert len(listed) == per_page < total
    nextgroup = re.search(r'<nextgroup><!\[CDATA\[<a href="([^"]+)"', text).group(1)
    proxy, query = unescape(nextgroup).split("?")
    form = {k: v for k, v in parse_qsl(query) if k != "page"}
    assert set(form) >= {"col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname"}
    for start in range(per_page + 1, total + 1, per_page):
        url = f"{site.base_url}{proxy}?startrecord={start}&endrecord={start + per_page - 1}&perpage={per_page}"
        status, body = post(url, form)
        if url in portal.fault_urls:  # the flaky page: 500 once, then records
            assert (status, portal.fault_urls[url]) == (500, "flaky")
            status, body = post(url, form)
        assert status == 200 and body.startswith(b"<?xml")
        listed += records.findall(body.decode())
        assert records.findall(fetch(url)[2].decode()) == []  # a GET answers an empty datastore
        assert records.findall(post(url, {**form, "columnid": "1"})[1].decode()) == []  # another column: none
    hrefs = {re.search(r'href="([^"]+)"', r).group(1) for r in listed}
    assert len(listed) == total and reports <= hrefs
    assert any(h.startswith(tuple(d.removeprefix(site.base_url) for d in portal.disallowed)) for h in hrefs)


def test_json_site_lists_through_its_endpoint(portal):
    import json

    site = portal.site("json")
    text = fetch(site.start_urls[0])[2].decode()
    documents = {u.removeprefix(site.base_url) for u in set(portal.truth) | portal.non_reports}
    assert not any(path in text for path in documents)
    api = re.search(r'var api = "([^"]+)"', text).group(1)
    first = json.loads(fetch(site.base_url + api + "1")[2])["data"]
    pages = [json.loads(fetch(site.base_url + api + str(n))[2])["data"] for n in range(1, first["totalPage"] + 1)]
    assert first["totalPage"] > 1 and sum(len(p["list"]) for p in pages) == first["total"]
    assert {row["url"] for p in pages for row in p["list"]} >= {
        u.removeprefix(site.base_url) for u in portal.truth if u.startswith(site.base_url)
    }
