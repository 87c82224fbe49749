"""Score reportmine against the peer systems' test suites (../shared/peer-specs/cases.jsonl).

usage: python benchmarks/peer_specs.py PATH/TO/cases.jsonl [--show N] [--source NAME]

For every expected item of every case, the item passes when reportmine reads its text to
the expected value: `parse_number(item text)`, or a quantity of `extract_quantities(input)`
over the item's span with the expected value (and upper bound, for ranges). A negative
case (no item expected) passes when reportmine finds no quantity in the input.

Items that differ from reportmine by convention (the peer-specs README lists where the
conventions differ) are classified by the rules of `peer_conventions.toml` beside this
script, reported apart with their reason, and never silently dropped. The figure that
counts is the share of items passing among those within our conventions.
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import regex

import functools

import reportmine
from reportmine.numbers import canonical, read_numeral
from reportmine.rules import default_rules

HERE = Path(__file__).resolve().parent


def _dec(x: object) -> Decimal | None:
    if x is None:
        return None
    return Decimal(str(x))


def _close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    return abs(a - b) <= max(abs(b), Decimal(1)) * Decimal("1e-6")


@functools.lru_cache(maxsize=1)
def _table():
    return default_rules().numerals


def _normalize(text: str) -> str:
    return default_rules().normalize(text)


def load_conventions(path: Path) -> list[dict]:
    with path.open("rb") as fh:
        rules = tomllib.load(fh)["conventions"]
    for r in rules:
        for key in ("input", "text", "ref"):
            if key in r:
                r[key + "_re"] = regex.compile(r[key])
    return rules


def _covering(found: list, item: dict | None) -> list:
    if item is None:
        return list(found)
    if "start" in item:
        return [m for m in found if m.start < item["end"] and item["start"] < m.end]
    return list(found)


def convention_of(case: dict, item: dict | None, rules: list[dict], found: list) -> str | None:
    """The reason an item differs by convention, from the first rule that fits it."""
    near = _covering(found, item)
    for r in rules:
        if "found_kind" in r and not any(m.kind.value in r["found_kind"] for m in near):
            continue
        if r.get("found_range_end") and not (item is not None and any(
                m.value_max is not None and _close(m.value_max, _dec(item["value"]))
                for m in near)):
            continue
        if r.get("found_something") and not near:
            continue
        if "value_none" in r and (item is None or (item["value"] is None) != r["value_none"]):
            continue
        if "source" in r and r["source"] != case["source"]:
            continue
        if "kind" in r and r["kind"] != case["kind"]:
            continue
        if "negative" in r and r["negative"] != (item is None):
            continue
        if "input_re" in r and not r["input_re"].search(case["input"]):
            continue
        if "text_re" in r and (item is None or not r["text_re"].search(item["text"])):
            continue
        if "ref_re" in r and not r["ref_re"].search(case.get("ref", "")):
            continue
        if "unit" in r and (item is None or item.get("unit") not in r["unit"]):
            continue
        return r["reason"]
    return None


def item_passes(case: dict, item: dict, found: list) -> tuple[bool, str]:
    value, vmax = _dec(item["value"]), _dec(item.get("value_max"))
    text = item["text"]
    n = reportmine.parse_number(text)
    if n is not None and _close(n, value) and vmax is None:
        return True, canonical(n)
    if "start" in item:
        s, e = item["start"], item["end"]
        near = [m for m in found if m.start < e and s < m.end]
    else:  # whole_input: the item is the whole string, qualifiers included
        near = found
    for m in near:
        if _close(m.value, value) and (vmax is None or _close(m.value_max, vmax)):
            return True, m.text
    # A whole-input item may carry words around its number (小于40万, 最多一块二): the
    # numeral inside it must read to the value.
    table = _table()
    k = 0
    while k < len(text):
        num = read_numeral(_normalize(text), k, table)
        if num is not None and _close(num.value, value) and vmax is None:
            return True, _normalize(text)[k:num.end]
        k = num.end if num is not None else k + 1
    # A whole-input item may carry words around its number (小于40万, 最多一块二): the
    # numeral inside it must read to the value.
    norm, table = _normalize(text), _table()
    k = 0 if "start" not in item else len(norm)
    while k < len(norm):
        num = read_numeral(norm, k, table)
        if num is not None and _close(num.value, value) and vmax is None:
            return True, norm[k:num.end]
        k = num.end if num is not None else k + 1
    got = ", ".join(f"{m.text}={canonical(m.value)}" + (f"-{canonical(m.value_max)}"
                                                        if m.value_max is not None else "")
                    for m in near) or (f"parse_number={canonical(n)}" if n is not None else "—")
    return False, got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cases", type=Path)
    ap.add_argument("--conventions", type=Path, default=HERE / "peer_conventions.toml")
    ap.add_argument("--show", type=int, default=0, help="print this many failures per source")
    ap.add_argument("--show-conventions", action="store_true",
                    help="list the items set apart by convention, with the reason")
    ap.add_argument("--source", help="only this source")
    args = ap.parse_args(argv)
    rules = load_conventions(args.conventions)
    stats: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    failures: dict[str, list[str]] = collections.defaultdict(list)
    apart: dict[str, list[str]] = collections.defaultdict(list)
    by_reason: collections.Counter = collections.Counter()
    for line in args.cases.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        src = case["source"]
        if args.source and src != args.source:
            continue
        found = reportmine.extract_quantities(case["input"])
        items = case["expected"] or [None]
        for k, item in enumerate(items):
            ref = f"{case.get('ref', '?')}[{k}]"
            if item is None:
                ok = not found
                got = ", ".join(m.text for m in found)
                label = f"{ref} {case['input'][:40]!r}: expected nothing, got {got}"
            else:
                ok, got = item_passes(case, item, found)
                label = (f"{ref} {item['text']!r} in {case['input'][:40]!r}: expected "
                         f"{item['value']}" + (f"-{item['value_max']}" if item.get("value_max")
                                               is not None else "") + f", got {got}")
            reason = None if ok else convention_of(case, item, rules, found)
            if reason:
                stats[src]["convention"] += 1
                by_reason[reason] += 1
                apart[src].append(f"{label}  [{reason}]")
                continue
            stats[src]["items"] += 1
            stats[src]["pass"] += ok
            if not ok:
                failures[src].append(label)
    total = collections.Counter()
    print(f"{'source':32} {'items':>6} {'pass':>6} {'share':>7} {'set apart':>10}")
    for src in sorted(stats):
        c = stats[src]
        total.update(c)
        print(f"{src:32} {c['items']:6d} {c['pass']:6d} {c['pass'] / max(1, c['items']):7.1%}"
              f" {c['convention']:10d}")
    print(f"{'all':32} {total['items']:6d} {total['pass']:6d} "
          f"{total['pass'] / max(1, total['items']):7.1%} {total['convention']:10d}")
    if by_reason:
        print("\nset apart by convention:")
        for reason, n in by_reason.most_common():
            print(f"  {n:4d}  {reason}")
    if args.show:
        for src in sorted(failures):
            print(f"\n# failures: {src} ({len(failures[src])})")
            for f in failures[src][:args.show]:
                print("  " + f)
    if args.show_conventions:
        for src in sorted(apart):
            print(f"\n# set apart: {src} ({len(apart[src])})")
            for f in apart[src]:
                print("  " + f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
