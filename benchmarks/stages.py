"""Where the time goes: each pipeline stage timed in one process, over a built corpus.

usage: python benchmarks/stages.py [--docs N] [--repeat K]

Builds the corpus throughput.py builds (N varied copies of the samples), warms the
pipeline up on one document, then runs parse + render over the corpus K times and
prints, from the fastest pass, the seconds each stage took and the characters per
second it would allow alone. To compare with an earlier commit, run it with that
commit's source first on the path:

    git worktree add /tmp/base <commit>
    PYTHONPATH=/tmp/base/src python benchmarks/stages.py

Timings are printed, never asserted (the machines are shared: run both a few times).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import build_corpus  # noqa: E402

import reportmine.attribution as attribution  # noqa: E402
import reportmine.pipeline as pipeline  # noqa: E402
import reportmine.quantities as quantities  # noqa: E402
from reportmine.tables import render  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)


def timed(owner: Any, name: str, stage: str) -> None:
    """Wrap owner.name so that its time adds to SPENT[stage]."""
    inner: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            SPENT[stage] += time.perf_counter() - t

    setattr(owner, name, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    corpus = Path(tempfile.mkdtemp(prefix="rm-stages-"))
    build_corpus(corpus, args.docs)
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.txt"))]
    chars = sum(len(t) for _, t in texts)

    timed(pipeline, "find_removals", "clean")
    timed(pipeline, "find_sections", "sections")
    timed(pipeline, "run_checks", "checks")
    timed(quantities.Extractor, "extract", "extract")
    timed(attribution.Attributor, "attribute", "attribute")
    pipe = pipeline.Pipeline()
    pipe.parse_text(texts[0][1])  # rules, dictionary and caches of patterns loaded

    best: dict[str, float] = {}
    for _ in range(args.repeat):
        SPENT.clear()
        t0 = time.perf_counter()
        for name, text in texts:
            t = time.perf_counter()
            doc = pipe.parse_text(text, name)
            SPENT["parse (all stages)"] += time.perf_counter() - t
            t = time.perf_counter()
            render(doc)
            SPENT["render (CSV rows)"] += time.perf_counter() - t
        total = time.perf_counter() - t0
        if not best or total < best["total"]:
            best = {**SPENT, "total": total}
    print(f"{args.docs} documents, {chars:,} characters; fastest of {args.repeat} passes\n")
    print(f"{'stage':20} {'seconds':>8} {'chars/s alone':>14}")
    for stage, spent in sorted(best.items(), key=lambda kv: -kv[1]):
        print(f"{stage:20} {spent:8.3f} {chars / spent:14,.0f}")


if __name__ == "__main__":
    main()
