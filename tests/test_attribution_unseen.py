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


# -- what the sentence spoke of, and what a measure word counts --------------------------
@pytest.mark.parametrize("text,expected", [
    # a growth or a share whose clause names nothing is about the figure before it
    ("全年港口货物吞吐量完成5.6亿吨，同比增长4.1%。", [
        ("5.6亿吨", "港口货物吞吐量", "value", "actual"),
        ("4.1%", "港口货物吞吐量同比增长", "growth", "actual")]),
    ("全市研发经费支出达到320亿元，占地区生产总值2.8%。", [
        ("320亿元", "研发经费支出", "value", "actual"),
        ("2.8%", "研发经费支出占比", "share", "actual")]),
    ("外匯儲備預計為4200億元，相當於本地生產總值15%。", [
        ("4200億元", "外匯儲備", "value", "target"),
        ("15%", "外匯儲備占比", "share", "target")]),
    ("本年度非經常開支預算為520億元，按年增12億元，佔政府總開支9%。", [
        ("520億元", "本年度非經常開支預算", "value", "target"),
        ("12億元", "本年度非經常開支預算按年增", "change", "target"),
        ("9%", "本年度非經常開支預算占比", "share", "target")]),
    # a count without a noun counts what the count before it did; its bracket, a share
    ("全區共有中學48間，其中32間（66.7%）開辦職業課程。", [
        ("48間", "中學", "value", "actual"), ("32間", "中學", "value", "actual"),
        ("66.7%", "中學占比", "share", "actual")]),
    ("全区有小学36所，当中12所（33.3%）为寄宿制学校。", [
        ("36所", "小学", "value", "actual"), ("12所", "小学", "value", "actual"),
        ("33.3%", "小学占比", "share", "actual")]),
    # the noun after a short attribute and 的; the object of an action verb
    ("全港有逾3000名患有罕見病的兒童。", [("3000名", "兒童", "value", "actual")]),
    ("新一輪檢測涉及約18億元開支。", [("18億元", "開支", "value", "actual")]),
    # a total without its name takes the clause before
    ("今年共有210間學校獲發放津貼，總額達3.2億元。", [
        ("210間", "學校獲發放津貼", "value", "actual"),
        ("3.2億元", "發放津貼總額", "value", "actual")]),
    # a headline's phrases are parted by spaces; a figure opening one is about what follows
    ("### 預留$80億基建基金　$6億建數據中心", [
        ("$80億", "基建基金", "value", "actual"), ("$6億", "建數據中心", "value", "actual")]),
    ("居民消费价格涨幅3%左右。", [("3%", "居民消费价格涨幅", "growth", "actual")]),
    ("工业用电量和居民用电量分别增长6.5%左右和3.2%左右。", [
        ("6.5%", "工业用电量增长", "growth", "actual"),
        ("3.2%", "居民用电量增长", "growth", "actual")]),
])
def test_topic_and_counted_nouns(text, expected):
    assert figures(text) == expected


# -- baselines and the modality of a clause's own cues ----------------------------------
@pytest.mark.parametrize("text,expected", [
    ("人均可支配收入从2020年的31000元和15000元分别提高到38000元和19000元。", [
        ("31000元", "人均可支配收入", "baseline", "actual"),
        ("15000元", "人均可支配收入", "baseline", "actual"),
        ("38000元", "人均可支配收入", "value", "actual"),
        ("19000元", "人均可支配收入", "value", "actual")]),
    # the start of a change is where things stand, even in a plan's sentence
    ("建议将长者医疗券的受惠年龄由70岁降至65岁。", [
        ("70岁", "长者医疗券的受惠年龄", "baseline", "actual"),
        ("65岁", "长者医疗券的受惠年龄", "value", "target")]),
    # 计划 naming a scheme is no plan; 上星期, 早前 speak of the past
    ("上星期完成的清潔計劃，總開支為260萬元。", [("260萬元", "清潔總開支", "value", "actual")]),
    ("早前当局调整了起薪点，统一增加一个增薪点。", [
        ("一个", "增薪点增加", "change", "actual")]),
    ("政府計劃預留30億元。", [("30億元", "政府計劃預留", "value", "target")]),
    ("預計2027/28年將錄得58億元的綜合盈餘。", [("58億元", "綜合盈餘", "value", "target")]),
    # 至少 and 最多 qualify a figure; they are no change
    ("提供最多5億元資助。", [("5億元", "資助", "value", "actual")]),
])
def test_baselines_and_cues(text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("第一、第三产业增加值分别增长3.1%、5.1%。", [
        ("3.1%", "第一产业增加值增长", "growth", "actual"),
        ("5.1%", "第三产业增加值增长", "growth", "actual")]),
    ("装备制造业、高技术制造业增加值分别增长17.7%、17.6%。", [
        ("17.7%", "装备制造业增加值增长", "growth", "actual"),
        ("17.6%", "高技术制造业增加值增长", "growth", "actual")]),
    ("地方一般公共预算收入增长2.3%、支出首次超过7000亿元。", [
        ("2.3%", "地方一般公共预算收入增长", "growth", "actual"),
        ("7000亿元", "支出", "value", "actual")]),
    ("當中有學位、副學位人士的失業率，分別為4.1%、5.6%。", [
        ("4.1%", "失業率", "value", "actual"), ("5.6%", "失業率", "value", "actual")]),
    ("今年第二季失業率較第一季的4.2%增加2%，也較去年同期的2.9%上升。", [
        ("4.2%", "第二季失業率", "baseline", "actual"),
        ("2%", "第二季失業率增加", "growth", "actual"),
        ("2.9%", "第二季失業率較去年同期", "baseline", "actual")]),
    ("去年檢控個案共560宗，比前年少逾200宗。", [
        ("560宗", "檢控個案", "value", "actual"),
        ("200宗", "檢控個案比前年少", "change", "actual")]),
])
def test_lists_comparisons_and_topics(text, expected):
    assert figures(text) == expected


# -- statistical bulletins -------------------------------------------------------------
@pytest.mark.parametrize("text,expected", [
    ("城镇居民人均可支配收入45210元，比上年增长5.1%；农村居民人均可支配收入21030元，增长7.2%。", [
        ("45210元", "城镇居民人均可支配收入", "value", "actual"),
        ("5.1%", "城镇居民人均可支配收入比上年增长", "growth", "actual"),
        ("21030元", "农村居民人均可支配收入", "value", "actual"),
        ("7.2%", "农村居民人均可支配收入增长", "growth", "actual")]),
    ("年末全市户籍人口856.2万人，比上年末减少1.2万人。", [
        ("856.2万人", "户籍人口", "value", "actual"),
        ("1.2万人", "户籍人口比上年末减少", "change", "actual")]),
    ("全年粮食总产量412.5万吨，比上年增产2.3%。", [
        ("412.5万吨", "粮食总产量", "value", "actual"),
        ("2.3%", "粮食总产量比上年增产", "growth", "actual")]),
])
def test_statistical_bulletin_sentences(text, expected):
    assert figures(text) == expected


@pytest.mark.parametrize("text,expected", [
    # 当中/其余 reach back to what the count before them counted, even a sentence before
    ("《規例》訂明360種除害劑的最高殘餘限量，當中212種適用於穀類製品。"
     "中心只對當中105種進行測試，其餘107種未進行測試。", [
        ("360種", "除害劑", "value", "actual"), ("212種", "除害劑", "value", "actual"),
        ("105種", "除害劑", "value", "actual"), ("107種", "除害劑", "value", "actual")]),
    # a count followed by an award names what was won
    ("现场展示课例8节，其中3节获得了全国一等奖。", [
        ("8节", "现场展示课例", "value", "actual"), ("3节", "获得了全国一等奖", "value", "actual")]),
    # a percent of the group named after it is a share of it
    ("過往99%的水果及蔬菜樣本檢測結果均令人滿意。", [
        ("99%", "水果", "share", "actual")]),
    # a total named only as 数字 takes what the sentence spoke of
    ("上季的就業不足率為2.1%，而去年同期的數字則為1%。", [
        ("2.1%", "上季的就業不足率", "value", "actual"),
        ("1%", "上季的就業不足率而去年同期的數字", "value", "actual")]),
])
def test_parts_awards_and_shares(text, expected):
    assert figures(text) == expected


def test_a_change_column_names_what_the_other_columns_hold():
    text = ("| 行業 | 上季收入中位數 | 今季收入中位數 | 變化 |\n|---|---|---|---|\n"
            "| 製造 | 20000元 | 17500元 | -12.5% |\n")
    got = [(m.text, m.indicator, m.role.value, m.subject)
           for m in reportmine.parse_text(text).metrics]
    assert got == [("20000元", "上季收入中位數", "baseline", "製造"),
                   ("17500元", "今季收入中位數", "value", "製造"),
                   ("-12.5%", "收入中位數變化", "growth", "製造")]
