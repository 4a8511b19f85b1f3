"""Damaged renderings of a generated report, as other people's pipelines deliver them, with known truth.

Each layout imitates one class of damage seen in real inputs:

- ``md_fragmented``: PDF→Markdown/OCR output. Table 2 comes as one small pipe table per row group, with
  placeholder headers (empty cells over ``|---|``), the applicant header over the wrong rows, the first
  data row promoted to a header, empty stub tables of ``-`` cells, and value rows detached from their
  labels (the labels in a paragraph before or after the table); Table 3 as three 5-column tables or as
  one row of 15 values.
- ``run_together``: text whose cell separators were lost: a row's seven numbers run together
  (``713000074``), a row's last number glued to the next row's ordinal (``…372.没有现成…``), section
  headings glued to the text that follows.
- ``one_line``: the whole body on one line, inside page chrome (breadcrumbs, 字体大中小, 附件下载).
- ``scrambled``: Table 2's labelled rows in shuffled order, and some row groups detached (their labels
  listed first, their values after, in order).
- ``bar_cells``: an HTML-to-text converter's output: every table cell on its own line ending in `` |``, an
  empty cell a bare ``|`` (half the blank cells printed empty), each row closed by a line of bars; the slots
  that a label's span covers are not written.
- ``letter_spaced``: OCR output that spaces out every character of the headings and table labels
  (``1 . 属 于 国 家 秘 密``), the cells two spaces apart; a group's lead sometimes glued to its first row's
  label in one cell (``（三）不予公开1.属于国家秘密``).
- ``bar_opened``: another converter's cell-per-line output: each row opened by a bare ``|`` line, then one
  ``cell |`` line per cell, an empty cell a bare ``|`` (so a row's empty last cell and the next row's opener
  are two bars in a row); the slots before a row's label (a span's) are not written.
- ``column_major``: a layout-analysis extractor's reading (pdfminer's ``extract_text``): Table 2 in two
  blocks (a page break between), each its row labels first, then the applicant heads, then its values
  column by column, every line followed by an empty one.
- ``wrapped_labels``: a PDF's text, one row a line, where a long row label wraps in its narrow column and
  the row's numbers sit on the label's first, middle or last line (``（一）予  5  0 …`` then ``以公开``).

Blank cells always print a marker (``/``, ``—``, ``无``) or stay an empty pipe cell, and digits run together
only in rows whose cells are all filled, so every damaged rendering still determines every cell.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from xxgk.generate.grid import BLANK_MARKERS, Style, format_value, proactive_grid_2019
from xxgk.generate.numbers import is_2019
from xxgk.generate.report import HEADINGS, GeneratedReport
from xxgk.generate.text import chinese_date, render_tsv
from xxgk.schema import (
    OTHER_2019,
    PROACTIVE_LABELS,
    REQUEST_COLUMNS,
    REQUEST_LABELS,
    REQUEST_NUMBERS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
)

DAMAGED_LAYOUTS = (
    "md_fragmented",
    "run_together",
    "one_line",
    "scrambled",
    "bar_cells",
    "letter_spaced",
    "wrapped_labels",
    "bar_opened",
    "column_major",
)
_APPLICANT_HEAD = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
_REVIEW_HEAD = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
OTHER_LEAD = "（六）其他处理"  # lead of the three 2021 rows, or the single old row of a hybrid report
_REVIEW_TITLES = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
# Table 2 row groups as printed: (lead label of the group, row keys).
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("", ("requests.new", "requests.carried_over")),
    ("三、本年度办理结果", ("requests.granted", "requests.partially_granted")),
    ("（三）不予公开", tuple(k for k in REQUEST_LABELS if k.startswith("requests.denied."))),
    ("（四）无法提供", tuple(k for k in REQUEST_LABELS if k.startswith("requests.unavailable."))),
    ("（五）不予处理", tuple(k for k in REQUEST_LABELS if k.startswith("requests.not_processed."))),
    (OTHER_LEAD, tuple(k for k in REQUEST_LABELS if k.startswith("requests.other."))),
    ("", ("requests.total", "requests.carried_forward")),
)
_CHROME_TOP = (
    "首页 > 政务公开 > 法定主动公开内容 > 政府信息公开年报",
    "首页 > 信息公开 > 政府信息公开工作年度报告",
    "当前位置：首页 >> 政府信息公开 >> 年度报告",
)
_CHROME_FONT = ("字体：[ 大 中 小 ]", "【字体：大 中 小】", "字号：大 中 小")
_CHROME_BOTTOM = ("【打印本页】【关闭窗口】", "分享到：", "扫一扫在手机打开当前页")


@dataclass(frozen=True)
class PrintedRow:
    """One row of Table 2 as printed: its key, its own label (with ordinal) and its cell texts."""

    key: str
    label: str
    values: tuple[str, ...]
    filled: bool  # every cell holds a number


def _style(rng: random.Random) -> Style:
    marker = rng.choice(("/", "—", "无", "-"))
    return Style(blanks=(marker,), fee_places=rng.choice((None, None, 2, 4)))


def printed_rows(report: GeneratedReport, style: Style, rng: random.Random) -> list[tuple[str, list[PrintedRow]]]:
    """Table 2 by row group: the group's lead label and its rows as printed."""
    out = []
    for lead, keys in _GROUPS:
        if lead == OTHER_LEAD and OTHER_2019 in report.tables:  # the single old row in place of the group
            lead, keys = "", (OTHER_2019,)
        rows = []
        for i, key in enumerate(keys):
            label = OTHER_LEAD if key == OTHER_2019 else REQUEST_NUMBERS.get(key, f"{i + 1}.") + REQUEST_LABELS[key]
            if key == "requests.partially_granted":
                label += "（区分处理的，只计这一情形，不计其他情形）"
            cells = report.tables[key]
            values = tuple(format_value(cells[c], style, rng) for c in REQUEST_COLUMNS)
            rows.append(PrintedRow(key, label, values, all(cells[c] is not None for c in REQUEST_COLUMNS)))
        out.append((lead, rows))
    return out


_PROACTIVE_HEAD = ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")


def _proactive_rows(report: GeneratedReport, style: Style, rng: random.Random) -> list[tuple[str, list[str]]]:
    """Table 1 as printed rows (label, cells), its header rows included.

    The 2021 form prints one header over all its rows; the 2019 form prints each article item's line and
    column heads over its block, as its grid does (a positive 本年增/减 sometimes as +3).
    """
    if is_2019(report.tables):
        grid = proactive_grid_2019(report.tables, style, rng)
        return [(row[0].text, [cell.text for cell in row[1:]]) for row in grid]
    rows = [(_PROACTIVE_HEAD[0], list(_PROACTIVE_HEAD[1:]))]
    for key, label in PROACTIVE_LABELS.items():
        fee = key == "proactive.fees"
        rows.append((label, [format_value(v, style, rng, fee=fee) for v in report.tables[key].values()]))
    return rows


def _review_values(report: GeneratedReport, style: Style, rng: random.Random) -> list[list[str]]:
    return [[format_value(report.tables[g][c], style, rng) for c in REVIEW_COLUMNS] for g in REVIEW_GROUPS]


def _pipe(cells: list[str] | tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


def _rule(n: int) -> str:
    return "|" + "|".join(["---"] * n) + "|"


def _body(report: GeneratedReport, tables: dict[str, str], *, glue: bool = False) -> list[str]:
    """Title, preamble, headings with their prose and the tables after their section's lead."""
    lines = [report.title, ""]
    if report.sections.get("preamble"):
        lines += [report.sections["preamble"], ""]
    for key, heading in HEADINGS.items():
        prose = report.sections.get(key, "")
        if glue and prose:
            lines += [heading + prose, ""]  # heading glued to the text that follows
        else:
            lines += [heading, ""] + ([prose, ""] if prose else [])
        if key in tables:
            lines += [tables[key], ""]
    return lines


# --- fragmented Markdown -------------------------------------------------------------------------------------


def _md_proactive(report: GeneratedReport, style: Style, rng: random.Random) -> str:
    rows = _proactive_rows(report, style, rng)
    out = [_pipe([label, *values, *([""] * (3 - len(values)))]) for label, values in rows]
    return "\n".join([out[0], _rule(4), *out[1:]])


def _md_stub(rng: random.Random) -> str:
    width = rng.choice((2, 3, 4, 8, 10))
    return "\n".join([_pipe(["-"] * width), _rule(width), *[_pipe(["-"] * width)] * rng.randint(0, 2)])


def _md_requests(report: GeneratedReport, style: Style, rng: random.Random) -> str:
    parts = [_pipe(("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", *_APPLICANT_HEAD))]
    parts[0] += "\n" + _rule(8)
    groups = printed_rows(report, style, rng)
    header_over_last = rng.random() < 0.3
    for g, (lead, rows) in enumerate(groups):
        detached = rng.random() < 0.35
        if detached:
            lines = [_pipe(row.values) for row in rows]
            width = 7
        else:
            width = 9
            lines = [_pipe([lead if i == 0 else "", row.label, *row.values]) for i, row in enumerate(rows)]
        header = rng.choice(("none", "placeholder", "wrong", "first_row"))
        if header == "placeholder":
            lines = [_pipe([""] * width), _rule(width), *lines]
        elif header == "wrong":
            lines = [_pipe(("", "", *_APPLICANT_HEAD)[-width:]), _rule(width), *lines]
        elif header == "first_row":
            lines.insert(1, _rule(width))
        if header_over_last and g == len(groups) - 1 and len(lines) >= 2:
            lines[-2:-2] = [_pipe(_APPLICANT_HEAD[-width:] if width == 7 else ("", "", *_APPLICANT_HEAD)), _rule(width)]
        block = "\n".join(lines)
        if detached:
            labels = (
                "".join(f"{row.label}；" for row in rows) if rng.random() < 0.5 else "\n".join(r.label for r in rows)
            )
            text = (lead + "\n" if lead else "") + labels
            block = f"{text}\n\n{block}" if rng.random() < 0.6 else f"{block}\n\n{text}"
        parts.append(block)
        if rng.random() < 0.25:
            parts.append(_md_stub(rng))
    return "\n\n".join(parts)


def _md_review(report: GeneratedReport, style: Style, rng: random.Random) -> str:
    groups = _review_values(report, style, rng)
    if rng.random() < 0.5:
        blocks = [
            f"{title}\n\n{_pipe(_REVIEW_HEAD)}\n{_rule(5)}\n{_pipe(v)}"
            for title, v in zip(_REVIEW_TITLES, groups, strict=True)
        ]
        return "\n\n".join(blocks)
    head = _pipe(["行政复议", *[""] * 4, "行政诉讼", *[""] * 9])
    sub = _pipe([*_REVIEW_HEAD, "未经复议直接起诉", *[""] * 4, "复议后起诉", *[""] * 4])
    return "\n".join([head, _rule(15), sub, _pipe(["", "", "", "", "", *_REVIEW_HEAD * 2]), _pipe(sum(groups, []))])


def md_fragmented(report: GeneratedReport, rng: random.Random) -> str:
    style = _style(rng)
    tables = {
        "proactive": _md_proactive(report, style, rng),
        "requests": _md_requests(report, style, rng),
        "review_litigation": _md_review(report, style, rng),
    }
    return "\n".join(_body(report, tables)) + "\n"


# --- lost cell separators ------------------------------------------------------------------------------------


def _glued_tables(report: GeneratedReport, style: Style, rng: random.Random, *, p_glue: float) -> dict[str, str]:
    t1 = "\n".join(" ".join((label, *values)) for label, values in _proactive_rows(report, style, rng))
    pieces = [
        "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和 申请人情况 " + " ".join(_APPLICANT_HEAD)
    ]
    for lead, rows in printed_rows(report, style, rng):
        for i, row in enumerate(rows):
            sep = "" if row.filled and rng.random() < p_glue else " "
            text = (lead + " " if lead and i == 0 else "") + row.label + rng.choice(("", " ")) + sep.join(row.values)
            # The next row starts on the same line, right after this row's last number, or on a new line.
            pieces.append(("" if rng.random() < 0.5 else "\n") + text)
    t2 = "".join(pieces)
    heads = "行政复议 行政诉讼 " + " ".join(_REVIEW_HEAD) + " 未经复议直接起诉 复议后起诉 " + " ".join(_REVIEW_HEAD * 2)
    groups = _review_values(report, style, rng)
    glue = all(report.tables[g][c] is not None for g in REVIEW_GROUPS for c in REVIEW_COLUMNS) and rng.random() < 0.5
    t3 = heads + "\n" + ("" if glue else " ").join(v for group in groups for v in group)
    return {"proactive": t1, "requests": t2, "review_litigation": t3}


def run_together(report: GeneratedReport, rng: random.Random) -> str:
    style = Style(blanks=(rng.choice(("/", "—", "无")),))
    lines = _body(report, _glued_tables(report, style, rng, p_glue=0.6), glue=rng.random() < 0.7)
    return "\n".join(lines) + "\n"


def one_line(report: GeneratedReport, rng: random.Random) -> str:
    style = Style(blanks=(rng.choice(("/", "—", "无")),))
    body = _body(report, _glued_tables(report, style, rng, p_glue=0.3), glue=True)
    flat = "".join(line.replace("\n", "") for line in body if line)
    top = [rng.choice(_CHROME_TOP), report.title, f"发布时间：{report.published}  来源：{report.agency}"]
    top.append(rng.choice(_CHROME_FONT))
    bottom = [f"附件下载：{report.title}.pdf", rng.choice(_CHROME_BOTTOM)]
    if rng.random() < 0.5:
        bottom.insert(0, f"{report.agency}  {chinese_date(report.published)}")
    return "\n".join([*top, flat, *bottom]) + "\n"


# --- scrambled / detached rows -------------------------------------------------------------------------------


def scrambled(report: GeneratedReport, rng: random.Random) -> str:
    style = _style(rng)
    t1 = "\n".join("\t".join((label, *values)) for label, values in _proactive_rows(report, style, rng))
    labelled: list[str] = []
    detached: list[str] = []
    for _lead, rows in printed_rows(report, style, rng):
        if len(rows) > 2 and rng.random() < 0.3:
            detached.append("\n".join(row.label for row in rows) + "\n" + "\n".join("\t".join(r.values) for r in rows))
        else:
            labelled += ["\t".join((row.label, *row.values)) for row in rows]
    rng.shuffle(labelled)
    t2 = "\n".join(["\t" + "\t".join(_APPLICANT_HEAD), *labelled, *detached])
    groups = _review_values(report, style, rng)
    t3 = "\n".join(f"{title}\t" + "\t".join(v) for title, v in zip(_REVIEW_TITLES, groups, strict=True))
    tables = {"proactive": t1, "requests": t2, "review_litigation": t3}
    return "\n".join(_body(report, tables)) + "\n"


_NUMBER = re.compile(r"[\d.,]+")


def bar_cells(report: GeneratedReport, rng: random.Random) -> str:
    """The TSV rendering (a cell a line, or a row a line) with every cell as ``cell |`` and rows closed by bars."""

    def cell(text: str) -> str:
        text = text.strip()
        if text in BLANK_MARKERS and rng.random() < 0.5:
            text = ""
        return f"{text} |" if text else "|"

    out: list[str] = []
    for line in render_tsv(report, rng).splitlines():
        if line.startswith("\t") and line.count("\t") == 1:
            out.append(cell(line[1:]))
        elif "\t" in line:  # a row: the empty slots before its first value are a span's, not written
            cells = line.split("\t")
            values = (i for i, c in enumerate(cells) if _NUMBER.fullmatch(c.strip()) or c.strip() in BLANK_MARKERS[1:])
            first = next(values, len(cells))
            out += [cell(c) for i, c in enumerate(cells) if c.strip() or i >= first]
            out.append("|" * rng.randint(2, 8))
        elif not line.strip() and out and out[-1].endswith("|"):
            out.append("|" * rng.randint(2, 8))
        else:
            out.append(line)
    return "\n".join(out) + "\n"


# --- OCR letter spacing --------------------------------------------------------------------------------------


_VALUE = re.compile(r"[+\-]?\d[\d.,]*(?:万元|元)?")


def _spaced(text: str) -> str:
    """Every character one space apart; a number is left whole (OCR keeps a number's digits together)."""
    return text if _VALUE.fullmatch(text) else " ".join(text.replace(" ", ""))


def letter_spaced(report: GeneratedReport, rng: random.Random) -> str:
    style = _style(rng)
    t1 = "\n".join(
        "  ".join((_spaced(label), *map(_spaced, values))) for label, values in _proactive_rows(report, style, rng)
    )
    t2 = ["  ".join(map(_spaced, _APPLICANT_HEAD))]
    for lead, rows in printed_rows(report, style, rng):
        for i, row in enumerate(rows):
            label = _spaced(row.label)
            if lead and i == 0:
                label = _spaced(lead + row.label) if rng.random() < 0.5 else f"{_spaced(lead)}  {label}"
            t2.append("  ".join((label, *row.values)))
    heads = "  ".join(map(_spaced, ("行政复议", "行政诉讼", *_REVIEW_HEAD, "未经复议直接起诉", "复议后起诉")))
    t3 = heads + "\n" + "  ".join(v for group in _review_values(report, style, rng) for v in group)
    tables = {"proactive": t1, "requests": "\n".join(t2), "review_litigation": t3}
    headings = set(HEADINGS.values())
    return "\n".join(_spaced(line) if line in headings else line for line in _body(report, tables)) + "\n"


# --- wrapped row labels --------------------------------------------------------------------------------------


def _wrapped(label: str, values: tuple[str, ...], width: int, rng: random.Random) -> list[str]:
    """A row whose label wraps every ``width`` characters, its numbers on one of the label's lines."""
    parts = [label[i : i + width] for i in range(0, len(label), width)]
    at = rng.choice((0, len(parts) // 2, len(parts) - 1))
    return [part + ("  " + "  ".join(values) if k == at else "") for k, part in enumerate(parts)]


def wrapped_labels(report: GeneratedReport, rng: random.Random) -> str:
    style = _style(rng)
    width = rng.randint(6, 12)
    t1 = "\n".join("  ".join((label, *values)) for label, values in _proactive_rows(report, style, rng))
    t2 = ["  ".join(_APPLICANT_HEAD)]
    for lead, rows in printed_rows(report, style, rng):
        for i, row in enumerate(rows):
            lines = _wrapped(row.label, row.values, width, rng)
            if lead and i == 0:
                lines[0] = f"{lead}  {lines[0]}"
            t2 += lines
    heads = "  ".join(("行政复议", "行政诉讼", *_REVIEW_HEAD, "未经复议直接起诉", "复议后起诉"))
    t3 = heads + "\n" + "  ".join(v for group in _review_values(report, style, rng) for v in group)
    tables = {"proactive": t1, "requests": "\n".join(t2), "review_litigation": t3}
    return "\n".join(_body(report, tables)) + "\n"


def bar_opened(report: GeneratedReport, rng: random.Random) -> str:
    """The TSV rendering with every row as a bare ``|`` line followed by its cells, one ``cell |`` a line."""
    out: list[str] = []
    for line in render_tsv(report, rng).splitlines():
        if "\t" not in line or (line.startswith("\t") and line.count("\t") == 1):
            out.append(line)  # text, or a one-cell-per-line table, as the TSV rendering prints it
            continue
        cells = [c.strip() for c in line.split("\t")]
        texts = [i for i, c in enumerate(cells) if c and not _NUMBER.fullmatch(c) and c not in BLANK_MARKERS]
        first = texts[0] if texts else 0  # the slots before the label are a span's: not written
        out.append("|")
        for c in cells[first:]:
            text = "" if c in BLANK_MARKERS and rng.random() < 0.5 else c
            out.append(f"{text} |" if text else "|")
    return "\n".join(out) + "\n"


def column_major(report: GeneratedReport, rng: random.Random) -> str:
    style = _style(rng)
    t1 = "\n".join("\t".join((label, *values)) for label, values in _proactive_rows(report, style, rng))
    rows = [
        (lead if i == 0 else "", row) for lead, group in printed_rows(report, style, rng) for i, row in enumerate(group)
    ]
    cut = rng.randint(1, len(rows) - 1)
    t2: list[str] = []
    for block in (rows[:cut], rows[cut:]):
        t2 += [f"{lead}{row.label}" if lead else row.label for lead, row in block]
        t2 += list(_APPLICANT_HEAD)
        t2 += [row.values[c] for c in range(len(REQUEST_COLUMNS)) for _, row in block]
    heads = "\t".join(("行政复议", "行政诉讼", *_REVIEW_HEAD, "未经复议直接起诉", "复议后起诉"))
    t3 = heads + "\n" + "\t".join(v for group in _review_values(report, style, rng) for v in group)
    tables = {"proactive": t1, "requests": "\n\n".join(t2), "review_litigation": t3}
    return "\n".join(_body(report, tables)) + "\n"


_RENDER = {
    "md_fragmented": md_fragmented,
    "run_together": run_together,
    "one_line": one_line,
    "scrambled": scrambled,
    "bar_cells": bar_cells,
    "letter_spaced": letter_spaced,
    "wrapped_labels": wrapped_labels,
    "bar_opened": bar_opened,
    "column_major": column_major,
}


def render_damaged(report: GeneratedReport, layout: str, rng: random.Random) -> str:
    """The text of ``report`` in the damaged ``layout`` (one of ``DAMAGED_LAYOUTS``)."""
    if layout not in _RENDER:
        raise ValueError(f"unknown damaged layout {layout!r}; expected one of {', '.join(DAMAGED_LAYOUTS)}")
    return _RENDER[layout](report, rng)
