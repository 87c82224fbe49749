"""Write the spreadsheets of tests/data/sheets/ (the reader's test files).

usage: python tools/make_test_sheets.py

openpyxl writes each workbook's layout (merged cells, number formats, a hidden
sheet, formulas); LibreOffice headless then re-saves it as .xlsx and .xls, which
recalculates the formulas and stores their cached values, as Excel and WPS do.
openpyxl alone would leave formula cells without a value. The figures are
invented.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "sheets"


def _gongbao(ws: Worksheet) -> None:
    """A 统计公报-style table: title, unit row, two-line header, 其中 sub-rows."""
    ws.title = "表1 生产总值  "
    ws["A1"] = "2023年示例市地区生产总值及其增长速度"
    ws.merge_cells("A1:C1")
    ws["C2"] = "单位：亿元"
    ws["A3"] = "指标"
    ws.merge_cells("A3:A4")
    ws["B3"] = "全市"
    ws.merge_cells("B3:C3")
    ws["B4"] = "2023年"
    ws["C4"] = "比上年增长%"
    rows = [
        ("地区生产总值", 1234.56, 0.052),
        ("其中：第一产业", 123.4, 0.031),
        ("第二产业", 456.7, -0.012),
        ("第三产业", "=B5-B6-B7", 0.0675),
        ("人均地区生产总值（元）", 56789, 0.061),
    ]
    for i, (label, value, growth) in enumerate(rows, start=5):
        ws.cell(i, 1, label)
        ws.cell(i, 2, value)
        ws.cell(i, 3, growth).number_format = "0.0%"
    ws["B9"].number_format = "#,##0"


def _two_sheets(wb: Workbook) -> None:
    """Two visible sheets around a hidden one, with dates, booleans and an error."""
    first = wb.active
    first.title = "一季度"
    first.append(["项目", "日期", "金额", "达标"])
    first.append(["收入", dt.date(2023, 10, 1), 12.0, True])
    first.append(["支出", dt.date(2023, 12, 31), 2.68, False])
    first.append(["比率", None, "=C3/0", None])
    for cell in ("B2", "B3"):
        first[cell].number_format = "yyyy-mm-dd"
    hidden = wb.create_sheet("隐藏表")
    hidden.append(["不应读出", 999])
    hidden.sheet_state = "hidden"
    last = wb.create_sheet("二季度 ")
    last.append(["项目", "金额"])
    last.append(["收入", 7])


def _save_via_libreoffice(wb: Workbook, stem: str, formats: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{stem}.xlsx"
        wb.save(src)
        for fmt in formats:
            out = Path(tmp) / fmt
            subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir",
                            str(out), str(src)], check=True, capture_output=True, timeout=120)
            shutil.copy(out / f"{stem}.{fmt}", OUT / f"{stem}.{fmt}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    _gongbao(wb.active)
    _save_via_libreoffice(wb, "gongbao", ("xlsx", "xls"))
    wb = Workbook()
    _two_sheets(wb)
    _save_via_libreoffice(wb, "two_sheets", ("xlsx", "xls"))
    for p in sorted(OUT.iterdir()):
        print(f"{p.stat().st_size:>8} {p}")


if __name__ == "__main__":
    main()
