"""What each figure measures, on sentences in the style of reports no rule was written for.

Tables of sentences → (figure, indicator, role, modality) for every figure: the subject of
the figure's predicate (never the verb), lists with 分别, ranks, Traditional script and
Hong Kong usage, and modality from the clause's own cues. The sentences are made up in the
style of provincial work reports, statistical bulletins and Hong Kong budget articles.
"""

import pytest

import reportmine


def figures(text):
    return [(m.text, m.indicator, m.role.value, m.modality.value)
            for m in reportmine.parse_text(text).metrics]


# -- the subject of the predicate, never the verb alone --------------------------------
# A growth or a change is named by what changed and its verb (社会消费品零售总额增长): the
# annotation guide names it by the word (增长), an analyst by the thing; both are in it.
@pytest.mark.parametrize("text,expected", [
    ("全市一般公共预算收入第三季度直接飙升至290亿元。", [
        ("290亿元", "一般公共预算收入", "value", "actual")]),
    ("优化投资结构，民间投资占比41%、提高1.3个百分点。", [
        ("41%", "民间投资占比", "share", "actual"),
        ("1.3个百分点", "民间投资占比提高", "change", "actual")]),
    ("社会消费品零售总额增长4.2%。", [
        ("4.2%", "社会消费品零售总额增长", "growth", "actual")]),
    ("规上工业增加值增幅高于全国1.2个百分点。", [
        ("1.2个百分点", "规上工业增加值增幅高于全国", "change", "actual")]),
    ("农业总产值达到2140.5亿元、增长3.6%。", [
        ("2140.5亿元", "农业总产值", "value", "actual"),
        ("3.6%", "农业总产值增长", "growth", "actual")]),
    ("2025年全省旅游总收入比上年增长12.8%。", [
        ("12.8%", "旅游总收入比上年增长", "growth", "actual")]),
    ("高技术产业投资比重提升至18.5%。", [
        ("18.5%", "高技术产业投资比重", "share", "actual")]),
    ("“星火一号”卫星星座增至64颗。", [
        ("64颗", "星火一号卫星星座", "value", "actual")]),
])
def test_subject_of_the_predicate(text, expected):
    assert figures(text) == expected


# -- lists: items and figures paired by position --------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("全年家用电器、汽车、新能源汽车零售额分别增长21.4%、8.2%、30.6%。", [
        ("21.4%", "家用电器零售额增长", "growth", "actual"),
        ("8.2%", "汽车零售额增长", "growth", "actual"),
        ("30.6%", "新能源汽车零售额增长", "growth", "actual")]),
    ("每千人床位数、执业医师数分别增至7.83张、3.4人。", [
        ("7.83张", "每千人床位数", "value", "actual"),
        ("3.4人", "执业医师数", "value", "actual")]),
    ("全区小学、初中、高中分别有45所、12所、3所。", [
        ("45所", "小学", "value", "actual"), ("12所", "初中", "value", "actual"),
        ("3所", "高中", "value", "actual")]),
    ("纺织、建材、化工等行业增加值分别增长6.1%、4.4%、9.9%。", [
        ("6.1%", "纺织行业增加值增长", "growth", "actual"),
        ("4.4%", "建材行业增加值增长", "growth", "actual"),
        ("9.9%", "化工行业增加值增长", "growth", "actual")]),
    ("市属企业营业收入和利润分别增长7%和12.5%。", [
        ("7%", "市属企业营业收入增长", "growth", "actual"),
        ("12.5%", "利润增长", "growth", "actual")]),
    # more items than figures: no guessing, the head they share
    ("家电、汽车、家具零售额分别增长9%、11%。", [
        ("9%", "零售额增长", "growth", "actual"), ("11%", "零售额增长", "growth", "actual")]),
])
def test_lists_with_fenbie(text, expected):
    assert figures(text) == expected


# -- ranks ----------------------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("粮食总产量达到512亿斤，居全国第6位。", [
        ("512亿斤", "粮食总产量", "value", "actual"),
        ("第6位", "粮食总产量", "rank", "actual")]),
    ("全市工业增加值增幅位居全省第三。", [("第三", "工业增加值", "rank", "actual")]),
    ("省属企业营收和利润分别居全国第5、第6位。", [
        ("第5", "省属企业营收", "rank", "actual"), ("第6位", "利润", "rank", "actual")]),
    ("吉林化纤碳纤维量质齐升，产销量均跃升至全球第1位。", [("第1位", "产销量", "rank", "actual")]),
    ("GDP排名全省第三。", [("第三", "GDP排名", "rank", "actual")]),
])
def test_ranks(text, expected):
    assert figures(text) == expected
    assert {m.kind.value for m in reportmine.parse_text(text).metrics
            if m.text.startswith("第")} == {"rank"}


def test_ordinals_that_are_names_are_no_figures():
    assert figures("我市入选第二批国家试点，举办第十届运动会。") == []


def test_rank_value_is_the_place():
    doc = reportmine.parse_text("全市工业增加值增幅位居全省第三。")
    assert [(m.text, m.value) for m in doc.metrics] == [("第三", 3)]


@pytest.mark.parametrize("text", [
    "举办第十届全民运动会。", "第二批试点学校名单公布。", "第三次全国国土调查完成。",
])
def test_ordinals_that_are_names_stay_rejected(text):
    assert not [m for m in reportmine.parse_text(text).metrics if m.text.startswith("第")]


# -- Traditional script and Hong Kong usage -------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("在2027年3月底，財政儲備預計為9357億元。", [
        ("9357億元", "財政儲備", "value", "target")]),
    ("外貿總額按年上升6.2%。", [("6.2%", "外貿總額按年上升", "growth", "actual")]),
    ("政府本年度錄得盈餘312億元。", [("312億元", "盈餘", "value", "actual")]),
    ("建議向每名長者發放3000元。", [("3000元", "建議向每名長者發放", "value", "target")]),
    ("預算2026/27年度總開支：8120億元", [("8120億元", "總開支", "value", "target")]),
    ("醫院管理局經常撥款增7%。", [("7%", "醫院管理局經常撥款增", "growth", "actual")]),
])
def test_traditional_sentences(text, expected):
    assert figures(text) == expected


def test_a_clause_without_subject_is_about_the_topic_before_it():
    assert figures("提高薪俸稅免稅額，由現時13.2萬元增至14萬元。") == [
        ("13.2萬元", "薪俸稅免稅額", "baseline", "actual"),
        ("14萬元", "薪俸稅免稅額", "value", "actual")]


def test_a_budget_title_makes_its_measures_targets():
    text = ("【預算案】公共醫療撥款增至900億元\n\n"
            "財政司司長宣布，向醫院管理局額外撥款40億元，由現時5,000元增至8,000元。\n")
    got = [(m.text, m.modality.value) for m in reportmine.parse_text(text).metrics]
    assert got == [("900億元", "target"), ("40億元", "target"), ("5,000元", "actual"),
                   ("8,000元", "target")]


# -- modality from the clause's own cues ------------------------------------------------
@pytest.mark.parametrize("text,modality", [
    ("预计全年地区生产总值增长5.5%。", "target"),
    ("拟安排专项债券额度320亿元。", "target"),
    ("明年将新建保障性住房1.2万套。", "target"),
    ("今年一般公共预算支出预算数为860亿元。", "target"),
    ("全市已建成5G基站2.1万个。", "actual"),
    ("首季出口錄得8.5%升幅。", "actual"),
])
def test_modality_cues(text, modality):
    assert [m.modality.value for m in reportmine.parse_text(text).metrics] == [modality]


def test_tags_come_from_the_dictionary():
    from reportmine.attribution import Attributor
    from reportmine.rules import default_rules

    tok = Attributor(default_rules()).tok
    assert tok.tag("增长") == "v" and tok.tag("分别") == "d" and tok.tag("零售额") == "n"
