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

FORMATS = ("2021", "2019", "unknown")
AGENCY_LEVELS = ("province", "city", "county", "township", "department")
SOURCE_TYPES = ("html", "pdf", "docx", "doc", "text")


def cells() -> list[str]:
    """Every cell key, ``row.column``, in table order."""
    return [f"{row}.{col}" for row, cols in TABLE_ROWS.items() for col in cols]
