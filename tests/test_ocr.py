"""OCR of scanned pages (the optional extra): figures read from a picture are marked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import reportmine
from reportmine.readers import ocr, read_document
from reportmine.readers.base import TextBuilder
from reportmine.readers.ocr import Box, write_page

DATA = Path(__file__).parent / "data" / "pdf"
needs_ocr = pytest.mark.skipif(not ocr.available(), reason='needs pip install "reportmine[ocr]"')


@needs_ocr
def test_a_scanned_page_is_read_and_its_figures_are_marked():
    doc = reportmine.parse_file(DATA / "scanned_report.pdf")
    assert doc.ok and doc.pages == 1 and doc.ocr_ranges
    figures = {m.text: m for m in doc.metrics}
    assert figures["1329.65亿元"].value == Decimal("132965000000")
    assert figures["6.5%"].value == Decimal("6.5")
    assert figures["172.5万元"].value == Decimal("1725000")
    assert all(m.ocr and m.page == 1 for m in doc.metrics)
    # The picture's page number and running header are furniture, as in a text PDF.
    assert "-1-" in [doc.text[r.start:r.end] for r in doc.removals]


@needs_ocr
def test_a_picture_that_is_no_text_reads_as_nothing():
    read = read_document(DATA / "blank_middle.pdf")  # page 2 is a drawing of bars
    assert read.ocr == () and read.text.count("\f") == 2


def test_text_pdfs_carry_no_ocr_marks():
    doc = reportmine.parse_file(DATA / "report.pdf")
    assert doc.metrics and not any(m.ocr for m in doc.metrics) and doc.ocr_ranges == ()


def _box(text: str, x0: float, y: float, x1: float) -> Box:
    return Box(text, x0, y, x1, y + 20)


def test_ocr_lines_become_paragraphs_and_rows():
    boxes = [
        _box("一、综合", 100, 0, 180),
        _box("全年地区生产总值1329.65亿元，比上年", 140, 40, 1000),   # indented: a new paragraph
        _box("增长6.5%。", 100, 80, 300),                            # ends it
        _box("福田区", 100, 120, 160), _box("124.88", 400, 120, 470),
        _box("罗湖区", 100, 160, 160), _box("73.40", 400, 161, 460),
        _box("— 1 —", 500, 400, 560),
    ]
    b = TextBuilder()
    b.page_break()
    span = write_page(b, boxes)
    r = b.result("pdf", 0)
    assert r.text == ("一、综合\n全年地区生产总值1329.65亿元，比上年增长6.5%。\n\n"
                      "福田区\t124.88\n罗湖区\t73.40\n\n— 1 —\n")
    assert span == (0, len(r.text)) and r.grids[0].source == "ocr"
