"""The segmenter as tables of heading snippets → level, marker, title; and negatives."""

import pytest

import reportmine


def outline(text):
    return [(s.level, s.marker, s.title) for s in reportmine.parse_text(text).sections]


@pytest.mark.parametrize("text,expected", [
    ("标题\n一、坚持党建引领。助推教育高质量发展。\n一是强化理论武装。\n二、坚持五育并举\n正文。",
     [(1, "一、", "坚持党建引领。助推教育高质量发展。"), (1, "二、", "坚持五育并举")]),
    ("标题\n五\u2002、坚持教育服务民生\n正文。",
     [(1, "五\u2002、", "坚持教育服务民生")]),
    ("标题\n一、上半年主要工作\n（一）强基础，夯实发展基石。一是加强党的建设。\n（二）促改革。二是推进。",
     [(1, "一、", "上半年主要工作"), (2, "（一）", "强基础，夯实发展基石"), (2, "（二）", "促改革")]),
    ("标题\n一、2023年工作总结\n(一)坚持党建引领。\n1.全面加强党的建设。深入学习贯彻党的二十大精神,坚持党建工作例会制度。\n"
     "2.扎实开展主题教育。局党委坚决贯彻落实市委决策部署,精心制定方案。\n"
     "(二)2024年工作安排\n(一)党的建设方面。推进中小学校党组织领导的校长负责制,实现完成率100%。",
     [(1, "一、", "2023年工作总结"), (2, "(一)", "坚持党建引领。"), (3, "1.", "全面加强党的建设"),
      (3, "2.", "扎实开展主题教育"), (1, "(二)", "2024年工作安排"), (2, "(一)", "党的建设方面")]),
    ("总结 一年来工作推进。 一、党建引领开展凸显新成效 1.基层党建不断深入。加强党的思想建设、组织建设和作风建设。"
     " 2.党风廉政不断提升。下发党风廉政建设主体责任和监督责任清单,全系统增设纪检委员,进一步压实工作职责。",
     [(1, "一、", "党建引领开展凸显新成效"), (2, "1.", "基层党建不断深入"), (2, "2.", "党风廉政不断提升")]),
])
def test_headings(text, expected):
    assert outline(text) == expected


@pytest.mark.parametrize("text", [
    "标题\n其中一、二级普惠园25所，占比30.8%。",
    "标题\n一是强化理论武装。二是扎实开展主题教育。",
    "标题\n建立唯一、连续的心理成长档案。",
    "标题\n全县共有学校12所。\n3.5万名学生参加。",
])
def test_not_headings(text):
    assert outline(text) == []


def test_a_lost_heading_leaves_a_gap():
    text = ("标题\n一、工作回顾\n（一）经济运行稳中有进。\n正文。\n（二）产业发展提质增效。\n正文。\n"
            "（四）城乡发展更趋协调。\n正文。\n")
    assert [(lv, m) for lv, m, _ in outline(text)] == [(1, "一、"), (2, "（一）"), (2, "（二）"),
                                                      (2, "（四）")]


def test_notes_after_the_report_are_an_appendix():
    text = ("标题\n一、工作安排\n（一）扩大内需。坚持惠民生和促消费，促进投资和消费良性互动。\n附件\n《政府工作报告》有关内容名词注释\n"
            "1.“2030启航计划”：面向2030年的科技专项计划。\n2.“三通一码”：赣服通、赣政通。\n"
            "3.2026年10件民生实事：加大重点群体就业创业支持。\n")
    doc = reportmine.parse_text(text)
    assert [(s.level, s.path, s.title, s.part) for s in doc.sections] == [
        (1, "一", "工作安排", "plan"), (2, "一/（一）", "扩大内需", "plan"),
        (1, "附", "《政府工作报告》有关内容名词注释", "appendix"),
        (2, "附/1", "“2030启航计划”", "appendix"), (2, "附/2", "“三通一码”", "appendix"),
        (2, "附/3", "2026年10件民生实事", "appendix")]
    assert [(m.text, m.section) for m in doc.metrics] == [("10件", "附/3")]


def test_title_and_paths():
    doc = reportmine.parse_text("市教育局2023年工作总结\n\n一、主要工作\n（一）强基础。新增学位210个。\n")
    assert doc.title == "市教育局2023年工作总结"
    assert [s.path for s in doc.sections] == ["一", "一/（一）"]
    m = doc.metrics[0]
    assert (m.section, m.heading) == ("一/（一）", "强基础")


def test_body_spans_nest(sample_docs):
    for doc in sample_docs:
        for s in doc.sections:
            assert s.start < s.end <= s.body_start <= s.body_end <= len(doc.text)
            assert doc.text[s.start:s.end].startswith(s.marker)
