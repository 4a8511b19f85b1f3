"""Classes of real input found by reading published reports, each with a small fixture in our own words."""

from __future__ import annotations

from xxgk.parse import parse_text
from xxgk.parse.labels import match_label
from xxgk.parse.tokens import join_letter_spaced


def test_letter_spaced_words_join_but_numbers_and_null_markers_stay_apart() -> None:
    assert join_letter_spaced("2 . 重 复 申 请  7  0  无  1") == ["2.重复申请", "7", "0", "无", "1"]
    assert join_letter_spaced("无 无 无") == ["无", "无", "无"]
    assert join_letter_spaced("规章 3 1 12") == ["规章", "3", "1", "12"]
    assert join_letter_spaced("3 1 2 0 4") == ["3", "1", "2", "0", "4"]  # digits are never a spaced word
    # two spaced characters are too few to be one word; words two spaces apart (columns) stay apart
    assert join_letter_spaced("总 计  结 果 维 持") == ["总", "计", "结果维持"]


def test_group_lead_glued_to_its_first_row_is_that_row() -> None:
    assert match_label("（六）其他处理1.申请人无正当理由逾期不补正") == "requests.other.no_correction"
    assert match_label("（三）不予公开1.属于国家秘密") == "requests.denied.state_secret"
    assert match_label("（五）不予处理 1.信访举报投诉类申请") == "requests.not_processed.petition"
    assert match_label("三、本年度办理结果（一）予以公开") == "requests.granted"
    # the leads alone keep their meaning: the single old row, and group heads
    assert match_label("（六）其他处理") == "requests.other_2019"
    assert match_label("（四）无法提供") == "group"


def _flip_book_pages() -> str:
    """A report as an online flip-book gives it: each page headed by the book's title and its number."""
    head = "Page {n} - 青石镇人民政府2022年政府信息公开工作年度报告\nP. {n}\n"
    return "\n".join(
        [
            head.format(n=1) + "一、总体情况\n2022 年，本镇依法公开政府信息。",
            "二、主动公开政府信息情况\n信息内容 本年制发件数 本年废止件数 现行有效件数",
            "规章 0 0 0\n行政规范性文件 2 1 6",
            head.format(n=2) + "行政许可 14\n行政处罚 3\n行政强制 0\n行政事业性收费 0",
            "三、收到和处理政府信息公开申请情况\n一、本年新收政府信息公开申请数量 4 0 0 0 0 0 4",
            head.format(n=3) + "二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1",
            "五、存在的主要问题及改进情况\n公开的及时性有待提高。",
        ]
    )


def test_flip_book_page_headers_are_page_furniture_and_give_the_title_once() -> None:
    report = parse_text(_flip_book_pages())
    assert report.title == "青石镇人民政府2022年政府信息公开工作年度报告"
    assert report.agency == "青石镇人民政府"
    assert report.year == 2022
    assert report.tables["proactive.licensing"] == {"decisions": 14}
    assert report.tables["requests.new"]["total"] == 4
    assert report.tables["requests.carried_over"]["natural_person"] == 1


def test_table_3_alone_is_kept_when_tables_1_and_2_are_missing() -> None:
    text = "\n".join(
        [
            "某区信访局2023年政府信息公开工作年度报告",
            "四、政府信息公开行政复议、行政诉讼情况",
            "行政复议 行政诉讼",
            "结果维持 结果纠正 其他结果 尚未审结 总计",
            "2 1 0 0 3 1 0 0 1 2 0 0 0 0 0",
            "五、存在的主要问题及改进情况",
            "无。",
        ]
    )
    report = parse_text(text)
    assert report.tables["review"] == {"upheld": 2, "corrected": 1, "other": 0, "pending": 0, "total": 3}
    assert report.tables["litigation_direct"]["total"] == 2
    assert "requests.new" not in report.tables  # missing rows are not invented as blanks or zeros
    assert any("Tables 1 and 2" in p for p in report.problems)


def test_bare_bar_opening_every_row_is_no_cell_of_the_row_before() -> None:
    """A converter that opens each row with a bare ``|`` and prints an empty cell as a bare ``|`` too."""
    rows = [
        ["第二十条第（一）项 | |||"],
        ["信息内容 |", "本年制发件数 |", "本年废止件数 |", "现行有效件数 |"],
        ["规章 |", "2 |", "1 |", "|"],  # its last cell empty
        ["行政规范性文件 |", "|", "4 |", "9 |"],  # its first cell empty
        ["行政许可 |", "31 | ||"],
        ["行政处罚 |", "5 | ||"],
        ["行政强制 |", "0 | ||"],
        ["行政事业性收费 |", "0 | ||"],
    ]
    table = "\n".join("|\n" + "\n".join(cells) for cells in rows)
    head = "某镇人民政府2023年政府信息公开工作年度报告\n二、主动公开政府信息情况"
    text = f"{head}\n{table}\n五、存在的主要问题及改进情况\n无。"
    report = parse_text(text)
    assert report.tables["proactive.regulations"] == {"issued": 2, "repealed": 1, "in_force": None}
    assert report.tables["proactive.normative_documents"] == {"issued": None, "repealed": 4, "in_force": 9}
    assert report.tables["proactive.licensing"] == {"decisions": 31}


def _column_major_text() -> str:
    """A layout-analysis extractor's reading (pdfminer's extract_text): labels first, values column by column,
    every line followed by an empty one."""
    return "\n\n".join(
        [
            "某市人民政府2024年政府信息公开工作年度报告",
            "二、主动公开政府信息情况",
            "第二十条 第（一）项\n信息内容\n规章\n行政规范性文件\n第二十条 第（五）项\n信息内容\n行政许可",
            "本年制发件数\n本年废止件数 现行有效件数\n2\n7\n0\n15\n9\n60\n本年处理决定数量\n5120",
            "信息内容\n行政处罚\n行政强制\n第二十条 第（八）项\n本年处理决定数量\n3305\n41",
            "信息内容\n本年收费金额（单位：万元）\n行政事业性收费\n12.5",
            "四、政府信息公开行政复议、行政诉讼情况\n行政复议\n行政诉讼\n结果\n维持\n总计\n6\n2\n3\n1",
            "结果\n其他\n复议后起诉\n尚未\n3\n0\n0\n1\n总计\n12\n维持\n纠正\n4\n1\n0\n0\n5\n总计\n4",
            "五、存在的主要问题及改进情况\n无。",
        ]
    ).replace("\n", "\n\n")


def test_a_table_read_column_by_column_gives_no_row_another_rows_values() -> None:
    report = parse_text(_column_major_text())
    # two one-value rows after their two labels: in order or blank, never the first value for the last row
    assert report.tables["proactive.penalty"]["decisions"] in (None, 3305)
    assert report.tables["proactive.enforcement"]["decisions"] in (None, 41)
    # rows of three after a block of labels: row by row or column by column cannot be told, so blank
    assert report.tables["proactive.regulations"] == {"issued": None, "repealed": None, "in_force": None}
    assert report.tables["proactive.licensing"] == {"decisions": None}
    assert any("printed without their values" in p for p in report.problems)
    # Table 3's values split by header words in the middle of its groups: not guessed
    assert all(v is None for v in report.tables["review"].values())
    assert any("not in its order" in p for p in report.problems)


def test_one_value_rows_after_their_labels_are_read_in_order() -> None:
    text = (
        "二、主动公开政府信息情况\n信息内容\n行政处罚\n行政强制\n本年处理决定数量\n3305\n41\n信息内容\n行政事业性收费 0"
    )
    report = parse_text(text)
    assert report.tables["proactive.penalty"] == {"decisions": 3305}
    assert report.tables["proactive.enforcement"] == {"decisions": 41}


def test_table_3_with_a_late_total_head_still_reads_in_order() -> None:
    text = "\n".join(
        [
            "某县2023年政府信息公开工作年度报告",
            "四、政府信息公开行政复议、行政诉讼情况",
            "行政复议 行政诉讼 结果 维持 结果 纠正 其他 结果 尚未 审结",
            "3\n1\n0\n0\n4\n0\n0\n0\n0\n0\n2\n0\n0\n0",
            "总计",
            "2",
            "五、存在的主要问题及改进情况",
        ]
    )
    report = parse_text(text)
    assert report.tables["review"] == {"upheld": 3, "corrected": 1, "other": 0, "pending": 0, "total": 4}
    assert report.tables["litigation_after_review"]["total"] == 2


def test_a_bare_total_among_the_applicant_heads_is_no_row_label() -> None:
    text = "\n".join(
        [
            "三、收到和处理政府信息公开申请情况",
            "一、本年新收政府信息公开申请数量 9 0 0 0 0 0 9",
            "二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0",
            "三、本年度办理结果 （一）予以公开 4 0 0 0 0 0 4",
            "- 2 -",
            "自然人",
            "法律服务机构",
            "总计",
            "其他",
            "7 1 0 0 0 0 8",
        ]
    )
    report = parse_text(text)
    assert report.tables["requests.total"]["total"] is None  # the header's 总计 opened no row


def test_letter_spaced_headings_open_their_sections() -> None:
    text = "\n".join(
        [
            "某乡2022年政府信息公开工作年度报告",
            "一 、 总 体 情 况",
            "本乡依法公开政府信息。",
            "五 、 存 在 的 主 要 问 题 及 改 进 情 况",
            "公开不够及时。",
            "六 、 其 他 需 要 报 告 的 事 项",
            "无。",
        ]
    )
    report = parse_text(text)
    assert report.sections["overview"].strip() == "本乡依法公开政府信息。"
    assert report.sections["problems"].strip() == "公开不够及时。"
    assert "other" in report.sections
