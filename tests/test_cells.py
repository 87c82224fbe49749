"""Figures in table cells: value, unit, indicator, role, period and modality from the
headers (the tables here are built by hand: finding them is tests/test_doctables.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reportmine.cells import CellReader, read_tables
from reportmine.clean import find_removals
from reportmine.doctables import FoundTable, TableCell
from reportmine.quantities import Extractor
from reportmine.rules import default_rules
from reportmine.view import View


def _table(text: str, block: str, header_rows: int = 1, label_cols: int = 1,
           parents: tuple[int | None, ...] = (), caption: str | None = None,
           unit: str | None = None) -> FoundTable:
    """The tab-separated `block` of `text` as a table (its lines are its rows)."""
    start = text.index(block)
    cells, pos = [], start
    lines = block.split("\n")
    for r, line in enumerate(lines):
        for k, cell in enumerate(line.split("\t")):
            if cell.strip():
                cells.append(TableCell(r, k, pos, pos + len(cell)))
            pos += len(cell) + 1
    span = (lambda s: (text.index(s), text.index(s) + len(s)) if s else None)
    return FoundTable(start, start + len(block), "text", len(lines),
                      max(len(x.split("\t")) for x in lines), tuple(cells), header_rows,
                      label_cols, parents or (None,) * len(lines), span(caption), span(unit))


@pytest.fixture(scope="module")
def reader() -> CellReader:
    rules = default_rules()
    return CellReader(rules.cells, Extractor(rules, "simplified"))


def _read(reader, text, table, part="", period="2023"):
    rules = default_rules()
    view = View(text, [r.cut() for r in find_removals(text, rules)], rules.normalize)
    figures, rejected = read_tables([table], view, reader, lambda v: (part, period))
    rows = [(text[view.span(f.quantity.start, f.quantity.end)[0]:
                  view.span(f.quantity.start, f.quantity.end)[1]],
             f.quantity.kind, f.quantity.value, f.quantity.unit, f.indicator, f.role,
             f.modality, f.period, f.subject) for f in figures]
    rej = [(text[slice(*view.span(r.start, r.end))], r.reason) for r in rejected]
    return rows, rej


GONGBAO = ("表1 2023年主要经济指标\n单位：亿元\n"
           "指标\t2023年\t比上年增长(%)\n"
           "地区生产总值\t1329.65\t4.0\n"
           "其中：第一产业\t277.25\t4.2\n"
           "一般公共预算收入\t—\t-2.5\n")


def test_units_from_the_unit_line_and_the_header(reader):
    block = GONGBAO.split("\n", 2)[2].rstrip("\n")
    t = _table(GONGBAO, block, parents=(None, None, 1, None), caption="表1 2023年主要经济指标",
               unit="单位：亿元")
    rows, rej = _read(reader, GONGBAO, t)
    assert rows == [
        ("1329.65", "money", Decimal("132965000000.00"), "元", "地区生产总值", "value", "actual",
         "2023", ""),
        ("4.0", "percent", Decimal("4.0"), "%", "地区生产总值", "growth", "actual", "2023", ""),
        ("277.25", "money", Decimal("27725000000.00"), "元", "第一产业", "value", "actual",
         "2023", ""),
        ("4.2", "percent", Decimal("4.2"), "%", "第一产业", "growth", "actual", "2023", ""),
        ("-2.5", "percent", Decimal("-2.5"), "%", "一般公共预算收入", "growth", "actual", "2023",
         ""),
    ]
    assert rej == [("2023年", "date"), ("—", "other")]  # a header's year is no figure


def test_a_unit_in_the_row_label_and_a_budget_column(reader):
    text = ("项目\t预算数\t执行数\n"
            "一般公共预算收入（亿元）\t120.5\t118.2\n"
            "教育支出（万元）\t38747\t31139\n")
    t = _table(text, text.rstrip("\n"))
    rows, _ = _read(reader, text, t)
    assert [(r[0], r[2], r[3], r[4], r[6]) for r in rows] == [
        ("120.5", Decimal("12050000000.0"), "元", "一般公共预算收入", "target"),
        ("118.2", Decimal("11820000000.0"), "元", "一般公共预算收入", "actual"),
        ("38747", Decimal("387470000"), "元", "教育支出", "target"),
        ("31139", Decimal("311390000"), "元", "教育支出", "actual"),
    ]


def test_entities_in_rows_take_the_column_header(reader):
    text = ("地区\t户籍人口（万人）\t性别比\n"
            "福田区\t124.88\t93.91\n"
            "第一轮\t300亿元\t/\n")
    t = _table(text, text.rstrip("\n"))
    rows, rej = _read(reader, text, t)
    assert [(r[0], r[1], r[2], r[3], r[4], r[8]) for r in rows] == [
        ("124.88", "count", Decimal("1248800.00"), "人", "户籍人口", "福田区"),
        ("93.91", "number", Decimal("93.91"), "", "性别比", "福田区"),
        ("300亿元", "money", Decimal("30000000000"), "元", "户籍人口", "第一轮"),
    ]
    assert rej == [("/", "other")]


def test_years_row_numbers_and_codes_are_not_figures(reader):
    text = ("序号\t年份\t项目编码\t投资（万元）\n"
            "1\t2021\tA0123\t500\n"
            "2\t2022\tB0456\t650\n")
    t = _table(text, text.rstrip("\n"), label_cols=0)
    rows, rej = _read(reader, text, t)
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("500", Decimal("5000000"), "投资"), ("650", Decimal("6500000"), "投资")]
    assert rej == [("1", "section"), ("2021", "date"), ("A0123", "code"),
                   ("2", "section"), ("2022", "date"), ("B0456", "code")]


def test_periods_from_a_two_line_header(reader):
    text = ("指标\t2023年\t\t2022年\n"
            "\t绝对数\t增长%\t绝对数\n"
            "粮食产量（万吨）\t120\t2.5\t117\n")
    block = text.rstrip("\n")
    t = _table(text, block, header_rows=2)
    # "2023年" spans the two columns under it.
    cells = tuple(c if not (c.row == 0 and c.col == 1) else TableCell(0, 1, c.start, c.end, 1, 2)
                  for c in t.cells)
    t = FoundTable(t.start, t.end, t.source, t.rows, 4, cells, 2, 1, t.parents)
    rows, _ = _read(reader, text, t)
    assert [(r[0], r[1], r[2], r[4], r[5], r[7]) for r in rows] == [
        ("120", "measure", Decimal("1200000"), "粮食产量", "value", "2023"),
        ("2.5", "percent", Decimal("2.5"), "粮食产量", "growth", "2023"),
        ("117", "measure", Decimal("1170000"), "粮食产量", "baseline", "2022"),  # the earlier period
    ]


def test_a_cell_without_a_unit_anywhere_is_a_number(reader):
    text = "项目\t数值\n综合指数\t0.2740\n"
    rows, _ = _read(reader, text, _table(text, text.rstrip("\n")))
    assert rows == [("0.2740", "number", Decimal("0.2740"), "", "综合指数", "value", "actual",
                     "2023", "")]


def test_a_plan_section_makes_unmarked_cells_targets(reader):
    text = "指标\t数量\n新建学校（所）\t12\n"
    rows, _ = _read(reader, text, _table(text, text.rstrip("\n")), part="plan")
    assert rows[0][:2] == ("12", "count") and rows[0][6] == "target"
