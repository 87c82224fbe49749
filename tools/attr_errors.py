"""List the attribute mismatches (indicator, modality, kind, unit, approx) against a gold.

usage: python tools/attr_errors.py GOLD_DIR DOCS_DIR METRICS.csv [--field indicator]

Uses the scorer that ships with the gold (GOLD_DIR/../../score.py) to load and match;
prints one line per matched quantity whose attribute the scorer would count as wrong.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("docs")
    ap.add_argument("pred")
    ap.add_argument("--field", default="indicator,modality")
    a = ap.parse_args()
    spec = importlib.util.spec_from_file_location("score", Path(a.gold).parents[1] / "score.py")
    assert spec is not None and spec.loader is not None
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    gold, _, _ = score.load_gold(a.gold, a.docs)
    pred = score.read_pred(a.pred)
    by_doc: dict[str, list] = {}
    for g in gold:
        by_doc.setdefault(g["doc"], []).append(g)
    fields = a.field.split(",")
    for p in pred:
        for g in by_doc.get(p["doc"], []):
            if g["start"] < p["end"] and p["start"] < g["end"] and \
                    score.same_value(p.get("value"), g.get("value")):
                for f in fields:
                    ok = score.indicator_ok(p[f], g[f]) if f == "indicator" else \
                        str(p.get(f) or "") == str(g.get(f) or "")
                    if not ok:
                        print(f"{f:9} {p['doc'][:3]} {p['text']!r:14} got {p[f]!r:22} "
                              f"want {g[f]!r:22} | {p.get('sentence', '')[:50]}")
                break


if __name__ == "__main__":
    main()
