"""The pipeline: read → clean → segment → extract → attribute → check, a document at a time."""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import re
import signal
from bisect import bisect_right
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import regex

from .attribution import Attributor, period_in
from .checks import run_checks, validate_skip
from .catalogue import Catalogue, clause_before, compile_catalogue
from .cells import CellFigure, CellReader, read_tables, row_labels
from .clean import find_removals
from .doctables import FoundTable, find_tables
from .models import (Approx, Document, DocumentTable, ErrorRecord, Kind, Metric, Modality,
                     Rejection, Removal, Role, Section, trusted)
from .quantities import Extractor
from .markup import front_matter_title
from .readers import SUPPORTED_GLOBS, ReadResult, read_document
from .reading import DEFAULT_MAX_BYTES, ReadError, Source, find_sources
from .rules import Rules, default_rules, load_rules
from .sections import find_sections
from .view import View

log = logging.getLogger(__name__)
_HAN = regex.compile(r"\p{Han}+")
_TRADITIONAL_SHARE = 0.02
# The enum members by value, looked up without the enum machinery (per figure, four).
_KINDS = {k.value: k for k in Kind}
_APPROX = {a.value: a for a in Approx}
_MODALITIES = {m.value: m for m in Modality}
_ROLES = {r.value: r for r in Role}


def page_of(pages: Sequence[int], offset: int) -> int:
    """The 1-based page holding `offset`, given each page's start offset."""
    return max(1, bisect_right(pages, offset))


_CELL_SEPARATORS = regex.compile(r"[ \t]*(?:\t|\|)[ \t]*|[ \u3000]{2,}|\s*\n\s*")


def _row_text(raw: str) -> str:
    """A table row as a sentence: its cells separated by " | "."""
    return " | ".join(c for c in _CELL_SEPARATORS.split(raw.strip().strip("|")) if c.strip())


def _table_record(doc: str, k: int, t: FoundTable, view: View) -> DocumentTable:
    def line(span: tuple[int, int] | None) -> str:
        # As the cleaner leaves it: a caption that is a bold Markdown row reads as text.
        return _row_text(view.raw[view.to_view(span[0]):view.to_view(span[1])]) if span else ""

    parents = t.parents if len(t.parents) == t.rows else (None,) * t.rows
    return trusted(DocumentTable, doc=doc, id=k, start=t.start, end=t.end, rows=t.rows,
                   cols=t.cols, header_rows=t.header_rows, caption=line(t.caption),
                   unit=line(t.unit), source=t.source, labels=row_labels(t, view),
                   parents=tuple(parents))


def _year_before(period: str) -> str:
    """2026 → 2025 (a half or a quarter keeps its part: 2026H1 → 2025H1)."""
    return str(int(period[:4]) - 1) + period[4:] if period[:4].isdigit() else period


def _inherit_keys(metrics: list[Metric], catalogue: Catalogue, text: str) -> None:
    """增长5.1% after 城镇居民人均可支配收入42000元: a figure whose indicator is only a
    word of change, with nothing but that word between it and the figure before it in
    its sentence, takes that figure's key; so does one whose indicator is that figure's
    followed by the word (居民人均可支配收入增长: attribution names the topic)."""
    for k in range(1, len(metrics)):
        m, before = metrics[k], metrics[k - 1]
        rest = m.indicator[len(before.indicator):] \
            if before.indicator and m.indicator.startswith(before.indicator) else ""
        if before.indicator_key and m.table is None \
                and m.sentence_start == before.sentence_start \
                and ((not m.indicator_key and catalogue.inherits(m.indicator))
                     or (rest and catalogue.inherits(rest))) \
                and catalogue.inherits(text[before.end:m.start]):
            metrics[k] = m.model_copy(update={"indicator_key": before.indicator_key,
                                              "indicator_name": before.indicator_name})


def in_ranges(ranges: Sequence[tuple[int, int]], offset: int) -> bool:
    """Does one of the sorted (start, end) ranges hold `offset`?"""
    k = bisect_right(ranges, (offset, float("inf"))) - 1
    return k >= 0 and ranges[k][0] <= offset < ranges[k][1]


def detect_script(text: str, rules: Rules) -> str:
    """traditional when Traditional-only characters are common, else simplified."""
    trad = len(_traditional_re(rules).findall(text))
    if trad == 0:
        return "simplified"
    # Han characters are at most all of the text: counting them is needed only when
    # the Traditional ones are few (the count costs more than the rest of this).
    if trad <= _TRADITIONAL_SHARE * len(text):
        han = sum(map(len, _HAN.findall(text))) or 1
        if trad / han <= _TRADITIONAL_SHARE:
            return "simplified"
    return "traditional"


@functools.lru_cache(maxsize=4)
def _traditional_re(rules: Rules) -> re.Pattern[str]:
    # stdlib re: its character sets are many times faster than regex's on long text
    return re.compile("[" + "".join(re.escape(c) for c in sorted(rules.traditional_chars))
                      + "]" if rules.traditional_chars else "(?!)")


class Pipeline:
    """Holds the rules and the tokenizer; processes documents one by one."""

    def __init__(self, rules: Rules | None = None, skip_checks: Iterable[str] = ()) -> None:
        self.rules = rules or default_rules()
        self.attributor = Attributor(self.rules)
        self._extractors: dict[str, Extractor] = {}  # one per script, built on first use
        self._cell_readers: dict[str, CellReader] = {}
        self.catalogue = compile_catalogue(self.rules.catalogue, self.rules.normalize) \
            if self.rules.catalogue is not None else None
        self.skip_checks = validate_skip(skip_checks)

    def parse_text(self, text: str, doc: str = "<text>", *, path: str = "",
                   encoding: str = "utf-8", size: int | None = None,
                   format: str = "text", pages: Sequence[int] = (),
                   grids: Sequence[Any] = (), title: str = "",
                   ocr: Sequence[tuple[int, int]] = ()) -> Document:
        """`pages` (the offset of each page's text), `grids`, `title` and `ocr` (the
        ranges read from images) are what a reader of a structured format knows (see
        reportmine.readers)."""
        rules = self.rules
        pages = tuple(pages)
        removals = find_removals(text, rules, pages)
        view = View(text, [r.cut() for r in removals], rules.normalize)
        script = detect_script(text, rules)
        outline = find_sections(doc, view, rules)
        if pages:
            outline = dataclasses.replace(outline, sections=[
                s.model_copy(update={"page": page_of(pages, s.start)}) for s in outline.sections])
        sections = outline.sections
        front = front_matter_title(text)
        if front is not None:  # the document says what its title is
            title, title_start = front
        else:
            title = outline.title or title
            title_start = outline.title_start if outline.title else -1
        extractor = self._extractors.get(script)
        if extractor is None:
            extractor = self._extractors[script] = Extractor(rules, script)
        quantities, rejected = extractor.extract(view.text, view.raw, outline.markers)
        # Tables: their cells are read with their headers, not as prose.
        found_tables = find_tables(text, view, grids, rules)
        if found_tables:
            # The cells' extent: a caption row or line above stays prose.
            regions = sorted((view.to_view(min(c.start for c in t.cells)),
                              view.to_view(max(c.end for c in t.cells)))
                             for t in found_tables if t.cells)
            quantities = [q for q in quantities if not in_ranges(regions, q.start)]
            rejected = [r for r in rejected if not in_ranges(regions, r.start)]

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
        # Each section's part and period, from itself or the nearest heading above it
        # (sections come parents first, so a parent is always done before its children).
        context: dict[int | None, tuple[str, str]] = {None: ("", doc_period)}
        for heading in sections:
            up_part, up_period = context[heading.parent if heading.parent in by_id else None]
            context[heading.id] = (heading.part or up_part,
                                   period_in(heading.title) or up_period)
        parts = [context[sec.id if sec else None][0] for sec in secs]
        periods = [context[sec.id if sec else None][1] for sec in secs]
        attrs = self.attributor.attribute(view.text, view.raw, quantities, parts, periods)
        if doc_period and self.catalogue is not None and self.catalogue.plan_year(title):
            # A 政府工作报告 names the year it plans; its results are of the year before.
            before = _year_before(doc_period)
            attrs = [a._replace(period=before) if a.modality == "actual"
                     and a.period == doc_period and not period_in(
                         view.text[a.sentence_start:q.start]) else a
                     for q, a in zip(quantities, attrs)]
        cell_figures: list[CellFigure] = []
        if found_tables:
            def context_at(v: int) -> tuple[str, str]:
                sec = section_of(view.to_original(v))
                return context[sec.id if sec else None]

            cell_figures, cell_rejected = read_tables(
                found_tables, view, self._cell_reader(script, extractor), context_at)
            rejected = sorted(rejected + cell_rejected, key=lambda r: r.start)

        # The records are built from values this module made: no need to validate again.
        metrics = []
        for q, (o_start, o_end), sec, a in zip(quantities, spans, secs, attrs):
            ss, se = view.span(a.sentence_start, a.sentence_end)
            metrics.append(trusted(
                Metric, doc=doc, start=o_start, end=o_end, text=text[o_start:o_end],
                kind=_KINDS[q.kind], value=q.value, value_max=q.value_max, unit=q.unit,
                approx=_APPROX[q.approx] if q.approx else None, masked=q.masked,
                modality=_MODALITIES[a.modality], indicator=a.indicator,
                section=sec.path if sec else "",
                sentence=view.raw[a.sentence_start:a.sentence_end].strip(),
                heading=sec.title if sec else "",
                role=_ROLES[a.role], period=a.period, subject=a.subject,
                sentence_start=ss, sentence_end=se,
                page=page_of(pages, o_start) if pages else None,
                ocr=bool(ocr) and in_ranges(ocr, o_start),
                table=None, row=None, col=None,
                **self._key(a.indicator, clause_before(text, o_start, ss)),
            ))
        for f in cell_figures:
            q = f.quantity
            o_start, o_end = view.span(q.start, q.end)
            ss, se = view.span(f.row_start, f.row_end)
            sec = section_of(o_start)
            metrics.append(trusted(
                Metric, doc=doc, start=o_start, end=o_end, text=text[o_start:o_end],
                kind=_KINDS[q.kind], value=q.value, value_max=q.value_max, unit=q.unit,
                approx=_APPROX[q.approx] if q.approx else None, masked=q.masked,
                modality=_MODALITIES[f.modality], indicator=f.indicator,
                section=sec.path if sec else "",
                sentence=_row_text(view.raw[f.row_start:f.row_end]),
                heading=sec.title if sec else "",
                role=_ROLES[f.role], period=f.period, subject=f.subject,
                sentence_start=ss, sentence_end=se,
                page=page_of(pages, o_start) if pages else None,
                ocr=bool(ocr) and in_ranges(ocr, o_start),
                table=f.table, row=f.row, col=f.col,
                **self._key(f.indicator, f.subject),
            ))
        if cell_figures:
            metrics.sort(key=lambda m: (m.start, m.end))
        if self.catalogue is not None:
            _inherit_keys(metrics, self.catalogue, text)
        table_records = tuple(_table_record(doc, k, t, view)
                              for k, t in enumerate(found_tables, 1))
        rejections = []
        for r in rejected:
            o_start, o_end = view.span(r.start, r.end)
            rejections.append(trusted(
                Rejection, doc=doc, start=o_start, end=o_end, text=text[o_start:o_end],
                reason=r.reason, rule=r.rule))
        return Document(
            doc=doc, path=path, format=format, encoding=encoding, script=script, title=title,
            title_start=title_start,
            size_bytes=size if size is not None else len(text.encode("utf-8")),
            text=text, sections=tuple(sections), metrics=tuple(metrics),
            rejections=tuple(rejections),
            checks=run_checks(text, metrics, rules, self.skip_checks, table_records),
            removals=tuple(trusted(
                Removal, doc=doc, start=r.start, end=r.end, reason=r.reason, rule=r.rule,
                joiner=r.joiner) for r in removals),
            page_starts=pages, grids=tuple(grids), ocr_ranges=tuple(ocr),
            tables=table_records,
        )

    def _key(self, indicator: str, clause: str) -> dict[str, str]:
        """indicator_key and indicator_name of a figure, from the catalogue."""
        found = self.catalogue.match(indicator, clause) if self.catalogue else None
        return {"indicator_key": found[0] if found else "",
                "indicator_name": found[1] if found else ""}

    def _cell_reader(self, script: str, extractor: Extractor) -> CellReader:
        reader = self._cell_readers.get(script)
        if reader is None:
            assert self.rules.cells is not None, "cells.toml is part of every rule set"
            reader = self._cell_readers[script] = CellReader(self.rules.cells, extractor)
        return reader

    def parse_read(self, read: ReadResult, doc: str, path: str = "") -> Document:
        """A document as a reader gave it."""
        return self.parse_text(read.text, doc, path=path, encoding=read.encoding,
                               size=read.size, format=read.format, pages=read.pages,
                               grids=read.grids, title=read.title, ocr=read.ocr)

    def parse_source(self, source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
        """A file as a Document; a file that cannot be read gives a Document with `error`."""
        try:
            read = read_document(source.path, max_bytes)
        except ReadError as exc:
            return failed(source.doc, str(source.path), "read", exc.reason,
                          f"{source.path} {exc}")
        try:
            return self.parse_read(read, source.doc, str(source.path))
        except Exception as exc:  # one bad document must not stop a batch of thousands
            log.exception("failed on %s", source.path)
            return failed(source.doc, str(source.path), "parse", "internal",
                          f"{source.path}: {type(exc).__name__}: {exc}")


def failed(doc: str, path: str, stage: str, reason: str, message: str) -> Document:
    return Document(doc=doc, path=path, text="", error=ErrorRecord(
        path=doc, stage=stage, reason=reason, message=message))


# -- the public functions --------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _pipeline(rules: Rules | None, skip_checks: frozenset[str] = frozenset()) -> Pipeline:
    """One pipeline per rule set, so the tokenizer is built once per process."""
    return Pipeline(rules, skip_checks)


def parse_text(text: str, doc: str = "<text>", rules: Rules | None = None,
               skip_checks: Iterable[str] = ()) -> Document:
    """Process one text: cleaned, segmented, its quantities extracted, attributed, checked.

    `skip_checks` names checks not to run (see `reportmine.checks.CHECK_NAMES`).
    """
    return _pipeline(rules, frozenset(skip_checks)).parse_text(text, doc)


def parse_file(path: str | Path, rules: Rules | None = None,
               skip_checks: Iterable[str] = ()) -> Document:
    """Process one file of any supported format (text, Markdown, web page, PDF, Word,
    spreadsheet); raises ReadError when it cannot be read."""
    read = read_document(path)
    return _pipeline(rules, frozenset(skip_checks)).parse_read(read, str(path), str(path))


_BATCH = 4  # documents per task, at most
_WORKER: Pipeline | None = None  # one per worker process, set by _init_worker
_RENDER: Callable[[Document], Any] | None = None  # what a worker sends back


def _init_worker(patterns: str | None, skip_checks: tuple[str, ...] = (),
                 render: Callable[[Document], Any] | None = None,
                 warm: Sequence[Pipeline] = ()) -> None:
    """`warm`: the parent's ready pipeline, as a forked worker inherits it (empty for a
    worker spawned, or forked again after the parent let it go)."""
    global _WORKER, _RENDER
    # Ctrl-C and kill -TERM are for the parent, which stops the pool and removes its
    # partial tables; a worker that caught them would only print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER = warm[0] if warm else Pipeline(rules_for(patterns), skip_checks)
    _RENDER = render


# What a pipeline reads before its workers are forked: enough for the tokenizer's
# dictionaries and the extractor to be loaded (a few tenths of a second, paid once).
_WARM_UP = "一、概况\n全年投入资金172.5万元，比上年增长5.1%。"


# The last pipeline made for a batch, with the rules it was made of: a process that runs
# batch after batch with the same rules (extract --watch, a notebook) makes it once.
# Holding the rules keeps their identity from being reused by other rules.
_LAST: tuple[Rules, tuple[str, ...], Pipeline] | None = None


def _batch_pipeline(rules: Rules, skip: tuple[str, ...]) -> Pipeline:
    """A pipeline of these rules, warm (its tokenizer's dictionaries and extractor
    loaded), made once per rules object and skip list."""
    global _LAST
    if _LAST is not None and _LAST[0] is rules and _LAST[1] == skip:
        return _LAST[2]
    pipe = Pipeline(rules, skip)
    pipe.parse_text(_WARM_UP)
    _LAST = (rules, skip, pipe)
    return pipe


def rules_for(patterns: str | None) -> Rules:
    """The rules of patterns/ plus the overlay folder `patterns`, if any."""
    return load_rules(patterns) if patterns else default_rules()


def _work(args: tuple[Source, int]) -> Any:
    assert _WORKER is not None
    doc = _WORKER.parse_source(*args)
    return _RENDER(doc) if _RENDER is not None else doc


def _work_batch(batch: list[tuple[Source, int]]) -> list[Any]:
    return [_work(args) for args in batch]


def parse_paths(paths: Iterable[str | Path], jobs: int = 1, *,
                glob: str | Sequence[str] = SUPPORTED_GLOBS,
                patterns: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                skip_checks: Iterable[str] = ()) -> Iterator[Document]:
    """Process files and folders, in order of their names; `jobs` worker processes.

    Files that cannot be read come out as Documents whose `error` says why, so one bad
    file never stops the batch.
    """
    return map_paths(paths, jobs, glob=glob, patterns=patterns, max_bytes=max_bytes,
                     skip_checks=skip_checks)


def map_paths(paths: Iterable[str | Path], jobs: int = 1, *,
              glob: str | Sequence[str] = SUPPORTED_GLOBS,
              patterns: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
              skip_checks: Iterable[str] = (),
              render: Callable[[Document], Any] | None = None) -> Iterator[Any]:
    """`parse_paths`, with `render(document)` applied where the document is made (in the
    worker): the batch CLI sends back table rows, not whole documents."""
    skip = tuple(sorted(validate_skip(skip_checks)))  # an unknown name fails before any work
    finish = render or (lambda d: d)
    sources: list[Source] = []
    for item in find_sources(list(paths), glob):
        if isinstance(item, Source):
            sources.append(item)
        else:
            path, exc = item
            yield finish(failed(path, path, "list", exc.reason, f"{path} {exc}"))
    yield from map_sources(sources, jobs, patterns=patterns, max_bytes=max_bytes,
                           skip=skip, render=render)


def map_sources(sources: list[Source], jobs: int = 1, *, patterns: str | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES, skip: tuple[str, ...] = (),
                render: Callable[[Document], Any] | None = None,
                serial_up_to: int = 1, rules: Rules | None = None) -> Iterator[Any]:
    """Sources already found, processed (and rendered) in input order; `jobs` worker
    processes unless there are no more than `serial_up_to` sources. `rules`, when the
    caller has loaded them already (those of `patterns`), are not loaded again."""
    if not sources:
        return
    finish = render or (lambda d: d)
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    if jobs == 1 or len(sources) <= serial_up_to:
        pipe = _batch_pipeline(rules or rules_for(patterns), skip)
        for s in sources:
            yield finish(pipe.parse_source(s, max_bytes))
        return
    import multiprocessing as mp
    from collections import deque

    ctx = mp.get_context("spawn" if os.name == "nt" else "fork")
    # Forked workers inherit a pipeline made here, its rules loaded and its dictionaries
    # read: once, not once per worker, and a worker starts in milliseconds (a rule file
    # that fails does so here, not in a pool that starts workers again and again).
    # Spawned ones make their own (pickled, it would be no faster).
    warm = [_batch_pipeline(rules or rules_for(patterns), skip)] \
        if ctx.get_start_method() == "fork" else []
    # A bounded window of batches in flight: results come back in input order and
    # memory does not grow with the corpus, whatever the speed of the consumer. A task
    # holds a few documents where there are many (a round trip to a worker costs the
    # parent about a millisecond, taken from the workers' cores), one where there are
    # few, so that every worker gets some.
    size = max(1, min(_BATCH, len(sources) // (jobs * 8)))
    window = jobs * 2 if size > 1 else jobs * 4
    with ctx.Pool(min(jobs, len(sources)), initializer=_init_worker,
                  initargs=(patterns, skip, render, warm)) as pool:
        warm.clear()  # every worker is forked with it: this process needs it no more
        pending: deque = deque()
        for k in range(0, len(sources), size):
            if len(pending) >= window:
                yield from pending.popleft().get()
            batch = [(s, max_bytes) for s in sources[k:k + size]]
            pending.append(pool.apply_async(_work_batch, (batch,)))
        while pending:
            yield from pending.popleft().get()
