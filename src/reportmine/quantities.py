"""Quantities: find numeral candidates in the cleaned view, then resolve or reject each.

A candidate is a numeral (or a mask such as * or ……) with what surrounds it: a sign,
a currency sign, a qualifier, a range, a unit and its smaller units. The unit decides
the kind; the context rules of patterns/rejections.toml then reject the candidate (a
date, an ordinal, a slogan) or change its kind (a rank, a duration). Everything works
on the normalised view text, so offsets here are view offsets; the pipeline maps them
back to the original.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, NamedTuple

import regex

from .numbers import ONE, Numeral, read_numeral
from .regexes import compile_pattern
from .rules import CompiledContextRule, Rules, UnitDef

_WINDOW = 16           # characters of left context the rules see
_MAX_DIGITS = 24
_FRACTION_PLACES = Decimal("0.000001")
_HALF = Decimal("0.5")
_RANGE = compile_pattern(r" ?(?:\(含\))? ?(?:—{1,2}|-{1,2}|~|至|到|―) ?")
_RANGE_FIRST = frozenset(" (—-~至到―")  # where a _RANGE match can start
# 百分之五, 千分之三, 百万分之五, 百分百: a share whose denominator is written in units.
_PCT_WORD = compile_pattern(r"[百千万亿佰仟]+分之|百分百")
_PCT_FIRST = frozenset("百千万亿佰仟")
_MASK = compile_pattern(r"\*+|…{2,}|\.{3,}|(?<![A-Za-z])[Xx]{1,3}(?![A-Za-z])|×{1,3}")
_NUMRUN = compile_pattern(r"[0-9][0-9,.]*")
_PAREN_UNIT = compile_pattern(r" ?\([^()\n]{1,15}\) ?")
_PAREN_FIRST = frozenset(" (")
_UNIT_SPACE = compile_pattern(r"[ \t]{1,4}")
_LIST_SEP = frozenset(",，、;；。")
_SENTENCE_END = frozenset("。！？!?\n")
_RATIO_CONTEXT = compile_pattern(r"(?:比|结构)[^，。；,;!?]{0,8}$")
_NO_UNIT = frozenset({"-"})
_LEAD = compile_pattern(r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖]")


class WordList:
    """A word list matched at a position or just before it, longest word first."""

    __slots__ = ("_at", "_before", "_longest", "_firsts", "_lasts")

    def __init__(self, words: Iterable[str]) -> None:
        ordered = sorted(set(words), key=len, reverse=True)
        alt = "|".join(regex.escape(w) for w in ordered) or "(?!)"
        self._at = compile_pattern(f"(?:{alt})")
        self._before = compile_pattern(f"(?:{alt})$")
        self._longest = len(ordered[0]) if ordered else 0
        # Most positions hold no word: one set look-up settles them.
        self._firsts = frozenset(w[0] for w in ordered if w)
        self._lasts = frozenset(w[-1] for w in ordered if w)

    def at(self, text: str, j: int, end: int | None = None) -> str:
        """The longest word that starts at j (and ends by `end`), or ""."""
        end = len(text) if end is None else end
        if j >= end or text[j] not in self._firsts:
            return ""
        m = self._at.match(text, j, end)
        return m.group() if m else ""

    def before(self, text: str, i: int, floor: int = 0) -> str:
        """The longest word that ends at i (and starts at floor or after), or ""."""
        if i <= floor or i > len(text) or text[i - 1] not in self._lasts:
            return ""
        m = self._before.search(text, max(floor, i - self._longest), i)
        return m.group() if m else ""


class Quantity(NamedTuple):
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


class Rejected(NamedTuple):
    """A candidate that is not a quantity, in view offsets, with the reason."""

    start: int
    end: int
    reason: str
    rule: str


@dataclass(slots=True)
class _Cand:
    """A candidate under construction."""

    start: int
    num_start: int
    num_end: int
    end: int
    value: Decimal | None
    value_max: Decimal | None = None
    unit_word: str = ""        # the unit as matched in the normalised text ("" = none)
    unit_start: int = -1       # where the unit stands in the text (-1: not in the span)
    unit_def: UnitDef | None = None
    approx: str | None = None
    masked: bool = False
    style: str = "arabic"      # arabic, chinese or mask
    currency: str = ""
    prefix_unit: str = ""      # 摄氏37度 → ℃
    kind: str = ""             # set by the builder for fractions, ratios, percent words
    unit_out: str = ""         # set by the builder where no unit word decides it
    per: tuple[int, int] | None = None  # 27克/千克, 5000元/吨: the "per" part of the unit
    first_end: int = -1        # where the first numeral of a range ends
    rule: str = ""


class Extractor:
    """Finds and resolves quantities in a view's text. One per document script."""

    def __init__(self, rules: Rules, script: str = "simplified") -> None:
        self.rules = rules
        t = rules.numerals
        self.table = t
        self.big_units = t.big_units
        self.scale_chars = {**t.small_units, **t.big_units}
        cls = regex.escape(t.chars)
        self.start_re = compile_pattern(rf"[0-9{cls}半]|\*|…|\.\.\.|[Xx×]")
        self.prefixes = {w: cur for w, cur, sc in rules.currency_prefixes
                         if sc is None or sc == script}
        self.prefix_words = WordList(self.prefixes)
        self.before_quals = WordList(rules.approx_before)
        self.inside_quals = WordList(rules.approx_inside)
        self.after_quals = WordList(rules.approx_after)
        self.negatives = WordList(rules.negative_prefixes)
        self.false_friends = WordList(rules.false_friends)
        self.unit_prefix_words = WordList(w for w, _, _ in rules.unit_prefixes)
        self.unit_prefixes = {w: (kind, unit) for w, kind, unit in rules.unit_prefixes}
        self._initial = rules.numeral_initial_units
        self._rules_for: dict[tuple[str, str, str, bool], list[CompiledContextRule]] = {}
        # The lengths of the units that start with a character, longest first.
        lengths: dict[str, set[int]] = {}
        for word in rules.units:
            lengths.setdefault(word[0], set()).add(len(word))
        self._unit_lengths = {c: sorted(ls, reverse=True) for c, ls in lengths.items()}

    # -- reading pieces -----------------------------------------------------------
    def _numeral(self, text: str, i: int) -> Numeral | None:
        initial = self._initial
        stop = (lambda k: initial.match(text, k) is not None) if initial else None
        return read_numeral(text, i, self.table, stop)

    def _unit(self, text: str, j: int) -> tuple[str, UnitDef, int, int] | None:
        """The longest unit at `text[j]` (a few spaces may stand before it):
        (word, definition, start, end)."""
        n = len(text)
        if j < n and text[j] in " \t":
            m = _UNIT_SPACE.match(text, j)
            if m is not None and m.end() < n:
                j = m.end()
        if j >= n:
            return None
        units = self.rules.units
        for length in self._unit_lengths.get(text[j], ()):
            if length > n - j:
                continue
            word = text[j:j + length]
            d = units.get(word)
            if d is None:
                continue
            end = j + length
            if d.not_before and text.startswith(d.not_before, end):
                continue
            if word.isascii() and word[-1].isalpha() and end < n and text[end].isascii() \
                    and text[end].isalpha():
                continue  # 5min is not 5 m
            return word, d, j, end
        return None

    # -- the scan -----------------------------------------------------------------
    def extract(self, text: str, raw: str, markers: dict[int, int] | None = None
                ) -> tuple[list[Quantity], list[Rejected]]:
        """Quantities and rejected candidates of a view's text. `markers` are the
        heading markers (view start → end): never a quantity, always a boundary."""
        markers = markers or {}
        found: list[Quantity] = []
        rejected: list[Rejected] = []
        pos, n = 0, len(text)
        floor = 0  # qualifiers and signs never reach back into the previous quantity
        while pos < n:
            m = self.start_re.search(text, pos)
            if m is None:
                break
            i = m.start()
            if i in markers:
                if any(c.isdigit() for c in text[i:markers[i]]):
                    rejected.append(Rejected(i, markers[i], "section", "heading-marker"))
                pos = markers[i]
                continue
            ch = text[i]
            cand: _Cand | None
            if ch in "*….Xx×":
                cand, nxt = self._mask(text, i)
            elif ch in _PCT_FIRST and _PCT_WORD.match(text, i):
                cand, nxt = self._percent_prefix(text, i)
            elif ch == "半":
                cand, nxt = self._half(text, i)
            else:
                if "0" <= ch <= "9":
                    if i > 0 and text[i - 1].isascii() and text[i - 1].isalpha():
                        run = _NUMRUN.match(text, i)
                        assert run is not None
                        rejected.append(Rejected(i, run.end(), "code", "letter-joined"))
                        pos = run.end()
                        continue
                    run = _NUMRUN.match(text, i)
                    assert run is not None
                    digits = run.group()
                    if len(digits) - digits.count(",") - digits.count(".") > _MAX_DIGITS:
                        rejected.append(Rejected(i, run.end(), "code", "overlong-digits"))
                        pos = run.end()
                        continue
                cand, nxt = self._numeral_cand(text, i, found)
            if cand is None:
                pos = max(nxt, i + 1)
                continue
            result = self._resolve(text, raw, cand, floor)
            if isinstance(result, Quantity):
                found.append(result)
                pos = max(result.end, i + 1)
                floor = result.end
            else:
                if result is not None:
                    rejected.append(result)
                pos = max(cand.num_end, i + 1)
        return self._share_units(text, found), rejected

    @staticmethod
    def _share_units(text: str, found: list[Quantity]) -> list[Quantity]:
        """1.28万亿、1.18万亿、8200亿元: numbers listed before one unit take that unit."""
        out = list(found)
        for k in range(len(out) - 2, -1, -1):
            q, nxt = out[k], out[k + 1]
            if q.rule != "scaled-number" or nxt.kind not in ("money", "count", "measure"):
                continue
            gap = text[q.end:nxt.start]
            if gap in ("、", "，", ",", "和", "及", "与") and nxt.value_max is None:
                out[k] = Quantity(q.start, q.end, nxt.kind, q.value, q.value_max,
                                  nxt.unit if nxt.kind == "money" else nxt.unit, q.approx,
                                  q.masked, "shared-unit")
        return out

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
        if text.startswith("百分百", i) or (text.startswith("百分之百", i) and not (
                i + 4 < len(text) and (text[i + 4] in self.table.digits
                                       or text[i + 4] in self.scale_chars))):
            end = i + (3 if text.startswith("百分百", i) else 4)
            cand = _Cand(i, i, end, end, Decimal(100), style="chinese", kind="percent",
                         unit_out="%", rule="percent-word")
            self._after_qualifier(text, cand)
            return cand, end
        m = _PCT_WORD.match(text, i)
        assert m is not None
        den = Decimal(1)
        for c in m.group()[:-2]:
            den *= self.scale_chars.get(c, 1)
        factor = Decimal(100) / den
        k = m.end()
        sign = Decimal(1)
        for neg in self.rules.negative_prefixes:
            if text.startswith(neg, k):
                sign, k = Decimal(-1), k + len(neg)
                break
        num = self._numeral(text, k)
        if num is None:
            return None, k
        cand = _Cand(i, k, num.end, num.end, sign * num.value * factor,
                     style="arabic" if num.style != "chinese" else "chinese",
                     kind="percent", unit_out="%", rule="percent-word")
        self._after_qualifier(text, cand)
        return cand, num.end

    def _half(self, text: str, i: int) -> tuple[_Cand | None, int]:
        """半斤, 半小时, 半成: one half of a measure, money or share (never a count)."""
        cand = _Cand(i, i, i + 1, i + 1, _HALF, style="chinese")
        done = self._finish(text, cand, i + 1, allow_range=False)
        if done is None or done.unit_def is None or done.unit_def.kind not in (
                "measure", "money", "percent"):
            return None, i + 1
        return done, i + 1

    def _numeral_cand(self, text: str, i: int, found: list[Quantity],
                      allow_range: bool = True) -> tuple[_Cand | None, int]:
        num = self._numeral(text, i)
        if num is None:
            return None, i + 1
        style = "chinese" if num.style == "chinese" else "arabic"
        cand = _Cand(i, i, num.end, num.end, num.value, style=style)
        j = num.end
        n = len(text)
        t = self.table
        # 三五百, 四五千, 八九亿, 十五六个: two neighbouring digits are a range;
        # 三八折: before 折 they are one number.
        if style == "chinese" and j < n and text[j] in t.digits and text[j - 1] in t.digits:
            d1, d2 = t.digits[text[j - 1]], t.digits[text[j]]
            if text.startswith("折", j + 1) and num.end - i == 1:
                cand.value = Decimal(d1 * 10 + d2)
                j = cand.num_end = j + 1
            elif 1 <= d2 - d1 <= 2:
                second = self._numeral(text, j)
                if second is not None and num.end - i == 1:
                    cand.value, cand.value_max = d1 * (second.value / d2), second.value
                    j = cand.num_end = second.end
                elif second is not None and second.end == j + 1:
                    cand.value_max = num.value - d1 + d2
                    j = cand.num_end = second.end
        # 14.17 億元: a space between the number and its scale.
        if j + 1 < n and text[j] == " " and text[j + 1] in self.big_units:
            k = j + 1
            while k < n and text[k] in self.big_units:
                cand.value = (cand.value or Decimal(0)) * self.big_units[text[k]]
                k += 1
            j = cand.num_end = k
        # 两个亿: 个 between a number and its scale.
        if text.startswith("个亿", j) and cand.value is not None:
            cand.value *= self.big_units.get("亿", 1)
            j = cand.num_end = j + 2
        # X分之Y: a fraction, read as a percent (四分之一 → 25 %); 又 joins a whole part.
        if text.startswith("分之", j) or (
                style == "chinese" and j + 1 < n and text[j] == "分" and text[j + 1] in t.digits):
            k = j + 2 if text.startswith("分之", j) else j + 1
            den = cand.value
            numer = self._numeral(text, k)
            if numer is not None and den:
                frac = numer.value / den
                u = self._unit(text, numer.end)
                if u is not None and u[1].kind in ("measure", "money"):
                    # 四分之一公升: a fraction of a unit, not a share.
                    cand.value = frac.quantize(_FRACTION_PLACES).normalize()
                    cand.num_end = numer.end
                    return self._finish(text, cand, numer.end, allow_range=False), numer.end
                cand.value = (frac * 100).quantize(_FRACTION_PLACES).normalize()
                cand.num_end = cand.end = numer.end
                cand.kind, cand.unit_out, cand.rule = "percent", "%", "fraction"
                self._after_qualifier(text, cand)
                return cand, numer.end
        # 1/4, 1/3 in running text: a fraction, read as a percent like 四分之一.
        if style == "arabic" and j + 1 < n and text[j] == "/" and text[j + 1].isdigit() \
                and (i == 0 or text[i - 1] != "/"):
            den_num = self._numeral(text, j + 1)
            if den_num is not None and cand.value is not None \
                    and cand.value == cand.value.to_integral_value() \
                    and den_num.value == den_num.value.to_integral_value() \
                    and 0 < cand.value < den_num.value <= 1000 \
                    and not (den_num.end < n and text[den_num.end] in "/.-"):
                cand.value = (cand.value / den_num.value * 100).quantize(
                    _FRACTION_PLACES).normalize()
                cand.num_end = cand.end = den_num.end
                cand.kind, cand.unit_out, cand.rule = "percent", "%", "fraction"
                return cand, den_num.end
        # 36:1, 8.7∶41.2∶50.1 — a ratio (kept only where the clause speaks of a 比 or
        # a 结构); the value is its first term.
        k = j
        while k + 1 < n and text[k] == ":" and "0" <= text[k + 1] <= "9":
            term = self._numeral(text, k + 1)
            if term is None:
                break
            k = term.end
        if k > j:
            cand.end = cand.num_end = k
            cand.kind, cand.rule = "ratio", "ratio"
            return cand, k
        return self._finish(text, cand, j, allow_range=allow_range, found=found), num.end

    def _range_low(self, text: str, cand: _Cand, second: Numeral, second_start: int) -> Decimal:
        """The lower end of a range, with the scale the text leaves out: 两到三万 → 2万,
        十八至三十万 → 18万, 一千到两千万 → 1000万."""
        assert cand.value is not None
        first = text[cand.num_start:cand.num_end]
        second_text = text[second_start:second.end]
        if not any(c in self.scale_chars for c in first):
            # The first number takes the units that follow the second's leading number.
            m = _LEAD.match(second_text)
            if m is not None and m.end() < len(second_text) and all(
                    c in self.scale_chars for c in second_text[m.end():]):
                lead = Decimal(m.group()) if m.group()[0].isdigit() \
                    else Decimal(self.table.digits[m.group()])
                scaled = cand.value * (second.value / lead) if lead else cand.value
                # 从8500到3万: a first number already as large as the second keeps its value.
                return scaled if scaled < second.value else cand.value
            return cand.value
        if not any(c in self.big_units for c in first) and second.has_scale:
            return cand.value * second.scale
        return cand.value

    def _finish(self, text: str, cand: _Cand, j: int, allow_range: bool,
                found: list[Quantity] | None = None) -> _Cand | None:
        """Range, inner qualifier, unit, smaller units and trailing qualifier."""
        n = len(text)
        if allow_range and cand.value_max is None:
            m = _RANGE.match(text, j) if j < n and text[j] in _RANGE_FIRST else None
            if m is not None and m.end() < n:
                second = self._numeral(text, m.end())
                if second is not None and cand.value is not None:
                    low = self._range_low(text, cand, second, m.end())
                    if second.value > low:
                        cand.value, cand.value_max = low, second.value
                        cand.first_end = cand.num_end
                        j = cand.num_end = second.end
        inside = self.inside_quals.at(text, j)
        if inside:
            cand.approx = self.rules.approx_inside[inside]
            j += len(inside)
            # 3千余万元: a scale may follow the qualifier.
            while j < n and text[j] in self.big_units and cand.value is not None:
                cand.value *= self.big_units[text[j]]
                j += 1
        # 一个半小时, 两个半月: 个半 before a measure is one half more.
        if text.startswith("个半", j) and cand.value is not None:
            u = self._unit(text, j + 2)
            if u is not None and u[1].kind == "measure":
                cand.value += _HALF
                j += 2
            elif text.startswith("个半月", j):
                cand.value += _HALF
                j += 1
        unit = self._unit(text, j)
        span_unit = True
        if unit is None and cand.value is not None and found is not None:
            unit = self._borrowed_unit(text, cand, j, found)
            span_unit = unit is None
        if unit is None:
            if inside:  # 3000多 with no unit: leave the qualifier out of the span
                cand.approx = None
            cand.end = cand.num_end
            return cand
        word, d, ustart, uend = unit
        cand.unit_word, cand.unit_def = word, d
        if not span_unit:
            cand.end = cand.num_end
            self._after_qualifier(text, cand)
            return cand
        cand.unit_start, cand.end = ustart, uend
        if cand.value_max is None:
            self._compound(text, cand)
        # 300元至500元, 兩升到三升, 五元六角-五元七毛八分: a range with the unit twice.
        if allow_range and cand.value_max is None and cand.value is not None:
            m = _RANGE.match(text, cand.end) \
                if cand.end < n and text[cand.end] in _RANGE_FIRST else None
            if m is not None and m.end() < n and (text[m.end()].isdigit()
                                                  or text[m.end()] in self.table.digits):
                other, _ = self._numeral_cand(text, m.end(), [], allow_range=False)
                if other is not None and other.value is not None \
                        and other.unit_def is not None and other.unit_def.kind == d.kind \
                        and other.unit_def.unit == d.unit and other.value > cand.value:
                    cand.value_max = other.value
                    cand.end = other.end
                    return cand
        # 27克/千克, 5000元/吨: a rate per another unit.
        if cand.end + 1 < n and text[cand.end] == "/":
            per = self._unit(text, cand.end + 1)
            if per is not None and per[2] == cand.end + 1 and per[1].kind != "reject:ordinal":
                cand.per = (cand.end, per[3])
                cand.end = per[3]
        # 三斤半, 三成半: one half more.
        if cand.end < n and text[cand.end] == "半" and cand.value is not None \
                and d.kind in ("measure", "money", "percent") \
                and not text.startswith(self.rules.half_not_before, cand.end + 1):
            if cand.value_max is not None:
                cand.value_max += _HALF  # 三到五岁半
            else:
                cand.value += _HALF
            cand.end += 1
        self._after_qualifier(text, cand)
        return cand

    def _compound(self, text: str, cand: _Cand) -> None:
        """Smaller units after the unit: 123元1角1分, 九块九毛九, 两毛五, 三米九."""
        word, value = cand.unit_word, cand.value
        if value is None or word not in self.rules.compounds:
            return
        rel = ONE   # the current unit, relative to the first one
        pos = cand.end
        grew = False
        while True:
            comp = self.rules.compounds.get(word)
            if comp is None:
                break
            advanced = False
            for part in comp.parts:
                # 两美元又三美分, 壹元零壹分: 又 or 零 may stand before the smaller unit.
                k = pos + (1 if pos < len(text) and (text[pos] in self.table.zeros
                                                     or text[pos] == "又") else 0)
                num = self._numeral(text, k)
                if num is None or num.value != num.value.to_integral_value() or num.value >= 10:
                    continue
                pw = next((w for w in part.words if text.startswith(w, num.end)), "")
                if not pw:
                    continue
                rel *= part.factor
                value += num.value * rel
                pos, word, advanced, grew = num.end + len(pw), pw, True, True
                if comp.kind:
                    cand.kind, cand.unit_out = comp.kind, comp.unit
                break
            if advanced:
                continue
            # 三块四, 两毛五, 三米九: a bare digit is the next smaller unit (三块零四: two
            # units smaller).
            k, step = pos, comp.elided
            if step is not None and k < len(text) and text[k] in self.table.zeros:
                k, step = k + 1, step * step
            if step is not None and k < len(text) and text[k] in self.table.digits \
                    and text[k] not in self.table.zeros:
                nxt = text[k + 1:k + 2]
                if not nxt or not (nxt in self.table.digits or nxt in self.scale_chars
                                   or self._unit(text, k + 1) is not None):
                    value += self.table.digits[text[k]] * rel * step
                    pos = k + 1
                    grew = True
                    if comp.kind:
                        cand.kind, cand.unit_out = comp.kind, comp.unit
            break
        if grew:
            cand.value, cand.end = value, pos

    def _borrowed_unit(self, text: str, cand: _Cand, j: int,
                       found: list[Quantity]) -> tuple[str, UnitDef, int, int] | None:
        """A bare number whose unit stands elsewhere: 41（含双师型21）人, 未入学4,."""
        n = len(text)
        m = _PAREN_UNIT.match(text, j) if j < n and text[j] in _PAREN_FIRST else None
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
                    return last.unit, d, j, j
        return None

    def _after_qualifier(self, text: str, cand: _Cand) -> None:
        if cand.approx is None:
            w = self.after_quals.at(text, cand.end)
            if w:
                cand.approx = self.rules.approx_after[w]

    # -- resolving ------------------------------------------------------------------
    def _prefixes(self, text: str, cand: _Cand, floor: int) -> None:
        """Sign, unit word, currency sign and qualifier before the number."""
        rules = self.rules
        start = cand.start

        def negate() -> None:
            cand.value = -cand.value if cand.value is not None else None
            if cand.value_max is not None:
                cand.value_max = -cand.value_max

        if cand.style == "arabic" and start - 1 >= floor and text[start - 1] == "-" and (
                start == 1 or not ((text[start - 2].isascii() and text[start - 2].isalnum())
                                   or text[start - 2] in ")]")):
            start -= 1
            negate()
        else:
            neg = self.negatives.before(text, start, floor)
            if neg:
                start -= len(neg)
                negate()
        word = self.unit_prefix_words.before(text, start, floor)
        if word:
            kind, unit = self.unit_prefixes[word]
            # 摄氏 needs a unit of its kind after the number (37度, 37°).
            if cand.unit_def is not None and cand.unit_def.kind == kind:
                start -= len(word)
                cand.prefix_unit, cand.kind = unit, kind
                neg = self.negatives.before(text, start, floor)
                if neg and cand.value is not None and cand.value > 0:
                    start -= len(neg)
                    negate()
        word = self.prefix_words.before(text, start, floor)
        if word:
            cand.currency = self.prefixes[word]
            start -= len(word)
        if cand.approx is None:
            w = self.before_quals.before(text, start, floor)
            if w and not self.false_friends.before(text, start, floor):
                cand.approx = rules.approx_before[w]
        cand.start = start

    def _rules(self, unit_key: str, style: str, kind: str,
               accepting: bool = False) -> list[CompiledContextRule]:
        """The context rules that can apply to a unit, numeral style and kind, in order
        (only those that accept, with `accepting`); what is left to try is the text."""
        key = (unit_key, style, kind, accepting)
        out = self._rules_for.get(key)
        if out is None:
            out = [r for r in self.rules.context_rules
                   if (r.style == "any" or r.style == style)
                   and (not r.units or unit_key in r.units)
                   # a kind for unit-less numbers never overrides $688億
                   and not (r.accept and kind and r.units == _NO_UNIT)
                   and not (r.kinds and kind not in r.kinds)
                   and (r.accept or not accepting)]
            self._rules_for[key] = out
        return out

    @staticmethod
    def _first_rule(rules: list[CompiledContextRule], text: str, cand: _Cand,
                    numeral_text: str, lo: int) -> CompiledContextRule | None:
        """The first rule whose numeral, before and after patterns all match."""
        start, end = cand.start, cand.end
        for r in rules:
            if r.numeral is not None and r.numeral.fullmatch(numeral_text) is None:
                continue
            if r.before is not None and r.before.search(text, lo, start) is None:
                continue
            if r.after is not None and r.after.match(text, end) is None:
                continue
            return r
        return None

    def _resolve(self, text: str, raw: str, cand: _Cand,
                 floor: int) -> Quantity | Rejected | None:
        self._prefixes(text, cand, floor)

        # Kind from the unit (or what the builder decided).
        unit_def = cand.unit_def
        kind = cand.kind
        if not kind:
            if unit_def is not None:
                kind = unit_def.kind
            elif cand.currency:
                kind = "money"
        # "-" stands for no unit; a share or ratio the builder made has its own key.
        unit_key = cand.unit_word or ("-" if not cand.kind else cand.unit_out or cand.kind)
        # Rules read the first numeral of a range (56 in 56至203日).
        numeral_text = text[cand.num_start:cand.first_end if cand.first_end > 0 else cand.num_end]

        # Context rules: the first that matches decides.
        lo = max(0, cand.start - _WINDOW)
        if not kind and unit_def is None and cand.style != "arabic":
            # 一 in 统一, *路: a Chinese numeral or a mask with nothing to say what it
            # counts is dropped, unless a rule accepts it; most candidates end here, so
            # only the accepting rules are tried before the full pass.
            if self._first_rule(self._rules(unit_key, cand.style, kind, accepting=True),
                                text, cand, numeral_text, lo) is None:
                return None
        decided: tuple[str, str] | None = None
        rule_name = ""
        r = self._first_rule(self._rules(unit_key, cand.style, kind), text, cand,
                             numeral_text, lo)
        if r is not None:
            decided = ("accept", r.accept) if r.accept else ("reject", r.reason or "other")
            rule_name = r.name
        if decided is not None and decided[0] == "accept":
            kind = decided[1]
            cand.rule = rule_name
            if kind == "rank" and cand.start > 0 and text[cand.start - 1] == "第":
                cand.start -= 1
        elif decided is not None:
            if cand.style in ("chinese", "mask") and unit_def is None:
                return None
            return Rejected(cand.start, cand.end, decided[1], rule_name)

        if kind.startswith("reject:"):
            return Rejected(cand.start, cand.end, kind.split(":", 1)[1], "unit:" + unit_key)
        if kind == "ratio":
            if not _RATIO_CONTEXT.search(text, lo, cand.start):
                return Rejected(cand.start, cand.end, "other", "colon-not-ratio")
        elif not kind:
            if cand.style in ("chinese", "mask"):
                return None  # 一 in 一是, *路小学: not worth a row
            return Rejected(cand.start, cand.end, "bare", "no-unit")

        # The unit as written and the value in base units.
        unit_out = cand.unit_out
        value, value_max = cand.value, cand.value_max
        if unit_def is not None and not cand.unit_out:
            factor = unit_def.factor
            if unit_def.factor_below is not None and value is not None \
                    and value >= unit_def.factor_below:
                factor = Decimal(1)
            if factor != 1:
                value = value * factor if value is not None else None
                value_max = value_max * factor if value_max is not None else None
            if unit_def.unit:
                unit_out = unit_def.unit
            elif cand.unit_start >= 0:
                unit_out = raw[cand.unit_start:cand.unit_start + len(cand.unit_word)]
            else:
                unit_out = cand.unit_word
        if cand.prefix_unit:
            unit_out = cand.prefix_unit
        if kind == "money" and cand.currency and (unit_def is None or unit_def.unit == "元"):
            unit_out = cand.currency
        if cand.per is not None:
            unit_out += raw[cand.per[0]:cand.per[1]]
        return Quantity(cand.start, cand.end, kind, value, value_max, unit_out,
                        cand.approx, cand.masked, cand.rule or ("unit:" + unit_key))
