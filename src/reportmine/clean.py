"""The cleaner: find ad text, scraper furniture, page-number artifacts and repeats.

It never edits the text. It returns the ranges to leave out, each with its reason and
rule; `view.View` turns them into the text the later stages read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import regex

from .rules import Rules
from .view import Cut

_LINE = regex.compile(r"[^\n]*")


@dataclass(frozen=True)
class Found:
    """A removal found by the cleaner (original offsets)."""

    start: int
    end: int
    reason: str
    rule: str
    joiner: str = ""

    def cut(self) -> Cut:
        return Cut(self.start, self.end, self.joiner)


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


def _rule_removals(text: str, rules: Rules, lines: list[tuple[int, int]]) -> list[Found]:
    found: list[Found] = []
    line_starts = [s for s, _ in lines]
    from bisect import bisect_right

    for rule in rules.clean_rules:
        for m in rule.pattern.finditer(text):
            if m.end() == m.start():
                continue
            if rule.scope == "line":
                k = bisect_right(line_starts, m.start()) - 1
                s, e = lines[k]
                found.append(Found(s, e, rule.reason, rule.name))
            elif rule.scope == "rest":
                found.append(Found(m.start(), len(text), rule.reason, rule.name))
                break
            else:
                found.append(Found(m.start(), m.end(), rule.reason, rule.name,
                                   "" if rule.join else " "))
    return found


def _page_numbers(text: str, rules: Rules, lines: list[tuple[int, int]]) -> list[Found]:
    """Line-start numbers that count up line after line and cut sentences: page numbers."""
    cfg = rules.page_numbers
    if cfg is None:
        return []
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
                out.append(Found(m.start() - 1, m.end(), "page_number", "page-number-join"))
            else:
                out.append(Found(m.start(), m.end(), "page_number", "page-number"))
    return out


def _duplicates(text: str, rules: Rules, lines: list[tuple[int, int]],
                taken: list[Found]) -> list[Found]:
    """Paragraphs that repeat an earlier one verbatim (the same report saved twice)."""
    seen: set[bytes] = set()
    out: list[Found] = []
    covered = sorted((f.start, f.end) for f in taken)
    from bisect import bisect_right

    def removed(s: int, e: int) -> bool:
        k = bisect_right(covered, (s, len(text) + 1)) - 1
        return k >= 0 and covered[k][0] <= s and covered[k][1] >= e

    for s, e in lines:
        para = text[s:e].strip()
        if len(para) < rules.duplicate_min_chars or removed(s, e):
            continue
        key = hashlib.blake2b(para.encode("utf-8"), digest_size=16).digest()
        if key in seen:
            out.append(Found(s, e, "duplicate", "repeated-paragraph"))
        else:
            seen.add(key)
    return out


def _merge(found: list[Found]) -> list[Found]:
    """Non-overlapping removals in order; where two overlap, the earlier one grows."""
    out: list[Found] = []
    for f in sorted(found, key=lambda f: (f.start, -f.end)):
        if out and f.start < out[-1].end:
            last = out[-1]
            if f.end > last.end:
                out[-1] = Found(last.start, f.end, last.reason, last.rule, last.joiner)
            continue
        out.append(f)
    return out


def find_removals(text: str, rules: Rules) -> list[Found]:
    """Everything the cleaner takes out of `text`, merged and in order."""
    lines = _lines(text)
    found = _rule_removals(text, rules, lines)
    found += _page_numbers(text, rules, lines)
    found += _duplicates(text, rules, lines, found)
    return _merge(found)
