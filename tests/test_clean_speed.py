"""The cleaner runs in linear time: no pattern backtracks badly on adversarial input.

Each case cleans 1 MB in a child process that is stopped at BOUND_SECONDS. On the
reference machine (2 cores) the slowest case (1 MB of Markdown table pipes) takes
about 3 s with the interpreter's start: the bound is more than 30 times that, so only
a blow-up (quadratic or exponential backtracking) fails, never an ordinary slow run.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

BOUND_SECONDS = 120.0
SIZE = 1_000_000
FRONT = "---\na: 1\n---\n"   # front matter: the Markdown scanner runs too

# (name, repeated unit, read as Markdown)
CASES = [
    ("a line of <", "<", False),
    ("a line of *", "*", False),
    ("a line of &", "&", False),
    ("unclosed attribute quotes", '<a b="', False),
    ("unclosed comments", "<!--", False),
    ("unclosed style blocks", "<style>", False),
    ("R escapes without end", "<U+", False),
    ("digits and commas", "1,", False),
    ("breadcrumb separators", "首页>", False),
    ("a Markdown line of *", "*", True),
    ("emphasis runs", "*a", True),
    ("link brackets", "[", True),
    ("link ends", "](", True),
    ("table pipes", "| ", True),
]


@pytest.mark.parametrize("unit,markdown", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cleaning_1mb_of_adversarial_text_is_linear(unit: str, markdown: bool) -> None:
    prefix = FRONT if markdown else ""
    code = (
        "import time\n"
        "from reportmine.clean import find_removals\n"
        "from reportmine.rules import default_rules\n"
        f"text = {prefix!r} + ({unit!r} * {SIZE // len(unit) + 1})[:{SIZE}]\n"
        "rules = default_rules()\n"
        "t = time.perf_counter()\n"
        "found = find_removals(text, rules)\n"
        "print(len(found), time.perf_counter() - t)\n"
    )
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=BOUND_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"cleaning 1 MB of {unit!r} took more than {BOUND_SECONDS} s")
    assert done.returncode == 0, done.stderr
    removals, seconds = done.stdout.split()
    assert int(removals) >= 0 and float(seconds) < BOUND_SECONDS
