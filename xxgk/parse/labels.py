"""Row labels of the three tables and fuzzy matching of printed labels to canonical row keys."""

from __future__ import annotations

import re
from functools import lru_cache

from xxgk.parse.normalize import label_key
from xxgk.schema import (
    OTHER_2019,
    OTHER_2019_LABEL,
    OTHER_ROWS,
    PROACTIVE_2019_LABELS,
    PROACTIVE_LABELS,
    REQUEST_LABELS,
    REQUEST_ROWS,
)

GROUP = "group"  # group headers inside Table 2, never rows themselves

# Table 2 rows in printed order, with the single 其他处理 row where the 2019 layout has it.
REQUEST_ORDER: tuple[str, ...] = (
    *REQUEST_ROWS[: REQUEST_ROWS.index(OTHER_ROWS[0])],
    OTHER_2019,
    *REQUEST_ROWS[REQUEST_ROWS.index(OTHER_ROWS[0]) :],
)
ORDER_INDEX = {row: i for i, row in enumerate(REQUEST_ORDER)}

# Table 1 labels of both formats; a row the 2021 format also has is matched to its 2021 key.
_EXACT: dict[str, str] = {label_key(label): row for row, label in PROACTIVE_2019_LABELS.items()}
_EXACT.update({label_key(label): row for row, label in PROACTIVE_LABELS.items()})
_EXACT.update({label_key(label): row for row, label in REQUEST_LABELS.items()})
_EXACT.update(
    {
        "规范性文件": "proactive.normative_documents",
        OTHER_2019_LABEL: OTHER_2019,
        "不予公开": GROUP,
        "无法提供": GROUP,
        "不予处理": GROUP,
        "本年度办理结果": GROUP,
        "办理结果": GROUP,
    }
)
# Only distinctive labels take part in prefix and fuzzy matching.
_LONG = sorted(((k, row) for k, row in _EXACT.items() if len(k) >= 4 and row != GROUP), key=lambda kv: -len(kv[0]))
_FUZZY = [(k, row, frozenset(k)) for k, row in _LONG if len(k) >= 6]
FUZZY_RATIO = 0.75
# Group leads of Table 2 that a cell may print glued before its first numbered row: 不予公开1.属于国家秘密.
_LEADS = ("本年度办理结果", "不予公开", "无法提供", "不予处理", "其他处理")
_ORDINAL = re.compile(r"^(?:[0-9]{1,2}|[一二三四五六七八九十]{1,2})(?=\D)")


def _lcs(a: str, b: str) -> int:
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, bj in enumerate(b):
            cur.append(prev[j] + 1 if ch == bj else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=65536)
def match_key(key: str) -> str | None:
    """Row key (or GROUP) for a label key from :func:`label_key`; None if not a row label."""
    if not key or key[0].isdigit():
        return None
    row = _EXACT.get(key)
    if row or len(key) < 4:
        return row
    for lead in _LEADS:  # a group lead and its first row in one cell: the row, never the lead's own key
        if key.startswith(lead) and (ordinal := _ORDINAL.match(key[len(lead) :])):
            row = match_key(key[len(lead) + ordinal.end() :])
            if row is not None and row != GROUP:
                return row
    for label, row in _LONG:  # a label followed by a remark, e.g. 部分公开(区分处理的…)
        if key.startswith(label):
            return row
    if len(key) >= 5:  # first line of a label wrapped over several lines
        rows = {row for label, row in _LONG if label.startswith(key)}
        if len(rows) == 1:
            return rows.pop()
    best, best_score = None, FUZZY_RATIO
    chars = frozenset(key)
    for label, row, label_chars in _FUZZY:
        if len(chars & label_chars) < 0.6 * len(label_chars):
            continue
        score = _lcs(key, label) / max(len(key), len(label))
        if score >= best_score:
            best, best_score = row, score
    return best


def exact_label(text: str) -> str | None:
    """Row key (or GROUP) of a text that is a label exactly as the form prints it, without fuzzy reading."""
    return _EXACT.get(label_key(text))


# A label's remark in brackets, as provincial templates print them: 规章（设区的市…应提供相关数据）.
_REMARK = re.compile(r"[(（][^)）]*[)）]?")


def match_label(text: str) -> str | None:
    """Row key (or GROUP) of a printed label; a short label followed by a remark is matched without it."""
    row = match_key(label_key(text))
    if row is None and ("(" in text or "（" in text):
        bare = _REMARK.sub("", text)
        if bare.strip():
            row = match_key(label_key(bare))
    return row
