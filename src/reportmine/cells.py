"""Figures in table cells: each numeric cell a quantity, its meaning from the headers.

A figure in a table says little by itself ("1329.65"); its row label and column header
say the rest. The unit comes from the cell if it writes one, else its column header
(金额（万元）, 增长(%)), its row label (一般公共预算收入（亿元）), a 单位 column, or a
单位：万元 line around the table; the indicator is the row label, or the column header
where the row names an entity (a table of districts × 户籍人口); the header gives the
role (比上年增长 → growth), the period (2023年) and targets (预算数). Cells that are
years, row numbers, codes or dashes are rejected with the reason. The header words are
data (patterns/cells.toml).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable, NamedTuple, Sequence

import regex

from .attribution import period_in
from .doctables import FoundTable, TableCell
from .quantities import Extractor, Quantity, Rejected
from .rules import CellsFile
from .view import View

# A cell that is only a number (with a sign, thousands separators, a percent sign).
_PLAIN = regex.compile(r"^\s*(?P<sign>[+\-−－])?\s*(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
                       r"\s*(?P<pct>%|‰)?\s*(?:[(\[][^()\[\]]{0,40}[)\]]\s*)?$")
_DIGIT = regex.compile(r"\d")
_YEAR_CELL = regex.compile(r"^\s*(?:19|20)\d{2}\s*(?:年(?:度)?)?\s*$")
_SPACE = regex.compile(r"\s+")


@dataclass(frozen=True)
class CellRules:
    """cells.toml, compiled."""

    unit_in_header: regex.Pattern[str]
    unit_line: regex.Pattern[str]
    unit_column: regex.Pattern[str]
    sequence: regex.Pattern[str]
    year: regex.Pattern[str]
    roles: tuple[tuple[str, regex.Pattern[str]], ...]
    target: regex.Pattern[str]
    actual: regex.Pattern[str]
    value_words: regex.Pattern[str]
    entity: regex.Pattern[str]
    instance: regex.Pattern[str]
    strip: regex.Pattern[str]
    not_label: regex.Pattern[str]
    bare_change: regex.Pattern[str]
    empty: regex.Pattern[str]
    code: regex.Pattern[str]


_HAN_RUN = regex.compile(r"\p{Han}+")


@functools.lru_cache(maxsize=8)
def compile_cells(c: CellsFile) -> CellRules:
    return CellRules(
        unit_in_header=regex.compile(c.units.in_header),
        unit_line=regex.compile(c.units.line),
        unit_column=regex.compile(c.units.unit_column),
        sequence=regex.compile(c.columns.sequence),
        year=regex.compile(c.columns.year),
        roles=tuple((role, regex.compile(p)) for role, p in c.roles.items()),
        target=regex.compile(c.modality.target),
        actual=regex.compile(c.modality.actual),
        value_words=regex.compile(c.indicators.value_words),
        entity=regex.compile(c.indicators.entity),
        instance=regex.compile(c.indicators.instance),
        strip=regex.compile(c.indicators.strip),
        not_label=regex.compile(c.indicators.not_label),
        bare_change=regex.compile(c.indicators.bare_change),
        empty=regex.compile(c.cells.empty),
        code=regex.compile(c.cells.code),
    )


class CellFigure(NamedTuple):
    """A figure of a table cell (view offsets) and what its headers say of it."""

    quantity: Quantity
    table: int
    row: int
    col: int
    indicator: str
    role: str
    modality: str
    period: str
    subject: str
    row_start: int    # the row's text, which stands for the figure's sentence
    row_end: int


class Unit(NamedTuple):
    """What a unit word does to a plain number: kind, base unit and factor."""

    kind: str
    unit: str
    factor: Decimal


# The context of a table: (its section's part, its section's period) by view offset.
Context = Callable[[int], tuple[str, str]]


class _Table:
    """One table's cells in view terms: texts, the headers over each column, the
    labels of each row."""

    def __init__(self, t: FoundTable, view: View, continues: "_Table | None" = None) -> None:
        self.t, self.view = t, view
        # A table that goes on after a page break without its header row takes the
        # header of the part before it.
        self.continues = continues
        shape = continues.t if continues is not None else t
        self.label_cols, self.unit_col = shape.label_cols, shape.unit_col
        self.text: dict[tuple[int, int], str] = {}
        self.raw: dict[tuple[int, int], str] = {}   # as written, for names
        self.span: dict[tuple[int, int], tuple[int, int]] = {}
        self.covering: dict[tuple[int, int], TableCell] = {}
        for c in t.cells:
            vs, ve = view.to_view(c.start), view.to_view(c.end)
            s = view.text[vs:ve]
            lead = len(s) - len(s.lstrip())
            vs, ve = vs + lead, vs + len(s.rstrip())
            self.text[c.row, c.col] = view.text[vs:ve] if ve > vs else ""
            self.raw[c.row, c.col] = view.raw[vs:ve] if ve > vs else ""
            self.span[c.row, c.col] = (vs, max(vs, ve))
            for r in range(c.row, min(c.row + c.rowspan, t.rows)):
                for k in range(c.col, min(c.col + c.colspan, t.cols)):
                    self.covering[r, k] = c

    def cell_text(self, r: int, k: int, raw: bool = False) -> str:
        c = self.covering.get((r, k))
        return (self.raw if raw else self.text).get((c.row, c.col), "") if c else ""

    def headers(self, k: int, raw: bool = False) -> list[str]:
        """The header texts over column k, top to bottom, each once."""
        if self.t.header_rows == 0 and self.continues is not None:
            return self.continues.headers(k, raw)
        out: list[str] = []
        for r in range(self.t.header_rows):
            h = self.cell_text(r, k, raw)
            if h and h not in out:
                out.append(h)
        return out

    def labels(self, r: int, raw: bool = False) -> list[str]:
        """The label texts of row r, left to right, each once."""
        out: list[str] = []
        for k in range(self.label_cols):
            if k == self.unit_col:
                continue
            h = self.cell_text(r, k, raw)
            if h and h not in out:
                out.append(h)
        return out

    def name_column(self, not_label: regex.Pattern[str]) -> int | None:
        """The label column that names each row's item: not a unit or a specification
        column (规格, 等级), and not a category merged down over several rows when
        another column names the rows one by one (类别 | 品种 | 等级规格 → 品种)."""
        cols = [k for k in range(self.label_cols) if k != self.unit_col
                and not any(not_label.search(h) for h in self.headers(k))]
        if not cols:
            return None
        single = [k for k in cols
                  if sum(1 for c in self.t.cells if c.col == k and c.rowspan > 1)
                  * 2 <= sum(1 for c in self.t.cells if c.col == k)]
        return (single or cols)[-1]

    def row_span(self, r: int) -> tuple[int, int]:
        spans = [self.span[c.row, c.col] for c in self.t.cells if c.row == r]
        return (min(s for s, _ in spans), max(e for _, e in spans)) if spans else (0, 0)


class CellReader:
    """Reads the figures of a document's tables."""

    def __init__(self, cells: CellsFile, extractor: Extractor) -> None:
        self.rules = compile_cells(cells)
        self.extractor = extractor
        self._units: dict[str, Unit | None] = {}

    # -- units ------------------------------------------------------------------
    def unit(self, word: str) -> Unit | None:
        """What a unit word means, learned by reading "1" + word as a quantity."""
        word = word.strip()
        if word in self._units:
            return self._units[word]
        found = None
        if word and not _DIGIT.search(word):
            probe = "1" + word
            qs, _ = self.extractor.extract(probe, probe)
            if qs and qs[0].start == 0 and qs[0].end > 1 and qs[0].kind != "number" \
                    and qs[0].value is not None:
                q = qs[0]
                found = Unit(q.kind, q.unit, q.value)
        self._units[word] = found
        return found

    def header_unit(self, text: str) -> Unit | None:
        m = self.rules.unit_in_header.search(text)
        if m is None:
            return None
        return self.unit(m.group("pct") or m.group("unit"))

    def line_unit(self, text: str) -> Unit | None:
        m = self.rules.unit_line.search(text)
        return self.unit(m.group("unit")) if m else None

    # -- a table ----------------------------------------------------------------
    def read(self, index: int, t: FoundTable, view: View, context: Context,
             before: FoundTable | None = None) -> tuple[list[CellFigure], list[Rejected]]:
        """The figures of table `t`; `before` is the table before it, which `t` may
        continue (after a page break, without its header)."""
        continues = None
        if before is not None and t.header_rows == 0 and _columns(before) == _columns(t) \
                and not view.text[view.to_view(before.end):view.to_view(t.start)].strip():
            continues = _Table(before, view)
        tab = _Table(t, view, continues)
        rules = self.rules
        head = before if continues is not None else t
        around = " ".join(view.text[slice(*map(view.to_view, s))]
                          for s in (head.caption, head.unit) if s is not None)
        table_unit = self.line_unit(around)
        table_period = period_in(around)
        part, section_period = context(view.to_view(t.start))
        heads = {k: tab.headers(k) for k in range(t.cols)}
        skip_cols = {k for k, h in heads.items()
                     if h and (rules.sequence.search(h[-1]) or rules.year.search(h[-1]))}
        unit_col = tab.unit_col if tab.unit_col is not None else next(
            (k for k, h in heads.items() if h and rules.unit_column.search(h[-1])), None)
        latest = _latest_period_columns(heads)
        # Distinct measures named by the columns (one measure under two periods is one).
        measures = len({_last_name(h, rules) for k, h in heads.items()
                        if k >= tab.label_cols and k != unit_col and k not in skip_cols
                        and self._is_measure(_last_name(h, rules))})
        caption = view.raw[slice(*map(view.to_view, head.caption))] if head.caption else ""
        figures: list[CellFigure] = []
        rejected: list[Rejected] = []
        for c in t.cells:
            if c.row < t.header_rows or c.col < tab.label_cols or c.col == unit_col:
                rejected += self._not_figures(tab, c, heads)
                continue
            text = tab.text[c.row, c.col]
            vs, ve = tab.span[c.row, c.col]
            if not text:
                continue
            if rules.empty.match(text):
                rejected.append(Rejected(vs, ve, "other", "table-empty-cell"))
                continue
            if not _DIGIT.search(text):
                continue
            if c.col in skip_cols:
                reason = "section" if rules.sequence.search(heads[c.col][-1]) else "date"
                rejected.append(Rejected(vs, ve, reason, "table-" + reason + "-column"))
                continue
            if _YEAR_CELL.match(text) and not heads[c.col]:
                rejected.append(Rejected(vs, ve, "date", "table-year-cell"))
                continue
            if rules.code.match(text):
                rejected.append(Rejected(vs, ve, "code", "table-code-cell"))
                continue
            labels = tab.labels(c.row)
            units = [self.header_unit(h) for h in reversed(heads[c.col])]
            units += [self.header_unit(lb) for lb in reversed(labels)]
            if unit_col is not None:
                units.append(self.unit(tab.cell_text(c.row, unit_col)))
            units.append(table_unit)
            unit = next((u for u in units if u is not None), None)
            quantities, rejects = self._quantities(text, vs, unit)
            rejected += rejects
            if not quantities:
                continue
            meaning = self._meaning(heads[c.col], labels, t, c.row, c.col, tab, measures,
                                    caption)
            indicator, subject, role, modality, period = meaning
            if not modality:
                modality = "target" if part == "plan" else "actual"
            if not role and latest is not None and c.col in latest[1]:
                # Two periods side by side: the earlier one is the baseline of the later.
                role = "value" if c.col in latest[0] else "baseline"
            rs, re_ = tab.row_span(c.row)
            for q in quantities:
                figures.append(CellFigure(
                    q, index, c.row, c.col, indicator,
                    _role_for(role, q.kind), modality,
                    period or table_period or section_period, subject, rs, re_))
        return figures, rejected

    def _not_figures(self, tab: _Table, c: TableCell, heads: dict[int, list[str]]
                     ) -> list[Rejected]:
        """A header or label cell that holds digits: rejected, with what it is (its
        numbers are names, years and row numbers, not figures)."""
        text = tab.text.get((c.row, c.col), "")
        if not _DIGIT.search(text):
            return []
        vs, ve = tab.span[c.row, c.col]
        head = heads.get(c.col, [""])
        if _only_period(text) or period_in(text):
            return [Rejected(vs, ve, "date", "table-period")]
        if head and self.rules.sequence.search(head[-1] if head else ""):
            return [Rejected(vs, ve, "section", "table-row-number")]
        return [Rejected(vs, ve, "name", "table-label")]

    def _quantities(self, text: str, start: int, unit: Unit | None
                    ) -> tuple[list[Quantity], list[Rejected]]:
        """The figures of one cell's text (at view offset `start`)."""
        m = _PLAIN.match(text)
        if m is not None:
            try:
                value = Decimal(m.group("num").replace(",", ""))
            except InvalidOperation:  # pragma: no cover - the pattern admits only digits
                return [], []
            if m.group("sign") and m.group("sign") != "+":
                value = -value
            s = start + (m.start("sign") if m.group("sign") else m.start("num"))
            e = start + (m.end("pct") if m.group("pct") else m.end("num"))
            if m.group("pct"):
                factor = Decimal("0.1") if m.group("pct") == "‰" else Decimal(1)
                q = Quantity(s, e, "percent", value * factor, None, "%", None, False, "table")
            elif unit is not None:
                q = Quantity(s, e, unit.kind, value * unit.factor, None, unit.unit, None, False,
                             "table-header-unit")
            else:
                q = Quantity(s, e, "number", value, None, "", None, False, "table")
            return [q], []
        qs, rj = self.extractor.extract(text, text)
        shift = [q._replace(start=q.start + start, end=q.end + start) for q in qs]
        return shift, [r._replace(start=r.start + start, end=r.end + start) for r in rj]

    def _is_measure(self, head: str) -> bool:
        """Does a column header name what is measured (总开支, 户籍人口), rather than a
        kind of value (绝对数, 比上年增长) or a period (2023年)?"""
        name = _clean(head, self.rules)
        return bool(name) and not self.rules.value_words.match(name) and not _only_period(name)

    def _meaning(self, heads: list[str], labels: list[str], t: FoundTable, row: int,
                 col: int, tab: _Table, measures: int, caption: str
                 ) -> tuple[str, str, str, str, str]:
        """indicator, subject, role, modality, period of a cell from its headers. Names
        are taken as written (raw), patterns read the normalised text."""
        rules = self.rules
        named = [h for h in heads if _clean(h, rules)]
        head = named[-1] if named else ""
        name_col = tab.name_column(rules.not_label)
        label = tab.cell_text(row, name_col) if name_col is not None else ""
        raw_heads = [n for n in (_clean(h, rules) for h in tab.headers(col, raw=True)) if n]
        head_name = raw_heads[-1] if raw_heads else ""
        label_name = _clean(tab.cell_text(row, name_col, raw=True), rules) \
            if name_col is not None else ""
        all_heads = " ".join(heads)
        period = period_in(all_heads) or period_in(" ".join(labels))
        head_is_measure = self._is_measure(head)
        norm_label = _clean(label, rules)
        entity_row = bool(norm_label) and (rules.entity.search(norm_label) is not None
                                           or rules.instance.match(norm_label) is not None
                                           or _only_period(norm_label))
        subject = ""
        if not label_name:
            # No row label: the column says what is measured, unless it only names a
            # period (2014年 | 2015年): then the table's caption does.
            indicator = head_name if head_is_measure else _clean(caption, rules) or head_name
        elif entity_row and head_name and not _only_period(head_name):
            # Rows of entities (a table of districts × 户籍人口, 增长): the column says
            # what is measured, the row whose it is.
            indicator, subject = head_name, label_name
        elif head_is_measure and measures >= 2:
            # Rows of entities or items, columns of measures (a table of districts ×
            # 户籍人口, 性别比): the column names the measure, the row its subject.
            indicator, subject = head_name, label_name
        else:
            indicator = label_name
        if indicator and indicator == head_name and rules.bare_change.match(head):
            # 上季收入中位数 | 今季收入中位数 | 变化: the change of what the other columns hold
            others = [_clean(tab.headers(k, raw=True)[-1], rules)
                      for k in range(tab.label_cols, t.cols)
                      if k != col and tab.headers(k) and tab.headers(k, raw=True)
                      and not rules.bare_change.match(tab.headers(k)[-1])]
            others = [n for n in others if n]
            indicator = _common_part(others) + indicator
        parent = t.parents[row] if row < len(t.parents) else None
        if parent is not None and not indicator:
            indicator = _clean(" ".join(tab.labels(parent, raw=True)), rules)
        role = ""
        for name, pattern in rules.roles:
            if pattern.search(all_heads) or (not heads and pattern.search(label)):
                role = name
                break
        modality = ""
        if rules.target.search(all_heads):
            modality = "target"
        elif rules.actual.search(all_heads):
            modality = "actual"
        return indicator, subject, role, modality, period


def _common_part(names: list[str]) -> str:
    """The longest run of Han characters (2 or more) that every name holds: 收入中位数 of
    上季收入中位数 and 今季收入中位数; "" when there are fewer than two names."""
    if len(names) < 2:
        return ""
    first = min(names, key=len)
    for n in range(len(first), 1, -1):
        for i in range(len(first) - n + 1):
            part = first[i:i + n]
            if _HAN_RUN.fullmatch(part) and all(part in x for x in names):
                return part.lstrip("年季月期度")  # (上季|今季收入中位数: no time word)
    return ""


def _clean(text: str, rules: CellRules) -> str:
    """A header or label as an indicator: its marks, numbering and unit brackets off."""
    text = _SPACE.sub("", text)
    for _ in range(3):  # 其中：#城镇（万人） has several
        stripped = rules.strip.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = regex.sub(r"(?:%|‰|[:：])$", "", text)
    return text[:20]


def _last_name(heads: list[str], rules: CellRules) -> str:
    """The lowest header that names something (a row of units alone names nothing)."""
    names = [n for n in (_clean(h, rules) for h in heads) if n]
    return names[-1] if names else ""


def _only_period(text: str) -> bool:
    """Is the text a period and nothing else (2023年, 2023年上半年, 1-10月, 上年)?"""
    return bool(regex.fullmatch(
        r"(?:(?:19|20)\d{2}\s*(?:年(?:度)?)?)?(?:上半年|下半年|全年|[一二三四1-4]季度|第[一二三四1-4]季度|"
        r"\d{1,2}\s*[-—~至]\s*\d{1,2}\s*月(?:份)?|\d{1,2}\s*月(?:份)?|末|底)?", text.strip())
        and text.strip())


def _columns(t: FoundTable) -> int:
    """How many columns a table's cells start in (a last cell spanning into an empty
    column does not make another)."""
    return max((c.col for c in t.cells), default=-1) + 1


def _latest_period_columns(heads: dict[int, list[str]]
                           ) -> tuple[set[int], set[int]] | None:
    """(the columns of the latest period, all period columns) when the headers name two
    periods or more (2023年 | 2022年, 本年 | 上年), else None."""
    by_period: dict[str, set[int]] = {}
    for k, h in heads.items():
        p = period_in(" ".join(h))
        if p:
            by_period.setdefault(p, set()).add(k)
    if len(by_period) < 2:
        return None
    last = max(by_period)
    return by_period[last], set().union(*by_period.values())


def _role_for(role: str, kind: str) -> str:
    """The header's role where it fits the figure: a growth or share is a rate."""
    if role in ("growth", "share") and kind not in ("percent", "pp", "multiple", "number"):
        return "value"
    if role == "change" and kind == "percent":
        return "growth"
    return role or "value"


def row_labels(t: FoundTable, view: View) -> tuple[str, ...]:
    """Each row's label (its label cells' text, joined), as the document writes it."""
    tab = _Table(t, view)
    return tuple(" ".join(tab.labels(r)) for r in range(t.rows))


def read_tables(tables: Sequence[FoundTable], view: View, reader: CellReader,
                context: Context) -> tuple[list[CellFigure], list[Rejected]]:
    """The figures and rejected cells of every table of a document."""
    figures: list[CellFigure] = []
    rejected: list[Rejected] = []
    for index, t in enumerate(tables, 1):
        f, r = reader.read(index, t, view, context, tables[index - 2] if index > 1 else None)
        figures += f
        rejected += r
    return figures, rejected
