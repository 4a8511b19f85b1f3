"""Report metadata: title, agency, agency level, reporting year and publication date."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xxgk.parse.lines import Line
from xxgk.parse.normalize import compact, fold, normalize

TITLE_WORDS = re.compile(r"年度报告|工作报告|年报")
TITLE_SUFFIX = re.compile(r"(?:关于)?(?:\d{4}年度?)?(?:政府)?(?:信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报).*$")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})年")
DATE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
CN_DATE = re.compile(
    r"^([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
AGENCY_END = re.compile(r"(?:人民政府|政府|办公室|办事处|委员会|局|委|办|厅|中心|院|署|部|所|站|队|镇|乡|街道)$")
MAX_TITLE = 80
TITLE_SCAN = 8


@dataclass
class Metadata:
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    title_year: int | None = None
    text_years: list[int] = field(default_factory=list)
    published: str | None = None
    skip_lines: set[int] = field(default_factory=set)


def _cn_number(text: str) -> int:
    """Small Chinese numerals: 一 … 三十一."""
    if "十" not in text:
        return CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)


def parse_date(text: str) -> str | None:
    """ISO date from '2025年1月20日', '2025-01-20', '二〇二五年一月二十日'; None if not a valid date."""
    s = compact(fold(normalize(text)))
    m = DATE.search(s)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = CN_DATE.match(s)
        if not m:
            return None
        y = int("".join(str(CN_DIGITS[c]) for c in m.group(1)))
        mo, d = _cn_number(m.group(2)), _cn_number(m.group(3))
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def years_in(text: str) -> list[int]:
    found = [int(y) for y in YEAR.findall(text)]
    found += [int("".join(str(CN_DIGITS[c]) for c in y)) for y in CN_YEAR.findall(text)]
    return found


def clean_name(name: str) -> str:
    return compact(fold(normalize(name))).strip("：:，,。 ")


def agency_from_title(title: str) -> str | None:
    s = clean_name(title)
    s = TITLE_SUFFIX.sub("", s)
    s = YEAR.sub("", s)
    s = re.sub(r"^(?:关于)|(?:关于)$", "", s)
    return s or None


def find_title(lines: list[Line], first_heading: int) -> tuple[str | None, set[int]]:
    """Title line(s) before the first heading; a title wrapped over two lines is joined without spaces."""
    candidates = [i for i in range(min(first_heading, len(lines))) if lines[i].cells is None and lines[i].norm.strip()]
    for n, i in enumerate(candidates[:TITLE_SCAN]):
        text = compact(lines[i].norm)
        if not TITLE_WORDS.search(text) or len(text) > MAX_TITLE or "。" in text:
            continue
        used = {i}
        if n > 0:
            prev = candidates[n - 1]
            above = compact(lines[prev].norm)
            if len(above) <= 30 and "。" not in above and _continues(above, text):
                used.add(prev)
                return compact("".join(lines[j].raw for j in sorted(used))), used
        return lines[i].raw.strip(), used
    return None, set()


def _continues(above: str, text: str) -> bool:
    """Whether a title line continues the line above it: it starts with the year or names no agency
    (淮安市人民政府 / 2024年政府信息公开工作年度报告), or the title's words began above
    (…2019年政府信息公开 / 工作年度报告)."""
    if text[:1].isdigit() or text.startswith("年"):
        return True
    if TITLE_WORDS.search(above):
        return False
    suffix = TITLE_SUFFIX.search(above + text)
    if suffix and suffix.start() < len(above):
        return True
    return agency_from_title(text) is None and AGENCY_END.search(clean_name(above)) is not None


def _signature(lines: list[Line]) -> tuple[str | None, str | None]:
    """Agency and date from a closing signature: '…人民政府' then '2025年1月20日' on the last lines."""
    tail = [line for line in lines[-6:] if line.cells is None and line.norm.strip()]
    for k in range(len(tail) - 1, 0, -1):
        date = parse_date(tail[k].norm)
        if date and len(compact(tail[k].norm)) <= 16:
            name = clean_name(tail[k - 1].norm)
            if len(name) <= 30 and AGENCY_END.search(name):
                return name, date
            return None, date
    return None, None


def extract_metadata(lines: list[Line], headings: dict[str, int], meta: dict[str, str]) -> Metadata:
    first = min(headings.values(), default=len(lines))
    title, used = find_title(lines, first)
    md = Metadata(skip_lines=used)
    # The CMS's own ArticleTitle beats any line of the body (breadcrumbs read like titles).
    keys = ("ArticleTitle",) if meta.get("ArticleTitle") else ("pdf_title", "docx_title", "html_title")
    for key in keys:
        if (title is None or key == "ArticleTitle") and meta.get(key) and TITLE_WORDS.search(meta[key]):
            title = meta[key].split("_")[0].split("|")[0].strip()
    md.title = title
    sig_agency, sig_date = _signature(lines)
    md.agency = agency_from_title(title) if title else None
    for candidate in (meta.get("发布机构"), meta.get("ContentSource"), sig_agency):
        if not md.agency and candidate:
            md.agency = clean_name(candidate)
    if title:
        found = years_in(normalize(title))
        md.title_year = found[0] if found else None
    intro_end = headings.get("proactive", min(len(lines), first + 40))
    intro = [ln.norm for i, ln in enumerate(lines[:intro_end]) if i not in used and ln.cells is None]
    md.text_years = [y for y in years_in("\n".join(intro)) if 1990 <= y <= 2100]
    if md.title_year:
        md.year = md.title_year
    elif md.text_years:
        md.year = max(set(md.text_years), key=lambda y: (md.text_years.count(y), -md.text_years.index(y)))
    for candidate in (meta.get("PubDate"), meta.get("发布日期"), meta.get("成文日期"), sig_date):
        if candidate and not md.published:
            md.published = parse_date(candidate) if candidate != sig_date else sig_date
    return md
