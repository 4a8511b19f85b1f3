"""Page metadata on real portal pages: the CMS's meta tags win over breadcrumbs that read like titles."""

import urllib.request

import pytest

from xxgk.parse import parse_document
from xxgk.portal import DemoPortal


@pytest.fixture(scope="module")
def portal():
    with DemoPortal(faults=False) as running:
        yield running


def test_trs_pages_take_title_and_agency_from_meta(portal):
    pages = [url for url in portal.truth if portal.site_of(url).name == "trs" and url.endswith(".html")]
    assert pages
    for url in pages:
        with urllib.request.urlopen(url) as response:
            parsed = parse_document(response.read(), url=url, content_type=response.headers["Content-Type"])
        truth = portal.truth[url]
        assert (parsed.title, parsed.agency, parsed.year) == (truth.title, truth.agency, truth.year), url
