"""Page furniture: the running headers, footers and page numbers of paged documents.

A reader of a paged format (PDF) keeps every line of every page and says where each
page starts. Here the lines at the top and bottom of the pages are sorted out: a
printed page number (— 3 —, 第3页 共20页), a bare number that counts up with the
pages, or a line that repeats (digits aside) at the top or bottom of many pages is
furniture. Where a page's text stops mid-sentence and the next page's body goes on
with it, the gap between them is removed too, so the sentence reads as one. Every
removal is recorded with the reason `page_furniture`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Sequence

import regex

from .rules import FootnoteMarks, PageFurniture
from .view import Found, View

REASON = "page_furniture"
_DIGITS = regex.compile(r"\d+")
_SPACE = regex.compile(r"\s+")
_LATIN = regex.compile(r"[A-Za-z0-9]")
_WORDY = regex.compile(r"\p{L}")

Line = tuple[int, int]  # view offsets, without the line break


def _page_lines(text: str, start: int, end: int) -> list[Line]:
    """The non-blank lines of text[start:end] (a form-feed line is blank)."""
    out: list[Line] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        e = end if nl < 0 else nl
        if text[pos:e].strip():
            out.append((pos, e))
        pos = e + 1
    return out


class _Classifier:
    """Decides which edge lines of the pages are furniture."""

    def __init__(self, text: str, pages: list[list[Line]], cfg: PageFurniture) -> None:
        self.text, self.pages, self.cfg = text, pages, cfg
        self.numbered = [regex.compile(p) for p in cfg.page_number]
        self.bare = regex.compile(cfg.bare_number)
        n = len(pages)
        self.min_repeat = max(cfg.min_pages, math.ceil(cfg.min_share * n))
        self.edges = [self._edge(lines) for lines in pages]
        self.repeated = self._repeated_keys()
        self.bare_offset = self._bare_offset()

    def _edge(self, lines: list[Line]) -> list[int]:
        """Indexes of the lines a page may have as furniture: its top and bottom lines."""
        top = range(min(self.cfg.top_lines, len(lines)))
        bottom = range(max(len(lines) - self.cfg.bottom_lines, 0), len(lines))
        return sorted(set(top) | set(bottom))

    def line(self, s: int, e: int) -> str:
        return self.text[s:e].strip()

    def _key(self, s: int, e: int) -> str | None:
        t = self.line(s, e)
        if len(t) > self.cfg.max_chars or "\t" in t or not _WORDY.search(t):
            return None  # a table row is the table stage's; a number is no header
        return _DIGITS.sub("#", _SPACE.sub("", t))

    def _repeated_keys(self) -> set[str]:
        seen: dict[str, set[int]] = defaultdict(set)
        for i, (lines, edge) in enumerate(zip(self.pages, self.edges)):
            for k in edge:
                key = self._key(*lines[k])
                if key:
                    seen[key].add(i)
        return {key for key, on in seen.items() if len(on) >= self.min_repeat}

    def _bare_offset(self) -> int | None:
        """The difference between printed and actual page numbers that most bare
        numbers at page edges agree on, if at least two pages agree."""
        offsets: Counter[int] = Counter()
        for i, (lines, edge) in enumerate(zip(self.pages, self.edges)):
            for k in {edge[0], edge[-1]} if edge else ():
                t = self.line(*lines[k])
                if self.bare.fullmatch(t):
                    offsets[int(t) - i] += 1
        if not offsets:
            return None
        offset, count = offsets.most_common(1)[0]
        return offset if count >= 2 else None

    def rule_of(self, page: int, k: int) -> str | None:
        """The rule that makes line k of a page furniture, or None."""
        t = self.line(*self.pages[page][k])
        if any(p.fullmatch(t) for p in self.numbered):
            return "page-number"
        if (self.bare_offset is not None and self.bare.fullmatch(t)
                and int(t) - page == self.bare_offset):
            return "page-number"
        key = self._key(*self.pages[page][k])
        if key in self.repeated:
            return "running-header"
        return None

    def furniture(self, page: int) -> dict[int, str]:
        """Line index → rule for the furniture of one page: runs from its top and its
        bottom edge, so that no body line between two furniture lines is taken."""
        lines, out = self.pages[page], {}
        for k in range(min(self.cfg.top_lines, len(lines))):
            rule = self.rule_of(page, k)
            if rule is None:
                break
            out[k] = rule
        for k in range(len(lines) - 1, max(len(lines) - self.cfg.bottom_lines, 0) - 1, -1):
            if k in out:
                break
            rule = self.rule_of(page, k)
            if rule is None:
                break
            out[k] = rule
        if page == 0 and out.get(0) == "running-header":
            # The report's title opens its first page and heads the others: on the
            # first page it is the title.
            del out[0]
            for k in sorted(out):
                if k < self.cfg.top_lines and out[k] == "running-header" and k - 1 not in out:
                    del out[k]
        return out


def _joins(text: str, last: Line, first: Line, cfg: PageFurniture,
           new_paragraph: regex.Pattern[str] | None) -> bool:
    """Does the body of the next page go on with the sentence this page stops in?"""
    before, after = text[last[0]:last[1]].rstrip(), text[first[0]:first[1]].lstrip()
    if not before or not after or "\t" in before or "\t" in after:
        return False
    if before[-1] in cfg.terminal:
        return False
    return not (new_paragraph is not None and new_paragraph.match(after))


def find_page_furniture(view: View, pages: Sequence[int], cfg: PageFurniture) -> list[Found]:
    """The furniture of the pages starting at `pages` (original offsets) as removals."""
    if len(pages) == 0:
        return []
    text = view.text
    bounds = [view.to_view(p) for p in pages] + [len(text)]
    page_lines = [_page_lines(text, bounds[i], bounds[i + 1]) for i in range(len(pages))]
    classifier = _Classifier(text, page_lines, cfg)
    new_paragraph = regex.compile(cfg.new_paragraph) if cfg.new_paragraph else None
    out: list[Found] = []
    body: list[tuple[Line, Line] | None] = []  # each page's first and last body line
    for i, lines in enumerate(page_lines):
        gone = classifier.furniture(i)
        for k, rule in gone.items():
            s, e = view.covering(*lines[k])
            out.append(Found(s, e, REASON, rule))
        kept = [line for k, line in enumerate(lines) if k not in gone]
        body.append((kept[0], kept[-1]) if kept else None)
    for i in range(len(pages) - 1):
        here, there = body[i], body[i + 1]
        if here is None or there is None or not _joins(text, here[1], there[0], cfg,
                                                       new_paragraph):
            continue
        last, first = here[1], there[0]
        joiner = " " if (_LATIN.match(text[last[1] - 1]) and _LATIN.match(text[first[0]])) else ""
        # The white space between the two body lines goes; the furniture lines in
        # between are removals of their own (above).
        gaps, pos = [], last[1]
        for s, e in sorted(line for line in page_lines[i][-cfg.bottom_lines:] +
                           page_lines[i + 1][:cfg.top_lines] if last[1] <= line[0] < first[0]):
            gaps.append((pos, s))
            pos = e
        gaps.append((pos, first[0]))
        for k, (s, e) in enumerate(gaps):
            if e > s:
                os_, oe = view.covering(s, e)
                out.append(Found(os_, oe, REASON, "page-break-join", joiner if k == 0 else ""))
    return out


def find_footnote_marks(view: View, marks: FootnoteMarks) -> list[Found]:
    """Superscript footnote marks after a word ("常住人口¹1761.48万人"): removed so that a
    mark is never read as a digit of the figure after it."""
    out = []
    for m in regex.finditer(marks.pattern, view.text):
        s, e = view.covering(*m.span())
        out.append(Found(s, e, "footnote_mark", "superscript-mark"))
    return out
