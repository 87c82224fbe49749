"""XLSX: one workbook (reportmine.xlsx), a sheet per table, through openpyxl.

Each sheet has its header frozen and an autofilter. Numbers are numbers: integers,
and Decimals as the sheet's numbers when the number reads back as the same digits
(15 significant digits at most, what Excel shows), else as their canonical text, so no
digit is silently lost. Flags are TRUE/FALSE. Text is guarded as in CSV (a leading '
before =, +, -, @, tab, CR in the document's text columns) unless `raw_cells`, and is
always stored as text, never as a formula. What a sheet cannot hold is changed: control
characters (shown as their pictures, U+2400…), lone surrogates (a file name that is not
UTF-8: as their backslash escapes, \\udcff, the text CSV holds) and the noncharacters
U+FFFE, U+FFFF (as \\ufffe, \\uffff), which XML refuses, and cells past Excel's 32,767
characters (cut, ending in …). A sheet past Excel's row limit is an error
(`SheetTooLarge`), raised as soon as a table outgrows it, never a corrupt workbook.
"""

from __future__ import annotations

import logging
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from ..numbers import canonical
from ..tables import TABLES, TEXT_COLUMNS, Rendered, column_types, safe_cell
from . import readable

log = logging.getLogger(__name__)

MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header included
MAX_CELL_CHARS = 32_767
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what openpyxl refuses
_NONCHAR = re.compile(r"[\ufffe\uffff]")  # what lxml refuses besides those and surrogates
# One scan of every cell finds them all: the common text has none.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class SheetTooLarge(ValueError):
    """A table has more rows than an XLSX sheet holds."""


def number(value: Decimal) -> int | float | str:
    """A Decimal as a sheet number when that loses no digit, else its canonical text."""
    text = canonical(value)
    digits = text.lstrip("-").replace(".", "").lstrip("0")
    if len(digits) > 15:
        return text
    if "." not in text:
        return int(text)
    f = float(text)
    return f if Decimal(repr(f)) == value else text


def text_cell(value: str, guarded: bool) -> str:
    if guarded:
        value = safe_cell(value)
    if _UNSAFE.search(value):
        value = _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())), readable(value))
        value = _NONCHAR.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    if len(value) > MAX_CELL_CHARS:
        value = value[:MAX_CELL_CHARS - 1] + "…"
    return value


class XlsxWriter:
    def __init__(self, out: Path, raw_cells: bool, tables: Sequence[str]) -> None:
        from openpyxl import Workbook
        from openpyxl.utils import get_column_letter

        from . import WORKBOOK

        self.out, self.final = out, out / WORKBOOK
        self.partial = out / f".{WORKBOOK}.partial"
        self.book = Workbook(write_only=True)  # rows go to temporary files, not memory
        self.sheets: dict[str, Any] = {}
        self.rows = {name: 0 for name in tables}
        self._plan: dict[str, list[tuple[str, bool]]] = {}
        for name in tables:
            ws = self.book.create_sheet(name)
            ws.freeze_panes = "A2"
            columns = TABLES[name][0]
            kinds = column_types(name)
            for k, (c, kind) in enumerate(zip(columns, kinds), 1):
                wide = kind == "str" and c in TEXT_COLUMNS
                ws.column_dimensions[get_column_letter(k)].width = 30 if wide else 12
            ws.append(columns)
            self.sheets[name] = ws
            self._plan[name] = [(kind, not raw_cells and c in TEXT_COLUMNS)
                                for c, kind in zip(columns, kinds)]

    def write(self, rendered: Rendered) -> None:
        assert rendered.cells is not None
        from openpyxl.cell import WriteOnlyCell

        for name, ws in self.sheets.items():
            rows = rendered.cells[name]
            if not rows:
                continue
            if self.rows[name] + len(rows) + 1 > MAX_ROWS:
                raise SheetTooLarge(
                    f"the {name} table has more than {MAX_ROWS - 1:,} rows, more than an XLSX "
                    "sheet holds; write it as csv, parquet or jsonl instead of xlsx")
            plan = self._plan[name]
            for row in rows:
                line: list[Any] = []
                for (kind, guarded), v in zip(plan, row):
                    if v is None or v.__class__ in (int, bool):
                        line.append(v)
                    elif isinstance(v, Decimal):
                        line.append(number(v))
                    else:
                        s = text_cell(v, guarded)
                        if s.startswith("="):  # text, never a formula
                            cell = WriteOnlyCell(ws, value=s)
                            cell.data_type = "s"
                            line.append(cell)
                        else:
                            line.append(s)
                ws.append(line)
            self.rows[name] += len(rows)

    def finish(self) -> list[tuple[Path, Path]]:
        from openpyxl.utils import get_column_letter

        for name, ws in self.sheets.items():
            last = get_column_letter(len(TABLES[name][0]))
            ws.auto_filter.ref = f"A1:{last}{self.rows[name] + 1}"
        self.book.save(self.partial)
        with open(self.partial, "rb+") as fh:
            os.fsync(fh.fileno())
        self.sheets.clear()
        return [(self.partial, self.final)]

    def abort(self) -> None:
        for ws in self.sheets.values():  # close and remove each sheet's temporary file
            try:
                ws.close()
                ws._writer.cleanup()
            except Exception:  # noqa: BLE001 - best effort: the run is failing already
                log.debug("cannot remove the temporary file of sheet %s", ws.title)
        self.sheets.clear()
        self.partial.unlink(missing_ok=True)
