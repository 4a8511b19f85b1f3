"""Classes of real input found by reading published reports, each with a small fixture in our own words."""

from __future__ import annotations

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
