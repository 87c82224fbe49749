"""The cleaned, normalised view of a document, with a map back to original offsets.

Cleaning never moves the original text. The view is the text with removed ranges
replaced by a joiner ("" where the text around reads as one, a line break or space
otherwise, or the character an entity such as &nbsp; stands for) and characters
normalised one to one; every view offset maps back to an offset in the original
decoded text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from operator import attrgetter
from typing import Callable, Iterable, NamedTuple


_SHORT = 256  # characters: below this a whole-table `translate` is the cheaper pass


class CharMap:
    """One-to-one character replacements (offsets never move), applied fast.

    `str.translate` with a dict looks every character up (about 50-140 ns each, most of
    the cost of a view); a stdlib `re` class finds the few characters that change, but
    only while the class is short (a class of thousands of characters is scanned
    character by character). So the common replacements (`table`: full-width forms and
    the Traditional characters rules read) go by the class, and the long tail (`more`:
    the rest of the Traditional table) by `translate`, and only over a text in which the
    first pass met a Traditional character (`trad`).
    """

    __slots__ = ("table", "more", "_full", "_trad", "_find")

    def __init__(self, table: dict[int, str], more: dict[int, str] | None = None,
                 trad: Iterable[int] = ()) -> None:
        more = {k: v for k, v in (more or {}).items() if k not in table}
        for k, v in (*table.items(), *more.items()):
            if len(v) != 1:
                raise ValueError(f"{chr(k)!r} → {v!r}: a replacement must be one character")
        self.table, self.more = table, more
        self._full = {**more, **table}
        self._trad = frozenset(trad)
        self._find = re.compile(
            "[" + "".join(re.escape(chr(k)) for k in sorted(table)) + "]") if table else None

    def __call__(self, text: str) -> str:
        if self.more and len(text) <= _SHORT:
            return text.translate(self._full)
        if self._find is None:
            return text
        table, trad = self.table, self._trad
        traditional = False

        def replace(m: re.Match[str]) -> str:
            nonlocal traditional
            k = ord(m.group())
            if k in trad:
                traditional = True
            return table[k]

        out = self._find.sub(replace, text)
        return out.translate(self.more) if traditional and self.more else out


class Cut(NamedTuple):
    """A range of the original text left out of the view, and what stands in for it."""

    start: int
    end: int
    joiner: str = ""


class Found(NamedTuple):
    """A removal found by the cleaner (original offsets), with its reason and rule.
    (A tuple: a noisy page has tens of thousands of them.)"""

    start: int
    end: int
    reason: str
    rule: str
    joiner: str = ""

    def cut(self) -> Cut:
        return Cut(self.start, self.end, self.joiner)


class View:
    """`text` (normalised) and `raw` (original characters) of the cleaned document."""

    __slots__ = ("original", "raw", "text", "_vstarts", "_ostarts", "_oends", "_linear")

    def __init__(self, original: str, cuts: Iterable[Cut | Found],
                 normalize: Callable[[str], str] | dict[int, str]) -> None:
        self.original = original
        parts: list[str] = []
        vstarts: list[int] = []
        ostarts: list[int] = []
        oends: list[int] = []
        linear: list[bool] = []
        pos = vpos = 0
        for cut in sorted(cuts, key=attrgetter("start")):
            start, end, joiner = cut.start, cut.end, cut.joiner
            if start < pos:  # overlapping cuts: the cleaner resolves them; be safe
                if end <= pos:
                    continue
                start = pos
            if start > pos:
                parts.append(original[pos:start])
                vstarts.append(vpos)
                ostarts.append(pos)
                oends.append(start)
                linear.append(True)
                vpos += start - pos
            if joiner:
                parts.append(joiner)
                vstarts.append(vpos)
                ostarts.append(start)
                oends.append(end)
                linear.append(False)
                vpos += len(joiner)
            pos = end
        if pos < len(original) or not vstarts:
            parts.append(original[pos:])
            vstarts.append(vpos)
            ostarts.append(pos)
            oends.append(len(original))
            linear.append(True)
        self.raw = "".join(parts)
        self.text = normalize(self.raw) if callable(normalize) else self.raw.translate(normalize)
        self._vstarts, self._ostarts, self._oends, self._linear = vstarts, ostarts, oends, linear

    def to_original(self, i: int) -> int:
        """The original offset of view offset `i` (a joiner maps to its cut's start)."""
        k = bisect_right(self._vstarts, i) - 1
        if k < 0:
            return 0
        if self._linear[k]:
            return self._ostarts[k] + (i - self._vstarts[k])
        return self._ostarts[k]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of view [start, end)."""
        if end <= start:
            o = self.to_original(start)
            return o, o
        return self.to_original(start), self.to_original(end - 1) + 1

    def covering(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of view [start, end), whole cuts included: where the
        range begins or ends on a joiner, the cut it stands for is taken in full."""
        if end <= start:
            o = self.to_original(start)
            return o, o
        k = bisect_right(self._vstarts, end - 1) - 1
        if k >= 0 and not self._linear[k]:
            o_end = self._oends[k]
        else:
            o_end = self.to_original(end - 1) + 1
        return self.to_original(start), o_end

    def to_view(self, o: int) -> int:
        """The view offset of original offset `o` (inside a cut: where the cut stands)."""
        k = bisect_right(self._ostarts, o) - 1
        if k < 0:
            return 0
        if self._linear[k]:
            seg_len = (self._vstarts[k + 1] if k + 1 < len(self._vstarts) else len(self.raw)) \
                - self._vstarts[k]
            return self._vstarts[k] + min(o - self._ostarts[k], seg_len)
        return self._vstarts[k]
