"""The fixed form the tables are aligned to: rows in printed order with their columns, as data.

Derived from :mod:`xxgk.schema`, so another format's form is another tuple of rows: ``TEMPLATE_HYBRID`` is
the 2021 form of a report that still prints the single old （六）其他处理 row, ``TEMPLATE_2019`` the 2019
form (its own Table 1, then the hybrid's Tables 2 and 3).
"""

from __future__ import annotations

from dataclasses import dataclass

from xxgk.parse.normalize import label_key
from xxgk.schema import (
    OTHER_2019,
    OTHER_2019_LABEL,
    OTHER_ROWS,
    PROACTIVE_2019_LABELS,
    PROACTIVE_2019_ROWS,
    PROACTIVE_LABELS,
    REQUEST_COLUMNS,
    REQUEST_LABELS,
    REVIEW_GROUPS,
    TABLE_ROWS,
)


@dataclass(frozen=True, slots=True)
class TemplateRow:
    key: str
    columns: tuple[str, ...]
    table: int  # 1, 2 or 3
    label: str  # label key (see :func:`~xxgk.parse.normalize.label_key`) the row is printed with
    ordinal: str | None  # digit ordinal printed before the label (``2`` in ``2.没有现成…``), if any


def _ordinals() -> dict[str, str]:
    """Sub-rows of a Table 2 group (``requests.denied.*`` …) are numbered 1., 2., … within their group."""
    out: dict[str, str] = {}
    count: dict[str, int] = {}
    for key in REQUEST_LABELS:
        group, _, _ = key.rpartition(".")
        if group != "requests":
            count[group] = count.get(group, 0) + 1
            out[key] = str(count[group])
    return out


def _template_2021() -> tuple[TemplateRow, ...]:
    ordinals = _ordinals()
    labels = {**PROACTIVE_LABELS, **REQUEST_LABELS, **REVIEW_GROUPS}
    rows = []
    for key, cols in TABLE_ROWS.items():
        table = 1 if key.startswith("proactive.") else 2 if key.startswith("requests.") else 3
        rows.append(TemplateRow(key, cols, table, label_key(labels[key]), ordinals.get(key)))
    return tuple(rows)


def _template_hybrid() -> tuple[TemplateRow, ...]:
    """The 2021 form with the single old （六）其他处理 row in place of the three ``requests.other.*`` rows."""
    single = TemplateRow(OTHER_2019, REQUEST_COLUMNS, 2, label_key(OTHER_2019_LABEL), None)
    rows: list[TemplateRow] = []
    for row in TEMPLATE_2021:
        if row.key == OTHER_ROWS[0]:
            rows.append(single)
        elif row.key not in OTHER_ROWS:
            rows.append(row)
    return tuple(rows)


def _template_2019() -> tuple[TemplateRow, ...]:
    table1 = [
        TemplateRow(key, cols, 1, label_key(PROACTIVE_2019_LABELS[key]), None)
        for key, cols in PROACTIVE_2019_ROWS.items()
    ]
    return (*table1, *(row for row in TEMPLATE_HYBRID if row.table > 1))


TEMPLATE_2021 = _template_2021()
TEMPLATE_HYBRID = _template_hybrid()
TEMPLATE_2019 = _template_2019()
