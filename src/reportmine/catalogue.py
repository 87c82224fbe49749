"""The catalogue of indicators: one key and one name per indicator, across documents.

Reports name one thing many ways (地区生产总值 / 生产总值 / GDP / 全省经济总量;
一般公共预算收入 / 地方一般公共预算收入 / 财政收入). patterns/catalogue.toml lists the
indicators reports state most, each with a stable key, its canonical name and the
patterns that find it; a figure whose indicator matches an entry gets its key and
name, and scope words (城镇, 农村) in the indicator or the clause before the figure
decide between entries that differ only by scope. Nothing matches: the key stays empty,
never a guess.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import regex

from .rules import CatalogueFile

# Where a clause starts: what stands before it belongs to another figure.
_CLAUSE_END = regex.compile(r"[，,；;。！？!?：:\n]")
_PUNCT = regex.compile(r"[\s\p{P}]+")


@dataclass(frozen=True)
class _Entry:
    key: str
    name: str
    kind: str
    patterns: tuple[regex.Pattern[str], ...]
    exclude: tuple[regex.Pattern[str], ...]
    requires: tuple[regex.Pattern[str], ...]
    forbids: tuple[regex.Pattern[str], ...]

    def names(self, indicator: str) -> bool:
        return any(p.search(indicator) for p in self.patterns) \
            and not any(p.search(indicator) for p in self.exclude)

    def fits_scope(self, scope: str) -> bool:
        return all(p.search(scope) for p in self.requires) \
            and not any(p.search(scope) for p in self.forbids)


class Catalogue:
    """The compiled catalogue: `match(indicator, clause)` → (key, name) or None."""

    def __init__(self, c: CatalogueFile, normalize: Callable[[str], str]) -> None:
        self.normalize = normalize

        def compiled(ps: list[str]) -> tuple[regex.Pattern[str], ...]:
            return tuple(regex.compile(normalize(p)) for p in ps)

        self.entries = tuple(
            _Entry(e.key, e.name, e.kind, compiled(e.patterns), compiled(e.exclude),
                   compiled(e.requires), compiled(e.forbids))
            for e in c.indicators)
        self.by_key = {e.key: e for e in self.entries}
        # One search tells the indicators no entry names (most of them) from the rest,
        # before the entries are tried one by one.
        self._any = regex.compile("|".join(f"(?:{p.pattern})" for e in self.entries
                                           for p in e.patterns) or "(?!)")
        self.scope_words = tuple(p for e in self.entries for p in (*e.requires, *e.forbids))
        self.inherit_after = frozenset(normalize(w) for w in c.inherit_after)
        self._plan_year = tuple(regex.compile(normalize(p)) for p in c.plan_year_titles)

    def plan_year(self, title: str) -> bool:
        """Does the title name the year a report plans (a 政府工作报告 of 2026 reviews
        2025), not the year its figures are of (a 统计公报 of 2025)?"""
        t = self.normalize(title)
        return any(p.search(t) for p in self._plan_year)

    def inherits(self, indicator: str) -> bool:
        """Is the indicator only a word of change (增长, 占比), which measures the
        indicator of the figure before it?"""
        return _PUNCT.sub("", self.normalize(indicator)) in self.inherit_after

    def match(self, indicator: str, clause: str = "") -> tuple[str, str] | None:
        """The key and name of the first entry that names `indicator` and whose scope
        words fit it (in the indicator, else in `clause`, the words before the figure)."""
        if not indicator:
            return None
        ind = self.normalize(indicator)
        if self._any.search(ind) is None:
            return None
        # The indicator's own scope words decide (城镇、农村居民…分别: each figure's
        # indicator names its own); the clause only where the indicator names none.
        scope = ind if any(p.search(ind) for p in self.scope_words) \
            else ind + " " + self.normalize(clause)
        for e in self.entries:
            if e.names(ind) and e.fits_scope(scope):
                return e.key, e.name
        return None

    def kind(self, key: str) -> str:
        e = self.by_key.get(key)
        return e.kind if e else ""


@functools.lru_cache(maxsize=4)
def compile_catalogue(c: CatalogueFile, normalize: Callable[[str], str]) -> Catalogue:
    return Catalogue(c, normalize)


def clause_before(text: str, start: int, sentence_start: int) -> str:
    """The words of the figure's clause before it (its scope: 城镇, 农村, 全省)."""
    lo = max(sentence_start, start - 60)
    head = text[lo:start]
    cut = None
    for cut in _CLAUSE_END.finditer(head):
        pass
    return head[cut.end():] if cut else head
