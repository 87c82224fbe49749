"""The pipeline: read → clean → segment → extract → attribute, one document at a time."""

from __future__ import annotations

import logging
import os
import signal
from bisect import bisect_right
from pathlib import Path
from typing import Iterable, Iterator

from .attribution import Attributor, period_in
from .clean import find_removals
from .models import (Approx, Document, ErrorRecord, Kind, Metric, Modality, Rejection,
                     Removal, Role, Section)
from .quantities import Extractor
from .reading import DEFAULT_MAX_BYTES, ReadError, Source, find_sources, read_text
from .rules import Rules, default_rules, load_rules
from .sections import find_sections
from .view import View

log = logging.getLogger(__name__)


def detect_script(text: str, rules: Rules) -> str:
    """traditional when Traditional-only characters are common, else simplified."""
    trad = sum(1 for c in text if c in rules.traditional_chars)
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff") or 1
    return "traditional" if trad / han > 0.02 else "simplified"


class Pipeline:
    """Holds the rules and the tokenizer; processes documents one by one."""

    def __init__(self, rules: Rules | None = None) -> None:
        self.rules = rules or default_rules()
        self.attributor = Attributor(self.rules)

    def parse_text(self, text: str, doc: str = "<text>", *, path: str = "",
                   encoding: str = "utf-8", size: int | None = None) -> Document:
        rules = self.rules
        removals = find_removals(text, rules)
        view = View(text, [r.cut() for r in removals], rules.translate)
        script = detect_script(text, rules)
        sections, title, title_start = find_sections(doc, view, rules)
        quantities, rejected = Extractor(rules, script).extract(view.text, view.raw)

        # The section of each quantity: the innermost heading whose body holds it.
        sec_starts = [s.start for s in sections]
        doc_period = period_in(title)

        def section_of(o: int) -> Section | None:
            k = bisect_right(sec_starts, o) - 1
            while k >= 0:
                s = sections[k]
                if s.start <= o < max(s.body_end, s.end):
                    return s
                k = k - 1 if s.parent is None else next(
                    (i for i in range(k - 1, -1, -1) if sections[i].id == s.parent), -1)
            return None

        by_id = {s.id: s for s in sections}
        spans = [view.span(q.start, q.end) for q in quantities]
        secs = [section_of(o) for o, _ in spans]
        parts, periods = [], []
        for sec in secs:
            part, period = "", ""
            s = sec
            while s is not None:
                part = part or s.part
                period = period or period_in(s.title)
                s = by_id.get(s.parent) if s.parent is not None else None
            parts.append(part)
            periods.append(period or doc_period)
        attrs = self.attributor.attribute(view.text, view.raw, quantities, parts, periods)

        metrics = []
        for q, (o_start, o_end), sec, a in zip(quantities, spans, secs, attrs):
            ss, se = view.span(a.sentence_start, a.sentence_end)
            metrics.append(Metric(
                doc=doc, start=o_start, end=o_end, text=text[o_start:o_end],
                kind=Kind(q.kind), value=q.value, value_max=q.value_max, unit=q.unit,
                approx=Approx(q.approx) if q.approx else None, masked=q.masked,
                modality=Modality(a.modality), indicator=a.indicator,
                section=sec.path if sec else "", heading=sec.title if sec else "",
                sentence=view.raw[a.sentence_start:a.sentence_end].strip(),
                role=Role(a.role), period=a.period, subject=a.subject,
                sentence_start=ss, sentence_end=se,
            ))
        rejections = []
        for r in rejected:
            o_start, o_end = view.span(r.start, r.end)
            rejections.append(Rejection(doc=doc, start=o_start, end=o_end,
                                        text=text[o_start:o_end], reason=r.reason,
                                        rule=r.rule))
        return Document(
            doc=doc, path=path, encoding=encoding, script=script, title=title,
            title_start=title_start,
            size_bytes=size if size is not None else len(text.encode("utf-8")),
            text=text, sections=tuple(sections), metrics=tuple(metrics),
            rejections=tuple(rejections),
            removals=tuple(Removal(doc=doc, start=r.start, end=r.end, reason=r.reason,
                                   rule=r.rule) for r in removals),
        )

    def parse_source(self, source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
        """A file as a Document; a file that cannot be read gives a Document with `error`."""
        try:
            decoded = read_text(source.path, max_bytes)
        except ReadError as exc:
            return failed(source.doc, str(source.path), "read", exc.reason,
                          f"{source.path} {exc}")
        try:
            return self.parse_text(decoded.text, source.doc, path=str(source.path),
                                   encoding=decoded.encoding, size=decoded.size)
        except Exception as exc:  # one bad document must not stop a batch of thousands
            log.exception("failed on %s", source.path)
            return failed(source.doc, str(source.path), "parse", "internal",
                          f"{source.path}: {type(exc).__name__}: {exc}")


def failed(doc: str, path: str, stage: str, reason: str, message: str) -> Document:
    return Document(doc=doc, path=path, text="", error=ErrorRecord(
        path=doc, stage=stage, reason=reason, message=message))


# -- the public functions --------------------------------------------------------------
def parse_text(text: str, doc: str = "<text>", rules: Rules | None = None) -> Document:
    """Process one text: cleaned, segmented, its quantities extracted and attributed."""
    return Pipeline(rules).parse_text(text, doc)


def parse_file(path: str | Path, rules: Rules | None = None) -> Document:
    """Process one file; raises ReadError when it cannot be read as text."""
    decoded = read_text(path)
    return Pipeline(rules).parse_text(decoded.text, str(path), path=str(path),
                                      encoding=decoded.encoding, size=decoded.size)


_WORKER: Pipeline | None = None  # one per worker process, set by _init_worker


def _init_worker(patterns: str | None) -> None:
    global _WORKER
    # Ctrl-C and kill -TERM are for the parent, which stops the pool and removes its
    # partial tables; a worker that caught them would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER = Pipeline(load_rules(patterns) if patterns else default_rules())


def _work(args: tuple[Source, int]) -> Document:
    assert _WORKER is not None
    return _WORKER.parse_source(*args)


def parse_paths(paths: Iterable[str | Path], jobs: int = 1, *, glob: str = "*.txt",
                patterns: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
                ) -> Iterator[Document]:
    """Process files and folders, in order of their names; `jobs` worker processes.

    Files that cannot be read come out as Documents whose `error` says why, so one bad
    file never stops the batch.
    """
    sources: list[Source] = []
    for item in find_sources(list(paths), glob):
        if isinstance(item, Source):
            sources.append(item)
        else:
            path, exc = item
            yield failed(path, path, "list", exc.reason, f"{path} {exc}")
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    if jobs == 1 or len(sources) <= 1:
        pipe = Pipeline(load_rules(patterns) if patterns else default_rules())
        for s in sources:
            yield pipe.parse_source(s, max_bytes)
        return
    import multiprocessing as mp

    ctx = mp.get_context("spawn" if os.name == "nt" else "fork")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(patterns,)) as pool:
        yield from pool.imap(_work, [(s, max_bytes) for s in sources], chunksize=1)
