"""Tables in a document: found wherever they are, in one model.

(Not the tables reportmine writes: those are tables.py.) A table comes from a reader's
grid (PDF ruled tables, Word, spreadsheets), a Markdown pipe table, an HTML <table>,
or lines of plain text aligned by tabs or spaces (PDF text, 统计公报 pages). Each is a
FoundTable: cells with their place, span and offsets into the original text, which
leading rows are column headers and which leading columns row labels, which rows are
parts of another (其中 rows under a total), and the caption and 单位 lines around it.

Every source is read in two steps: find the candidate's raw cells (original offsets of
everything between the delimiters), then build the table: a cell's content is what the
cleaned view keeps of that range, stripped of white space (so pipes, tags and Markdown
emphasis fall outside it), and a cell left empty has no TableCell. Where two sources
find the same lines, the one that knows most wins: a reader's grid, then HTML, then
Markdown, then aligned text. Every scan is linear in the text.
"""

from __future__ import annotations

import functools
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterator, Sequence

import regex

from .readers.base import Cell
from .rules import Rules
from .view import View

if TYPE_CHECKING:
    from .readers.base import Grid

__all__ = ["TableCell", "FoundTable", "find_tables"]

MAX_SPAN = 100            # a rowspan or colspan beyond this is clamped (hostile pages)
MAX_PLACES = 1_000_000    # an HTML table with more places than this is not built
MAX_LAYOUT_CELL = 500     # an HTML cell longer than this is page layout, not a figure
HTML_EXTRA_GAP = 6        # a page's own line breaks around tags are blank lines in the view
_SPACES = " \u3000\u00a0"


# A found table's cells are the readers' cells: place, span, and the offsets of the
# content in the original text (pipes, tags and surrounding white space outside).
TableCell = Cell


@dataclass(frozen=True)
class FoundTable:
    """A table of the document."""

    start: int                      # original offsets of the whole table
    end: int
    source: str                     # markdown, html, text, pdf, docx, xlsx, xls, ocr
    rows: int
    cols: int
    cells: tuple[TableCell, ...]    # in row, then column order; empty places have none
    header_rows: int = 1            # leading rows that are column headers
    label_cols: int = 1             # leading columns that are row labels
    parents: tuple[int | None, ...] = ()  # per row: the row it is a part of (其中), or None
    caption: tuple[int, int] | None = None  # the title line above (表1 2023年主要经济指标)
    unit: tuple[int, int] | None = None     # the 单位：万元 line above or under it
    unit_col: int | None = None     # the column of per-row units (headed 单位), if any
    totals: tuple[int, ...] = ()    # rows whose label is a total (合计, 全市, 總數)
    name: str = ""                  # the sheet's name, for a spreadsheet's grid


# -- the rule data, compiled once per rule set --------------------------------------
@dataclass(frozen=True)
class _Config:
    captions: tuple[regex.Pattern[str], ...]
    caption_gap: int
    title_gap: int
    title_chars: int
    sentence_punct: frozenset[str]
    units: tuple[regex.Pattern[str], ...]
    unit_gap: int
    unit_line_chars: int
    unit_headers: frozenset[str]
    part_markers: tuple[str, ...]
    total_words: frozenset[str]
    total_suffixes: tuple[str, ...]
    numeric: regex.Pattern[str]
    not_numeric: tuple[regex.Pattern[str], ...]
    blank: frozenset[str]
    min_rows: int
    min_numeric_rows: int
    max_cell_chars: int
    min_gap_width: int
    prose_punct: frozenset[str]


def _squash(s: str) -> str:
    return "".join(s.split())


@functools.lru_cache(maxsize=4)
def _config(rules: Rules) -> _Config:
    t, norm = rules.tables, rules.normalize
    words = lambda ws: tuple(_squash(norm(w)) for w in ws if _squash(w))  # noqa: E731
    return _Config(
        captions=tuple(regex.compile(p) for p in t.caption.patterns),
        caption_gap=t.caption.max_gap, title_gap=t.caption.title_max_gap,
        title_chars=t.caption.title_max_chars,
        sentence_punct=frozenset(norm(t.caption.sentence_punctuation)),
        units=tuple(regex.compile(p) for p in t.unit.patterns),
        unit_gap=t.unit.max_gap, unit_line_chars=t.unit.max_line_chars,
        unit_headers=frozenset(words(t.unit.column_headers)),
        part_markers=tuple(sorted(set(words(t.rows.part_markers)), key=len, reverse=True)),
        total_words=frozenset(words(t.rows.total_words)),
        total_suffixes=words(t.rows.total_suffixes),
        numeric=regex.compile(t.rows.numeric),
        not_numeric=tuple(regex.compile(p) for p in t.rows.not_numeric),
        blank=frozenset(words(t.rows.blank)),
        min_rows=t.text.min_rows, min_numeric_rows=t.text.min_numeric_rows,
        max_cell_chars=t.text.max_cell_chars, min_gap_width=t.text.min_gap_width,
        prose_punct=frozenset(norm(t.text.prose_punctuation)),
    )


def _is_numeric(cfg: _Config, text: str) -> bool:
    """A figure, only to tell data rows from headers (the extractor reads figures)."""
    s = text.strip()
    if cfg.numeric.match(s) is None or _squash(s) in cfg.blank:
        return False
    return not any(p.search(s) for p in cfg.not_numeric)


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


# -- candidates: raw cells from each source ---------------------------------------
@dataclass
class _Raw:
    """A cell before it is built: original offsets of everything between its delimiters."""

    row: int
    col: int
    start: int
    end: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = False     # an HTML <th>
    text: str = ""           # the view's text of the content, once trimmed
    numeric: bool = False    # the content is a figure
    indent: int = 0          # width of the white space before the content


@dataclass
class _Candidate:
    source: str
    start: int
    end: int
    cells: list[_Raw]
    kind: str                             # grid, html, markdown, text (for priority)
    header_hint: int = 0                  # rows the markup marks as headers
    header_exact: bool = False            # <thead>: the hint is the answer
    spans_known: bool = True              # text and Markdown spans are inferred
    caption: tuple[int, int] | None = None  # original range of a caption the markup gives
    emphasis: bool = False                # strip Markdown ** around cell content
    name: str = ""


def _from_grid(grid: Grid) -> _Candidate:
    cells = [_Raw(c.row, c.col, c.start, c.end, c.rowspan, c.colspan) for c in grid.cells]
    return _Candidate(grid.source, grid.start, grid.end, cells, "grid", name=grid.name)


# Markdown: the rule row under the header (the cleaner's pattern), and cell pipes.
_MD_RULE = regex.compile(
    r"^[ \t]*+\|?+[ \t]*+:?+-{3,}+:?+[ \t]*+(?:\|[ \t]*+:?+-{3,}+:?+[ \t]*+)++\|?+[ \t]*+\r?$",
    regex.M)
_MD_PIPE = regex.compile(r"(?<!\\)\|")
_MD_WALK_BACK = 20   # lines a header row may span (hard breaks inside its cells)


class _Lines:
    """Line boundaries of a text, found once; lines are numbered from 0."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def __len__(self) -> int:
        return len(self.starts)

    def index(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def span(self, k: int) -> tuple[int, int]:
        """(start, end) of line k without its line break (and CR)."""
        s = self.starts[k]
        e = self.starts[k + 1] - 1 if k + 1 < len(self.starts) else len(self.text)
        if e > s and self.text[e - 1] == "\r":
            e -= 1
        return s, e

    def line(self, k: int) -> str:
        s, e = self.span(k)
        return self.text[s:e]


def _hard_break(line: str) -> bool:
    """A Markdown hard break ("   " or "\\" at the end): the cell goes on below."""
    return line.endswith("  ") or line.endswith("\\")


def _md_row_open(line: str) -> bool:
    """Does a row's last line break inside a cell (no closing pipe, a hard break)?"""
    return _hard_break(line) and not line.rstrip().endswith("|")


def _md_header_start(lines: _Lines, k: int) -> int | None:
    """The first line of the header row above the rule row on line k."""
    j = k - 1
    if j < 0 or not lines.line(j).strip():
        return None
    steps = 0
    while (not lines.line(j).lstrip().startswith("|") and j > 0 and steps < _MD_WALK_BACK
           and _md_row_open(lines.line(j - 1))):
        j, steps = j - 1, steps + 1
    return j if "|" in lines.line(j) else None


def _md_cells(text: str, row: int, start: int, end: int) -> list[_Raw]:
    """The cells of one row: the ranges between its pipes (an outer pipe opens or closes)."""
    pipes = [m.start() for m in _MD_PIPE.finditer(text, start, end)]
    bounds = [start - 1] + pipes + [end]
    segs = [(a + 1, b) for a, b in zip(bounds, bounds[1:])]
    if pipes and not text[start:pipes[0]].strip():
        segs = segs[1:]
    if pipes and not text[pipes[-1] + 1:end].strip():
        segs = segs[:-1]
    return [_Raw(row, j, a, b) for j, (a, b) in enumerate(segs)]


def _bold_only(text: str, cells: list[_Raw]) -> _Raw | None:
    """The one non-empty cell of a row when it is bold text: a caption, not a header."""
    full = [c for c in cells if text[c.start:c.end].strip()]
    if len(full) != 1:
        return None
    s = text[full[0].start:full[0].end].strip()
    bold = len(s) > 4 and s[:2] == s[-2:] and s[:2] in ("**", "__")
    return full[0] if bold else None


def _markdown_tables(text: str) -> list[_Candidate]:
    rule_rows = list(_MD_RULE.finditer(text))
    if not rule_rows:
        return []
    lines = _Lines(text)
    out: list[_Candidate] = []
    done = -1                                   # last line taken by a table
    for m in rule_rows:
        k = lines.index(m.start())
        j = _md_header_start(lines, k) if k > done else None
        if j is None or j <= done:
            continue
        rows = [[lines.span(j)[0], lines.span(k - 1)[1]]]
        r = k + 1
        while r < len(lines):
            line = lines.line(r)
            if not line.strip():
                break
            if len(rows) > 1 and not line.lstrip().startswith("|") \
                    and _md_row_open(text[rows[-1][0]:rows[-1][1]]):
                rows[-1][1] = lines.span(r)[1]   # the cell goes on after a hard break
            elif "|" in line:
                rows.append(list(lines.span(r)))
            else:
                break
            r += 1
        done = r - 1
        out.append(_md_candidate(text, rows))
    return out


def _md_candidate(text: str, rows: list[list[int]]) -> _Candidate:
    by_row = [_md_cells(text, i, s, e) for i, (s, e) in enumerate(rows)]
    caption_cell = _bold_only(text, by_row[0])
    caption = None
    if caption_cell is not None:          # | **政府…數字** |  |  |: the title, not a header
        caption = (caption_cell.start, caption_cell.end)
        by_row = by_row[1:]
        for i, row in enumerate(by_row):
            for c in row:
                c.row = i
    cells = [c for row in by_row for c in row]
    return _Candidate("markdown", rows[0][0], rows[-1][1], cells, "markdown",
                      header_hint=0 if caption else 1, spans_known=False,
                      caption=caption, emphasis=True)


# HTML: a tolerant linear scan of the tags (scraped tables miss </td> and </tr>).
_HTML_HINT = regex.compile(r"<table", regex.I)
_HTML_TAG = regex.compile(
    r"<!--|<(?P<close>/)?+(?P<name>[A-Za-z][A-Za-z0-9]*+)(?P<attrs>[^<>]*+)>")
_HTML_SPAN = regex.compile(r"\b(?P<k>rowspan|colspan)\s*+=\s*+[\"']?+\s*+(?P<v>\d{1,6})",
                           regex.I)
_HTML_RAW = ("script", "style", "textarea", "template")   # their content is not markup


@dataclass
class _HtmlTable:
    start: int
    rows: list[list[_Raw]]
    row_open: bool = False
    cell: _Raw | None = None
    in_thead: bool = False
    thead_rows: int = 0
    caption_start: int = -1
    caption: tuple[int, int] | None = None
    nested: bool = False       # holds another table: page layout, the inner one counts

    def close_cell(self, pos: int) -> None:
        if self.cell is not None:
            self.cell.end = pos
            self.rows[self.cell.row].append(self.cell)
            self.cell = None

    def new_row(self) -> None:
        self.rows.append([])
        self.row_open = True
        if self.in_thead:
            self.thead_rows += 1


class _RawEnds:
    """Where the content of a <script>/<style> opened at a position ends."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.found: dict[str, list[int]] = {}

    def after(self, name: str, pos: int) -> int:
        ends = self.found.get(name)
        if ends is None:
            pat = regex.compile(rf"</{name}\s*+>", regex.I)
            ends = self.found[name] = [m.end() for m in pat.finditer(self.text)]
        k = bisect_right(ends, pos)
        return ends[k] if k < len(ends) else len(self.text)


def _html_tables(text: str) -> list[_Candidate]:
    if _HTML_HINT.search(text) is None:
        return []
    out: list[_Candidate] = []
    stack: list[_HtmlTable] = []
    raw_ends = _RawEnds(text)
    comment_missing = False
    pos = 0
    while True:
        m = _HTML_TAG.search(text, pos)
        if m is None:
            break
        pos = m.end()
        if m.group() == "<!--":
            e = -1 if comment_missing else text.find("-->", pos)
            comment_missing = e < 0
            pos = len(text) if e < 0 else e + 3
            continue
        name, closing = m.group("name").lower(), m.group("close") is not None
        if name in _HTML_RAW and not closing:
            pos = raw_ends.after(name, pos)
            continue
        if name == "table" and not closing:
            if stack:
                stack[-1].nested = True
            stack.append(_HtmlTable(m.start(), []))
        elif stack:
            done = _html_event(stack[-1], name, closing, m)
            if done:
                table = stack.pop()
                if not table.nested:
                    out.append(_html_candidate(table, m.end()))
    while stack:                                # tables never closed end where they stop
        table = stack.pop()
        table.close_cell(len(text))
        if not table.nested and table.rows:
            last = max((c.end for row in table.rows for c in row), default=table.start)
            out.append(_html_candidate(table, last))
    return out


def _html_event(t: _HtmlTable, name: str, closing: bool, m: regex.Match[str]) -> bool:
    """Apply one tag to the innermost open table; True when the table closes."""
    if name in ("td", "th"):
        t.close_cell(m.start())
        if not closing:
            if not t.row_open:
                t.new_row()
            spans = {s.group("k").lower(): int(s.group("v"))
                     for s in _HTML_SPAN.finditer(m.group("attrs"))}
            t.cell = _Raw(len(t.rows) - 1, -1, m.end(), m.end(), spans.get("rowspan", 1),
                          spans.get("colspan", 1), header=name == "th")
    elif name == "tr":
        t.close_cell(m.start())
        t.row_open = False
        if not closing:
            t.new_row()
    elif name == "thead":
        t.in_thead = not closing
    elif name in ("tbody", "tfoot"):
        t.in_thead = False
    elif name == "caption":
        if not closing:
            t.caption_start = m.end()
        elif t.caption_start >= 0:
            t.caption = (t.caption_start, m.start())
    elif name == "table" and closing:
        t.close_cell(m.start())
        return True
    return False


def _place(rows: list[list[_Raw]]) -> list[_Raw] | None:
    """Give each cell its column: the first place of its row that no span above covers."""
    occupied: set[tuple[int, int]] = set()
    out: list[_Raw] = []
    places = 0
    n = len(rows)
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            rs = n - r if cell.rowspan == 0 else min(max(cell.rowspan, 1), MAX_SPAN, n - r)
            cs = min(max(cell.colspan, 1), MAX_SPAN)
            cell.row, cell.col, cell.rowspan, cell.colspan = r, c, rs, cs
            if rs > 1 or cs > 1:
                places += rs * cs
                if places > MAX_PLACES:
                    return None
                occupied.update((i, j) for i in range(r, r + rs) for j in range(c, c + cs))
            c += cs
            out.append(cell)
    return out


def _html_candidate(t: _HtmlTable, end: int) -> _Candidate:
    cells = _place(t.rows) or []
    hint, exact = t.thead_rows, t.thead_rows > 0
    if not exact:     # leading rows of <th> only
        while hint < len(t.rows) and t.rows[hint] and all(c.header for c in t.rows[hint]):
            hint += 1
    return _Candidate("html", t.start, end, cells, "html", header_hint=hint,
                      header_exact=exact, caption=t.caption)


# Plain text: lines split by tabs or wide runs of spaces.
_GAP = regex.compile(r"[ \u3000\u00a0]++")


@dataclass
class _TextLine:
    start: int                                # view offsets of the line
    end: int
    kind: str                                 # tab or space
    cells: list[tuple[int, int] | None]       # view ranges; None: an empty tab cell
    cols: list[tuple[int, int]]               # display columns of the cells (space kind)


def _prose(cfg: _Config, t: str, s: int, e: int) -> bool:
    """Is this cell text a sentence (long, or punctuation not between two digits)?"""
    if e - s > cfg.max_cell_chars:
        return True
    for i in range(s, e):
        if t[i] in cfg.prose_punct and not (i > s and i + 1 < e and t[i - 1].isdigit()
                                            and t[i + 1].isdigit()):
            return True
    return False


def _strip_range(t: str, s: int, e: int) -> tuple[int, int]:
    while s < e and t[s].isspace():
        s += 1
    while e > s and t[e - 1].isspace():
        e -= 1
    return s, e


def _tab_line(cfg: _Config, view: View, s: int, e: int) -> _TextLine | None:
    t, raw = view.text, view.raw
    cells: list[tuple[int, int] | None] = []
    a = s
    while True:
        b = raw.find("\t", a, e)
        b = e if b < 0 else b
        cs, ce = _strip_range(t, a, b)
        cells.append((cs, ce) if ce > cs else None)
        if b == e:
            break
        a = b + 1
    while cells and cells[-1] is None:
        cells.pop()
    full = [c for c in cells if c is not None]
    if len(cells) < 2 or not full or any(_prose(cfg, t, cs, ce) for cs, ce in full):
        return None
    return _TextLine(s, e, "tab", cells, [])


def _space_line(cfg: _Config, view: View, s: int, e: int) -> _TextLine | None:
    raw, t = view.raw, view.text
    s0, e0 = _strip_range(t, s, e)
    seps = [(m.start(), m.end()) for m in _GAP.finditer(raw, s0, e0)
            if sum(_width(ch) for ch in m.group()) >= cfg.min_gap_width]
    if not seps:
        return None
    bounds = [(s0, seps[0][0])] + [(a[1], b[0]) for a, b in zip(seps, seps[1:])] \
        + [(seps[-1][1], e0)]
    if any(_prose(cfg, t, a, b) for a, b in bounds):
        return None
    cols, col, pos = [], 0, s
    for a, b in bounds:     # display columns: a Han character is two wide
        col += sum(_width(ch) for ch in raw[pos:a])
        width = sum(_width(ch) for ch in raw[a:b])
        cols.append((col, col + width))
        col, pos = col + width, b
    return _TextLine(s, e, "space", list(bounds), cols)


def _text_line(cfg: _Config, view: View, s: int, e: int) -> _TextLine | None:
    if "\t" in view.raw[s:e].strip():
        return _tab_line(cfg, view, s, e)
    return _space_line(cfg, view, s, e)


def _text_groups(cfg: _Config, view: View,
                 taken: list[tuple[int, int]]) -> Iterator[list[_TextLine]]:
    """Runs of consecutive table-like lines of one kind, outside the tables in `taken`
    (sorted view ranges)."""
    t = view.text
    group: list[_TextLine] = []
    k, pos, n = 0, 0, len(t)
    while pos <= n:
        nl = t.find("\n", pos)
        end = n if nl < 0 else nl
        while k < len(taken) and taken[k][1] <= pos:
            k += 1
        inside = k < len(taken) and taken[k][0] < end
        line = None if inside or not t[pos:end].strip() else _text_line(cfg, view, pos, end)
        if line is None or (group and group[-1].kind != line.kind):
            if len(group) >= cfg.min_rows:
                yield group
            group = []
        if line is not None:
            group.append(line)
        if nl < 0:
            break
        pos = nl + 1
    if len(group) >= cfg.min_rows:
        yield group


def _align(line: _TextLine, width: int,
           spans: list[tuple[int, int]]) -> list[tuple[int, int, int]] | None:
    """(cell index, column, colspan) of each cell of a line: by position for a tab line
    or a full line, by the columns its text overlaps for a short space line."""
    if line.kind == "tab" or len(line.cells) == width:
        return [(i, i, 1) for i, c in enumerate(line.cells) if c is not None]
    out: list[tuple[int, int, int]] = []
    last = -1
    for i, (a, b) in enumerate(line.cols):
        over = [j for j, (x, y) in enumerate(spans) if a < y and b > x]
        if over:
            col, span = over[0], over[-1] - over[0] + 1
        else:   # in a gap between columns: the nearest one
            col = min(range(width), key=lambda j: min(abs(a - spans[j][1]), abs(spans[j][0] - b)))
            span = 1
        if col <= last:
            return None
        out.append((i, col, span))
        last = col + span - 1
    return out


def _text_candidates(cfg: _Config, view: View, group: list[_TextLine]) -> list[_Candidate]:
    counts = Counter(len(line.cells) for line in group)
    widths = [w for w, f in counts.items() if w >= 2 and f >= 2]
    if not widths:
        return []
    width = max(widths)
    out: list[_Candidate] = []
    block: list[_TextLine] = []
    for line in group + [None]:     # type: ignore[list-item]
        if line is None or len(line.cells) > width:
            out += _text_block(cfg, view, block, width)
            block = []
        else:
            block.append(line)
    return out


def _text_block(cfg: _Config, view: View, block: list[_TextLine],
                width: int) -> list[_Candidate]:
    full = [line for line in block if len(line.cells) == width]
    if len(block) < cfg.min_rows or len(full) < 2:
        return []
    spans = [(min(line.cols[j][0] for line in full), max(line.cols[j][1] for line in full))
             for j in range(width)] if block[0].kind == "space" else []
    out: list[_Candidate] = []
    rows: list[tuple[_TextLine, list[tuple[int, int, int]]]] = []
    # Header lines one cell short above rows that start with a label: the label column
    # has no header (户籍人口 | 男性 | 女性 over 福田区 | 124.88 | 60.48 | 64.40).
    first_full = block.index(full[0])
    labelled = all(c is not None and not _is_numeric(cfg, view.text[c[0]:c[1]])
                   for c in (line.cells[0] for line in full))
    for k, line in enumerate(block + [None]):     # type: ignore[list-item]
        if line is not None and k < first_full and labelled and line.kind == "tab" \
                and len(line.cells) == width - 1:
            rows.append((line, [(i, i + 1, 1) for i, c in enumerate(line.cells)
                                if c is not None]))
            continue
        placed = None if line is None else _align(line, width, spans)
        if placed is None:      # a line that fits no column ends the table
            cand = _text_candidate(cfg, view, rows, width)
            out += [cand] if cand is not None else []
            rows = []
        else:
            rows.append((line, placed))
    return out


def _enough_figures(cfg: _Config, t: str,
                    rows: list[tuple[_TextLine, list[tuple[int, int, int]]]]) -> bool:
    """Do at least `min_numeric_rows` rows hold a figure? (Stops as soon as they do.)"""
    found = 0
    for line, placed in rows:
        cells = [line.cells[i] for i, _, _ in placed]
        found += any(_is_numeric(cfg, t[c[0]:c[1]]) for c in cells if c is not None)
        if found >= cfg.min_numeric_rows:
            return True
    return False


def _text_candidate(cfg: _Config, view: View,
                    rows: list[tuple[_TextLine, list[tuple[int, int, int]]]],
                    width: int) -> _Candidate | None:
    full = sum(len(line.cells) == width for line, _ in rows)
    if len(rows) < cfg.min_rows or full < 2:
        return None
    if not _enough_figures(cfg, view.text, rows):
        return None
    cells: list[_Raw] = []
    for r, (line, placed) in enumerate(rows):
        for i, col, span in placed:
            a, b = line.cells[i]  # type: ignore[misc]
            if col == 0:
                a = line.start      # the row's indent counts for its label
            os, oe = view.covering(a, b)
            cells.append(_Raw(r, col, os, oe, colspan=span))
    start, _ = view.covering(rows[0][0].start, rows[0][0].end)
    _, end = view.covering(rows[-1][0].start, rows[-1][0].end)
    return _Candidate("text", start, end, cells, "text", spans_known=False)


def _text_tables(cfg: _Config, view: View, taken: list[tuple[int, int]]) -> list[_Candidate]:
    out: list[_Candidate] = []
    for group in _text_groups(cfg, view, taken):
        out += _text_candidates(cfg, view, group)
    return out


# -- building a table from its raw cells ---------------------------------------------
def _trim(view: View, cell: _Raw, emphasis: bool) -> bool:
    """Narrow the cell to its content in the view; False when nothing is left."""
    t, raw = view.text, view.raw
    v0, ve = view.to_view(cell.start), view.to_view(cell.end)
    vs, ve = _strip_range(t, v0, ve)
    while emphasis and ve - vs > 2:     # **bold** the cleaner left (a non-Markdown page)
        k = 0
        while k < 3 and vs + k < ve and t[vs + k] in "*_" and t[vs + k] == t[vs]:
            k += 1
        if not k or ve - vs <= 2 * k or t[ve - k:ve] != t[vs] * k:
            break
        vs, ve = _strip_range(t, vs + k, ve - k)
    if vs >= ve:
        return False
    cell.indent = sum(_width(ch) for ch in raw[v0:vs] if ch in _SPACES)
    cell.start, cell.end = view.covering(vs, ve)
    cell.text = t[vs:ve]
    return True


def _read_cells(cfg: _Config, cells: list[_Raw]) -> None:
    for c in cells:
        c.numeric = _is_numeric(cfg, c.text)


def _compact(cells: list[_Raw]) -> int:
    """Renumber rows, leaving out rows with no content that no span reaches; the row count."""
    used: set[int] = set()
    for c in cells:
        used.update(range(c.row, c.row + c.rowspan))
    order = {r: i for i, r in enumerate(sorted(used))}
    for c in cells:
        c.row = order[c.row]
    return len(order)


def _header_rows(cfg: _Config, by_row: list[list[_Raw]], cand: _Candidate) -> int:
    n = len(by_row)
    if cand.header_exact:
        k = min(cand.header_hint, n)
    else:
        k = 0
        while k < n and not any(c.numeric for c in by_row[k]):
            k += 1
        if k >= n:              # a table of words: its first row heads it
            k = 1 if n > 1 else 0
        k = min(max(k, cand.header_hint), n)
    reach = [c.row + c.rowspan for row in by_row[:k] for c in row]
    return min(max([k] + reach), n)


def _infer_spans(by_row: list[list[_Raw]], header_rows: int, cols: int) -> None:
    """In text and Markdown headers, a cell over empty places spans them: "2023年" over
    绝对数 and 比上年增长% spans two columns, "指标" over nothing below spans two rows."""
    for r in range(header_rows - 1):
        below = {j for c in by_row[r + 1] for j in range(c.col, c.col + c.colspan)}
        row = by_row[r]
        for i, c in enumerate(row):
            stop = row[i + 1].col if i + 1 < len(row) else cols
            end = c.col + c.colspan
            while end < stop and end in below:
                end += 1
            c.colspan = end - c.col
    occupied = {(c.row, j) for row in by_row[:header_rows] for c in row
                for j in range(c.col, c.col + c.colspan)}
    for row in by_row[:header_rows - 1]:
        for c in row:
            r = c.row + c.rowspan
            while r < header_rows and not any((r, j) in occupied
                                              for j in range(c.col, c.col + c.colspan)):
                occupied.update((r, j) for j in range(c.col, c.col + c.colspan))
                r += 1
            c.rowspan = r - c.row


def _label_cols(cfg: _Config, by_row: list[list[_Raw]], header_rows: int, cols: int) -> int:
    """Leading columns whose data cells are mostly words, not figures."""
    n = 0
    while n < cols - 1:
        found = [c.numeric for row in by_row[header_rows:] for c in row
                 if c.col == n and _squash(c.text) not in cfg.blank]
        if not found or 2 * sum(found) >= len(found):
            break
        n += 1
    return n


def _is_total(cfg: _Config, label: str) -> bool:
    s = _squash(label).rstrip(":")
    return s in cfg.total_words or s.endswith(cfg.total_suffixes)


def _parents(cfg: _Config, by_row: list[list[_Raw]], header_rows: int,
             label_cols: int) -> tuple[list[int | None], list[int]]:
    """Each data row's parent (其中 rows and rows indented under a row), and the totals."""
    parents: list[int | None] = [None] * len(by_row)
    totals: list[int] = []
    if label_cols == 0:
        return parents, totals
    top, top_indent = None, 0
    for r in range(header_rows, len(by_row)):
        label = by_row[r][0] if by_row[r] and by_row[r][0].col == 0 else None
        if label is None:       # a continuation row without its label
            continue
        text = _squash(label.text)
        if _is_total(cfg, text):
            totals.append(r)
            top, top_indent = r, label.indent
        elif top is not None and (text.startswith(cfg.part_markers) or label.indent > top_indent):
            parents[r] = top
        else:
            top, top_indent = r, label.indent
    return parents, totals


def _build(cfg: _Config, view: View, cand: _Candidate) -> FoundTable | None:
    cells = [c for c in cand.cells if c.end >= c.start and _trim(view, c, cand.emphasis)]
    if not cells:
        return None
    _read_cells(cfg, cells)
    rows = _compact(cells)
    cols = max(c.col + c.colspan for c in cells)
    if cand.kind == "html" and (rows < 2 or cols < 2 or not _html_has_figures(cfg, cells)):
        return None
    by_row: list[list[_Raw]] = [[] for _ in range(rows)]
    for c in sorted(cells, key=lambda c: (c.row, c.col)):
        by_row[c.row].append(c)
    header_rows = _header_rows(cfg, by_row, cand)
    if not cand.spans_known:
        _infer_spans(by_row, header_rows, cols)
    label_cols = _label_cols(cfg, by_row, header_rows, cols)
    parents, totals = _parents(cfg, by_row, header_rows, label_cols)
    unit_col = next((c.col for row in by_row[:header_rows] for c in row
                     if _squash(c.text) in cfg.unit_headers), None)
    caption = None
    if cand.caption is not None:
        cap = _Raw(0, 0, *cand.caption)
        if _trim(view, cap, True):
            caption = (cap.start, cap.end)
    return FoundTable(
        start=cand.start, end=cand.end, source=cand.source, rows=rows, cols=cols,
        cells=tuple(TableCell(c.row, c.col, c.start, c.end, c.rowspan, c.colspan)
                    for row in by_row for c in row),
        header_rows=header_rows, label_cols=label_cols, parents=tuple(parents),
        caption=caption, unit_col=unit_col, totals=tuple(totals), name=cand.name)


def _html_has_figures(cfg: _Config, cells: list[_Raw]) -> bool:
    """Page layout tables hold long text and no figures; a table of figures holds some."""
    if any(len(c.text) > MAX_LAYOUT_CELL for c in cells):
        return False
    return any(c.numeric for c in cells)


# -- caption and unit ------------------------------------------------------------------
def _lines_near(t: str, pos: int, bound: int, up: bool, limit: int) -> list[tuple[int, int, int]]:
    """Non-blank lines above (or below) view offset `pos`, nearest first, not past `bound`,
    each with the number of blank lines between it and the previous one."""
    out: list[tuple[int, int, int]] = []
    gap = 0
    if up:
        cur = max(t.rfind("\n", bound, pos) + 1, bound)      # start of the table's line
    else:
        nl = t.find("\n", pos, bound)
        cur = bound if nl < 0 else nl                       # end of the table's line
    for _ in range(limit):
        if up:
            if cur <= bound:
                break
            e = cur - 1
            s = max(t.rfind("\n", bound, e) + 1, bound)
            cur = s
        else:
            if cur >= bound:
                break
            s = cur + 1
            nl = t.find("\n", s, bound)
            e = bound if nl < 0 else nl
            cur = e
        a, b = _strip_range(t, s, e)
        if a == b:
            gap += 1
            continue
        out.append((a, b, gap))
        gap = 0
        if len(out) == 2:
            break
    return out


def _unit_in(cfg: _Config, t: str, s: int, e: int, whole_line: bool) -> tuple[int, int] | None:
    if whole_line and e - s > cfg.unit_line_chars:
        return None
    for p in cfg.units:
        m = p.search(t, s, e)
        if m is not None:
            return m.span()
    return None


def _is_caption(cfg: _Config, t: str, s: int, e: int, gap: int, extra: int,
                titled: bool) -> bool:
    """A line matching the caption patterns (`titled`), or else a short title line."""
    if titled:
        return gap <= cfg.caption_gap + extra and any(p.match(t, s, e) for p in cfg.captions)
    line = t[s:e]
    return (gap <= cfg.title_gap + extra and e - s <= cfg.title_chars and "\t" not in line
            and not any(ch in cfg.sentence_punct for ch in line)
            and regex.search(r"\p{Han}", line) is not None and not _is_numeric(cfg, line))


def _around(cfg: _Config, view: View, table: FoundTable, floor: int,
            ceiling: int) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """The caption and the unit of a table from the lines around it (view offsets)."""
    t = view.text
    extra = HTML_EXTRA_GAP if table.source == "html" else 0
    caption_v: tuple[int, int] | None = None
    unit_v: tuple[int, int] | None = None
    above = _lines_near(t, view.to_view(table.start), floor,
                        True, cfg.caption_gap + extra + 4)
    gap_sum = 0
    for s, e, gap in above:     # nearest first: a 表1 caption, a 单位 line, a title line
        gap_sum += gap
        if table.caption is None and _is_caption(cfg, t, s, e, gap_sum, extra, titled=True):
            caption_v = (s, e)
            break
        u = _unit_in(cfg, t, s, e, True) if unit_v is None else None
        if u is not None and gap_sum <= cfg.unit_gap + extra:
            unit_v = u              # the caption may be above it
            continue
        if table.caption is None and _is_caption(cfg, t, s, e, gap_sum, extra, titled=False):
            caption_v = (s, e)
        break
    if unit_v is None and caption_v is not None:
        unit_v = _unit_in(cfg, t, *caption_v, False)
    if unit_v is None and table.caption is not None:
        unit_v = _unit_in(cfg, t, view.to_view(table.caption[0]),
                          view.to_view(table.caption[1]), False)
    if unit_v is None:
        below = _lines_near(t, view.to_view(table.end), ceiling, False, cfg.unit_gap + extra + 2)
        if below and below[0][2] <= cfg.unit_gap + extra:
            unit_v = _unit_in(cfg, t, below[0][0], below[0][1], True)
    return (view.covering(*caption_v) if caption_v else table.caption,
            view.covering(*unit_v) if unit_v else None)


# -- putting it together -------------------------------------------------------------
def _without_overlaps(tables: list[FoundTable]) -> list[FoundTable]:
    out: list[FoundTable] = []
    for t in sorted(tables, key=lambda t: t.start):
        if not out or t.start >= out[-1].end:
            out.append(t)
    return out


def _merge(kept: list[FoundTable], more: list[FoundTable]) -> list[FoundTable]:
    """`kept` and the tables of `more` that overlap none of them, in order (both sorted)."""
    out: list[FoundTable] = []
    k = 0
    for t in more:
        while k < len(kept) and kept[k].end <= t.start:
            k += 1
        if k < len(kept) and kept[k].start < t.end:
            continue
        out.append(t)
    return sorted(kept + out, key=lambda t: t.start)


def find_tables(text: str, view: View, grids: Sequence[Grid], rules: Rules) -> list[FoundTable]:
    """The tables of a document, sorted by start and non-overlapping: the reader's
    `grids`, HTML and Markdown tables of `text`, and aligned lines of the cleaned `view`."""
    cfg = _config(rules)

    def built(cands: list[_Candidate]) -> list[FoundTable]:
        return _without_overlaps([t for c in cands if (t := _build(cfg, view, c)) is not None])

    tables = built([_from_grid(g) for g in grids])
    tables = _merge(tables, built(_html_tables(text)))
    tables = _merge(tables, built(_markdown_tables(text)))
    taken = [(view.to_view(t.start), view.to_view(t.end)) for t in tables]
    tables = _merge(tables, built(_text_tables(cfg, view, taken)))
    out: list[FoundTable] = []
    for i, table in enumerate(tables):
        floor = view.to_view(tables[i - 1].end) if i else 0
        ceiling = view.to_view(tables[i + 1].start) if i + 1 < len(tables) else len(view.text)
        caption, unit = _around(cfg, view, table, floor, ceiling)
        out.append(replace(table, caption=caption, unit=unit))
    return out
