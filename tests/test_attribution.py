"""Attribution as tables of sentences → (indicator, modality, role, period)."""

import pytest

import reportmine


def attrs(text):
    return [(m.text, m.indicator, m.modality.value, m.role.value, m.period)
            for m in reportmine.parse_text(text).metrics]


@pytest.mark.parametrize("text,expected", [
    ("2023年，投入资金172.5万元，建设面积2247平方米，新增学位210个。", [
        ("172.5万元", "投入资金", "actual", "value", "2023"),
        ("2247平方米", "建设面积", "actual", "value", "2023"),
        ("210个", "新增学位", "actual", "value", "2023")]),
    ("目前已有14家公办学校，占比达到87.5％，超额完成2023年度占比80％的目标任务。", [
        ("14家", "公办学校", "actual", "value", ""),
        ("87.5％", "占比", "actual", "share", ""),
        ("80％", "占比", "target", "target", "2023")]),
])
def test_sentences(text, expected):
    assert attrs(text) == expected


def test_plan_part_makes_targets():
    text = ("工作总结\n一、上半年主要工作\n新建学校3所。\n二、下半年工作谋划\n"
            "新建学校5所，招聘教师20名。\n")
    got = [(m.text, m.modality.value) for m in reportmine.parse_text(text).metrics]
    assert got == [("3所", "actual"), ("5所", "target"), ("20名", "target")]


def test_period_from_the_title():
    doc = reportmine.parse_text("X区教育局2023年第三季度工作落实情况\n\n一、工作\n开展督查15次。\n")
    assert [(m.text, m.period) for m in doc.metrics] == [("15次", "2023Q3")]
