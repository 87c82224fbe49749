"""The audit: do the figures of a document agree with each other?

Each check is a named function over a document's metrics (and its text, for the cue
words between them) that yields `Check` records: ok or mismatch for arithmetic between
stated figures, suspect for figures that cannot be right.

Arithmetic is Decimal interval arithmetic. A stated figure stands for the interval its
written digits allow (24.43% → 24.425…24.435, 38747万元 → ±0.5万元), so a relation holds
when the interval computed from the operands meets the stated one; a mismatch says by
how much the stated figure misses the computed one.

Figures are paired within a statement (a sentence, or its part between semicolons) by
their roles (attribution.py): never across a 分别 list, never when one of them is
approximate (约, 多, 以上), a range or masked.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Callable, Iterable, Iterator, Sequence

import regex

from .models import Check, CheckStatus, Document, DocumentTable, Kind, Metric, Role
from .numbers import canonical
from .regexes import compile_pattern
from .rules import CheckRules, Rules, default_rules

_CTX = Context(prec=28)   # a private context: never the thread's global one
_HUNDRED = Decimal(100)
_HALF = Decimal("0.5")
_CLAUSE_MARK = compile_pattern(r"[，,；;。]")
_ARABIC = compile_pattern(r"\d[\d,]*(?:\.\d+)?")
_AMOUNTS = frozenset({Kind.MONEY, Kind.COUNT, Kind.MEASURE})
_SCALE_CHARS = frozenset("十百千万亿萬億")


# -- intervals ------------------------------------------------------------------------
@dataclass(frozen=True)
class Interval:
    """A closed interval of Decimals: what a written figure may stand for."""

    lo: Decimal
    hi: Decimal

    @staticmethod
    def around(x: Decimal, tol: Decimal) -> "Interval":
        return Interval(x - tol, x + tol)

    def __add__(self, o: "Interval") -> "Interval":
        return Interval(self.lo + o.lo, self.hi + o.hi)

    def __sub__(self, o: "Interval") -> "Interval":
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __neg__(self) -> "Interval":
        return Interval(-self.hi, -self.lo)

    def scaled(self, k: Decimal) -> "Interval":
        a, b = self.lo * k, self.hi * k
        return Interval(min(a, b), max(a, b))

    def __truediv__(self, o: "Interval") -> "Interval":
        if o.lo <= 0 <= o.hi:
            raise ZeroDivisionError("the divisor's interval holds zero")
        q = [_CTX.divide(a, b) for a in (self.lo, self.hi) for b in (o.lo, o.hi)]
        return Interval(min(q), max(q))

    def meets(self, o: "Interval") -> bool:
        return self.lo <= o.hi and o.lo <= self.hi

    @property
    def radius(self) -> Decimal:
        return (self.hi - self.lo) / 2


# -- figures: a metric with what the checks need to know about it ---------------------------
@dataclass(frozen=True, eq=False)   # compared by identity: one Figure per metric
class Figure:
    m: Metric
    i: int                   # index in the document's metrics, by start
    measure: tuple[str, ...] | None   # what it is counted in; comparable when equal
    tol: Decimal             # half a unit of the last written digit, in base units
    scale: Decimal | None    # base units per written unit (万元 → 10000), when digits are Arabic
    suffix: str              # the written unit after the digits (万元, %, 人)
    digits: str              # the integer digits as written ("" for Chinese numerals)

    @property
    def v(self) -> Decimal:
        assert self.m.value is not None
        return self.m.value

    @property
    def iv(self) -> Interval:
        return Interval.around(self.v, self.tol)

    @property
    def exact(self) -> bool:
        """Usable in arithmetic: a plain stated value, not approximate, a range or masked."""
        m = self.m
        return m.value is not None and not m.masked and m.value_max is None \
            and m.approx is None

    @property
    def amount(self) -> bool:
        return self.m.kind in _AMOUNTS

    def say(self, x: Decimal) -> str:
        """`x` (in base units) written like this figure: 7608万元, 24.43%."""
        if self.scale is not None and self.suffix:
            return canonical(_CTX.divide(x, self.scale)) + self.suffix
        return canonical(x) + (self.m.unit or "")


def _q(text: str) -> str:
    """A figure's text quoted in a one-line message."""
    return text.replace("\r", "").replace("\n", "⏎")


def _power_of_ten(x: Decimal) -> bool:
    return x > 0 and x.normalize().as_tuple().digits == (1,)


def make_figure(m: Metric, i: int, unit_class: dict[str, str], translate: dict[int, str]
                ) -> Figure:
    """The figure of a metric: its measure and the precision its digits were written to."""
    text = m.text.translate(translate)
    unit = m.unit.translate(translate)
    if m.kind == Kind.MONEY:
        measure: tuple[str, ...] | None = ("money", unit)
    elif m.kind in (Kind.PERCENT, Kind.PP):
        measure = (m.kind.value,)
    elif m.kind in (Kind.COUNT, Kind.MEASURE):
        measure = ("n", unit_class.get(unit, unit))
    else:
        measure = None
    tol, scale, suffix, digits = Decimal(0), None, "", ""
    if m.value is not None and not m.masked:
        a = _ARABIC.search(text)
        written = Decimal(a.group().replace(",", "")) if a else Decimal(0)
        if a and written != 0 and _power_of_ten(s := abs(_CTX.divide(m.value, written))):
            decimals = len(a.group().partition(".")[2])
            scale = s
            tol = s * _HALF * Decimal(1).scaleb(-decimals)
            suffix = m.text[a.end():].strip()   # as written: translation is 1:1
            digits = a.group().partition(".")[0].replace(",", "")
        else:
            # Chinese numerals (三百二十): precise to their last non-zero digit.
            exp = m.value.normalize().as_tuple().exponent
            tol = _HALF * Decimal(1).scaleb(exp if isinstance(exp, int) else 0)
    return Figure(m, i, measure, tol, scale, suffix, digits)


# -- the document as the checks see it ---------------------------------------------------
class _Doc:
    """A document's figures, its normalised text, and its statements."""

    def __init__(self, text: str, metrics: Sequence[Metric], rules: Rules,
                 tables: Sequence[DocumentTable] = ()) -> None:
        self.tables = tables
        c = rules.checks
        assert c is not None, "rules without checks.toml"
        self.c: CheckRules = c
        self.doc = metrics[0].doc if metrics else ""
        self.translate = rules.translate
        ordered = sorted(metrics, key=lambda m: (m.start, m.end))
        self.text = _normalise_sentences(text, ordered, rules.normalize)
        self.figs = [make_figure(m, i, c.unit_class, rules.translate)
                     for i, m in enumerate(ordered)]
        self.starts = [f.m.start for f in self.figs]
        # Statements: sentence_start and the statement end markers before the figure.
        self.statement: list[tuple[int, int]] = []   # figure → (start, end) offsets
        self.members: dict[tuple[int, int], list[Figure]] = {}
        for f in self.figs:
            s, e = f.m.sentence_start, max(f.m.sentence_end, f.m.end)
            lo = s
            for mm in c.statement_end.finditer(self.text, s, f.m.start):
                lo = mm.end()
            mm = c.statement_end.search(self.text, f.m.end, e)
            self.statement.append((lo, mm.start() if mm else e))
            self.members.setdefault(self.statement[-1], []).append(f)

    # text
    def between(self, a: int, b: int) -> str:
        return self.text[a:b] if b > a else ""

    def lead(self, f: Figure) -> str:
        """The words before a figure: back to the previous figure or its statement's start."""
        lo = self.statement[f.i][0]
        if f.i > 0:
            lo = max(lo, self.figs[f.i - 1].m.end)
        return self.between(lo, f.m.start)

    # figures
    def same_statement(self, f: Figure) -> list[Figure]:
        return self.members[self.statement[f.i]]

    def figures_in(self, lo: int, hi: int) -> list[Figure]:
        """The figures that start in [lo, hi)."""
        return self.figs[bisect_left(self.starts, lo):bisect_left(self.starts, hi)]

    def parallel(self, f: Figure) -> bool:
        """True when f's statement lists figures in parallel (分别): nothing is paired."""
        if self.c.skip_when is None:
            return False
        lo, hi = self.statement[f.i]
        return self.c.skip_when.search(self.text, lo, hi) is not None

    def direction(self, *figs: Figure) -> tuple[int | None, str]:
        """+1 or -1 and the cue word (增加, 下降) nearest before the first figure that has one."""
        for f in figs:
            last = None
            for last in self.c.direction.finditer(self.lead(f)):
                pass
            if last is not None:
                return (1 if last.group("inc") else -1), last.group()
        return None, ""

    def sentences_before(self, f: Figure, n: int) -> int:
        """The start of the n-th sentence before f's, within its section and paragraph."""
        starts = sorted({g.m.sentence_start for g in self.figs[:f.i + 1]
                         if g.m.section == f.m.section})
        k = starts.index(f.m.sentence_start) if f.m.sentence_start in starts else len(starts)
        lo = starts[max(0, k - n)] if starts else f.m.sentence_start
        nl = self.text.rfind("\n", lo, f.m.sentence_start)
        return max(lo, nl + 1) if nl >= 0 else lo


def _normalise_sentences(text: str, metrics: Sequence[Metric],
                         normalize: Callable[[str], str]) -> str:
    """The text with the sentences that hold figures normalised (the rest as it is).

    Normalising is one character for one, so offsets stay those of the original; only
    the sentences the checks read are translated, which keeps large documents cheap.
    """
    pieces: list[str] = []
    pos = 0
    for m in metrics:
        lo, hi = max(pos, m.sentence_start), max(m.sentence_end, m.end)
        if hi <= lo:
            continue
        pieces.append(text[pos:lo])
        pieces.append(normalize(text[lo:hi]))
        pos = hi
    pieces.append(text[pos:])
    return "".join(pieces)


def nearest(cands: Iterable[Figure], to: Figure) -> Figure | None:
    best = None
    for g in cands:
        if g is to:
            continue
        if best is None or abs(g.m.start - to.m.start) < abs(best.m.start - to.m.start):
            best = g
    return best


# -- results --------------------------------------------------------------------------------
def _like(x: Decimal, found: Decimal) -> Decimal:
    """x rounded to two more decimals than the found figure was written with."""
    exp = found.normalize().as_tuple().exponent
    exp = min(exp if isinstance(exp, int) else 0, 0) - 2
    return x.quantize(Decimal(1).scaleb(exp), context=_CTX)


def _verdict(d: _Doc, name: str, figs: Sequence[Figure], found_fig: Figure, found: Decimal,
             expected: Interval, point: Decimal, formula: str, percent: bool,
             certain: bool = True) -> Check | None:
    """ok when the stated figure's interval meets the computed one, else mismatch.

    `certain` is false when the pairing itself is a guess (a value from an earlier
    sentence): then only agreement is reported, never a mismatch.
    """
    stated = Interval.around(found, found_fig.tol)
    ok = expected.meets(stated)
    if not ok and not certain:
        return None
    shown = _like(point, found) if percent else point
    unit = "%" if percent else ""
    if ok:
        msg = f"{found_fig.m.text} = {formula} = {canonical(shown)}{unit}" if percent \
            else f"{found_fig.m.text} = {formula}"
    else:
        off = abs(found - point)
        allow = expected.radius + found_fig.tol
        if percent:
            off_s = f"{canonical(_like(off, found))} points"
            allow_s = f"±{canonical(_like(allow, found))}"
        else:
            off_s, allow_s = found_fig.say(off), "±" + found_fig.say(allow)
        msg = (f"{found_fig.m.text} stated, but {formula} = "
               f"{canonical(shown) + unit if percent else found_fig.say(point)}: "
               f"off by {off_s}, more than the written digits allow ({allow_s})")
    figs = sorted(figs, key=lambda f: f.m.start)
    return Check(doc=d.doc, check=name, status=CheckStatus.OK if ok else CheckStatus.MISMATCH,
                 metrics=tuple(f.m.start for f in figs), texts=tuple(f.m.text for f in figs),
                 expected=shown, found=found, message=_q(msg))


def _suspect(d: _Doc, name: str, figs: Sequence[Figure], message: str,
             expected: Decimal | None = None, found: Decimal | None = None) -> Check:
    figs = sorted(figs, key=lambda f: f.m.start)
    return Check(doc=d.doc, check=name, status=CheckStatus.SUSPECT,
                 metrics=tuple(f.m.start for f in figs), texts=tuple(f.m.text for f in figs),
                 expected=expected, found=found, message=_q(message))


def _signed(d: _Doc, f: Figure, point: Decimal, *cue_figs: Figure) -> tuple[int, str]:
    """The sign a stated change or rate carries: its cue word's, else the computed one's."""
    if f.v < 0:
        return 1, ""          # written with its sign (-19.4%)
    sign, cue = d.direction(*(cue_figs or (f,)))
    if sign is None:
        return (1 if point >= 0 else -1), ""
    return sign, cue


def _direction_note(sign: int, cue: str, point: Decimal, raw: Interval) -> str:
    """A note when the cue word (增加) and the figures (value below baseline) disagree."""
    if cue and point * sign < 0 and not raw.meets(Interval(Decimal(0), Decimal(0))):
        return f"; the text says {cue}, but the figures go the other way"
    return ""


def _difference(d: _Doc, name: str, stated: Figure, x: Figure, y: Figure,
                signed: tuple[int, str]) -> Check | None:
    """The stated figure against x − y, the sign taken from the text's cue word (增加,
    减少, 高, 低); a mismatch also says when the cue contradicts the figures."""
    sign, cue = signed
    point = x.v - y.v
    expected = (x.iv - y.iv).scaled(Decimal(sign))
    formula = f"{x.m.text} − {y.m.text}" if sign > 0 else f"{y.m.text} − {x.m.text}"
    r = _verdict(d, name, (x, y, stated), stated, stated.v, expected, point * sign, formula,
                 False)
    if r is not None and r.status == CheckStatus.MISMATCH:
        r = r.model_copy(update={"message": r.message + _direction_note(
            sign, cue, point, x.iv - y.iv)})
    return r


# -- the relation checks ------------------------------------------------------------------
def check_change(d: _Doc) -> Iterator[Check]:
    """change = value − baseline (增加7608万元; for 个百分点, rate − rate)."""
    for c in d.figs:
        if c.m.role != Role.CHANGE or not c.exact or c.measure is None or d.parallel(c):
            continue
        need = ("percent",) if c.m.kind == Kind.PP else c.measure
        st = [g for g in d.same_statement(c) if g.exact and g.measure == need and g is not c]
        b = nearest((g for g in st if g.m.role == Role.BASELINE), c)
        if b is None:
            continue
        roles = {Role.VALUE, Role.SHARE, Role.COMPLETION} if need == ("percent",) \
            else {Role.VALUE}
        v = nearest((g for g in st if g.m.role in roles and g is not b), b)
        if v is None:
            continue
        r = _difference(d, "change", c, v, b, _signed(d, c, v.v - b.v))
        if r is not None:
            yield r


def check_growth(d: _Doc) -> Iterator[Check]:
    """growth = change / baseline, or (value − baseline) / baseline."""
    for g in d.figs:
        if g.m.role != Role.GROWTH or g.m.kind != Kind.PERCENT or not g.exact \
                or d.parallel(g):
            continue
        st = [x for x in d.same_statement(g) if x.exact and x.amount]
        b = nearest((x for x in st if x.m.role == Role.BASELINE), g)
        try:
            if b is not None:
                same = [x for x in st if x.measure == b.measure and x is not b]
                v = nearest((x for x in same if x.m.role == Role.VALUE), b)
                c = nearest((x for x in same if x.m.role == Role.CHANGE), g)
                if v is not None:
                    rel = v.iv / b.iv - Interval(Decimal(1), Decimal(1))
                    point = _CTX.divide(v.v, b.v) - 1
                    figs = (v, b)
                    formula = f"({v.m.text} − {b.m.text}) / {b.m.text}" \
                        if _signed(d, g, point)[0] > 0 \
                        else f"({b.m.text} − {v.m.text}) / {b.m.text}"
                elif c is not None:
                    csign, _ = _signed(d, c, Decimal(1))
                    rel = c.iv.scaled(Decimal(csign)) / b.iv
                    point = _CTX.divide(c.v * csign, b.v)
                    figs, formula = (b, c), f"{c.m.text} / {b.m.text}"
                else:
                    continue
            else:
                # No baseline stated: the baseline is value − change (完成X，增加Y，增长Z%).
                c = nearest((x for x in st if x.m.role == Role.CHANGE and x.m.start < g.m.start), g)
                if c is None:
                    continue
                v = nearest((x for x in st if x.m.role == Role.VALUE and x.measure == c.measure
                             and x.m.start < c.m.start), c)
                if v is None:
                    continue
                csign, _ = _signed(d, c, Decimal(1))
                cv = c.iv.scaled(Decimal(csign))
                rel = cv / (v.iv - cv)
                point = _CTX.divide(c.v * csign, v.v - c.v * csign)
                figs, formula = (v, c), f"{c.m.text} / ({v.m.text} − {c.m.text})"
        except ZeroDivisionError:
            continue
        sign, cue = _signed(d, g, point)
        expected = rel.scaled(_HUNDRED * sign)
        r = _verdict(d, "growth", (*figs, g), g, g.v, expected, point * _HUNDRED * sign,
                     formula, True)
        if r is not None and r.status == CheckStatus.MISMATCH:
            r = r.model_copy(update={"message": r.message + _direction_note(
                sign, cue, point, rel)})
        if r is not None:
            yield r


def _total_before(d: _Doc, at: int, f: Figure, measure: tuple[str, ...]) -> Figure | None:
    """The total a 其中 at offset `at` belongs to: the last figure of the measure before it
    in f's statement, or in the sentence before when 其中 opens the statement."""
    lo = d.statement[f.i][0]
    for g in reversed(d.figs[:bisect_left(d.starts, at)]):
        if g.m.end <= lo:
            # 其中 opens the statement: the total ends the sentence before, same paragraph.
            if d.between(lo, at).strip(" \t，,：:") or "\n" in d.between(g.m.end, at):
                return None
            if g.m.section != f.m.section:
                return None
            return g if g.measure == measure and g.exact else None
        if g.measure == measure and g.exact:
            return g
    return None


def check_share(d: _Doc) -> Iterator[Check]:
    """share = part / whole: 占X的Y%, 其中…占Y% (of the total), 总数中…A（Y%）."""
    c = d.c
    for s in d.figs:
        if s.m.kind != Kind.PERCENT or not s.exact or d.parallel(s) \
                or s.m.role in (Role.GROWTH, Role.COMPLETION):
            continue
        st = d.same_statement(s)
        lo = d.statement[s.i][0]
        part = whole = None
        prev = d.figs[s.i - 1] if s.i > 0 and d.figs[s.i - 1] in st else None
        if prev is not None and prev.amount and prev.exact \
                and c.bracket_open.match(d.lead(s)):
            # 844 间学校中，469间（55.6%）; 有366间（52.9%）有盈余，当中122间（33%）
            cue = None
            for cue in c.part_cue.finditer(d.lead(prev)):
                pass
            if cue is not None and prev.measure is not None:
                at = prev.m.start - len(d.lead(prev)) + cue.start()
                whole = _total_before(d, at, prev, prev.measure)
            else:
                whole = next((g for g in reversed(st) if g.m.start < prev.m.start and g.exact
                              and g.measure == prev.measure
                              and c.total_after.match(d.text[g.m.end:prev.m.start])), None)
            part = prev if whole is not None else None
        elif s.m.role == Role.SHARE:
            cue = None
            for cue in c.whole_cue.finditer(d.text, lo, s.m.start):
                pass
            if cue is None:
                continue
            inside = [g for g in st if cue.end() <= g.m.start < s.m.start and g.amount]
            if inside:
                whole = inside[-1] if inside[-1].exact else None
                if whole is not None:
                    part = next((g for g in reversed(st) if g.m.end <= cue.start()
                                 and g.exact and g.measure == whole.measure
                                 and g.m.role in (Role.VALUE, Role.TARGET)), None)
            elif c.implicit_whole.match(d.between(cue.end(), s.m.start)):
                # 其中，骨干教师121人，占41.87%: of the total before 其中.
                before = [g for g in st if g.m.end <= cue.start()]
                p = before[-1] if before else None
                if p is None or not p.amount or not p.exact or p.measure is None:
                    continue
                q = None
                for q in c.part_cue.finditer(d.text, lo, p.m.start):
                    pass
                if q is None:
                    continue
                whole = _total_before(d, q.start(), p, p.measure)
                part = p if whole is not None else None
        if part is None or whole is None:
            continue
        r = _percent_of(d, "share", part, whole, s)
        if r is not None:
            yield r


def _percent_of(d: _Doc, name: str, part: Figure, whole: Figure, stated: Figure,
                certain: bool = True) -> Check | None:
    """The verdict on a stated percent against part / whole (share, completion); None
    when the whole may be zero."""
    try:
        rel = part.iv / whole.iv
    except ZeroDivisionError:
        return None
    point = _CTX.divide(part.v, whole.v) * _HUNDRED
    return _verdict(d, name, (part, whole, stated), stated, stated.v, rel.scaled(_HUNDRED),
                    point, f"{part.m.text} / {whole.m.text}", True, certain)


def check_completion(d: _Doc) -> Iterator[Check]:
    """completion = value / target: 任务（44265万元）的完成度为87.53% of the value before."""
    c = d.c
    for k in d.figs:
        if k.m.role != Role.COMPLETION or k.m.kind != Kind.PERCENT or not k.exact \
                or d.parallel(k):
            continue
        st = d.same_statement(k)
        t = next((g for g in reversed(st) if g.m.start < k.m.start and g.amount), None)
        if t is None or not t.exact or not (
                t.m.role == Role.TARGET or c.target_before.search(d.lead(t))):
            continue
        # The completed value: before the target in its statement (certain), else in
        # the sentences just before, same section and paragraph (agreement only).
        lo = d.sentences_before(t, c.settings.completion.lookback_sentences)
        cands = [g for g in d.figs[:t.i] if g.m.start >= lo and g.exact
                 and g.measure == t.measure and g.m.role == Role.VALUE
                 and g.m.modality.value == "actual"]
        if not cands:
            continue
        v = cands[-1]
        certain = d.statement[v.i] == d.statement[t.i]
        r = _percent_of(d, "completion", v, t, k, certain)
        if r is not None:
            yield r


def check_pp_difference(d: _Doc) -> Iterator[Check]:
    """pp = rate − rate: 合格率98.5%，比全省平均水平95.2%高3.3个百分点."""
    c = d.c
    for p in d.figs:
        if p.m.kind != Kind.PP or not p.exact or d.parallel(p):
            continue
        st = d.same_statement(p)
        if p.m.role == Role.CHANGE and any(g.m.role == Role.BASELINE and g.measure == ("percent",)
                                           for g in st):
            continue   # value − baseline: the change check
        # y: the rate compared with, right before the pp figure in the same clause.
        y = d.figs[p.i - 1] if p.i > 0 else None
        if y is None or y not in st or y.m.kind != Kind.PERCENT or not y.exact \
                or _CLAUSE_MARK.search(d.between(y.m.end, p.m.start)) \
                or not c.comparison_before.search(d.lead(y)):
            continue
        x = next((g for g in reversed(st) if g.m.start < y.m.start), None)
        if x is None or x.m.kind != Kind.PERCENT or not x.exact \
                or x.m.role not in (Role.VALUE, Role.SHARE, Role.COMPLETION):
            continue
        r = _difference(d, "pp_difference", p, x, y, _signed(d, p, x.v - y.v, p, y))
        if r is not None:
            yield r


def check_parts_total(d: _Doc) -> Iterator[Check]:
    """其中: no part is larger than its total; a stated subtotal (共59名) is the sum of the
    parts before it; and it says so when the parts add up to the total."""
    c = d.c
    seen_sentences: set[int] = set()
    for f in d.figs:
        ss, se = f.m.sentence_start, f.m.sentence_end
        if ss in seen_sentences:
            continue
        seen_sentences.add(ss)
        cues = list(c.part_cue.finditer(d.text, ss, se))
        for n, q in enumerate(cues):
            stop = cues[n + 1].start() if n + 1 < len(cues) else se
            m = c.statement_end.search(d.text, q.end(), stop)
            stop = m.start() if m else stop
            after = [g for g in d.figures_in(q.end(), stop)
                     if g.amount and g.measure is not None]
            if not after:
                continue
            measure = after[0].measure
            parts = [g for g in after if g.measure == measure]
            if d.parallel(parts[0]):
                continue
            assert measure is not None
            total = _total_before(d, q.start(), parts[0], measure)
            if total is not None:
                # A later "part" larger than the total is past the end of the list.
                end = next((k for k, g in enumerate(parts)
                            if k > 0 and g.exact and g.iv.lo > total.iv.hi), len(parts))
                parts = parts[:end]
            sub = next((k for k, g in enumerate(parts)
                        if k >= 2 and c.subtotal_cue.search(d.lead(g))), None)
            listed = parts[:sub] if sub is not None else parts
            if sub is not None:
                yield from _subtotal(d, listed, parts[sub])
            if total is None:
                continue
            exact = [g for g in parts if g.exact]
            over = [g for g in exact if g.iv.lo > total.iv.hi]
            if total.m.approx is None and over:
                g = over[0]
                yield _suspect(d, "parts_total", (total, g),
                               f"{g.m.text} is listed under 其中 of the total {total.m.text}, "
                               f"but is larger than it", total.v, g.v)
                continue
            if not total.exact or not exact:
                continue
            if sub is not None:
                point = sum((g.v for g in listed), Decimal(0))
                msg = (f"{', '.join(g.m.text for g in exact)} are within the total "
                       f"{total.m.text}")
            elif len(listed) >= 2 and all(g.exact for g in listed):
                s = sum((g.iv for g in listed[1:]), listed[0].iv)
                point = sum((g.v for g in listed), Decimal(0))
                names = " + ".join(g.m.text for g in listed)
                if s.meets(total.iv):
                    msg = f"{names} = {total.m.text}: the parts add up to the total"
                elif s.lo > total.iv.hi:
                    msg = (f"each part is within the total {total.m.text}; together "
                           f"({names} = {total.say(point)}) they are more: they overlap, or "
                           f"the list ends earlier")
                else:
                    msg = (f"each part is within the total {total.m.text} "
                           f"(they add up to {total.say(point)}; the list need not be complete)")
            else:
                point = sum((g.v for g in exact), Decimal(0))
                msg = (f"{', '.join(g.m.text for g in exact)} "
                       f"{'is' if len(exact) == 1 else 'are'} within the total {total.m.text}")
            figs = sorted((total, *exact), key=lambda f: f.m.start)
            yield Check(doc=d.doc, check="parts_total", status=CheckStatus.OK,
                        metrics=tuple(g.m.start for g in figs),
                        texts=tuple(g.m.text for g in figs),
                        expected=total.v, found=point, message=_q(msg))


def _subtotal(d: _Doc, listed: list[Figure], sub: Figure) -> Iterator[Check]:
    """统招17名、分招32名、音体美特长生10名，共59名: the listed parts sum to the subtotal."""
    if not sub.exact or not all(g.exact for g in listed):
        return
    s = sum((g.iv for g in listed[1:]), listed[0].iv)
    point = sum((g.v for g in listed), Decimal(0))
    if s.hi < sub.iv.lo:
        return   # the subtotal may hold parts the text does not list
    names = " + ".join(g.m.text for g in listed)
    r = _verdict(d, "parts_total", (*listed, sub), sub, sub.v, s, point, names, False)
    if r is not None:
        yield r


# -- the suspect values --------------------------------------------------------------------
def check_rate_over_100(d: _Doc) -> Iterator[Check]:
    """A share or a bounded rate (占比, 入学率, 覆盖率) above 100%."""
    c = d.c
    limit = c.settings.rate_over_100.limit
    for f in d.figs:
        m = f.m
        if m.kind != Kind.PERCENT or m.masked or m.value is None or m.value <= limit \
                or m.role in (Role.GROWTH, Role.COMPLETION):
            continue
        ind = m.indicator.translate(d.translate)
        words = ind + " " + d.lead(f)
        bounded = m.role == Role.SHARE or bool(c.bounded.search(ind))
        if not bounded or c.unbounded.search(words):
            continue
        what = ind or "share"
        yield _suspect(d, "rate_over_100", (f,),
                       f"{m.text} is a share or rate ({what}) above {canonical(limit)}%",
                       limit, m.value)


def check_embedded_year(d: _Doc) -> Iterator[Check]:
    """A year of the document inside a figure's digits, where the figure is implausible."""
    c = d.c
    cfg = c.settings.embedded_year
    years = {m.group(1).translate(d.translate) for m in c.year_mention.finditer(d.text)}
    if not years:
        return
    money = [f for f in d.figs if f.m.kind == Kind.MONEY and f.exact and f.scale is not None]
    for f in d.figs:
        if not f.digits or len(f.digits) < 4 or not f.exact or f.measure is None:
            continue
        found = sorted(y for y in years if y in f.digits)
        if not found:
            continue
        year = found[0]
        reasons = []
        if sum(f.digits.count(y) for y in found) >= 2:
            reasons.append("holds it twice")
        if f.m.kind == Kind.PERCENT and f.v > 100:
            reasons.append("is a percent above 100")
        if f.amount and f.v > 0 and f.scale == 1:   # in full digits, not 2020万人次
            sib = [g for g in d.figs if g is not f and g.measure == f.measure and g.exact
                   and g.m.section == f.m.section and g.v > 0]
            if len(sib) < cfg.min_siblings:
                sib = [g for g in d.figs if g is not f and g.measure == f.measure and g.exact
                       and g.v > 0]
            if len(sib) >= cfg.min_siblings:
                top = max(sib, key=lambda g: g.v)
                if f.v >= cfg.outsized_factor * top.v:
                    times = canonical(_CTX.divide(f.v, top.v).quantize(Decimal(1)))
                    reasons.append(f"is {times} times the largest other figure counted in "
                                   f"{f.m.unit} ({_q(top.m.text)})")
        if f.m.kind == Kind.MONEY and f.scale == 1 and len(f.digits) >= \
                cfg.plain_money_min_digits and not (_SCALE_CHARS & set(f.suffix)):
            others = [g for g in money if g is not f]
            scaled = [g for g in others if g.scale is not None and g.scale >= 10000]
            if len(scaled) >= cfg.scaled_money_min and \
                    Decimal(len(scaled)) >= cfg.scaled_money_share * len(others):
                reasons.append(f"is written in plain {f.suffix or '元'} where {len(scaled)} of "
                               f"the document's {len(others)} other amounts are in 万 or 亿")
        if not reasons:
            continue
        shown = "·".join(p for p in regex.split(f"({'|'.join(found)})", f.digits) if p)
        yield _suspect(d, "embedded_year", (f,),
                       f"{_q(f.m.text)} has the document's year {year} in its digits ({shown}) "
                       "and " + ", ".join(reasons) + ": corrupted digits, or a year glued "
                       "to a number",
                       None, f.v)


def check_conflicting_values(d: _Doc) -> Iterator[Check]:
    """One indicator, period and unit with different values in one document."""
    c = d.c
    cfg = c.settings.conflicting_values
    generic = frozenset(cfg.generic)
    groups: dict[tuple[object, ...], list[Figure]] = {}
    for f in d.figs:
        m = f.m
        ind = m.indicator.translate(d.translate)
        if m.role != Role.VALUE or not f.exact or f.measure is None or not m.period \
                or len(ind) < cfg.min_indicator_chars or ind in generic \
                or ind.endswith(tuple(cfg.generic_suffixes)) \
                or not c.indicator_pattern.match(ind) \
                or not c.period_in_sentence.search(d.text, m.sentence_start, m.start):
            continue
        key = (ind, m.period, f.measure, m.modality, m.subject)
        groups.setdefault(key, []).append(f)
    for figs in groups.values():
        first = figs[0]
        for g in figs[1:]:
            if g.iv.meets(first.iv) or g.m.sentence_start == first.m.sentence_start:
                continue
            yield _suspect(d, "conflicting_values", (first, g),
                           f"{first.m.indicator} ({first.m.period}) is {first.m.text} at "
                           f"{first.m.start} "
                           f"but {g.m.text} at {g.m.start}", first.v, g.v)
            break


# -- tables -------------------------------------------------------------------------------
def _column_figures(d: _Doc, table: int) -> dict[int, dict[int, Figure]]:
    """A table's figures by column, then row: the amounts that can be added up."""
    cols: dict[int, dict[int, Figure]] = {}
    for f in d.figs:
        m = f.m
        if m.table == table and m.row is not None and m.col is not None \
                and (f.amount or m.kind == Kind.NUMBER):
            cols.setdefault(m.col, {})[m.row] = f
    return cols


def _sum_verdict(d: _Doc, parts: list[Figure], total: Figure, complete: bool,
                 label: str) -> Check | None:
    """The parts of a total against it: equal when `complete`, else within it."""
    if len(parts) < 2 or not total.exact or not all(g.exact for g in parts) \
            or len({g.measure for g in (*parts, total)}) != 1:
        return None
    s = sum((g.iv for g in parts[1:]), parts[0].iv)
    point = sum((g.v for g in parts), Decimal(0))
    names = " + ".join(g.m.text for g in parts)
    if complete or s.lo > total.iv.hi:
        return _verdict(d, "table_totals", (*parts, total), total, total.v, s, point,
                        f"{names} ({label})", False)
    msg = (f"the {label} are within the total {total.m.text} (they add up to "
           f"{total.say(point)}; 其中 parts need not be all)")
    figs = sorted((total, *parts), key=lambda f: f.m.start)
    return Check(doc=d.doc, check="table_totals", status=CheckStatus.OK,
                 metrics=tuple(g.m.start for g in figs), texts=tuple(g.m.text for g in figs),
                 expected=total.v, found=point, message=_q(msg))


def _parts_below(t: DocumentTable, r: int) -> list[int]:
    """The rows under row r that may be its parts: its own (其中) rows and the unmarked
    rows after them, skipping the parts of those rows, up to the next total."""
    out: list[int] = []
    for k in range(r + 1, t.rows):
        p = t.parents[k] if k < len(t.parents) else None
        if p is not None and p != r:
            continue          # a part of one of the parts: not summed twice
        out.append(k)
    return out


def check_table_totals(d: _Doc) -> Iterator[Check]:
    """A table's 合计 row is the sum of the rows above it that it totals; a total with
    其中 (#) rows under it is the sum of its parts where the list is complete (the first
    rows whose sum meets it: 全州 = 城镇 + 乡村), and never smaller than its marked parts."""
    c = d.c
    for t in d.tables:
        labels = t.labels
        for col, by_row in sorted(_column_figures(d, t.id).items()):
            for r, total in sorted(by_row.items()):
                label = labels[r] if r < len(labels) else ""
                if r in t.parents:
                    verdict = _parts_verdict(d, t, r, total, by_row)
                    if verdict is not None:
                        yield verdict
                elif c.total_label.match(label) and t.parents[r] is None:
                    # A total under the rows it sums: back to the header or the last total.
                    above: list[int] = []
                    for k in range(r - 1, t.header_rows - 1, -1):
                        if c.total_label.match(labels[k] if k < len(labels) else ""):
                            break
                        if t.parents[k] is None:
                            above.append(k)
                    if above and all(k in by_row for k in above):
                        v = _sum_verdict(d, [by_row[k] for k in reversed(above)], total, True,
                                         "rows above")
                        if v is not None:
                            yield v


def _parts_verdict(d: _Doc, t: DocumentTable, r: int, total: Figure,
                   by_row: dict[int, Figure]) -> Check | None:
    """The parts under total row r: ok where the first rows add up to it; a mismatch
    where the rows marked as its parts alone are more than it."""
    rows = _parts_below(t, r)
    parts: list[Figure] = []
    for k in rows:
        if k not in by_row:
            break
        parts.append(by_row[k])
        if len(parts) >= 2 and all(g.exact for g in parts) and total.exact \
                and len({g.measure for g in (*parts, total)}) == 1:
            s = sum((g.iv for g in parts[1:]), parts[0].iv)
            if s.meets(total.iv):
                return _sum_verdict(d, list(parts), total, True, "parts")
            if s.lo > total.iv.hi:
                break
    marked = [by_row[k] for k in rows if t.parents[k] == r and k in by_row]
    if len(marked) >= 2:
        v = _sum_verdict(d, marked, total, False, "parts marked 其中")
        if v is not None and v.status != CheckStatus.OK:
            return v
    return None


# -- the registry and the stage ----------------------------------------------------------
CheckFn = Callable[[_Doc], Iterator[Check]]

CHECKS: dict[str, CheckFn] = {
    "change": check_change,
    "growth": check_growth,
    "share": check_share,
    "completion": check_completion,
    "pp_difference": check_pp_difference,
    "parts_total": check_parts_total,
    "rate_over_100": check_rate_over_100,
    "embedded_year": check_embedded_year,
    "conflicting_values": check_conflicting_values,
    "table_totals": check_table_totals,
}
CHECK_NAMES = tuple(CHECKS)


def validate_skip(skip: Iterable[str]) -> frozenset[str]:
    """The names to skip; an unknown name is a ValueError that lists the known ones."""
    names = frozenset(skip)
    unknown = sorted(names - set(CHECKS))
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)}; the checks are "
                         f"{', '.join(CHECK_NAMES)}")
    return names


def run_checks(text: str, metrics: Sequence[Metric], rules: Rules | None = None,
               skip: Iterable[str] = (), tables: Sequence[DocumentTable] = ()
               ) -> tuple[Check, ...]:
    """Every check not skipped (here or in checks.toml) over one document's metrics.

    `text` is the document's decoded text (the metrics' offsets point into it), `tables`
    the tables found in it (their rows' labels and parts). The findings come in
    document order.
    """
    rules = rules or default_rules()
    skipped = validate_skip(skip)
    if not metrics:
        return ()
    d = _Doc(text, metrics, rules, tables)
    order = {name: k for k, name in enumerate(CHECKS)}
    out: list[Check] = []
    for name, fn in CHECKS.items():
        if name in skipped or name in d.c.disabled:
            continue
        out.extend(fn(d))
    out.sort(key=lambda r: (min(r.metrics) if r.metrics else 0, order[r.check]))
    return tuple(out)


def check_document(doc: Document, rules: Rules | None = None,
                   skip: Iterable[str] = ()) -> Document:
    """The document with its checks (re)computed, e.g. with other checks skipped."""
    return doc.model_copy(update={"checks": run_checks(doc.text, doc.metrics, rules, skip,
                                                       doc.tables)})
