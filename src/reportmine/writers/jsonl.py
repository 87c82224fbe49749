"""JSONL: a file per table, one JSON object per row, keys in column order.

Integers are JSON numbers, flags true/false, empty cells null, and Decimals (value,
value_max, expected, found) canonical decimal strings ("1725000", "24.43"): a JSON
reader parses numbers as floats, which would lose digits. Text is written as it is
(no spreadsheet guard: JSONL is read by programs), UTF-8 without a BOM, but for lone
surrogates (a file name that is not UTF-8): as their backslash escapes, the text CSV
holds (`writers.readable`), so a record reads back as the CSV row, also in strict JSON
readers, which refuse a lone surrogate's \\udcff escape.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from ..numbers import canonical
from ..tables import TABLES, Rendered
from . import readable_rows

# Line and paragraph separators are legal unescaped in JSON strings, but readers that
# split on str.splitlines() would cut a record there.
_SEPARATORS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return canonical(value)
    raise TypeError(f"{type(value).__name__} is not a table cell")


class JsonlWriter:
    def __init__(self, out: Path, tables: Sequence[str]) -> None:
        self.out = out
        self._files: dict[str, Any] = {}
        self._keys = {name: TABLES[name][0] for name in tables}
        for name in tables:
            # backslashreplace: never an error while writing, whatever `write` missed.
            self._files[name] = open(self._partial(name), "w", encoding="utf-8",
                                     errors="backslashreplace", newline="\n")

    def _partial(self, name: str) -> Path:
        return self.out / f".{name}.jsonl.partial"

    def write(self, rendered: Rendered) -> None:
        assert rendered.cells is not None
        dumps = json.JSONEncoder(ensure_ascii=False, default=_default,
                                 separators=(",", ":")).encode
        for name, fh in self._files.items():
            keys = self._keys[name]
            rows = rendered.cells[name]
            if not rows:
                continue
            text = "\n".join([dumps(dict(zip(keys, row))) for row in rows])
            try:
                text.encode("utf-8")  # one check per table: a lone surrogate is rare
            except UnicodeEncodeError:
                text = "\n".join([dumps(dict(zip(keys, row))) for row in readable_rows(rows)])
            fh.write(text.translate(_SEPARATORS) + "\n")

    def finish(self) -> list[tuple[Path, Path]]:
        for fh in self._files.values():
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
        renames = [(self._partial(n), self.out / f"{n}.jsonl") for n in self._files]
        self._files.clear()
        return renames

    def abort(self) -> None:
        for name, fh in self._files.items():
            fh.close()
            self._partial(name).unlink(missing_ok=True)
        self._files.clear()
