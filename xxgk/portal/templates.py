"""Page templates in the styles of the CMSs Chinese government portals run on (TRS WCM, 大汉 Hanweb, plain).

Every function returns text; the caller encodes it (GBK for the TRS site). Titles and other text from
the site model are escaped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import quote


@dataclass(frozen=True)
class ListItem:
    href: str
    title: str
    date: str  # YYYY-MM-DD
    opener: bool = False  # linked by a script (href="javascript:void(0);" onclick="window.open(…)")


@dataclass(frozen=True)
class Attachment:
    href: str
    name: str


def _target(item: ListItem) -> str:
    if item.opener:
        return f'href="javascript:void(0);" onclick="window.open(\'{escape(item.href)}\')"'
    return f'href="{escape(item.href)}" target="_blank"'


def _items(items: list[ListItem], cls: str) -> str:
    rows = "\n".join(
        f'  <li><a {_target(i)} title="{escape(i.title)}">{escape(i.title)}</a><span>{i.date}</span></li>'
        for i in items
    )
    return f'<ul class="{cls}">\n{rows}\n</ul>'


def _links(links: list[ListItem]) -> str:
    return "\n".join(f'<li><a href="{escape(i.href)}">{escape(i.title)}</a></li>' for i in links)


# --- TRS WCM -----------------------------------------------------------------------------------------

_TRS_PAGER = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span>首页</span>&nbsp;");
  else document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;");
  for(var i = 0; i < _nPageCount; i++){
    if(i == nCurrIndex) document.write("<span class=\\"cur\\">" + (i + 1) + "</span>&nbsp;");
    else if(i == 0) document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">1</a>&nbsp;");
    else document.write("<a href=\\"" + _sPageName + "_" + i + "." + _sPageExt + "\\">" + (i + 1) + "</a>&nbsp;");
  }
}
</script>"""


def _trs_head(charset: str) -> str:
    """Doctype and the start of <head> that TRS pages share, declaring ``charset`` twice as TRS does."""
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<meta charset="{charset}" />"""


def trs_list(
    *, site: str, column: str, items: list[ListItem], page: int, pages: int, sidebar: list[ListItem], charset: str
) -> str:
    return f"""{_trs_head(charset)}
<title>{escape(column)}_{escape(site)}</title>
<meta name="ColumnName" content="{escape(column)}" />
<meta name="SiteName" content="{escape(site)}" />
<link href="../../images/style.css" rel="stylesheet" type="text/css" />
{_TRS_PAGER}
</head>
<body>
<div class="top"><a href="../../index.html">首页</a> &gt; <a href="../index.html">政府信息公开</a>
 &gt; {escape(column)}</div>
<div class="left"><h3>信息公开目录</h3><ul>
{_links(sidebar)}
</ul></div>
<div class="right">
<div class="lmmc">{escape(column)}</div>
{_items(items, "list_list")}
<div class="page">
<script type="text/javascript">
var currentPage = {page};//所在页从0开始
var prevPage = currentPage-1//上一页
var nextPage = currentPage+1//下一页
var countPage = {pages}//共多少页
createPageHTML(countPage, currentPage, "index", "html");
</script>
</div>
</div>
<div class="foot">主办：{escape(site)} 版权所有</div>
</body>
</html>
"""


def trs_detail(
    *, site: str, site_code: str, column: str, title: str, published: str, source: str, body: str, charset: str
) -> str:
    return f"""{_trs_head(charset)}
<title>{escape(title)}</title>
<meta name="SiteName" content="{escape(site)}" />
<meta name="SiteDomain" content="" />
<meta name="SiteIDCode" content="{site_code}" />
<meta name="ColumnName" content="{escape(column)}" />
<meta name="ColumnType" content="政府信息公开年报" />
<meta name="ArticleTitle" content="{escape(title)}" />
<meta name="PubDate" content="{published} 09:30" />
<meta name="ContentSource" content="{escape(source)}" />
<link href="../../../images/style.css" rel="stylesheet" type="text/css" />
</head>
<body>
<div class="top"><a href="../../../index.html">首页</a> &gt; <a href="../../index.html">政府信息公开</a>
 &gt; <a href="../index.html">{escape(column)}</a></div>
<div class="article">
<h1 class="title">{escape(title)}</h1>
<div class="info">发布时间：{published} &nbsp; 来源：{escape(source)} &nbsp;
<a href="javascript:window.print()">【打印】</a></div>
<div class="TRS_Editor">
{body}
</div>
</div>
<div class="foot">主办：{escape(site)}</div>
</body>
</html>
"""


# --- 大汉 Hanweb ---------------------------------------------------------------------------------------


def hanweb_list(
    *, site: str, column: str, col_path: str, items: list[ListItem], page: int, pages: int, nav: list[ListItem]
) -> str:
    def href(n: int) -> str:
        return col_path if n == 1 else f"{col_path}?page={n}"

    pager = [f'<span class="default_pgTotalPage">共{pages}页</span>']
    if page > 1:
        pager += [f'<a href="{href(1)}">首页</a>', f'<a href="{href(page - 1)}">上一页</a>']
    if page < pages:
        pager += [f'<a href="{href(page + 1)}">下一页</a>', f'<a href="{href(pages)}">尾页</a>']
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(column)} - {escape(site)}</title>
<meta name="ColumnName" content="{escape(column)}">
<meta name="SiteName" content="{escape(site)}">
</head>
<body>
<header><div class="logo">{escape(site)}</div>
<nav><ul>
{_links(nav)}
</ul></nav></header>
<main>
<div class="bt-position">当前位置：<a href="/">首页</a> &gt;
<a href="/col/col1228/index.html">政府信息公开</a> &gt; {escape(column)}</div>
<div id="1229" class="default_pgContainer">
{_items(items, "xxgk-list")}
</div>
<div class="default_pgToolbar">{"".join(pager)}</div>
</main>
<footer>主办单位：{escape(site)}</footer>
</body>
</html>
"""


def pdf_viewer(href: str) -> str:
    """A PDF shown in the page by a pdf.js viewer, as portals embed reports instead of linking them."""
    return (
        f'<iframe src="/static/pdfjs/web/viewer.html?file={escape(quote(href, safe=""))}" '
        'width="100%" height="900" frameborder="0"></iframe>'
    )


def hanweb_detail(
    *, site: str, column: str, title: str, published: str, source: str, body: str, attachments: list[Attachment]
) -> str:
    files = ""
    if attachments:
        files = (
            '<div class="fj"><p>附件：</p>\n'
            + "\n".join(f'<p><a href="{escape(a.href)}" target="_blank">{escape(a.name)}</a></p>' for a in attachments)
            + "\n</div>"
        )
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}</title>
<meta name="SiteName" content="{escape(site)}">
<meta name="ColumnName" content="{escape(column)}">
<meta name="ArticleTitle" content="{escape(title)}">
<meta name="PubDate" content="{published} 10:12">
<meta name="ContentSource" content="{escape(source)}">
<meta name="Url" content="">
</head>
<body>
<div class="bt-position">当前位置：<a href="/">首页</a> &gt;
<a href="/col/col1229/index.html">{escape(column)}</a></div>
<div class="article">
<div class="title">{escape(title)}</div>
<table class="xxgk_table"><tr><td>发布机构：{escape(source)}</td><td>成文日期：{published}</td></tr></table>
<div class="article-conter" id="zoom">
<!--ZJEG_RSS.content.begin-->
{body}
<!--ZJEG_RSS.content.end-->
</div>
{files}
</div>
</body>
</html>
"""


# --- attachment-only site --------------------------------------------------------------------------------


def attach_list(
    *, site: str, column: str, items: list[ListItem], page: int, pages: int, base: str, nav: list[ListItem]
) -> str:
    numbers = " ".join(
        f"<b>{n}</b>" if n == page else f'<a href="{base}_{n}.html">{n}</a>' for n in range(1, pages + 1)
    )
    rows = "\n".join(
        f'<tr><td class="bt"><a href="{escape(i.href)}">{escape(i.title)}</a></td><td class="rq">{i.date}</td></tr>'
        for i in items
    )
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{escape(column)}</title>
</head>
<body>
<div class="nav"><ul>
{_links(nav)}
</ul></div>
<h2>{escape(site)} · {escape(column)}</h2>
<table class="xxgk-table" width="100%">
<tr><th>标题</th><th>发布日期</th></tr>
{rows}
</table>
<div class="fy">第{page}页/共{pages}页 {numbers}</div>
</body>
</html>
"""


# --- shared ----------------------------------------------------------------------------------------------


def simple_article(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def robots(disallow: list[str]) -> str:
    lines = ["User-agent: *", *(f"Disallow: {d}" for d in disallow), ""]
    return "\n".join(lines)


def link_page(*, site: str, title: str, links: list[ListItem], charset: str = "utf-8") -> str:
    """A bare page of links: a site's home, a column index, a search result."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>{escape(title)} - {escape(site)}</title></head>
<body><h1>{escape(title)}</h1><ul>
{_links(links)}
</ul></body></html>
"""


# --- 大汉 JCMS column with a jpage list (records in a script block, the rest from a POST data proxy) ------------


def jpage_record(item: ListItem) -> str:
    """One record as the JCMS list template writes it (the HTML goes into a CDATA section)."""
    return (
        f'<li><a href="{escape(item.href)}" title="{escape(item.title)}" target="_blank">{escape(item.title)}</a>'
        f"<b>{item.date}</b></li>"
    )


def datastore(records: list[str], total: int, nextgroup: str = "") -> str:
    """A jpage datastore: inline in a ``<script type="text/xml">`` or as the data proxy's XML answer."""
    rows = "\n".join(f"<record><![CDATA[\n{r}\n]]></record>" for r in records)
    group = f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>\n" if nextgroup else ""
    return f"<datastore>\n{group}<totalrecord>{total}</totalrecord>\n<recordset>\n{rows}\n</recordset>\n</datastore>"


def jpage_column(
    *,
    site: str,
    site_code: str,
    column: str,
    unit: str,
    inline: str,
    total: int,
    per_page: int,
    proxy: str,
    fields: dict[str, str | int],
    nav: list[ListItem],
) -> str:
    params = ", ".join(f'{k}: "{escape(v)}"' if isinstance(v, str) else f"{k}: {v}" for k, v in fields.items())
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>{escape(column)} {escape(site)}</title>
<meta name="SiteName" content="{escape(site)}">
<meta name="SiteIdcode" content="{site_code}">
<meta name="ColumnName" content="{escape(column)}">
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<script type="text/javascript" src="/module/jslib/jquery/jpage/jquery.page.min.js"></script>
</head>
<body>
<div class="top">{escape(site)}</div>
<div class="left"><ul>
{_links(nav)}
</ul></div>
<div class="main"><div class="lm_name">{escape(column)}</div>
<div id="{unit}"><script type="text/xml">{inline}</script></div>
<script type="text/javascript">
$(function () {{
  $("#{unit}").jpage({{
    dataStore: dataStore, containerTag: "ul", perPage: {per_page}, totalRecord: {total}, groupSize: 1,
    barPosition: "bottom", proxyUrl: "{proxy}",
    ajaxParam: {{ {params} }}
  }});
}});
</script>
</div>
<div class="foot">主办：{escape(site)}</div>
</body>
</html>
"""


# --- 集约化 platform column rendered from a JSON endpoint --------------------------------------------------------


def json_column(*, site: str, site_code: str, column: str, api: str, nav: list[ListItem]) -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(column)}-{escape(site)}</title>
<meta name="SiteName" content="{escape(site)}">
<meta name="SiteIDCode" content="{site_code}">
<meta name="ColumnName" content="{escape(column)}">
</head>
<body>
<header>{escape(site)}</header>
<nav><ul>
{_links(nav)}
</ul></nav>
<main><h2>{escape(column)}</h2>
<ul id="list"></ul><div id="pager"></div>
</main>
<script>
var api = "{api}";
function load(page) {{
  fetch(api + page).then(function (r) {{ return r.json(); }}).then(function (res) {{
    document.getElementById("list").innerHTML = res.data.list.map(function (d) {{
      return '<li><a href="' + d.url + '">' + d.title + "</a><span>" + d.publishDate + "</span></li>";
    }}).join("");
  }});
}}
load(1);
</script>
</body>
</html>
"""
