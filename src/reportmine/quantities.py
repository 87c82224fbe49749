"""Quantities: find numeral candidates in the cleaned view, then resolve or reject each.

A candidate is a numeral (or a mask such as * or ……) with what surrounds it: a sign,
a currency sign, a qualifier, a range, a unit. The unit decides the kind; the context
rules of patterns/rejections.toml then reject it (a date, an ordinal, a slogan) or
change its kind (a rank, a duration). Everything works on the normalised view text, so
offsets here are view offsets; the pipeline maps them back to the original.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import regex

from .numbers import Numeral, read_numeral
from .rules import Rules, UnitDef

_WINDOW = 16           # characters of left context the rules see
_MAX_DIGITS = 24
_FRACTION_PLACES = Decimal("0.000001")
_RANGE = regex.compile(r" ?(?:—{1,2}|-|~|至|到|―) ?")
_PCT_PREFIX = {"百分之": Decimal(1), "千分之": Decimal("0.1"), "万分之": Decimal("0.01")}
_MASK = regex.compile(r"\*+|…{2,}|\.{3,}|(?<![A-Za-z])[Xx]{1,3}(?![A-Za-z])|×{1,3}")
_NUMRUN = regex.compile(r"[0-9][0-9,.]*")
_PAREN_UNIT = regex.compile(r" ?\([^()\n]{1,15}\) ?")
_LIST_SEP = frozenset(",，、;；。")
_SENTENCE_END = frozenset("。！？!?\n")


@dataclass(frozen=True)
class Quantity:
    """An accepted quantity, in view offsets."""

    start: int
    end: int
    kind: str
    value: Decimal | None
    value_max: Decimal | None
    unit: str
    approx: str | None
    masked: bool
    rule: str = ""


@dataclass(frozen=True)
class Rejected:
    """A candidate that is not a quantity, in view offsets, with the reason."""

    start: int
    end: int
    reason: str
    rule: str


@dataclass
class _Cand:
    """A candidate under construction."""

    start: int
    num_start: int
    num_end: int
    end: int
    value: Decimal | None
    value_max: Decimal | None = None
    unit_word: str = ""        # the unit as matched in the normalised text ("" = none)
    unit_def: UnitDef | None = None
    unit_raw: str = ""         # the unit as written
    span_unit: bool = True     # the unit belongs to the span (not for 41（含…）人)
    approx: str | None = None
    masked: bool = False
    style: str = "arabic"
    currency: str = ""
    kind: str = ""
    rule: str = ""


class Extractor:
    """Finds and resolves quantities in a view's text. One per document script."""

    def __init__(self, rules: Rules, script: str = "simplified") -> None:
        self.rules = rules
        t = rules.numerals
        self.table = t
        self.cn_chars = frozenset(t.chars)
        self.big_units = t.big_units
        self.scale_chars = {**t.small_units, **t.big_units}
        cls = regex.escape(t.chars)
        self.start_re = regex.compile(rf"[0-9{cls}]|\*|…|\.\.\.|[Xx×]")
        self.prefixes = [(w, cur) for w, cur, sc in rules.currency_prefixes
                         if sc is None or sc == script]
        self.before_quals = sorted(rules.approx_before, key=len, reverse=True)
        self.inside_quals = sorted(rules.approx_inside, key=len, reverse=True)
        self.after_quals = sorted(rules.approx_after, key=len, reverse=True)
        self._initial = rules.numeral_initial_units

    # -- reading pieces -----------------------------------------------------------
    def _numeral(self, text: str, i: int) -> Numeral | None:
        initial = self._initial
        stop = (lambda k: initial.match(text, k) is not None) if initial else None
        return read_numeral(text, i, self.table, stop)

    def _unit(self, text: str, j: int) -> tuple[str, UnitDef, int] | None:
        """The longest unit at `text[j]` (one space may stand before it)."""
        n = len(text)
        if j < n and text[j] == " " and j + 1 < n and text[j + 1] != " ":
            j += 1
        units = self.rules.units
        for length in range(min(self.rules.unit_max_len, n - j), 0, -1):
            word = text[j:j + length]
            d = units.get(word)
            if d is None:
                continue
            end = j + length
            if any(text.startswith(nb, end) for nb in d.not_before):
                continue
            return word, d, end
        return None

    def _word_before(self, text: str, i: int, words: list[str]) -> str:
        for w in words:
            if text.startswith(w, i - len(w)) and i - len(w) >= 0:
                return w
        return ""

    def _word_at(self, text: str, j: int, words: list[str]) -> str:
        for w in words:
            if text.startswith(w, j):
                return w
        return ""

    # -- the scan -----------------------------------------------------------------
    def extract(self, text: str, raw: str) -> tuple[list[Quantity], list[Rejected]]:
        found: list[Quantity] = []
        rejected: list[Rejected] = []
        pos, n = 0, len(text)
        while pos < n:
            m = self.start_re.search(text, pos)
            if m is None:
                break
            i = m.start()
            ch = text[i]
            cand: _Cand | None
            if ch in "*….Xx×":
                cand, nxt = self._mask(text, i)
            elif text.startswith(("百分之", "千分之", "万分之"), i):
                cand, nxt = self._percent_prefix(text, i)
            else:
                if "0" <= ch <= "9":
                    if i > 0 and ("a" <= text[i - 1].lower() <= "z"):
                        run = _NUMRUN.match(text, i)
                        assert run is not None
                        rejected.append(Rejected(i, run.end(), "code", "letter-joined"))
                        pos = run.end()
                        continue
                    run = _NUMRUN.match(text, i)
                    assert run is not None
                    if sum(c.isdigit() for c in run.group()) > _MAX_DIGITS:
                        rejected.append(Rejected(i, run.end(), "code", "overlong-digits"))
                        pos = run.end()
                        continue
                cand, nxt = self._numeral_cand(text, i, found)
            if cand is None:
                pos = max(nxt, i + 1)
                continue
            result = self._resolve(text, raw, cand)
            if isinstance(result, Quantity):
                found.append(result)
                pos = max(result.end, i + 1)
            else:
                if result is not None:
                    rejected.append(result)
                pos = max(cand.num_end, i + 1)
        return found, rejected

    # -- candidate builders -------------------------------------------------------
    def _mask(self, text: str, i: int) -> tuple[_Cand | None, int]:
        m = _MASK.match(text, i)
        if m is None:
            return None, i + 1
        j = m.end()
        while j < len(text) and text[j] in self.scale_chars:
            j += 1
        cand = _Cand(i, i, j, j, None, masked=True, style="mask")
        return self._finish(text, cand, j, allow_range=False), m.end()

    def _percent_prefix(self, text: str, i: int) -> tuple[_Cand | None, int]:
        factor = _PCT_PREFIX[text[i:i + 3]]
        num = self._numeral(text, i + 3)
        if num is None:
            return None, i + 3
        cand = _Cand(i, i + 3, num.end, num.end, num.value * factor,
                     style="arabic" if num.style != "chinese" else "chinese",
                     kind="percent", unit_raw="%", rule="percent-word")
        if i > 0 and text[i - 1] == "负":
            cand.start -= 1
            cand.value = -num.value * factor
        cand.end = num.end
        self._after_qualifier(text, cand)
        return cand, num.end

    def _numeral_cand(self, text: str, i: int,
                      found: list[Quantity]) -> tuple[_Cand | None, int]:
        num = self._numeral(text, i)
        if num is None:
            return None, i + 1
        style = "chinese" if num.style == "chinese" else "arabic"
        cand = _Cand(i, i, num.end, num.end, num.value, style=style)
        j = num.end
        n = len(text)
        # 14.17 億元: a space between the number and its scale.
        if j + 1 < n and text[j] == " " and text[j + 1] in self.big_units:
            k = j + 1
            while k < n and text[k] in self.big_units:
                cand.value = (cand.value or Decimal(0)) * self.big_units[text[k]]
                k += 1
            j = cand.num_end = k
        # X分之Y: a fraction, read as a percent (四分之一 → 25 %).
        if text.startswith("分之", j) or (
                style == "chinese" and j + 1 < n and text[j] == "分" and text[j + 1] in
                self.table.digits):
            k = j + 2 if text.startswith("分之", j) else j + 1
            den = cand.value
            numer = self._numeral(text, k)
            if numer is not None and den:
                cand.value = (numer.value / den * 100).quantize(_FRACTION_PLACES).normalize()
                cand.num_end = cand.end = numer.end
                cand.kind, cand.unit_raw, cand.rule = "percent", "%", "fraction"
                self._after_qualifier(text, cand)
                return cand, numer.end
        # 36:1 — a ratio where the clause speaks of a 比.
        if j + 1 < n and text[j] == ":" and "0" <= text[j + 1] <= "9":
            second = self._numeral(text, j + 1)
            if second is not None:
                cand.end = cand.num_end = second.end
                cand.kind, cand.rule = "ratio", "ratio"
                return cand, second.end
        return self._finish(text, cand, j, allow_range=True, found=found), num.end

    def _finish(self, text: str, cand: _Cand, j: int, allow_range: bool,
                found: list[Quantity] | None = None) -> _Cand | None:
        """Range, inner qualifier, unit and trailing qualifier after the numeral."""
        n = len(text)
        if allow_range:
            m = _RANGE.match(text, j)
            if m is not None and m.end() < n:
                second = self._numeral(text, m.end())
                if second is not None and cand.value is not None:
                    low = cand.value
                    if second.has_scale and not self._has_units(text, cand) \
                            and low < second.value / second.scale:
                        low = low * second.scale
                    if second.value > low:
                        cand.value, cand.value_max = low, second.value
                        j = cand.num_end = second.end
        inside = self._word_at(text, j, self.inside_quals)
        if inside:
            cand.approx = self.rules.approx_inside[inside]
            j += len(inside)
            # 3千余万元: a scale may follow the qualifier.
            while j < n and text[j] in self.big_units and cand.value is not None:
                cand.value *= self.big_units[text[j]]
                j += 1
        unit = self._unit(text, j)
        if unit is None and cand.value is not None and found is not None:
            unit = self._borrowed_unit(text, cand, j, found)
            if unit is not None:
                cand.span_unit = False
        if unit is None:
            if inside:  # 3000多 with no unit: leave the qualifier out of the span
                cand.approx = None
            cand.end = cand.num_end
            return cand
        word, d, uend = unit
        cand.unit_word, cand.unit_def = word, d
        if cand.span_unit:
            cand.unit_raw = ""  # filled from raw text in _resolve
            cand.end = uend
            # 300元至500元: a range written with the unit twice.
            if allow_range and cand.value_max is None:
                m = _RANGE.match(text, uend)
                if m is not None:
                    second = self._numeral(text, m.end())
                    if second is not None and text.startswith(word, second.end) \
                            and cand.value is not None and second.value > cand.value:
                        cand.value_max = second.value
                        cand.end = second.end + len(word)
        else:
            cand.end = cand.num_end
        self._after_qualifier(text, cand)
        return cand

    def _has_units(self, text: str, cand: _Cand) -> bool:
        return any(c in self.scale_chars for c in text[cand.num_start:cand.num_end])

    def _borrowed_unit(self, text: str, cand: _Cand, j: int,
                       found: list[Quantity]) -> tuple[str, UnitDef, int] | None:
        """A bare number whose unit stands elsewhere: 41（含双师型21）人, 未入学4,."""
        n = len(text)
        m = _PAREN_UNIT.match(text, j)
        if m is not None:
            u = self._unit(text, m.end())
            if u is not None and u[1].kind == "count":
                return u
        if j < n and text[j] == ")":
            # （含双师型21）人: the parenthesis holds words before the number, so it is
            # not a list marker like (六).
            p = text.rfind("(", max(0, cand.start - 12), cand.start)
            if p >= 0 and cand.start - p >= 2 and ")" not in text[p:cand.start]:
                u = self._unit(text, j + 1)
                if u is not None and u[1].kind == "count":
                    return u
        if found and cand.style == "arabic" and cand.value is not None \
                and cand.value == cand.value.to_integral_value() and cand.value < 1900 \
                and (j >= n or text[j] in _LIST_SEP):
            last = found[-1]
            gap = text[last.end:cand.start]
            if last.kind == "count" and 0 < len(gap) <= 10 and not any(
                    c.isdigit() or c in _SENTENCE_END for c in gap) \
                    and gap[0] in _LIST_SEP:
                d = self.rules.units.get(last.unit) or self.rules.units.get(
                    self.rules.normalize(last.unit))
                if d is not None:
                    return last.unit, d, j
        return None

    def _after_qualifier(self, text: str, cand: _Cand) -> None:
        if cand.approx is None:
            w = self._word_at(text, cand.end, self.after_quals)
            if w:
                cand.approx = self.rules.approx_after[w]

    # -- resolving ------------------------------------------------------------------
    def _resolve(self, text: str, raw: str, cand: _Cand) -> Quantity | Rejected | None:
        rules = self.rules
        # Leading sign, currency sign and qualifier (the qualifier stays out of the span).
        start = cand.start
        if cand.style == "arabic" and start > 0 and text[start - 1] == "-" and (
                start == 1 or not ((text[start - 2].isascii() and text[start - 2].isalnum())
                              or text[start - 2] in ")]")):
            start -= 1
            cand.value = -cand.value if cand.value is not None else None
            if cand.value_max is not None:
                cand.value_max = -cand.value_max
        elif start > 0 and text[start - 1] == "负" and cand.kind != "percent":
            start -= 1
            cand.value = -cand.value if cand.value is not None else None
        for word, currency in self.prefixes:
            if text.startswith(word, start - len(word)) and start - len(word) >= 0:
                cand.currency = currency
                start -= len(word)
                break
        if cand.approx is None:
            w = self._word_before(text, start, self.before_quals)
            if w and not any(text.startswith(ff, start - len(ff)) for ff in rules.false_friends
                             if start - len(ff) >= 0):
                cand.approx = rules.approx_before[w]
        cand.start = start

        # Kind from the unit (or what the builder decided).
        unit_def = cand.unit_def
        kind = cand.kind
        if not kind:
            if unit_def is not None:
                kind = unit_def.kind
            elif cand.currency:
                kind = "money"
        unit_key = cand.unit_word or "-"
        numeral_text = text[cand.num_start:cand.num_end]

        # Context rules: the first that matches decides.
        lo = max(0, cand.start - _WINDOW)
        after_pos = cand.end
        decided: tuple[str, str] | None = None
        for r in rules.context_rules:
            if r.style != "any" and r.style != cand.style:
                continue
            if r.units and unit_key not in r.units:
                continue
            if r.numeral is not None and not r.numeral.fullmatch(numeral_text):
                continue
            if r.before is not None and r.before.search(text, lo, cand.start) is None:
                continue
            if r.after is not None and r.after.match(text, after_pos) is None:
                continue
            decided = ("accept", r.accept) if r.accept else ("reject", r.reason or "other")
            rule_name = r.name
            break
        if decided is not None and decided[0] == "accept":
            kind = decided[1]
            cand.rule = rule_name
            if kind == "rank" and cand.start > 0 and text[cand.start - 1] == "第":
                cand.start -= 1
        elif decided is not None:
            if cand.style == "chinese" and unit_def is None:
                return None
            return Rejected(cand.start, cand.end, decided[1], rule_name)

        if kind.startswith("reject:"):
            return Rejected(cand.start, cand.end, kind.split(":", 1)[1], "unit:" + unit_key)
        if kind == "ratio":
            if not regex.search(r"比[^，。；,;!?]{0,8}$", text[lo:cand.start]):
                return Rejected(cand.start, cand.end, "other", "colon-not-ratio")
        elif not kind:
            if cand.style in ("chinese", "mask"):
                return None  # 一 in 一是, *路小学: not worth a row
            return Rejected(cand.start, cand.end, "bare", "no-unit")

        # The unit as written and the value in base units.
        unit_out = ""
        value, value_max = cand.value, cand.value_max
        if unit_def is not None:
            factor = unit_def.factor
            if factor != 1:
                value = value * factor if value is not None else None
                value_max = value_max * factor if value_max is not None else None
            if unit_def.unit:
                unit_out = unit_def.unit
            elif cand.span_unit:
                ustart = cand.end - len(cand.unit_word)
                unit_out = raw[ustart:cand.end]
            else:
                unit_out = cand.unit_word
        elif cand.unit_raw:
            unit_out = cand.unit_raw
        if kind == "money" and cand.currency and (unit_def is None or unit_def.unit == "元"):
            unit_out = cand.currency
        return Quantity(cand.start, cand.end, kind, value, value_max, unit_out,
                        cand.approx, cand.masked, cand.rule or ("unit:" + unit_key))
