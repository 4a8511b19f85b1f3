"""The bundled demo portal: realistic government sites served on 127.0.0.1 for crawler tests, demos and benchmarks.

    with DemoPortal(seed=0, scale=1, faults=True) as portal:
        portal.config()        # crawler site config (config/demo.yaml with the ports filled in)
        portal.truth           # report URL -> xxgk.generate.GeneratedReport
        portal.non_reports     # URLs of documents that are not annual reports (guides, budgets, notices ...)
        portal.disallowed      # robots.txt Disallow prefixes, as absolute URLs (the traps)
        portal.fault_urls      # URL -> fault kind (see faults.FAULT_KINDS)
        portal.request_log     # LoggedRequest(site, method, path, headers, status) for every request
        portal.edit(url)       # re-publish a report with one consistent number change

Sites (every one has /robots.txt; a site may answer POSTs and per-request resources through ``handlers``):

- ``trs`` (抚远市, TRS WCM, GBK): list /xxgk/ndbg/index.html, index_1.html … paged only by the script call
  ``createPageHTML(countPage, currentPage, "index", "html")``; details ./YYYYMM/tYYYYMMDD_NNNNNNN.html with
  ArticleTitle/PubDate/ContentSource/SiteName/SiteIDCode meta tags; trap /xxgk/search/.
- ``hanweb`` (鄞州区, 大汉, UTF-8): list /col/col1229/index.html, then ?page=N via 下一页 links; details
  /art/Y/M/D/art_1229_N.html; some reports only as /attach/0/….pdf|.docx linked from their detail page;
  trap /module/search/.
- ``attach`` (进贤县, UTF-8): list /zfxxgk/ndbg/list_1.html, list_2.html …; every document is a file, either
  ./P0YYYYMMDD….pdf|.docx or /module/download/downfile.jsp?classid=0&filename=….pdf (served as
  application/octet-stream), all with Content-Disposition names; trap /zfxxgk/search/.
- ``jpage`` (浦江县, 大汉 JCMS, UTF-8): column /col/col1229514/index.html with no <a> to any article: its first
  records sit in ``<script type="text/xml"><datastore>…<record><![CDATA[<li><a …>]]>``, a ``jpage({...})`` call
  names the total, page size and form fields, and the rest come only from
  ``POST /module/web/jpage/dataproxy.jsp?startrecord=A&endrecord=B&perpage=N`` (a GET answers an empty datastore);
  among the records non-reports and a report-titled link under the robots-disallowed /interview/.
- ``json`` (南海区, 集约化 platform, UTF-8): column /zwgk/ndbg/index.html renders its list from
  ``/api/content/list?channelId=2817&pageSize=10&pageNo=N`` (JSON with total and totalPage); trap /zwgk/search/.

Every document has a stable ETag and Last-Modified and answers 304 to a matching conditional GET.
``faults=False`` drops the 500-once and slow pages; the other oddities are part of the sites.
"""

from xxgk.portal.faults import FAULT_KINDS, SLOW_SECONDS
from xxgk.portal.portal import DemoPortal, DemoSite, placeholder
from xxgk.portal.server import LoggedRequest

__all__ = ["DemoPortal", "DemoSite", "FAULT_KINDS", "LoggedRequest", "SLOW_SECONDS", "placeholder"]
