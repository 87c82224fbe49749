"""Load and validate the rule data in patterns/ into one frozen `Rules` object.

Every file has a pydantic schema; a bad file stops with a `RulesError` that names the
file, the rule and the problem. An overlay folder (`--patterns DIR`) holds files of the
same names whose entries are added to the defaults.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import regex
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

from . import diskcache
from .markup import MarkupSettings
from .numbers import NumeralTable
from .regexes import compile_pattern
from .view import CharMap

PATTERN_FILES = (
    "numerals.toml", "charmap.toml", "units.toml", "qualifiers.toml", "rejections.toml",
    "boilerplate.toml", "sections.toml", "modality.toml", "indicators.toml", "roles.toml",
    "checks.toml", "pages.toml", "cells.toml", "tables.toml",
    "catalogue.toml",
)
USERDICT = "userdict.txt"
JIEBA_BASE = "jieba_base.txt"

Reason = Literal["date", "ordinal", "name", "code", "section", "boilerplate", "other",
                 "bare", "fragment"]
Kind = Literal["money", "percent", "pp", "count", "measure", "ratio", "multiple", "rank",
               "number"]
ApproxName = Literal["over", "about", "nearly", "at_least", "at_most"]


class RulesError(ValueError):
    """A rule file that cannot be used: names the file, the rule and the problem."""

    def __init__(self, file: str | Path, rule: str, problem: str) -> None:
        self.file, self.rule, self.problem = str(file), rule, problem
        super().__init__(f"{file}: rule {rule}: {problem}")


class _Strict(BaseModel):
    # Built on first use: rules read from the cache (see load_rules) never validate.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _check_regex(value: str) -> str:
    if value:
        try:
            regex.compile(value)
        except regex.error as exc:
            raise ValueError(f"bad regular expression {value!r}: {exc}") from None
    return value


# -- schemas, one per file ---------------------------------------------------------
class NumeralsFile(_Strict):
    negative_prefixes: list[str] = []
    digits: dict[str, int]
    small_units: dict[str, int]
    big_units: dict[str, int]
    special: dict[str, int] = {}
    points: dict[str, list[str]]
    zeros: dict[str, list[str]]


class CharmapFile(_Strict):
    traditional: dict[str, str] = {}
    opencc: dict[str, str] = {}  # generated (tools/make_traditional_map.py)

    @field_validator("traditional", "opencc")
    @classmethod
    def _one_to_one(cls, v: dict[str, str]) -> dict[str, str]:
        for a, b in v.items():
            if len(a) != 1 or len(b) != 1:
                raise ValueError(f"{a!r} → {b!r}: both sides must be one character")
        return v


class UnitGroup(_Strict):
    kind: Kind
    unit: str = ""
    factor: Decimal = Decimal(1)
    factor_below: Decimal | None = None
    words: list[str] = Field(min_length=1)
    not_before: list[str] = []


class CompoundPart(_Strict):
    words: list[str] = Field(min_length=1)
    factor: Decimal


class Compound(_Strict):
    after: list[str] = Field(min_length=1)
    kind: Kind | None = None
    unit: str = ""
    parts: list[CompoundPart] = []
    elided: Decimal | None = None


class UnitPrefix(_Strict):
    kind: Kind
    unit: str
    words: list[str] = Field(min_length=1)


class CurrencyPrefix(_Strict):
    unit: str
    words: list[str] = Field(min_length=1)
    script: Literal["traditional", "simplified"] | None = None


class UnitsFile(_Strict):
    half_not_before: list[str] = []
    units: list[UnitGroup]
    currency_prefixes: list[CurrencyPrefix] = []
    unit_prefixes: list[UnitPrefix] = []
    compounds: list[Compound] = []


class Qualifier(_Strict):
    approx: ApproxName
    before: list[str] = []
    inside: list[str] = []
    after: list[str] = []


class QualifiersFile(_Strict):
    qualifiers: list[Qualifier]
    false_friends: list[str] = []


class PseudoUnit(_Strict):
    reason: Reason
    words: list[str] = Field(min_length=1)


class ContextRule(_Strict):
    """A rule on the text around a candidate: reject it with a reason, or accept it
    with a kind. The first rule that matches decides."""

    name: str
    reason: Reason | None = None
    accept: Kind | None = None
    style: Literal["any", "arabic", "chinese", "mask"] = "any"
    numeral: str = ""   # regex the numeral text must match whole
    units: list[str] = []  # the unit must be one of these; "-" stands for no unit
    kinds: list[Kind] = []  # the unit's kind must be one of these
    before: str = ""    # regex that must match the text ending where the candidate starts
    after: str = ""     # regex that must match the text starting where it ends
    note: str = ""

    _re = field_validator("numeral", "before", "after")(_check_regex)

    @model_validator(mode="after")
    def _one_action(self) -> "ContextRule":
        if (self.accept is None) == (self.reason is None):
            raise ValueError("a rule needs `reason` (reject) or `accept` (a kind), not both")
        return self


class RejectionsFile(_Strict):
    pseudo_units: list[PseudoUnit] = []
    rules: list[ContextRule] = []


JOINERS = {"none": "", "space": " ", "line": "\n"}


class CleanRule(_Strict):
    """A pattern of text the cleaner removes; matched on the text as markup leaves it,
    normalised (full-width → half-width, Traditional → Simplified where charmap.toml
    says so). A group named `cut` narrows a span removal to that group."""

    name: str = Field(min_length=1)
    reason: str = Field(pattern=r"^[a-z][a-z_]*$")
    pattern: str = Field(min_length=1)
    # line: the whole line holding a match; span: the match; rest: from the match to
    # the end; lines: a run of at least `min_lines` lines the pattern matches whole.
    scope: Literal["line", "span", "rest", "lines"] = "span"
    # What stands in for a removed span: none (the text around reads as one), a space
    # or a line break. `true` means none and `false` space (the first form of the file).
    join: Literal["none", "space", "line"] = "space"
    min_lines: int = Field(default=1, ge=1)
    max_rest_chars: int | None = Field(default=None, ge=1)
    note: str = ""

    _re = field_validator("pattern")(_check_regex)

    @field_validator("join", mode="before")
    @classmethod
    def _join_bool(cls, v: Any) -> Any:
        return {True: "none", False: "space"}.get(v, v) if isinstance(v, bool) else v

    @model_validator(mode="after")
    def _scope_fields(self) -> "CleanRule":
        if self.min_lines != 1 and self.scope != "lines":
            raise ValueError("`min_lines` belongs to scope = \"lines\"")
        if self.max_rest_chars is not None and self.scope != "rest":
            raise ValueError("`max_rest_chars` belongs to scope = \"rest\"")
        if "cut" in regex.compile(self.pattern).groupindex and self.scope != "span":
            raise ValueError("a `cut` group belongs to scope = \"span\"")
        return self


class PageNumbers(_Strict):
    marker: str
    terminal: str
    min_chain: int = 3

    _re = field_validator("marker")(_check_regex)


class PageFurniture(_Strict):
    """Running headers, footers and page numbers of paged documents (pages.toml)."""

    top_lines: int = Field(default=3, ge=0)
    bottom_lines: int = Field(default=3, ge=0)
    max_chars: int = Field(default=60, ge=1)
    min_share: float = Field(default=0.3, gt=0, le=1)
    min_pages: int = Field(default=2, ge=2)
    page_number: list[str] = []
    bare_number: str = r"\d{1,4}"
    new_paragraph: str = ""
    terminal: str = ""

    _re = field_validator("bare_number", "new_paragraph")(_check_regex)

    @field_validator("page_number")
    @classmethod
    def _res(cls, v: list[str]) -> list[str]:
        return [_check_regex(p) for p in v]


class FootnoteMarks(_Strict):
    pattern: str

    _re = field_validator("pattern")(_check_regex)


class PagesFile(_Strict):
    furniture: PageFurniture | None = None
    footnote_marks: FootnoteMarks | None = None


class TableCaptions(_Strict):
    """Which line above a table is its caption (tables.toml [caption])."""

    patterns: list[str] = []        # 表1 …, 表一 …, 附表 …: a caption whatever its length
    max_gap: int = Field(default=2, ge=0)        # blank lines between such a caption and the table
    title_max_gap: int = Field(default=1, ge=0)  # … and between a plain title line and it
    title_max_chars: int = Field(default=40, ge=1)
    sentence_punctuation: str = ""  # a title line holds none of these

    @field_validator("patterns")
    @classmethod
    def _res(cls, v: list[str]) -> list[str]:
        return [_check_regex(p) for p in v]


class TableUnits(_Strict):
    """单位 lines above or under a table, and unit columns (tables.toml [unit])."""

    patterns: list[str] = []
    max_gap: int = Field(default=1, ge=0)
    max_line_chars: int = Field(default=40, ge=1)
    column_headers: list[str] = []  # a column of per-row units is headed so (单位)

    @field_validator("patterns")
    @classmethod
    def _res(cls, v: list[str]) -> list[str]:
        return [_check_regex(p) for p in v]


class TableRows(_Strict):
    """How rows and cells are told apart (tables.toml [rows])."""

    part_markers: list[str] = []    # a label starting so is a part of the row above (其中)
    total_words: list[str] = []     # a label that is one of these is a total (合计, 全市)
    total_suffixes: list[str] = []  # … or ends with one of these (各区合计)
    numeric: str = r"^[-+]?\d[\d,]*(?:\.\d+)?%?$"
    not_numeric: list[str] = []     # cells that look numeric but head columns (2023年)
    blank: list[str] = []           # cells that stand for no value (-, /, —)

    _re = field_validator("numeric")(_check_regex)

    @field_validator("not_numeric")
    @classmethod
    def _res(cls, v: list[str]) -> list[str]:
        return [_check_regex(p) for p in v]


class TableText(_Strict):
    """Plain-text tables: lines aligned by tabs or runs of spaces (tables.toml [text])."""

    min_rows: int = Field(default=2, ge=2)
    min_numeric_rows: int = Field(default=2, ge=1)
    max_cell_chars: int = Field(default=40, ge=1)
    min_gap_width: int = Field(default=2, ge=2)  # space = 1, full-width space = 2
    prose_punctuation: str = ""     # a cell holding one of these is a sentence


class TablesFile(_Strict):
    caption: TableCaptions = Field(default_factory=TableCaptions)
    unit: TableUnits = Field(default_factory=TableUnits)
    rows: TableRows = Field(default_factory=TableRows)
    text: TableText = Field(default_factory=TableText)


class CellUnits(_Strict):
    in_header: str
    line: str
    unit_column: str

    _re = field_validator("in_header", "line", "unit_column")(_check_regex)


class CellColumns(_Strict):
    sequence: str
    year: str

    _re = field_validator("sequence", "year")(_check_regex)


class CellModality(_Strict):
    target: str
    actual: str

    _re = field_validator("target", "actual")(_check_regex)


class CellIndicators(_Strict):
    value_words: str
    entity: str
    instance: str
    strip: str
    not_label: str
    bare_change: str = "(?!)"

    _re = field_validator("value_words", "entity", "instance", "strip", "not_label",
                          "bare_change")(
        _check_regex)


class CellContent(_Strict):
    empty: str
    code: str

    _re = field_validator("empty", "code")(_check_regex)


class CellsFile(_Strict):
    """What the headers of a table say about its cells (cells.toml)."""

    units: CellUnits
    columns: CellColumns
    roles: dict[Literal["growth", "share", "change", "baseline", "target"], str]
    modality: CellModality
    indicators: CellIndicators
    cells: CellContent

    @field_validator("roles")
    @classmethod
    def _roles(cls, v: dict[str, str]) -> dict[str, str]:
        return {k: _check_regex(p) for k, p in v.items()}

    def __hash__(self) -> int:  # compiled once per rule set (cells.compile_cells)
        return id(self)


class CatalogueEntry(_Strict):
    """One indicator of the catalogue: its key, name and how reports write it."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    kind: Literal["level", "rate"]
    patterns: list[str] = Field(min_length=1)
    exclude: list[str] = []
    requires: list[str] = []
    forbids: list[str] = []
    note: str = ""

    @field_validator("patterns", "exclude", "requires", "forbids")
    @classmethod
    def _res(cls, v: list[str]) -> list[str]:
        return [_check_regex(p) for p in v]


class CatalogueFile(_Strict):
    """The catalogue of indicators (catalogue.toml)."""

    indicators: list[CatalogueEntry] = []
    inherit_after: list[str] = []
    plan_year_titles: list[str] = []

    @field_validator("indicators")
    @classmethod
    def _unique(cls, v: list[CatalogueEntry]) -> list[CatalogueEntry]:
        seen: set[str] = set()
        for e in v:
            if e.key in seen:
                raise ValueError(f"two entries have the key {e.key!r}")
            seen.add(e.key)
        return v

    def __hash__(self) -> int:  # compiled once per rule set
        return id(self)


class MarkupFile(_Strict):
    """How the markup stripper treats tags (the stripper itself is code)."""

    block_tags: list[str] = []      # leave a line break (p, div, br, li …)
    cell_tags: list[str] = []       # leave a space (td, th)
    drop_content: list[str] = []    # removed with their content (script, style)
    caption_tags: list[str] = []    # a caption repeating body text is the duplicate
    markdown_min_signals: int = Field(default=2, ge=1)


class BoilerplateFile(_Strict):
    rules: list[CleanRule] = []
    page_numbers: PageNumbers | None = None
    duplicate_min_chars: int = 40
    markup: MarkupFile = Field(default_factory=MarkupFile)


class Marker(_Strict):
    style: str
    pattern: str
    _re = field_validator("pattern")(_check_regex)


class SectionsFile(_Strict):
    markers: list[Marker]
    title_max_chars: int = 60
    own_line_max_chars: int = 50
    not_heading: list[str] = []
    appendix: str = ""
    gap_styles: list[str] = []
    sentence_end: str
    clause_end: str


class ModalityFile(_Strict):
    target_cues: list[str]
    actual_cues: list[str] = []
    plan_titles: list[str] = []
    plan_headings: list[str] = []
    result_headings: list[str] = []


class IndicatorsFile(_Strict):
    strip_prefix: list[str] = []
    strip_suffix: list[str] = []
    stop_words: list[str] = []
    verbs: list[str] = []
    generic_nouns: list[str] = []
    generic_heads: list[str] = []
    award_verbs: list[str] = []
    attribute_verbs: list[str] = []
    part_words: list[str] = []
    conjunctions: list[str] = []
    copulas: list[str] = []
    per_words: list[str] = []
    right_units: list[str] = []
    boundary: str = ""
    # The predicate that links a subject to its figure (see indicators.toml).
    predicates: list[str] = []
    comparisons: list[str] = []
    adverbials: list[str] = []
    adverbial_tags: list[str] = []
    list_joiners: list[str] = []
    share_words: list[str] = []
    rank_scopes: list[str] = []
    measure_heads: list[str] = []
    object_verbs: list[str] = []
    _re = field_validator("boundary")(_check_regex)


class RoleRule(_Strict):
    role: Literal["baseline", "change", "growth", "share", "completion", "target", "rank",
                  "other"]
    kinds: list[Kind] = []
    before: str = ""
    after: str = ""
    note: str = ""
    _re = field_validator("before", "after")(_check_regex)


class RolesFile(_Strict):
    roles: list[RoleRule] = []


CheckName = Literal["change", "growth", "share", "completion", "pp_difference",
                    "parts_total", "rate_over_100", "embedded_year", "conflicting_values",
                    "table_totals"]


class CheckUnits(_Strict):
    same: list[list[str]] = []


class CheckDirection(_Strict):
    increase: list[str] = Field(min_length=1)
    decrease: list[str] = Field(min_length=1)


class CheckRelations(_Strict):
    statement_end: str = "[；;]"
    skip_when: list[str] = []
    _re = field_validator("statement_end")(_check_regex)


class CheckShare(_Strict):
    whole_cue: str
    implicit_whole: str
    bracket_open: str
    total_after: str
    _re = field_validator("whole_cue", "implicit_whole", "bracket_open", "total_after")(
        _check_regex)


class CheckCompletion(_Strict):
    target_before: str
    lookback_sentences: int = Field(default=2, ge=0, le=10)
    _re = field_validator("target_before")(_check_regex)


class CheckPP(_Strict):
    comparison_before: str
    _re = field_validator("comparison_before")(_check_regex)


class CheckParts(_Strict):
    part_cue: str
    subtotal_cue: str
    _re = field_validator("part_cue", "subtotal_cue")(_check_regex)


class CheckRate(_Strict):
    limit: Decimal = Field(gt=0)
    bounded: str
    unbounded: str
    _re = field_validator("bounded", "unbounded")(_check_regex)


class CheckYear(_Strict):
    year_mention: str
    outsized_factor: Decimal = Field(gt=1)
    min_siblings: int = Field(ge=1)
    plain_money_min_digits: int = Field(ge=2)
    scaled_money_min: int = Field(ge=1)
    scaled_money_share: Decimal = Field(gt=0, le=1)
    _re = field_validator("year_mention")(_check_regex)

    @field_validator("year_mention")
    @classmethod
    def _one_group(cls, v: str) -> str:
        if regex.compile(v).groups != 1:
            raise ValueError("year_mention needs exactly one group: the year's digits")
        return v


class CheckConflicts(_Strict):
    period_in_sentence: str
    indicator_pattern: str
    min_indicator_chars: int = Field(default=4, ge=1)
    generic: list[str] = []
    generic_suffixes: list[str] = []
    _re = field_validator("period_in_sentence", "indicator_pattern")(_check_regex)


class CheckTableTotals(_Strict):
    total_label: str
    part_label: str
    _re = field_validator("total_label", "part_label")(_check_regex)


class ChecksFile(_Strict):
    disabled: list[CheckName] = []
    units: CheckUnits = Field(default_factory=CheckUnits)
    direction: CheckDirection
    relations: CheckRelations = Field(default_factory=CheckRelations)
    share: CheckShare
    completion: CheckCompletion
    pp_difference: CheckPP
    parts_total: CheckParts
    rate_over_100: CheckRate
    embedded_year: CheckYear
    conflicting_values: CheckConflicts
    table_totals: CheckTableTotals


# -- the compiled rules -------------------------------------------------------------
@dataclass(frozen=True)
class CheckRules:
    """checks.toml, compiled: the cue words as patterns, thresholds as Decimals."""

    settings: ChecksFile
    disabled: frozenset[str]
    unit_class: dict[str, str]           # measure word → the first word of its group
    direction: regex.Pattern[str]        # the last match says which way: group inc or dec
    statement_end: regex.Pattern[str]
    skip_when: regex.Pattern[str] | None
    whole_cue: regex.Pattern[str]
    implicit_whole: regex.Pattern[str]
    bracket_open: regex.Pattern[str]
    total_after: regex.Pattern[str]
    target_before: regex.Pattern[str]
    comparison_before: regex.Pattern[str]
    part_cue: regex.Pattern[str]
    subtotal_cue: regex.Pattern[str]
    bounded: regex.Pattern[str]
    unbounded: regex.Pattern[str]
    year_mention: regex.Pattern[str]
    period_in_sentence: regex.Pattern[str]
    indicator_pattern: regex.Pattern[str]
    total_label: regex.Pattern[str]
    part_label: regex.Pattern[str]


def _words(words: list[str]) -> str:
    return "|".join(map(regex.escape, sorted(words, key=len, reverse=True)))


def compile_checks(c: ChecksFile, translate: dict[int, str]) -> CheckRules:
    unit_class: dict[str, str] = {}
    for group in c.units.same:
        for w in group:
            unit_class[w.translate(translate)] = group[0].translate(translate)
    d = c.direction
    return CheckRules(
        settings=c,
        disabled=frozenset(c.disabled),
        unit_class=unit_class,
        direction=compile_pattern(f"(?P<inc>{_words(d.increase)})|(?P<dec>{_words(d.decrease)})"),
        statement_end=compile_pattern(c.relations.statement_end),
        skip_when=compile_pattern(_words(c.relations.skip_when)) if c.relations.skip_when
        else None,
        whole_cue=compile_pattern(c.share.whole_cue),
        implicit_whole=compile_pattern(c.share.implicit_whole),
        bracket_open=compile_pattern(c.share.bracket_open),
        total_after=compile_pattern(c.share.total_after),
        target_before=compile_pattern(c.completion.target_before),
        comparison_before=compile_pattern(c.pp_difference.comparison_before),
        part_cue=compile_pattern(c.parts_total.part_cue),
        subtotal_cue=compile_pattern(c.parts_total.subtotal_cue),
        bounded=compile_pattern(c.rate_over_100.bounded),
        unbounded=compile_pattern(c.rate_over_100.unbounded),
        year_mention=compile_pattern(c.embedded_year.year_mention),
        period_in_sentence=compile_pattern(c.conflicting_values.period_in_sentence),
        indicator_pattern=compile_pattern(c.conflicting_values.indicator_pattern),
        total_label=compile_pattern(c.table_totals.total_label),
        part_label=compile_pattern(c.table_totals.part_label),
    )


@dataclass(frozen=True)
class UnitDef:
    kind: str
    unit: str          # "" = as written
    factor: Decimal
    not_before: tuple[str, ...]
    factor_below: Decimal | None = None


@dataclass(frozen=True)
class CompiledContextRule:
    name: str
    reason: str | None
    accept: str | None
    style: str
    numeral: re.Pattern[str] | regex.Pattern[str] | None
    units: frozenset[str]
    kinds: frozenset[str]
    before: re.Pattern[str] | regex.Pattern[str] | None
    after: re.Pattern[str] | regex.Pattern[str] | None


@dataclass(frozen=True)
class CompiledCleanRule:
    name: str
    reason: str
    pattern: regex.Pattern[str]
    scope: str
    joiner: str
    min_lines: int = 1
    max_rest_chars: int | None = None


@dataclass(frozen=True, eq=False)  # compared and hashed by identity
class Rules:
    """Everything reportmine knows about the language, loaded from patterns/."""

    source: tuple[str, ...]
    numerals: NumeralTable
    translate: dict[int, str]
    translate_more: dict[int, str]      # the rest of the Traditional table (OpenCC)
    traditional_chars: frozenset[str]
    units: dict[str, UnitDef]            # unit word → definition (real and pseudo units)
    unit_max_len: int
    numeral_initial_units: regex.Pattern[str] | None
    approx_before: dict[str, str]        # word → approx
    approx_inside: dict[str, str]
    approx_after: dict[str, str]
    false_friends: tuple[str, ...]
    negative_prefixes: tuple[str, ...]
    compounds: dict[str, Compound]                       # unit word → what may follow it
    unit_prefixes: tuple[tuple[str, str, str], ...]      # (word, kind, unit), longest first
    half_not_before: tuple[str, ...]
    currency_prefixes: tuple[tuple[str, str, str | None], ...]  # (word, currency, script)
    context_rules: tuple[CompiledContextRule, ...]
    clean_rules: tuple[CompiledCleanRule, ...]
    markup: MarkupSettings
    page_numbers: PageNumbers | None
    duplicate_min_chars: int
    sections: SectionsFile
    markers: tuple[tuple[str, regex.Pattern[str]], ...]
    modality: ModalityFile
    indicators: IndicatorsFile
    roles: tuple[tuple[str, frozenset[str], regex.Pattern[str] | None,
                       regex.Pattern[str] | None], ...]
    userdict: tuple[str, ...] = field(default=())
    jieba_base: str | None = None  # path of the base dictionary, None for jieba's own
    checks: CheckRules | None = None     # the audit's settings (checks.toml)
    pages: PagesFile = field(default_factory=lambda: PagesFile())  # page furniture
    tables: TablesFile = field(default_factory=lambda: TablesFile())  # tables in documents
    cells: CellsFile | None = None   # what table headers say of their cells (cells.toml)
    catalogue: CatalogueFile | None = None  # one key per indicator (catalogue.toml)

    charmap: CharMap = field(init=False, repr=False)  # `translate`, applied fast

    def __post_init__(self) -> None:
        object.__setattr__(self, "charmap", CharMap(
            self.translate, self.translate_more, map(ord, self.traditional_chars)))

    def normalize(self, text: str) -> str:
        """The same text with one-to-one character replacements (offsets unchanged)."""
        return self.charmap(text)


def _fullwidth_table() -> dict[int, str]:
    """Full-width ASCII → ASCII and odd spaces → space; each one character for one."""
    table = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
    # The full-width comma stays: normalising it would let 100，200 read as 100200.
    del table[0xFF0C]
    for c in (0x3000, 0x00A0, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
              0x2009, 0x200A, 0x202F, 0x205F):
        table[c] = " "
    table[0x2236] = ":"   # RATIO
    table[0x2212] = "-"   # MINUS SIGN
    table[0x2013] = "-"   # EN DASH
    table[0x0D] = " "     # CR of CRLF files: line patterns then end at the line break
    return {k: v for k, v in table.items()}


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # here: rules from the cache read no TOML

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(path, "-", f"not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise RulesError(path, "-", f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise RulesError(path, "-", f"cannot read: {exc.strerror}") from None


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Overlay entries are added: lists are extended, tables merged, scalars replaced."""
    out = dict(base)
    for k, v in extra.items():
        if k in out and isinstance(out[k], list) and isinstance(v, list):
            out[k] = out[k] + v
        elif k in out and isinstance(out[k], dict) and isinstance(v, dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _validate(schema: type[BaseModel], data: dict[str, Any], path: Path) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = list(err["loc"])
        rule = "/".join(str(x) for x in loc) or "-"
        # Name the rule by its `name` where it has one (rules[3] → rules[3] "ordinal-di").
        if len(loc) >= 2 and isinstance(loc[1], int):
            entries = data.get(str(loc[0]), [])
            if isinstance(entries, list) and loc[1] < len(entries) \
                    and isinstance(entries[loc[1]], dict) and "name" in entries[loc[1]]:
                rule = f"{loc[0]}[{loc[1]}] {entries[loc[1]]['name']!r}"
        raise RulesError(path, rule, err["msg"]) from None


def default_patterns_dir() -> Path:
    """patterns/ inside the installed package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "patterns", here.parents[1] / "patterns"):
        if (candidate / "units.toml").is_file():
            return candidate
    raise RulesError(here / "patterns", "-", "the patterns folder is missing from the install")


def load_rules(overlay: str | Path | None = None, base: str | Path | None = None) -> Rules:
    """Read and validate patterns/ (and an optional overlay folder) into `Rules`.

    Reading and validating takes a tenth of a second or more, the biggest part of the
    start-up of a run with little to do; rules read before from the same files by the
    same code come from the user's cache (see reportmine.diskcache)."""
    base_dir = Path(base) if base else default_patterns_dir()
    overlay_dir = Path(overlay) if overlay else None
    if overlay_dir is not None and not overlay_dir.is_dir():
        raise RulesError(overlay_dir, "-", "the overlay folder does not exist")
    name = diskcache.key(diskcache.code_hash(), str(base_dir.resolve()),
                         str(overlay_dir.resolve()) if overlay_dir else "",
                         diskcache.tree_hash(base_dir, overlay_dir))
    rules: Rules = diskcache.cached("rules", name, lambda: _read_rules(base_dir, overlay_dir),
                                    objects=True)
    return rules


def _read_rules(base_dir: Path, overlay_dir: Path | None) -> Rules:
    raw: dict[str, tuple[dict[str, Any], Path]] = {}
    for name in PATTERN_FILES:
        path = base_dir / name
        data = _read_toml(path)
        shown = path
        if overlay_dir is not None and (overlay_dir / name).is_file():
            shown = overlay_dir / name
            data = _merge(data, _read_toml(shown))
        raw[name] = (data, shown)

    def get(name: str, schema: type[BaseModel]) -> Any:
        data, path = raw[name]
        return _validate(schema, data, path)

    num = get("numerals.toml", NumeralsFile)
    numerals = NumeralTable(
        digits=num.digits, small_units=num.small_units, big_units=num.big_units,
        special=num.special, points=frozenset(num.points.get("chars", [])),
        zeros=frozenset(num.zeros.get("chars", [])),
    )
    charmap = get("charmap.toml", CharmapFile)
    translate = _fullwidth_table()
    translate.update({ord(a): b for a, b in charmap.traditional.items()})
    traditional_chars = frozenset(a for a, b in charmap.traditional.items() if a != b)
    # the curated table wins over the generated one (see view.CharMap for why two)
    translate_more = {ord(a): b for a, b in charmap.opencc.items()
                      if ord(a) not in translate and a != b}

    units_file = get("units.toml", UnitsFile)
    rej = get("rejections.toml", RejectionsFile)
    units: dict[str, UnitDef] = {}
    for g in units_file.units:
        for w in g.words:
            units[w] = UnitDef(g.kind, g.unit, g.factor, tuple(g.not_before), g.factor_below)
    for p in rej.pseudo_units:
        for w in p.words:
            # A pseudo unit (年, 届) marks a non-quantity; it must not shadow a real unit.
            units.setdefault(w, UnitDef("reject:" + p.reason, "", Decimal(1), ()))
    numeral_chars = set(numerals.chars)
    # Units that begin with a numeral character (千瓦, 兆瓦, 百分点) stop the numeral there.
    initial = sorted((w for w in units if w[0] in numerals.small_units
                      or (w[0] in numerals.big_units and len(w) > 1)), key=len, reverse=True)
    numeral_initial_units = compile_pattern("|".join(map(regex.escape, initial))) if initial else None

    quals = get("qualifiers.toml", QualifiersFile)
    approx_before: dict[str, str] = {}
    approx_inside: dict[str, str] = {}
    approx_after: dict[str, str] = {}
    for q in quals.qualifiers:
        for w in q.before:
            approx_before[w] = q.approx
        for w in q.inside:
            approx_inside[w] = q.approx
        for w in q.after:
            approx_after[w] = q.approx

    path = raw["rejections.toml"][1]
    context_rules = []
    for r in rej.rules:
        try:
            context_rules.append(CompiledContextRule(
                name=r.name, reason=r.reason, accept=r.accept, style=r.style,
                numeral=compile_pattern(r.numeral) if r.numeral else None,
                units=frozenset(r.units), kinds=frozenset(r.kinds),
                before=compile_pattern(f"(?:{r.before})$") if r.before else None,
                after=compile_pattern(r.after) if r.after else None,
            ))
        except regex.error as exc:  # pragma: no cover - validated above
            raise RulesError(path, r.name, str(exc)) from None
    unknown = {u for r in rej.rules for u in r.units if u != "-" and u not in units}
    if unknown:
        bad = next(r for r in rej.rules if set(r.units) & unknown)
        raise RulesError(path, repr(bad.name), f"unknown unit(s) {sorted(unknown)}: "
                         "add them to units.toml or pseudo_units first")
    del numeral_chars

    bp = get("boilerplate.toml", BoilerplateFile)
    names: set[str] = set()
    for r in bp.rules:  # removed.csv names the rule: two of one name could not be told apart
        if r.name in names:
            raise RulesError(raw["boilerplate.toml"][1], repr(r.name), "two rules are named so")
        names.add(r.name)
    clean_rules = tuple(
        CompiledCleanRule(r.name, r.reason, regex.compile(r.pattern, regex.M), r.scope,
                          JOINERS[r.join], r.min_lines, r.max_rest_chars)
        for r in bp.rules
    )
    markup = MarkupSettings(
        block_tags=frozenset(t.lower() for t in bp.markup.block_tags),
        cell_tags=frozenset(t.lower() for t in bp.markup.cell_tags),
        drop_content=frozenset(t.lower() for t in bp.markup.drop_content),
        caption_tags=frozenset(t.lower() for t in bp.markup.caption_tags),
        markdown_min_signals=bp.markup.markdown_min_signals,
    )
    sec = get("sections.toml", SectionsFile)
    markers = tuple((m.style, compile_pattern(m.pattern)) for m in sec.markers)
    for style, pat in markers:
        if "num" not in pat.groupindex:
            raise RulesError(raw["sections.toml"][1], repr(style),
                             "a marker pattern needs a (?P<num>…) group")

    userdict_path = base_dir / USERDICT
    userdict: list[str] = []
    for p in (userdict_path, overlay_dir / USERDICT if overlay_dir else None):
        if p is not None and p.is_file():
            try:
                lines = p.read_text(encoding="utf-8").splitlines()
            except UnicodeDecodeError as exc:
                raise RulesError(p, "-", f"not UTF-8 text (byte {exc.start})") from None
            userdict.extend(line for line in lines if line.strip() and not line.startswith("#"))

    return Rules(
        source=tuple(str(p) for _, p in raw.values()),
        numerals=numerals,
        translate=translate,
        translate_more=translate_more,
        traditional_chars=traditional_chars,
        units=units,
        unit_max_len=max(map(len, units)),
        numeral_initial_units=numeral_initial_units,
        approx_before=approx_before,
        approx_inside=approx_inside,
        approx_after=approx_after,
        false_friends=tuple(quals.false_friends),
        negative_prefixes=tuple(sorted(num.negative_prefixes, key=len, reverse=True)),
        compounds={w: c for c in units_file.compounds for w in c.after},
        unit_prefixes=tuple(sorted(((w, p.kind, p.unit) for p in units_file.unit_prefixes
                                    for w in p.words), key=lambda x: -len(x[0]))),
        half_not_before=tuple(units_file.half_not_before),
        currency_prefixes=tuple(sorted(
            ((w, p.unit, p.script) for p in units_file.currency_prefixes for w in p.words),
            key=lambda x: -len(x[0]))),
        context_rules=tuple(context_rules),
        clean_rules=clean_rules,
        markup=markup,
        page_numbers=bp.page_numbers,
        duplicate_min_chars=bp.duplicate_min_chars,
        sections=sec,
        markers=markers,
        modality=get("modality.toml", ModalityFile),
        indicators=get("indicators.toml", IndicatorsFile),
        roles=tuple(
            (r.role, frozenset(r.kinds), compile_pattern(r.before) if r.before else None,
             compile_pattern(r.after) if r.after else None)
            for r in get("roles.toml", RolesFile).roles),
        userdict=tuple(userdict),
        checks=compile_checks(get("checks.toml", ChecksFile), translate),
        jieba_base=str(base_dir / JIEBA_BASE) if (base_dir / JIEBA_BASE).is_file() else None,
        pages=get("pages.toml", PagesFile),
        tables=get("tables.toml", TablesFile),
        cells=get("cells.toml", CellsFile),
        catalogue=get("catalogue.toml", CatalogueFile),
    )


@functools.lru_cache(maxsize=4)
def default_rules(overlay: str | None = None) -> Rules:
    """The rules of patterns/ (plus an overlay folder), loaded once per process."""
    return load_rules(overlay)
