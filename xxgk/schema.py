"""Canonical keys of the annual report (see docs/report-format.md in shared).

Sections, table rows and columns are named here once; every other module,
the store and the search index use exactly these keys.
"""

from __future__ import annotations

SECTIONS: dict[str, str] = {
    "preamble": "",
    "overview": "总体情况",
    "proactive": "主动公开政府信息情况",
    "requests": "收到和处理政府信息公开申请情况",
    "review_litigation": "政府信息公开行政复议、行政诉讼情况",
    "problems": "存在的主要问题及改进情况",
    "other": "其他需要报告的事项",
}

# Table 1 — 主动公开政府信息情况
DOC_COLUMNS = ("issued", "repealed", "in_force")
PROACTIVE_ROWS: dict[str, tuple[str, ...]] = {
    "proactive.regulations": DOC_COLUMNS,
    "proactive.normative_documents": DOC_COLUMNS,
    "proactive.licensing": ("decisions",),
    "proactive.penalty": ("decisions",),
    "proactive.enforcement": ("decisions",),
    "proactive.fees": ("amount_10k_yuan",),
}
PROACTIVE_LABELS: dict[str, str] = {
    "proactive.regulations": "规章",
    "proactive.normative_documents": "行政规范性文件",
    "proactive.licensing": "行政许可",
    "proactive.penalty": "行政处罚",
    "proactive.enforcement": "行政强制",
    "proactive.fees": "行政事业性收费",
}

# Table 2 — 收到和处理政府信息公开申请情况
APPLICANT_COLUMNS = ("natural_person", "commercial", "research", "social", "legal", "other_org")
REQUEST_COLUMNS = (*APPLICANT_COLUMNS, "total")
REQUEST_LABELS: dict[str, str] = {
    "requests.new": "本年新收政府信息公开申请数量",
    "requests.carried_over": "上年结转政府信息公开申请数量",
    "requests.granted": "予以公开",
    "requests.partially_granted": "部分公开",
    "requests.denied.state_secret": "属于国家秘密",
    "requests.denied.prohibited_by_law": "其他法律行政法规禁止公开",
    "requests.denied.security_stability": "危及“三安全一稳定”",
    "requests.denied.third_party": "保护第三方合法权益",
    "requests.denied.internal_affairs": "属于三类内部事务信息",
    "requests.denied.process_info": "属于四类过程性信息",
    "requests.denied.enforcement_files": "属于行政执法案卷",
    "requests.denied.query_matters": "属于行政查询事项",
    "requests.unavailable.not_held": "本机关不掌握相关政府信息",
    "requests.unavailable.needs_creation": "没有现成信息需要另行制作",
    "requests.unavailable.unclear": "补正后申请内容仍不明确",
    "requests.not_processed.petition": "信访举报投诉类申请",
    "requests.not_processed.repeated": "重复申请",
    "requests.not_processed.publication": "要求提供公开出版物",
    "requests.not_processed.excessive": "无正当理由大量反复申请",
    "requests.not_processed.confirm": "要求行政机关确认或重新出具已获取信息",
    "requests.other.no_correction": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "requests.other.no_fee": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "requests.other.other": "其他",
    "requests.total": "总计",
    "requests.carried_forward": "结转下年度继续办理",
}
REQUEST_ROWS = tuple(REQUEST_LABELS)
# Table 2's printed numbering of its lead rows (2021 layout); the other rows are numbered 1., 2., … in their group.
REQUEST_NUMBERS = {
    "requests.new": "一、",
    "requests.carried_over": "二、",
    "requests.granted": "（一）",
    "requests.partially_granted": "（二）",
    "requests.total": "（七）",
    "requests.carried_forward": "四、",
}
# Result rows: granted … other.other (rule 2 sums these into requests.total).
RESULT_ROWS = REQUEST_ROWS[REQUEST_ROWS.index("requests.granted") : REQUEST_ROWS.index("requests.total")]

# Table 3 — 行政复议、行政诉讼情况
REVIEW_GROUPS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "未经复议直接起诉",
    "litigation_after_review": "复议后起诉",
}
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")

TABLE_ROWS: dict[str, tuple[str, ...]] = {
    **PROACTIVE_ROWS,
    **{row: REQUEST_COLUMNS for row in REQUEST_ROWS},
    **{group: REVIEW_COLUMNS for group in REVIEW_GROUPS},
}
CELL_COUNT = sum(len(cols) for cols in TABLE_ROWS.values())  # 200

# The 2019 format (2019 and 2020 reports): Table 1 has rows and columns of its own; Table 2 prints one
# （六）其他处理 row where the 2021 format has the three requests.other.* rows; Table 3 is unchanged.
ITEM_COLUMNS = ("previous_items", "change", "decisions")
PROACTIVE_2019_ROWS: dict[str, tuple[str, ...]] = {
    "proactive_2019.regulations": ("made", "published", "total_public"),
    "proactive_2019.normative_documents": ("made", "published", "total_public"),
    "proactive_2019.licensing": ITEM_COLUMNS,
    "proactive_2019.other_services": ITEM_COLUMNS,
    "proactive_2019.penalty": ITEM_COLUMNS,
    "proactive_2019.enforcement": ITEM_COLUMNS,
    "proactive_2019.fees": ("previous_items", "change"),
    "proactive_2019.procurement": ("items", "amount_yuan"),
}
PROACTIVE_2019_LABELS: dict[str, str] = {
    "proactive_2019.regulations": "规章",
    "proactive_2019.normative_documents": "规范性文件",
    "proactive_2019.licensing": "行政许可",
    "proactive_2019.other_services": "其他对外管理服务事项",
    "proactive_2019.penalty": "行政处罚",
    "proactive_2019.enforcement": "行政强制",
    "proactive_2019.fees": "行政事业性收费",
    "proactive_2019.procurement": "政府集中采购",
}
# 处理决定数量 means the same in both formats: a 2019 report also writes it under the 2021 key.
DECISIONS_2021: dict[str, str] = {
    "proactive_2019.licensing": "proactive.licensing",
    "proactive_2019.penalty": "proactive.penalty",
    "proactive_2019.enforcement": "proactive.enforcement",
}
OTHER_ROWS = ("requests.other.no_correction", "requests.other.no_fee", "requests.other.other")
OTHER_2019 = "requests.other_2019"
OTHER_2019_LABEL = "其他处理"
_OTHER_AT = REQUEST_ROWS.index(OTHER_ROWS[0])
REQUEST_ROWS_2019 = (*REQUEST_ROWS[:_OTHER_AT], OTHER_2019, *REQUEST_ROWS[_OTHER_AT + len(OTHER_ROWS) :])
RESULT_ROWS_2019 = REQUEST_ROWS_2019[
    REQUEST_ROWS_2019.index("requests.granted") : REQUEST_ROWS_2019.index("requests.total")
]
TABLE_ROWS_2019: dict[str, tuple[str, ...]] = {
    **PROACTIVE_2019_ROWS,
    **{row: ("decisions",) for row in DECISIONS_2021.values()},
    **{row: REQUEST_COLUMNS for row in REQUEST_ROWS_2019},
    **{group: REVIEW_COLUMNS for group in REVIEW_GROUPS},
}
# Every row any record may carry, whatever its format (a 2021 report may print the single old row).
ALL_ROWS: dict[str, tuple[str, ...]] = {**TABLE_ROWS, **TABLE_ROWS_2019}

# Cell values: counts are non-negative integers up to MAX_VALUE; these cells are decimals, and the
# 2019 format's 本年增/减 (``change``) is the one count that may be negative (rule 5).
DECIMAL_CELLS = frozenset({"proactive.fees.amount_10k_yuan", "proactive_2019.procurement.amount_yuan"})
SIGNED_COLUMNS = frozenset({"change"})
MAX_VALUE = 10**12

FORMATS = ("2021", "2019", "unknown")
AGENCY_LEVELS = ("province", "city", "county", "township", "department")
SOURCE_TYPES = ("html", "pdf", "docx", "doc", "text")


def cells(rows: dict[str, tuple[str, ...]] = TABLE_ROWS) -> list[str]:
    """Every cell key, ``row.column``, in table order (of the 2021 format unless ``rows`` is given)."""
    return [f"{row}.{col}" for row, cols in rows.items() for col in cols]


CELLS: tuple[str, ...] = tuple(cells())  # the 2021 form's cells in table order
CELL_INDEX: dict[str, int] = {key: i for i, key in enumerate(CELLS)}
