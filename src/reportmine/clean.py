"""The cleaner: find markup, ad text, portal and scraper furniture, page-number
artifacts and repeated blocks.

It never edits the text. It returns the ranges to leave out (original offsets), each
with its reason and rule; `view.View` turns them into the text the later stages read.
It works in passes, each on the text as the previous passes left it, so that a rule
reads a line as a reader sees it ("打印本页", not "<a …>打印本页</a>"):

1. markup: HTML/XML/JSP, entities, front matter, and Markdown where the document is
   Markdown (code: markup.py, markdown.py);
2. rules: the patterns of boilerplate.toml (ads, scraper lines, portal furniture);
3. page furniture of paged documents (page_furniture.py): running headers and
   footers, page numbers, and the page breaks that cut a sentence; footnote marks;
4. page numbers that cut sentences (in text that lost its pages);
5. paragraphs and blocks that repeat an earlier one verbatim.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from typing import Callable, Sequence

import regex

from .markdown import find_markdown, looks_like_markdown
from .markup import Markup, find_front_matter, find_markup
from .page_furniture import find_footnote_marks, find_page_furniture
from .rules import CompiledCleanRule, Rules
from .view import Found, View

__all__ = ["Found", "find_removals", "resolve"]

_SPACE = regex.compile(r"\s+")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break."""
    out, pos, n = [], 0, len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        out.append((pos, end))
        if nl < 0:
            break
        pos = nl + 1
    return out


def resolve(found: list[Found]) -> list[Found]:
    """Non-overlapping removals in order. A removal inside another goes (the outer
    one says what the whole range is); one that overlaps the end of another keeps
    only its own part."""
    out: list[Found] = []
    for f in sorted(found, key=lambda f: (f.start, -f.end)):
        if out and f.start < out[-1].end:
            if f.end <= out[-1].end:
                continue
            f = f._replace(start=out[-1].end)
        if f.end > f.start:
            out.append(f)
    return out


# -- pass 1: markup -------------------------------------------------------------
def _markup(text: str, rules: Rules) -> Markup:
    markup = find_markup(text, rules.markup)
    found = markup.found
    front = find_front_matter(text)
    if front is not None:
        found.append(front)
    if front is not None or looks_like_markdown(text, rules.markup.markdown_min_signals):
        found += find_markdown(text, found)
    return markup


# -- pass 2: the rules of boilerplate.toml ------------------------------------------
def _rule_matches(rule: CompiledCleanRule, text: str, lines: list[tuple[int, int]],
                  starts: list[int]) -> list[tuple[int, int, str]]:
    """The view ranges one rule removes, with their joiners (`starts`: line starts)."""
    if rule.scope == "lines":
        return _line_runs(rule, text, lines)
    out: list[tuple[int, int, str]] = []
    for m in rule.pattern.finditer(text):
        s, e = m.span("cut") if "cut" in rule.pattern.groupindex else m.span()
        if e == s:
            continue
        if rule.scope in ("line", "rest"):
            # `^\s*` and `\s*$` may reach over blank lines: the match's own line counts.
            while s < e - 1 and text[s].isspace():
                s += 1
        if rule.scope == "line":
            while e > s + 1 and text[e - 1].isspace():
                e -= 1
            k = bisect_right(starts, s) - 1
            k2 = bisect_right(starts, max(s, e - 1)) - 1
            out.append((lines[k][0], lines[k2][1], ""))
        elif rule.scope == "rest":
            if rule.max_rest_chars is not None and len(text) - s > rule.max_rest_chars:
                continue
            out.append((s, len(text), ""))
            break
        else:
            out.append((s, e, rule.joiner))
    return out


def _line_runs(rule: CompiledCleanRule, text: str,
               lines: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Runs of at least `min_lines` lines that the pattern matches whole (blank lines
    inside a run do not break it): a toolbar written one word a line."""
    out: list[tuple[int, int, str]] = []
    run: list[tuple[int, int]] = []

    def close() -> None:
        if len(run) >= rule.min_lines:
            out.append((run[0][0], run[-1][1], ""))
        run.clear()

    for s, e in lines:
        if s == e or text[s:e].isspace():
            continue
        if rule.pattern.fullmatch(text, s, e):
            run.append((s, e))
        else:
            close()
    close()
    return out


def _rule_removals(view: View, rules: Rules) -> list[Found]:
    text = view.text
    lines = _lines(text)
    starts = [s for s, _ in lines]
    found: list[Found] = []
    for rule in rules.clean_rules:
        for s, e, joiner in _rule_matches(rule, text, lines, starts):
            os, oe = view.covering(s, e)
            if rule.scope == "rest":
                oe = len(view.original)
            found.append(Found(os, oe, rule.reason, rule.name, joiner))
    return found


# -- pass 3: page numbers -----------------------------------------------------------
def _page_numbers(view: View, rules: Rules) -> list[Found]:
    """Line-start numbers that count up line after line and cut sentences: page numbers."""
    cfg = rules.page_numbers
    if cfg is None:
        return []
    text = view.text
    lines = _lines(text)
    marker = regex.compile(cfg.marker, regex.M)
    terminal = set(cfg.terminal)
    hits: list[tuple[int, int, regex.Match[str]]] = []  # (line index, number, match)
    for k, (s, e) in enumerate(lines):
        m = marker.match(text, s, e)
        if m:
            hits.append((k, int(m.group(1)), m))
    # Chains of consecutive numbers, each on a later line.
    chains: list[list[tuple[int, int, regex.Match[str]]]] = []
    open_by_next: dict[int, list[tuple[int, int, regex.Match[str]]]] = {}
    for hit in hits:
        chain = open_by_next.pop(hit[1], None)
        if chain is None:
            chain = []
            chains.append(chain)
        chain.append(hit)
        open_by_next[hit[1] + 1] = chain

    def cuts_sentence(k: int) -> bool:
        if k == 0:
            return False
        prev = text[lines[k - 1][0]:lines[k - 1][1]].rstrip()
        return bool(prev) and prev[-1] not in terminal

    out: list[Found] = []
    for chain in chains:
        if len(chain) < cfg.min_chain:
            continue
        cut = sum(cuts_sentence(k) for k, _, _ in chain)
        if cut * 2 < len(chain):
            continue
        for k, _, m in chain:
            if cuts_sentence(k):
                # "开展凸显\n2、新成效": the line break and the number go, the text joins.
                s, e = view.covering(m.start() - 1, m.end())
                out.append(Found(s, e, "page_number", "page-number-join"))
            else:
                s, e = view.covering(m.start(), m.end())
                out.append(Found(s, e, "page_number", "page-number"))
    return out


# -- pass 4: repeated paragraphs and blocks ----------------------------------------
def _duplicates(view: View, rules: Rules, captions: list[tuple[int, int]]) -> list[Found]:
    """Lines that repeat an earlier one verbatim (white space aside): a long line is a
    duplicate on its own; the lines around it are too where they repeat the lines
    around its first copy (the same report saved twice, title and all). Where the
    first copy is a caption and the later one body text, the caption is the copy."""
    text = view.text
    lines = [(s, e) for s, e in _lines(text) if not text[s:e].isspace() and s < e]
    squashed = [_SPACE.sub("", text[s:e]) for s, e in lines]
    keys = [hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest() for t in squashed]
    sizes = [len(t) for t in squashed]
    del squashed
    cap_starts = [s for s, _ in captions]

    def in_caption(j: int) -> bool:
        o = view.to_original(lines[j][0])
        k = bisect_right(cap_starts, o) - 1
        return k >= 0 and o < captions[k][1]

    first: dict[bytes, int] = {}
    source = [-1] * len(lines)   # the line this one repeats
    for j, key in enumerate(keys):
        i = first.setdefault(key, j)
        if i == j or sizes[j] < rules.duplicate_min_chars:
            continue
        if source[i] < 0 and in_caption(i) and not in_caption(j):
            source[i], first[key] = j, j    # the body copy stands; the caption goes
        else:
            source[j] = i
    anchors = [j for j, i in enumerate(source) if i >= 0]
    for j in anchors:
        i = source[j]
        a, b = i + 1, j + 1           # forward, while the copy stays after its source
        while b < len(lines) and source[b] < 0 and a < j and keys[a] == keys[b]:
            source[b] = a
            a, b = a + 1, b + 1
        a, b = i - 1, j - 1           # backward
        while a >= 0 and b > i and source[b] < 0 and keys[a] == keys[b]:
            source[b] = a
            a, b = a - 1, b - 1
    out: list[Found] = []
    for j, i in enumerate(source):
        if i >= 0:
            s, e = view.covering(*lines[j])
            out.append(Found(s, e, "duplicate", "repeated-paragraph"))
    return out


def _furniture(pages: Sequence[int]) -> Callable[[View, Rules], list[Found]]:
    def step(view: View, rules: Rules) -> list[Found]:
        cfg = rules.pages.furniture
        return find_page_furniture(view, pages, cfg) if pages and cfg is not None else []
    return step


def _footnote_marks(view: View, rules: Rules) -> list[Found]:
    marks = rules.pages.footnote_marks
    return find_footnote_marks(view, marks) if marks is not None else []


def find_removals(text: str, rules: Rules, pages: Sequence[int] = ()) -> list[Found]:
    """Everything the cleaner takes out of `text`, non-overlapping and in order;
    `pages`: where each page starts, for paged formats (their furniture goes too)."""
    markup = _markup(text, rules)
    found = resolve(markup.found)
    view = View(text, found, rules.normalize)
    for step in (_rule_removals, _furniture(pages), _footnote_marks, _page_numbers):
        more = step(view, rules)
        if more:  # a pass that finds nothing leaves the view as it was
            found = resolve(found + more)
            view = View(text, found, rules.normalize)
    return resolve(found + _duplicates(view, rules, markup.captions))
