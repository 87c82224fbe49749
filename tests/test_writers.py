"""Output formats: every format holds the rows CSV holds, with the types it promises."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

import reportmine
from reportmine.cli import main
from reportmine.models import Document, ErrorRecord
from reportmine.numbers import canonical
from reportmine.tables import TABLES, TEXT_COLUMNS, safe_cell, write_tables
from reportmine.writers import WORKBOOK, output_names, readable
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
# A file name that is not UTF-8: Python gives it lone surrogates (surrogateescape), which
# UTF-8 writers refuse; every format writes them as their backslash escapes, as CSV does.
ODD_NAME = os.fsdecode(b"r\xff\xfe.txt")
ODD_SHOWN = "r\\udcff\\udcfe.txt"
ODD_SOURCE = sorted(SAMPLES.glob("*.txt"))[0]  # the odd file is a copy of this sample


def make_odd_file(folder: Path) -> bool:
    """Copy ODD_SOURCE to `folder` under ODD_NAME; False where the file system (or its
    encoding) refuses such a name."""
    if ODD_NAME != "r\udcff\udcfe.txt":  # a file system encoding other than UTF-8
        return False
    try:
        shutil.copy(ODD_SOURCE, folder / ODD_NAME)
    except (OSError, UnicodeError):
        return False
    return (folder / ODD_NAME).exists()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    for p in sorted(SAMPLES.glob("*.txt")):
        shutil.copy(p, d / p.name)
    (d / "zz_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    (d / "zz_empty.txt").write_bytes(b"")  # an error row
    make_odd_file(d)  # where the file system takes it: every comparison below covers it
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


# -- text that a UTF-8 writer refuses: lone surrogates (file names not UTF-8) ------------

def _odd_rows(rows: list[list[str]]) -> list[list[str]]:
    return [r for r in rows if r[0] == ODD_SHOWN]


def test_a_file_name_not_utf8_is_written_in_every_format(corpus, outputs):
    if not (corpus / ODD_NAME).exists():
        pytest.skip("the file system refuses a file name that is not UTF-8")
    out, raw = outputs
    docs = csv_rows(out / "documents.csv")
    k_path, k_chars = docs[0].index("path"), docs[0].index("chars")
    (doc_row,) = _odd_rows(docs)
    assert doc_row[k_path].endswith("/" + ODD_SHOWN)
    assert ODD_SHOWN not in [r[0] for r in csv_rows(out / "errors.csv")]
    # The odd file is a copy of a sample: its rows are the sample's, but for the name.
    metrics = csv_rows(out / "metrics.csv")
    odd = _odd_rows(metrics)
    same = [r for r in metrics if r[0] == ODD_SOURCE.name]
    assert len(odd) > 10 and [r[1:] for r in odd] == [r[1:] for r in same]

    data = pq.read_table(out / "metrics.parquet").to_pylist()
    got = [[as_csv(v) for v in r.values()] for r in data if r["doc"] == ODD_SHOWN]
    assert len(got) == len(odd)
    assert got == _odd_rows(csv_rows(raw / "metrics.csv"))  # parquet: the raw cells
    (pdoc,) = [r for r in pq.read_table(out / "documents.parquet").to_pylist()
               if r["doc"] == ODD_SHOWN]
    assert pdoc["path"] == doc_row[k_path] and pdoc["chars"] == int(doc_row[k_chars]) > 0

    wb = openpyxl.load_workbook(out / WORKBOOK, read_only=True)
    sheet = [list(r) for r in wb["metrics"].iter_rows(min_row=2, values_only=True)]
    xodd = [r for r in sheet if r[0] == ODD_SHOWN]
    assert len(xodd) == len(odd)
    k = metrics[0].index("value")
    assert [as_csv(r[k]) for r in xodd] == [r[k] for r in odd]
    assert [r[3] for r in xodd] == [r[3] for r in odd]  # the figure's text
    xdocs = [list(r) for r in wb["documents"].iter_rows(min_row=2, values_only=True)]
    assert [r[k_path] for r in xdocs if r[0] == ODD_SHOWN] == [doc_row[k_path]]

    # JSONL: the same text, which a strict JSON reader takes too (a lone surrogate's
    # \\udcff escape it refuses).
    import pyarrow.json as pj

    records = pj.read_json(out / "metrics.jsonl").to_pylist()
    assert [r["text"] for r in records if r["doc"] == ODD_SHOWN] == [r[3] for r in odd]
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert ODD_SHOWN in [json.loads(ln)["doc"] for ln in lines]
    assert not [p.name for p in out.iterdir() if p.name.endswith(".partial")]


def test_a_file_name_not_utf8_alone_in_every_format(tmp_path):
    """The reported run: a folder holding only such a file, every format at once."""
    src = tmp_path / "src"
    src.mkdir()
    if not make_odd_file(src):
        pytest.skip("the file system refuses a file name that is not UTF-8")
    out = tmp_path / "out"
    assert main(["extract", str(src), "-o", str(out), "-q", "--jobs", "1", "--format",
                 "xlsx", "--format", "parquet", "--format", "jsonl", "--format", "csv"]) == 0
    wb = openpyxl.load_workbook(out / WORKBOOK, read_only=True)
    for table in TABLES:
        expected = csv_rows(out / f"{table}.csv")[1:]
        assert all(r[0] == ODD_SHOWN for r in expected), table
        sheet = list(wb[table].iter_rows(min_row=2, values_only=True))
        assert [r[0] for r in sheet] == [r[0] for r in expected], table
        data = pq.read_table(out / f"{table}.parquet")
        assert data.column("doc").to_pylist() == [r[0] for r in expected], table
        lines = (out / f"{table}.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(ln)["doc"] for ln in lines] == [r[0] for r in expected], table
    assert len(csv_rows(out / "metrics.csv")) > 10


def test_lone_surrogates_in_any_text_cell_are_written_as_csv_writes_them(tmp_path):
    """Not only file names: any text (here a name and an error message a caller made),
    and surrogates surrogateescape never makes (\\ud800)."""
    bad = "坏\udcff\ud800名.txt"
    shown = "坏\\udcff\\ud800名.txt"
    doc = reportmine.parse_text(HOSTILE, doc=bad)
    failed = Document(doc="e" + bad, path="/x/e" + bad, text="",
                      error=ErrorRecord(path="e" + bad, stage="read", reason="unreadable",
                                        message=f"cannot read {bad}"))
    counts = write_tables([doc, failed], tmp_path, formats=["csv", "parquet", "xlsx", "jsonl"])
    metrics = csv_rows(tmp_path / "metrics.csv")[1:]
    assert counts["metrics"] == len(metrics) > 3 and {r[0] for r in metrics} == {shown}
    error = [("e" + shown, f"cannot read {shown}")]  # (doc, message)
    errors = csv_rows(tmp_path / "errors.csv")[1:]
    assert [(r[0], r[-1]) for r in errors] == error

    data = pq.read_table(tmp_path / "metrics.parquet")
    assert data.column("doc").to_pylist() == [shown] * len(metrics)
    assert [as_csv(v) for v in data.column("value").to_pylist()] == [r[5] for r in metrics]
    perr = pq.read_table(tmp_path / "errors.parquet").to_pylist()
    assert [(e["doc"], e["message"]) for e in perr] == error

    wb = openpyxl.load_workbook(tmp_path / WORKBOOK, read_only=True)
    sheet = list(wb["metrics"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in sheet] == [shown] * len(metrics)
    assert [as_csv(r[5]) for r in sheet] == [r[5] for r in metrics]
    xerr = list(wb["errors"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[-1]) for r in xerr] == error

    records = [json.loads(ln) for ln in
               (tmp_path / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(r["doc"], r["message"]) for r in records] == error
    assert not list(tmp_path.glob(".*"))  # no partial file left


def test_readable_escapes_only_lone_surrogates():
    assert readable("r\udcff\udcfe.txt") == "r\\udcff\\udcfe.txt"
    assert readable("a\ud800b") == "a\\ud800b"
    plain = "普通文本\\udcff 😀"  # a real backslash and an astral character stay
    assert readable(plain) is plain


def test_xlsx_text_a_sheet_cannot_hold(tmp_path):
    """XML refuses U+FFFE and U+FFFF as it does surrogates: escaped too, never a crash."""
    assert xlsx_writer.text_cell("=a\ufffe\x0b\udcff", True) == "'=a\\ufffe␋\\udcff"
    doc = reportmine.parse_text("新增学位210个\ufffe，投入资金172.5万元。\n", doc="n\uffff.txt")
    write_tables([doc], tmp_path, formats=["csv", "xlsx"])
    sheet = list(openpyxl.load_workbook(tmp_path / WORKBOOK, read_only=True)["metrics"]
                 .iter_rows(min_row=2, values_only=True))
    k = TABLES["metrics"][0].index("sentence")
    assert [(r[0], r[3], r[k]) for r in sheet] == [
        ("n\\uffff.txt", "210个", "新增学位210个\\ufffe，投入资金172.5万元。"),
        ("n\\uffff.txt", "172.5万元", "新增学位210个\\ufffe，投入资金172.5万元。")]
    assert [r[0] for r in csv_rows(tmp_path / "metrics.csv")[1:]] == ["n\uffff.txt"] * 2


def test_dask_writes_a_file_name_not_utf8(tmp_path):
    """The Dask engine's parts (a new part, and one patched: the odd file's rows copied
    from the last run's part) hold the name as every other writer does."""
    pytest.importorskip("dask")
    pytest.importorskip("distributed")
    from reportmine.dask import extract_dask

    src = tmp_path / "src"
    src.mkdir()
    if not make_odd_file(src):
        pytest.skip("the file system refuses a file name that is not UTF-8")
    other = src / "b.txt"
    shutil.copy(sorted(SAMPLES.glob("*.txt"))[1], other)
    alone, local = tmp_path / "alone", tmp_path / "local"  # the odd file's local run
    alone.mkdir()
    assert make_odd_file(alone)
    assert main(["extract", str(alone), "-o", str(local), "-q", "--jobs", "1"]) == 0
    expected = [(r[0], r[3], r[5]) for r in csv_rows(local / "metrics.csv")[1:]]
    assert {d for d, _, _ in expected} == {ODD_SHOWN}
    out = tmp_path / "out"
    for edit in (False, True):
        if edit:  # b.txt changes: its part is patched, the odd file's rows copied
            with open(other, "a", encoding="utf-8") as fh:
                fh.write("新增学位210个。\n")
        run = extract_dask([str(src)], str(out), n_workers=1, partition_size=2)
        assert (run.processed, run.reused) == ((1, 1) if edit else (2, 0))
        assert len(list((out / "metrics").glob("part-*.parquet"))) == 1  # both in one part
        rows = pq.read_table(out / "metrics").to_pylist()
        got = [(r["doc"], r["text"], as_csv(r["value"])) for r in rows if r["doc"] != "b.txt"]
        assert got == expected and len(got) > 10
        assert sorted(pq.read_table(out / "documents").column("doc").to_pylist()) == \
            sorted(["b.txt", ODD_SHOWN])
