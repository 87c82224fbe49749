"""Page furniture of paged documents: running headers, footers, page numbers and the
page breaks that cut sentences, removed by the cleaner and recorded."""

from __future__ import annotations

import pytest

from reportmine.pipeline import Pipeline
from reportmine.readers.base import TextBuilder


def _paged(pages: list[list[str]]) -> tuple[str, tuple[int, ...]]:
    b = TextBuilder()
    for lines in pages:
        b.page_break()
        for line in lines:
            b.paragraph(line)
    r = b.result("pdf", 0)
    return r.text, r.pages


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline()


def _removed(doc, text):
    return [(text[r.start:r.end], r.reason, r.rule) for r in doc.removals]


REPORT = [
    ["某市2023年统计公报", "一、综合", "全市常住人口¹1761.48万人。", "— 1 —"],
    ["某市2023年统计公报", "全年地区生产总值增长5.2%，规模以上工业增加值", "— 2 —"],
    ["某市2023年统计公报", "增长6.1%。", "二、农业", "粮食产量100万吨。", "— 3 —"],
]


def test_headers_footers_and_page_numbers_go(pipe):
    text, pages = _paged(REPORT)
    doc = pipe.parse_text(text, "r.pdf", pages=pages, format="pdf")
    removed = [r for r in _removed(doc, text) if r[2] != "page-break-join"]
    assert removed == [
        ("¹", "footnote_mark", "superscript-mark"),
        ("— 1 —", "page_furniture", "page-number"),
        ("某市2023年统计公报", "page_furniture", "running-header"),
        ("— 2 —", "page_furniture", "page-number"),
        ("某市2023年统计公报", "page_furniture", "running-header"),
        ("— 3 —", "page_furniture", "page-number"),
    ]
    assert doc.title == "某市2023年统计公报"  # on the first page it is the title
    assert [(m.text, m.page) for m in doc.metrics] == [
        ("1761.48万人", 1), ("5.2%", 2), ("6.1%", 3), ("100万吨", 3)]
    assert doc.metrics[0].value == 17614800  # the mark is not a digit of it


def test_a_sentence_cut_by_a_page_break_is_one_sentence(pipe):
    text, pages = _paged(REPORT)
    doc = pipe.parse_text(text, "r.pdf", pages=pages, format="pdf")
    growth = doc.metrics[2]
    assert growth.sentence == "全年地区生产总值增长5.2%，规模以上工业增加值增长6.1%。"
    joins = [r for r in doc.removals if r.rule == "page-break-join"]
    assert joins and all(text[r.start:r.end].isspace() for r in joins)
    assert doc.pages == 3 and [(s.title, s.page) for s in doc.sections] == [
        ("综合", 1), ("农业", 3)]


def test_a_page_ending_a_sentence_is_not_joined(pipe):
    text, pages = _paged([["第一页正文结束。", "第1页 共2页"], ["二、下一节", "第2页 共2页"]])
    doc = pipe.parse_text(text, "r.pdf", pages=pages, format="pdf")
    assert [(text[r.start:r.end], r.rule) for r in doc.removals] == [
        ("第1页 共2页", "page-number"), ("第2页 共2页", "page-number")]


def test_a_heading_on_the_next_page_is_not_joined(pipe):
    text, pages = _paged([["正文没有句号", "- 1 -"], ["（一）下一节", "- 2 -"]])
    doc = pipe.parse_text(text, "r.pdf", pages=pages, format="pdf")
    assert all(r.rule != "page-break-join" for r in doc.removals)


def test_bare_numbers_count_with_the_pages(pipe):
    # Printed page numbers start at 3 (a cover and a contents page unnumbered).
    pages = [["封面"], ["目录"]] + [[f"正文第{k}页的内容。", str(k + 3)] for k in range(4)]
    text, starts = _paged(pages)
    doc = pipe.parse_text(text, "r.pdf", pages=starts, format="pdf")
    gone = [text[r.start:r.end] for r in doc.removals if r.rule == "page-number"]
    assert gone == ["3", "4", "5", "6"]


def test_a_number_that_does_not_count_up_stays(pipe):
    text, pages = _paged([["新增学位", "210"], ["新增托位", "40"]])
    doc = pipe.parse_text(text, "r.pdf", pages=pages, format="pdf")
    assert [r for r in doc.removals if r.rule != "page-break-join"] == []


def test_body_lines_repeating_inside_the_page_stay(pipe):
    # A repeated line in the middle of pages is not furniture, only at their edges.
    words = ["教育", "卫生", "交通"]
    pages = [[f"{w}{k}" for k in "甲乙丙"] + ["本页小结：完成"] + [f"{w}{k}" for k in "丁戊己"]
             for w in words]
    text, starts = _paged(pages)
    doc = pipe.parse_text(text, "r.pdf", pages=starts, format="pdf")
    assert all("本页小结" not in text[r.start:r.end] for r in doc.removals
               if r.reason == "page_furniture")


def test_table_rows_at_page_tops_are_left_to_the_table_stage(pipe):
    pages = [["指标\t数值", "产量\t100", "— 1 —"], ["指标\t数值", "面积\t200", "— 2 —"]]
    text, starts = _paged(pages)
    doc = pipe.parse_text(text, "r.pdf", pages=starts, format="pdf")
    assert [text[r.start:r.end] for r in doc.removals] == ["— 1 —", "— 2 —"]


def test_text_without_pages_keeps_everything_but_marks(pipe):
    text = "某市2023年统计公报\n— 1 —\n面积2000km²，常住人口²100万人。\n"
    doc = pipe.parse_text(text, "r.txt")
    assert [(text[r.start:r.end], r.reason) for r in doc.removals] == [("²", "footnote_mark")]
    assert "km²" in doc.metrics[0].sentence  # an exponent is no footnote mark
