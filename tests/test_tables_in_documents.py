"""Tables in documents, end to end: each numeric cell a figure with its row, column,
unit, indicator and period; tables.csv; the audit of totals. One case per kind of table."""

from __future__ import annotations

from decimal import Decimal

import pytest

import reportmine


def _cells(doc):
    return [(m.text, m.kind.value, m.value, m.unit, m.indicator, m.period, m.role.value,
             m.table, m.row, m.col) for m in doc.metrics if m.table is not None]


MARKDOWN = """---
title: 防疫开支
---

## 基金数字

| **四轮防疫抗疫基金数字** |  |  |
| --- | --- | --- |
|  | **预算开支** | **实际发放金额** |
| 第一轮 | 300亿元 | 227亿元 |
| 第二轮   
 （追加） | 1375亿元 | 1045亿元 |
| **总数** | **1675亿元** | **1272亿元** |

全年发放1272亿元。
"""


def test_markdown_table_with_bold_and_in_cell_breaks():
    doc = reportmine.parse_text(MARKDOWN)
    assert [(t.rows, t.cols, t.caption, t.source) for t in doc.tables] == [
        (4, 3, "四轮防疫抗疫基金数字", "markdown")]  # the bold first row is its caption
    assert _cells(doc) == [
        ("300亿元", "money", Decimal("30000000000"), "元", "预算开支", "", "target", 1, 1, 1),
        ("227亿元", "money", Decimal("22700000000"), "元", "实际发放金额", "", "value", 1, 1, 2),
        ("1375亿元", "money", Decimal("137500000000"), "元", "预算开支", "", "target", 1, 2, 1),
        ("1045亿元", "money", Decimal("104500000000"), "元", "实际发放金额", "", "value", 1, 2,
         2),
        ("1675亿元", "money", Decimal("167500000000"), "元", "预算开支", "", "target", 1, 3, 1),
        ("1272亿元", "money", Decimal("127200000000"), "元", "实际发放金额", "", "value", 1, 3,
         2),
    ]
    assert [m.subject for m in doc.metrics if m.table][:3] == ["第一轮", "第一轮", "第二轮"]
    # The prose figure after the table is a figure of its own (two statements).
    assert [m.text for m in doc.metrics if m.table is None] == ["四轮", "1272亿元"]  # caption, prose
    totals = [c for c in doc.checks if c.check == "table_totals"]
    assert [(c.status.value, c.expected) for c in totals] == [
        ("ok", Decimal("167500000000")), ("ok", Decimal("127200000000"))]


HTML = """<html><head><meta charset="utf-8"></head><body>
<p>表2 各区户籍人口</p>
<table>
<tr><th rowspan="2">地区</th><th colspan="2">2023年</th></tr>
<tr><th>户籍人口（万人）<th>比上年增长(%)</th></tr>
<tr><td>福田区</td><td>124.88</td><td>2.1</td></tr>
<tr><td>罗湖区<td>73.40</td><td>—</td></tr>
</table></body></html>"""


def test_html_table_with_rowspan_colspan_and_a_missing_end_tag():
    doc = reportmine.parse_text(HTML)
    assert [(t.rows, t.cols, t.header_rows, t.source) for t in doc.tables] == [
        (4, 3, 2, "html")]
    assert _cells(doc) == [
        ("124.88", "count", Decimal("1248800.00"), "人", "户籍人口", "2023", "value", 1, 2, 1),
        ("2.1", "percent", Decimal("2.1"), "%", "比上年增长", "2023", "growth", 1, 2, 2),
        ("73.40", "count", Decimal("734000.00"), "人", "户籍人口", "2023", "value", 1, 3, 1),
    ]
    assert [m.subject for m in doc.metrics] == ["福田区", "福田区", "罗湖区"]
    assert [(r.text, r.reason) for r in doc.rejections if r.rule == "table-empty-cell"] == [
        ("—", "other")]


PLAIN = """某县2023年财政收支情况

表1 一般公共预算收支
单位：万元
项目            预算数        执行数
一般公共预算收入      38747        31139
  其中：税收收入      25000        21000
一般公共预算支出      52000        49870

全年财政运行平稳。
"""


def test_space_aligned_table_under_a_unit_line():
    doc = reportmine.parse_text(PLAIN)
    assert [(t.rows, t.cols, t.caption, t.unit, t.source) for t in doc.tables] == [
        (4, 3, "表1 一般公共预算收支", "单位：万元", "text")]
    assert [(c[0], c[1], c[2], c[3], c[4], c[6]) for c in _cells(doc)] == [
        ("38747", "money", Decimal("387470000"), "元", "一般公共预算收入", "target"),
        ("31139", "money", Decimal("311390000"), "元", "一般公共预算收入", "value"),
        ("25000", "money", Decimal("250000000"), "元", "税收收入", "target"),
        ("21000", "money", Decimal("210000000"), "元", "税收收入", "value"),
        ("52000", "money", Decimal("520000000"), "元", "一般公共预算支出", "target"),
        ("49870", "money", Decimal("498700000"), "元", "一般公共预算支出", "value"),
    ]
    assert [m.modality.value for m in doc.metrics if m.table] == ["target", "actual"] * 3
    # No prose sentence is a table: the sentence after it is prose, and has no figure.
    assert all(m.table for m in doc.metrics)


TWO_LINE_HEADER = """表3 主要农产品产量
指标\t2023年\t\t2022年
\t产量（万吨）\t增长%\t产量（万吨）
粮食\t133.77\t-2.3\t136.90
蔬菜\t389.84\t3.8\t375.60
"""


def test_a_header_of_two_lines_gives_periods_and_units():
    doc = reportmine.parse_text(TWO_LINE_HEADER)
    assert [(t.rows, t.cols, t.header_rows) for t in doc.tables] == [(4, 4, 2)]
    assert [(c[0], c[1], c[2], c[3], c[4], c[5], c[6]) for c in _cells(doc)] == [
        ("133.77", "measure", Decimal("1337700.00"), "吨", "粮食", "2023", "value"),
        ("-2.3", "percent", Decimal("-2.3"), "%", "粮食", "2023", "growth"),
        ("136.90", "measure", Decimal("1369000.00"), "吨", "粮食", "2022", "baseline"),
        ("389.84", "measure", Decimal("3898400.00"), "吨", "蔬菜", "2023", "value"),
        ("3.8", "percent", Decimal("3.8"), "%", "蔬菜", "2023", "growth"),
        ("375.60", "measure", Decimal("3756000.00"), "吨", "蔬菜", "2022", "baseline"),
    ]


TOTALS = """表4 各校招生人数
学校\t招生数（人）
第一中学\t120
第二中学\t80
合计\t{total}
"""


@pytest.mark.parametrize("total, status", [("200", "ok"), ("210", "mismatch")])
def test_a_total_row_adds_up_or_not(total, status):
    doc = reportmine.parse_text(TOTALS.format(total=total))
    checks = [c for c in doc.checks if c.check == "table_totals"]
    assert [(c.status.value, c.found, c.expected) for c in checks] == [
        (status, Decimal(total), Decimal("200"))]


PARTS = """表5 年末户籍人口
指标名称\t年末数（人）\t比重（%）
全县总户籍人口\t489931\t100.0
#城镇\t165427\t33.8
乡村\t324504\t66.2
#男性\t261730\t53.4
女性\t228201\t46.6
"""


def test_parts_under_a_total_are_checked_group_by_group():
    doc = reportmine.parse_text(PARTS)
    assert [(m.indicator, m.role.value) for m in doc.metrics][:4] == [
        ("全县总户籍人口", "value"), ("全县总户籍人口", "share"), ("城镇", "value"),
        ("城镇", "share")]
    checks = [c.message for c in doc.checks if c.check == "table_totals"]
    assert checks[0] == "489931 = 165427 + 324504 (parts)"


YEARS = """表6 历年检控宗数
年份\t宗数
2015\t502
2016\t783
2017\t560
"""


def test_a_column_of_years_is_no_figure():
    doc = reportmine.parse_text(YEARS)
    assert [(m.text, m.kind.value, m.indicator) for m in doc.metrics] == [
        ("502", "number", "宗数"), ("783", "number", "宗数"), ("560", "number", "宗数")]
    assert [(r.text, r.reason) for r in doc.rejections if r.rule.startswith("table-")] == [
        ("2015", "date"), ("2016", "date"), ("2017", "date")]


def test_tables_csv_and_the_cell_columns(tmp_path):
    from reportmine.cli import main
    import csv

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(PLAIN, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(tmp_path / "in"), "-o", str(out), "-q"]) == 0
    with open(out / "tables.csv", encoding="utf-8-sig", newline="") as fh:
        tables = list(csv.DictReader(fh))
    assert [(t["doc"], t["id"], t["rows"], t["cols"], t["caption"], t["unit"], t["source"])
            for t in tables] == [("a.txt", "1", "4", "3", "表1 一般公共预算收支", "单位：万元",
                                  "text")]
    with open(out / "metrics.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["text"], r["table"], r["row"], r["col"], r["sentence"]) for r in rows[:2]] == [
        ("38747", "1", "1", "1", "一般公共预算收入 | 38747 | 31139"),
        ("31139", "1", "1", "2", "一般公共预算收入 | 38747 | 31139")]
