"""The cleaner: what it removes, why, and that offsets never move."""

import pytest

import reportmine
from reportmine.clean import find_removals
from reportmine.view import Cut, View

AD = ("正文。\n【哒哒素材库】——每天更新材料1000多篇内部高质量素材，有意加入请联系：1 4367\n"
      "欢迎加入“哒哒素材库svip会员”，9000万字材料\n")


@pytest.mark.parametrize("text,reason,rule,removed", [
    (AD, "ad", "sucaiku-ad", "【哒哒素材库】——每天更新材料1000多篇内部高质量素材，有意加入请联系：1 4367"),
    ("开展暑期托管服务，主##paidbegin##动占领教育阵地", "ad", "paid-marker", "##paidbegin##"),
    ("标题\n时间:2023-11-29 14:13:01 来源:网友投稿\n正文", "scraper", "scraper-time-source",
     "时间:2023-11-29 14:13:01 来源:网友投稿"),
    ("标题\n发布时间:2024-10-02 05:23\n正文", "scraper", "scraper-time-source",
     "发布时间:2024-10-02 05:23"),
    ("下面是小编为大家整理的讲话,供大家参考。\n正文", "scraper", "scraper-xiaobian",
     "下面是小编为大家整理的讲话,供大家参考。"),
    ("正文。\n推荐访问:教育局 讲话 工作", "scraper", "scraper-recommend", "推荐访问:教育局 讲话 工作"),
])
def test_removed(rules, text, reason, rule, removed):
    found = find_removals(text, rules)
    assert (reason, rule, removed) in [(f.reason, f.rule, text[f.start:f.end]) for f in found]


def test_ads_yield_no_quantities():
    doc = reportmine.parse_text("投入资金172.5万元。\n" + AD)
    assert [m.text for m in doc.metrics] == ["172.5万元"]


def test_paid_marker_inside_a_word_joins_the_text():
    doc = reportmine.parse_text("主##paidbegin##动占领阵地，全区共有12所学校")
    assert [(m.text, m.value) for m in doc.metrics] == [("12所", 12)]


PAGES = ("1、区教育体育局年度工作总结 一年来,工作推进。 一、党建引领开展凸显\n"
         "2、新成效 1.基层党建不断深入。落地了一批。今年2\n"
         "3、5所标准化学校创立任务,按照要求推进,总投\n"
         "4、入5000万元,其中,片区改造全面完成。")


def test_page_numbers_cut_sentences_and_are_joined(rules):
    found = find_removals(PAGES, rules)
    assert [(PAGES[f.start:f.end], f.reason) for f in found] == [
        ("1、", "page_number"), ("\n2、", "page_number"), ("\n3、", "page_number"),
        ("\n4、", "page_number")]


def test_number_cut_by_a_page_break_reads_whole():
    doc = reportmine.parse_text(PAGES)
    m = next(m for m in doc.metrics if m.unit == "所")
    assert (m.text, m.value) == ("2\n3、5所", 25)
    assert PAGES[m.start:m.end] == m.text
    assert [s.title for s in doc.sections] == ["党建引领开展凸显新成效", "基层党建不断深入"]


def test_numbered_list_is_not_page_numbers(rules):
    text = "工作如下：\n1、完成校舍改造。\n2、新建学校3所。\n3、招聘教师20名。\n"
    assert find_removals(text, rules) == []


def test_repeated_paragraph_is_a_duplicate(rules):
    para = "全县教育系统坚定不移地贯彻县委、政府的工作要求，新增学位210个，托位40个，办学条件明显改善。"
    text = f"标题\n{para}\n另一段。\n{para}\n"
    found = find_removals(text, rules)
    assert [(f.reason, f.start) for f in found] == [("duplicate", text.rindex(para))]
    doc = reportmine.parse_text(text)
    assert [m.value for m in doc.metrics] == [210, 40]


def test_view_maps_back_to_original_offsets():
    text = "今年2\n7、5所学校##paidend##完成"
    view = View(text, [Cut(3, 6, ""), Cut(10, 21, "")], {})
    assert view.raw == "今年25所学校完成"
    a = view.raw.index("25所")
    assert view.span(a, a + 3) == (2, 8)
    assert text[2:8] == "2\n7、5所"
    assert view.to_original(view.raw.index("完")) == text.index("完")


def test_cleaning_never_changes_the_document_text(sample_docs):
    from tests.conftest import SAMPLES

    for doc in sample_docs:
        original = (SAMPLES / doc.doc.split("/")[-1]).read_text(encoding="utf-8")
        assert doc.text == original
