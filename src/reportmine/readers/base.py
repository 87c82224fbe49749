"""What every reader hands to the pipeline: the document's text and what its format knows.

The text a reader produces is *the* decoded text of the document: every offset of
every table points into it, and `reportmine text FILE` prints it. Readers of
structured formats write it by these conventions, so the later stages read every
format alike:

- paragraphs end with "\\n"; the lines of one paragraph are joined (without a space
  between Han characters, with one between Latin words);
- pages are separated by PAGE_BREAK ("\\n\\f\\n": a line holding only a form feed),
  and `pages` holds the offset where each page's text starts;
- a table is one line per row, its cells separated by "\\t" (a cell's own line
  breaks and tabs become spaces or nothing), with a blank line before and after;
  the grid (which cell is where, what it spans) is in `grids`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..reading import ReadError

__all__ = ["PAGE_BREAK", "CELL_SEP", "ReadError", "Cell", "Grid", "ReadResult"]

PAGE_BREAK = "\n\f\n"
CELL_SEP = "\t"


@dataclass(frozen=True)
class Cell:
    """One cell of a grid: its place, its span and its text's offsets in the document text."""

    row: int
    col: int
    start: int
    end: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Grid:
    """A table whose structure the format gives (a Word or PDF table, a sheet)."""

    start: int
    end: int
    rows: int
    cols: int
    cells: tuple[Cell, ...]
    source: str          # pdf, docx, xlsx, xls
    name: str = ""       # the sheet's name, where there is one


@dataclass(frozen=True)
class ReadResult:
    """A document as its reader gives it."""

    text: str
    format: str                      # text, markdown, html, pdf, docx, xlsx, xls
    encoding: str = ""               # the text encoding, for text formats
    size: int = 0                    # bytes of the file
    pages: tuple[int, ...] = ()      # start offset of each page's text (PDF)
    grids: tuple[Grid, ...] = ()
    title: str = ""                  # a title the format states (metadata, front matter)
    ocr: tuple[tuple[int, int], ...] = ()  # ranges of the text read by OCR from images
    warnings: tuple[str, ...] = field(default=())

    @property
    def page_count(self) -> int:
        return len(self.pages)


def _cell_text(text: str) -> str:
    """A cell's text on one line: its own line breaks and tabs would break the row."""
    return " ".join(text.replace("\t", " ").split())


class TextBuilder:
    """Writes a document's text by the conventions above and keeps the offsets of
    its pages and tables. Readers of every format use it, so they agree."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self.pages: list[int] = []
        self.grids: list[Grid] = []

    def _add(self, s: str) -> None:
        self._parts.append(s)
        self._len += len(s)

    @property
    def offset(self) -> int:
        return self._len

    def _ends_with(self, s: str) -> bool:
        tail = "".join(self._parts[-len(s):])[-len(s):] if self._parts else ""
        return tail == s

    def paragraph(self, text: str) -> tuple[int, int]:
        """A paragraph (one line); returns its offsets. Empty text adds nothing."""
        text = text.replace("\n", " ").replace("\f", " ")
        if not text.strip():
            return self._len, self._len
        start = self._len
        self._add(text)
        end = self._len
        self._add("\n")
        return start, end

    def page_break(self) -> None:
        """Starts a new page (the first call starts the first page)."""
        if self.pages:
            if self._len and not self._ends_with("\n"):
                self._add("\n")
            self._add("\f\n")
        self.pages.append(self._len)

    def table(self, rows: list[list[str]], source: str, name: str = "",
              spans: dict[tuple[int, int], tuple[int, int]] | None = None) -> Grid | None:
        """A table, one line per row, cells separated by CELL_SEP; `spans` maps a
        (row, col) to its (rowspan, colspan) where a cell spans more than one. Empty
        trailing cells are dropped from each line; the grid keeps every place."""
        rows = [[_cell_text(c) for c in row] for row in rows]
        rows = [r for r in rows if any(r)] if not spans else rows
        if not rows:
            return None
        if self._len and not self._ends_with("\n\n") and not self._ends_with("\f\n"):
            self._add("\n" if self._ends_with("\n") else "\n\n")
        start = self._len
        cells: list[Cell] = []
        width = max(len(r) for r in rows)
        for i, row in enumerate(rows):
            while row and not row[-1]:
                row = row[:-1]
            for j, value in enumerate(row):
                if j:
                    self._add(CELL_SEP)
                if value:
                    rs, cs = (spans or {}).get((i, j), (1, 1))
                    cells.append(Cell(i, j, self._len, self._len + len(value), rs, cs))
                    self._add(value)
            self._add("\n")
        end = self._len - 1
        self._add("\n")
        grid = Grid(start, end, len(rows), width, tuple(cells), source, name)
        self.grids.append(grid)
        return grid

    def result(self, format: str, size: int, **extra: object) -> ReadResult:
        text = "".join(self._parts)
        return ReadResult(text=text, format=format, size=size, pages=tuple(self.pages),
                          grids=tuple(self.grids), **extra)  # type: ignore[arg-type]
