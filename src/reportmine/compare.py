"""Across documents: one row per indicator, one column per document.

`compare_frame(docs)` lines the figures of many reports up by their catalogue key
(catalogue.py): a row per (indicator_key, role, basis, period, modality, unit), a column
per document, each cell the value in its base unit (元 for money, the percent number for
rates), so that 31 provincial reports, or ten years of one county's, read side by side.
A document that states one key twice with different values gets a cell that says so
(both values), never one picked. `write_compare` writes it as CSV, or as XLSX (header
frozen, numbers as numbers) when the file name ends in .xlsx.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import regex

from .catalogue import clause_before
from .models import Document, Metric
from .numbers import canonical

if TYPE_CHECKING:
    import pandas as pd

ROW_COLUMNS = ["indicator_key", "indicator_name", "role", "basis", "period", "modality", "unit"]
# A growth stated per year over several years (年均增长) is another figure than a year's.
_AVERAGE = regex.compile(r"年均|年平均|平均每年")
_APPROX_MARK = {"about": "约{}", "nearly": "近{}", "over": "{}以上", "at_least": "≥{}",
                "at_most": "≤{}"}


@dataclass(frozen=True)
class _Stated:
    value: Decimal | None
    value_max: Decimal | None
    approx: str
    text: str

    def cell(self) -> Decimal | str:
        """A number where the figure is exact, else its text (a range, an approximation)."""
        if self.value is None:
            return self.text
        if self.value_max is not None:
            return f"{canonical(self.value)}–{canonical(self.value_max)}"
        if self.approx:
            return _APPROX_MARK.get(self.approx, "{}").format(canonical(self.value))
        return self.value


def _basis(doc: Document, m: Metric) -> str:
    return "年均" if _AVERAGE.search(clause_before(doc.text, m.start, m.sentence_start)) else ""


def _column_names(docs: Sequence[Document]) -> list[str]:
    """Each document's column: its file name, and its title where it has one (a title
    alone may be a site's banner, and two reports may share one)."""
    return [f"{d.doc} {d.title.strip()}".strip() for d in docs]


def compare_rows(docs: Iterable[Document], keys: Iterable[str] = ()
                 ) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of the comparison of `docs` (only `keys`, if given)."""
    docs = [d for d in docs if d.ok]
    wanted = set(keys)
    names = _column_names(docs)
    cells: dict[tuple[str, ...], dict[str, list[_Stated]]] = {}
    labels: dict[str, str] = {}
    for d, col in zip(docs, names):
        for m in d.metrics:
            if not m.indicator_key or (wanted and m.indicator_key not in wanted):
                continue
            labels[m.indicator_key] = m.indicator_name
            row = (m.indicator_key, m.role.value, _basis(d, m), m.period, m.modality.value,
                   m.unit)
            stated = _Stated(m.value, m.value_max, m.approx.value if m.approx else "", m.text)
            bucket = cells.setdefault(row, {}).setdefault(col, [])
            if all(s.cell() != stated.cell() for s in bucket):
                bucket.append(stated)
    rows = []
    for (key, role, basis, period, modality, unit), by_doc in sorted(cells.items()):
        out: dict[str, Any] = {"indicator_key": key, "indicator_name": labels[key],
                               "role": role, "basis": basis, "period": period,
                               "modality": modality, "unit": unit}
        for col in names:
            stated = by_doc.get(col, [])
            if len(stated) == 1:
                out[col] = stated[0].cell()
            elif stated:  # stated twice with different values: say so, pick none
                out[col] = f"{len(stated)} values: " + "; ".join(
                    canonical(c) if isinstance(c := s.cell(), Decimal) else c
                    for s in stated)
            else:
                out[col] = None
        rows.append(out)
    return ROW_COLUMNS + names, rows


def compare_frame(docs: Iterable[Document], keys: Iterable[str] = ()) -> "pd.DataFrame":
    """The comparison as a DataFrame: a row per (indicator_key, role, basis, period,
    modality, unit), a column per document (Decimals where a figure is exact)."""
    import pandas as pd

    columns, rows = compare_rows(docs, keys)
    return pd.DataFrame(rows, columns=columns)


def write_compare(columns: list[str], rows: list[dict[str, Any]], path: str | Path) -> None:
    """CSV (UTF-8 with BOM), or XLSX when the name ends in .xlsx."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(columns, rows, path)
        return
    tmp = path.with_name(f".{path.name}.partial")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(columns)
        for r in rows:
            w.writerow(["" if r.get(c) is None else
                        canonical(r[c]) if isinstance(r[c], Decimal) else _safe(str(r[c]))
                        for c in columns])
    tmp.replace(path)


def _safe(text: str) -> str:
    """Text a spreadsheet shows as text, not as a formula."""
    return "'" + text if text.startswith(("=", "+", "-", "@")) else text


def _write_xlsx(columns: list[str], rows: list[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "compare"
    ws.append(columns)
    for r in rows:
        line: list[Any] = []
        for c in columns:
            v = r.get(c)
            if isinstance(v, Decimal):
                # A number in the sheet; integers stay exact, decimals as the sheet's float.
                line.append(int(v) if v == v.to_integral_value() and abs(v) < 10 ** 15
                            else float(v))
            elif v is None:
                line.append(None)
            else:
                line.append(_safe(str(v)))
        ws.append(line)
    ws.freeze_panes = ws.cell(row=2, column=len(ROW_COLUMNS) + 1)
    ws.auto_filter.ref = ws.dimensions
    for k, c in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(k)].width = min(40, max(10, len(c) * 2))
    tmp = path.with_name(f".{path.name}.partial")
    wb.save(tmp)
    tmp.replace(path)
