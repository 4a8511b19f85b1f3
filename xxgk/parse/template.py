"""The fixed form the tables are aligned to: rows in printed order with their columns, as data.

Derived from :mod:`xxgk.schema`, so another format's form (e.g. the 2019 one) is another tuple of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from xxgk.parse.normalize import label_key
from xxgk.schema import PROACTIVE_LABELS, REQUEST_LABELS, REVIEW_GROUPS, TABLE_ROWS


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


TEMPLATE_2021 = _template_2021()
