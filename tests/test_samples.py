"""End to end on the samples: offsets, the sample gold as a quality gate."""

import json
import subprocess
import sys

import pytest

import reportmine
from tests.conftest import SAMPLES, shared_or_skip

# Floors on the sample gold: a change may not lower these without saying so.
FLOORS = {"precision": 0.97, "recall_core": 0.97, "f1_core": 0.97, "kind_acc": 0.98,
          "unit_acc": 0.95, "approx_acc": 0.97, "value_max_acc": 0.98,
          # issue 15: what a figure measures must not fall on the sample gold
          "indicator_acc": 0.94, "modality_acc": 0.99}


def test_every_metric_text_is_the_source_slice(sample_docs):
    assert len(sample_docs) == 5
    n = 0
    for doc in sample_docs:
        original = (SAMPLES / doc.doc.split("/")[-1]).read_text(encoding="utf-8")
        for m in doc.metrics:
            assert original[m.start:m.end] == m.text
            n += 1
        for r in doc.rejections:
            assert original[r.start:r.end] == r.text
    assert n > 300


def test_sample_gold_floors(tmp_path):
    gold = shared_or_skip("eval", "seeds", "gold")
    score = shared_or_skip("eval", "score.py")
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "reportmine", "extract", str(SAMPLES), "-o", str(out),
                    "-q"], check=True)
    res = subprocess.run([sys.executable, str(score), str(gold), str(SAMPLES),
                          str(out / "metrics.csv")], check=True, capture_output=True, text=True)
    figures = json.loads(res.stdout)
    low = {k: (figures[k], floor) for k, floor in FLOORS.items() if figures[k] < floor}
    assert not low, f"below the floor: {low}"
    assert figures["leaks"].get("boilerplate", 0) == 0


def test_sample_outline_gold(tmp_path):
    gold = shared_or_skip("eval", "sections")
    score = shared_or_skip("eval", "score_sections.py")
    frame = reportmine.sections_frame(reportmine.parse_paths([SAMPLES]))
    csv = tmp_path / "sections.csv"
    frame.to_csv(csv, index=False, encoding="utf-8-sig")
    res = subprocess.run([sys.executable, str(score), str(gold), str(csv)], check=True,
                         capture_output=True, text=True)
    figures = json.loads(res.stdout.strip().splitlines()[-1])
    assert figures["precision"] >= 0.97 and figures["recall"] >= 0.97
    assert figures["title_acc"] >= 0.95


@pytest.mark.parametrize("doc_name,text,value,indicator", [
    ("000_8962da1a5d06fb49.txt", "1400多人", 1400, "参与学生"),
    ("000_8962da1a5d06fb49.txt", "38747万元", 387470000, "教育财政投入"),
    ("001_3852c5b6b4ca5af0.txt", "2\n7、5所", 25, "标准化学校创立任务"),
    ("003_b71ddd899b90d843.txt", "4.2万余名", 42000, "中小学生在校就餐"),
])
def test_known_rows(sample_docs, doc_name, text, value, indicator):
    doc = next(d for d in sample_docs if d.doc.endswith(doc_name))
    m = next(m for m in doc.metrics if m.text == text)
    assert (m.value, m.indicator) == (value, indicator)
