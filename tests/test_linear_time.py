"""Linear time: hostile 1 MiB inputs finish, with bounds only a blow-up can break.

Each shape is text built to make a regex backtrack or a loop rescan: long runs of one
character, figures with no sentence end, nested headings. The bound of each case is at
least 30 times the time it takes on the reference machine (2 cores), so noise never
fails it, while a quadratic path would take hours (before the fixes of issue 9, 8,000
characters of "1个" took 73 s). Timings are printed, not asserted, by running this file:

    .venv/bin/python -m tests.test_linear_time [SIZE_BYTES]
"""

from __future__ import annotations

import random
import sys
import time
from typing import Callable

import pytest

KIB = 1024
MIB = 1024 * KIB
BOUND_SECONDS = 60.0  # ≥ 40 × the slowest case's time at its test size


def _repeat(unit: str) -> Callable[[int], str]:
    """`unit` repeated to `size` bytes of UTF-8 (the size of the file it would be)."""
    def make(size: int) -> str:
        return unit * max(1, size // len(unit.encode("utf-8")))
    return make


def _headings(size: int) -> str:
    cn = "一二三四五六七八九十"
    parts, n, k = [], 0, 0
    while n < size:
        block = (f"{cn[k % 10]}、总体情况\n（{cn[k % 10]}）主要指标\n"
                 + "".join(f"{i}.项目进展新增学位{i}个\n" for i in range(1, 21)))
        parts.append(block)
        n += len(block.encode("utf-8"))
        k += 1
    return "".join(parts)


def _random_mix(size: int) -> str:
    """Seeded noise over the extractor's alphabet, in one line."""
    alphabet = "0123456789,.%％一二三四五六七八九十百千万亿零两个人元万元名所项第年月、（）()*…比增长约近余多"
    rnd = random.Random(9)
    return "".join(rnd.choice(alphabet) for _ in range(size // 2))


# name → (builder, size in bytes for the test). Every case takes at most 1.5 s at its
# test size on the reference machine; the dense ones are tested below 1 MiB to keep the
# suite fast, and all of them are timed at 1 MiB by the script.
SHAPES: dict[str, tuple[Callable[[int], str], int]] = {
    "digits and commas": (_repeat("1234567890,"), MIB),
    "1,1,1 (ASCII commas)": (_repeat("1,"), MIB),
    "1，1，1 (full-width commas)": (_repeat("1，"), 64 * KIB),
    "digits and dots": (_repeat("1."), MIB),
    "一 run": (_repeat("一"), MIB),
    "Chinese numeral characters": (_repeat("一二三四五六七八九十百千万亿零"), 256 * KIB),
    "％ run": (_repeat("％"), MIB),
    "百分之 run": (_repeat("百分之"), MIB),
    "one line, no punctuation": (_repeat("教育局在区委区政府的正确领导下团结带领全区教育系统"), MIB),
    "< run": (_repeat("<"), MIB),
    "* run": (_repeat("*"), MIB),
    "…… run": (_repeat("……"), MIB),
    "第 run": (_repeat("第"), MIB),
    "( run": (_repeat("（"), MIB),
    "“ run": (_repeat("“"), MIB),
    "newlines": (_repeat("\n"), 128 * KIB),
    "spaces and newlines": (_repeat(" \n"), 256 * KIB),
    "full-width spaces": (_repeat("\u3000"), MIB),
    "1-2-3 ranges": (_repeat("1-"), 32 * KIB),
    "digit/unit alternating": (_repeat("1个"), 16 * KIB),
    "Chinese numeral/unit alternating": (_repeat("三个"), 64 * KIB),
    "figures, no punctuation": (_repeat("新增学位210个托位40个投入资金172.5万元"), 64 * KIB),
    "figures, commas, no sentence end": (_repeat("增长3.5%，"), 64 * KIB),
    "nested headings": (_headings, 128 * KIB),
    "一、 markers on one line": (_repeat("一、 "), 64 * KIB),
    "1. markers on one line": (_repeat("1. "), 32 * KIB),
    "① markers on one line": (_repeat("① "), 256 * KIB),
    "“1 (open quotes)": (_repeat("“1"), 32 * KIB),
    "《1 (open titles)": (_repeat("《1"), 32 * KIB),
    "random mix, one line": (_random_mix, 16 * KIB),
}


@pytest.fixture(scope="module")
def pipeline():
    from reportmine.pipeline import Pipeline

    p = Pipeline()
    p.parse_text("新增学位210个。")  # load jieba before any clock starts
    return p


@pytest.mark.parametrize("name", list(SHAPES))
def test_hostile_input_finishes_in_linear_time(pipeline, name):
    build, size = SHAPES[name]
    text = build(size)
    t0 = time.perf_counter()
    doc = pipeline.parse_text(text)
    elapsed = time.perf_counter() - t0
    assert all(text[m.start:m.end] == m.text for m in doc.metrics)
    assert elapsed < BOUND_SECONDS, f"{name}: {elapsed:.1f}s for {size} bytes"


def main(argv: list[str]) -> None:
    """Print each shape's time at its test size and at SIZE_BYTES (1 MiB by default).

    `growth` is (time ratio) / (length ratio) between the two sizes: about 1 for a linear
    path, and about the length ratio itself for a quadratic one.
    """
    from reportmine.pipeline import Pipeline

    size = int(argv[0]) if argv else MIB
    p = Pipeline()
    p.parse_text("新增学位210个。")
    print(f"{'shape':34s} {'chars':>8s} {'s':>6s}   {'chars':>8s} {'s':>7s} "
          f"{'growth':>6s} {'metrics':>8s}")
    for name, (build, test_size) in SHAPES.items():
        small = build(test_size)
        t0 = time.perf_counter()
        p.parse_text(small)
        t_small = time.perf_counter() - t0
        text = build(size)
        t0 = time.perf_counter()
        doc = p.parse_text(text)
        t_full = time.perf_counter() - t0
        growth = (t_full / t_small) / (len(text) / len(small)) if len(text) != len(small) else 1
        print(f"{name:34s} {len(small):8d} {t_small:6.2f}   {len(text):8d} {t_full:7.2f} "
              f"{growth:6.2f} {len(doc.metrics):8d}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
