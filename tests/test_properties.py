"""Properties that hold for any text: no exception, exact spans, finite values, the same
result twice. The text is drawn from the extractor's own alphabet (numerals, units,
qualifiers, markers, punctuation, line breaks) so that the search reaches it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportmine.numbers import canonical
from reportmine.pipeline import Pipeline

TOKENS = [
    # numerals
    *"0123456789", "12", "3.5", "1,234", "2023", "0.27", "一", "二", "两", "三", "十", "百",
    "千", "万", "亿", "零", "〇", "廿", "壹", "拾", "点", "１２", "三百二十", "1.2万",
    # units and scales
    "个", "人", "人次", "元", "万元", "亿元", "%", "％", "个百分点", "倍", "名", "所", "项",
    "平方米", "年", "月", "日", "届", "周年", "次", "百分之", "千分之", "分之", "美元", "$",
    # qualifiers, signs, ranges, masks
    "约", "近", "余", "多", "超过", "以上", "不少于", "左右", "-", "—", "~", "至", "负", "*",
    "……", "XX", "×",
    # context words
    "增长", "下降", "比上年", "占", "目标", "计划", "完成", "第", "新增", "投入资金", "学位",
    "教育", "“", "”", "《", "》", "（", "）", "(", ")", "【", "】", "<", ">", ":", "：",
    # outline markers and punctuation
    "一、", "二、", "（一）", "1.", "2、", "(1)", "①", "②", "。", "，", "、", "；", "！", "？",
    "\n", "\n\n", " ", "\t", "\u3000", "\r\n",
    # boilerplate the cleaner knows
    "##paidbegin##", "来源：", "推荐访问：", "【哒哒素材库】",
]

texts = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    p = Pipeline()
    p.parse_text("新增学位210个。")  # load jieba once
    return p


def _finite(v: Decimal | None) -> bool:
    return v is None or (isinstance(v, Decimal) and v.is_finite())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts | st.text(max_size=40))
def test_any_text_parses_to_exact_spans_and_finite_values(pipeline, text):
    doc = pipeline.parse_text(text)
    n = len(text)
    for m in doc.metrics:
        assert 0 <= m.start < m.end <= n
        assert text[m.start:m.end] == m.text
        assert _finite(m.value) and _finite(m.value_max)
        assert m.masked == (m.value is None)
        canonical(m.value), canonical(m.value_max)  # writable: never raises
        assert 0 <= m.sentence_start <= m.start and m.end <= m.sentence_end <= n
    for r in doc.rejections:
        assert 0 <= r.start <= r.end <= n and text[r.start:r.end] == r.text
    for r in doc.removals:
        assert 0 <= r.start <= r.end <= n
    for s in doc.sections:
        assert 0 <= s.start <= s.end <= n and s.body_start <= s.body_end <= n


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_the_same_text_gives_the_same_result(pipeline, text):
    first = pipeline.parse_text(text).model_dump()
    assert pipeline.parse_text(text).model_dump() == first
