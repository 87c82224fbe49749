"""Parquet: a file per table with typed columns, through pyarrow (the `parquet` extra).

Column types (see `tables.COLUMN_TYPES`): offsets and counts int64 (nullable where a
cell may be empty: page, table, row, col, parent, pages); flags bool; enums
(kind, approx, modality, role, status, reason, format …) dictionary-encoded strings;
Decimals (value, value_max, expected, found) decimal128(38, 10), exact. A Decimal that
decimal128(38, 10) cannot hold exactly (more than 10 places after the point, or more
than 28 before it) turns its whole column into canonical decimal strings ("1725000",
"0.274"), never floats. Text is written as it is (no spreadsheet guard), but for lone
surrogates (a file name that is not UTF-8), which Arrow's UTF-8 strings cannot hold:
written as their backslash escapes (\\udcff), the text CSV holds (`writers.readable`).
Rows are written in row groups as documents come, so memory does not grow with the
corpus.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from ..numbers import canonical
from ..tables import TABLES, Rendered, column_types
from . import readable_rows

ROW_GROUP = 65_536  # rows buffered per table before they are written
PRECISION, SCALE = 38, 10


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError as exc:
        raise ImportError("writing Parquet needs pyarrow: pip install 'reportmine[parquet]'"
                          ) from exc
    return pyarrow


def fits(value: Decimal) -> bool:
    """Does decimal128(PRECISION, SCALE) hold `value` exactly?"""
    sign, digits, exp = value.as_tuple()
    if not isinstance(exp, int):  # NaN, Infinity
        return False
    n = len(digits)
    while exp < -SCALE and n and digits[n - 1] == 0:  # trailing zeros after the point
        n -= 1
        exp += 1
    return exp >= -SCALE and n + exp + SCALE <= PRECISION


class ParquetWriter:
    def __init__(self, out: Path, tables: Sequence[str]) -> None:
        self.pa = _pyarrow()
        self.out = out
        self.tables = tuple(tables)
        self._rows: dict[str, list[tuple]] = {n: [] for n in self.tables}
        self._writers: dict[str, Any] = {}
        # Decimal columns that hold a value decimal128 cannot: written as strings.
        self._as_text: dict[str, set[str]] = {n: set() for n in self.tables}

    def _partial(self, name: str) -> Path:
        return self.out / f".{name}.parquet.partial"

    def _type(self, name: str, column: str, kind: str) -> Any:
        pa = self.pa
        if kind in ("int", "int?"):
            return pa.int64()
        if kind == "bool":
            return pa.bool_()
        if kind == "dec":
            return pa.string() if column in self._as_text[name] \
                else pa.decimal128(PRECISION, SCALE)
        if kind == "enum":
            return pa.dictionary(pa.int32(), pa.string())
        return pa.string()

    def schema(self, name: str) -> Any:
        pa = self.pa
        return pa.schema([pa.field(c, self._type(name, c, k), nullable=k != "int")
                          for c, k in zip(TABLES[name][0], column_types(name))])

    def write(self, rendered: Rendered) -> None:
        assert rendered.cells is not None
        for name in self.tables:
            rows = self._rows[name]
            rows.extend(rendered.cells[name])
            if len(rows) >= ROW_GROUP:
                self._flush(name)

    def _batch(self, name: str, rows: list[tuple]) -> Any:
        pa = self.pa
        columns = list(zip(*rows)) if rows else [()] * len(TABLES[name][0])
        arrays = []
        for (column, kind), values in zip(zip(TABLES[name][0], column_types(name)), columns):
            if kind == "enum":
                arrays.append(pa.array(values, pa.string()).dictionary_encode())
            elif kind == "dec" and column in self._as_text[name]:
                arrays.append(pa.array([None if v is None else canonical(v) for v in values],
                                       pa.string()))
            else:
                arrays.append(pa.array(values, self._type(name, column, kind)))
        return pa.Table.from_arrays(arrays, schema=self.schema(name))

    def _flush(self, name: str) -> None:
        rows, self._rows[name] = self._rows[name], []
        for column, kind in zip(TABLES[name][0], column_types(name)):
            if kind == "dec" and column not in self._as_text[name]:
                k = TABLES[name][0].index(column)
                if not all(r[k] is None or fits(r[k]) for r in rows):
                    self._to_text(name, column)
        if name not in self._writers:
            self._writers[name] = self.pa.parquet.ParquetWriter(
                self._partial(name), self.schema(name), compression="zstd")
        try:
            batch = self._batch(name, rows)
        except UnicodeEncodeError:  # a lone surrogate: rare, so not looked for in every cell
            batch = self._batch(name, readable_rows(rows))
        self._writers[name].write_table(batch)

    def _to_text(self, name: str, column: str) -> None:
        """Turn a Decimal column into strings, in the row groups already written too."""
        pq = self.pa.parquet
        self._as_text[name].add(column)
        writer = self._writers.pop(name, None)
        if writer is None:
            return
        writer.close()
        old = self.out / f".{name}.parquet.rewrite.partial"
        os.replace(self._partial(name), old)
        new = self._writers[name] = pq.ParquetWriter(self._partial(name), self.schema(name),
                                                     compression="zstd")
        source = pq.ParquetFile(old)
        for k in range(source.num_row_groups):
            group = source.read_row_group(k)
            strings = [None if v is None else canonical(v)
                       for v in group.column(column).to_pylist()]
            i = group.schema.get_field_index(column)
            new.write_table(group.set_column(i, self.schema(name).field(column),
                                             self.pa.array(strings, self.pa.string())))
        old.unlink()

    def finish(self) -> list[tuple[Path, Path]]:
        for name in self.tables:
            if self._rows[name] or name not in self._writers:  # an empty table has a file
                self._flush(name)
            self._writers.pop(name).close()
            with open(self._partial(name), "rb+") as fh:
                os.fsync(fh.fileno())
        return [(self._partial(n), self.out / f"{n}.parquet") for n in self.tables]

    def abort(self) -> None:
        for name in self.tables:
            writer = self._writers.pop(name, None)
            if writer is not None:
                writer.close()
            self._partial(name).unlink(missing_ok=True)
            (self.out / f".{name}.parquet.rewrite.partial").unlink(missing_ok=True)
