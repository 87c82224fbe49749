"""Compiling patterns: the stdlib engine where it reads a pattern alike, else `regex`."""

from __future__ import annotations

import re
import warnings
from typing import Any

import regex


def compile_pattern(pattern: str, flags: int = 0) -> Any:
    """A rule's pattern, compiled by the stdlib `re` where it can read it, else `regex`.

    Rule files are written in `regex`'s syntax (\\p{Han}, variable lookbehind); the
    stdlib engine reads the common subset the same way (both Unicode, `regex` in its
    VERSION0 mode is re-compatible) and matches a short window two to three times
    faster. Anything it refuses or warns about (a nested set) goes to `regex`.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return re.compile(pattern, flags)
        except (re.error, Warning):
            return regex.compile(pattern, flags)
