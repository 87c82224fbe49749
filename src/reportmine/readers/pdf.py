"""The PDF reader: the text layer of each page, in reading order, by the readers' conventions.

PDFium (pypdfium2) gives each character with its box, baseline and font size; the
layout is rebuilt here from that geometry rather than from PDFium's own text order,
because PDFium follows the content stream (WPS writes the page number first) and
inserts spaces wherever glyphs are spread apart (justified Chinese lines). So:

- characters are grouped into lines by baseline; small raised characters become
  superscripts of the line they sit on (footnote marks never touch a figure);
- a line is split into segments at large gaps (table cells, or a second column);
- ruled tables (from the page's path objects) become grids, their cells' wrapped
  text joined; a borderless row becomes one line with tab-separated cells;
- a page with two text columns is read column by column;
- lines join into paragraphs (no space between Han characters); a paragraph ends at
  an indent, a short line, a heading marker, a change of font size or a large gap;
- running headers, footers and page numbers stay, each its own paragraph, at the top
  or bottom of the page's text, so the cleaner can find and record them.
"""

from __future__ import annotations

import ctypes
import re
import statistics
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import ocr
from .base import ReadError, ReadResult, TextBuilder

__all__ = ["read_pdf"]

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# A line starting with one of these starts a paragraph (a heading or a list item).
_HEADING = re.compile(
    r"(第[一二三四五六七八九十百零〇\d]+[章节条部分篇]"
    r"|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]"
    r"|\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)]|[①-⑳])"
)
_NUMBER = re.compile(r"[-+]?[\d,，.．]+[%‰]?")
_TITLE_JUNK = re.compile(
    r"^(untitled|无标题|document\d*|文档\d*|microsoft word\b.*|wps\b.*|slide \d+|"
    r".*\.(docx?|wps|pdf|xlsx?|txt|rtf|pptx?))$", re.IGNORECASE)
_MIN_CHARS_PER_PAGE = 10  # fewer visible characters per page on average: a scan
_MAX_UNMAPPED = 0.3       # a larger share of characters without Unicode: no text layer


@dataclass
class _Char:
    ch: str
    x0: float
    x1: float
    top: float        # y grows downwards from the top of the page
    bottom: float
    base: float       # baseline
    size: float       # font size in points
    sup: bool = False


@dataclass
class _Line:
    """Characters on one baseline, split into segments at large gaps."""

    chars: list[_Char]
    base: float
    size: float
    segments: list[list[_Char]] = field(default_factory=list)

    @property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)


@dataclass
class _Item:
    """A unit of a page's reading order: a text line (cells joined by tabs) or a table."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    cells: int = 1                       # segments: >1 is a borderless table row
    table: list[list[str]] | None = None
    spans: dict[tuple[int, int], tuple[int, int]] | None = None
    left: float = 0.0                    # margins of the column the item sits in
    right: float = 0.0
    column: int = 0
    page_width: float = 0.0
    lead: float = 0.0                    # width of the unbreakable word the line starts with


# ---------------------------------------------------------------- the document

def read_pdf(data: bytes, size: int) -> ReadResult:
    """The text of a PDF's text layer, one TextBuilder page per PDF page."""
    import pypdfium2 as pdfium

    doc = _open(pdfium, data)
    try:
        builder = TextBuilder()
        visible = 0
        warnings: list[str] = []
        ocr_ranges: list[tuple[int, int]] = []
        can_ocr = ocr.available()
        for index in range(len(doc)):
            builder.page_break()
            try:
                page = doc[index]
            except pdfium.PdfiumError:   # keep the page (empty) so page numbers stay right
                warnings.append(f"page {index + 1} cannot be parsed; its text is missing")
                continue
            try:
                found = _read_page(page, builder)
                if found < _MIN_CHARS_PER_PAGE and can_ocr:
                    # A scanned page: its picture is read, and what is read so is marked.
                    span = _ocr_page(page, builder)
                    if span is not None:
                        ocr_ranges.append(span)
                        found += span[1] - span[0]
                visible += found
            finally:
                page.close()
        pages = len(doc)
        if pages == 0:
            raise ReadError("corrupt", "is a PDF without pages")
        if visible < _MIN_CHARS_PER_PAGE * pages:
            todo = ("OCR found no text on its pages either" if can_ocr else
                    'it needs OCR: pip install "reportmine[ocr]"')
            raise ReadError("no_text", f"is a PDF of {pages} pages with no text layer (a scan?) "
                                       "or none that can be decoded (fonts without a Unicode "
                                       f"map): {visible} characters of text in all; {todo}")
        title = _meaningful_title(doc.get_metadata_value("Title"))
    finally:
        doc.close()
    return builder.result("pdf", size, title=title, warnings=tuple(warnings),
                          ocr=tuple(ocr_ranges))


# Pictures of pages are read at this many pixels per PDF point (144 dpi): small print
# stays legible and a page takes a few seconds.
_OCR_SCALE = 2.0


def _ocr_page(page: Any, builder: TextBuilder) -> tuple[int, int] | None:
    """OCR of a page without a text layer, written into builder; the range written.
    A page with no picture on it is blank, not scanned: nothing to read."""
    import pypdfium2.raw as raw

    if not any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2)):
        return None
    image = page.render(scale=_OCR_SCALE).to_numpy()
    return ocr.write_page(builder, ocr.read_image(image))


def _open(pdfium: Any, data: bytes) -> Any:
    """The document, or a ReadError saying why PDFium cannot open it."""
    raw = pdfium.raw
    if not data.strip():
        raise ReadError("corrupt", "is empty")
    if b"%PDF" not in data[:1024]:
        raise ReadError("corrupt", "has no PDF header (%PDF-): it is not a PDF")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            raise ReadError("encrypted", "is an encrypted PDF that needs a password to open") from None
        if code == raw.FPDF_ERR_SECURITY:
            raise ReadError("encrypted", "is a PDF encrypted with a scheme PDFium does not support") from None
        if code == raw.FPDF_ERR_FILE:
            raise ReadError("corrupt", "is a PDF file that cannot be read") from None
        raise ReadError("corrupt", "is a PDF that PDFium cannot parse: damaged or "
                                   f"truncated ({_pdfium_reason(e)})") from None


def _pdfium_reason(e: Exception) -> str:
    """PDFium's own words for the failure ("Data format error"), without the wrapping."""
    m = re.search(r"PDFium: ([^)]*)", str(e))
    return (m.group(1) if m else str(e)).strip(". ").lower()


def _meaningful_title(title: str | None) -> str:
    """The metadata title unless it is empty, a file name or an editor's default."""
    title = " ".join((title or "").split())
    if len(title) < 2 or _TITLE_JUNK.match(title):
        return ""
    return title


# ---------------------------------------------------------------- one page

def _unmapped(ch: str) -> bool:
    """A character PDFium could not map to Unicode (a font without a ToUnicode map
    gives U+FFFD, private-use code points or control characters)."""
    return ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" or ch < " "


def _read_page(page: Any, builder: TextBuilder) -> int:
    """Writes the page's text into builder; returns how many visible characters it has
    (0 for a page whose text layer cannot be decoded: it is read like a scan)."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        chars = _chars(textpage, page)
    finally:
        textpage.close()
    if not chars or sum(_unmapped(c.ch) for c in chars) > _MAX_UNMAPPED * len(chars):
        return 0
    grids = _ruled_tables(page, chars)
    in_table = {id(c) for g in grids for c in g.chars}
    lines = _lines([c for c in chars if id(c) not in in_table])
    head, body, foot = _furniture(lines, height)
    gutter = _gutter(body, width)
    items = [it for ln in body for it in _line_items(ln, gutter)]
    items += [g.item() for g in grids]
    ordered = _reading_order(items, gutter)
    for it in ordered:
        it.page_width = width
    for ln in head:
        builder.paragraph(_line_text(ln))
    _write_items(builder, ordered)
    for ln in foot:
        builder.paragraph(_line_text(ln))
    return len(chars)


def _chars(textpage: Any, page: Any) -> list[_Char]:
    """The page's visible characters with their geometry (PDFium's own spaces and line
    breaks are dropped: the layout below decides where spaces go)."""
    import pypdfium2.raw as raw

    left, _, _, top = page.get_bbox()
    rect = raw.FS_RECTF()
    matrix = raw.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    out: list[_Char] = []
    for i in range(raw.FPDFText_CountChars(textpage)):
        if raw.FPDFText_IsGenerated(textpage, i) == 1:
            continue
        ch = chr(raw.FPDFText_GetUnicode(textpage, i) or 0xFFFD)
        if ch.isspace() or ch in "\x00\ufeff":
            continue
        raw.FPDFText_GetLooseCharBox(textpage, i, rect)
        raw.FPDFText_GetCharOrigin(textpage, i, ox, oy)
        raw.FPDFText_GetMatrix(textpage, i, matrix)
        scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5 or 1.0
        size = raw.FPDFText_GetFontSize(textpage, i) * scale
        if not 0.5 < size < 500:  # a matrix PDFium did not report: fall back on the box
            size = rect.top - rect.bottom
        x0, x1, y0, y1 = rect.left, rect.right, rect.bottom, rect.top
        if max(x1 - x0, y1 - y0) > 2.5 * size:
            # fonts with odd metrics (vertical CMaps) get a huge loose box: use the glyph's
            x0, x1 = _tight_box(raw, textpage, i)
            y0, y1 = oy.value - 0.12 * size, oy.value + 0.88 * size
        out.append(_Char(ch, x0 - left, x1 - left, top - y1, top - y0, top - oy.value, size))
    return out


def _tight_box(raw: Any, textpage: Any, i: int) -> tuple[float, float]:
    l, r, b, t = (ctypes.c_double() for _ in range(4))
    raw.FPDFText_GetCharBox(textpage, i, l, r, b, t)
    return l.value, r.value


# ---------------------------------------------------------------- lines

def _lines(chars: list[_Char]) -> list[_Line]:
    """Characters grouped by baseline, top to bottom; superscripts joined to their line."""
    lines: list[_Line] = []
    for c in sorted(chars, key=lambda c: (c.base, c.x0)):
        if lines and abs(c.base - lines[-1].base) <= 0.25 * max(c.size, lines[-1].size):
            lines[-1].chars.append(c)
        else:
            lines.append(_Line([c], c.base, c.size))
    for ln in lines:
        ln.size = statistics.median(c.size for c in ln.chars)
        ln.base = statistics.median(c.base for c in ln.chars)
    lines = _attach_superscripts(lines)
    for ln in lines:
        ln.chars.sort(key=lambda c: c.x0)
        _mark_superscripts(ln)
        ln.segments = _segments(ln)
    return lines


def _attach_superscripts(lines: list[_Line]) -> list[_Line]:
    """A line of small characters raised just above a line of larger ones is a run of
    footnote marks (or exponents) of that line: move its characters into it."""
    kept: list[_Line] = []
    for i, ln in enumerate(lines):
        host = _superscript_host(ln, lines[i + 1:i + 4])
        if host is None:
            kept.append(ln)
        else:
            host.chars.extend(ln.chars)
    return kept


def _superscript_host(ln: _Line, below: list[_Line]) -> _Line | None:
    if len(ln.chars) > 6:
        return None
    for host in below:
        raised = host.base - ln.base
        if ln.size < 0.8 * host.size and 0.15 * host.size < raised < 0.75 * host.size \
                and host.chars[0].x0 - host.size < ln.chars[0].x0 < max(c.x1 for c in host.chars) + host.size:
            return host
    return None


def _mark_superscripts(ln: _Line) -> None:
    """Small characters whose baseline is raised relative to the line are superscripts."""
    for c in ln.chars:
        c.sup = c.size < 0.8 * ln.size and ln.base - c.base > 0.15 * ln.size


def _gaps(chars: list[_Char]) -> list[float]:
    return [b.x0 - a.x1 for a, b in zip(chars, chars[1:])]


def _usual_gap(chars: list[_Char]) -> float:
    """The line's ordinary spacing: justified or letter-spaced lines spread every glyph
    evenly, so the lower quartile of the gaps is that spread (cells' gaps are fewer)."""
    gaps = sorted(_gaps(chars))
    return max(0.0, gaps[len(gaps) // 4]) if len(gaps) >= 4 else 0.0


def _segments(ln: _Line) -> list[list[_Char]]:
    """The line cut at gaps much wider than its usual spacing: table cells, or columns."""
    usual = _usual_gap(ln.chars)
    segments: list[list[_Char]] = [[ln.chars[0]]]
    for a, c in zip(ln.chars, ln.chars[1:]):
        if _is_cell_gap(c.x0 - a.x1, usual, a, ln.size):
            segments.append([c])
        else:
            segments[-1].append(c)
    if len(segments) > 1 and _is_spaced_heading(segments):
        return [ln.chars]
    if len(segments) == 2 and _CAPTION.fullmatch("".join(c.ch for c in segments[0])):
        return [ln.chars]           # "表4  2023年…": a caption, not a row of cells
    return segments


_CAPTION = re.compile(r"(附?表|图)\s*[\d一二三四五六七八九十]+([-－.．]\d+)?[:：]?")


def _is_cell_gap(gap: float, usual: float, before: _Char, size: float) -> bool:
    """A gap of an em or more parts cells; after punctuation it may be a justified
    line's stretched space, so it must be wider there."""
    wide = 2.5 if before.ch in _STRETCHABLE else 1.0
    return gap > max(wide * size, 2 * usual + 0.8 * size)


_STRETCHABLE = ",.;:!?，。；：！？、"


def _is_spaced_heading(segments: list[list[_Char]]) -> bool:
    """"二、农    业", "目    录": a heading spread wide, not a row of cells."""
    texts = ["".join(c.ch for c in s) for s in segments]
    if any(not all(_is_han(ch) or ch in "、" for ch in t) for t in texts):
        return False
    return all(len(t) == 1 for t in texts) or (len(texts) == 2 and bool(_HEADING.match(texts[0])))


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_cjk(ch: str) -> bool:
    """Han, kana, hangul and CJK or full-width punctuation: no spaces next to these."""
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF
            or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o)


def _is_word(ch: str) -> bool:
    """A Latin word's character: a line ending and a line starting with these are
    joined by a space."""
    return ch.isascii() and ch.isalpha()


def _segment_text(chars: list[_Char]) -> str:
    """A segment's text: a space only where a gap parts two Latin words, never next to
    a Han character; superscript digits as ¹²³."""
    if not chars:
        return ""
    usual = _usual_gap(chars)
    out = [_char_text(chars[0])]
    for k, (a, b) in enumerate(zip(chars, chars[1:]), start=1):
        if not (a.sup or b.sup) and _is_space(b.x0 - a.x1 - usual, chars[:k], b.ch, max(a.size, b.size)):
            out.append(" ")
        out.append(_char_text(b))
    return "".join(out)


def _is_space(extra: float, before: list[_Char], b: str, size: float) -> bool:
    """Whether a gap (beyond the line's usual spacing) before b is a space: a word space
    between Latin letters, digits or dashes ("— 3 —"); next to a Han character only after
    a leading section number ("1 人口特征"), as editors space Han from figures ("2021 年")."""
    a = before[-1].ch
    if _is_cjk(a) and _is_cjk(b):
        return False
    if _is_cjk(a) or _is_cjk(b):
        number = "".join(c.ch for c in before)
        return _is_cjk(b) and len(number) <= 6 and bool(_SECTION_NUMBER.fullmatch(number)) \
            and extra > 0.3 * size
    return extra > 0.15 * size


_SECTION_NUMBER = re.compile(r"\d{1,2}(\.\d{1,2}){0,3}")


def _char_text(c: _Char) -> str:
    return c.ch.translate(_SUPERSCRIPT) if c.sup else c.ch


def _line_text(ln: _Line) -> str:
    return "\t".join(_segment_text(s) for s in ln.segments)


def _line_items(ln: _Line, gutter: float | None) -> list[_Item]:
    """A line as items: one, or on a two-column page its part in each column."""
    if gutter is None or any(c.x0 < gutter < c.x1 for c in ln.chars):
        return [_line_item(ln, ln.segments)]
    parts = [[c for c in ln.chars if c.x1 <= gutter], [c for c in ln.chars if c.x0 >= gutter]]
    items = []
    for part in parts:
        if part:
            side = _Line(part, ln.base, ln.size)
            items.append(_line_item(side, _segments(side)))
    return items


def _line_item(ln: _Line, segments: list[list[_Char]]) -> _Item:
    chars = [c for s in segments for c in s]
    return _Item("\t".join(_segment_text(s) for s in segments), min(c.x0 for c in chars),
                 max(c.x1 for c in chars), ln.top, ln.bottom, ln.size, cells=len(segments),
                 lead=_leading_word(chars))


def _leading_word(chars: list[_Char]) -> float:
    """How wide the line's first unbreakable piece is: a run of Latin letters or digits
    and the character after it (punctuation may not start a line). A ragged line that
    stops short by less than this is a wrap, not a paragraph's end."""
    k = 0
    while k < len(chars) and not _is_cjk(chars[k].ch):
        k += 1
    if k == 0:
        return 0.0
    end = chars[min(k, len(chars) - 1)]
    return end.x1 - chars[0].x0


# ---------------------------------------------------------------- page furniture

_PAGE_NUMBER = re.compile(r"^[-—–－~·\s]*(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d{1,4}"
                          r"|\d+\s*/\s*\d+|[IVXLC]+)[-—–－~·\s]*$")


def _furniture(lines: list[_Line], height: float) -> tuple[list[_Line], list[_Line], list[_Line]]:
    """Running headers (top) and footers / page numbers (bottom): lines at the page's
    edge set apart from the body by a wide gap, or shaped like a page number."""
    if len(lines) < 2:
        return [], lines, []
    pitch = _usual_pitch(lines)
    head: list[_Line] = []
    while len(head) < 2 and len(lines) - len(head) > 1:
        ln, nxt = lines[len(head)], lines[len(head) + 1]
        if not (ln.bottom < 0.15 * height and (nxt.base - ln.base > 1.8 * pitch or _is_page_number(ln))):
            break
        head.append(ln)
    foot: list[_Line] = []
    while len(foot) < 2 and len(lines) - len(head) - len(foot) > 1:
        ln, prev = lines[-1 - len(foot)], lines[-2 - len(foot)]
        if not (ln.top > 0.85 * height and (ln.base - prev.base > 1.8 * pitch or _is_page_number(ln))):
            break
        foot.append(ln)
    return head, lines[len(head):len(lines) - len(foot)], foot[::-1]


def _is_page_number(ln: _Line) -> bool:
    return bool(_PAGE_NUMBER.match(_line_text(ln).replace("\t", " ")))


def _usual_pitch(lines: list[_Line]) -> float:
    pitches = [b.base - a.base for a, b in zip(lines, lines[1:]) if b.base - a.base > 0.5 * a.size]
    return statistics.median(pitches) if pitches else max(ln.size for ln in lines) * 1.5


# ---------------------------------------------------------------- reading order

def _reading_order(items: list[_Item], gutter: float | None) -> list[_Item]:
    """Items top to bottom; on a two-column page, the left column before the right one
    within each band between full-width items."""
    items = sorted(items, key=lambda it: (it.top, it.x0))
    if gutter is None:
        _set_margins(items, 0)
        return items
    out: list[_Item] = []
    band: list[_Item] = []
    for it in items:
        if it.x0 < gutter < it.x1:       # full width: ends the band of columns
            out += _columns(band, gutter)
            band = []
            _set_margins([it], 0)
            out.append(it)
        else:
            band.append(it)
    return out + _columns(band, gutter)


def _gutter(lines: list[_Line], width: float) -> float | None:
    """The x of the gap between two columns of prose, if the page has one: many lines of
    running text have a gap there (text ends just left of it and starts just right of
    it), and few have text across it."""
    prose = [(ln, _wide_gaps(ln)) for ln in lines if _is_prose(_line_text(ln))]
    if len(prose) < 6 or sum(1 for _, gaps in prose if gaps) < 3:
        return None
    best: tuple[int, float] | None = None
    for x in range(int(width * 0.3), int(width * 0.7), 2):
        both = crossing = 0
        for ln, gaps in prose:
            if any(a <= x <= b for a, b in gaps):
                both += 1
            elif ln.chars[0].x0 < x < ln.chars[-1].x1:
                crossing += 1
        if both >= 3 and crossing * 2 <= both:
            score = both - 3 * crossing
            if best is None or score > best[0]:
                best = (score, float(x))
    return best[1] if best else None


def _wide_gaps(ln: _Line) -> list[tuple[float, float]]:
    """Gaps between neighbouring characters 0.8 em wide or more: where a gutter can be."""
    return [(a.x1, b.x0) for a, b in zip(ln.chars, ln.chars[1:]) if b.x0 - a.x1 >= 0.8 * ln.size]


def _is_prose(text: str) -> bool:
    """A line of running text (not a cell of figures): long enough, mostly Han."""
    return len(text) >= 8 and sum(map(_is_cjk, text)) * 2 >= len(text)


def _columns(band: list[_Item], gutter: float) -> list[_Item]:
    left = sorted((it for it in band if it.x1 <= gutter), key=lambda it: it.top)
    right = sorted((it for it in band if it.x1 > gutter), key=lambda it: it.top)
    _set_margins(left, 1)
    _set_margins(right, 2)
    return left + right


def _set_margins(items: list[_Item], column: int) -> None:
    """Each item learns its column's left and right margin (from its longer lines)."""
    body = [it for it in items if it.table is None and it.cells == 1 and len(it.text) >= 5] or items
    if not body:
        return
    left = _shared_edge([it.x0 for it in body], [it.size for it in body], min)
    right = _shared_edge([it.x1 for it in body], [it.size for it in body], max)
    for it in items:
        it.left, it.right, it.column = left, right, column


def _shared_edge(edges: list[float], sizes: list[float], pick: Any) -> float:
    """The outermost edge that at least two lines share: the column's margin, which a
    single wide line (a table row, a caption) does not move."""
    tol = 0.5 * statistics.median(sizes)
    shared = [e for i, e in enumerate(edges)
              if any(abs(e - f) <= tol for j, f in enumerate(edges) if j != i)]
    return pick(shared or edges)


# ---------------------------------------------------------------- paragraphs

def _write_items(builder: TextBuilder, items: list[_Item]) -> None:
    """Lines joined into paragraphs; table rows and tables stand alone."""
    pitch = _item_pitch(items)
    para: list[_Item] = []
    for it in items:
        if it.table is not None:
            _flush(builder, para)
            para = []
            builder.table(it.table, "pdf", spans=it.spans or None)
        elif it.cells > 1:
            _flush(builder, para)
            para = []
            builder.paragraph(it.text)
        else:
            if para and _starts_paragraph(para[-1], it, pitch):
                _flush(builder, para)
                para = []
            para.append(it)
    _flush(builder, para)


def _item_pitch(items: list[_Item]) -> float:
    lines = [it for it in items if it.table is None]
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:])
               if b.column == a.column and b.top - a.top > 0.5 * a.size]
    return statistics.median(pitches) if pitches else 0.0


def _starts_paragraph(prev: _Item, it: _Item, pitch: float) -> bool:
    size = max(prev.size, it.size)
    if abs(prev.size - it.size) > 0.15 * size:
        return True
    if it.x0 > it.left + 0.8 * it.size:                   # indented (首行缩进) or centred
        return True
    if prev.x1 < prev.right - 1.2 * prev.size - it.lead:  # the previous line stopped short
        return True
    if prev.column == 0 and prev.x1 - prev.x0 < 0.55 * prev.page_width:
        return True                                       # a short line (cover, signature)
    if _HEADING.match(it.text):
        return True
    same_column = prev.column == it.column
    return same_column and pitch > 0 and it.top - prev.top > 1.6 * pitch


def _flush(builder: TextBuilder, para: list[_Item]) -> None:
    if para:
        builder.paragraph(_join_lines(it.text for it in para))


def _join_lines(lines: Iterable[str]) -> str:
    """Wrapped lines joined: a space only between two Latin words (never inside a figure
    or between Han characters)."""
    out = ""
    for text in lines:
        if out and (_is_word(out[-1]) or out[-1] in ",.;:!?)") and _is_word(text[0]):
            out += " "
        out += text
    return out


# ---------------------------------------------------------------- ruled tables

@dataclass
class _Rule:
    horizontal: bool
    at: float         # y of a horizontal rule, x of a vertical one
    lo: float         # its extent along the other axis
    hi: float


@dataclass
class _Table:
    x0: float
    x1: float
    top: float
    bottom: float
    rows: list[list[str]]
    spans: dict[tuple[int, int], tuple[int, int]]
    chars: list[_Char]
    size: float

    def item(self) -> _Item:
        return _Item("", self.x0, self.x1, self.top, self.bottom, self.size,
                     table=self.rows, spans=self.spans)


_TOL = 2.0  # points: rules this close are one rule; a cell edge and the line drawn on it
_Place = tuple[int, int]                 # (row, col) of a grid
_Band = tuple[float, float, bool]        # a row's top, bottom, and whether a rule is above it


def _ruled_tables(page: Any, chars: list[_Char]) -> list[_Table]:
    """Tables drawn with rules: groups of crossing horizontal and vertical rules with
    at least two columns and two rows of text."""
    rules = _page_rules(page)
    if not rules:
        return []
    tables = []
    for group in _connected(rules):
        table = _grid(group, chars)
        if table is not None:
            tables.append(table)
    return tables


def _page_rules(page: Any) -> list[_Rule]:
    """Axis-parallel straight segments of the page's paths: drawn lines, thin filled
    rectangles and the edges of rectangles (cell backgrounds and borders)."""
    import pypdfium2.raw as raw

    _, _, _, page_top = page.get_bbox()
    left = page.get_bbox()[0]
    rules: list[_Rule] = []
    for obj in _path_objects(raw, page):
        if not _visible(raw, obj):
            continue
        x0, y0, x1, y1 = _bounds(raw, obj)
        w, h = x1 - x0, y1 - y0
        if w < 3 and h > 3:
            rules.append(_Rule(False, (x0 + x1) / 2 - left, page_top - y1, page_top - y0))
        elif h < 3 and w > 3:
            rules.append(_Rule(True, page_top - (y0 + y1) / 2, x0 - left, x1 - left))
        elif w >= 3 and h >= 3:
            rules += _segment_rules(obj, page_top, left)
    return rules


def _path_objects(raw: Any, page: Any) -> Iterable[Any]:
    """The page's top-level path objects, as raw handles (pypdfium2's get_objects wraps
    every text object too, which costs more than the rest of the page)."""
    for i in range(raw.FPDFPage_CountObjects(page)):
        obj = raw.FPDFPage_GetObject(page, i)
        if raw.FPDFPageObj_GetType(obj) == raw.FPDF_PAGEOBJ_PATH:
            yield obj


def _bounds(raw: Any, obj: Any) -> tuple[float, float, float, float]:
    box = [ctypes.c_float() for _ in range(4)]
    raw.FPDFPageObj_GetBounds(obj, *box)
    return box[0].value, box[1].value, box[2].value, box[3].value


def _visible(raw: Any, obj: Any) -> bool:
    """Whether the path shows on a white page: stroked, or filled, in a colour that is
    not white (editors put white boxes behind text lines and table cells)."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
    rgba = [ctypes.c_uint() for _ in range(4)]
    if stroke.value and raw.FPDFPageObj_GetStrokeColor(obj, *rgba) and _inked(rgba):
        return True
    return bool(fill.value) and bool(raw.FPDFPageObj_GetFillColor(obj, *rgba)) and _inked(rgba)


def _inked(rgba: list[ctypes.c_uint]) -> bool:
    r, g, b, a = (c.value for c in rgba)
    return a > 0 and min(r, g, b) < 240


def _segment_rules(obj: Any, page_top: float, left: float) -> list[_Rule]:
    import pypdfium2.raw as raw

    m = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, m)
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[int, float, float]] = []
    for i in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, i)
        raw.FPDFPathSegment_GetPoint(seg, x, y)
        px = m.a * x.value + m.c * y.value + m.e
        py = m.b * x.value + m.d * y.value + m.f
        points.append((raw.FPDFPathSegment_GetType(seg), px - left, page_top - py))
        if raw.FPDFPathSegment_GetClose(seg) and points:
            start = next((p for p in reversed(points) if p[0] == raw.FPDF_SEGMENT_MOVETO), points[0])
            points.append((raw.FPDF_SEGMENT_LINETO, start[1], start[2]))
    rules: list[_Rule] = []
    for (_, ax, ay), (kind, bx, by) in zip(points, points[1:]):
        if kind != raw.FPDF_SEGMENT_LINETO:
            continue
        if abs(ay - by) < 1 and abs(ax - bx) > 3:
            rules.append(_Rule(True, ay, min(ax, bx), max(ax, bx)))
        elif abs(ax - bx) < 1 and abs(ay - by) > 3:
            rules.append(_Rule(False, ax, min(ay, by), max(ay, by)))
    return rules


def _touch(a: _Rule, b: _Rule) -> bool:
    if a.horizontal == b.horizontal:
        return abs(a.at - b.at) <= _TOL and a.lo <= b.hi + _TOL and b.lo <= a.hi + _TOL
    h, v = (a, b) if a.horizontal else (b, a)
    return v.lo - _TOL <= h.at <= v.hi + _TOL and h.lo - _TOL <= v.at <= h.hi + _TOL


def _connected(rules: list[_Rule]) -> list[list[_Rule]]:
    """Rules that touch, transitively (a union-find over pairs)."""
    parent = list(range(len(rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(rules)), key=lambda i: rules[i].lo)
    for n, i in enumerate(order):
        for j in order[n + 1:]:
            if rules[j].lo > rules[i].hi + _TOL and rules[i].horizontal == rules[j].horizontal:
                continue
            if _touch(rules[i], rules[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[_Rule]] = {}
    for i, r in enumerate(rules):
        groups.setdefault(find(i), []).append(r)
    return list(groups.values())


def _cluster(values: Iterable[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= _TOL:
            continue
        out.append(v)
    return out


def _grid(rules: list[_Rule], chars: list[_Char]) -> _Table | None:
    hs = [r for r in rules if r.horizontal]
    vs = [r for r in rules if not r.horizontal]
    if not hs or not vs:
        return None
    x0 = min(min(r.lo for r in hs), min(r.at for r in vs))
    x1 = max(max(r.hi for r in hs), max(r.at for r in vs))
    top = min(min(r.at for r in hs), min(r.lo for r in vs))
    bottom = max(max(r.at for r in hs), max(r.hi for r in vs))
    xs = _cluster([x0, x1] + [r.at for r in vs])
    ys = _cluster([top, bottom] + [r.at for r in hs])
    if len(xs) < 3 or len(ys) < 2:
        return None
    inside = [c for c in chars if x0 <= (c.x0 + c.x1) / 2 <= x1 and top <= (c.top + c.bottom) / 2 <= bottom]
    if not inside:
        return None
    bands = _row_bands(ys, xs, inside)
    if len(bands) < 2:
        return None
    rows, spans = _cells(bands, xs, hs, vs, inside)
    if sum(1 for row in rows for cell in row if cell) < 2:
        return None
    size = statistics.median(c.size for c in inside)
    return _Table(x0, x1, top, bottom, rows, spans, inside, size)


def _column_of(x: float, xs: list[float]) -> int:
    for j in range(len(xs) - 1):
        if x < xs[j + 1]:
            return j
    return len(xs) - 2


def _row_bands(ys: list[float], xs: list[float], chars: list[_Char]) -> list[_Band]:
    """Rows between rules; a space between two rules that holds several lines of figures
    in one column is a block of unruled rows (three-line tables): split it by line.
    Each band is (top, bottom, ruled above)."""
    bands: list[_Band] = []
    for top, bottom in zip(ys, ys[1:]):
        here = [c for c in chars if top <= (c.top + c.bottom) / 2 < bottom]
        if not here:
            continue
        lines = _lines(here)
        if len(lines) > 1 and _has_stacked_figures(lines, xs):
            cuts = [top] + [(a.bottom + b.top) / 2 for a, b in zip(lines, lines[1:])] + [bottom]
            bands += [(a, b, i == 0) for i, (a, b) in enumerate(zip(cuts, cuts[1:]))]
        else:
            bands.append((top, bottom, True))
    return bands


def _has_stacked_figures(lines: list[_Line], xs: list[float]) -> bool:
    """Whether some column has a figure on two or more of these lines: figures do not wrap,
    so such lines are separate rows."""
    per_column: dict[int, int] = {}
    for ln in lines:
        for seg in _split_by_columns(ln.chars, xs):
            text = _segment_text(seg)
            if _NUMBER.fullmatch(text):
                col = _column_of((seg[0].x0 + seg[-1].x1) / 2, xs)
                per_column[col] = per_column.get(col, 0) + 1
    return any(n >= 2 for n in per_column.values())


def _split_by_columns(chars: list[_Char], xs: list[float]) -> list[list[_Char]]:
    groups: dict[int, list[_Char]] = {}
    for c in chars:
        groups.setdefault(_column_of((c.x0 + c.x1) / 2, xs), []).append(c)
    return [groups[k] for k in sorted(groups)]


def _cells(bands: list[_Band], xs: list[float], hs: list[_Rule], vs: list[_Rule],
           chars: list[_Char]) -> tuple[list[list[str]], dict[_Place, tuple[int, int]]]:
    """The grid's cells: places not parted by a rule are one merged cell, its text at
    its top-left place and its extent in spans."""
    root = _merged_places(bands, xs, hs, vs)
    groups: dict[_Place, list[_Place]] = {}
    for p in root:
        groups.setdefault(root[p], []).append(p)
    texts: dict[_Place, list[_Char]] = {}
    for c in chars:
        cy = (c.top + c.bottom) / 2
        i = next((k for k, b in enumerate(bands) if b[0] <= cy < b[1]), len(bands) - 1)
        texts.setdefault(root[(i, _column_of((c.x0 + c.x1) / 2, xs))], []).append(c)
    rows = [["" for _ in range(len(xs) - 1)] for _ in bands]
    spans: dict[_Place, tuple[int, int]] = {}
    for anchor, places in groups.items():
        rows[anchor[0]][anchor[1]] = _cell_text(texts.get(anchor, []))
        extent = (max(p[0] for p in places) - anchor[0] + 1, max(p[1] for p in places) - anchor[1] + 1)
        if extent != (1, 1):
            spans[anchor] = extent
    return _drop_empty_columns(rows, spans)


def _merged_places(bands: list[_Band], xs: list[float], hs: list[_Rule], vs: list[_Rule]
                   ) -> dict[_Place, _Place]:
    """Each place of the grid mapped to the top-left place of its cell: neighbours that
    no rule parts belong to one cell (a union-find)."""
    owner = {(i, j): (i, j) for i in range(len(bands)) for j in range(len(xs) - 1)}

    def root(p: _Place) -> _Place:
        while owner[p] != p:
            p = owner[p]
        return p

    def merge(a: _Place, b: _Place) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            owner[max(ra, rb)] = min(ra, rb)

    for i, (top, bottom, _) in enumerate(bands):
        for j in range(1, len(xs) - 1):
            if not _ruled(vs, xs[j], (top + bottom) / 2):
                merge((i, j - 1), (i, j))
    for i in range(1, len(bands)):
        if not bands[i][2]:
            continue                       # a line of an unruled block: a row of its own
        for j in range(len(xs) - 1):
            if not _ruled(hs, bands[i][0], (xs[j] + xs[j + 1]) / 2):
                merge((i - 1, j), (i, j))
    return {p: root(p) for p in owner}


def _ruled(rules: list[_Rule], at: float, across: float) -> bool:
    """Whether one of the rules lies at `at` and reaches `across`."""
    return any(abs(r.at - at) <= _TOL and r.lo - _TOL <= across <= r.hi + _TOL for r in rules)


def _cell_text(chars: list[_Char]) -> str:
    """A cell's lines joined like a paragraph's."""
    if not chars:
        return ""
    return _join_lines(" ".join(_segment_text(s) for s in ln.segments) for ln in _lines(chars))


def _drop_empty_columns(rows: list[list[str]], spans: dict[tuple[int, int], tuple[int, int]]
                        ) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]]]:
    """Columns no cell starts in (slivers between nearly coincident rules) are dropped."""
    used = {j for row in rows for j, cell in enumerate(row) if cell} | {j for (_, j) in spans}
    keep = [j for j in range(len(rows[0])) if j in used or any(
        a[1] < j < a[1] + s[1] for a, s in spans.items())]
    if len(keep) == len(rows[0]):
        return rows, spans
    index = {j: k for k, j in enumerate(keep)}
    new_rows = [[row[j] for j in keep] for row in rows]
    new_spans = {}
    for (i, j), (rs, cs) in spans.items():
        if j in index:
            covered = sum(1 for k in range(j, j + cs) if k in index)
            if (rs, covered) != (1, 1):
                new_spans[(i, index[j])] = (rs, covered)
    return new_rows, new_spans

