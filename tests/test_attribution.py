"""Attribution as tables of sentences → (indicator, modality, role, period, subject)."""

import pytest

import reportmine


def attrs(text):
    return [(m.text, m.indicator, m.modality.value, m.role.value, m.period)
            for m in reportmine.parse_text(text).metrics]


FISCAL = ("目前，教育财政投入完成38747万元，比上年同期31139万元增加7608万元，增长24.43％。"
          "教育财政投入完成38747万元，占上年总支出43827万元的88.41％，高于序时进度13.41个百分点。"
          "财政教育投入任务（44265万元）的完成度为87.53％，比序时进度高12.53个百分点。")


def test_fiscal_paragraph_roles():
    got = [(m.text, m.role.value, m.modality.value) for m in reportmine.parse_text(FISCAL).metrics]
    assert got == [
        ("38747万元", "value", "actual"), ("31139万元", "baseline", "actual"),
        ("7608万元", "change", "actual"), ("24.43％", "growth", "actual"),
        ("38747万元", "value", "actual"), ("43827万元", "baseline", "actual"),
        ("88.41％", "share", "actual"), ("13.41个百分点", "change", "actual"),
        ("44265万元", "target", "target"), ("87.53％", "completion", "actual"),
        ("12.53个百分点", "change", "actual"),
    ]


def test_fiscal_paragraph_in_sample_000(sample_docs):
    doc = next(d for d in sample_docs if d.doc.endswith("000_8962da1a5d06fb49.txt"))
    roles = {m.text: m.role.value for m in doc.metrics if "财政投入" in m.sentence
             or "财政教育投入任务" in m.sentence}
    assert roles == {"38747万元": "value", "31139万元": "baseline", "7608万元": "change",
                     "24.43％": "growth", "43827万元": "baseline", "88.41％": "share",
                     "13.41个百分点": "change", "44265万元": "target", "87.53％": "completion",
                     "12.53个百分点": "change", "5877万元": "change"}


@pytest.mark.parametrize("text,expected", [
    ("2023年，投入资金172.5万元，建设面积2247平方米，新增学位210个。", [
        ("172.5万元", "投入资金", "actual", "value", "2023"),
        ("2247平方米", "建设面积", "actual", "value", "2023"),
        ("210个", "新增学位", "actual", "value", "2023")]),
    ("目前已有14家具有独立法人资格的公办中小学校，占比达到87.5％，超额完成2023年度占比80％的目标任务。", [
        ("14家", "公办中小学校", "actual", "value", ""),
        ("87.5％", "占比", "actual", "share", ""),
        ("80％", "占比", "target", "target", "2023")]),
    ("开展宣讲报告会25场，900多名党员参与学习活动，共130余人参加培训。", [
        ("25场", "开展宣讲报告会", "actual", "value", ""),
        ("900多名", "党员", "actual", "value", ""),
        ("130余人", "参加培训", "actual", "value", "")]),
    ("其中统招17名、分招32名、音体美特长生10名。", [
        ("17名", "统招", "actual", "value", ""), ("32名", "分招", "actual", "value", ""),
        ("10名", "音体美特长生", "actual", "value", "")]),
    ("学校占地约70亩，包括篮球场、400米标准跑道及足球场。", [
        ("70亩", "学校占地", "actual", "value", ""), ("400米", "标准跑道", "actual", "value", "")]),
    ("启动我市中小学894名“人事代理”教师入编工作。", [
        ("894名", "人事代理教师入编", "actual", "value", "")]),
    ("外聘教研员每学期深入中小学调研指导不少于4次，每次不少于一周。", [
        ("4次", "深入中小学调研指导", "actual", "value", ""),
        ("一周", "深入中小学调研指导", "actual", "value", "")]),
    ("2022年，全区中考考生共182名，本科升学率52%，同比增长24%。", [
        ("182名", "中考考生", "actual", "value", "2022"),
        ("52%", "本科升学率", "actual", "value", "2022"),
        ("24%", "本科升学率同比增长", "actual", "growth", "2022")]),
    ("设计办学规模为36个教学班，目前，小学15个班，初中12个班。", [
        ("36个", "设计办学规模", "target", "value", ""),
        ("15个", "小学", "actual", "value", ""), ("12个", "初中", "actual", "value", "")]),
    ("计划招聘8名新教师，力争年内培训达到300—500人次。", [
        ("8名", "新教师", "target", "value", ""),
        ("300—500人次", "培训", "target", "value", "")]),
    ("面向全市8-18岁青少年开展体育竞技后备人才“选星计划”，我市共有23人进入省级训练营。", [
        ("8-18岁", "青少年", "actual", "value", ""), ("23人", "进入省级训练营", "actual", "value", "")]),
])
def test_sentences(text, expected):
    assert attrs(text) == expected


@pytest.mark.parametrize("text,subject", [
    ("投入资金357万元，对赵集中学、山后学校等13所学校的校舍进行维修改造。", "赵集中学、山后学校"),
    ("向李玉明等42名老党员教师送去关怀。", "李玉明"),
    ("新增学位210个。", ""),
])
def test_subject(text, subject):
    assert reportmine.parse_text(text).metrics[-1].subject == subject


def test_plan_part_makes_targets():
    text = ("工作总结\n一、上半年主要工作\n新建学校3所。\n二、下半年工作谋划\n"
            "新建学校5所，对现有10个名师工作室进行考核。\n")
    got = [(m.text, m.modality.value) for m in reportmine.parse_text(text).metrics]
    assert got == [("3所", "actual"), ("5所", "target"), ("10个", "actual")]


@pytest.mark.parametrize("title,period", [
    ("X区教育局2023年第三季度工作落实情况", "2023Q3"),
    ("市教育局2023年上半年工作总结", "2023H1"),
    ("市教育和体育局2024年工作安排", "2024"),
])
def test_period_from_the_title(title, period):
    doc = reportmine.parse_text(f"{title}\n\n一、工作\n开展督查15次。\n")
    assert [(m.text, m.period) for m in doc.metrics] == [("15次", period)]


# -- the tokenizer: jieba's dictionary cut, word for word -------------------------------
@pytest.fixture(scope="module")
def tokenizer():
    from reportmine.attribution import Attributor
    from reportmine.rules import default_rules

    return Attributor(default_rules()).tok


@pytest.mark.parametrize("text", [
    "全市一般公共预算收入完成", "比上年增长", "个百分点，占全区", "新增学位", "",
    "GDP增长5.2%", "AB 12 c\r\nd\t全年", "2023学年度第一学期", "“双减”政策落实",
    "中小学校（含幼儿园）", "招聘教师ABC123名", "+#&._%-", "①②③", "𠮷野家",
])
def test_tokenizer_cuts_as_jieba(tokenizer, text):
    assert tokenizer.cut(text) == list(tokenizer.jieba().cut(text, HMM=False))


def test_tokenizer_cuts_as_jieba_on_any_text(tokenizer, sample_docs):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    # Pieces of the samples' own sentences, so that dictionary words meet.
    sentences = [m.sentence for d in sample_docs for m in d.metrics][:400]
    pieces = st.sampled_from(sentences).flatmap(
        lambda s: st.tuples(st.integers(0, len(s)), st.integers(0, 20)).map(
            lambda t: s[t[0]:t[0] + t[1]]))
    extra = st.text(alphabet="的了和在AZaz09 \t\r\n.%-+#&_，。、（）", max_size=4)

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.one_of(pieces, extra), max_size=4).map("".join))
    def check(text: str) -> None:
        assert tokenizer.cut(text) == list(tokenizer.jieba().cut(text, HMM=False))

    check()
