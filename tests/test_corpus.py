"""The shared corpus of scraped reports (../shared/corpus, when it is there): no figure
comes from removed text, no repeated block yields its figures twice, offsets hold."""

from __future__ import annotations

from collections import Counter

import pytest

import reportmine
from tests.conftest import shared_or_skip


@pytest.fixture(scope="module")
def corpus_docs():
    folder = shared_or_skip("corpus")
    docs = list(reportmine.parse_paths([folder], glob="*.txt"))  # not its README
    assert docs and all(d.ok for d in docs)
    return docs


def test_every_figure_is_its_source_slice(corpus_docs):
    for doc in corpus_docs:
        assert all(doc.text[m.start:m.end] == m.text for m in doc.metrics), doc.doc


def test_no_figure_starts_in_removed_text(corpus_docs):
    # YAML front matter, URLs, CSS, attributes, toolbars, footers, repeated copies
    for doc in corpus_docs:
        starts = sorted((r.start, r.end, r.rule) for r in doc.removals)
        inside = [(m.text, m.start, rule) for m in doc.metrics
                  for s, e, rule in starts if s <= m.start < e]
        assert inside == [], doc.doc


def test_no_occurrence_is_counted_twice(corpus_docs):
    # the same figure at the same place of the same (long) sentence: a repeated block;
    # short table cells such as "(as of the 22nd)" may well repeat
    for doc in corpus_docs:
        seen = Counter((m.text, m.sentence, m.start - m.sentence_start) for m in doc.metrics
                       if len(m.sentence) >= 20)
        assert [k for k, n in seen.items() if n > 1] == [], doc.doc


def test_scraped_pages_lose_their_furniture(corpus_docs):
    kinds = {doc.doc: set(doc.removed_chars()) for doc in corpus_docs}
    assert all(kinds.values()), "every corpus page has something to clean"
    assert any("duplicate" in k for k in kinds.values())
    assert any("markup" in k for k in kinds.values())
    assert any("portal" in k for k in kinds.values())
