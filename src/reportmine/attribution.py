"""Attribution: what each quantity measures, result or plan, its role and period.

jieba reads only the short clause around a quantity, never the whole text. The
tokenizer is built once per process, with the user dictionary of patterns/.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Sequence

import regex

from .quantities import Quantity
from .rules import Rules
from .sections import sentence_bounds

log = logging.getLogger(__name__)

_YEAR = regex.compile(
    r"(?r)((?:19|20)\d{2})\s*年(?:度)?(?:(上半年|下半年)|第?([一二三四1-4])季度)?")
_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MAX_INDICATOR = 10
_GOAL_AFTER = regex.compile(r"[^，。；,;]{0,6}(?:的)?(?:目标任务|目标|任务)")


@dataclass(frozen=True)
class Attribution:
    indicator: str
    modality: str
    role: str
    period: str
    subject: str
    sentence_start: int  # view offsets
    sentence_end: int


class _Tokenizer:
    """A lazily initialised jieba tokenizer with the patterns/ user dictionary."""

    def __init__(self, words: Sequence[str]) -> None:
        self._words = words
        self._tk = None
        # Figures close together cut the same clause text again and again (in a long
        # run of figures, every one of them): remember recent cuts.
        self._cached_cut = functools.lru_cache(maxsize=1024)(self._cut)

    def cut(self, s: str) -> list[str]:
        return list(self._cached_cut(s))

    def _cut(self, s: str) -> tuple[str, ...]:
        if self._tk is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.initialize()
            for line in self._words:
                parts = line.split()
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                tk.add_word(parts[0], freq, parts[2] if len(parts) > 2 else None)
            self._tk = tk
        return tuple(self._tk.cut(s, HMM=False))


class Attributor:
    """Attributes the quantities of one document."""

    def __init__(self, rules: Rules, tokenizer: _Tokenizer | None = None) -> None:
        self.rules = rules
        ind = rules.indicators
        self.boundary_back = regex.compile("(?r)" + ind.boundary)
        self.boundary_fwd = regex.compile(ind.boundary)
        self.strip_prefix = sorted(ind.strip_prefix, key=len, reverse=True)
        self.strip_suffix = sorted(ind.strip_suffix, key=len, reverse=True)
        self.stop_words = frozenset(ind.stop_words)
        self.verbs = frozenset(ind.verbs)
        mod = rules.modality
        self.target_cues = frozenset(mod.target_cues)
        self.actual_cues = frozenset(mod.actual_cues)
        self.tok = tokenizer or _Tokenizer(rules.userdict)

    # -- indicator ----------------------------------------------------------------
    def _strip(self, s: str) -> str:
        changed = True
        while changed and s:
            changed = False
            s2 = s.strip(" \t")
            for w in self.strip_prefix:
                if s2.startswith(w) and len(s2) > len(w):
                    s2 = s2[len(w):]
                    changed = True
                    break
            for w in self.strip_suffix:
                if s2.endswith(w) and len(s2) > len(w):
                    s2 = s2[:-len(w)]
                    changed = True
                    break
            if s2 in self.strip_suffix or s2 in self.strip_prefix:
                s2 = ""
            s = s2
        return s

    def _tail(self, s: str) -> str:
        """The last words of `s` that fit the indicator length."""
        if len(s) <= _MAX_INDICATOR:
            return s
        words = self.tok.cut(s)
        out = ""
        for w in reversed(words):
            if len(out) + len(w) > _MAX_INDICATOR:
                break
            out = w + out
        return out or s[-_MAX_INDICATOR:]

    def _head(self, s: str) -> str:
        """The first words of `s` up to a verb, fitting the indicator length."""
        words = self.tok.cut(s)
        out = ""
        for w in words:
            if out and (w in self.verbs or len(out) + len(w) > _MAX_INDICATOR):
                break
            out += w
        return out

    def indicator(self, text: str, raw: str, q: Quantity, lb: int, rb: int,
                  clause_start: int) -> str:
        left_raw = text[lb:q.start]
        left = self._strip(left_raw)
        right_view = text[q.end:rb]
        if q.kind in ("percent", "pp") and "占" in text[clause_start:q.start] \
                and q.kind == "percent":
            return "占比"
        right = self._strip(right_view)
        use_right = False
        if q.kind == "count" and right and len(right) >= 2:
            tail = left_raw.rstrip()
            copula = bool(regex.search(r"(?:为|是|达|达到|共计|合计|总数|总计)$", tail))
            use_right = not (copula and len(left) >= 2)
        elif len(left) < 2 and len(right) >= 2:
            use_right = True
        if use_right:
            phrase = self._head(right)
            offset = q.end + right_view.find(phrase) if phrase in right_view else -1
        else:
            phrase = self._tail(left)
            offset = q.start - len(left_raw) + left_raw.rfind(phrase) if phrase else -1
        if len(phrase) < 2 or phrase in self.stop_words:
            return ""
        # Write the phrase as it stands in the document (not normalised).
        if offset >= 0 and text[offset:offset + len(phrase)] == phrase:
            return raw[offset:offset + len(phrase)]
        return phrase

    # -- modality, role, period -------------------------------------------------------
    def modality(self, text: str, q: Quantity, s: int, clause_start: int, clause_end: int,
                 part: str) -> str:
        """target or actual: the clause first, then the sentence, then the report part."""
        if _GOAL_AFTER.match(text, q.end, clause_end):
            return "target"
        for lo, hi in ((clause_start, q.start), (s, clause_start)):
            words = set(self.tok.cut(text[lo:hi])) if hi > lo else set()
            if words & self.target_cues:
                return "target"
            if words & self.actual_cues:
                return "actual"
        return "target" if part == "plan" else "actual"

    def role(self, text: str, q: Quantity, clause_start: int, clause_end: int,
             modality: str) -> str:
        before = text[clause_start:q.start]
        after = text[q.end:clause_end]
        for role, kinds, b, a in self.rules.roles:
            if kinds and q.kind not in kinds:
                continue
            if b is not None and b.search(before) is None:
                continue
            if a is not None and a.search(after) is None:
                continue
            return role
        return "value"

    def period(self, text: str, s: int, q: Quantity, fallback: str) -> str:
        m = _YEAR.search(text, s, q.start)
        if m is None:
            return fallback
        return _period_of(m)

    def attribute(self, text: str, raw: str, quantities: Sequence[Quantity],
                  parts: Sequence[str], fallback_periods: Sequence[str]) -> list[Attribution]:
        out: list[Attribution] = []
        prev_end = 0
        for k, q in enumerate(quantities):
            s, e = sentence_bounds(text, q.start, q.end)
            m = self.boundary_back.search(text, s, q.start)
            clause_start = m.end() if m else s
            lb = max(clause_start, prev_end if prev_end > s else s)
            nxt = quantities[k + 1].start if k + 1 < len(quantities) else len(text)
            m = self.boundary_fwd.search(text, q.end, e)
            clause_end = m.start() if m else e
            rb = min(clause_end, nxt)
            indicator = self.indicator(text, raw, q, lb, rb, clause_start)
            modality = self.modality(text, q, s, clause_start, clause_end, parts[k])
            role = self.role(text, q, clause_start, clause_end, modality)
            period = self.period(text, s, q, fallback_periods[k])
            out.append(Attribution(indicator, modality, role, period, "", s, e))
            prev_end = q.end
        return out


def _period_of(m: regex.Match[str]) -> str:
    year, half, quarter = m.group(1), m.group(2), m.group(3)
    if half:
        return f"{year}H{1 if half == '上半年' else 2}"
    if quarter:
        return f"{year}Q{_QUARTER[quarter]}"
    return year


def period_in(text: str) -> str:
    """The period a heading or title names (2023年第三季度 → 2023Q3), or ""."""
    m = _YEAR.search(text)
    return _period_of(m) if m else ""
