"""HTML layouts: a clean portal article (``html_grid``) and a Word-exported one (``html_messy``)."""

from __future__ import annotations

import random
from html import escape

from xxgk.generate import grid
from xxgk.generate.report import HEADINGS, GeneratedReport
from xxgk.generate.text import TABLE_AFTER

_WIDE_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_CELL_STYLE = "border:solid windowtext 1px;padding:0px 7px"
_FONTS = ("仿宋_GB2312", "宋体", "微软雅黑", "仿宋")


def _attrs(cell: grid.Cell) -> str:
    out = ""
    if cell.rowspan > 1:
        out += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        out += f' colspan="{cell.colspan}"'
    return out


def _text(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _grid_table(table: grid.Grid) -> str:
    rows = []
    for row in table:
        cells = "".join(f"<td{_attrs(c)}>{_text(c.text)}</td>" for c in row)
        rows.append(f"<tr>{cells}</tr>")
    return '<table border="1" cellspacing="0" cellpadding="4" width="100%"><tbody>' + "".join(rows) + "</tbody></table>"


def _break_label(text: str, rng: random.Random) -> str:
    """Escaped label, sometimes wrapped with <br> mid-word like a narrow Word column."""
    if "\n" in text or len(text) < 7 or rng.random() < 0.7:
        return _text(text)
    cut = rng.randint(3, len(text) - 3)
    return f"{escape(text[:cut])}<br/>{escape(text[cut:])}"


def _messy_number(text: str, wide: bool, rng: random.Random) -> str:
    if not text:
        return "&nbsp;"
    if wide and text.isdigit():
        text = text.translate(_WIDE_DIGITS)
    return escape(text) + ("&nbsp;" if rng.random() < 0.1 else "")


def _messy_table(table: grid.Grid, rng: random.Random, wide: bool) -> str:
    font = rng.choice(_FONTS)
    size = rng.choice((12, 13, 14))
    trailing = rng.random() < 0.3  # Word's invisible extra grid column
    rows = []
    for row in table:
        cells = []
        for cell in row:
            if cell.value:
                text = _messy_number(cell.text, wide, rng)
                inner = f'<span lang="EN-US" style="font-family:{font};font-size:{size}px">{text}</span>'
            else:
                inner = f'<span style="font-family:{font};font-size:{size}px">{_break_label(cell.text, rng)}</span>'
            width = rng.choice((38, 45, 56, 64, 72))
            cells.append(
                f'<td width="{width}" valign="center" style="{_CELL_STYLE}"{_attrs(cell)}>'
                f'<p class="MsoNormal" align="center" style="text-align:center">{inner}<o:p></o:p></p></td>'
            )
        if trailing:
            cells.append('<td width="0" style="border:none">&nbsp;</td>')
        rows.append(f'<tr style="height:{rng.choice((20, 24, 28))}px">' + "".join(cells) + "</tr>")
    return (
        '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
        'style="border-collapse:collapse;border:none" width="602"><tbody>' + "".join(rows) + "</tbody></table>"
    )


def _info_block(report: GeneratedReport, rng: random.Random) -> str:
    index_no = (
        f"{report.region.code or '000000'}{rng.randint(10000, 99999)}/{report.published[:4]}-{rng.randint(1, 999):05d}"
    )
    written = report.published
    items = (("索引号", index_no), ("发布机构", report.agency), ("成文日期", written), ("发布日期", report.published))
    if rng.random() < 0.5:
        cells = "".join(f"<li><span>{k}：</span>{escape(v)}</li>" for k, v in items)
        return f'<div class="xxgk-info"><ul>{cells}</ul></div>'
    rows = "".join(
        f"<tr><th>{a[0]}</th><td>{escape(a[1])}</td><th>{b[0]}</th><td>{escape(b[1])}</td></tr>"
        for a, b in (items[:2], items[2:])
    )
    return f'<table class="xxgk-info">{rows}</table>'


def _paragraphs(text: str, messy: bool, rng: random.Random) -> str:
    out = []
    for line in text.split("\n"):
        if not line:
            continue
        if messy:
            if rng.random() < 0.1:
                out.append('<p class="MsoNormal">&nbsp;<o:p></o:p></p>')
            font = rng.choice(_FONTS)
            out.append(
                '<p class="MsoNormal" style="text-indent:32px;line-height:28px">'
                f'<span style="font-family:{font};font-size:16px">{escape(line)}</span></p>'
            )
        else:
            out.append(f"<p>{escape(line)}</p>")
    return "".join(out)


def body(report: GeneratedReport, layout: str, rng: random.Random) -> str:
    """The article fragment: title, info block, prose and the three tables."""
    messy = layout == "html_messy"
    style = grid.pick_style(rng)
    if messy:
        wide = rng.random() < 0.1  # full-width digits typed in an IME
        tables = [_messy_table(t, rng, wide) for t in grid.grids(report.tables, style, rng)]
    else:
        tables = [_grid_table(t) for t in grid.grids(report.tables, style, rng)]
    parts = [f'<h1 class="article-title">{escape(report.title)}</h1>', _info_block(report, rng), '<div id="zoom">']
    if report.sections.get("preamble"):
        parts.append(_paragraphs(report.sections["preamble"], messy, rng))
    for key, heading in HEADINGS.items():
        if messy:
            parts.append(f'<p class="MsoNormal"><strong><span style="font-family:黑体">{heading}</span></strong></p>')
        else:
            parts.append(f"<h3>{heading}</h3>" if rng.random() < 0.5 else f"<p><strong>{heading}</strong></p>")
        parts.append(_paragraphs(report.sections.get(key, ""), messy, rng))
        if key in TABLE_AFTER:
            parts.append(tables[TABLE_AFTER[key]])
    parts.append(f'<p style="text-align:right">{escape(report.agency)}</p>')
    parts.append(f'<p style="text-align:right">{report.published}</p></div>')
    return "\n".join(parts)


def page(report: GeneratedReport, layout: str, rng: random.Random, charset: str) -> str:
    """A full portal article page around :func:`body`."""
    site = f"{report.region.county or report.region.city or report.region.province or ''}人民政府"
    site_id = f"{report.region.code or '000000'}{rng.randint(1, 9999):04d}"
    hour, minute = rng.randint(8, 18), rng.randint(0, 59)
    title = escape(report.title)
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f'<meta charset="{charset}">\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>{title}_{escape(site)}</title>\n"
        f'<meta name="SiteName" content="{escape(site)}">\n'
        f'<meta name="SiteIDCode" content="{site_id}">\n'
        f'<meta name="ColumnName" content="政府信息公开年报">\n'
        f'<meta name="ArticleTitle" content="{title}">\n'
        f'<meta name="PubDate" content="{report.published} {hour:02d}:{minute:02d}">\n'
        f'<meta name="ContentSource" content="{escape(report.agency)}">\n'
        "</head>\n<body>\n"
        f'<div class="header"><div class="logo">{escape(site)}</div>'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
        '<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>\n'
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
        "<span>政府信息公开年报</span></div>\n"
        f'<div class="main">\n{body(report, layout, rng)}\n</div>\n'
        f'<div class="footer"><p>主办单位：{escape(site)}办公室</p><p>网站标识码：{site_id}</p></div>\n'
        "</body>\n</html>\n"
    )
