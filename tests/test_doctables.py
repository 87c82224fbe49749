"""Tables in documents (doctables.find_tables): each source, the structure, the offsets.

Each case is a document written for the test (no data is copied from ../shared) and the
tables expected of it: source, rows × cols, header rows, label columns, parents, totals,
caption, unit and the text of some cells by (row, col). Every cell's offsets are checked
against the text: `text[start:end]`, Markdown emphasis aside, is the cell's content.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import pytest

from reportmine.clean import find_removals
from reportmine.doctables import FoundTable, find_tables
from reportmine.readers.base import Grid, TextBuilder
from reportmine.rules import RulesError, load_rules
from reportmine.view import View

from tests.conftest import ROOT, SAMPLES, shared_or_skip


def tables_of(text: str, rules, grids: Sequence[Grid] = ()) -> list[FoundTable]:
    view = View(text, [r.cut() for r in find_removals(text, rules)], rules.normalize)
    return find_tables(text, view, grids, rules)


def cell_text(text: str, table: FoundTable, row: int, col: int) -> str | None:
    """A cell's content as the caller reads it: text[start:end], ** and line breaks aside."""
    for c in table.cells:
        if (c.row, c.col) == (row, col):
            return " ".join(text[c.start:c.end].replace("**", "").split())
    return None


def span_text(text: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else text[span[0]:span[1]]


@dataclass
class Expected:
    source: str
    rows: int
    cols: int
    header_rows: int
    label_cols: int
    cells: dict[tuple[int, int], str]
    parents: dict[int, int] = field(default_factory=dict)   # rows that are parts
    totals: tuple[int, ...] = ()
    caption: str | None = None
    unit: str | None = None
    spans: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    unit_col: int | None = None


MARKDOWN = """\
---
title: 測試
---

# 防疫開支一覽

各項開支如下，詳見下表。


| **各輪基金數字** |  |  |
| --- | --- | --- |
|  | **預算開支** | **已發放   
 金額** |
| 第一輪 | 100億元 | 80億元 |
| 社區檢測計劃   
 （全民檢測） | 5.5億元 | / |
| **總數** | **105.5億元** | **80億元** |

表後的說明文字。
"""

HTML = """\
<!DOCTYPE html><html><head><title>统计</title><style>td{color:red}</style></head><body>
<div><p>表3 各区主要指标</p>
<table border="1"><caption>各区指标（单位：亿元）</caption>
<thead><tr><th rowspan="2">地区</th><th colspan="2">2023年</th></tr>
<tr><th>绝对数<th>增长%</tr></thead>
<tbody>
<tr><td>全市<td>100.5</td><td>3.2</td></tr>
<tr><td>&nbsp;&nbsp;其中：城区<td><b>60.1</b><td>2.0
<tr><td>郊区</td><td>40.4</td><td>4.1</td></tr>
</tbody></table>
<table><tr><td><table><tr><td>指标</td><td>数值</td></tr><tr><td>人口</td><td>25万人</td></tr>
</table></td></tr></table>
</div></body></html>
"""

SPACES = """\
二、主要指标

表1 2023年全市主要经济指标
单位：万元
指标名称        单位      绝对数       比上年增长%
地区生产总值    亿元      1329.65      4.0
  其中：第一产业  亿元    120.5        3.1
        第二产业  亿元    500.2        5.2
一般公共预算收入  亿元    88.1         6.0

全年经济运行总体平稳。
"""

TABS = ("表2 主要指标\n"
        "指标\t2023年\t\t2022年\n"
        "\t绝对数\t比上年增长%\t绝对数\t比上年增长%\n"
        "地区生产总值\t1329.65\t4.0\t1200.1\t3.0\n"
        "税收收入\t88.1\t6.0\t80\t2.0\n"
        "（单位：亿元）\n")

CASES: dict[str, tuple[str, list[Expected]]] = {
    "markdown: bold caption row, hard breaks in cells, total": (MARKDOWN, [Expected(
        "markdown", 4, 3, header_rows=1, label_cols=1, totals=(3,), caption="各輪基金數字",
        cells={(0, 1): "預算開支", (0, 2): "已發放 金額", (1, 0): "第一輪", (1, 1): "100億元",
               (2, 0): "社區檢測計劃 （全民檢測）", (2, 1): "5.5億元", (2, 2): "/",
               (3, 0): "總數", (3, 1): "105.5億元"})]),
    "html: rowspan, colspan, missing </td> and </tr>, nested table": (HTML, [
        Expected("html", 5, 3, header_rows=2, label_cols=1, parents={3: 2}, totals=(2,),
                 caption="各区指标（单位：亿元）", unit="单位：亿元",
                 spans={(0, 0): (2, 1), (0, 1): (1, 2)},
                 cells={(0, 0): "地区", (0, 1): "2023年", (1, 1): "绝对数", (1, 2): "增长%",
                        (2, 0): "全市", (3, 0): "其中：城区", (3, 1): "60.1", (3, 2): "2.0",
                        (4, 0): "郊区", (4, 2): "4.1"}),
        Expected("html", 2, 2, header_rows=1, label_cols=1,
                 cells={(0, 0): "指标", (1, 0): "人口", (1, 1): "25万人"})]),
    "text: aligned by spaces, 单位 line, 其中 and indented parts": (SPACES, [Expected(
        "text", 5, 4, header_rows=1, label_cols=2, parents={2: 1, 3: 1}, unit_col=1,
        caption="表1 2023年全市主要经济指标", unit="单位：万元",
        cells={(0, 0): "指标名称", (0, 3): "比上年增长%", (1, 0): "地区生产总值",
               (1, 2): "1329.65", (2, 0): "其中：第一产业", (3, 0): "第二产业", (3, 2): "500.2",
               (4, 0): "一般公共预算收入", (4, 3): "6.0"})]),
    "text: tabs, a year spanning 绝对数 and 比上年增长%": (TABS, [Expected(
        "text", 4, 5, header_rows=2, label_cols=1, caption="表2 主要指标", unit="单位：亿元",
        spans={(0, 0): (2, 1), (0, 1): (1, 2), (0, 3): (1, 2)},
        cells={(0, 0): "指标", (0, 1): "2023年", (0, 3): "2022年", (1, 1): "绝对数",
               (1, 2): "比上年增长%", (2, 0): "地区生产总值", (2, 4): "3.0", (3, 3): "80"})]),
    "text: a 表一 caption and a total row": (
        "表一 各县人口\n县名\t人口\n甲县\t12万人\n乙县\t8万人\n合计\t20万人\n", [Expected(
            "text", 4, 2, header_rows=1, label_cols=1, totals=(3,), caption="表一 各县人口",
            cells={(3, 0): "合计", (3, 1): "20万人"})]),
}

PROSE = {
    "sentences with tabs": "今年以来，全市经济\t稳中有进，地区生产总值增长5%。\n"
                           "工业增加值增长6%，\t投资增长8%，消费增长7%。\n",
    "sentences with double spaces": "一是  加快发展，增长10%。\n二是  深化改革，完成20项。\n"
                                    "三是  改善民生，新增就业1.2万人。\n",
    "a single aligned line": "地区生产总值    1329.65    4.0\n\n全年运行平稳。\n",
    "names aligned, no figures": "省长  张三\n副省长  李四\n秘书长  王五\n",
    "headlines split by full-width spaces": "预留100亿稳定基金　12亿建基因组中心\n"
                                            "额外50亿添置设备　4亿扩药物名册\n",
    "long cells": ("全年全市完成固定资产投资比上年增长百分之五点八其中基础设施投资和民间投资增长明显较快    1200\n"
                   "全年全市社会消费品零售总额比上年增长百分之六点二其中网上零售额和餐饮收入增长明显较快    800\n"),
    "a Markdown rule without a table": "正文\n\n---\n\n更多正文。\n",
}


def check(text: str, table: FoundTable, exp: Expected) -> None:
    assert (table.source, table.rows, table.cols) == (exp.source, exp.rows, exp.cols)
    assert (table.header_rows, table.label_cols) == (exp.header_rows, exp.label_cols)
    assert {r: p for r, p in enumerate(table.parents) if p is not None} == exp.parents
    assert table.totals == exp.totals
    assert span_text(text, table.caption) == exp.caption
    assert span_text(text, table.unit) == exp.unit
    assert table.unit_col == exp.unit_col
    for place, value in exp.cells.items():
        assert cell_text(text, table, *place) == value, place
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells
             if (c.rowspan, c.colspan) != (1, 1)}
    assert spans == exp.spans


@pytest.mark.parametrize("name", list(CASES))
def test_tables(rules, name):
    text, expected = CASES[name]
    tables = tables_of(text, rules)
    assert len(tables) == len(expected)
    for table, exp in zip(tables, expected):
        check(text, table, exp)


@pytest.mark.parametrize("name", list(PROSE))
def test_prose_is_no_table(rules, name):
    assert tables_of(PROSE[name], rules) == []


@pytest.mark.parametrize("name", list(CASES))
def test_cell_offsets_hold_the_content(rules, name):
    """Every cell: its offsets hold its content, no pipe, tag or white space around it;
    tables are sorted and apart, and their cells inside them."""
    text, _ = CASES[name]
    tables = tables_of(text, rules)
    for a, b in zip(tables, tables[1:]):
        assert a.end <= b.start
    for table in tables:
        for c in table.cells:
            s = text[c.start:c.end]
            assert table.start <= c.start < c.end <= table.end
            assert s == s.strip() and "|" not in s and "<" not in s and "\t" not in s


def test_grid_from_a_reader(rules):
    b = TextBuilder()
    b.paragraph("表4 分类情况")
    b.table([["类别", "2023年", ""], ["", "金额", "占比"], ["教育", "100", "10%"],
             ["卫生", "50", "5%"]], "docx", spans={(0, 1): (1, 2), (0, 0): (2, 1)})
    b.paragraph("单位：万元")
    read = b.result("docx", 0)
    tables = tables_of(read.text, rules, read.grids)
    assert len(tables) == 1      # the grid, not the same lines again as a text table
    check(read.text, tables[0], Expected(
        "docx", 4, 3, header_rows=2, label_cols=1, caption="表4 分类情况", unit="单位：万元",
        spans={(0, 0): (2, 1), (0, 1): (1, 2)},
        cells={(0, 1): "2023年", (1, 2): "占比", (2, 0): "教育", (3, 2): "5%"}))


def test_samples_have_no_table(rules):
    for path in sorted(SAMPLES.glob("*.txt")):
        assert tables_of(path.read_text(encoding="utf-8"), rules) == [], path.name


# The Markdown tables of two real articles: (rows, cols) of each, and some cells.
CORPUS = {
    "h13.txt": ([(6, 3), (4, 5), (7, 4), (9, 5), (9, 5)],
                {(0, 5, 0): "總數", (0, 5, 1): "1980億元", (1, 1, 0): "普及社區檢測計劃 （全民檢測）",
                 (1, 1, 4): "16,562,500元", (1, 2, 1): "1.83億元 （截至9月17日）",
                 (3, 4, 1): "562,344"}),
    "h14.txt": ([(9, 3), (8, 3), (9, 4)],
                {(0, 2, 0): "建造", (0, 2, 2): "11.2%", (2, 1, 3): "-12.5%",
                 (2, 8, 0): "其他行業", (2, 8, 2): "23700元"}),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_corpus_markdown_tables(rules, name):
    text = shared_or_skip("corpus", name).read_text(encoding="utf-8")
    shapes, cells = CORPUS[name]
    tables = tables_of(text, rules)
    assert [(t.rows, t.cols) for t in tables] == shapes
    assert all(t.source == "markdown" and t.caption is not None for t in tables)
    for (k, row, col), value in cells.items():
        assert cell_text(text, tables[k], row, col) == value


def test_rules_are_validated(tmp_path):
    (tmp_path / "tables.toml").write_text("[rows]\nnumeric = '(unclosed'\n", encoding="utf-8")
    with pytest.raises(RulesError, match="tables.toml"):
        load_rules(overlay=tmp_path, base=ROOT / "patterns")


KIB, MIB = 1024, 1024 * 1024
# Hostile shapes: 1 MiB of degenerate markup costs next to nothing; real tables (tens of
# thousands of rows, ~15 µs each) are built in linear time: tested at 256 KiB with a
# generous bound, as in test_linear_time.
HOSTILE = {
    "pipes": ("|" * MIB, 1.0),
    "tabs": ("\t" * MIB, 1.0),
    "td tags": ("<td>" * (MIB // 4), 1.0),
    "table tags": ("<table>" * (MIB // 7), 3.0),
    "rule rows": ("| --- | --- |\n" * (MIB // 14), 5.0),
    "huge spans": ("<table><tr>" + "<td rowspan=99 colspan=99>1" * (MIB // 28), 5.0),
    "pipe rows": ("| a | 1 |\n| --- | --- |\n" + "| x | 1 |\n" * (256 * KIB // 10), 30.0),
    "tab rows": ("a\t1\n" * (256 * KIB // 4), 30.0),
    "space rows": ("a  1\n" * (256 * KIB // 5), 30.0),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_linear_time(rules, name):
    text, bound = HOSTILE[name]
    view = View(text, [r.cut() for r in find_removals(text, rules)], rules.normalize)
    t0 = time.perf_counter()
    find_tables(text, view, [], rules)
    elapsed = time.perf_counter() - t0
    assert elapsed < bound, f"{name}: {elapsed:.2f}s"
