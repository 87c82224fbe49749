"""The workbook as another spreadsheet program reads it: LibreOffice (headless, where
installed) converts every sheet of reportmine.xlsx to CSV, and each cell must say what
the CSV table of the same run says (numbers as the same number, booleans alike)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from reportmine.cli import main
from reportmine.tables import TABLES
from tests.conftest import SAMPLES

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Text CSV filter: comma, double quote, UTF-8, from row 1, raw values (not as shown),
# every sheet to a file of its own (-1; LibreOffice 7.2 and later).
_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def _same(ours: str, theirs: str) -> bool:
    if ours == theirs:
        return True
    if ours in ("true", "false"):
        return theirs.lower() == ours
    try:
        return Decimal(ours) == Decimal(theirs)
    except InvalidOperation:
        return False


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_every_sheet_as_the_csv_tables(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["extract", str(SAMPLES), "-o", str(out), "-q",
                 "--format", "xlsx", "--format", "csv"]) == 0
    conv = tmp_path / "conv"
    try:
        done = subprocess.run(
            [SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
             "--convert-to", _FILTER, "--outdir", str(conv), str(out / "reportmine.xlsx")],
            capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        pytest.skip("LibreOffice did not finish converting in 3 minutes")
    if done.returncode != 0 or not conv.is_dir():
        pytest.skip(f"LibreOffice could not convert here: {done.stderr[-300:]}")
    rows = {}
    for name in TABLES:
        ours = list(csv.reader((out / f"{name}.csv").open(encoding="utf-8-sig", newline="")))
        theirs = list(csv.reader((conv / f"reportmine-{name}.csv").open(
            encoding="utf-8", newline="")))
        assert len(theirs) == len(ours), name
        for k, (a, b) in enumerate(zip(ours, theirs)):
            assert len(b) == len(a), (name, k)
            bad = [(ours[0][c], x, y) for c, (x, y) in enumerate(zip(a, b)) if not _same(x, y)]
            assert not bad, (name, k, bad[:3])
        rows[name] = len(ours) - 1
    assert rows["metrics"] == 382 and rows["sections"] > 100  # the samples' rows, all seen
