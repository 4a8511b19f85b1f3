"""Tab-separated report text, as portals publish it, for the parser tests (``tsv`` fixture)."""

from __future__ import annotations

import json

from xxgk.schema import PROACTIVE_LABELS, REQUEST_LABELS, REQUEST_ROWS, TABLE_ROWS

NUMBERED = {
    "requests.new": "一、本年新收政府信息公开申请数量",
    "requests.carried_over": "二、上年结转政府信息公开申请数量",
    "requests.granted": "（一）予以公开",
    "requests.partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "requests.total": "（七）总计",
    "requests.carried_forward": "四、结转下年度继续办理",
}

GROUP_LEADS = {
    "requests.denied.state_secret": "（三）不予公开",
    "requests.unavailable.not_held": "（四）无法提供",
    "requests.not_processed.petition": "（五）不予处理",
    "requests.other.no_correction": "（六）其他处理",
}


def consistent() -> dict[str, list[str]]:
    """A consistent report: 5 requests from natural persons, 2 from companies, all granted."""
    rows: dict[str, list[str]] = {row: ["0"] * len(cols) for row, cols in TABLE_ROWS.items()}
    rows["proactive.regulations"] = ["1", "0", "4"]
    rows["proactive.fees"] = ["1.5"]
    for row in ("requests.new", "requests.granted", "requests.total"):
        rows[row] = ["5", "2", "0", "0", "0", "0", "7"]
    rows["review"] = ["1", "0", "0", "0", "1"]
    return rows


def render(rows: dict[str, list[str]], *, prose: str = "", title_year: int = 2024, text_year: int = 2024) -> str:
    """A tab-separated report like those portals publish."""
    out = [
        f"某某县人民政府{title_year}年政府信息公开工作年度报告",
        "一、总体情况",
        f"{text_year}年，我县持续推进政务公开。{prose}",
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
    ]
    for row, label in PROACTIVE_LABELS.items():
        out.append("\t".join([label, *rows[row]]))
    out += [
        "三、收到和处理政府信息公开申请情况",
        "\t\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计",
    ]
    for row in REQUEST_ROWS:
        if row in rows:
            out.append("\t".join([NUMBERED.get(row, REQUEST_LABELS[row]), *rows[row]]))
    out += [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议\t行政诉讼",
        "结果维持\t结果纠正\t其他结果\t尚未审结\t总计",
        "\t".join(rows["review"] + rows["litigation_direct"] + rows["litigation_after_review"]),
        "五、存在的主要问题及改进情况",
        "问题不少。",
        "六、其他需要报告的事项",
        "无。",
    ]
    return "\n".join(out)


def grid_label_cells(row: str, number: int) -> list[str]:
    """The three label columns of a Table 2 row as a full grid prints them (spanned positions empty)."""
    if row in ("requests.new", "requests.carried_over", "requests.carried_forward"):
        return [NUMBERED[row], "", ""]
    if row == "requests.granted":
        return ["三、本年度办理结果", NUMBERED[row], ""]
    if row in NUMBERED:
        return ["", NUMBERED[row], ""]
    return ["", GROUP_LEADS.get(row, ""), f"{number}.{REQUEST_LABELS[row]}"]


def grid_requests(rows: dict[str, list[str]]) -> list[str]:
    """Table 2 as one tab-separated line per grid row, every line ten fields wide (a spreadsheet export)."""
    out = [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t\t申请人情况" + "\t" * 6,
        "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计",
        "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t",
    ]
    number = 0
    for row in REQUEST_ROWS:
        number = 1 if row in GROUP_LEADS else number + 1
        out.append("\t".join(grid_label_cells(row, number) + rows[row]))
    return out


def with_new_total(text: str) -> str:
    """A consistent tab-separated report with its Table 2 new-requests total printed as ``text``."""
    rows = consistent()
    rows["requests.new"][-1] = text
    return render(rows)


def strict_json(text: str) -> dict:
    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)
