"""Readers: a file's bytes → the document's text, whatever its format.

A file is recognised by its bytes (magic numbers), never by its name: a PDF renamed
.txt is read as a PDF. Text formats (.txt, .md, .html) are decoded here; PDF, Word
and spreadsheets have a module each. Readers of binary formats run in a child process
with a time and memory bound (`isolate`), so a file that crashes a C library or
expands into gigabytes is an error row, never a dead worker.

    format     recognised by                          reader
    text       decodable bytes                        reading.decode_bytes
    markdown   text with front matter or Markdown     (text)
    html       text starting with markup              decode_html
    pdf        %PDF in the first KiB                  pdf.read_pdf
    docx       ZIP holding word/document.xml          docx.read_docx
    xlsx       ZIP holding xl/workbook.xml            sheets.read_xlsx
    xls        OLE file holding a Workbook stream     sheets.read_xls
    doc, wps   OLE file holding a WordDocument stream doc.read_doc, where installed
"""

from __future__ import annotations

import importlib
import io
import zipfile
from pathlib import Path
from typing import Callable

from ..markdown import looks_like_markdown
from ..markup import find_front_matter
from ..reading import (DEFAULT_MAX_BYTES, SUPPORTED_GLOBS, ReadError, decode_bytes,
                       read_bytes)
from .base import PAGE_BREAK, Cell, Grid, ReadResult, TextBuilder
from .html import decode_html, looks_like_html
from .isolate import run_isolated

__all__ = ["read_document", "read_bytes_as_document", "detect_format", "ReadResult", "Grid",
           "Cell", "TextBuilder", "PAGE_BREAK", "ReadError", "SUPPORTED_GLOBS", "FORMATS"]

FORMATS = ("text", "markdown", "html", "pdf", "docx", "xlsx", "xls", "doc")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Formats recognised only to say what to do with them.
_UNSUPPORTED_MAGIC = (
    (b"{\\rtf", "an RTF document", "save it as .docx"),
    (b"\x89PNG", "a PNG image", "an image holds no text layer; OCR it or find the text"),
    (b"\xff\xd8\xff", "a JPEG image", "an image holds no text layer; OCR it or find the text"),
    (b"GIF8", "a GIF image", "an image holds no text layer"),
    (b"II*\x00", "a TIFF image", "an image holds no text layer; OCR it or find the text"),
    (b"MM\x00*", "a TIFF image", "an image holds no text layer; OCR it or find the text"),
    (b"\x1f\x8b", "a gzip archive", "unpack it first"),
    (b"\xfd7zXZ\x00", "an xz archive", "unpack it first"),
    (b"Rar!", "a RAR archive", "unpack it first"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "unpack it first"),
    (b"SQLite format 3\x00", "an SQLite database", "export its text"),
    (b"\x7fELF", "an executable", ""),
)
# (module, function) of each binary reader, imported when first needed.
_READERS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "read_pdf"),
    "docx": ("docx", "read_docx"),
    "xlsx": ("sheets", "read_xlsx"),
    "xls": ("sheets", "read_xls"),
    "doc": ("doc", "read_doc"),
}
# Libraries a reader needs, imported before the child is forked so that each file
# does not pay for the import again.
_PRELOAD: dict[str, tuple[str, ...]] = {
    "pdf": ("pypdfium2",), "docx": ("lxml.etree",), "xlsx": ("openpyxl",),
    "xls": ("xlrd",), "doc": ("olefile",)}
# The same signal count as the cleaner's default rules (only the documents.csv
# `format` column depends on it; the cleaner decides with the rules in use).
_MARKDOWN_SIGNALS = 2
_ODF = {b"application/vnd.oasis.opendocument.text": ("an OpenDocument text (.odt)",
                                                     "save it as .docx"),
        b"application/vnd.oasis.opendocument.spreadsheet": (
            "an OpenDocument spreadsheet (.ods)", "save it as .xlsx")}


def _zip_format(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "mimetype" in names:
                mime = z.read("mimetype")[:100].strip()
                if mime in _ODF:
                    what, todo = _ODF[mime]
                    raise ReadError("unsupported", f"is {what}: {todo}")
    except zipfile.BadZipFile as exc:
        raise ReadError("corrupt", f"is a damaged ZIP archive (a truncated .docx or "
                        f".xlsx?): {exc}") from None
    if "word/document.xml" in names or any(n.endswith("/document.xml") and n.startswith("word")
                                           for n in names):
        return "docx"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names and "xl/workbook.xml" not in names:
            raise ReadError("unsupported", "is an Excel binary workbook (.xlsb): save it "
                            "as .xlsx")
        return "xlsx"
    if "ppt/presentation.xml" in names:
        raise ReadError("unsupported", "is a PowerPoint presentation (.pptx): export it "
                        "as PDF")
    if "[Content_Types].xml" in names:
        raise ReadError("corrupt", "is an Office ZIP package with neither a Word document "
                        "nor a workbook in it")
    raise ReadError("unsupported", "is a ZIP archive, not a Word or Excel file: unpack it "
                    "first")


def _ole_format(data: bytes) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # olefile raises several types on damaged files
        raise ReadError("corrupt", f"is a damaged OLE (Office 97-2003) file: {exc}") from None
    with ole:
        streams = {"/".join(e) for e in ole.listdir(streams=True, storages=False)}
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise ReadError("encrypted", "is a password-protected Office file: remove the "
                        "password (save it unprotected) and read it again")
    if "Workbook" in streams or "Book" in streams:
        return "xls"
    if "WordDocument" in streams:
        return "doc"
    if "PowerPoint Document" in streams:
        raise ReadError("unsupported", "is a PowerPoint 97-2003 presentation (.ppt): "
                        "export it as PDF")
    raise ReadError("unsupported", "is an OLE file (Office 97-2003) of a kind reportmine "
                    "does not read: save it as .docx or .xlsx")


def detect_format(data: bytes) -> str:
    """The format of `data` by its bytes: one of FORMATS ("text" for anything that
    may be text; decoding tells it apart). Raises ReadError for what is recognised
    and not read."""
    if b"%PDF-" in data[:1024]:  # the spec allows bytes before the header
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if data.startswith(_OLE):
        return _ole_format(data)
    for magic, what, todo in _UNSUPPORTED_MAGIC:
        if data.startswith(magic):
            raise ReadError("unsupported", f"is {what}" + (f": {todo}" if todo else ""))
    return "text"


def _binary_reader(fmt: str) -> Callable[[bytes, int], ReadResult]:
    module, func = _READERS[fmt]
    try:
        mod = importlib.import_module(f".{module}", __name__)
    except ImportError as exc:
        if fmt == "doc":
            raise ReadError("unsupported", "is a Word 97-2003 (.doc) or WPS document, "
                            "which this installation does not read: save it as .docx") from None
        raise ReadError("unsupported", f"needs a library that is not installed ({exc.name}):"
                        f" reinstall reportmine") from None
    for name in _PRELOAD.get(fmt, ()):
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # a reader that needs it says so
    return getattr(mod, func)


def _text_result(data: bytes) -> ReadResult:
    if looks_like_html(data):
        text, enc = decode_html(data)
        return ReadResult(text=text, format="html", encoding=enc, size=len(data))
    text, enc = decode_bytes(data)
    fmt = "markdown" if (find_front_matter(text) is not None
                         or looks_like_markdown(text, _MARKDOWN_SIGNALS)) else "text"
    return ReadResult(text=text, format=fmt, encoding=enc, size=len(data))


def read_bytes_as_document(data: bytes, *, timeout: float | None = None,
                           memory: int | None = None, isolate: bool = True) -> ReadResult:
    """The document in `data`, read by the reader of its format.

    Binary formats are read in a child process bounded by `timeout` seconds and
    `memory` bytes (defaults in isolate.py) unless `isolate` is false.
    """
    fmt = detect_format(data)
    if fmt == "text":
        return _text_result(data)
    reader = _binary_reader(fmt)
    if not isolate:
        return reader(data, len(data))
    return run_isolated(reader, data, fmt, timeout=timeout, memory=memory)


def read_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, *,
                  timeout: float | None = None, memory: int | None = None,
                  isolate: bool = True) -> ReadResult:
    """Read one file of any supported format, or raise ReadError with the reason."""
    data = read_bytes(path, max_bytes)
    result = read_bytes_as_document(data, timeout=timeout, memory=memory, isolate=isolate)
    if not result.text or result.text.isspace():
        raise ReadError("empty", "holds no text" if result.format in ("text", "markdown", "html")
                        else f"is a {result.format} file with no text in it")
    return result
