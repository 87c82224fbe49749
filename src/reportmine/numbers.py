"""Numerals → Decimal: Arabic, Chinese, financial capitals and mixed forms.

The grammar is strict: `read_numeral` takes the longest prefix that is a well-formed
numeral and stops at the first token that does not fit, so two numbers glued together
(an amount followed by a section number) never merge into one value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Callable

import regex

# Arabic numbers: thousands groups only when every group has three digits.
_ARABIC = regex.compile(r"\d{1,3}(?:,\d{3})+(?![\d,]\d)(?:\.\d+)?|\d+(?:\.\d+)?")
_MAX_DIGITS = 24  # longer digit runs are codes or IDs, not figures

@dataclass(frozen=True)
class NumeralTable:
    """The numeral characters of patterns/numerals.toml."""

    digits: dict[str, int]
    small_units: dict[str, int]
    big_units: dict[str, int]
    special: dict[str, int]
    points: frozenset[str]
    zeros: frozenset[str]

    @property
    def chars(self) -> str:
        """Every character that can be part of a Chinese numeral."""
        return "".join(
            sorted(set(self.digits) | set(self.small_units) | set(self.big_units)
                   | set(self.special) | self.points | self.zeros)
        )


@dataclass(frozen=True)
class Numeral:
    """A numeral read from text: its value, where it ends, and how it was written."""

    value: Decimal
    end: int
    style: str  # arabic, chinese or mixed
    scale: Decimal  # the trailing unit multiplier (万 in 5万, 1 when none), for ranges

    @property
    def has_scale(self) -> bool:
        return self.scale != 1


def read_numeral(
    text: str,
    pos: int,
    table: NumeralTable,
    stop: Callable[[int], bool] | None = None,
) -> Numeral | None:
    """Read the longest well-formed numeral starting at `text[pos]`.

    `stop(i)` may veto reading a unit character at `i` (千 in 千瓦 is a unit, not a
    numeral). Returns None when no numeral starts at `pos`.
    """
    return _Reader(text, pos, table, stop).run()


class _Reader:
    """A small state machine over numeral tokens; one instance per numeral.

    Tokens: a number (Arabic run or one Chinese digit), a small unit (十百千), a big
    unit (万亿), a zero (零), a decimal point (点 + digits). The value is
    total (closed by big units) + section (below 万) + pending (not yet multiplied).
    """

    def __init__(self, text: str, pos: int, table: NumeralTable,
                 stop: Callable[[int], bool] | None) -> None:
        self.text, self.pos, self.t, self.stop = text, pos, table, stop
        self.total = Decimal(0)
        self.section = Decimal(0)
        self.pending: Decimal | None = None
        self.pending_digit = False     # pending is one Chinese digit (elision applies)
        self.last_small: int | None = None
        self.last_big: int | None = None
        self.elide: int | None = None  # 三万五 → 5 × 1000
        self.after_zero = False
        self.closed = False            # a fraction after 亿 ends the numeral
        self.has_arabic = self.has_chinese = False
        self.scale = Decimal(1)        # units read since the last number
        self.best: Numeral | None = None

    def _value(self) -> Decimal:
        v = self.total + self.section
        if self.pending is not None:
            if self.elide and self.pending_digit and not self.after_zero:
                v += self.pending * self.elide
            else:
                v += self.pending
        return v

    def _mark(self, end: int) -> None:
        style = "mixed" if self.has_arabic and self.has_chinese else (
            "arabic" if self.has_arabic else "chinese")
        self.best = Numeral(self._value(), end, style, self.scale)

    def _number(self, value: Decimal, digit: bool) -> None:
        self.pending, self.pending_digit = value, digit
        self.scale = Decimal(1)

    def run(self) -> Numeral | None:
        text, t = self.text, self.t
        i, n = self.pos, len(text)
        while i < n and not self.closed:
            ch = text[i]
            if "0" <= ch <= "9":
                m = _ARABIC.match(text, i)
                assert m is not None
                raw = m.group().replace(",", "")
                if len(raw.split(".")[0]) > _MAX_DIGITS:
                    return None
                if self.pending is not None:
                    break
                self._number(Decimal(raw), False)
                self.has_arabic = True
                i = m.end()
            elif ch in t.digits:
                if self.pending is not None:
                    # Digits in a row with no unit: only 二〇二三-style numerals.
                    if self.section or self.total or not self.pending_digit:
                        break
                    return self._digit_run() or self.best
                if ch in t.zeros and (self.section or self.total):
                    self.after_zero = True  # 三万零五
                    i += 1
                    continue
                self._number(Decimal(t.digits[ch]), True)
                self.has_chinese = True
                i += 1
            elif ch in t.special:
                # 廿 and 卅 are a tens value: 廿一 is 21.
                if self.pending is not None or self.section:
                    break
                self.section = Decimal(t.special[ch])
                self.last_small, self.elide = 10, None
                self.has_chinese = True
                i += 1
            elif ch in t.points:
                j = i + 1
                while j < n and text[j] in t.digits:
                    j += 1
                if j == i + 1:
                    break
                frac = "".join(str(t.digits[c]) for c in text[i + 1:j])
                if self.pending is not None and self.pending == int(self.pending):
                    self._number(Decimal(f"{int(self.pending)}.{frac}"), False)
                elif self.pending is None and self.last_big and not self.section:
                    # 四百亿点零五: the fraction belongs to the whole number.
                    self.total += Decimal(f"0.{frac}")
                    self.closed = True
                else:
                    break
                self.has_chinese = True
                i = j
            elif ch in t.small_units:
                if self.stop is not None and self.stop(i):
                    break
                u = t.small_units[ch]
                if self.last_small is not None and u >= self.last_small:
                    break
                if self.pending is None:
                    # 十 alone is ten (十五, 三万零十); 百 and 千 need a digit.
                    if u != 10 or (self.section and not self.after_zero):
                        break
                    self._number(Decimal(1), False)
                self.section += self.pending * u
                self.pending = None
                self.last_small = u
                self.elide = u // 10 if u > 10 else None
                self.after_zero = False
                self.has_chinese = True
                self.scale *= u
                i += 1
            elif ch in t.big_units:
                if self.stop is not None and self.stop(i):
                    break
                u = t.big_units[ch]
                value = self.section + (self.pending if self.pending is not None else 0)
                if self.last_big is None or u > self.last_big:
                    if value == 0 and not self.total:
                        break
                    self.total = (self.total + value) * u
                elif u == self.last_big or value == 0:
                    break
                else:
                    self.total += value * u
                self.section = Decimal(0)
                self.pending = None
                self.last_small = None
                self.last_big = u
                self.elide = u // 10
                self.after_zero = False
                self.has_chinese = True
                self.scale *= u
                i += 1
            else:
                break
            self._mark(i)
        return self.best

    def _digit_run(self) -> Numeral | None:
        """二〇二三, 一九七五: digits read one by one (three or more, or with a zero)."""
        text, t = self.text, self.t
        j = self.pos
        while j < len(text) and text[j] in t.digits:
            j += 1
        run = text[self.pos:j]
        if len(run) < 3 and not any(c in t.zeros for c in run):
            return None
        value = Decimal("".join(str(t.digits[c]) for c in run))
        return Numeral(value, j, "chinese", Decimal(1))


def parse_number(text: str, table: NumeralTable | None = None) -> Decimal | None:
    """The value of one numeral expression (三百二十, 1.2万, 壹拾壹, 42,890, -19.4).

    Returns None unless the whole (stripped) text is one well-formed numeral.
    """
    if table is None:
        from .rules import default_rules

        rules = default_rules()
        table = rules.numerals
        text = rules.normalize(text)
    s = text.strip()
    sign = Decimal(1)
    if s[:1] in ("-", "负", "−"):
        sign, s = Decimal(-1), s[1:].lstrip()
    if not s:
        return None
    num = read_numeral(s, 0, table)
    if num is None or num.end != len(s):
        return None
    try:
        return sign * num.value
    except InvalidOperation:  # pragma: no cover - Decimal context overflow
        return None


def canonical(value: Decimal | None) -> str:
    """A Decimal written plainly: no exponent, no trailing zeros (1725000, 0.274)."""
    if value is None:
        return ""
    # format(…, "f") is exact at any size; quantize() and normalize() round to the
    # context's 28 digits, and quantize() raises past it (一二三…, 30 digits, 个).
    s = format(value, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s
