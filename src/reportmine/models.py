"""The typed records reportmine produces: documents, sections, metrics, removals, errors."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class Kind(StrEnum):
    MONEY = "money"
    PERCENT = "percent"
    PP = "pp"
    COUNT = "count"
    MEASURE = "measure"
    RATIO = "ratio"
    MULTIPLE = "multiple"
    RANK = "rank"
    NUMBER = "number"


class Approx(StrEnum):
    OVER = "over"
    ABOUT = "about"
    NEARLY = "nearly"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Modality(StrEnum):
    ACTUAL = "actual"
    TARGET = "target"


class Role(StrEnum):
    VALUE = "value"
    BASELINE = "baseline"
    CHANGE = "change"
    GROWTH = "growth"
    SHARE = "share"
    COMPLETION = "completion"
    TARGET = "target"
    RANK = "rank"  # a place in a ranking (居全国第7位), of kind rank
    OTHER = "other"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, use_enum_values=False)


R = TypeVar("R", bound=_Record)
_set = object.__setattr__


def trusted(cls: type[R], **values: Any) -> R:
    """A record from values the pipeline made and typed itself, not validated again.

    What `model_construct` does, at a fifth of its cost (tens of thousands of records
    a second on the batch path); it needs every field, given in the class's order.
    tests/test_api.py checks such records against validated ones.
    """
    record = cls.__new__(cls)
    _set(record, "__dict__", values)
    _set(record, "__pydantic_fields_set__", set(values))
    _set(record, "__pydantic_extra__", None)
    _set(record, "__pydantic_private__", None)
    return record


class Metric(_Record):
    """One quantity: the columns of the metrics contract and the attribution after them."""

    doc: str
    start: int = Field(ge=0, description="offset of the span in the decoded text")
    end: int = Field(ge=0)
    text: str = Field(description="exactly decoded_text[start:end]")
    kind: Kind
    value: Decimal | None = Field(description="in base unit (元, %, plain count); None when masked")
    value_max: Decimal | None = None
    unit: str = ""
    approx: Approx | None = None
    masked: bool = False
    modality: Modality = Modality.ACTUAL
    indicator: str = ""
    section: str = ""
    sentence: str = ""
    heading: str = ""
    role: Role = Role.VALUE
    period: str = ""
    subject: str = ""
    sentence_start: int = 0
    sentence_end: int = 0
    page: int | None = Field(default=None, description="1-based page, for paged formats (PDF)")
    ocr: bool = Field(default=False, description="read by OCR from an image of a page")
    table: int | None = Field(default=None, description="the table's id in its document")
    row: int | None = Field(default=None, description="the cell's row in its table (0-based)")
    col: int | None = Field(default=None, description="the cell's column (0-based)")
    indicator_key: str = Field(default="", description="the catalogue's key (gdp), or empty")
    indicator_name: str = Field(default="", description="the catalogue's name (地区生产总值)")


class CheckStatus(StrEnum):
    OK = "ok"
    MISMATCH = "mismatch"   # the arithmetic between stated figures does not hold
    SUSPECT = "suspect"     # a figure that cannot be right, or conflicts with another


class Check(_Record):
    """One audit finding: a named check over some metrics of a document, and its verdict."""

    doc: str
    check: str = Field(description="the check's name (see checks.CHECKS)")
    status: CheckStatus
    metrics: tuple[int, ...] = Field(description="start offsets of the metrics involved")
    texts: tuple[str, ...] = Field(default=(), description="their text, in the same order")
    expected: Decimal | None = None
    found: Decimal | None = None
    message: str = ""


class Rejection(_Record):
    """A candidate number that is not a quantity, and why."""

    doc: str
    start: int
    end: int
    text: str
    reason: str
    rule: str


class Section(_Record):
    """One heading of the numbered outline and the body under it."""

    doc: str
    id: int
    parent: int | None
    level: int
    marker: str
    number: int
    title: str
    start: int
    end: int
    body_start: int
    body_end: int
    path: str
    part: str = ""  # plan or result, where the document says so
    page: int | None = None  # 1-based page of the heading, for paged formats (PDF)


class DocumentTable(_Record):
    """A table found in a document (not a table reportmine writes): where it stands,
    its size, its caption and unit lines, and what it came from."""

    doc: str
    id: int
    start: int
    end: int
    rows: int
    cols: int
    header_rows: int
    caption: str = ""
    unit: str = ""
    source: str = Field(description="markdown, html, text, pdf, docx, xlsx, xls, ocr")
    labels: tuple[str, ...] = Field(default=(), description="each row's label, as written")
    parents: tuple[int | None, ...] = Field(
        default=(), description="per row: the row it is a part of (其中 rows), or None")


class Removal(_Record):
    """A range of the original text the cleaner took out, and why."""

    doc: str
    start: int
    end: int
    reason: str
    rule: str
    joiner: str = Field(default="", description="what stands in for it in the cleaned text")


class ErrorRecord(_Record):
    """A file (or folder) that could not be processed."""

    path: str
    stage: str
    reason: str
    message: str


class Document(_Record):
    """A processed document: its text, outline, quantities and what was removed."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    doc: str = Field(description="the path as given (relative to the input folder)")
    path: str = ""
    format: str = Field(default="text", description="text, markdown, html, pdf, docx, xlsx …")
    encoding: str = "utf-8"
    script: str = "simplified"
    title: str = ""
    title_start: int = -1
    size_bytes: int = 0
    text: str = Field(repr=False)
    sections: tuple[Section, ...] = ()
    metrics: tuple[Metric, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    removals: tuple[Removal, ...] = ()
    checks: tuple[Check, ...] = ()
    error: ErrorRecord | None = None
    page_starts: tuple[int, ...] = Field(
        default=(), description="offset of each page's text in `text` (PDF)")
    grids: tuple[Any, ...] = Field(
        default=(), repr=False, description="tables whose grid the format gives (readers.Grid)")
    tables: tuple[DocumentTable, ...] = ()
    ocr_ranges: tuple[tuple[int, int], ...] = Field(
        default=(), description="ranges of `text` read by OCR from page images")

    @property
    def pages(self) -> int:
        """Pages of a paged format (PDF); 0 for formats without pages."""
        return len(self.page_starts)

    @property
    def ok(self) -> bool:
        """False when the file could not be read or processed (see `error`)."""
        return self.error is None

    @property
    def chars(self) -> int:
        return len(self.text)

    def removed_chars(self) -> dict[str, int]:
        """Characters removed, by reason."""
        out: dict[str, int] = {}
        for r in self.removals:
            out[r.reason] = out.get(r.reason, 0) + (r.end - r.start)
        return out
