"""Output formats: every format holds the rows CSV holds, with the types it promises."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

import reportmine
from reportmine.cli import main
from reportmine.numbers import canonical
from reportmine.tables import TABLES, TEXT_COLUMNS, safe_cell, write_tables
from reportmine.writers import WORKBOOK, output_names
from reportmine.writers import parquet as parquet_writer
from reportmine.writers import xlsx as xlsx_writer
from tests.conftest import SAMPLES

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
openpyxl = pytest.importorskip("openpyxl")

# A document whose text cells a spreadsheet would run as formulas, with a control
# character and a line separator in its sentences.
HOSTILE = ("一、=HYPERLINK(\"x\")工作\n-投入资金172.5万元，同比增长24.43%。\n"
           "@新增学位210个\x0c，托位40个。\n+完成率约98.5%\u2028，较上年提高3.2个百分点。\n")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    for p in sorted(SAMPLES.glob("*.txt")):
        shutil.copy(p, d / p.name)
    (d / "zz_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (d / "zz_empty.txt").write_bytes(b"")  # an error row
    return d


@pytest.fixture(scope="module")
def outputs(corpus, tmp_path_factory) -> tuple[Path, Path]:
    """Every format of one run, and the CSV of the same run with --raw-cells."""
    out = tmp_path_factory.mktemp("out")
    raw = tmp_path_factory.mktemp("raw")
    args = ["extract", str(corpus), "-q", "--jobs", "1"]
    assert main([*args, "-o", str(out), "--format", "csv", "--format", "parquet",
                 "--format", "xlsx", "--format", "jsonl"]) == 1  # the empty file
    assert main([*args, "-o", str(raw), "--raw-cells"]) == 1
    return out, raw


def csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def as_csv(value: object) -> str:
    """A typed value as the CSV writes it."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float):
        return canonical(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return canonical(value)
    return str(value)


@pytest.mark.parametrize("table", list(TABLES))
def test_parquet_holds_the_csv_rows(outputs, table):
    out, raw = outputs
    expected = csv_rows(raw / f"{table}.csv")
    data = pq.read_table(out / f"{table}.parquet")
    assert data.column_names == expected[0]
    assert [[as_csv(v) for v in row.values()] for row in data.to_pylist()] == expected[1:]


@pytest.mark.parametrize("table", list(TABLES))
def test_jsonl_holds_the_csv_rows(outputs, table):
    out, raw = outputs
    expected = csv_rows(raw / f"{table}.csv")
    lines = (out / f"{table}.jsonl").read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""  # every record ends its line
    records = [json.loads(line) for line in lines[:-1]]
    assert all(list(r) == expected[0] for r in records)
    assert [[as_csv(v) for v in r.values()] for r in records] == expected[1:]


@pytest.mark.parametrize("table", list(TABLES))
def test_xlsx_holds_the_guarded_csv_rows(outputs, table):
    out, _ = outputs
    expected = csv_rows(out / f"{table}.csv")
    ws = openpyxl.load_workbook(out / WORKBOOK, read_only=True)[table]
    width = len(TABLES[table][0])  # a read-only sheet leaves off a row's empty end
    got = [[as_csv(v) for v in row] + [""] * (width - len(row))
           for row in ws.iter_rows(values_only=True)]
    # The one change a sheet needs: control characters shown as their pictures.
    expected = [[xlsx_writer.text_cell(c, False) for c in row] for row in expected]
    assert got == expected


def test_parquet_column_types(outputs):
    out, _ = outputs
    schema = pq.read_schema(out / "metrics.parquet")
    assert schema.field("value").type == pa.decimal128(38, 10)
    assert schema.field("value_max").type == pa.decimal128(38, 10)
    assert schema.field("start").type == pa.int64() and not schema.field("start").nullable
    assert schema.field("page").type == pa.int64() and schema.field("page").nullable
    assert schema.field("masked").type == pa.bool_()
    assert schema.field("kind").type == pa.dictionary(pa.int32(), pa.string())
    assert schema.field("sentence").type == pa.string()
    assert pq.read_schema(out / "checks.parquet").field("expected").type == \
        pa.decimal128(38, 10)
    assert pq.read_schema(out / "sections.parquet").field("parent").type == pa.int64()


def test_parquet_in_pandas_gives_exact_decimals(outputs):
    import pandas as pd

    out, _ = outputs
    df = pd.read_parquet(out / "metrics.parquet")
    row = df[(df["doc"] == "zz_hostile.txt") & (df["text"] == "172.5万元")].iloc[0]
    assert row["value"] == Decimal("1725000") and isinstance(row["value"], Decimal)
    assert row["kind"] == "money" and df["kind"].dtype == "category"
    assert df["masked"].dtype == bool and df["start"].dtype == "int64"


def test_jsonl_decimals_are_canonical_strings(outputs):
    out, _ = outputs
    records = [json.loads(line) for line in
               (out / "metrics.jsonl").read_text(encoding="utf-8").splitlines()]
    rec = next(r for r in records if r["text"] == "24.43%" and r["doc"] == "zz_hostile.txt")
    assert rec["value"] == "24.43" and rec["value_max"] is None
    assert rec["masked"] is False and isinstance(rec["start"], int) and rec["page"] is None
    assert rec["sentence"].startswith("-投入资金")  # text as it is, no guard


def test_jsonl_escapes_line_separators(outputs):
    out, _ = outputs
    text = (out / "metrics.jsonl").read_text(encoding="utf-8")
    assert "\u2028" not in text and "\\u2028" in text
    assert len(text.splitlines()) == len(csv_rows(out / "metrics.csv")) - 1


def test_xlsx_sheets_are_frozen_filtered_and_typed(outputs):
    out, _ = outputs
    wb = openpyxl.load_workbook(out / WORKBOOK)
    assert wb.sheetnames == list(TABLES)
    ws = wb["metrics"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:AA{ws.max_row}"
    header = [c.value for c in ws[1]]
    assert header == TABLES["metrics"][0]
    col = {name: k for k, name in enumerate(header)}
    rows = [[c for c in r] for r in ws.iter_rows(min_row=2)]
    hostile = [r for r in rows if r[col["doc"]].value == "zz_hostile.txt"]
    money = next(r for r in hostile if r[col["text"]].value == "172.5万元")
    assert money[col["value"]].value == 1725000 and money[col["value"]].data_type == "n"
    assert money[col["masked"]].value is False
    assert money[col["sentence"]].value.startswith("'-投入资金")  # guarded as in CSV
    pct = next(r for r in hostile if r[col["text"]].value == "24.43%")
    assert pct[col["value"]].value == 24.43
    heading = next(r for r in wb["sections"].iter_rows(min_row=2)
                   if r[0].value == "zz_hostile.txt")
    title = heading[TABLES["sections"][0].index("title")]
    assert title.value.startswith("'=") and title.data_type == "s"


def test_raw_xlsx_text_is_never_a_formula(tmp_path):
    doc = reportmine.parse_text(HOSTILE, doc="=x.txt")
    write_tables([doc], tmp_path, formats=["xlsx"], raw_cells=True)
    ws = openpyxl.load_workbook(tmp_path / WORKBOOK)["metrics"]
    cell = ws["A2"]
    assert cell.value == "=x.txt" and cell.data_type == "s"


@pytest.mark.parametrize("value,cell", [
    ("1725000", 1725000), ("24.43", 24.43), ("-19.4", -19.4), ("0.274", 0.274),
    ("123456789012345", 123456789012345),
    ("1234567890123456", "1234567890123456"),          # past Excel's 15 digits: text
    ("123456789012345678901234567890", "123456789012345678901234567890"),
    ("0.1234567890123456", "0.1234567890123456"),
])
def test_xlsx_numbers_lose_no_digit(value, cell):
    assert xlsx_writer.number(Decimal(value)) == cell


def test_xlsx_row_limit_is_a_clear_error(monkeypatch, tmp_path, sample_docs, capsys):
    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 100)
    with pytest.raises(xlsx_writer.SheetTooLarge, match="metrics table has more than 99"):
        write_tables(sample_docs, tmp_path / "lib", formats=["csv", "xlsx"])
    assert list((tmp_path / "lib").iterdir()) == []  # no workbook, no table, no partial
    out = tmp_path / "cli"
    assert main(["extract", str(SAMPLES), "-o", str(out), "-q", "--format", "xlsx",
                 "--jobs", "1"]) == 2
    assert "more than an XLSX sheet holds" in capsys.readouterr().err
    assert not (out / WORKBOOK).exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize("value,ok", [
    ("1725000", True), ("0.1234567890", True), ("0.12345678900000", True),
    ("0.12345678901", False), ("1234567890123456789012345678", True),
    ("12345678901234567890123456789", False), ("1E+27", True), ("1E+28", False),
    ("-24.43", True), ("NaN", False),
])
def test_decimal128_fits(value, ok):
    assert parquet_writer.fits(Decimal(value)) is ok


def test_parquet_decimal_column_that_cannot_hold_a_value_becomes_strings(monkeypatch, tmp_path):
    monkeypatch.setattr(parquet_writer, "ROW_GROUP", 1)  # the first rows are written first
    docs = [reportmine.parse_text("新增学位210个，投入资金172.5万元。", doc="a.txt"),
            reportmine.parse_text("结余资金0.000000000001元。", doc="b.txt")]
    assert docs[1].metrics[0].value == Decimal("1E-12")  # 12 places: more than 10
    write_tables(docs, tmp_path, formats=["csv", "parquet"], raw_cells=True)
    data = pq.read_table(tmp_path / "metrics.parquet")
    assert data.schema.field("value").type == pa.string()
    assert data.column("value").to_pylist() == \
        [r[5] for r in csv_rows(tmp_path / "metrics.csv")[1:]] == \
        ["210", "1725000", "0.000000000001"]
    assert pq.ParquetFile(tmp_path / "metrics.parquet").num_row_groups >= 2
    assert not list(tmp_path.glob(".*"))  # no partial or old file left


def test_write_tables_needs_a_known_format(tmp_path, sample_docs):
    with pytest.raises(ValueError, match="unknown output format 'xls'"):
        write_tables(sample_docs, tmp_path, formats=["xls"])


def test_formats_of_the_last_run_are_removed_when_not_written_again(corpus, tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(corpus), "-o", str(out), "-q", "--format", "jsonl",
                 "--format", "csv"]) == 1
    assert (out / "metrics.jsonl").exists()
    assert main(["extract", str(corpus), "-o", str(out), "-q"]) == 1  # no --force needed
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
        sorted(output_names("csv"))


def test_the_guard_is_the_only_difference_between_guarded_and_raw(outputs):
    out, raw = outputs
    for table, (columns, _) in TABLES.items():
        for g, r in zip(csv_rows(out / f"{table}.csv"), csv_rows(raw / f"{table}.csv")):
            assert g == [safe_cell(v) if c in TEXT_COLUMNS else v
                         for c, v in zip(columns, r)]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(outputs, tmp_path):
    out, _ = outputs
    # Every sheet to its own CSV (LibreOffice 7.2+: the last filter option -1).
    r = subprocess.run(["soffice", "--headless", "--convert-to",
                        'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,'
                        'false,false,-1', "--outdir", str(tmp_path), str(out / WORKBOOK)],
                       capture_output=True, text=True, timeout=180,
                       env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0, r.stderr
    sheet = tmp_path / "reportmine-metrics.csv"
    assert sheet.exists(), sorted(p.name for p in tmp_path.iterdir())
    rows = csv_rows(sheet)
    expected = csv_rows(out / "metrics.csv")
    assert rows[0] == expected[0] and len(rows) == len(expected)
    k = expected[0].index("value")
    assert [row[k] for row in rows] == [row[k] for row in expected]
