"""Spreadsheet safety: document text that Excel or WPS would run as a formula is written
as text; numbers stay numbers; --raw-cells writes cells as they are."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

import reportmine
from reportmine.cli import main
from reportmine.tables import TABLES, TEXT_COLUMNS, TableWriter, safe_cell

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ("=cmd|' /C calc'!A0\n"
           "一、@SUM(1+1)工作情况\n"
           "=1+1，全市生产总值下降-19.4%，新增学位210个。\n"
           "+投入资金172.5万元。\n"
           "\t来源：网络\n")


@pytest.mark.parametrize("cell,written", [
    ("=1+1", "'=1+1"),
    ("+投入资金", "'+投入资金"),
    ("-19.4%", "'-19.4%"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t来源", "'\t来源"),
    ("\r来源", "'\r来源"),
    ("投入资金", "投入资金"),
    ("'=1", "'=1"),        # already text: left alone
    ("＝1+1", "＝1+1"),    # full-width: spreadsheets do not read it as a formula
    ("", ""),
])
def test_safe_cell(cell, written):
    assert safe_cell(cell) == written


def _tables(out: Path) -> dict[str, list[dict[str, str]]]:
    tables = {}
    for name in TABLES:
        with open(out / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            tables[name] = list(csv.DictReader(fh))
    return tables


@pytest.fixture(scope="module")
def doc():
    return reportmine.parse_text(HOSTILE, "=cmd.txt")


def _write(doc, out: Path, raw: bool) -> dict[str, list[dict[str, str]]]:
    with TableWriter(out, raw_cells=raw) as w:
        w.write(doc)
    return _tables(out)


def test_text_cells_cannot_start_a_formula(doc, tmp_path):
    tables = _write(doc, tmp_path, raw=False)
    guarded = 0
    for name, rows in tables.items():
        for row in rows:
            for column, cell in row.items():
                if column in TEXT_COLUMNS:
                    assert not cell.startswith(DANGEROUS), (name, column, cell)
                    guarded += cell.startswith("'")
                elif column == "text":  # the exact slice, a figure: -19.4% is no formula
                    assert not cell.startswith(DANGEROUS) or cell[1:2].isdigit(), cell
                elif cell.startswith(DANGEROUS):  # only a number may: -19.4
                    assert Decimal(cell).is_finite(), (name, column, cell)
    assert guarded >= 6  # doc, title, heading, sentence, excerpt …
    docs = tables["documents"][0]
    assert (docs["doc"], docs["title"]) == ("'=cmd.txt", "'=cmd|' /C calc'!A0")
    assert tables["sections"][0]["title"] == "'@SUM(1+1)工作情况"
    assert tables["removed"][0]["excerpt"] == "'\t来源：网络"
    m = {r["value"]: r for r in tables["metrics"]}
    # Numbers stay numbers: value -19.4 is written as -19.4, never '-19.4.
    assert set(m) == {"-19.4", "210", "1725000"}
    assert (m["-19.4"]["text"], m["-19.4"]["start"]) == ("-19.4%", str(HOSTILE.index("-19.4%")))
    assert m["1725000"]["indicator"] == "投入资金"  # the indicator has no edge punctuation
    assert m["210"]["sentence"].startswith("'=1+1，")


def test_raw_cells_are_written_as_they_are(doc, tmp_path):
    tables = _write(doc, tmp_path, raw=True)
    m = {r["value"]: r for r in tables["metrics"]}
    assert m["-19.4"]["text"] == "-19.4%" and m["210"]["sentence"].startswith("=1+1，")
    assert tables["documents"][0]["title"] == "=cmd|' /C calc'!A0"
    assert all(HOSTILE[r.start:r.end] == r.text for r in doc.metrics)


def test_cli_guards_by_default_and_raw_cells_turns_it_off(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text(HOSTILE, encoding="utf-8")
    assert main(["extract", str(src), "-o", str(tmp_path / "safe"), "-q"]) == 0
    assert main(["extract", str(src), "-o", str(tmp_path / "raw"), "-q", "--raw-cells"]) == 0
    safe = _tables(tmp_path / "safe")["metrics"]
    raw = _tables(tmp_path / "raw")["metrics"]
    # text is the contract's exact slice either way; the sentence is guarded by default
    assert [r["text"] for r in safe] == [r["text"] for r in raw] == ["-19.4%", "210个", "172.5万元"]
    assert safe[0]["sentence"].startswith("'=1+1") and raw[0]["sentence"].startswith("=1+1")
    assert [r["value"] for r in safe] == [r["value"] for r in raw] == ["-19.4", "210", "1725000"]
