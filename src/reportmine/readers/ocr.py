"""OCR of page images, for scanned PDFs, where the optional extra is installed.

`pip install "reportmine[ocr]"` brings RapidOCR (Apache-2.0) on ONNX Runtime, whose
Chinese PP-OCR models ship inside its wheel: nothing is downloaded at run time. Without
it a scanned page stays a page without text, and a PDF of scans is a `no_text` error
row. Every range of text read here is recorded (ReadResult.ocr), so that each figure a
machine read from a picture is marked in metrics.csv.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import TextBuilder

log = logging.getLogger(__name__)

# Boxes whose vertical centres are closer than this share of their height are one line.
_SAME_LINE = 0.5
# A horizontal gap wider than this many character heights separates two cells.
_CELL_GAP = 1.5
# Recognitions the model itself doubts are dropped.
_MIN_SCORE = 0.8


@dataclass(frozen=True)
class Box:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def middle(self) -> float:
        return (self.y0 + self.y1) / 2


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """Is the OCR extra installed? (Found without importing it: the import takes half a
    second, paid only when a page needs reading.)"""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def read_image(image: Any) -> list[Box]:
    """The text boxes of an image (a numpy array, RGB or BGR), top to bottom."""
    result, _ = _engine()(image)
    boxes = []
    for points, text, score in result or ():
        if float(score) < _MIN_SCORE or not text.strip():
            continue
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        boxes.append(Box(text.strip(), min(xs), min(ys), max(xs), max(ys)))
    return sorted(boxes, key=lambda b: (b.middle, b.x0))


def _grouped(boxes: list[Box]) -> list[list[Box]]:
    """Boxes grouped into lines, left to right."""
    lines: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: b.middle):
        last = lines[-1] if lines else None
        if last and abs(box.middle - last[-1].middle) < _SAME_LINE * max(box.height, 1):
            last.append(box)
        else:
            lines.append([box])
    for line in lines:
        line.sort(key=lambda b: b.x0)
    return lines


def _cells(line: list[Box]) -> list[str]:
    cells: list[str] = [line[0].text]
    for prev, box in zip(line, line[1:]):
        if box.x0 - prev.x1 > _CELL_GAP * max(box.height, prev.height):
            cells.append(box.text)
        else:
            cells[-1] += box.text
    return cells


def lines_of(boxes: list[Box]) -> list[list[str]]:
    """Boxes grouped into lines, each line a list of cells (a table row has several)."""
    return [_cells(line) for line in _grouped(boxes)]


# A line that stops this far short of the text's right edge ends its paragraph.
_SHORT_LINE = 0.8
_ENDS = "。！？；：!?;:"


def write_page(builder: "TextBuilder", boxes: list[Box]) -> tuple[int, int] | None:
    """Writes one page's OCR text: lines of a paragraph joined, rows of cells as a
    table. Returns the range written, or None when there was nothing."""
    lines = _grouped(boxes)
    if not lines:
        return None
    left = min(b.x0 for b in boxes)
    right = max(b.x1 for b in boxes)
    start = builder.offset
    para: list[str] = []
    rows: list[list[str]] = []

    def flush() -> None:
        if para:
            builder.paragraph("".join(para))
            para.clear()
        if rows:
            builder.table([list(r) for r in rows], "ocr")
            rows.clear()

    for line in lines:
        cells = _cells(line)
        if len(cells) > 1:
            if para:
                flush()
            rows.append(cells)
            continue
        if rows:
            flush()
        indented = line[0].x0 - left > 1.5 * line[0].height
        if para and indented:
            flush()
        para.append(cells[0])
        short = line[-1].x1 < left + _SHORT_LINE * (right - left)
        if short or cells[0].endswith(tuple(_ENDS)):
            flush()
    flush()
    return start, builder.offset
