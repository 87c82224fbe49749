"""Attribution: what each quantity measures, result or plan, its role and period.

jieba reads only the short clause around a quantity, never the whole text. The
tokenizer is built once per process, with the user dictionary of patterns/.
"""

from __future__ import annotations

import functools
import itertools
import logging
import math
import os
import re
import string
from typing import Any, NamedTuple, Sequence

import regex

from . import diskcache
from .quantities import Quantity, WordList
from .regexes import compile_pattern
from .rules import Rules
from .sections import sentence_bounds

log = logging.getLogger(__name__)

_YEAR = compile_pattern(
    r"(?r)((?:19|20)\d{2})\s*年(?:度)?(?:(上半年|下半年)|第?([一二三四1-4])季度)?")
_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MAX_INDICATOR = 12  # (城镇居民人均可支配收入 is 11)
_LONG_ATTRIBUTE = 9  # a subject this long is cut after its last 的
_ROLE_WINDOW = 24
_MAX_SUBJECT = 40
_QUOTE_CHARS = frozenset("“”\"'‘’《》「」『』")
_ASIDE_CHARS = compile_pattern("[()\\[\\]“”\"'‘’《》「」『』 \t]")
_SHARE_WORDS = ("比例", "比重", "占比", "比率")
_EDGE_JUNK = compile_pattern(r"^[\W\d_]+|[\W_]+$")  # '-2018学年 → 学年 (quotes, dashes, digits)
_HAN = compile_pattern(r"\p{Han}")
_LETTERS = compile_pattern(r"[A-Za-z]{2,}")  # GDP, CPI
_LIST_JOINERS = ("、", "和", "及", "与", ",", "，")
_INTRODUCERS = ("为期", "历时", "长达")  # 为期一周的专项督导: the noun comes after
_GOAL_AFTER = compile_pattern(r"[^，。；,;]{0,6}(?:的)?(?:目标任务|目标|任务|方案|计划|规划)")
_TITLE_REACH = 600  # characters at the start of a document that hold its title
_ORDINAL = compile_pattern(r"第?[一二三四五六七八九十\d]{1,3}")
_QUOTED = compile_pattern(r"“[^”\n]{0,30}”|《[^》\n]{0,60}》|「[^」\n]{0,30}」")


def _mask_quotes(s: str) -> str:
    """The text with quoted names and titles blanked out (same length)."""
    return _QUOTED.sub(lambda m: " " * len(m.group()), s)


class _Phrase:
    """A short piece of a clause as words: normalised text, text as written, tokens."""

    __slots__ = ("norm", "raw", "words", "_offsets")

    def __init__(self, norm: str, raw: str, words: list[str]) -> None:
        self.norm, self.raw, self.words = norm, raw, words
        self._offsets = [0, *itertools.accumulate(map(len, words))]  # where word k starts

    def _span(self, i: int, j: int) -> tuple[int, int]:
        """Character offsets of words[i:j] (list slice semantics)."""
        i, j, _ = slice(i, j).indices(len(self.words))
        return self._offsets[i], self._offsets[max(i, j)]

    def chars(self, i: int, j: int) -> str:
        a, b = self._span(i, j)
        return self.norm[a:b]

    def raw_chars(self, i: int, j: int) -> str:
        a, b = self._span(i, j)
        return self.raw[a:b]


class _Sentence:
    """The figures of a sentence so far, for the figures after them: what the sentence
    speaks of (its topic) and what a measure word counts."""

    def __init__(self, start: int, before: "_Sentence | None" = None) -> None:
        self.start = start
        self.before = before  # the sentence before it (its own `before` dropped)
        self.figures: list[tuple[int, str, str, str]] = []  # end, noun, kind, unit
        self.baseline_end = -1  # where the last baseline figure ends

    def add(self, q: Quantity, noun: str, role: str) -> None:
        self.figures.append((q.end, noun, q.kind, q.unit))
        if role == "baseline":
            self.baseline_end = q.end

    def noun_before(self, offset: int) -> str:
        """The noun of the last figure that ends at or before offset."""
        return next((n for end, n, _, _ in reversed(self.figures) if end <= offset and n), "")

    def counted(self, q: Quantity) -> str:
        """What the last count in the same measure word counted (692间学校中，有366间 →
        学校)."""
        return next((n for end, n, kind, unit in reversed(self.figures)
                     if end <= q.start and n and kind == q.kind == "count"
                     and unit == q.unit), "")


class Attribution(NamedTuple):
    indicator: str
    modality: str
    role: str
    period: str
    subject: str
    sentence_start: int  # view offsets
    sentence_end: int


# jieba.cut's own splitting (jieba 0.42): runs of Han, Latin letters, digits and
# +#&._%- are cut by the dictionary; any other character is a word of its own.
_BLOCK = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")
_SKIP = re.compile(r"(\r\n|\s)")
_LATIN = frozenset(string.ascii_letters + string.digits)
_ABSENT: Any = object()  # not in the dictionary at all


class _Tokenizer:
    """jieba's dictionary cut (`cut(s, HMM=False)`), the same words, at about twice its
    speed: the base dictionary of patterns/ (a cut of jieba's own, so start-up takes a
    tenth of a second) and the user dictionary, loaded on first use.

    jieba builds a DAG of dictionary words, then takes the route of highest summed
    log frequency; here the two passes are one, over the short clause strings
    attribution reads. tests/test_attribution.py checks it word for word against jieba.
    """

    def __init__(self, words: Sequence[str], dictionary: str | None = None) -> None:
        self._words = words
        self._dictionary = dictionary
        self._tk: Any = None
        self._tags: dict[str, str] = {}     # word → part of speech (dictionary tag)
        # Every word and every prefix of one: log(freq / total) for a word, None for a
        # prefix that is no word (one look-up per step of the scan).
        self._logp: dict[str, float | None] = {}
        self._loaded = False
        self._unknown = 0.0                 # the same for a character not in it
        # Figures close together cut the same clause text again and again (in a long
        # run of figures, every one of them): remember the cuts of the document at hand.
        self._cached_cut = functools.lru_cache(maxsize=1024)(self._cut)

    def cut(self, s: str) -> list[str]:
        return list(self._cached_cut(s))

    def tag(self, word: str) -> str:
        """The word's part of speech from the dictionaries ("x" when it has none): the tag
        jieba.posseg gives a dictionary word, without its slow HMM pass."""
        if not self._loaded:
            self._load()
        return self._tags.get(word, "x")

    def forget(self) -> None:
        """Drop the cuts remembered: a cache kept across documents would make speed
        depend on how much a batch repeats itself (the benchmark's copies, a lot)."""
        self._cached_cut.cache_clear()

    def jieba(self) -> Any:
        """The jieba tokenizer, with the dictionaries loaded (what the table is built
        from, and what the tests compare the cut with)."""
        if self._tk is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer(self._dictionary) if self._dictionary else jieba.Tokenizer()
            tk.initialize()
            for line in self._words:
                parts = line.split()
                freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                tk.add_word(parts[0], freq, parts[2] if len(parts) > 2 else None)
            self._tk = tk
        return self._tk

    def _build(self) -> list[Any]:
        """[log probabilities, unknown, tags] from jieba's own dictionary reading."""
        tk = self.jieba()
        tags: dict[str, str] = {}
        if self._dictionary:
            with open(self._dictionary, encoding="utf-8") as fh:
                for line in fh:
                    parts = line.split()
                    if len(parts) > 2:
                        tags[parts[0]] = parts[2]
        for line in self._words:
            parts = line.split()
            if len(parts) > 2:
                tags[parts[0]] = parts[2]
        logtotal = math.log(tk.total)
        # The same float operations as jieba's calc(), so that ties break alike.
        logp = {w: math.log(f) - logtotal if f else None for w, f in tk.FREQ.items()}
        return [logp, math.log(1) - logtotal, tags]

    def _load(self) -> None:
        """The table, from the disk cache when the same dictionaries built it before:
        then jieba is not even imported (a tenth of a second of every start-up)."""
        self._logp, self._unknown, self._tags = diskcache.cached(
            "tokenizer", self._cache_key(), self._build)
        self._loaded = True

    def _cache_key(self) -> str:
        import importlib.util

        spec = importlib.util.find_spec("jieba")
        parts: list[bytes | str] = [diskcache.code_hash(), "\n".join(self._words)]
        if spec and spec.origin:  # jieba's code (its version)
            st = os.stat(spec.origin)
            parts.append(f"{spec.origin} {st.st_size} {st.st_mtime_ns}")
        if self._dictionary:  # the base dictionary's bytes
            with open(self._dictionary, "rb") as fh:
                parts.append(fh.read())
        return diskcache.key(*parts)

    def _cut(self, s: str) -> tuple[str, ...]:
        if not self._loaded:
            self._load()
        out: list[str] = []
        if _BLOCK.fullmatch(s):  # the common case: one block, nothing to split off
            self._route(s, out)
            return tuple(out)
        for block in _BLOCK.split(s):
            if not block:
                continue
            if _BLOCK.match(block):
                self._route(block, out)
            else:
                for x in _SKIP.split(block):
                    if _SKIP.match(x):
                        out.append(x)
                    else:
                        out.extend(x)
        return tuple(out)

    def _route(self, s: str, out: list[str]) -> None:
        """The words of one block, by the route of highest log frequency (jieba's
        get_DAG and calc in one pass from the right; a tie goes to the longer word)."""
        get = self._logp.get
        n = len(s)
        score = [0.0] * (n + 1)
        end = [0] * n
        for k in range(n - 1, -1, -1):
            best, best_end = 0.0, -1
            i = k
            p = get(s[k], _ABSENT)
            while p is not _ABSENT:
                if p is not None:
                    v = p + score[i + 1]
                    if best_end < 0 or v >= best:
                        best, best_end = v, i
                i += 1
                if i >= n:
                    break
                p = get(s[k:i + 1], _ABSENT)
            if best_end < 0:
                best, best_end = self._unknown + score[k + 1], k
            score[k], end[k] = best, best_end
        # Single Latin letters and digits in a row make one word, as in jieba.
        x, buf = 0, ""
        while x < n:
            y = end[x] + 1
            word = s[x:y]
            if y - x == 1 and word in _LATIN:
                buf += word
            else:
                if buf:
                    out.append(buf)
                    buf = ""
                out.append(word)
            x = y
        if buf:
            out.append(buf)


class Attributor:
    """Attributes the quantities of one document."""

    def __init__(self, rules: Rules, tokenizer: _Tokenizer | None = None) -> None:
        self.rules = rules
        ind = rules.indicators
        self.boundary_back = compile_pattern("(?r)" + ind.boundary)
        self.boundary_fwd = compile_pattern(ind.boundary)
        self.strip_prefix = frozenset(ind.strip_prefix)
        self.strip_suffix = frozenset(ind.strip_suffix)
        self.stop_words = frozenset(ind.stop_words)
        self.verbs = frozenset(ind.verbs)
        self.generic_nouns = frozenset(ind.generic_nouns)
        self.generic_heads = frozenset(ind.generic_heads)
        self.award_verbs = frozenset(ind.award_verbs)
        self.attribute_verbs = frozenset(ind.attribute_verbs)
        self.part_words = frozenset(ind.part_words)
        self._comparison_starts = tuple(ind.comparisons) + ("与", "从", "由")
        self.conjunctions = frozenset(ind.conjunctions)
        self.copulas = tuple(ind.copulas)
        self.per_words = frozenset(ind.per_words)
        self.right_units = frozenset(ind.right_units)
        self.predicates = frozenset(ind.predicates)
        self.comparisons = frozenset(ind.comparisons)
        self.adverbials = frozenset(ind.adverbials)
        self.adverbial_tags = frozenset(ind.adverbial_tags)
        self.list_joiners = frozenset(ind.list_joiners)
        self.share_words = tuple(ind.share_words) or _SHARE_WORDS
        self.rank_scopes = frozenset(ind.rank_scopes)
        self.object_verbs = frozenset(ind.object_verbs)
        self.measure_heads = tuple(sorted(ind.measure_heads, key=len, reverse=True))
        mod = rules.modality
        # Reverse searches: the match nearest the end of the window (the figure) first.
        self.target_re = compile_pattern("(?r)(?:" + "|".join(mod.target_cues) + ")") \
            if mod.target_cues else None
        self.actual_re = compile_pattern("(?r)(?:" + "|".join(mod.actual_cues) + ")") \
            if mod.actual_cues else None
        # The predicates are words to the tokenizer too, so that no cut splits one
        # (扩至 is not 扩|至, 高达 not 已高|达).
        known = {line.split()[0] for line in rules.userdict if line.split()}
        words = [*rules.userdict, *(f"{w} 20000 v" for w in dict.fromkeys(
            [*ind.predicates, *ind.comparisons]) if len(w) > 1 and w not in known),
                 *(f"{w} 20000 r" for w in ind.per_words if len(w) > 1 and w not in known)]
        self.tok = tokenizer or _Tokenizer(words, rules.jieba_base)
        self.noun = ""  # the noun of the last indicator() answer (see there)
        self._approx_before = WordList(rules.approx_before)
        self._approx_after = WordList(rules.approx_after)

    # -- indicator ----------------------------------------------------------------
    def _window(self, text: str, raw: str, lo: int, hi: int) -> _Phrase:
        """The words of [lo, hi) without quote marks and complete bracketed asides."""
        if _ASIDE_CHARS.search(text, lo, hi) is None:  # the common case: nothing to drop
            norm = text[lo:hi]
            return _Phrase(norm, raw[lo:hi], self.tok.cut(norm) if norm else [])
        drop = [False] * (hi - lo)
        stack: list[int] = []
        for i in range(lo, hi):
            c = text[i]
            if c in "([":
                stack.append(i)
            elif c in ")]":
                if stack:
                    for k in range(stack.pop(), i + 1):
                        drop[k - lo] = True
                else:
                    drop[i - lo] = True  # the close of a bracket the figure stands in
            elif c in _QUOTE_CHARS or c in " \t":
                drop[i - lo] = True
        for k in stack:
            drop[k - lo] = True  # an open bracket the figure stands in: keep what follows
        keep = [i for i in range(lo, hi) if not drop[i - lo]]
        norm = "".join(text[i] for i in keep)
        return _Phrase(norm, "".join(raw[i] for i in keep), self.tok.cut(norm) if norm else [])

    def _strip(self, p: _Phrase, i: int, j: int) -> tuple[int, int]:
        """Words [i, j) without function words at either end."""
        w = p.words
        while i < j and w[i] in self.strip_prefix:
            i += 1
        while i < j and w[j - 1] in self.strip_suffix:
            j -= 1
        return i, j

    def _verb_first(self, text: str, raw: str, lo: int, hi: int) -> bool:
        """The words after a figure open with a verb (进行测试, 未进行测试, 适用于…), and
        no 的 follows (具有…资格的学校 is a noun with its attribute)."""
        if "的" in text[lo:hi]:
            return False
        p = self._window(text, raw, lo, min(hi, lo + 8))
        k = 0
        while k < len(p.words) and p.words[k] in ("未", "没有", "不", "均", "都", "已", "仍"):
            k += 1
        return k < len(p.words) and p.words[k] in self.verbs \
            and p.words[k] not in self.award_verbs

    def _generic(self, p: _Phrase, i: int, j: int) -> bool:
        """Words [i, j) name only a kind of total (总额, 最新数字, 去年同期的数字)."""
        for k in range(j - 1, i - 1, -1):
            if p.chars(k, j) in self.generic_heads:
                return all(self._is_adverbial(w) or self.tok.tag(w) in ("t", "f", "b")
                           for w in p.words[i:k])
        return False

    def _lead(self, p: _Phrase, i: int, j: int) -> tuple[int, int]:
        """Words [i, j) without the time words, per-words and function words that open
        no indicator (年末全市户籍人口, 每学期深入中小学调研指导)."""
        w = p.words
        while i < j - 1 and (w[i] in self.strip_prefix or (len(w[i]) >= 2 and (
                w[i] in self.adverbials or w[i] in self.per_words))):
            i += 1
        return self._strip(p, i, j)

    def _tail(self, p: _Phrase, i: int, j: int) -> tuple[int, int]:
        """The last words of [i, j) that fit the indicator length."""
        k, n = j, 0
        while k > i and n + len(p.words[k - 1]) <= _MAX_INDICATOR:
            k -= 1
            n += len(p.words[k])
        return (k, j) if k < j else (j - 1, j)

    def _noun_after(self, p: _Phrase, i: int, j: int) -> tuple[int, int]:
        """The noun after a measure word: 两个省级试点项目的推进情况 → 省级试点项目 (the
        noun the measure word counts, up to 的 or a verb); 具有…资格的公办中小学校建立… →
        公办中小学校 (a clause that starts with a verb describes the noun after its 的)."""
        w = p.words
        if i < j and w[i] in self.verbs:
            k = next((k for k in range(i, j) if w[k] == "的"), -1)
            if k < 0:
                return i, i
            i = k + 1
        elif i < j and (w[i] in self.attribute_verbs or (
                self.tok.tag(w[i]) == "m" and w[i].startswith("第"))):
            # 50名属第二层级的学生, 100名第二层级的学生: a short attribute before 的
            k = next((k for k in range(i, j) if w[k] in ("的", "、") or w[k] in self.verbs
                      or len(p.chars(i, k)) > 12), -1)
            if k >= 0 and w[k] == "的" and k + 1 < j:
                i = k + 1
                # 患有抑郁症的老妇|涉嫌…: the noun ends at the next verb
                k = next((k for k in range(i + 1, j) if self.tok.tag(w[k]) == "v"), j)
                return self._strip(p, i, k)
        k = i
        while k < j and w[k] not in self.verbs and w[k] != "的" and \
                (k == i or w[k] not in self.predicates) and \
                (k == i or w[k] not in self.conjunctions):
            k += 1
        return self._strip(p, i, k)

    def _is_adverbial(self, w: str) -> bool:
        return w in self.adverbials or w in self.strip_suffix \
            or self.tok.tag(w) in self.adverbial_tags or not _named(w)

    def _predicate(self, p: _Phrase, i: int, j: int) -> tuple[int, bool]:
        """Where the predicate before a figure starts in words [i, j), and whether there
        is one: 社会消费品零售总额|增长, 一产增加值增幅|高于全国, 粮食总产量…|稳居全国,
        全市一般公共预算收入|第三季度直接飙升至. The words before it are the subject."""
        w = p.words
        k, found = j, False
        while k > i:
            word = w[k - 1]
            if word in self.predicates:
                k, found = k - 1, True
                continue
            if self._is_adverbial(word):
                k -= 1
                continue
            # A noun may be the object of a comparison verb just before it (高于全国,
            # 占上年总支出, 比上年同期): then the verb starts the predicate.
            c, n = k - 1, 0
            while c > i and n < 3 and w[c - 1] not in self.comparisons \
                    and w[c - 1] not in self.predicates and w[c - 1] not in self.list_joiners:
                c, n = c - 1, n + 1
            if c > i and w[c - 1] in self.comparisons:
                k, found = c - 1, True
                continue
            break
        if found:
            return k, True
        return j, False

    def _subject(self, p: _Phrase, i: int, j: int) -> tuple[int, int]:
        """The noun phrase of words [i, j) that a predicate after it is about: its last
        words up to the indicator length, without function words and adverbs at its end."""
        while j > i and self._is_adverbial(p.words[j - 1]):
            j -= 1
        # time words and numbers before the subject (2022年, 全年, 第三季度) are no part of it
        while i < j and (not _named(p.words[i])
                         or p.words[i] in self.adverbials or p.words[i] in self.strip_prefix
                         or (i > 0 and not _HAN.search(p.words[i - 1])
                             and p.words[i] in ("年", "年度", "月", "季度"))):
            i += 1
        for k in range(j - 1, i, -1):
            # 预算2017/18年度总收入: what follows a number (and its 年度) is the subject
            if not _named(p.words[k - 1]) and _HAN.search(p.words[k]):
                i = k + (1 if p.words[k] in ("年", "年度", "月", "季度") else 0)
                break
        a, b = self._strip(p, i, j)
        if b <= a:
            return a, a
        # the last item of a list is not the subject of a figure of its own
        k = b
        while k > a and p.words[k - 1] not in self.list_joiners:
            k -= 1
        if k > a and not all(self.tok.tag(x) in ("v", "vn") or x in self.list_joiners
                             for x in p.words[k:b]):
            a = k  # (not a list of actions: 配建、维修和改造)
        a, b = self._strip(p, *self._tail(p, a, b))
        # cut after 的 rather than inside a long attribute (有进出口实绩的企业数量)
        if len(p.chars(a, b)) >= _LONG_ATTRIBUTE:
            for d in range(b - 1, a, -1):
                if p.words[d] == "的" and len(p.chars(d + 1, b)) >= 2:
                    a = d + 1
                    break
        return a, b

    def _clause_topic(self, text: str, raw: str, s: int, clause_start: int) -> str:
        """The noun phrase that ends the clause before clause_start in its sentence."""
        if clause_start <= s + 1:
            return ""
        end = clause_start - 1
        m = self.boundary_back.search(text, s, end)
        p = self._window(text, raw, m.end() if m else s, end)
        if not p.words:
            return ""
        a, v = 0, -1
        for k, w in enumerate(p.words):  # 增加傷殘受養人免稅額: the object of its verb
            if w in self.predicates or w in self.verbs:
                a, v = k + 1, k
        sa, sb = self._subject(p, a, len(p.words))
        if sb <= sa and v > 0:
            sa, sb = self._subject(p, 0, v)  # 服务总时数显著增加: the subject of its verb
        return self._clean(p.raw_chars(sa, sb)) if sb > sa else ""

    def _links(self, p: _Phrase, i: int) -> bool:
        """Word i is a predicate that links a figure to the next (37,188人|增至47,937人):
        what follows the figure is then no noun it counts."""
        return i < len(p.words) and p.words[i] in self.predicates \
            and p.words[i].endswith(("至", "到"))

    def predicate_tail(self, text: str, raw: str, q: Quantity, lb: int) -> str:
        """The predicate just before a figure, as written: 增长, 同比增长, 比上年增长,
        高于全国, 提高 (without 分别, 均 and the like before it)."""
        hi = q.start - len(self._approx_before.before(text, q.start, lb))
        left = self._window(text, raw, lb, hi)
        n = len(left.words)
        while n > 0 and left.words[n - 1] in ("了", "的", "为", "达", "达到"):
            n -= 1  # (增长了, 增幅为: the verb itself names it)
        k, found = self._predicate(left, 0, n)
        if not found:
            return ""
        while k < n and left.words[k] not in self.predicates \
                and left.words[k] not in self.comparisons:
            k += 1
        return _EDGE_JUNK.sub("", left.raw_chars(k, n)) if k < n else ""

    def _compared(self, p: _Phrase, i: int, j: int) -> bool:
        """Words [i, j) are a comparison and its object only: 高出全国平均水平, 高于序时进度."""
        return i < j and p.words[i] in self.comparisons and p.words[i] not in self.adverbials \
            and len(p.chars(i, j)) <= _MAX_INDICATOR

    def _subjectless(self, p: _Phrase, i: int, j: int) -> bool:
        """Words [i, j) hold a verb and no noun: 同比增长, 按年增, 相较去年提升了, 增幅."""
        return i < j and all(
            w in self.predicates or w in self.comparisons or self._is_adverbial(w)
            for w in p.words[i:j])

    def indicator(self, text: str, raw: str, q: Quantity, lb: int, rb: int,
                  clause_start: int, prev: str, joined: bool = False, role: str = "value",
                  sentence_start: int = 0, sentence: _Sentence | None = None) -> str:
        """`sentence` holds the figures before it in its sentence: a growth or a share
        whose clause names nothing is about what the sentence spoke of before the clause
        (旅客发送量28.25亿人次，同比增长9.2% → 旅客发送量同比增长). `self.noun` is left
        holding the noun the indicator names."""
        self.noun = ""

        def topic() -> str:
            if sentence is None:
                return ""
            # 比重提升至55.7%、提高4.7个百分点: the figure joined to it; 失业率较第一季的
            # 4.2%增加2%: the baseline before it in its clause
            near = joined or sentence.baseline_end > clause_start
            return sentence.noun_before(q.start if near else clause_start) or \
                self._clause_topic(text, raw, sentence_start, clause_start)

        # Qualifiers around the figure (不少于20%, 90%以上) are not part of what it measures.
        hi = q.start - len(self._approx_before.before(text, q.start, lb))
        lo = q.end + len(self._approx_after.at(text, q.end, rb))
        if lb > clause_start and text[lb:hi].rstrip(" ").endswith(("、", ";", "；")):
            lb = hi  # 属第二层级的学生、45间: what stands before the joiner is the last item's
        left = self._window(text, raw, lb, hi)
        la, lb_ = self._strip(left, 0, len(left.words))
        for k in range(lb_ - 1, la - 1, -1):
            # 收入从2021年的46503元: the start of a change and its time are no part of it
            if left.words[k] in ("由", "从"):
                if all(not _named(w) or w in self.adverbials or self.tok.tag(w) == "t"
                       or w in ("年", "年底", "年末", "年初", "的")
                       for w in left.words[k + 1:lb_]):
                    la, lb_ = self._strip(left, la, k)
                break
        for k in range(lb_ - 1, la, -1):
            if left.words[k - 1] in self.object_verbs:  # 录得盈余: the object names it
                la = k
                break
        end = len(left.words)
        if q.kind == "rank":
            # 跃升至全球|第1位: the scope of a ranking is no part of what is ranked
            while lb_ > la and (left.words[lb_ - 1] in self.rank_scopes
                                or left.words[lb_ - 1] in ("前列", "前", "第")):
                lb_ -= 1
            end = lb_
        pk, has_pred = self._predicate(left, la, end) if la < lb_ else (lb_, False)
        if q.kind == "rank":
            m = _QUOTED.search(text, clause_start, q.start)
            if m is not None:
                return raw[m.start() + 1:m.end() - 1]
        if sentence is not None and q.kind == "count" and left.words \
                and left.words[-1] in self.part_words \
                and self._verb_first(text, raw, lo, rb):
            # 360种除害剂…。…只对当中105种进行测试: 当中 may reach the sentence before
            noun = sentence.counted(q) or (sentence.before.counted(q) if sentence.before
                                           else "")
            if noun:
                return noun
        if sentence is not None and (la >= lb_ or all(
                w in self.predicates or self._is_adverbial(w) for w in left.words[la:lb_])):
            after = text[lo:rb].lstrip(" ")
            if q.kind == "percent" and text[lb:hi].strip(" ") == "(" and after[:1] == ")" \
                    and role == "share":
                noun = sentence.noun_before(q.start)  # 有366间(52.9%): its share
                if noun:
                    self.noun = noun
                    return noun + "占比"
            if q.kind == "count" and (not _HAN.search(after) or after[:1] in "(:" or
                                      self._verb_first(text, raw, lo, rb)):
                # 692间学校中，有366间(52.9%)有盈余; 360种除害剂…，当中105种进行测试
                noun = sentence.counted(q)
                if noun:
                    return noun
        if q.kind == "percent" and role == "value" and sentence is not None \
                and text[lb:hi].rstrip(" ").endswith("(") and text[lo:rb].lstrip(" ")[:1] == ")":
            # 失业率达5%，是自2003年第三季（5.5%）以来最高: the same rate at another time
            noun = sentence.noun_before(q.start)
            if noun:
                return noun
        if q.kind == "percent":
            # 民间投资占比34%, 占中小学校比例的55%, 占比达到87.5%, 占上年总支出…的88.41%
            words = left.words
            # (相当于本地生产总值37%: a share of it)
            share = next((k for k in range(lb_ - 1, la - 1, -1)
                          if words[k] in ("占", "占比", "相当于")
                          and (words[k] != "占比" or k < lb_ - 1)), -1)
            if share >= 0 or "占" in text[clause_start:lb]:
                whole = left.chars(share + 1, len(words)) if share >= 0 else ""
                word = next((x for x in self.share_words if x in whole),
                            words[share] if share >= 0 and words[share] == "占比" else "占比")
                sa, sb = self._subject(left, la, share) if share > la else (0, 0)
                part = self._clean(left.raw_chars(sa, sb)) if sb > sa else ""
                if not part and sentence is not None and (share <= la or self._subjectless(
                        left, la, share)):
                    part = topic()  # …预算为806亿元，占整体经常开支18.3%
                self.noun = part
                return part + word if part else word
            tail = left.norm.rstrip("的为达到是")
            for word in self.share_words:
                if tail.endswith(word):
                    # the part: the words after the last verb (超额完成2023年度占比 → 占比)
                    a = la
                    for k in range(la, pk):
                        if left.words[k] in self.predicates or left.words[k] in self.verbs:
                            a = k + 1
                    sa, sb = self._subject(left, a, pk)
                    out = self._clean(left.raw_chars(sa, sb)) if sb > sa else ""
                    return out if out.endswith(word) else word
        if role in ("growth", "change") and sentence is not None \
                and (q.kind in ("percent", "pp") or not _HAN.search(text, lo, rb)) \
                and (self._subjectless(left, la, lb_) or self._compared(left, la, lb_)):
            noun = topic()
            if noun:
                self.noun = noun
                return noun  # (attribute() adds the predicate: 旅客发送量同比增长)
        if role == "baseline" and sentence is not None and la >= lb_ \
                and text[lb:hi].rstrip(" ").endswith(("由", "从")):
            noun = topic()  # 服务总时数显著增加，从111小时增至213小时
            if noun:
                self.noun = noun
                return noun
        if role == "baseline" and sentence is not None:
            # 失业率…，也较去年同期的2.9%: the thing compared, and with what
            k = la
            while k < lb_ and left.words[k] in self.adverbials \
                    and left.words[k] not in ("比", "较"):
                k += 1
            if k < lb_ and left.words[k].startswith(("比", "较")) \
                    and len(left.chars(k, lb_)) <= _MAX_INDICATOR:
                noun = topic()
                if noun:
                    self.noun = noun
                    return noun + self._clean(left.raw_chars(k, lb_))
        if role not in ("growth", "change", "share") and (
                la >= lb_ or all(w in self.predicates or self._is_adverbial(w)
                                 for w in left.words[la:])) \
                and not any(w in self.comparisons for w in left.words[la:]):
            # 由现时4万元增至4.5万元, 盈余：928亿元: a clause without a subject is about
            # the topic before it (the figure before it, or the clause before its own)
            right = self._window(text, raw, lo, rb)
            # (a figure that opens its clause, $12亿建基因组中心, is about what follows)
            if not (right.words and right.words[0] == "的") and not (
                    (q.kind in ("count", "measure") or la >= lb_) and len(right.norm) >= 2
                    and not right.norm.startswith(_LIST_JOINERS)
                    and not self._links(right, 0)):
                topic = prev or self._clause_topic(text, raw, sentence_start, clause_start)
                if topic:
                    return topic
        if has_pred and q.kind in ("count", "measure"):
            # 完成16家公办中小学领导职数核定: a noun after the measure word says what it counts
            right = self._window(text, raw, lo, rb)
            ra, rb2 = self._strip(right, 0, len(right.words))
            if len(right.chars(ra, rb2)) >= 2 and not right.norm.startswith(_LIST_JOINERS) \
                    and not self._links(right, ra) \
                    and not text.startswith(("(", "["), q.end):
                has_pred = False
        if has_pred:
            sa, sb = self._subject(left, la, pk)
            if q.kind == "rank" and sb > sa:
                # 中考成绩全盟排位19名: a ranking word after the subject belongs to it
                k = next((k for k in range(lb_ - 1, pk - 1, -1)
                          if left.words[k] in ("排名", "排位")), -1)
                if k >= 0 and len(left.chars(sa, k + 1)) <= _MAX_INDICATOR:
                    sb = k + 1
            out = self._clean(left.raw_chars(sa, sb)) if sb > sa else ""
            if out and self._generic(left, sa, sb):
                # 获发放学习支援津贴，总额达5.39亿元: what the clause before spoke of
                out = (self._clause_topic(text, raw, sentence_start, clause_start)
                       or topic()) + out
            if out and out not in self.stop_words:
                return out
            if prev and (joined or q.kind == "rank"):
                return prev  # 民间投资占比34%、提高1.3个百分点; 粮食总产量…，稳居全国第4位
        if lb_ <= la and prev and left.words and left.words[-1] in self.per_words:
            return prev  # 每次不少于一周: the figure before it says what
        right = self._window(text, raw, lo, rb)  # not needed by the answers above
        lchars = left.chars(la, lb_)
        left_ok = len(lchars) >= 2 and _named(lchars) and lchars not in self.stop_words
        # 提供逾7亿元的经常资助: an action verb before the figure takes what follows as object
        left_action = lb_ > la and (left.words[lb_ - 1] in self.object_verbs or (
            self.tok.tag(left.words[lb_ - 1]).startswith("v")
            and left.words[lb_ - 1] not in self.predicates))
        sa_, sb_ = self._subject(left, la, lb_) if la < lb_ else (0, 0)
        left_weak = not left_ok or lchars in self.verbs or len(lchars) <= 2 or left_action \
            or sb_ <= sa_ \
            or left.norm.endswith(_INTRODUCERS) \
            or (la < lb_ and left.words[la] in self.per_words)
        phrase: tuple[_Phrase, int, int] | None = None
        if right.words and right.words[0] == "的" and left_weak:
            # 10万元的奖励资金, 为期一周的专项督导: the figure describes what follows.
            a, b = self._noun_after(right, 1, len(right.words))
            if len(right.chars(a, b)) >= 2:
                phrase = (right, *self._tail(right, a, b))
        if phrase is None:
            ra, rb2 = self._strip(right, 0, len(right.words))
            # 统招17名、分招32名: what follows a list separator is the next item's;
            # 41（含双师型21）人: an aside.
            right_ok = len(right.chars(ra, rb2)) >= 2 and not self._links(right, ra) \
                and not right.norm.startswith(_LIST_JOINERS) \
                and not text.startswith(("(", "["), q.end)
            # (a word of its own: 规模|为 is a copula, 分为 is not)
            copula = bool(left.words) and left.words[-1] in self.copulas
            if q.kind == "measure" and right_ok and not right.norm.startswith("的") \
                    and not self.tok.tag(right.words[ra]).startswith("v"):
                use_right = True  # 400米标准跑道, 2-3岁托班
            elif self.rules.normalize(q.unit) in self.right_units and right_ok:
                use_right = True
            elif q.kind == "count" and right_ok:
                use_right = not (copula and left_ok)
            elif (q.kind == "money" or (q.kind == "percent" and lb_ > la
                                        and left.words[lb_ - 1] in self.object_verbs)) \
                    and right_ok and left_action \
                    and len(right.chars(ra, rb2)) <= 8 and not any(
                        w in self.verbs or w in self.predicates
                        for w in right.words[ra:rb2]):
                use_right = True  # 涉及约710亿元开支, 增拨4亿元经常资助: the object
            else:
                use_right = right_ok and not left_ok
            if use_right:
                a, b = self._noun_after(right, ra, rb2)
                noun = right.chars(a, b)
                if q.kind == "count" and left.norm.endswith("的") and left_ok and noun:
                    # 配建的8所学校: the attribute before the figure joins its noun.
                    return (left.raw_chars(la, lb_) + right.raw_chars(a, b))[-_MAX_INDICATOR:]
                if len(noun) < 2 or noun in self.generic_nouns:
                    a, b = ra, rb2  # 12所学校开展暑期托管服务: keep what they did
                phrase = (right, *self._tail(right, a, b))
            elif left_ok:
                a, b = self._lead(left, *self._tail(left, la, lb_))
                phrase = (left, a, b) if b > a else (left, *self._tail(left, la, lb_))
        if phrase is None:
            return prev
        ph, a, b = phrase
        out = _EDGE_JUNK.sub("", ph.raw_chars(a, b))
        if ph is left and self._generic(ph, a, b):
            # 校安工程稳步实施，总投入5000万元: the total of what the sentence spoke of
            out = (topic() if joined else "") or \
                self._clause_topic(text, raw, sentence_start, clause_start) or topic()
            out += _EDGE_JUNK.sub("", ph.raw_chars(a, b))
        return out if len(out) >= 2 and _HAN.search(out) else prev

    @staticmethod
    def _clean(s: str) -> str:
        out = _EDGE_JUNK.sub("", s)
        return out if len(out) >= 2 and (_HAN.search(out) or _LETTERS.search(out)) else ""

    # -- lists ----------------------------------------------------------------------
    def _runs(self, text: str, quantities: Sequence[Quantity]) -> list[int]:
        """For each figure, the index of the first figure of the list it stands in
        (45所、12所、3所; 10.7%和9.5%): figures separated only by a list joiner and a
        qualifier."""
        first = list(range(len(quantities)))
        for k in range(1, len(quantities)):
            a, b = quantities[k - 1], quantities[k]
            gap = text[a.end:b.start].strip(" ")
            gap = gap[len(self._approx_after.at(gap, 0)):].lstrip(" ")  # 7%左右和8%左右
            if not gap or len(gap) > 4:
                continue
            j = next((x for x in self.list_joiners if gap.startswith(x)), "")
            rest = gap[len(j):].strip(" ")
            if j and (not rest or rest == self._approx_before.before(rest, len(rest))
                      or rest == "第"):
                first[k] = first[k - 1]
        return first

    def _list_items(self, text: str, raw: str, q: Quantity, clause_start: int,
                    n: int) -> list[str] | None:
        """The indicators of a list of n figures from the list of items before their
        predicate: 家用电器、汽车、新能源汽车零售额分别增长a、b、c → 家用电器零售额, 汽车零售额,
        新能源汽车零售额 (the shared head distributed); when the counts differ, the head."""
        hi = q.start - len(self._approx_before.before(text, q.start, clause_start))
        left = self._window(text, raw, clause_start, hi)
        la, _ = self._strip(left, 0, len(left.words))
        pk, has_pred = self._predicate(left, la, len(left.words))
        if not has_pred:
            return None
        w = left.words
        j = pk
        while j > la and self._is_adverbial(w[j - 1]) and w[j - 1] not in self.list_joiners:
            j -= 1
        # the items: split at the joiners, back to the first word that is no item
        cuts = [k for k in range(la, j) if w[k] in self.list_joiners]
        if not cuts:
            return None
        start = la
        items = []
        prev_cut = start
        for k in cuts + [j]:
            items.append((prev_cut, k))
            prev_cut = k + 1
        items = [(a, b) for a, b in items if b > a]
        if len(items) < 2:
            return None
        # the first item: its last words (之前 may stand a verb: 实施消费品…，限额以上…)
        a0, b0 = items[0]
        sa, sb = self._subject(left, a0, b0)
        if sb > sa:  # (第一、第三产业增加值: an ordinal is an item of its own)
            items[0] = (sa, sb)
        raws = [self._clean(left.raw_chars(a, b)) or left.raw_chars(a, b) for a, b in items]
        # the shared head: after 等 in the last item, else its measure word, else its last word
        la_, lb2 = items[-1]
        head = ""
        if "等" in w[la_:lb2]:
            e = w.index("等", la_, lb2)
            head = left.raw_chars(e + 1, lb2)
            raws[-1] = left.raw_chars(la_, e)
            if not raws[-1]:
                raws.pop()
        elif lb2 - la_ >= 2 and len(w[la_]) >= 2:
            # the last item is a modifier like the other items and the head they share:
            # 部级|创新平台, 食用菌|全产业链产值, 新能源汽车|零售额
            head = left.raw_chars(la_ + 1, lb2)
        last = left.raw_chars(la_, lb2)
        m = _ORDINAL.match(self.rules.normalize(last))
        if m and all(_ORDINAL.fullmatch(self.rules.normalize(r)) and r.startswith("第")
                     for r in raws[:-1]):
            head = last[m.end():]  # 第一、第三产业增加值: the items are the ordinals
        head = self._clean(head) or head
        if len(raws) != n:
            return [head] * n if len(head) >= 2 else None
        out = []
        for k, item in enumerate(raws):
            norm = self.rules.normalize(item)
            if head and k < len(raws) - 1 and not norm.endswith(self.measure_heads) \
                    and not norm.endswith(self.rules.normalize(head)):
                # 装备制造业 + 制造业增加值 → 装备制造业增加值: the words they share once
                h = self.rules.normalize(head)
                overlap = next((n for n in range(min(len(norm), len(h)), 0, -1)
                                if norm.endswith(h[:n])), 0)
                item += head[overlap:]
            elif head and k == len(raws) - 1 and "等" in w[la_:lb2]:
                item += head
            out.append(item)
        return out

    def subject(self, text: str, raw: str, q: Quantity, clause_start: int) -> str:
        """The entities a figure is about, where the clause lists them before 等:
        对赵集中学、山后学校等13所学校 → 赵集中学、山后学校."""
        end = q.start
        while end > clause_start and text[end - 1] in " \t":
            end -= 1
        if end <= clause_start or text[end - 1] != "等":
            return ""
        lo = max(clause_start, end - 1 - _MAX_SUBJECT)
        p = self._window(text, raw, lo, end - 1)
        k = len(p.words)
        while k > 0 and p.words[k - 1] not in self.verbs:
            k -= 1
        return p.raw_chars(k, len(p.words)).strip("、，, ")

    # -- modality, role, period -------------------------------------------------------
    def modality(self, text: str, q: Quantity, s: int, clause_start: int, clause_end: int,
                 part: str, role: str, after: int = -1, prev: str = "",
                 baseline_at: int = -1) -> str:
        """target or actual: the figure's clause first (from the figure before it in the
        clause: 由现时4万元增至4.5万元), then the report part, then the nearest cue in
        the rest of the sentence. `after` is where the figure before it in the clause
        ends, `prev` that figure's modality when it is no baseline, `baseline_at` where
        it starts when it is one."""
        if role == "target" or _GOAL_AFTER.match(text, q.end, clause_end):
            return "target"
        if role == "baseline":
            return "actual"  # 由现时4万元增至4.5万元, 比上年同期31139万元: where it stands now
        if after > clause_start:
            cue = self._nearest_cue(_mask_quotes(text[after:q.start]))
            if cue:
                return cue
            if prev:
                return prev
            if baseline_at > clause_start:
                # 建议将…由70岁降至65岁: the clause's cue before 由 is the new figure's
                head = text[clause_start:baseline_at]
                cut = max(head.rfind("由"), head.rfind("从"))
                cue = self._nearest_cue(_mask_quotes(head[:cut] if cut >= 0 else head))
                if cue:
                    return cue
        else:  # (after a baseline the clause before it speaks of the old figure)
            cue = self._nearest_cue(_mask_quotes(text[clause_start:q.start]))
            if cue:
                return cue
        if part == "plan":
            return "target"
        return self._nearest_cue(_mask_quotes(text[s:clause_start])) or (
            "target" if part == "plan-doc" else "actual")

    def _nearest_cue(self, window: str) -> str:
        t = self.target_re.search(window) if self.target_re else None
        a = self.actual_re.search(window) if self.actual_re else None
        if t is None and a is None:
            return ""
        if a is None or (t is not None and t.end() > a.end()):
            return "target"
        return "actual"

    def role(self, text: str, q: Quantity, s: int, clause_end: int) -> str:
        # The role rules look back across brackets (任务（44265万元）), not across clauses.
        before = text[max(s, q.start - _ROLE_WINDOW):q.start]
        after = text[q.end:clause_end]
        role = self._first_role(q, before, after)
        qualifier = self._approx_before.before(before, len(before))
        if role == "value" and qualifier:
            # 比前年少逾200宗: the verb stands before the qualifier
            role = self._first_role(q, before[:len(before) - len(qualifier)], after)
        return role

    def _first_role(self, q: Quantity, before: str, after: str) -> str:
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
        self.tok.forget()
        prev_end = 0
        prev_sentence, prev_indicator = -1, ""
        sentence = _Sentence(-1)
        runs = self._runs(text, quantities)
        prev_modality, prev_role, prev_start = "", "", -1
        # a budget's title makes the whole of it a plan where no heading says otherwise
        head = _mask_quotes(text[:_TITLE_REACH])
        doc_part = "plan-doc" if any(w in head for w in self.rules.modality.plan_titles) \
            else ""
        listed: dict[int, str] = {}
        first_role: dict[int, str] = {}
        verbs: dict[int, str] = {}
        for k, q in enumerate(quantities):
            if runs[k] == k and k + 1 < len(quantities) and runs[k + 1] == k:
                n = sum(1 for r in runs if r == k)
                s0, _ = sentence_bounds(text, q.start, q.end)
                m0 = self.boundary_back.search(text, s0, q.start)
                items = self._list_items(text, raw, q, m0.end() if m0 else s0, n)
                if items:
                    for x, item in enumerate(items):
                        listed[k + x] = item
        for k, q in enumerate(quantities):
            s, e = sentence_bounds(text, q.start, q.end)
            m = self.boundary_back.search(text, s, q.start)
            clause_start = m.end() if m else s
            lb = max(clause_start, prev_end if prev_end > s else s)
            nxt = quantities[k + 1].start if k + 1 < len(quantities) else len(text)
            m = self.boundary_fwd.search(text, q.end, e)
            clause_end = m.start() if m else e
            rb = min(clause_end, nxt)
            prev = prev_indicator if prev_sentence == s else ""
            joined = bool(prev) and prev_end > clause_start \
                and text[prev_end:q.start].lstrip(" ")[:1] in ("、", "和", "及", "与", "并")
            role = self.role(text, q, s, clause_end)
            # 分别增长7.5%、11.5%: the figures of a list share the role of the first
            if runs[k] != k and quantities[runs[k]].kind == q.kind and role == "value":
                role = first_role.get(runs[k], role)
            if sentence.start != s:
                sentence.before = None
                sentence = _Sentence(s, sentence)
            indicator = listed.get(k) or self.indicator(text, raw, q, lb, rb, clause_start,
                                                        prev, joined, role, s, sentence)
            noun = (self.noun if k not in listed else "") or indicator
            if role != "baseline" or not noun.startswith(self._comparison_starts):
                # (比上年同期31139万元 is no topic; 第二季失业率较第一季的4.2% is)
                sentence.add(q, noun, role)
            prev_sentence, prev_indicator = s, indicator
            if role in ("growth", "change"):
                # A growth or change is named by what changed and the verb, as 社会消费品
                # 零售总额增长: the verb alone (增长) or the noun alone would lose half of it.
                verb = self.predicate_tail(text, raw, q, lb) if runs[k] == k \
                    else verbs.get(runs[k], "")  # (分别增长7.5%、11.5%: the first's verb)
                verbs[k] = verb
                if verb and not self.rules.normalize(indicator).endswith(
                        self.rules.normalize(verb)):
                    indicator += verb
            first_role[k] = role
            same_clause = prev_end > clause_start and k > 0
            modality = self.modality(
                text, q, s, clause_start, clause_end, parts[k] or doc_part, role,
                prev_end if same_clause else -1,
                prev_modality if same_clause and prev_role not in ("baseline", "target") else "",
                prev_start if same_clause and prev_role == "baseline" else -1)
            prev_modality, prev_role, prev_start = modality, role, q.start
            period = self.period(text, s, q, fallback_periods[k])
            subject = self.subject(text, raw, q, clause_start)
            out.append(Attribution(indicator, modality, role, period, subject, s, e))
            prev_end = q.end
        return out


def _named(word: str) -> bool:
    """A word that can be part of a name: Han characters or Latin letters (GDP)."""
    return bool(_HAN.search(word) or _LETTERS.search(word))


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
