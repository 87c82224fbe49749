"""The catalogue of indicators and the comparison across documents."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

import reportmine
from reportmine.catalogue import compile_catalogue
from reportmine.cli import main
from reportmine.compare import compare_frame
from reportmine.rules import default_rules


@pytest.fixture(scope="module")
def catalogue():
    rules = default_rules()
    return compile_catalogue(rules.catalogue, rules.normalize)


@pytest.mark.parametrize("indicator, clause, key", [
    ("地区生产总值", "", "gdp"),
    ("生产总值", "", "gdp"),
    ("GDP", "", "gdp"),
    ("全省经济总量", "", "gdp"),
    ("本地生產總值", "", "gdp"),                 # Traditional
    ("ＧＤＰ", "", "gdp"),                        # full-width
    ("人均地区生产总值", "", "gdp_per_capita"),   # not GDP itself
    ("社会物流总费用与GDP比率", "", ""),           # a ratio to GDP is not GDP
    ("一般公共预算收入", "", "fiscal_revenue_general"),
    ("地方一般公共预算收入", "", "fiscal_revenue_general"),
    ("財政收入", "", "fiscal_revenue_general"),
    ("財政儲備", "", "fiscal_reserves"),
    ("城镇常住居民人均可支配收入", "", "income_per_capita_urban"),
    ("农村居民人均可支配收入", "", "income_per_capita_rural"),
    ("居民人均可支配收入", "", "income_per_capita"),
    # The scope word stands before the indicator, in the clause.
    ("人均可支配收入", "城镇居民", "income_per_capita_urban"),
    ("人均可支配收入", "農村居民", "income_per_capita_rural"),
    # 城镇、农村居民人均可支配收入分别增长4.3%、5.7%: the indicator's own scope decides.
    ("农村居民人均可支配收入", "城镇、农村居民人均可支配收入分别增长4.3%、",
     "income_per_capita_rural"),
    ("规上工业增加值", "", "industry_value_added"),
    ("規模以上工業增加值", "", "industry_value_added"),
    ("城镇调查失业率", "", "unemployment_rate_urban_surveyed"),
    ("新增学位", "", "new_school_places"),
    ("投入资金", "", ""),                         # nothing matches: no key, never a guess
    ("", "", ""),
])
def test_synonyms_scripts_and_scope_choose_the_key(catalogue, indicator, clause, key):
    found = catalogue.match(indicator, clause)
    assert (found[0] if found else "") == key


def test_figures_get_their_key_and_name():
    doc = reportmine.parse_text("2025年，全省地区生产总值增长6.5%，城镇居民人均可支配收入"
                                "42000元，增长5.1%。投入资金172.5万元。")
    assert [(m.text, m.indicator_key, m.indicator_name) for m in doc.metrics] == [
        ("6.5%", "gdp", "地区生产总值"),
        ("42000元", "income_per_capita_urban", "城镇居民人均可支配收入"),
        ("5.1%", "income_per_capita_urban", "城镇居民人均可支配收入"),
        ("172.5万元", "", ""),
    ]


A = "甲省2025年统计公报\n2025年，全省地区生产总值增长6.5%，一般公共预算收入1200亿元。\n"
B = ("乙省2025年统计公报\n2025年，全省生产总值增长5.2%，地方一般公共预算收入增长3%。"
     "一季度全省生产总值增长4.8%。\n")


def test_compare_lines_documents_up_and_says_when_a_document_states_a_key_twice():
    docs = [reportmine.parse_text(A, "a.txt"), reportmine.parse_text(B, "b.txt")]
    df = compare_frame(docs)
    cols = list(df.columns)
    assert cols[:7] == ["indicator_key", "indicator_name", "role", "basis", "period",
                        "modality", "unit"]
    assert cols[7:] == ["a.txt 甲省2025年统计公报", "b.txt 乙省2025年统计公报"]
    rows = {(r.indicator_key, r.role): list(r)[7:] for r in df.itertuples(index=False)}
    assert rows[("gdp", "growth")] == [Decimal("6.5"), "2 values: 5.2; 4.8"]
    assert rows[("fiscal_revenue_general", "value")] == [Decimal("120000000000"), None]
    assert rows[("fiscal_revenue_general", "growth")] == [None, Decimal("3")]


def test_compare_command_writes_csv_and_xlsx(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(A, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(B, encoding="utf-8")
    out = tmp_path / "cmp.csv"
    assert main(["compare", str(tmp_path / "in"), "-o", str(out), "--keys", "gdp"]) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][7:] == ["a.txt 甲省2025年统计公报", "b.txt 乙省2025年统计公报"]
    assert [r[:3] + r[7:] for r in rows[1:]] == [
        ["gdp", "地区生产总值", "growth", "6.5", "2 values: 5.2; 4.8"]]
    xlsx = tmp_path / "cmp.xlsx"
    assert main(["compare", str(tmp_path / "in"), "-o", str(xlsx)]) == 0
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    assert ws.freeze_panes == "H2"
    values = [[c.value for c in row] for row in ws.iter_rows()]
    gdp = next(r for r in values if r[0] == "gdp")
    assert gdp[7] == 6.5 and isinstance(gdp[7], float)      # a number, not text
    fiscal = next(r for r in values if r[0] == "fiscal_revenue_general" and r[2] == "value")
    assert fiscal[7] == 120000000000 and isinstance(fiscal[7], int)


def test_a_work_report_names_the_year_it_plans_and_reviews_the_year_before():
    doc = reportmine.parse_text("甲省2026年政府工作报告\n一、过去一年工作回顾\n"
                                "地区生产总值增长5.2%。2024年增长4.8%。\n"
                                "二、今年工作安排\n今年预期目标是：地区生产总值增长5%左右。\n")
    assert [(m.text, m.modality.value, m.period) for m in doc.metrics] == [
        ("5.2%", "actual", "2025"),   # the review: the year before the title's
        ("4.8%", "actual", "2024"),   # the sentence names its year
        ("5%", "target", "2026"),     # the plan: the title's year
    ]
