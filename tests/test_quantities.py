"""The extractor as a table of cases: text → (span, kind, value, value_max, unit, approx,
masked). Cases that must yield nothing are listed with an empty expectation."""

import pytest

from reportmine import extract_quantities
from reportmine.numbers import canonical

# (text, [(span, kind, value, value_max, unit, approx, masked), ...])
CASES = [
    ("投入资金172.5万元，改建幼儿园", [("172.5万元", "money", "1725000", "", "元", None, False)]),
    ("共投入资金3.8亿元", [("3.8亿元", "money", "380000000", "", "元", None, False)]),
    ("清退违规收费12023900元", [("12023900元", "money", "12023900", "", "元", None, False)]),
    ("共同投资1800万余元，建立", [("1800万余元", "money", "18000000", "", "元", "over", False)]),
    ("占比达到87.5％，超额完成", [("87.5％", "percent", "87.5", "", "%", None, False)]),
    ("同比增长-19.4%。", [("-19.4%", "percent", "-19.4", "", "%", None, False)]),
    ("高于序时进度13.41个百分点", [("13.41个百分点", "pp", "13.41", "", "个百分点", None, False)]),
    ("提高2.4个百分點", [("2.4个百分點", "pp", "2.4", "", "个百分点", None, False)]),
    ("宣讲报告会25场，900多名党员参与", [
        ("25场", "count", "25", "", "场", None, False),
        ("900多名", "count", "900", "", "名", "over", False)]),
    ("共130余人参加培训", [("130余人", "count", "130", "", "人", "over", False)]),
    ("新增学位210个，托位40个。", [
        ("210个", "count", "210", "", "个", None, False), ("40个", "count", "40", "", "个", None, False)]),
    ("为全市近2.9万名同学", [("2.9万名", "count", "29000", "", "名", "nearly", False)]),
    ("首日共有4.2万余名中小学生", [("4.2万余名", "count", "42000", "", "名", "over", False)]),
    ("两口计算机教室", [("两口", "count", "2", "", "口", None, False)]),
    ("xx小学等三所配建学校", [("三所", "count", "3", "", "所", None, False)]),
    ("共有144 個樣本", [("144 個", "count", "144", "", "個", None, False)]),
    ("建设面积2247平方米", [("2247平方米", "measure", "2247", "", "平方米", None, False)]),
    ("学校占地约70亩", [("70亩", "measure", "70", "", "亩", "about", False)]),
    ("完成健身步道37余公里", [("37余公里", "measure", "37", "", "公里", "over", False)]),
    ("竞聘比例为36:1，人才", [("36:1", "ratio", "36", "", "", None, False)]),
    ("综合差异系数为0.2740，初中", [("0.2740", "number", "0.274", "", "", None, False)]),
    ("中考成绩全盟排位19名，前进了两个位次", [
        ("19名", "rank", "19", "", "名", None, False), ("两个", "count", "2", "", "个", None, False)]),
    ("男子组荣获第二名", [("第二名", "rank", "2", "", "名", None, False)]),
    ("年内培训达到300—500人次", [("300—500人次", "count", "300", "500", "人次", None, False)]),
    ("成立县区级社区学习中心2-3所", [("2-3所", "count", "2", "3", "所", None, False)]),
    ("选派3—5名校长后备干部", [("3—5名", "count", "3", "5", "名", None, False)]),
    ("预计两到三万元", [("两到三万元", "money", "20000", "30000", "元", None, False)]),
    ("共4至5萬個", [("4至5萬個", "count", "40000", "50000", "個", None, False)]),
    ("参与率保持在90%以上", [("90%", "percent", "90", "", "%", "over", False)]),
    ("保障不少于20%的幼儿园", [("20%", "percent", "20", "", "%", "at_least", False)]),
    ("规模占比控制在*％以内", [("*％", "percent", "", "", "%", "at_most", True)]),
    ("为*个民办学校党组织选派", [("*个", "count", "", "", "个", None, True)]),
    ("*万余人次参与线上学习", [("*万余人次", "count", "", "", "人次", "over", True)]),
    ("发放助学贷款共……万元，惠及", [("……万元", "money", "", "", "元", None, True)]),
    ("百分之五十一的选民", [("百分之五十一", "percent", "51", "", "%", None, False)]),
    ("约有四分之一", [("四分之一", "percent", "25", "", "%", "about", False)]),
    ("钢产量增长一点四倍", [("一点四倍", "multiple", "1.4", "", "倍", None, False)]),
    ("经常撥款增8%至$688億", [
        ("8%", "percent", "8", "", "%", None, False),
        ("$688億", "money", "68800000000", "", "港元", None, False)]),
    ("中学以三年为一个周期", [("三年", "measure", "3", "", "年", None, False)]),
    ("每所示范学校10万元的奖励资金", [("10万元", "money", "100000", "", "元", None, False)]),
    ("职教中心41（含双师型21）人。", [
        ("41", "count", "41", "", "人", None, False), ("21", "count", "21", "", "人", None, False)]),
    ("已入学751人、缓学9人,未入学4,适龄", [
        ("751人", "count", "751", "", "人", None, False), ("9人", "count", "9", "", "人", None, False),
        ("4", "count", "4", "", "人", None, False)]),
]

NOTHING = [
    "2023年第三季度", "7月5日，在区全民健身中心", "草拟《铜陵市2022—2030年加大财政教育投入》",
    "按照第二批次主题教育的相关要求", "庆祝第39个教师节", "学习贯彻党的二十大精神",
    "坚持“五育并举”", "推进“双减”政策", "巩固校园“三防”建设", "建好用好“五个100％”",
    "进一步扩大1+X制度", "高考“3+1+2”模式", "（X〔2023〕X号）", "新建九年一贯制学校",
    "学前教育三年入园率", "为十年来峰值", "建成了一批。", "一次性合格率为", "全省唯一一家",
    "共同关注每一个孩子", "中华民族一家亲", "实行一周一调度、一月一总结", "一场两门早晚两开",
    "一课一名师", "中央电视1台", "全区中考6a人数", "二本以上录取", "其中一本过线",
    "第二幼儿园二期扩建工程", "做一名有理想的人民教师", "*路小学新建项目",
    "**市教育局", "“6.10纪念毛主席题词71周年”", "第十五个“8.8全民健身日”", "10月10日至14日",
    "发布时间:2024-10-02 05:23", "一、二级普惠园", "把开展读书活动作为一件大事来抓",
    "交出了一份可圈可点的答卷", "xx支教工作", "(六)队伍建设方面",
]


def _row(m):
    return (m.text, m.kind.value, canonical(m.value), canonical(m.value_max), m.unit,
            m.approx.value if m.approx else None, m.masked)


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:16] for c in CASES])
def test_extract(text, expected):
    got = [_row(m) for m in extract_quantities(text)]
    assert got == expected


@pytest.mark.parametrize("text", NOTHING)
def test_extracts_nothing(text):
    assert [m.text for m in extract_quantities(text)] == []


def test_offsets_are_into_the_string():
    s = "目前，教育财政投入完成38747万元，比上年同期31139万元增加7608万元。"
    for m in extract_quantities(s):
        assert s[m.start:m.end] == m.text
