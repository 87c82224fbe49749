"""Tables: the records as pandas DataFrames with a fixed column order, and as CSV.

CSV is written with the standard csv module, row by row as documents finish (no pandas
on the batch path), in UTF-8 with a BOM so that Excel and WPS open it. Each table is
written to a temporary file and renamed into place when the run completes, so an
interrupted run never leaves a partial table under a final name. The other output
formats (Parquet, XLSX, JSONL) live in `reportmine.writers`; `write_tables` writes any
of them, and `COLUMN_TYPES` says what each column holds, for the typed formats.

`EncodedRows` is a document's rows as the very bytes the CSV tables hold: what a worker
of `reportmine extract` sends back and what an incremental run keeps per document, so
that the writing process only copies bytes. This module imports neither pydantic nor
pandas until a function needs them: a run that only merges cached rows never does.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import json
import logging
import os
import signal
import typing
import zlib
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

if TYPE_CHECKING:
    import pandas as pd

    from .models import Document, ErrorRecord

log = logging.getLogger(__name__)

METRIC_COLUMNS = [
    "doc", "start", "end", "text", "kind", "value", "value_max", "unit", "approx", "masked",
    "modality", "indicator", "section", "sentence",
    "heading", "role", "period", "subject", "sentence_start", "sentence_end", "page",
    "ocr", "table", "row", "col", "indicator_key", "indicator_name",
]
SECTION_COLUMNS = [
    "doc", "id", "parent", "level", "marker", "number", "title", "start", "end",
    "body_start", "body_end", "path", "part", "metrics", "page",
]
REMOVAL_REASONS = ["ad", "scraper", "portal", "markup", "page_number", "page_furniture",
                   "footnote_mark", "duplicate"]
DOCUMENT_COLUMNS = [
    "doc", "path", "format", "pages", "encoding", "script", "title", "title_start", "bytes",
    "chars",
    "sections", "tables", "metrics", "rejected", "removed_chars",
] + [f"removed_{r}" for r in REMOVAL_REASONS] + ["removed_other"]
TABLE_COLUMNS = ["doc", "id", "start", "end", "rows", "cols", "header_rows", "caption",
                 "unit", "source"]
REMOVAL_COLUMNS = ["doc", "start", "end", "reason", "rule", "excerpt"]
REJECTION_COLUMNS = ["doc", "start", "end", "text", "reason", "rule"]
ERROR_COLUMNS = ["doc", "stage", "reason", "message"]
CHECK_COLUMNS = ["doc", "check", "status", "metrics", "expected", "found", "message", "texts"]

# What each column holds, for the typed formats (Parquet, XLSX, JSONL): int, int? (an
# integer or empty), dec (an exact Decimal, or empty), bool, enum (a value of a small
# set, or empty) and str (text; every column not named here).
COLUMN_TYPES: dict[str, dict[str, str]] = {
    "documents": {"format": "enum", "pages": "int?", "encoding": "enum", "script": "enum",
                  **{c: "int" for c in DOCUMENT_COLUMNS[7:] if c != "title"}},
    "sections": {"id": "int", "parent": "int?", "level": "int", "number": "int",
                 "start": "int", "end": "int", "body_start": "int", "body_end": "int",
                 "part": "enum", "metrics": "int", "page": "int?"},
    "metrics": {"start": "int", "end": "int", "kind": "enum", "value": "dec",
                "value_max": "dec", "approx": "enum", "masked": "bool", "modality": "enum",
                "role": "enum", "sentence_start": "int", "sentence_end": "int",
                "page": "int?", "ocr": "bool", "table": "int?", "row": "int?", "col": "int?"},
    "tables": {"id": "int", "start": "int", "end": "int", "rows": "int", "cols": "int",
               "header_rows": "int", "source": "enum"},
    "removed": {"start": "int", "end": "int", "reason": "enum"},
    "rejected": {"start": "int", "end": "int", "reason": "enum"},
    "errors": {"stage": "enum", "reason": "enum"},
    "checks": {"check": "enum", "status": "enum", "expected": "dec", "found": "dec"},
}


def column_types(table: str) -> list[str]:
    """The type of each column of `table`, in column order."""
    given = COLUMN_TYPES[table]
    return [given.get(c, "str") for c in TABLES[table][0]]

# Columns holding text from the document: guarded against spreadsheet formulas.
# `text` of metrics.csv and rejected.csv is not among them: it is a contract column, the
# exact slice of the document, and a figure (-12.5%) is no formula.
TEXT_COLUMNS = frozenset({"indicator", "sentence", "heading", "title", "excerpt",
                          "marker", "subject", "message", "doc", "path", "section",
                          "texts", "caption"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EXCERPT = 60


def safe_cell(value: str) -> str:
    """A text cell Excel and WPS show as text: a leading ' before =, +, -, @, tab, CR."""
    return "'" + value if value.startswith(_FORMULA_START) else value


# -- rows -------------------------------------------------------------------------
def metric_rows(doc: Document) -> Iterable[dict[str, Any]]:
    for m in doc.metrics:
        yield {
            "doc": m.doc, "start": m.start, "end": m.end, "text": m.text, "kind": m.kind.value,
            "value": m.value, "value_max": m.value_max, "unit": m.unit,
            "approx": m.approx.value if m.approx else "", "masked": m.masked,
            "modality": m.modality.value, "indicator": m.indicator, "section": m.section,
            "sentence": m.sentence, "heading": m.heading, "role": m.role.value,
            "period": m.period, "subject": m.subject, "sentence_start": m.sentence_start,
            "sentence_end": m.sentence_end, "page": m.page, "ocr": m.ocr,
            "table": m.table, "row": m.row, "col": m.col,
            "indicator_key": m.indicator_key, "indicator_name": m.indicator_name,
        }


def section_rows(doc: Document) -> Iterable[dict[str, Any]]:
    counts = {s.id: 0 for s in doc.sections}
    paths = {s.path: s.id for s in doc.sections}
    for m in doc.metrics:
        sid = paths.get(m.section)
        if sid is not None:
            counts[sid] += 1
    for s in doc.sections:
        row = s.model_dump()
        row["metrics"] = counts[s.id]
        row["parent"] = "" if s.parent is None else s.parent
        row["page"] = "" if s.page is None else s.page
        yield row


def document_rows(doc: Document) -> Iterable[dict[str, Any]]:
    if not doc.ok:
        return
    removed = doc.removed_chars()
    row: dict[str, Any] = {
        "doc": doc.doc, "path": doc.path, "format": doc.format,
        "pages": doc.pages if doc.page_starts else "", "encoding": doc.encoding,
        "script": doc.script,
        "title": doc.title, "title_start": doc.title_start, "bytes": doc.size_bytes,
        "chars": doc.chars, "sections": len(doc.sections), "tables": len(doc.tables),
        "metrics": len(doc.metrics),
        "rejected": len(doc.rejections), "removed_chars": sum(removed.values()),
    }
    for r in REMOVAL_REASONS:
        row[f"removed_{r}"] = removed.get(r, 0)
    row["removed_other"] = sum(v for k, v in removed.items() if k not in REMOVAL_REASONS)
    yield row


def removal_rows(doc: Document) -> Iterable[dict[str, Any]]:
    for r in doc.removals:
        excerpt = doc.text[r.start:r.end]
        if len(excerpt) > _EXCERPT:
            excerpt = excerpt[:_EXCERPT - 1] + "…"
        yield {"doc": r.doc, "start": r.start, "end": r.end, "reason": r.reason,
               "rule": r.rule, "excerpt": excerpt.replace("\n", "⏎")}


def rejection_rows(doc: Document) -> Iterable[dict[str, Any]]:
    for r in doc.rejections:
        yield r.model_dump()


def table_rows(doc: Document) -> Iterable[dict[str, Any]]:
    for t in doc.tables:
        yield t.model_dump()


def error_rows(doc: Document) -> Iterable[dict[str, Any]]:
    if doc.error is not None:
        e = doc.error
        yield {"doc": e.path, "stage": e.stage, "reason": e.reason, "message": e.message}


def check_rows(doc: Document) -> Iterable[dict[str, Any]]:
    for c in doc.checks:
        yield {"doc": c.doc, "check": c.check, "status": c.status.value,
               "metrics": ";".join(map(str, c.metrics)), "expected": c.expected,
               "found": c.found, "message": c.message,
               "texts": ";".join(t.replace("\n", "⏎") for t in c.texts)}


TABLES: dict[str, tuple[list[str], Callable[[Document], Iterable[dict[str, Any]]]]] = {
    "documents": (DOCUMENT_COLUMNS, document_rows),
    "sections": (SECTION_COLUMNS, section_rows),
    "metrics": (METRIC_COLUMNS, metric_rows),
    "tables": (TABLE_COLUMNS, table_rows),
    "removed": (REMOVAL_COLUMNS, removal_rows),
    "rejected": (REJECTION_COLUMNS, rejection_rows),
    "errors": (ERROR_COLUMNS, error_rows),
    "checks": (CHECK_COLUMNS, check_rows),
}


# Tables whose columns are the attributes of a record, in order: their CSV rows are
# read off the records directly (the two largest tables, on the batch path). An enum
# member is written as its value, as the dict rows give it.
_AS_ATTRIBUTES: dict[str, tuple[Callable[[Document], Iterable[Any]], Callable[[Any], tuple]]] = {
    "metrics": (attrgetter("metrics"), attrgetter(*METRIC_COLUMNS)),
    "rejected": (attrgetter("rejections"), attrgetter(*REJECTION_COLUMNS)),
}


@functools.lru_cache(maxsize=None)
def _cell_plan(table: str, raw: bool) -> tuple[list[int], list[int], list[int]]:
    """The columns of a record table that hold Decimals, flags, and guarded text."""
    from .models import Metric, Rejection

    fields = {"metrics": Metric, "rejected": Rejection}[table].model_fields
    decimals, flags, texts = [], [], []
    for k, c in enumerate(TABLES[table][0]):
        kinds = typing.get_args(fields[c].annotation) or (fields[c].annotation,)
        if Decimal in kinds:
            decimals.append(k)
        elif bool in kinds:
            flags.append(k)
        elif not raw and c in TEXT_COLUMNS:
            if str not in kinds:
                raise TypeError(f"{table}.{c}: a guarded column must hold text")
            texts.append(k)
    return decimals, flags, texts


# -- DataFrames -------------------------------------------------------------------
def _frame(docs: Iterable[Document], table: str) -> "pd.DataFrame":
    import pandas as pd

    columns, rows = TABLES[table]
    return pd.DataFrame([r for d in docs for r in rows(d)], columns=columns)


def metrics_frame(docs: Iterable[Document]) -> "pd.DataFrame":
    """One row per quantity; `value` and `value_max` are exact Decimals."""
    return _frame(docs, "metrics")


def sections_frame(docs: Iterable[Document]) -> "pd.DataFrame":
    """One row per heading of each document's outline."""
    return _frame(docs, "sections")


def documents_frame(docs: Iterable[Document]) -> "pd.DataFrame":
    """One row per document read, with what was removed from it by reason."""
    return _frame(docs, "documents")


def removals_frame(docs: Iterable[Document]) -> "pd.DataFrame":
    """One row per range the cleaner removed, with its reason and rule."""
    return _frame(docs, "removed")


def tables_frame(docs: Iterable[Document]) -> "pd.DataFrame":
    """One row per table found in a document: where, its size, caption, unit, source."""
    return _frame(docs, "tables")


def errors_frame(docs: Iterable[Document]) -> "pd.DataFrame":
    """One row per file that could not be read or processed."""
    return _frame(docs, "errors")


def checks_frame(docs: Iterable[Document]) -> "pd.DataFrame":
    """One row per audit finding: check, status (ok, mismatch, suspect), the metrics'
    start offsets joined by ";", expected and found values (Decimals), message."""
    return _frame(docs, "checks")


# -- CSV --------------------------------------------------------------------------
def _cell(value: Any, guarded: bool) -> Any:
    """A value as a CSV cell; `guarded`: a text column, shielded from spreadsheet formulas."""
    if value.__class__ is str:
        return "'" + value if guarded and value.startswith(_FORMULA_START) else value
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        from .numbers import canonical

        return canonical(value)
    if isinstance(value, str):  # a str subclass (an enum member)
        return safe_cell(value) if guarded else value
    return value


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back (POSIX) while the block runs; they arrive after."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # Windows, or not allowed here
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@dataclass(frozen=True)
class Rendered:
    """A document's rows as CSV text per table, and what the batch needs to know of it.

    `cells`, when asked for, holds the same rows as typed values per table (see
    `typed_cells`) for the typed formats; text in them is never guarded."""

    doc: str
    chars: int
    error: ErrorRecord | None
    text: dict[str, str]
    rows: dict[str, int]
    cells: dict[str, list[tuple]] | None = None


def _typed(kind: str) -> Callable[[Any], Any]:
    """The converter of a cell of a column of type `kind` to its typed value."""
    if kind == "int":
        return int
    if kind == "int?":
        return lambda v: None if v is None or v == "" else int(v)
    if kind == "dec":
        return lambda v: v  # a Decimal or None already
    if kind == "bool":
        return bool
    if kind == "enum":  # an enum member or a str; "" is no value
        return lambda v: None if v is None or v == "" else str(getattr(v, "value", v))
    return lambda v: "" if v is None else v if v.__class__ is str else str(getattr(v, "value", v))


@functools.lru_cache(maxsize=None)
def _converters(table: str) -> tuple[Callable[[Any], Any], ...]:
    return tuple(_typed(k) for k in column_types(table))


def typed_cells(doc: Document, table: str) -> list[tuple]:
    """A document's rows of `table` as typed values in column order: int, None for an
    empty int? / dec / enum cell, Decimal, bool, str (enum members as their values)."""
    conv = _converters(table)
    columns, make = TABLES[table]
    if table in _AS_ATTRIBUTES:
        items, values = _AS_ATTRIBUTES[table]
        rows: Iterable[tuple] = map(values, items(doc))
    else:
        rows = (tuple(r[c] for c in columns) for r in make(doc))
    return [tuple(f(v) for f, v in zip(conv, row)) for row in rows]


def render(doc: Document, raw_cells: bool = False,
           tables: Iterable[str] = tuple(TABLES), cells: bool = False) -> Rendered:
    """The CSV lines of every table for one document (made where the document is made,
    so the writing process only appends text), and with `cells` the typed rows too. A
    document whose rows cannot be made becomes an error row: one bad document must not
    stop a batch of thousands."""
    from .numbers import canonical

    names = tuple(tables)

    def typed(d: Document) -> dict[str, list[tuple]] | None:
        return {name: typed_cells(d, name) for name in names} if cells else None

    def lines(d: Document) -> tuple[dict[str, str], dict[str, int]]:
        text, rows = {}, {}
        for name in names:
            columns, make = TABLES[name]
            guarded = [not raw_cells and c in TEXT_COLUMNS for c in columns]
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            n = 0
            if name in _AS_ATTRIBUTES:
                items, values = _AS_ATTRIBUTES[name]
                decimals, flags, texts = _cell_plan(name, raw_cells)
                for item in items(d):
                    # csv writes None as "" and an enum member as its value; the rest
                    # is what _cell does, column by column.
                    row = list(values(item))
                    for k in decimals:
                        v = row[k]
                        row[k] = "" if v is None else canonical(v)
                    for k in flags:
                        row[k] = "true" if row[k] else "false"
                    for k in texts:
                        v = row[k]
                        if v.startswith(_FORMULA_START):
                            row[k] = "'" + v
                    w.writerow(row)
                    n += 1
            else:
                for cells in make(d):
                    w.writerow([_cell(cells[c], g) for c, g in zip(columns, guarded)])
                    n += 1
            text[name], rows[name] = buf.getvalue(), n
        return text, rows

    try:
        return Rendered(doc.doc, doc.chars, doc.error, *lines(doc), typed(doc))
    except Exception as exc:
        from .models import Document, ErrorRecord

        log.exception("cannot write the rows of %s", doc.doc)
        error = ErrorRecord(path=doc.doc, stage="write", reason="internal",
                            message=f"{doc.path or doc.doc}: {type(exc).__name__}: {exc}")
        doc = Document(doc=doc.doc, path=doc.path, text="", error=error)
        return Rendered(doc.doc, 0, error, *lines(doc), typed(doc))


# -- encoded rows: a document's bytes of every table ---------------------------------------
_ENCODED_FORMAT = 2


def _csv_bytes(text: str) -> bytes:
    """Rows as the CSV files hold them: UTF-8, and a lone surrogate (from a file name
    that is not UTF-8) as \\udcxx rather than an error, as `TableWriter` always wrote."""
    return text.encode("utf-8", "backslashreplace")


def _cells_json(cells: dict[str, list[tuple]]) -> bytes:
    """Typed cells as JSON, Decimals as canonical strings (exact)."""
    from .numbers import canonical

    plain = {name: [[canonical(v) if isinstance(v, Decimal) else v for v in row]
                    for row in rows] for name, rows in cells.items()}
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass")


def encode(rendered: Rendered) -> bytes:
    """A document's rows as one blob: a JSON header line (document, error, rows and bytes
    per table, a CRC of the rest), then each table's CSV bytes in `TABLES` order, then
    the typed cells as JSON if `rendered` has them. See `EncodedRows`."""
    names = [n for n in TABLES if n in rendered.text]
    parts = [_csv_bytes(rendered.text[n]) for n in names]
    cells = _cells_json(rendered.cells) if rendered.cells is not None else None
    if cells is not None:
        parts.append(cells)
    payload = b"".join(parts)
    header = {"format": _ENCODED_FORMAT, "doc": rendered.doc, "chars": rendered.chars,
              "error": rendered.error.model_dump() if rendered.error else None,
              "tables": [[n, rendered.rows[n], len(b)] for n, b in zip(names, parts)],
              "cells": None if cells is None else len(cells), "crc": zlib.crc32(payload)}
    # ASCII, so the header is one line whatever the names hold.
    return json.dumps(header, separators=(",", ":")).encode("ascii") + b"\n" + payload


@dataclass(frozen=True)
class EncodedRows:
    """A document's rows as made by `encode`: each CSV table's bytes, ready to append to
    the table file, and the typed cells (decoded only by a run that writes a typed
    format). The same blob comes from a worker or from an incremental run's cache, so a
    cached document is written byte for byte as a processed one."""

    doc: str
    chars: int
    error: dict[str, str] | None  # the fields of the document's ErrorRecord
    rows: dict[str, int]
    blob: bytes
    spans: dict[str, tuple[int, int]]  # table → (start, end) in blob
    cells_span: tuple[int, int] | None

    @classmethod
    def parse(cls, blob: bytes) -> "EncodedRows":
        """The rows of a blob; ValueError when it is damaged (cut short, or its bytes
        are not what its header says: a cache file a crash left half-written)."""
        end = blob.find(b"\n")
        if end < 0:
            raise ValueError("no header")
        try:
            head = json.loads(blob[:end])
            if head["format"] != _ENCODED_FORMAT:
                raise ValueError("another format")
            pos = end + 1
            spans, rows = {}, {}
            for name, n, size in head["tables"]:
                spans[name], rows[name] = (pos, pos + size), n
                pos += size
            cells = None
            if head["cells"] is not None:
                cells, pos = (pos, pos + head["cells"]), pos + head["cells"]
            data = memoryview(blob)[end + 1:]
            if pos != len(blob) or zlib.crc32(data) != head["crc"]:
                raise ValueError("damaged")
            return cls(head["doc"], head["chars"], head["error"], rows, blob, spans, cells)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad header: {exc}") from None

    @property
    def message(self) -> str | None:
        """The document's error message (it could not be read, processed or written)."""
        return self.error["message"] if self.error else None

    def table(self, name: str) -> memoryview:
        """The CSV bytes of one table: its rows, each ending in a newline."""
        start, end = self.spans[name]
        return memoryview(self.blob)[start:end]

    def typed_cells(self) -> dict[str, list[tuple]] | None:
        """The rows as `typed_cells` gives them (Decimals exact), if encoded with them."""
        if self.cells_span is None:
            return None
        start, end = self.cells_span
        data = json.loads(self.blob[start:end].decode("utf-8", "surrogatepass"))
        typed: dict[str, list[tuple]] = {}
        for name, rows in data.items():
            decs = [k for k, kind in enumerate(column_types(name)) if kind == "dec"]
            for row in rows:
                for k in decs:
                    if row[k] is not None:
                        row[k] = Decimal(row[k])
            typed[name] = [tuple(r) for r in rows]
        return typed


_BUFFER = 1 << 20


def sync_all(fds: list[int]) -> None:
    """fsync each file, at once: fsync leaves the GIL, and the file system can write
    them together (eight tables one after the other wait eight times on the disk)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max(1, len(fds))) as pool:
        list(pool.map(os.fsync, fds))  # raises what a sync raised


def commit(folder: Path, renames: Iterable[tuple[Path, Path]]) -> None:
    """Rename synced partial files into place, all or (if the machine stops) the first
    few, never one interrupted by Ctrl-C or SIGTERM; then make the renames durable."""
    with _signals_held():  # Ctrl-C or kill -TERM now waits until all are renamed
        for partial, final in renames:
            os.replace(partial, final)
    try:  # make the renames themselves durable (POSIX; not possible on Windows)
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


class TableWriter:
    """Writes every table as CSV, a document at a time; `close()` puts them in place.

    The files are written as bytes: the rows of a document arrive as text (`render`) or
    already encoded (`EncodedRows`), and both end as the same UTF-8 (BOM first)."""

    def __init__(self, out_dir: str | Path, raw_cells: bool = False,
                 tables: Iterable[str] = tuple(TABLES)) -> None:
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.raw = raw_cells
        self._files: dict[str, Any] = {}
        self.counts = {name: 0 for name in tables}
        for name in tables:
            tmp = self.out / f".{name}.csv.partial"
            # A large buffer: rows come a document at a time, eight small writes each.
            fh = open(tmp, "wb", buffering=_BUFFER)
            head = io.StringIO()
            csv.writer(head, lineterminator="\n").writerow(TABLES[name][0])
            fh.write(codecs.BOM_UTF8 + _csv_bytes(head.getvalue()))
            self._files[name] = fh

    def write(self, doc: Document) -> ErrorRecord | None:
        """Write a document's rows; returns its error (it could not be read, processed or
        written), else None. A document's rows are all written or none are."""
        return self.write_rendered(render(doc, self.raw, tuple(self._files)))

    def write_rendered(self, rendered: Rendered) -> ErrorRecord | None:
        """Write the rows `render()` made of a document (perhaps in another process)."""
        for name, text in rendered.text.items():
            # backslashreplace: a lone surrogate from a caller's str must not stop a run.
            self._files[name].write(_csv_bytes(text))
            self.counts[name] += rendered.rows[name]
        return rendered.error

    def write_encoded(self, encoded: EncodedRows) -> str | None:
        """Write a document's encoded rows; returns its error message, else None."""
        for name, fh in self._files.items():
            fh.write(encoded.table(name))
            self.counts[name] += encoded.rows[name]
        return encoded.message

    def finish(self) -> list[tuple[Path, Path]]:
        """Flush and sync every table to disk; the (partial, final) names to rename."""
        for fh in self._files.values():
            fh.flush()
        sync_all([fh.fileno() for fh in self._files.values()])
        for fh in self._files.values():
            fh.close()
        renames = [(self.out / f".{name}.csv.partial", self.out / f"{name}.csv")
                   for name in self._files]
        self._files.clear()
        return renames

    def close(self) -> None:
        """Flush every table to disk, then rename them all into place.

        Syncing all before renaming any keeps the window in which a crash leaves some
        tables of this run beside some of the last one as short as it can be.
        """
        commit(self.out, self.finish())

    def abort(self) -> None:
        """Remove the partial files (an interrupted run leaves no table behind)."""
        for name, fh in self._files.items():
            fh.close()
            try:
                os.unlink(self.out / f".{name}.csv.partial")
            except OSError:
                pass
        self._files.clear()

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


# -- any format -------------------------------------------------------------------------
def write_tables(docs: Iterable[Document], out_dir: str | Path,
                 formats: Iterable[str] = ("csv",), raw_cells: bool = False) -> dict[str, int]:
    """Write the tables of `docs` into `out_dir` in each of `formats` (csv, parquet, xlsx,
    jsonl; see `reportmine.writers`), all put in place together at the end; returns the
    rows written per table."""
    from .writers import open_writers

    with open_writers(out_dir, formats, raw_cells=raw_cells) as writer:
        for doc in docs:
            writer.write(doc)
    return dict(writer.counts)
