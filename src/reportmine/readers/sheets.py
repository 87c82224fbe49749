"""Spreadsheets: .xlsx (openpyxl) and legacy .xls (xlrd) → the document's text.

Each visible sheet, in workbook order, becomes its title rows (rows at the top that
hold a single non-empty cell: the title merged across the columns, "单位：万元"), one
paragraph each, then the rest as one table whose grid keeps the merged ranges.
Cells read as the sheet shows them: cached values of formulas, percent formats as
"5.2%", dates as ISO dates, numbers without float noise.

openpyxl (MIT) is used in full mode because read-only mode loses merged cells;
xlrd (BSD) with formatting_info=True is the one reader that gives .xls merged
cells and number formats (python-calamine gives neither formats nor error values).
See /tmp/notes/sheets.md for the measurements behind the choice.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterator

from .base import ReadError, ReadResult, TextBuilder

__all__ = ["read_xlsx", "read_xls", "format_number"]

# Bounds checked on the ZIP directory before anything is decompressed. Real sheet
# XML compresses 5-20:1 (mostly-empty styled rows up to ~100:1); a bomb, 1000:1.
MAX_UNCOMPRESSED = 300 * 2**20
MAX_RATIO = 200
RATIO_FLOOR = 8 * 2**20          # small members may compress as well as they like
_PROLOG_CHUNK = 64 * 2**10

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is an OLE file holding this stream (its name in UTF-16).
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


@dataclass
class _Sheet:
    """One sheet as read: formatted cell texts and merged ranges (inclusive, 0-based)."""

    name: str
    hidden: bool
    rows: list[list[str]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


# ---------------------------------------------------------------- cell values

def _plain(d: Decimal) -> str:
    """A Decimal as a plain string: no exponent, no trailing zeros after the point."""
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _to_decimal(value: float | int) -> Decimal:
    # 15 significant digits is what Excel shows: 654.4599999999998 → 654.46.
    return Decimal(value) if isinstance(value, int) else Decimal(format(value, ".15g"))


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')


def _format_shape(fmt: str) -> tuple[bool, int, int] | None:
    """(percent, min decimals, max decimals) of a number format's positive section,
    or None for General, text and formats shown as general here (scientific, fractions)."""
    section = _QUOTED.sub("", fmt).split(";")[0]
    if not re.search(r"[0#?]", section) or re.search(r"[Ee][+-]|/", section):
        return None
    point = section.find(".")
    decimals = re.match(r"[0#?]*", section[point + 1:]).group() if point >= 0 else ""
    return "%" in section, decimals.count("0"), len(decimals)


def format_number(value: float | int, fmt: str = "General") -> str:
    """A number as a sheet with number format `fmt` shows it, without float noise:
    2.68 → "2.68", 12.0 → "12", 0.052 with "0.0%" → "5.2%", 2.6 with "0.00" → "2.60".
    Thousands separators are left out (the figure reads the same)."""
    d = _to_decimal(value)
    shape = _format_shape(fmt) if fmt else None
    if shape is None:
        return _plain(d)
    percent, min_dec, max_dec = shape
    if percent:
        d = d * 100
    d = d.quantize(Decimal(1).scaleb(-max_dec), rounding=ROUND_HALF_UP)
    s = format(d, "f")
    if max_dec > min_dec:  # optional digits (#): drop their trailing zeros
        keep = len(s) - max_dec + min_dec
        s = s[:keep] + s[keep:].rstrip("0") if "." in s else s
        s = s.rstrip(".")
    if s.startswith("-") and not d:
        s = s[1:]
    return s + "%" if percent else s


def _date_text(value: dt.datetime | dt.date | dt.time | dt.timedelta) -> str:
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _value_text(value: Any, fmt: str) -> str:
    """A cell's value as text: booleans TRUE/FALSE, numbers by their format, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_number(value, fmt)
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return _date_text(value)
    return str(value)


# ------------------------------------------------------------- sheet → text

def _non_empty(row: list[str]) -> int:
    return sum(1 for c in row if c.strip())


def _title_rows(rows: list[list[str]]) -> int:
    """How many rows at the top are titles (a single non-empty cell) or empty."""
    for i, row in enumerate(rows):
        if _non_empty(row) >= 2:
            return i
    return len(rows)


def _table_part(sheet: _Sheet, first: int) -> tuple[list[list[str]],
                                                   dict[tuple[int, int], tuple[int, int]]]:
    """The rows from `first` on without empty rows and trailing empty columns, and the
    spans of merged ranges anchored there, counted in the rows kept."""
    kept = [i for i in range(first, len(sheet.rows)) if _non_empty(sheet.rows[i])]
    if not kept:
        return [], {}
    index = {r: k for k, r in enumerate(kept)}
    anchored = [m for m in sheet.merges
                if m[0] in index and m[1] < len(sheet.rows[m[0]]) and sheet.rows[m[0]][m[1]].strip()]
    width = max(max(j + 1 for j, c in enumerate(sheet.rows[r]) if c.strip()) for r in kept)
    width = max([width] + [m[3] + 1 for m in anchored])
    rows = [(sheet.rows[r] + [""] * width)[:width] for r in kept]
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for r0, c0, r1, c1 in anchored:
        rowspan = sum(1 for r in kept if r0 <= r <= r1)
        colspan = c1 - c0 + 1
        if rowspan > 1 or colspan > 1:
            spans[(index[r0], c0)] = (rowspan, colspan)
    return rows, spans


def _build(sheets: list[_Sheet], fmt: str, size: int) -> ReadResult:
    tb = TextBuilder()
    warnings: list[str] = []
    for sheet in sheets:
        name = sheet.name.rstrip()
        if sheet.hidden:
            warnings.append(f"sheet {name!r} is hidden: skipped")
            continue
        first = _title_rows(sheet.rows)
        for row in sheet.rows[:first]:
            tb.paragraph(" ".join(c.strip() for c in row if c.strip()))
        rows, spans = _table_part(sheet, first)
        if rows:
            tb.table(rows, source=fmt, name=name, spans=spans)
    return tb.result(fmt, size, warnings=tuple(warnings))


# ------------------------------------------------------------------- .xlsx

def _check_encrypted_ole(data: bytes) -> None:
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            raise ReadError("encrypted", "is a password-protected Excel workbook: save it "
                            "without a password and read it again")
        raise ReadError("corrupt", "is an OLE (Office 97-2003) file, not an .xlsx workbook")


def _check_sizes(z: zipfile.ZipFile) -> None:
    """Refuse a ZIP bomb by the sizes its directory declares (zipfile never
    inflates a member past its declared size, so these bound the work)."""
    infos = z.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise ReadError("too_large", f"would expand to {total / 2**20:.0f} MiB "
                        f"(limit {MAX_UNCOMPRESSED // 2**20} MiB): a ZIP bomb?")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise ReadError("too_large", f"member {i.filename} expands "
                            f"{i.file_size // max(i.compress_size, 1)}:1: a ZIP bomb?")


class _Dtd(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _raise_entity(*_: object) -> None:
    raise _Dtd("too_large", "declares XML entities (an entity-expansion bomb?)")


def _raise_dtd(*_: object) -> None:
    raise _Dtd("corrupt", "holds a DTD, which Office XML never does")


def _raise_root(*_: object) -> None:
    raise StopIteration  # the prolog is over: no DTD can follow


def _check_prolog(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Parse an XML member up to its root element and refuse any DTD: entity bombs
    and external entities need one, and OOXML parts never declare one."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.EntityDeclHandler = _raise_entity
    parser.EndDoctypeDeclHandler = _raise_dtd
    parser.StartElementHandler = _raise_root
    with z.open(info) as f:
        try:
            while chunk := f.read(_PROLOG_CHUNK):
                parser.Parse(chunk, False)
        except StopIteration:
            return
        except _Dtd as exc:
            raise ReadError(exc.reason, f"{info.filename} {exc}") from None
        except expat.ExpatError:
            return  # not XML, or broken: the workbook parser will say so


def _looks_like_xml(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    with z.open(info) as f:
        head = f.read(4)
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") or head[:2] in (
        b"\xff\xfe", b"\xfe\xff")


def _check_package(data: bytes) -> None:
    _check_encrypted_ole(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            _check_sizes(z)
            if "xl/workbook.xml" not in z.namelist():
                raise ReadError("corrupt", "is a ZIP archive without a workbook in it")
            for info in z.infolist():
                if not info.is_dir() and _looks_like_xml(z, info):
                    _check_prolog(z, info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise ReadError("corrupt", f"is a damaged .xlsx (ZIP) file: {exc}") from None
    except NotImplementedError as exc:  # an unknown compression method
        raise ReadError("corrupt", f"is an .xlsx file zipped in a way not read: {exc}") from None


def _openpyxl_sheet(ws: Any) -> _Sheet:
    rows = [[_value_text(c.value, c.number_format) for c in row] for row in ws.iter_rows()]
    merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1)
              for m in ws.merged_cells.ranges]
    return _Sheet(ws.title, ws.sheet_state != "visible", rows, merges)


def read_xlsx(data: bytes, size: int) -> ReadResult:
    """An .xlsx workbook's text: each visible sheet's title rows, then its table."""
    import warnings
    from xml.etree.ElementTree import ParseError

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _check_package(data)
    try:
        with warnings.catch_warnings():  # unsupported extensions: irrelevant to the text
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
            sheets = [_openpyxl_sheet(ws) for ws in wb.worksheets]
    except (InvalidFileException, zipfile.BadZipFile, ParseError, KeyError, ValueError,
            TypeError, AttributeError, IndexError) as exc:
        raise ReadError("corrupt", f"is a damaged .xlsx workbook: {type(exc).__name__}: "
                        f"{exc}") from None
    return _build(sheets, "xlsx", size)


# -------------------------------------------------------------------- .xls

def _xlrd_value(book: Any, cell: Any) -> str:
    import xlrd

    ctype = cell.ctype
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#N/A")
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return _date_text(xlrd.xldate_as_datetime(cell.value, book.datemode))
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return format_number(cell.value)
    if ctype == xlrd.XL_CELL_NUMBER:
        xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
        fmt = book.format_map.get(xf.format_key) if xf is not None else None
        return format_number(cell.value, fmt.format_str if fmt else "General")
    return str(cell.value)


def _xlrd_sheet(book: Any, sh: Any) -> _Sheet:
    rows = [[_xlrd_value(book, c) for c in sh.row(r)] for r in range(sh.nrows)]
    merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in sh.merged_cells]
    return _Sheet(sh.name, sh.visibility != 0, rows, merges)


def read_xls(data: bytes, size: int) -> ReadResult:
    """A legacy .xls (BIFF) workbook's text, by the same conventions as read_xlsx."""
    import struct

    import xlrd
    from xlrd.compdoc import CompDocError

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
        try:
            sheets = [_xlrd_sheet(book, book.sheet_by_index(i)) for i in range(book.nsheets)]
        finally:
            book.release_resources()
    except xlrd.XLRDError as exc:
        if "encrypted" in str(exc).lower():
            raise ReadError("encrypted", "is a password-protected .xls workbook: save it "
                            "without a password and read it again") from None
        raise ReadError("corrupt", f"is a damaged .xls workbook: {exc}") from None
    except (CompDocError, struct.error, IndexError, KeyError, ValueError, AssertionError,
            UnicodeDecodeError, EOFError, TypeError) as exc:
        raise ReadError("corrupt", f"is a damaged .xls workbook: {type(exc).__name__}: "
                        f"{exc}") from None
    return _build(sheets, "xls", size)
