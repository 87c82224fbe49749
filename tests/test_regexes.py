"""The stdlib engine runs a pattern only where it reads it as `regex` does."""

from __future__ import annotations

import random
import re

import pytest
import regex

import reportmine.attribution
import reportmine.checks
import reportmine.numbers
import reportmine.quantities
import reportmine.sections
from reportmine.regexes import WHITE_SPACE, compile_pattern
from tests.conftest import SAMPLES


@pytest.mark.parametrize("pattern, engine", [
    (r"\d{1,3}(?:,\d{3})+", re),
    (r"(?:第|共)$", re),
    (r"^[\W\d_]+", regex),        # ① and ² are \w to re, not to regex
    (r"(?<=\S)[余多]", regex),     # \x1c-\x1f are \s to re, not to regex
    (r"\bGDP\b", regex),
    (r"(?i)gdp", regex),
    (r"\p{Han}+", regex),          # re cannot read it
    (r"(?r)[。！？]", regex),
    (r"(?<=为期|长)\d", regex),      # variable-width lookbehind
    (r"[[:alpha:]]", regex),       # a nested set: re only warns
    (r"\\w", re),                  # a backslash, then w
])
def test_engine_choice(pattern, engine):
    assert isinstance(compile_pattern(pattern), engine.Pattern)


def test_white_space_is_regex_s():
    s = regex.compile(r"\s")
    ours = re.compile(f"[{WHITE_SPACE}]")
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        c = chr(code)
        assert bool(s.fullmatch(c)) == bool(ours.fullmatch(c)), hex(code)


def _patterns_on_re(rules):
    """Every pattern of the hot path that compile_pattern gave to the stdlib engine."""
    # jieba's own block patterns are meant for re: attribution mimics jieba there.
    own = {reportmine.attribution._BLOCK, reportmine.attribution._SKIP,
           reportmine.sections._NAMED_GROUP}
    found = []
    for mod in (reportmine.quantities, reportmine.sections, reportmine.attribution,
                reportmine.numbers, reportmine.checks):
        found += [v for v in vars(mod).values() if isinstance(v, re.Pattern) and v not in own]
    for r in rules.context_rules:
        found += [p for p in (r.numeral, r.before, r.after) if isinstance(p, re.Pattern)]
    found += [p for _, p in rules.markers if isinstance(p, re.Pattern)]
    found += [p for _, _, b, a in rules.roles for p in (b, a) if isinstance(p, re.Pattern)]
    found += [v for v in vars(rules.checks).values() if isinstance(v, re.Pattern)]
    ex = reportmine.quantities.Extractor(rules)
    found.append(ex.start_re)
    for name in ("prefix_words", "before_quals", "inside_quals", "after_quals", "negatives",
                 "false_friends", "unit_prefix_words"):
        words = getattr(ex, name)
        found += [words._at, words._before]
    return found


def test_patterns_on_re_match_as_on_regex(rules):
    """On windows of the samples (normalised, as the pipeline reads them) and on odd
    characters, each pattern finds the same spans on either engine."""
    texts = [rules.normalize(p.read_text(encoding="utf-8"))
             for p in sorted(SAMPLES.glob("*.txt"))]
    texts.append("①新增学位²½ \x1c\x1d\u3000\xa0第3名 ㈠ ⑴ 12,345.6万元 ６％ 三〇二 Ⅱ")
    patterns = _patterns_on_re(rules)
    assert len(patterns) > 40
    rng = random.Random(7)
    for p in patterns:
        twin = regex.compile(p.pattern, p.flags & (re.M | re.S | re.X))
        for _ in range(150):
            t = rng.choice(texts)
            a = rng.randrange(len(t))
            b = min(len(t), a + rng.randrange(1, 80))
            for method in ("search", "match"):
                x = getattr(p, method)(t, a, b)
                y = getattr(twin, method)(t, a, b)
                assert (x and x.span()) == (y and y.span()), (p.pattern, t[a:b], method)
