"""The spreadsheet reader: .xlsx and .xls → text with title paragraphs and a table grid.

The workbooks in tests/data/sheets/ are written by tools/make_test_sheets.py
(openpyxl layout, re-saved by LibreOffice so formulas carry cached values).
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
from pathlib import Path

import pytest

from reportmine.readers.base import CELL_SEP, Grid, ReadError, ReadResult
from reportmine.readers.sheets import MAX_UNCOMPRESSED, format_number, read_xls, read_xlsx

from tests.conftest import shared_or_skip

DATA = Path(__file__).parent / "data" / "sheets"

GONGBAO_TEXT = (
    "2023年示例市地区生产总值及其增长速度\n"
    "单位：亿元\n"
    "\n"
    "指标\t全市\n"
    "\t2023年\t比上年增长%\n"
    "地区生产总值\t1234.56\t5.2%\n"
    "其中：第一产业\t123.4\t3.1%\n"
    "第二产业\t456.7\t-1.2%\n"
    "第三产业\t654.46\t6.8%\n"          # a formula's cached value (654.4599999999998 in .xls)
    "人均地区生产总值（元）\t56789\t6.1%\n"
    "\n"
)
TWO_SHEETS_TEXT = (
    "项目\t日期\t金额\t达标\n"
    "收入\t2023-10-01\t12\tTRUE\n"
    "支出\t2023-12-31\t2.68\tFALSE\n"
    "比率\t\t#DIV/0!\n"
    "\n"
    "项目\t金额\n"
    "收入\t7\n"
    "\n"
)


def _read(name: str) -> ReadResult:
    data = (DATA / name).read_bytes()
    reader = read_xls if name.endswith(".xls") else read_xlsx
    return reader(data, len(data))


def _spans(grid: Grid) -> dict[tuple[int, int], tuple[int, int]]:
    return {(c.row, c.col): (c.rowspan, c.colspan) for c in grid.cells
            if (c.rowspan, c.colspan) != (1, 1)}


def _assert_offsets(result: ReadResult) -> None:
    """Every cell's offsets point at its text, on its row's line."""
    for grid in result.grids:
        lines = result.text[grid.start:grid.end].split("\n")
        assert len(lines) == grid.rows
        for cell in grid.cells:
            assert result.text[cell.start:cell.end] == lines[cell.row].split(CELL_SEP)[cell.col]


# ------------------------------------------------------------ format_number

@pytest.mark.parametrize("value,fmt,text", [
    (2.68, "General", "2.68"),
    (2.6800000000000002, "General", "2.68"),
    (654.4599999999998, "General", "654.46"),
    (12.0, "General", "12"),
    (1200.0, "General", "1200"),
    (56789, "#,##0", "56789"),
    (0.052, "0.0%", "5.2%"),
    (0.0675, "0.0%", "6.8%"),             # half up on the decimal string, as Excel shows
    (-0.012, "0.0%", "-1.2%"),
    (0.5, "0%", "50%"),
    (0.07, "0.00%", "7.00%"),
    (2.6, "0.00_ ", "2.60"),
    (1234.5678, "#,##0.00", "1234.57"),
    (5.2, "0.0#", "5.2"),
    (5.0, "#.##", "5"),
    (-0.0001, "0", "0"),
    (1e-07, "General", "0.0000001"),
    (1e20, "General", "100000000000000000000"),
    (12345.0, "0.00E+00", "12345"),       # scientific: shown plain
    (3.5, '"约"0.0"万"', "3.5"),
    (1.5, "0.00;[Red]-0.00", "1.50"),
    (7, "@", "7"),
])
def test_format_number(value, fmt, text):
    assert format_number(value, fmt) == text


# --------------------------------------------------------- 统计公报 table

@pytest.mark.parametrize("name,fmt", [("gongbao.xlsx", "xlsx"), ("gongbao.xls", "xls")])
def test_gongbao_text(name, fmt):
    result = _read(name)
    assert result.format == fmt
    assert result.text == GONGBAO_TEXT
    assert result.warnings == ()


@pytest.mark.parametrize("name", ["gongbao.xlsx", "gongbao.xls"])
def test_gongbao_grid(name):
    result = _read(name)
    (grid,) = result.grids
    assert (grid.rows, grid.cols, grid.name, grid.source) == (7, 3, "表1 生产总值", name[8:])
    assert _spans(grid) == {(0, 0): (2, 1), (0, 1): (1, 2)}   # 指标 down, 全市 across
    assert result.text[grid.start:grid.end] == GONGBAO_TEXT[GONGBAO_TEXT.index("指标"):-2]
    _assert_offsets(result)


# ---------------------------------------------------- sheets, hidden sheets

@pytest.mark.parametrize("name", ["two_sheets.xlsx", "two_sheets.xls"])
def test_two_sheets_and_hidden(name):
    result = _read(name)
    assert result.text == TWO_SHEETS_TEXT
    assert [g.name for g in result.grids] == ["一季度", "二季度"]   # trailing space trimmed
    assert result.warnings == ("sheet '隐藏表' is hidden: skipped",)
    assert "不应读出" not in result.text
    _assert_offsets(result)


# ----------------------------------------------------- the real price table

@pytest.fixture(scope="module")
def wanzai() -> ReadResult:
    path = shared_or_skip("formats", "wanzai_2023-10_prices.xls")
    data = path.read_bytes()
    return read_xls(data, len(data))


def test_wanzai_title_is_a_paragraph(wanzai):
    assert wanzai.text.startswith("万载县主要农副产品及居民生活必需品价格行情\n\n类别\t品种\t")


def test_wanzai_rows(wanzai):
    (grid,) = wanzai.grids
    lines = wanzai.text[grid.start:grid.end].split("\n")
    assert "一、粮食类\t晚籼米\t标一\t元/500克\t2.68" in lines
    assert wanzai.text.count("三、肉禽蛋类") == 1
    assert grid.name == "Sheet1"
    assert 36 <= grid.rows - 1 <= 40
    assert all(line.strip() for line in lines)       # no empty rows, trailing or inside
    assert wanzai.text.endswith("\n\n") and not wanzai.text.endswith("\n\n\n")
    _assert_offsets(wanzai)


def test_wanzai_merged_category_spans(wanzai):
    (grid,) = wanzai.grids
    meat = next(c for c in grid.cells if wanzai.text[c.start:c.end] == "三、肉禽蛋类")
    assert (meat.col, meat.rowspan, meat.colspan) == (0, 8, 1)
    rows = wanzai.text[grid.start:grid.end].split("\n")
    assert rows[meat.row].startswith("三、肉禽蛋类\t鲜猪肉\t统货")
    assert rows[meat.row + 1].startswith("\t\t瘦肉")                # below: empty, once only


# -------------------------------------------------------------- bad files

def _workbook_zip(extra: dict[str, bytes], base: str = "gongbao.xlsx") -> bytes:
    """The test workbook with members replaced or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(DATA / base) as src, zipfile.ZipFile(out, "w",
                                                              zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in extra:
                dst.writestr(info.filename, src.read(info))
        for name, data in extra.items():
            dst.writestr(name, data)
    return out.getvalue()


def _expect(reason: str, data: bytes, reader=read_xlsx, seconds: float = 1.0) -> ReadError:
    t0 = time.perf_counter()
    with pytest.raises(ReadError) as info:
        reader(data, len(data))
    assert time.perf_counter() - t0 < seconds
    assert info.value.reason == reason
    return info.value


def test_zip_bomb_by_ratio():
    bomb = _workbook_zip({"xl/media/pad.bin": bytes(64 * 2**20)})
    assert "ZIP bomb" in str(_expect("too_large", bomb))


def test_zip_bomb_by_declared_size():
    data = bytearray(_workbook_zip({}))
    # raise the uncompressed size in every central directory entry (signature PK\1\2)
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        struct.pack_into("<I", data, pos + 24, MAX_UNCOMPRESSED // 4)
        pos = data.find(b"PK\x01\x02", pos + 4)
    _expect("too_large", bytes(data))


BILLION_LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1
                                                           else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/'
                    b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr">'
                    b"<is><t>&lol9;</t></is></c></row></sheetData></worksheet>")


def test_xml_bomb():
    bomb = _workbook_zip({"xl/worksheets/sheet1.xml": BILLION_LAUGHS})
    assert "entit" in str(_expect("too_large", bomb))


def test_external_entity_dtd_refused():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b"<w>&x;</w>")
    _expect("too_large", _workbook_zip({"xl/sharedStrings.xml": xxe}))


@pytest.mark.parametrize("data", [
    b"PK\x03\x04" + b"\x00" * 200,                         # a ZIP header, nothing behind
    (DATA / "gongbao.xlsx").read_bytes()[:3000],           # truncated
])
def test_damaged_zip(data):
    _expect("corrupt", data)


def test_zip_without_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert "without a workbook" in str(_expect("corrupt", out.getvalue()))


def test_broken_sheet_xml():
    _expect("corrupt", _workbook_zip({"xl/worksheets/sheet1.xml": b"<worksheet><sheetData>"}))


def test_encrypted_xlsx():
    # An encrypted .xlsx is an OLE container with an EncryptedPackage stream.
    fake = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode(
        "utf-16-le") + bytes(512)
    assert "password" in str(_expect("encrypted", fake))


@pytest.mark.parametrize("data", [
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),      # an OLE header, nothing behind
    (DATA / "gongbao.xls").read_bytes()[:2000],            # truncated
    b"not a workbook at all",
])
def test_damaged_xls(data):
    _expect("corrupt", data, reader=read_xls)


def test_heavy_modules_not_imported_at_import():
    import subprocess
    import sys

    code = ("import sys, reportmine.readers.sheets; "
            "print([m for m in ('openpyxl', 'xlrd') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
