"""The segmenter: the document title, the numbered outline and sentence bounds.

Headings are found on the cleaned view (so a heading cut by a page number reads
whole), at line starts or inline after a sentence end. Levels come from the
document's own nesting; numbering that does not continue is checked against the
levels above (a mis-numbered part) or dropped as body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import regex

from .models import Section
from .numbers import read_numeral
from .regexes import WHITE_SPACE, compile_pattern
from .rules import Rules
from .view import View

# Where an inline heading may start (a match's end): after spaces inside a line, or
# right after a sentence end. It consumes the character before, not a lookbehind: an
# empty match tried at every position costs more than the rest of the segmenter.
_INLINE = re.compile(f"[^{WHITE_SPACE}][ \t]+(?=[^{WHITE_SPACE}])|[。！？!?；;](?=[^{WHITE_SPACE}])")
# After a heading's first sentence: an enumeration, a figure or a comma means body text.
_BODY_AFTER_TITLE = compile_pattern(r"^\s*(?:[一二三四五六七八九十][是要]|首先|其中)|\d|[，,；;]")
# 20.2026年10件民生实事: a list number glued to the figure that follows it.
_WEAK_NUMBER = compile_pattern(r"(\d{1,2})[.．](?=\d)")
_SENT_FWD = compile_pattern(r"[。！？!?\n]")
# A sentence reaches at most this far either side of a figure: a longer run without a
# sentence end is not prose (a table dump, a hostile file), and reading all of it for
# every figure in it would make attribution quadratic.
SENTENCE_REACH = 512
_SENT_BACK = compile_pattern(r"(?r)[。！？!?\n]")
_BLANK = compile_pattern(r"\s*")
_TITLE_CUT = compile_pattern(r"[，,；;：:]")
_COLON = compile_pattern(r"[：:]")
_SPACE_OR_COMMA = compile_pattern(r"[ \t。，,]")
_CLAUSE_MARK = compile_pattern(r"[。，,；;]")
_MARKER_TAIL = compile_pattern(r"[\s、.．]+$")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_MARKER_REACH = 64  # a section marker, and the words that show it is not one, are short


@dataclass
class Heading:
    start: int      # view offset of the marker
    marker_end: int
    end: int        # view offset where the title ends
    style: str
    number: int
    level: int = 0
    title: str = ""
    inline: bool = False
    weak: bool = False  # 20.2026年…: kept only where it continues its list exactly


def _marker_number(num: str, rules: Rules) -> int | None:
    if num.isdecimal():  # not isdigit(): "①".isdigit() is True, int("①") fails
        return int(num)
    if len(num) == 1 and "①" <= num <= "⑳":
        return ord(num) - ord("①") + 1
    n = read_numeral(num, 0, rules.numerals)
    if n is None or n.end != len(num) or n.value != n.value.to_integral_value():
        return None
    return int(n.value)


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


class Segmenter:
    """Finds headings and the title in a view, with the rules of sections.toml."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules
        cfg = rules.sections
        self.not_heading = [compile_pattern(p) for p in cfg.not_heading]
        self.sent_end = compile_pattern(cfg.sentence_end)
        self.appendix = compile_pattern(cfg.appendix) if cfg.appendix else None
        self.gap_styles = frozenset(cfg.gap_styles)
        # All markers as one pattern without groups: most positions tried (every
        # sentence start) hold none, and one match attempt settles that.
        try:
            self.any_marker: Any = compile_pattern("|".join(
                f"(?:{_NAMED_GROUP.sub('(?:', p.pattern)})" for _, p in rules.markers)
                or "(?!)")
        except (re.error, regex.error):  # a marker that refers to its own groups
            self.any_marker = None

    def _marker_at(self, text: str, pos: int, end: int) -> Heading | None:
        reach = min(end, pos + _MARKER_REACH)
        styles = self.rules.markers
        if self.any_marker is not None and self.any_marker.match(text, pos, reach) is None:
            styles = ()
        for style, pat in styles:
            # Matched within a short window, not to the line end: `regex` looks ahead for
            # a pattern's required literal (the 、 of 一、) before matching, which on a
            # long line without one costs the whole line at every position.
            m = pat.match(text, pos, reach)
            if m is None:
                continue
            number = _marker_number(m.group("num"), self.rules)
            if number is None:
                continue
            after = min(end, m.end() + _MARKER_REACH)
            if any(p.match(text, m.end(), after) for p in self.not_heading):
                return None
            if m.end() >= end or text[m.end()] in " \t":
                # a marker with nothing after it on the line is not a heading
                if _BLANK.match(text, m.end(), end).end() == end:  # no copy of the line
                    return None
            return Heading(m.start(), m.end(), m.end(), style, number)
        m = _WEAK_NUMBER.match(text, pos, end)
        if m is not None:
            return Heading(m.start(), m.end(), m.end(), "ar-dot", int(m.group(1)), weak=True)
        return None

    def candidates(self, text: str) -> list[Heading]:
        cfg = self.rules.sections
        out: list[Heading] = []
        for ls, le in _lines(text):
            line_heads: list[Heading] = []
            p = ls
            while p < le and text[p] in " \t":
                p += 1
            if self.appendix is not None and self.appendix.fullmatch(text, p, le):
                # 《政府工作报告》有关内容名词注释: the notes after it are not the outline.
                out.append(Heading(p, p, len(text[:le].rstrip()), "appendix", 0,
                                   title=text[p:le].strip()))
                continue
            h = self._marker_at(text, p, le)
            if h is not None:
                line_heads.append(h)
            for m in _INLINE.finditer(text, p, le):
                q = m.end()
                if line_heads and q <= line_heads[-1].marker_end:
                    continue
                h = self._marker_at(text, q, le)
                if h is not None:
                    h.inline = True
                    line_heads.append(h)
            # Titles: up to the next heading on the line, the first sentence end, or
            # the whole line when the heading stands alone on a short line.
            for k, h in enumerate(line_heads):
                nxt = line_heads[k + 1].start if k + 1 < len(line_heads) else le
                rest = text[h.marker_end:nxt]
                first = self.sent_end.search(text, h.marker_end, nxt)
                after_first = text[first.end():nxt] if first else ""
                if nxt == le and le - h.start <= cfg.own_line_max_chars \
                        and not _BODY_AFTER_TITLE.search(after_first):
                    end = h.marker_end + len(rest.rstrip())
                else:
                    m = self.sent_end.search(text, h.marker_end, nxt)
                    end = m.start() if m else h.marker_end + len(rest.rstrip())
                if end - h.marker_end > cfg.title_max_chars:
                    cut = _TITLE_CUT.search(text[h.marker_end:end])
                    end = h.marker_end + (cut.start() if cut else cfg.title_max_chars)
                # “2030启航计划”：面向2030年…: a defined term ends at its colon.
                colon = _COLON.search(text[h.marker_end:end])
                if colon is not None and colon.start() >= 2:
                    end = h.marker_end + colon.start()
                h.end = end
                h.title = text[h.marker_end:end].strip()
                if h.title:
                    out.append(h)
        return out

    def levels(self, heads: list[Heading]) -> list[Heading]:
        """Give each heading its level; drop those whose numbering shows body text."""
        stack: list[list] = []  # [style, last number]
        kept: list[Heading] = []

        def restarts(i: int, outer: set[str]) -> bool:
            """The next heading of the same style restarts at 1 before any outer heading:
            heading i has children of its own style, so it is a part above them."""
            for g in (heads[j] for j in range(i + 1, len(heads))):  # no tail copy
                if g.style == heads[i].style:
                    return g.number == 1
                if g.style in outer:
                    return False
            return False

        for i, h in enumerate(heads):
            if h.style == "appendix":
                if kept and kept[-1].style == "appendix":
                    kept.pop()  # 附件 then 《…》名词注释: keep the more telling line
                stack = [["appendix", 0]]
                h.level = 1
                kept.append(h)
                continue
            if h.weak:
                idx = next((k for k, (st, _) in enumerate(stack) if st == h.style), None)
                if idx is None or h.number != stack[idx][1] + 1:
                    continue
            idx = next((k for k, (st, _) in enumerate(stack) if st == h.style), None)
            if idx is not None:
                # A distinctive marker may skip one number the scrape lost: （二）…（四）.
                gap = 2 if h.style in self.gap_styles and not h.inline else 1
                continues = 1 <= h.number - stack[idx][1] <= gap
                # A mis-numbered heading takes the level whose numbering it continues.
                anc = next((k for k in range(idx) if stack[k][1] + 1 == h.number), None)
                outer = {st for st, _ in stack[:idx]}
                if continues and not (anc is not None and restarts(i, outer)):
                    del stack[idx + 1:]
                    stack[idx][1] = h.number
                    h.level = idx + 1
                elif anc is not None:
                    del stack[anc + 1:]
                    stack[anc][1] = h.number
                    h.level = anc + 1
                else:
                    continue
            else:
                if h.number != 1 and stack:
                    continue
                stack.append([h.style, h.number])
                h.level = len(stack)
            kept.append(h)
        return kept

    def title(self, view: View, first_heading: int) -> tuple[str, int]:
        """The document title: its first line of text before the outline."""
        text = view.text
        for ls, le in _lines(text):
            if ls >= first_heading:
                break
            line = text[ls:le]
            stripped = line.strip()
            if not stripped:
                continue
            s = ls + (len(line) - len(line.lstrip()))
            end = s + len(stripped)
            if len(stripped) > self.rules.sections.own_line_max_chars:
                m = _SPACE_OR_COMMA.search(text[s:end])
                if m is None or m.start() < 4:
                    return "", -1
                end = s + m.start()
            if _CLAUSE_MARK.search(text[s:end]):
                return "", -1  # a sentence, not a title
            return view.raw[s:end].strip(), s
        return "", -1


@dataclass(frozen=True)
class Outline:
    """A document's outline, title and where its heading markers stand in the view."""

    sections: list[Section]
    title: str
    title_start: int
    markers: dict[int, int]  # view start → view end of each heading's marker


def find_sections(doc: str, view: View, rules: Rules) -> Outline:
    """The outline of a document (original offsets), its title and the title's offset."""
    seg = Segmenter(rules)
    heads = seg.levels(seg.candidates(view.text))
    first = heads[0].start if heads else len(view.text)
    title, title_v = seg.title(view, first)
    title_start = view.to_original(title_v) if title_v >= 0 else -1
    plan = rules.modality.plan_headings
    result = rules.modality.result_headings
    sections: list[Section] = []
    parents: dict[int, int] = {}   # level → id of the open heading at that level
    paths: dict[int, str] = {}
    parts: dict[int, str] = {}
    n_view = len(view.text)
    for k, h in enumerate(heads):
        sid = k + 1
        for lvl in [lv for lv in parents if lv >= h.level]:
            del parents[lvl]
        parent = parents.get(h.level - 1) if h.level > 1 else None
        body_end_v = n_view
        for later in (heads[j] for j in range(k + 1, len(heads))):  # no tail copy
            if later.level <= h.level:
                body_end_v = later.start
                break
        marker_raw = view.raw[h.start:h.marker_end]
        comp = _MARKER_TAIL.sub("", marker_raw).replace(" ", "").replace("\u2002", "")
        if h.style == "appendix":
            comp = "附"
        path = f"{paths[parent]}/{comp}" if parent is not None else comp
        part = ""
        if h.style == "appendix":
            part = "appendix"
        elif any(w in h.title for w in plan):
            part = "plan"
        elif any(w in h.title for w in result):
            part = "result"
        elif parent is not None:
            part = parts.get(parent, "")
        start, _ = view.span(h.start, h.marker_end)
        _, end = view.span(h.marker_end, h.end) if h.end > h.marker_end else (0, start)
        body_start = end
        _, body_end = view.span(h.end, body_end_v) if body_end_v > h.end else (0, end)
        sections.append(Section(
            doc=doc, id=sid, parent=parent, level=h.level, marker=marker_raw, number=h.number,
            title=view.raw[h.marker_end:h.end].strip(), start=start, end=end,
            body_start=body_start, body_end=body_end, path=path, part=part,
        ))
        parents[h.level] = sid
        paths[sid] = path
        parts[sid] = part
    markers = {h.start: h.marker_end for h in heads if h.marker_end > h.start}
    return Outline(sections, title, title_start, markers)


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """View [s, e) of the sentence around [start, end): between sentence ends."""
    lo, hi = max(0, start - SENTENCE_REACH), min(len(text), end + SENTENCE_REACH)
    m = _SENT_BACK.search(text, lo, start)
    s = m.end() if m else lo
    m = _SENT_FWD.search(text, end, hi)
    e = (m.end() if text[m.start()] != "\n" else m.start()) if m else hi
    while s < start and text[s] in " \t":
        s += 1
    return s, e
