"""Writers: the tables reportmine writes, in each output format, put in place together.

One module per format: CSV (`reportmine.tables.TableWriter`, the default), `parquet`,
`xlsx` and `jsonl`. Each writes partial files in the output folder and, when the run
ends, `TableFiles.close()` renames every format's files into place at once, so an
interrupted run leaves the previous run's tables as they were.

A typed format's writer has `write(rendered)` (a document's rows, see `tables.render`;
it reads only their typed `cells`), `finish()` (flush and sync; the (partial, final)
renames) and `abort()`. CSV takes the rows as text or, from `reportmine extract`, as the
bytes of `tables.EncodedRows`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Protocol, Sequence

from ..tables import TABLES, EncodedRows, Rendered, TableWriter, _csv_bytes, commit, render

if TYPE_CHECKING:
    from ..models import Document, ErrorRecord

FORMATS = ("csv", "parquet", "xlsx", "jsonl")
WORKBOOK = "reportmine.xlsx"  # XLSX: one workbook, a sheet per table


def readable(text: str) -> str:
    """`text` as every format can store it: each lone surrogate (a file name that is not
    UTF-8 comes as 'r\\udcff.txt', Python's surrogateescape) as its backslash escape, the
    six characters \\udcff, the text the CSV files hold (`tables._csv_bytes`). UTF-8
    writers (lxml, Arrow, strict JSON readers) refuse lone surrogates; other text is
    returned as it is."""
    try:
        text.encode("utf-8")  # the fast check: almost all text is valid
    except UnicodeEncodeError:
        return _csv_bytes(text).decode("utf-8")
    return text


def readable_rows(rows: Iterable[tuple]) -> list[tuple]:
    """Rows of typed cells with every text cell `readable`. For the rare rows a writer
    refused: the common path tries the rows as they are first."""
    return [tuple(readable(v) if isinstance(v, str) else v for v in row) for row in rows]


class FormatWriter(Protocol):
    def write(self, rendered: Rendered) -> None: ...
    def finish(self) -> list[tuple[Path, Path]]: ...
    def abort(self) -> None: ...


def output_names(fmt: str, tables: Iterable[str] = tuple(TABLES)) -> list[str]:
    """The file names a format writes into the output folder."""
    if fmt == "xlsx":
        return [WORKBOOK]
    return [f"{name}.{fmt}" for name in tables]


class _Csv:
    """The CSV writer of `tables` behind the format-writer interface; it also takes the
    encoded rows of `reportmine extract`, whose bytes it copies."""

    def __init__(self, out: Path, raw_cells: bool, tables: Sequence[str]) -> None:
        self._w = TableWriter(out, raw_cells=raw_cells, tables=tables)

    def write(self, rendered: Rendered) -> None:
        self._w.write_rendered(rendered)

    def write_encoded(self, encoded: EncodedRows) -> None:
        self._w.write_encoded(encoded)

    def finish(self) -> list[tuple[Path, Path]]:
        return self._w.finish()

    def abort(self) -> None:
        self._w.abort()


def _writer(fmt: str, out: Path, raw_cells: bool, tables: Sequence[str]) -> FormatWriter:
    if fmt == "csv":
        return _Csv(out, raw_cells, tables)
    if fmt == "parquet":
        from .parquet import ParquetWriter

        return ParquetWriter(out, tables)
    if fmt == "xlsx":
        from .xlsx import XlsxWriter

        return XlsxWriter(out, raw_cells, tables)
    if fmt == "jsonl":
        from .jsonl import JsonlWriter

        return JsonlWriter(out, tables)
    raise ValueError(f"unknown output format {fmt!r}; one of {', '.join(FORMATS)}")


class TableFiles:
    """Every table in every format asked for; `close()` puts them all in place."""

    def __init__(self, out_dir: str | Path, formats: Iterable[str] = ("csv",),
                 raw_cells: bool = False, tables: Iterable[str] = tuple(TABLES)) -> None:
        self.out = Path(out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        self.formats = tuple(dict.fromkeys(formats))  # in order, once each
        unknown = [f for f in self.formats if f not in FORMATS]
        if unknown or not self.formats:
            raise ValueError(f"unknown output format {unknown[0] if unknown else '(none)'!r};"
                             f" one of {', '.join(FORMATS)}")
        self.raw = raw_cells
        self.tables = tuple(tables)
        self.counts = {name: 0 for name in self.tables}
        # Only the typed formats need the typed cells of each document.
        self.needs_cells = any(f != "csv" for f in self.formats)
        self._writers: list[FormatWriter] = []
        self._partials: list[Path] = []
        try:
            for fmt in self.formats:
                self._writers.append(_writer(fmt, self.out, raw_cells, self.tables))
        except BaseException:
            self.abort()
            raise

    def write(self, doc: Document) -> ErrorRecord | None:
        """Write a document's rows; returns its error, else None."""
        return self.write_rendered(render(doc, self.raw, self.tables, cells=self.needs_cells))

    def write_rendered(self, rendered: Rendered) -> ErrorRecord | None:
        """Write the rows `render()` made of a document (with cells, for typed formats)."""
        if self.needs_cells and rendered.cells is None:
            raise ValueError("the typed formats need render(..., cells=True)")
        for w in self._writers:
            w.write(rendered)
        for name in self.tables:
            self.counts[name] += rendered.rows[name]
        return rendered.error

    def write_encoded(self, encoded: EncodedRows) -> str | None:
        """Write a document's encoded rows (`tables.encode`): CSV copies their bytes, the
        typed formats get their cells; returns the document's error message, else None."""
        typed = None
        if self.needs_cells:  # decoded once for all the typed formats
            cells = encoded.typed_cells()
            if cells is None:
                raise ValueError("the typed formats need rows encoded with their cells")
            # The typed writers read only `cells` of what they are given.
            typed = Rendered(encoded.doc, encoded.chars, None, {}, encoded.rows, cells)
        for w in self._writers:
            if isinstance(w, _Csv):
                w.write_encoded(encoded)
            elif typed is not None:
                w.write(typed)
        for name in self.tables:
            self.counts[name] += encoded.rows[name]
        return encoded.message

    def close(self, extra: Sequence[tuple[Path, Path]] = ()) -> None:
        """Finish every format, then rename all their files (and `extra` synced partial
        files, such as a manifest) into place together."""
        if not self._writers:
            return
        renames: list[tuple[Path, Path]] = []
        try:
            for w in self._writers:
                done = w.finish()
                renames += done
                self._partials += [p for p, _ in done]
        except BaseException:
            self.abort()
            raise
        self._writers.clear()
        commit(self.out, [*renames, *extra])
        self._partials.clear()

    def abort(self) -> None:
        """Remove every partial file (an interrupted run leaves no table behind)."""
        for w in self._writers:
            w.abort()
        self._writers.clear()
        for p in self._partials:
            p.unlink(missing_ok=True)
        self._partials.clear()

    def __enter__(self) -> "TableFiles":
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def open_writers(out_dir: str | Path, formats: Iterable[str] = ("csv",),
                 raw_cells: bool = False, tables: Iterable[str] = tuple(TABLES)) -> TableFiles:
    """The writers of `formats` into `out_dir` (a context manager: closed on success,
    its partial files removed on an exception)."""
    return TableFiles(out_dir, formats, raw_cells, tables)


__all__ = ["FORMATS", "WORKBOOK", "FormatWriter", "TableFiles", "open_writers",
           "output_names", "readable", "readable_rows"]
