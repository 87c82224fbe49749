"""The library API: functions, records and frames with a fixed column order."""

from decimal import Decimal

import pytest

import reportmine
from reportmine.tables import DOCUMENT_COLUMNS, METRIC_COLUMNS, REMOVAL_COLUMNS, SECTION_COLUMNS
from tests.conftest import SAMPLES

CONTRACT = ["doc", "start", "end", "text", "kind", "value", "value_max", "unit", "approx",
            "masked", "modality", "indicator", "section", "sentence"]


def test_public_names():
    for name in reportmine.__all__:
        assert hasattr(reportmine, name)
    assert len(reportmine.__all__) <= 16


def test_parse_text_returns_a_document():
    doc = reportmine.parse_text("一、工作\n投入资金172.5万元。", doc="x.txt")
    assert doc.doc == "x.txt" and doc.ok
    (m,) = doc.metrics
    assert m.value == Decimal("1725000") and isinstance(m.value, Decimal)
    assert (m.kind.value, m.unit, m.section, m.indicator) == ("money", "元", "一", "投入资金")


def test_parse_file_and_paths_agree():
    path = SAMPLES / "002_ebf0b76c6a68a4ba.txt"
    one = reportmine.parse_file(path)
    (many,) = [d for d in reportmine.parse_paths([SAMPLES]) if d.doc == path.name]
    assert [m.model_dump() | {"doc": ""} for m in one.metrics] == \
        [m.model_dump() | {"doc": ""} for m in many.metrics]


def test_frames_have_fixed_columns(sample_docs):
    mf = reportmine.metrics_frame(sample_docs)
    assert list(mf.columns)[:len(CONTRACT)] == CONTRACT
    assert list(mf.columns) == METRIC_COLUMNS
    assert list(reportmine.sections_frame(sample_docs).columns) == SECTION_COLUMNS
    assert list(reportmine.documents_frame(sample_docs).columns) == DOCUMENT_COLUMNS
    assert list(reportmine.removals_frame(sample_docs).columns) == REMOVAL_COLUMNS
    assert len(mf) == sum(len(d.metrics) for d in sample_docs)
    empty = reportmine.metrics_frame([])
    assert list(empty.columns) == METRIC_COLUMNS and len(empty) == 0


def test_documents_frame_counts_removals(sample_docs):
    df = reportmine.documents_frame(sample_docs)
    df.index = [d.rsplit("/", 1)[-1] for d in df["doc"]]
    row = df.loc["000_8962da1a5d06fb49.txt"]
    assert row["removed_ad"] > 300 and row["metrics"] > 80
    assert df.loc["001_3852c5b6b4ca5af0.txt", "removed_page_number"] > 0


def test_parse_paths_reports_unreadable_files(tmp_path):
    (tmp_path / "good.txt").write_text("新增学位210个。", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    docs = list(reportmine.parse_paths([tmp_path]))
    assert [(d.doc, d.ok) for d in docs] == [("empty.txt", False), ("good.txt", True)]
    assert docs[0].error.reason == "empty"
    assert reportmine.errors_frame(docs)["reason"].tolist() == ["empty"]


def test_gb18030_file_reads_like_utf8(tmp_path):
    text = (SAMPLES / "000_8962da1a5d06fb49.txt").read_text(encoding="utf-8")
    p = tmp_path / "gb.txt"
    p.write_bytes(text.encode("gb18030"))
    doc = reportmine.parse_file(p)
    assert doc.encoding == "gb18030"
    ref = reportmine.parse_text(text)
    assert [(m.start, m.text, m.value) for m in doc.metrics] == \
        [(m.start, m.text, m.value) for m in ref.metrics]


@pytest.mark.parametrize("text,value", [("三百二十", 320), ("1.2万", 12000), ("壹拾壹", 11)])
def test_parse_number(text, value):
    assert reportmine.parse_number(text) == value


def test_trusted_records_are_the_validated_ones(sample_docs):
    """The pipeline builds its records without validating them again (models.trusted):
    each must be what validation makes of the same values, fields in the same order."""
    from reportmine.models import Metric, Rejection, Removal

    seen = {Metric: 0, Rejection: 0, Removal: 0}
    for doc in sample_docs:
        for record in (*doc.metrics, *doc.rejections, *doc.removals):
            cls = type(record)
            checked = cls.model_validate(record.model_dump())
            assert record == checked
            assert list(record.__dict__) == list(cls.model_fields)
            assert repr(record) == repr(checked)
            assert record.model_fields_set == checked.model_fields_set
            seen[cls] += 1
    assert all(n > 0 for n in seen.values()), seen


@pytest.mark.parametrize("raw", [False, True])
def test_csv_rows_read_off_records_match_the_row_dicts(sample_docs, raw):
    """render() writes metrics and rejections from the records' attributes; the rows
    must be those of the row dicts the DataFrames are made from."""
    import csv
    import io

    from reportmine.tables import _AS_ATTRIBUTES, TABLES, TEXT_COLUMNS, _cell, render

    for doc in sample_docs:
        rendered = render(doc, raw_cells=raw)
        for name in _AS_ATTRIBUTES:
            columns, make = TABLES[name]
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            for row in make(doc):
                w.writerow([_cell(row[c], not raw and c in TEXT_COLUMNS) for c in columns])
            assert rendered.text[name] == buf.getvalue()
            assert rendered.rows[name] == (len(doc.metrics) if name == "metrics"
                                           else len(doc.rejections))
