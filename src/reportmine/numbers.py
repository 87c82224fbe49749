"""Numerals → Decimal: Arabic, Chinese, financial capitals, mixed forms and fractions.

The grammar is strict: `read_numeral` takes the longest prefix that is a well-formed
numeral and stops at the first token that does not fit, so two numbers glued together
(an amount followed by a section number) never merge into one value. `parse_number`
reads one whole expression and is more forgiving (spaces between tokens, 百三, 一一),
since its caller has already cut the expression out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from typing import Callable, NamedTuple

import regex

from .regexes import compile_pattern

# Arabic numbers: thousands groups only when every group has three digits.
_ARABIC = compile_pattern(r"\d{1,3}(?:,\d{3})+(?![\d,]\d)(?:\.\d+)?|\d+(?:\.\d+)?")
_ASCII_DIGITS = compile_pattern(r"\d+")
_MAX_DIGITS = 24       # longer digit runs are codes or IDs, not figures
_MAX_DIGIT_RUN = 32    # 二〇二三-style numerals longer than this are not read
_FRACTION_PLACES = 12  # decimal places kept for a fraction such as 三分之一
_NOT_FRACTION_DIGITS = frozenset("两俩")  # 两百点两 is two numbers, never 200.2
ONE = Decimal(1)


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
        return "".join(sorted(self.char_set))

    @functools.cached_property
    def digit_values(self) -> dict[str, Decimal]:
        return {c: Decimal(v) for c, v in self.digits.items()}

    @functools.cached_property
    def char_set(self) -> frozenset[str]:
        return frozenset(set(self.digits) | set(self.small_units) | set(self.big_units)
                         | set(self.special) | self.points | self.zeros)


class Numeral(NamedTuple):
    """A numeral read from text: its value, where it ends, and how it was written."""

    value: Decimal
    end: int
    style: str      # arabic, chinese or mixed
    scale: Decimal  # the trailing 万/亿 (万 in 3千万), 1 when none: for ranges

    @property
    def has_scale(self) -> bool:
        return self.scale != 1


def read_numeral(
    text: str,
    pos: int,
    table: NumeralTable,
    stop: Callable[[int], bool] | None = None,
    lenient: bool = False,
) -> Numeral | None:
    """Read the longest well-formed numeral starting at `text[pos]`.

    `stop(i)` may veto reading a unit character at `i` (千 in 千瓦 is a unit, not a
    numeral). `lenient` also accepts a leading unit (百三 = 130) and two-digit runs
    (一一 = 11), which running text would misread. None when no numeral starts here.
    """
    n = len(text)
    if pos < n and text[pos] in table.digits and (pos + 1 >= n or text[pos + 1] not in
                                                  table.char_set):
        # One Chinese digit with nothing numeral after it (一 in 统一): the same again.
        return Numeral(table.digit_values[text[pos]], pos + 1, "chinese", ONE)
    if pos < n and "0" <= text[pos] <= "9":
        # Most numerals are a run of Arabic digits with no numeral character after it
        # (12所, 2023年): what the state machine would read, without it.
        m = _ARABIC.match(text, pos)
        assert m is not None
        end = m.end()
        if end >= n or text[end] not in table.char_set:
            raw = m.group().replace(",", "")
            if len(raw.partition(".")[0]) > _MAX_DIGITS:
                return None
            return Numeral(Decimal(raw), end, "arabic", ONE)
    return _Reader(text, pos, table, stop, lenient).run()


class _Reader:
    """A small state machine over numeral tokens; one instance per numeral.

    Tokens: a number (an Arabic run or one Chinese digit), a small unit (十百千), a big
    unit (万亿兆), a zero (零), a decimal point (点 + digits). The value is
    total (closed by big units) + section (below 万) + pending (not yet multiplied).
    """

    def __init__(self, text: str, pos: int, table: NumeralTable,
                 stop: Callable[[int], bool] | None, lenient: bool) -> None:
        self.text, self.pos, self.t, self.stop, self.lenient = text, pos, table, stop, lenient
        self.total = Decimal(0)
        self.section = Decimal(0)
        self.pending: Decimal | None = None
        self.pending_digit = False     # pending is one Chinese digit (elision applies)
        self.last_small: int | None = None
        self.last_big: int | None = None
        self.elide: int | None = None  # 三万五 → 5 × 1000
        self.after_zero = False
        self.closed = False            # a fraction after a unit ends the numeral
        self.has_arabic = self.has_chinese = False
        self.scale = Decimal(1)
        self.best: Numeral | None = None

    def _elided(self) -> Decimal:
        """The pending number, multiplied by the elided unit where one applies."""
        assert self.pending is not None
        if self.elide and self.pending_digit and not self.after_zero:
            return self.pending * self.elide
        return self.pending

    def _value(self) -> Decimal:
        v = self.total + self.section
        return v + self._elided() if self.pending is not None else v

    def _mark(self, end: int) -> None:
        style = "mixed" if self.has_arabic and self.has_chinese else (
            "arabic" if self.has_arabic else "chinese")
        self.best = Numeral(self._value(), end, style, self.scale)

    def _number(self, value: Decimal, digit: bool) -> None:
        self.pending, self.pending_digit = value, digit
        self.scale = Decimal(1)

    def _fraction_digits(self, j: int) -> tuple[str, int]:
        """Digits after a decimal point: Chinese digits one by one, or an ASCII run."""
        text, t = self.text, self.t
        m = _ASCII_DIGITS.match(text, j)
        if m:
            return m.group(), m.end()
        out = []
        while j < len(text) and text[j] in t.digits and text[j] not in _NOT_FRACTION_DIGITS:
            out.append(str(t.digits[text[j]]))
            j += 1
        return "".join(out), j

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
                # 廿 and 卅 are a tens value: 廿一 is 21, 五百卅四 is 534.
                if self.pending is not None or (self.last_small is not None
                                                and self.last_small <= 10):
                    break
                self.section += t.special[ch]
                self.last_small, self.elide = 10, None
                self.has_chinese = True
                i += 1
            elif ch in t.points:
                frac, j = self._fraction_digits(i + 1)
                if not frac:
                    break
                if self.pending is not None and self.pending == int(self.pending):
                    if self.elide and self.pending_digit and not self.after_zero:
                        # 两千三点一: the elided digit keeps its place, the fraction follows.
                        self.section += self._elided()
                        self.pending = None
                        self.total += self.section + Decimal(f"0.{frac}")
                        self.section = Decimal(0)
                        self.closed = True
                    else:
                        self._number(Decimal(f"{int(self.pending)}.{frac}"), False)
                elif self.pending is None and (self.section or self.total):
                    # 十点二三三, 四百亿点零五: the fraction belongs to the whole number.
                    self.total += self.section + Decimal(f"0.{frac}")
                    self.section = Decimal(0)
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
                    # 十 alone is ten (十五, 一百十一); 百 and 千 need a digit, except in
                    # a lenient read (百三 = 130).
                    leading = i == self.pos and self.lenient
                    if u == 10 and (not self.section or self.after_zero or
                                    (self.last_small or 0) > 10) or leading:
                        self._number(Decimal(1), False)
                    else:
                        break
                assert self.pending is not None
                self.section += self.pending * u
                self.pending = None
                self.last_small = u
                self.elide = u // 10 if u > 10 else None
                self.after_zero = False
                self.has_chinese = True
                self.scale = Decimal(1)
                i += 1
            elif ch in t.big_units:
                if self.stop is not None and self.stop(i):
                    break
                u = t.big_units[ch]
                # 百二萬 = 120万: a digit elided after 百/千 of this section; but 亿四万 is 4万.
                pend = (self._elided() if self.last_small is not None else self.pending) \
                    if self.pending is not None else 0
                value = self.section + pend
                if value == 0 and self.pending is None and i == self.pos and self.lenient:
                    value = Decimal(1)  # 萬九 = 19000
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
                self.scale = self.scale * u if text[i - 1] in t.big_units and i > self.pos \
                    else Decimal(u)
                i += 1
            else:
                break
            self._mark(i)
        return self.best

    def _digit_run(self) -> Numeral | None:
        """二〇二三, 一九七五, 一七二零点一: digits read one by one."""
        text, t = self.text, self.t
        j = self.pos
        limit = min(len(text), self.pos + _MAX_DIGIT_RUN)
        while j < limit and text[j] in t.digits:
            j += 1
        run = text[self.pos:j]
        if len(run) < (2 if self.lenient else 3) and not any(c in t.zeros for c in run):
            return None
        digits = "".join(str(t.digits[c]) for c in run)
        if j < len(text) and text[j] in t.points:
            frac, k = self._fraction_digits(j + 1)
            if frac:
                digits, j = f"{digits}.{frac}", k
        return Numeral(Decimal(digits), j, "chinese", Decimal(1))


# -- whole expressions -----------------------------------------------------------------
_SPACES = compile_pattern(r"\s+")
_INNER_QUALIFIER = compile_pattern(r"(?<=\S)[余多几来幾餘](?=[万亿兆萬億]|$)")
_SIGN = ("负的", "负", "-", "−", "－")
_SLASH_FRACTION = compile_pattern(r"^([^/]+)/([^/]+)$")  # 1/2, 六十/一百二十
# 三分之一; 四分一 and 十份十一 (Hong Kong and Cantonese forms)
_FRACTION_WORD = compile_pattern(r"^(.+?)(?:分之|分|份)(.+)$")


def _read_whole(s: str, table: NumeralTable) -> Decimal | None:
    sign = Decimal(1)
    for mark in _SIGN:
        if s.startswith(mark):
            sign, s = Decimal(-1), s[len(mark):]
            break
    if not s:
        return None
    if s in ("半", "一半"):
        return sign * Decimal("0.5")
    if s in table.big_units or (s in table.small_units and table.small_units[s] != 10):
        return None  # 万 alone is a word, not a number (十 is ten)
    num = read_numeral(s, 0, table, lenient=True)
    if num is None or num.end != len(s):
        return None
    return sign * num.value


def parse_number(text: str, table: NumeralTable | None = None) -> Decimal | None:
    """The value of one numeral expression: 三百二十, 1.2万, 壹拾壹, 42,890, -19.4,
    三分之一, 三又五分之一, 1/2, 十余万 (the approximation is not part of the value).

    Returns None unless the whole text is one numeral expression.
    """
    if table is None:
        from .rules import default_rules

        rules = default_rules()
        table = rules.numerals
        text = rules.normalize(text)
    s = _SPACES.sub("", text)
    s = _INNER_QUALIFIER.sub("", s).replace("万万", "亿")
    if not s:
        return None
    try:
        with localcontext() as ctx:
            ctx.prec = 40
            m = _SLASH_FRACTION.match(s)
            if m:
                num, den = _read_whole(m.group(1), table), _read_whole(m.group(2), table)
                if num is None or den is None or den == 0:
                    return None
                return _round(num / den)
            frac = _FRACTION_WORD.match(s)
            if frac is not None:
                whole = Decimal(0)
                head, rest = frac.group(1), frac.group(2)
                if "又" in head:
                    w, _, head = head.partition("又")
                    wv = _read_whole(w, table)
                    if wv is None:
                        return None
                    whole = wv
                # 百分之五: the denominator 百 stands for one hundred.
                den = _read_whole(head, table) if head not in table.small_units else \
                    Decimal(table.small_units[head])
                num = _read_whole(rest, table)
                if den is None or num is None or den == 0:
                    return None
                frac = num / den
                if whole < 0:
                    return _round(whole - frac)
                return _round(whole + frac if not (den < 0 and num < 0) else whole + frac)
            return _read_whole(s, table)
    except InvalidOperation:  # pragma: no cover - Decimal context overflow
        return None


def _round(v: Decimal) -> Decimal:
    q = v.quantize(Decimal(1).scaleb(-_FRACTION_PLACES))
    return q.normalize() if q != q.to_integral_value() else q.quantize(Decimal(1))


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
