"""Compiling patterns: the stdlib engine where it reads a pattern alike, else `regex`."""

from __future__ import annotations

import re
import warnings
from typing import Any

import regex

# Classes the two engines draw differently: `re` takes \w from str.isalnum (① and ²
# are word characters), `regex` from Unicode properties (they are not); `re` counts
# \x1c-\x1f as white space, `regex` does not. A pattern that uses them stays on `regex`.
_ENGINE_DEPENDENT = re.compile(r"(?<!\\)(?:\\\\)*\\[wWbBsS]")

# \s and \S as `regex` reads them (Unicode White_Space), for patterns written here.
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def compile_pattern(pattern: str, flags: int = 0) -> Any:
    """A pattern compiled by the stdlib `re` where it reads it the same way, else `regex`.

    Rule files are written in `regex`'s syntax (\\p{Han}, variable lookbehind); the
    stdlib engine reads the common subset alike and matches a short window two to three
    times faster. Patterns it refuses or warns about (a nested set), patterns that use
    \\w, \\b or \\s (drawn differently, above) and case-blind ones go to `regex`.
    (\\d differs only on digits of scripts newer than Python's Unicode tables, which
    Python's own Decimal cannot read either.)
    """
    if flags & re.IGNORECASE or _ENGINE_DEPENDENT.search(pattern) \
            or re.search(r"\(\?[a-zA-Z]*i", pattern):
        return regex.compile(pattern, flags)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return re.compile(pattern, flags)
        except (re.error, Warning):
            return regex.compile(pattern, flags)
