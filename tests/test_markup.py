"""Markup: HTML, XML, JSP, entities, front matter and Markdown leave their text, at its
original offsets, and nothing else."""

from __future__ import annotations

import pytest

import reportmine
from reportmine.clean import find_removals
from reportmine.view import View

FRONT = "---\ntitle: 示例\n---\n"   # front matter: the document is read as Markdown


def cleaned(text: str, rules) -> str:
    """The cleaned text (original characters) with white space runs as one space."""
    return " ".join(View(text, find_removals(text, rules), {}).raw.split())


def removed(text: str, rules) -> list[tuple[str, str]]:
    return [(text[f.start:f.end], f.rule) for f in find_removals(text, rules)]


@pytest.mark.parametrize("text,expected", [
    ("<p>投入资金100万元。</p><p>新建学校3所。</p>", "投入资金100万元。 新建学校3所。"),
    ("全年共<b>100</b>元", "全年共100元"),
    ("第一段<br>第二段<br/>第三段", "第一段 第二段 第三段"),
    ("<tr><td>学校</td><td>12所</td></tr>", "学校 12所"),
    ('<div class="w100" style="width:962px" onclick="go(621523)">收入8万元</div>', "收入8万元"),
    ("甲<!-- 注释 2023 -->乙", "甲乙"),
    ("<%-- Date: 2018/10/30 --%>正文内容", "正文内容"),
    ('<%@ page contentType="text/html;charset=UTF-8" %>\n正文内容', "正文内容"),
    ('<a href="<%=appPath%>/list?id=12">部门简介</a>', "部门简介"),
    ("<script>var total = 100;</script>正文内容", "正文内容"),
    ("<style>\n.box{width:962px;padding:18px 8px}\n</style>正文内容", "正文内容"),
    ("<!DOCTYPE html><html><body>正文内容</body></html>", "正文内容"),
    ('<?xml version="1.0" encoding="UTF-8"?><doc>正文内容</doc>', "正文内容"),
    ('<jsp:include page="../base/header.jsp"/>正文内容', "正文内容"),
    ('<figure>\n<img src="https://example.org/2018/04/pic_20180425_132e.jpg" alt="">\n'
     "<figcaption>全市有4所学校。</figcaption>\n</figure>", "全市有4所学校。"),
    ("增长20%<sup>[1]</sup>。", "增长20%[1]。"),
    # not markup: comparison signs and Chinese book-title brackets stay
    ("增速<5%，规模>3亿元", "增速<5%，规模>3亿元"),
    ("《关于<加强管理>的通知》", "《关于<加强管理>的通知》"),
    ("甲 < 乙", "甲 < 乙"),
    ("<!-- 没有结束的注释 100元", "<!-- 没有结束的注释 100元"),
])
def test_html_markup_goes_and_its_text_stays(rules, text, expected):
    assert cleaned(text, rules) == expected


@pytest.mark.parametrize("text,view,rule", [
    ("人数&nbsp;120人", "人数\xa0120人", "html-entity"),
    ("甲&amp;乙", "甲&乙", "html-entity"),
    ("&#20154;数", "人数", "html-entity"),
    ("甲<U+00A0>乙", "甲\xa0乙", "r-unicode-escape"),
])
def test_an_entity_stands_for_one_character(rules, text, view, rule):
    found = find_removals(text, rules)
    assert View(text, found, {}).raw == view
    assert [f.rule for f in found] == [rule]


def test_an_entity_keeps_the_offsets_of_a_quantity():
    text = "<p>全年投入资金&nbsp;120万元，新建学校&ensp;3所。</p>"
    doc = reportmine.parse_text(text)
    assert [(m.text, str(m.value)) for m in doc.metrics] == [("120万元", "1200000"), ("3所", "3")]
    assert all(text[m.start:m.end] == m.text for m in doc.metrics)


def test_block_tags_keep_sentences_apart_inline_tags_join(rules):
    text = "<div>全区学校12所</div><div>教师300名</div>共<b>5</b>个"
    assert View(text, find_removals(text, rules), {}).raw == "\n全区学校12所\n\n教师300名\n共5个"


def test_front_matter_goes(rules):
    text = "---\ntitle: 报告 2023\nuuid: bf45c22a-4090-428b\ndate: 2020-04-30 15:30:00\n---\n\n正文共10所。"
    assert removed(text, rules) == [(text[:text.index("\n\n")], "front-matter")]
    assert cleaned(text, rules) == "正文共10所。"


def test_front_matter_needs_its_closing_fence(rules):
    text = "---\n不是前言\n正文共10所。"
    assert cleaned(text, rules) == "--- 不是前言 正文共10所。"


@pytest.mark.parametrize("text,expected", [
    ("# 标题一\n## 小标题\n正文内容", "标题一 小标题 正文内容"),
    ("##   \n 预计盈余", "预计盈余"),
    ("投入**100**元", "投入100元"),
    ("失业率为***6.3%***", "失业率为6.3%"),
    ("*此处的数据相信有误*", "此处的数据相信有误"),
    ("**- 年度盈余：928亿元**", "年度盈余：928亿元"),
    ("详见[年度报告](https://example.org/%E5%8D%97%E6%96%B9-2019.pdf)。", "详见年度报告。"),
    ("流 [失率达5.8%](https://example.org/a(1)) 的新高", "流 失率达5.8% 的新高"),
    ("![配图](https://example.org/img/2020/12/a_1d2b.png)正文内容", "正文内容"),
    ("来源 <https://example.org/article/36877>", "来源"),
    ("[1]: https://example.org/2019/notes", ""),
    ("| 项目 | 金额 |\n| --- | ---: |\n| 第一轮 | 300亿元 |", "项目 金额 第一轮 300亿元"),
    ("| **平均成本   \n 每宗** | 297元 |", "平均成本 每宗 297元"),
    ("- 宽减75%的薪俸税\n* 上限为2万元\n+ 另一项", "宽减75%的薪俸税 上限为2万元 另一项"),
    ("> 引用的一段话", "引用的一段话"),
    ("**\\[1\\]** 注释", "[1] 注释"),
    ("公式为`经费/人数`", "公式为经费/人数"),
    ("正文内容\n\n---\n\n页脚", "正文内容 页脚"),
    ("~~删除~~保留", "删除保留"),
])
def test_markdown_marks_go_and_their_text_stays(rules, text, expected):
    assert cleaned(FRONT + text, rules) == expected


def test_plain_text_is_not_read_as_markdown(rules):
    # In a report, * and ** mask digits: *个民办学校, **市教育局.
    text = "为*个民办学校选派书记；迎接**市教育局的验收；- 另起一行"
    assert find_removals(text, rules) == []


def test_two_markdown_signals_make_a_markdown_document(rules):
    text = "# 标题\n\n详见[报告](https://example.org/a.pdf)，投入**100**元。"
    assert cleaned(text, rules) == "标题 详见报告，投入100元。"


def test_markdown_quantities_keep_original_offsets():
    text = FRONT + "| 行业 | 失业率 |\n| --- | --- |\n| 建造 | ***11.2%*** |\n\n投入**100**元。"
    doc = reportmine.parse_text(text)
    assert [(m.text, str(m.value)) for m in doc.metrics] == [("11.2%", "11.2"), ("100**元", "100")]
    assert all(text[m.start:m.end] == m.text for m in doc.metrics)
