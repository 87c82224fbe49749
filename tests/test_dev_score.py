"""benchmarks/dev_score.py on a gold, a corpus and a metrics.csv made here (no ../shared)."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

TEXT_A = "地区生产总值增长5%，一般公共预算收入增长13.3%。今年预期目标：固定资产投资增长3%。"
TEXT_B = "政府今年向港人派發1萬元，涉及約710億元開支。全年接待遊客12萬人次。口罩一個難求。"


@pytest.fixture(scope="module")
def ds():
    spec = importlib.util.spec_from_file_location("dev_score", ROOT / "benchmarks" / "dev_score.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["dev_score"] = mod  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop("dev_score", None)
        raise
    return mod


def _span(text: str, s: str) -> tuple[int, int]:
    i = text.rindex(s)  # the last occurrence: 3% stands inside 13.3% too
    return i, i + len(s)


def _gold_line(doc: str, text: str, s: str, **kw) -> str:
    a, b = _span(text, s)
    return json.dumps(dict(doc=doc, start=a, end=b, text=s, **kw), ensure_ascii=False)


@pytest.fixture()
def setup(tmp_path: Path):
    corpus, gold = tmp_path / "corpus", tmp_path / "gold"
    corpus.mkdir()
    gold.mkdir()
    (corpus / "a.txt").write_text(TEXT_A, encoding="utf-8")
    (corpus / "b.txt").write_text(TEXT_B, encoding="utf-8")
    (gold / "a.jsonl").write_text("\n".join([
        _gold_line("a.txt", TEXT_A, "5%", indicator="地区生产总值", modality="actual", role="growth"),
        _gold_line("a.txt", TEXT_A, "13.3%", indicator="一般公共预算收入", modality="actual", role="growth"),
        _gold_line("a.txt", TEXT_A, "3%", indicator="固定资产投资", modality="target", role="growth"),
    ]) + "\n", encoding="utf-8")
    (gold / "b.jsonl").write_text("\n".join([
        _gold_line("b.txt", TEXT_B, "1萬元", indicator="派發", modality="actual", role="value"),
        _gold_line("b.txt", TEXT_B, "710億元", indicator="開支", modality="actual", role="value"),
        _gold_line("b.txt", TEXT_B, "12萬人次", indicator="接待遊客", modality="actual", role="value",
                   missed=True),
        _gold_line("b.txt", TEXT_B, "一個", quantity=False, why="name"),
    ]) + "\n", encoding="utf-8")
    rows = []
    def pred(doc, text, s, ind, mod, role, start_shift=0):
        a, b = _span(text, s)
        rows.append(dict(doc=f"/some/dir/{doc}", start=a + start_shift, end=b, text=text[a + start_shift:b],
                         value="1", indicator=ind, modality=mod, role=role, sentence=""))
    # a: one right, one whose indicator takes the word of change, one with the wrong modality
    pred("a.txt", TEXT_A, "5%", "地区生产总值增长", "actual", "growth")
    pred("a.txt", TEXT_A, "13.3%", "增长", "actual", "value")
    pred("a.txt", TEXT_A, "3%", "固定资产投资", "actual", "growth")
    # b: a partial overlap (萬元 of 1萬元) matches; 710億元 right; a prediction on the non-quantity
    pred("b.txt", TEXT_B, "1萬元", "全民", "actual", "value", start_shift=1)
    pred("b.txt", TEXT_B, "710億元", "涉及開支", "actual", "value")
    pred("b.txt", TEXT_B, "一個", "口罩", "actual", "value")
    # a document without gold is ignored
    rows.append(dict(doc="c.txt", start=0, end=2, text="xx", value="", indicator="x",
                     modality="actual", role="value", sentence=""))
    metrics = tmp_path / "metrics.csv"
    with open(metrics, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return gold, corpus, metrics


def test_local_indicator_ok_rule(ds):
    ok = ds._local_indicator_ok
    assert ok("地区生产总值增长", "地区生产总值")      # substring either way
    assert ok("GDP", "GDP增速") and not ok("", "x") and not ok("nan", "nan")
    assert ok("学生人数", "学生数")                  # 3 of 4 characters shared
    assert not ok("增长", "固定资产投资")


def test_scores(ds, setup):
    gold_dir, corpus, metrics = setup
    gold, problems = ds.load_gold(gold_dir, corpus)
    assert problems == []
    assert len(gold) == 7 and sum(not g.quantity for g in gold) == 1
    pred, has_role = ds.read_pred(metrics)
    assert has_role and {p.doc for p in pred} == {"a", "b", "c"}
    texts = {d: (corpus / f"{d}.txt").read_text(encoding="utf-8") for d in ("a", "b")}
    per_doc, total = ds.score(gold, pred, has_role, texts)
    rows = {r.doc: r.row() for r in per_doc}
    assert rows["a"] == dict(doc="a", n_gold=3, matched=3, recall=1.0, indicator_acc=round(2 / 3, 4),
                             modality_acc=round(2 / 3, 4), role_acc=round(2 / 3, 4), non_hit=0)
    assert rows["b"] == dict(doc="b", n_gold=3, matched=2, recall=round(2 / 3, 4), indicator_acc=0.5,
                             modality_acc=1.0, role_acc=1.0, non_hit=1)
    t = total.row()
    assert (t["n_gold"], t["matched"], t["non_hit"]) == (6, 5, 1)
    assert t["indicator_acc"] == 0.6 and t["modality_acc"] == 0.8
    errs = {(e["doc"], e["text"]): e for r in per_doc for e in r.errors}
    assert errs[("a", "13.3%")]["wrong"] == ["indicator", "role"]
    assert errs[("a", "3%")]["wrong"] == ["modality"]
    assert errs[("a", "3%")]["sentence"].startswith("今年预期目标：固定资产投资增长【3%】")
    assert errs[("b", "12萬人次")]["wrong"] == ["unmatched"]
    # the guide's "the word itself" for a growth, accepted on request only
    _, total2 = ds.score(gold, pred, has_role, texts, role_words=True)
    assert total2.row()["indicator_acc"] == 0.8


def test_match_prefers_exact_span_and_value(ds):
    g = ds.Gold(doc="d", start=10, end=15, text="12.5%", value=12.5)
    wide = ds.Pred(doc="d", start=8, end=15, text="xx12.5%", value=12.5)
    exact = ds.Pred(doc="d", start=10, end=15, text="12.5%", value=12.5)
    wrong = ds.Pred(doc="d", start=10, end=15, text="12.5%", value=99)
    assert ds.match([g], [wide, exact]) == [(g, exact)]
    assert ds.match([g], [wrong]) == []
    other_doc = ds.Pred(doc="e", start=10, end=15, text="12.5%", value=12.5)
    assert ds.match([g], [other_doc]) == []


def test_main_prints_table_and_errors(ds, setup, capsys):
    gold_dir, corpus, metrics = setup
    assert ds.main([str(gold_dir), str(corpus), str(metrics), "--show-errors", "5"]) == 0
    out = capsys.readouterr().out
    assert "| TOTAL | 6 | 5 | 0.833 | 0.600 | 0.800 | 0.800 | 1 |" in out
    assert "want 固定资产投资/target" in out and "unmatched; want 接待遊客/actual" in out
