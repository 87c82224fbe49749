"""The cleaner: what it removes, why, and that offsets never move."""

from decimal import Decimal

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


def _removed(text: str, rules) -> list[tuple[str, str, str]]:
    return [(text[f.start:f.end], f.reason, f.rule) for f in find_removals(text, rules)]


@pytest.mark.parametrize("text,removed,reason,rule", [
    ("下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n报告正文",
     "下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】", "portal", "portal-toolbar"),
    ("【字体：\n大\n中\n小\n】\n报告正文", "【字体：\n大\n中\n小\n】", "portal", "portal-toolbar"),
    ("》》点击图片进入专题《《\n收藏\n|\n分享到:\n分享到微信\n×",
     "》》点击图片进入专题《《\n收藏\n|\n分享到:\n分享到微信\n×", "portal", "portal-toolbar"),
    ("报告标题\n【字体：大 中 小】\n报告正文", "【字体：大 中 小】", "portal", "portal-font-size"),
    ("您的位置:\n首页\n>\n本地要闻\n报告正文", "您的位置:", "portal", "portal-location"),
    ("您的位置:\n首页\n>\n本地要闻\n报告正文", "首页\n>\n本地要闻", "portal", "portal-breadcrumb"),
    ("首页 > 政府信息公开 > 工作报告\n报告正文", "首页 > 政府信息公开 > 工作报告", "portal",
     "portal-breadcrumb"),
    ("当前位置： 首页>> 概况\n报告正文", "当前位置： 首页>> 概况", "portal", "portal-location"),
    ("分享:\n报告正文", "分享:", "portal", "portal-share"),
    ("报告正文。\n扫一扫在手机打开当前页", "扫一扫在手机打开当前页", "portal", "portal-button-line"),
    ("报告正文。\n打印本页\n返回顶部", "打印本页", "portal", "portal-button-line"),
    ("报告正文。\n【E-mail推荐\n】", "【E-mail推荐\n】", "portal", "portal-bracket-button"),
    ("报告正文。\n相关报道：\n某地2023年新建学校12所\n", "相关报道：\n某地2023年新建学校12所\n", "portal",
     "portal-related-list"),
    ("某某门户网站 www.example.cn 2010年03月15日 来源：某日报\n报告正文",
     "某某门户网站 www.example.cn 2010年03月15日 来源：某日报", "scraper", "scraper-dateline"),
    ("报告正文。（责任编辑： 张三\n ）", "（责任编辑： 张三\n ）", "scraper", "scraper-editor"),
    ("报告正文。（《某某日报》2 0 1 0 0 3 1 5 第2 版）", "（《某某日报》2 0 1 0 0 3 1 5 第2 版）",
     "scraper", "scraper-newspaper-page"),
    ("标题\n时间：\n2024-01-05 10:20\n报告正文", "时间：\n2024-01-05 10:20", "scraper",
     "scraper-label-value"),
    ("标题\n2024-01-05 10:20:11\n报告正文", "2024-01-05 10:20:11", "scraper", "scraper-timestamp"),
    ("标题\n发布部门：某局 发布时间：2018年11月19日\n报告正文", "发布部门：某局 发布时间：2018年11月19日",
     "scraper", "scraper-time-source"),
    ("会场全景。本报记者 王 五摄\n报告正文", "会场全景。本报记者 王 五摄", "scraper", "photo-credit-line"),
    ("全市新建学校5所。资料图片\n报告正文", "资料图片", "scraper", "photo-credit-tail"),
    ("全市新建学校5所。某署报告截图\n报告正文", "某署报告截图", "scraper", "photo-credit-tail"),
    ("报告正文。\n请加入成为本站的月费订户，长期支持我们。\n订户 [网址](/about)",
     "请加入成为本站的月费订户，长期支持我们。\n订户 [网址](/about)", "ad", "subscription-footer"),
    ("详见 http://example.org/2023/a_100.html?id=5 。", "http://example.org/2023/a_100.html?id=5",
     "markup", "url"),
    ("网址 www.example.gov.cn/2019/index.htm 。", "www.example.gov.cn/2019/index.htm", "markup",
     "url"),
])
def test_furniture_is_removed(rules, text, removed, reason, rule):
    assert (removed, reason, rule) in _removed(text, rules)


@pytest.mark.parametrize("text", [
    "全市共有大、中、小学校120所。",
    "首页设计获得好评，点击量增长20%。",
    "我们下载了资料，打印了文件，收藏了案例。",
    "相关报道显示，全年新增就业12万人。",
    "本报讯 记者王五报道：全市新建学校5所。",
    "会议时间：上午九点。",
])
def test_report_sentences_are_not_furniture(rules, text):
    assert find_removals(text, rules) == []


def test_related_list_only_at_the_end(rules):
    body = "全年新建学校12所，投入资金3亿元。" * 300
    text = f"相关报道：\n{body}"
    assert all(f.rule != "portal-related-list" for f in find_removals(text, rules))


def test_furniture_inside_html_is_read_as_text(rules):
    text = ('<div class="op"><a class="printpage" onclick="print();">打印本页</a></div>\n'
            '<p>全年投入资金120万元。</p>')
    assert ("portal", "portal-button-line") in [(r, n) for _, r, n in _removed(text, rules)]
    assert [m.text for m in reportmine.parse_text(text).metrics] == ["120万元"]


REPORT = ("关于某县教育工作的报告\n\n各位代表！\n\n"
          "全县新建学校12所，新增学位3600个，教育投入比上年增长百分之十五，办学条件明显改善。\n\n"
          "各位代表！\n\n全县招聘教师300名，培训校长120人次，教师队伍建设取得新进展。\n")


def test_a_report_saved_twice_yields_its_figures_once(rules):
    text = f"{REPORT}\n当前位置：首页 > 概况\n\n{REPORT}"
    found = [f for f in find_removals(text, rules) if f.reason == "duplicate"]
    second = text.index(REPORT, len(REPORT))
    # the whole second copy: title, the short 各位代表！ lines and both paragraphs
    assert [text[f.start:f.end] for f in found] == [
        line for line in REPORT.split("\n") if line.strip()]
    assert all(f.start >= second for f in found)
    doc = reportmine.parse_text(text)
    assert [m.text for m in doc.metrics] == [m.text for m in reportmine.parse_text(REPORT).metrics]
    assert all(m.start < second for m in doc.metrics)


def test_a_short_line_repeated_alone_is_not_a_duplicate(rules):
    text = "各位代表！\n全县新建学校12所。\n各位代表！\n全县招聘教师300名。\n"
    assert find_removals(text, rules) == []


def test_a_caption_that_repeats_the_body_is_the_copy(rules):
    para = "数据显示，全市特殊教育学生人数在过去5年增加37%，其中自闭症及读写障碍学生分别上升97%及88%。"
    text = f"<figure>\n<figcaption>{para}</figcaption>\n</figure>\n\n{para}\n"
    dup = [f for f in find_removals(text, rules) if f.reason == "duplicate"]
    assert [(f.start, text[f.start:f.end]) for f in dup] == [(text.index(para), para)]
    doc = reportmine.parse_text(text)
    assert [m.text for m in doc.metrics] == ["37%", "97%", "88%"]
    assert all(m.start > text.rindex("</figure>") for m in doc.metrics)


NOISY = ("---\ntitle: 示例 2020\nuuid: 1f45c22a-4090\n---\n\n"
         "<div class=\"nav\">当前位置：<a href=\"/x/2019\">首页</a></div>\n"
         "# 某区2023年教育工作总结\n\n"
         "全区投入资金**172.5万元**，新建学校&nbsp;3所，改造校舍一批，办学条件得到明显改善，详见[附件](https://example.org/%E5%8D%97-12.pdf)。\n\n"
         "| 项目 | 数量 |\n| --- | --- |\n| 新增学位 | 210个 |\n\n"
         "<p style=\"margin:0px 18px\">教师培训覆盖率达<b>98.5%</b>。</p>\n"
         "全区投入资金**172.5万元**，新建学校&nbsp;3所，改造校舍一批，办学条件得到明显改善，详见[附件](https://example.org/%E5%8D%97-12.pdf)。\n")


def test_every_figure_of_a_noisy_page_is_the_source_slice():
    doc = reportmine.parse_text(NOISY)
    assert [(m.text, m.value) for m in doc.metrics] == [
        ("172.5万元", Decimal("1725000")), ("3所", 3), ("210个", 210), ("98.5%", Decimal("98.5"))]
    assert all(NOISY[m.start:m.end] == m.text for m in doc.metrics)
    assert doc.text == NOISY


def test_removals_never_overlap_and_count_by_reason(rules):
    found = find_removals(NOISY, rules)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))
    doc = reportmine.parse_text(NOISY)
    counts = doc.removed_chars()
    assert set(counts) == {"markup", "portal", "duplicate"}
    assert counts["duplicate"] == len(NOISY.rstrip("\n").rsplit("\n", 1)[1])


def test_windows_line_ends_read_like_unix_ones(rules):
    text = "标题\r\n来源：某日报\r\n打印本页\r\n全年投入资金120万元。\r\n"
    assert [(r, n) for _, r, n in _removed(text, rules)] == [
        ("scraper", "scraper-time-source"), ("portal", "portal-button-line")]
    doc = reportmine.parse_text(text)
    assert [(m.text, m.start) for m in doc.metrics] == [("120万元", text.index("120万元"))]


# -- the fast character map ------------------------------------------------------------
def test_charmap_is_str_translate(rules) -> None:
    from reportmine.view import CharMap

    text = "（一）全市實現ＧＤＰ１２３億元，增長５．２％\u3000較上年∶1"
    assert rules.normalize(text) == text.translate(rules.translate)
    assert rules.normalize(text) == "(一)全市实现GDP123亿元，增长5.2% 较上年:1"
    assert CharMap({})(text) == text


def test_charmap_refuses_a_replacement_that_moves_offsets() -> None:
    from reportmine.view import CharMap

    with pytest.raises(ValueError, match="one character"):
        CharMap({ord("％"): "pct"})


def test_charmap_agrees_with_str_translate_on_any_text(rules) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    keys = "".join(chr(k) for k in list(rules.translate)[:200])
    alphabet = st.sampled_from(keys + "一二三元%，。\n abc123")

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet=alphabet, max_size=60))
    def check(text: str) -> None:
        assert rules.normalize(text) == text.translate(rules.translate)

    check()
