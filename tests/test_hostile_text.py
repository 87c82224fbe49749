"""Text that once crashed or misled the pipeline, kept as cases so it stays fixed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reportmine.numbers import canonical
from reportmine.pipeline import Pipeline


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()


def test_circled_number_headings_do_not_crash(pipeline):
    # "①".isdigit() is True but int("①") raises: every report using ① headings failed.
    doc = pipeline.parse_text("①加强党建，新增学位210个。\n②推进改革\n")
    assert [(s.marker, s.number) for s in doc.sections] == [("①", 1), ("②", 2)]
    assert [(m.text, m.section) for m in doc.metrics] == [("210个", "①")]


@pytest.mark.parametrize("value,text", [
    ("1725000", "1725000"),
    ("1725000.0", "1725000"),
    ("1.5E+3", "1500"),
    ("0.2740", "0.274"),
    ("-19.4", "-19.4"),
    ("1E-7", "0.0000001"),
    # More digits than the decimal context holds: quantize() used to raise here, in
    # the CSV writer, and stop the whole batch.
    ("123456789123456789123456789123", "123456789123456789123456789123"),
    ("1.111111111111111111111110000E+35", "111111111111111111111111000000000000"),
])
def test_canonical_is_exact_at_any_size(value, text):
    assert canonical(Decimal(value)) == text


def test_thirty_chinese_digits_can_be_written(pipeline, tmp_path):
    from reportmine.tables import TableWriter

    doc = pipeline.parse_text("一二三四五六七八九" * 3 + "一二三个")
    assert [m.value for m in doc.metrics] == [Decimal("123456789" * 3 + "123")]
    with TableWriter(tmp_path) as w:
        w.write(doc)
    assert "123456789123456789123456789123" in (tmp_path / "metrics.csv").read_text("utf-8-sig")


@pytest.mark.parametrize("text,removed", [
    # `^\s*` let a line rule match from the blank line above, and remove that instead.
    ("标题\n\n来源：网络\n正文新增学位210个。\n", "来源：网络"),
    ("标题\n\u3000\u3000来源：网络\n", "\u3000\u3000来源：网络"),
    ("标题\n\n\n推荐访问：教育 讲话\n", "推荐访问：教育 讲话"),
])
def test_line_rules_remove_their_own_line(pipeline, text, removed):
    doc = pipeline.parse_text(text)
    assert [text[r.start:r.end] for r in doc.removals] == [removed]


def test_a_sentence_without_end_is_cut_at_its_reach(pipeline):
    from reportmine.sections import SENTENCE_REACH

    text = "教育" * 2000 + "新增学位210个" + "教育" * 2000
    m = pipeline.parse_text(text).metrics[0]
    assert m.sentence_end - m.sentence_start <= 2 * SENTENCE_REACH + len(m.text)
    assert m.sentence == text[m.sentence_start:m.sentence_end]
