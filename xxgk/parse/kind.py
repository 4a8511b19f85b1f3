"""Is the document an annual report at all?

Evidence, weighed in this order:

1. a blank template prints the table rows but fills no value: at least ``TEMPLATE_ROWS`` row labels
   found and not one number in them;
2. a title naming another kind of page (an interpretation 解读, a notice 通知 …) wins unless the page
   carries most of a report's tables (``REPORT_CELLS`` filled cells);
3. a page with no section heading of the report format and no table row is something else (a notice,
   a news item, a link page).

A real report, even one whose tables are images or left unfilled in part, has its headings and most of
its rows: the five seeds and three real PDF texts have 6 headings, 29–32 rows and 186–200 filled cells.
"""

from __future__ import annotations

import re

from xxgk.model import Tables
from xxgk.parse.normalize import compact, fold, normalize

NOT_A_REPORT = "not an annual report"
TEMPLATE_ROWS = 10
REPORT_CELLS = 100
# Words in a title that name another kind of document, with what to call it.
OTHER_KINDS: dict[str, str] = {
    "解读": "an interpretation (解读) of a report",
    "图解": "an illustrated interpretation (图解) of a report",
    "一图读懂": "an illustrated interpretation (一图读懂) of a report",
    "通知": "a notice (通知)",
    "公告": "an announcement (公告)",
    "通告": "an announcement (通告)",
    "指南": "a disclosure guide (指南)",
    "要点": "a work plan (要点)",
    "目录": "a catalogue (目录)",
}
_OTHER_KIND = re.compile("|".join(OTHER_KINDS))


def filled_cells(tables: Tables) -> int:
    return sum(value is not None for cols in tables.values() for value in cols.values())


def not_a_report(title: str | None, headings: int, rows: int, tables: Tables) -> str | None:
    """Why the document is not an annual report, or None if it is one.

    ``title`` is the document's title if one was found, ``headings`` the number of section headings
    found, ``rows`` the number of table rows whose label was found.
    """
    filled = filled_cells(tables)
    if filled == 0 and rows >= TEMPLATE_ROWS:
        return f"a blank template ({rows} table rows printed, not one value filled)"
    kind = _OTHER_KIND.search(compact(fold(normalize(title or ""))))
    if kind and filled < REPORT_CELLS:
        return f"{OTHER_KINDS[kind.group(0)]}, by its title"
    if headings == 0 and rows == 0:
        return "no section heading and no table of the report format"
    return None
