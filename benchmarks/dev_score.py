"""Score reportmine's `indicator`, `modality` (and `role`) against the development gold.

usage: python benchmarks/dev_score.py GOLD_DIR CORPUS_DIR METRICS_CSV [--show-errors N] [--json OUT]

GOLD_DIR holds one <doc-stem>.jsonl per document (benchmarks/dev-gold/, see its
README.md): one figure a line with doc, start, end, text, indicator, modality, role
(optional: note, missed, value); a line with "quantity": false marks a figure that is
not a quantity (it is not scored, but predictions on it are counted). CORPUS_DIR holds
the documents the offsets point into. METRICS_CSV is reportmine's metrics.csv (columns
doc, start, end, text, indicator, modality; role, value and sentence are used when
present).

A prediction matches a gold figure when both are in the same document and their
offsets overlap; where the gold line has a `value` and the prediction one too, the
values must agree. Each gold figure takes at most one prediction and each prediction
at most one gold figure: exact spans first, then the same text, then the largest
overlap. `indicator` is compared with the rule of /work/shared/eval/score.py
(indicator_ok: substring either way or at least half of the characters shared),
imported from there when that file exists.

Prints, per document and in total: n_gold, matched, recall, indicator_acc,
modality_acc (over matched pairs), role_acc when the metrics have a role column, and
non_hit (predictions that fall on a gold non-quantity). Always exits 0.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import os
import pathlib
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

SHARED_SCORER_CANDIDATES = (
    os.environ.get('REPORTMINE_SHARED_SCORER', ''),
    str(pathlib.Path(__file__).resolve().parents[2] / 'shared' / 'eval' / 'score.py'),
    '/work/shared/eval/score.py',
)


def _local_indicator_ok(pred: Any, gold: Any) -> bool:
    """An identical copy of score.py's indicator_ok, used when the shared scorer is absent."""
    p, g = str(pred or '').strip(), str(gold or '').strip()
    if not p or not g or p == 'nan':
        return False
    if p in g or g in p:
        return True
    inter = len(set(p) & set(g))
    return inter / len(set(p) | set(g)) >= 0.5


def _load_indicator_ok() -> tuple[Callable[[Any, Any], bool], str]:
    for cand in SHARED_SCORER_CANDIDATES:
        if not cand or not pathlib.Path(cand).is_file():
            continue
        try:
            spec = importlib.util.spec_from_file_location('_shared_score', cand)
            assert spec is not None and spec.loader is not None
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod.indicator_ok, cand
        except Exception:  # a broken or dependency-less shared scorer: use the copy
            continue
    return _local_indicator_ok, 'local copy'


indicator_ok, INDICATOR_OK_SOURCE = _load_indicator_ok()

# GUIDE.md: "for a share or growth, the word itself (占比, 增长, 入学率)". The dev gold
# names the measured thing instead; --role-words also accepts these words for a gold
# figure of that role.
ROLE_WORDS: dict[str, frozenset[str]] = {
    'share': frozenset('占比 佔比 比重 占 佔 比例 份额 份額'.split()),
    'growth': frozenset('增长 增長 增幅 增速 涨幅 漲幅 升幅 降幅 下降 同比增长 同比增長 按年增 按年升'.split()),
}


def indicator_match(pred: str, gold: Gold, role_words: bool = False) -> bool:
    """indicator_ok, or with role_words a bare word of share/growth for such a gold figure."""
    if indicator_ok(pred, gold.indicator):
        return True
    return role_words and str(pred or '').strip() in ROLE_WORDS.get(gold.role or '', ())


@dataclass
class Gold:
    doc: str
    start: int
    end: int
    text: str
    indicator: str | None = None
    modality: str | None = None
    role: str | None = None
    quantity: bool = True
    missed: bool = False
    value: float | None = None
    note: str = ''


@dataclass
class Pred:
    doc: str
    start: int
    end: int
    text: str
    indicator: str = ''
    modality: str = ''
    role: str | None = None
    value: float | None = None
    sentence: str = ''


@dataclass
class DocResult:
    doc: str
    n_gold: int = 0
    matched: int = 0
    indicator_ok: int = 0
    modality_ok: int = 0
    role_ok: int = 0
    role_n: int = 0
    non_hit: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None
        return dict(doc=self.doc, n_gold=self.n_gold, matched=self.matched,
                    recall=ratio(self.matched, self.n_gold),
                    indicator_acc=ratio(self.indicator_ok, self.matched),
                    modality_acc=ratio(self.modality_ok, self.matched),
                    role_acc=ratio(self.role_ok, self.role_n), non_hit=self.non_hit)


def doc_key(name: str) -> str:
    """Documents are keyed by file stem: h01.txt, /x/h01.txt and h01 are one document."""
    return pathlib.PurePath(str(name).replace('\\', '/')).stem


def _num(x: Any) -> float | None:
    if x is None or x == '':
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def load_gold(gold_dir: str | os.PathLike[str], corpus_dir: str | os.PathLike[str] | None = None
              ) -> tuple[list[Gold], list[str]]:
    """Every line of GOLD_DIR/*.jsonl; problems lists lines whose text is not at their offsets."""
    gold: list[Gold] = []
    problems: list[str] = []
    for f in sorted(pathlib.Path(gold_dir).glob('*.jsonl')):
        text = None
        if corpus_dir is not None:
            p = pathlib.Path(corpus_dir) / f'{f.stem}.txt'
            text = p.read_text(encoding='utf-8') if p.exists() else None
            if text is None:
                problems.append(f'{f.stem}: no document in {corpus_dir}')
        for n, line in enumerate(f.read_text(encoding='utf-8').splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            g = Gold(doc=doc_key(r.get('doc') or f.stem), start=int(r['start']), end=int(r['end']),
                     text=r.get('text', ''), indicator=r.get('indicator'), modality=r.get('modality'),
                     role=r.get('role'), quantity=bool(r.get('quantity', True)),
                     missed=bool(r.get('missed', False)), value=_num(r.get('value')),
                     note=r.get('note', ''))
            if text is not None and text[g.start:g.end] != g.text:
                problems.append(f'{f.name}:{n}: {g.text!r} is not at {g.start}-{g.end}')
            gold.append(g)
    return gold, problems


def read_pred(path: str | os.PathLike[str]) -> tuple[list[Pred], bool]:
    """The rows of a metrics.csv, and whether it has a role column."""
    with open(path, encoding='utf-8-sig', newline='') as fh:
        reader = csv.DictReader(fh)
        has_role = 'role' in (reader.fieldnames or [])
        out = [Pred(doc=doc_key(r['doc']), start=int(float(r['start'])), end=int(float(r['end'])),
                    text=r.get('text', ''), indicator=r.get('indicator', '') or '',
                    modality=r.get('modality', '') or '',
                    role=(r.get('role') or '') if has_role else None,
                    value=_num(r.get('value')), sentence=r.get('sentence', '') or '')
               for r in reader]
    return out, has_role


def _overlap(a: Gold | Pred, b: Gold | Pred) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def match(gold: Iterable[Gold], pred: Iterable[Pred]) -> list[tuple[Gold, Pred]]:
    """One-to-one pairs of overlapping gold and predicted figures of the same document."""
    by_doc: dict[str, list[Pred]] = {}
    for p in pred:
        by_doc.setdefault(p.doc, []).append(p)
    cands: list[tuple[tuple[int, int, int], int, int, Gold, Pred]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(by_doc.get(g.doc, [])):
            ov = _overlap(g, p)
            if ov <= 0:
                continue
            if g.value is not None and p.value is not None and not math.isclose(
                    g.value, p.value, rel_tol=1e-6, abs_tol=1e-9):
                continue
            exact = (g.start, g.end) == (p.start, p.end)
            cands.append(((int(exact), int(g.text == p.text), ov), gi, id(p), g, p))
    cands.sort(key=lambda c: c[0], reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[Gold, Pred]] = []
    for _, gi, pid, g, p in cands:
        if gi in used_g or pid in used_p:
            continue
        used_g.add(gi)
        used_p.add(pid)
        pairs.append((g, p))
    return pairs


def _sentence(text: str | None, start: int, end: int, limit: int = 80) -> str:
    if not text:
        return ''
    stops = '。！？；\n'
    a = max((text.rfind(c, 0, start) for c in stops), default=-1) + 1
    bs = [i for i in (text.find(c, end) for c in stops) if i >= 0]
    b = min(bs) + 1 if bs else len(text)
    a = max(a, start - limit)
    b = min(b, end + limit)
    return (text[a:start] + '【' + text[start:end] + '】' + text[end:b]).replace('\n', ' ').strip()


def score(gold: list[Gold], pred: list[Pred], has_role: bool,
          texts: dict[str, str] | None = None, role_words: bool = False
          ) -> tuple[list[DocResult], DocResult]:
    """Per-document results (documents of the gold only) and the total."""
    texts = texts or {}
    docs = sorted({g.doc for g in gold})
    res = {d: DocResult(doc=d) for d in docs}
    quantities = [g for g in gold if g.quantity]
    non = [g for g in gold if not g.quantity]
    for g in quantities:
        res[g.doc].n_gold += 1
    pred = [p for p in pred if p.doc in res]
    pairs = match(quantities, pred)
    matched_ids = {id(g) for g, _ in pairs}
    for g, p in sorted(pairs, key=lambda gp: (gp[0].doc, gp[0].start)):
        r = res[g.doc]
        r.matched += 1
        ind = indicator_match(p.indicator, g, role_words)
        mod = p.modality == g.modality
        r.indicator_ok += ind
        r.modality_ok += mod
        role = None
        if has_role and g.role:
            role = p.role == g.role
            r.role_n += 1
            r.role_ok += role
        if not (ind and mod) or role is False:
            r.errors.append(dict(
                doc=g.doc, start=g.start, text=g.text,
                wrong=[k for k, ok in (('indicator', ind), ('modality', mod), ('role', role))
                       if ok is False],
                got=dict(indicator=p.indicator, modality=p.modality, role=p.role),
                want=dict(indicator=g.indicator, modality=g.modality, role=g.role),
                sentence=_sentence(texts.get(g.doc), g.start, g.end) or p.sentence))
    for g in quantities:
        if id(g) not in matched_ids:
            res[g.doc].errors.append(dict(
                doc=g.doc, start=g.start, text=g.text, wrong=['unmatched'], got=None,
                want=dict(indicator=g.indicator, modality=g.modality, role=g.role),
                sentence=_sentence(texts.get(g.doc), g.start, g.end)))
    for n in non:
        res[n.doc].non_hit += sum(1 for p in pred if p.doc == n.doc and _overlap(n, p) > 0)
    total = DocResult(doc='TOTAL')
    for r in res.values():
        for k in ('n_gold', 'matched', 'indicator_ok', 'modality_ok', 'role_ok', 'role_n', 'non_hit'):
            setattr(total, k, getattr(total, k) + getattr(r, k))
    return [res[d] for d in docs], total


def format_table(rows: list[dict[str, Any]], has_role: bool) -> str:
    cols = ['doc', 'n_gold', 'matched', 'recall', 'indicator_acc', 'modality_acc']
    cols += ['role_acc'] if has_role else []
    cols += ['non_hit']
    def cell(v: Any) -> str:
        return '' if v is None else (f'{v:.3f}' if isinstance(v, float) else str(v))
    lines = ['| ' + ' | '.join(cols) + ' |', '|' + '---|' * len(cols)]
    lines += ['| ' + ' | '.join(cell(r[c]) for c in cols) + ' |' for r in rows]
    return '\n'.join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('gold_dir')
    ap.add_argument('corpus_dir')
    ap.add_argument('metrics_csv')
    ap.add_argument('--show-errors', type=int, default=0, metavar='N',
                    help='list up to N mismatches and unmatched gold figures per document')
    ap.add_argument('--json', help='also write the table as JSON to this file')
    ap.add_argument('--role-words', action='store_true',
                    help='also accept 占比/增长-style words as the indicator of a share or growth')
    a = ap.parse_args(argv)
    gold, problems = load_gold(a.gold_dir, a.corpus_dir)
    for p in problems:
        print('gold problem:', p, file=sys.stderr)
    pred, has_role = read_pred(a.metrics_csv)
    texts: dict[str, str] = {}
    for d in {g.doc for g in gold}:
        p = pathlib.Path(a.corpus_dir) / f'{d}.txt'
        if p.exists():
            texts[d] = p.read_text(encoding='utf-8')
    per_doc, total = score(gold, pred, has_role, texts, a.role_words)
    rows = [r.row() for r in per_doc] + [total.row()]
    print(f'# indicator_ok: {INDICATOR_OK_SOURCE}')
    print(format_table(rows, has_role))
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding='utf-8')
    if a.show_errors:
        for r in per_doc:
            if not r.errors:
                continue
            print(f'\n## {r.doc}')
            for e in r.errors[:a.show_errors]:
                if e['got'] is None:
                    print(f"  @{e['start']} {e['text']}: unmatched; want {e['want']['indicator']}"
                          f"/{e['want']['modality']}\n      {e['sentence']}")
                    continue
                got = e['got']
                want = e['want']
                print(f"  @{e['start']} {e['text']} [{','.join(e['wrong'])}]: "
                      f"got {got['indicator']}/{got['modality']}/{got['role']} "
                      f"want {want['indicator']}/{want['modality']}/{want['role']}\n"
                      f"      {e['sentence']}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
