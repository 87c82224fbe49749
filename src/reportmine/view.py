"""The cleaned, normalised view of a document, with a map back to original offsets.

Cleaning never moves the original text. The view is the text with removed ranges
replaced by a joiner ("" where the text around reads as one, a line break or space
otherwise, or the character an entity such as &nbsp; stands for) and characters
normalised one to one; every view offset maps back to an offset in the original
decoded text.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class Cut:
    """A range of the original text left out of the view, and what stands in for it."""

    start: int
    end: int
    joiner: str = ""


@dataclass(frozen=True)
class Found:
    """A removal found by the cleaner (original offsets), with its reason and rule."""

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

    def __init__(self, original: str, cuts: list[Cut], translate: dict[int, str]) -> None:
        self.original = original
        parts: list[str] = []
        vstarts: list[int] = []
        ostarts: list[int] = []
        oends: list[int] = []
        linear: list[bool] = []
        pos = vpos = 0

        def seg(vs: int, os: int, oe: int, lin: bool) -> None:
            vstarts.append(vs)
            ostarts.append(os)
            oends.append(oe)
            linear.append(lin)

        for cut in sorted(cuts, key=lambda c: c.start):
            if cut.start < pos:  # overlapping cuts: the cleaner resolves them; be safe
                if cut.end <= pos:
                    continue
                cut = Cut(pos, cut.end, cut.joiner)
            if cut.start > pos:
                parts.append(original[pos:cut.start])
                seg(vpos, pos, cut.start, True)
                vpos += cut.start - pos
            if cut.joiner:
                parts.append(cut.joiner)
                seg(vpos, cut.start, cut.end, False)
                vpos += len(cut.joiner)
            pos = cut.end
        if pos < len(original) or not vstarts:
            parts.append(original[pos:])
            seg(vpos, pos, len(original), True)
        self.raw = "".join(parts)
        self.text = self.raw.translate(translate)
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
