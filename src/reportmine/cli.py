"""The command line: a thin layer over the library.

Exit codes: 0 every file was read; 1 some files failed (they are rows of errors.csv,
the rest is written); 2 usage errors, unusable rule files and an output folder that
cannot be written; 130 and 143 a run stopped by Ctrl-C or SIGTERM (its partial tables
are removed; the previous run's stay as they were).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import functools
import logging
import os
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence as SequenceABC
from pathlib import Path
from typing import Any, Iterator, NoReturn, Sequence, TextIO

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def _clip(s: str, w: int) -> str:
    out, used = "", 0
    for c in s:
        cw = 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if used + cw > w - 1 and len(s) > len(out) + 1:
            return out + "…"
        out += c
        used += cw
    return out


def print_table(rows: list[list[str]], header: list[str], limits: dict[int, int],
                out: TextIO | None = None) -> None:
    out = out or sys.stdout
    rows = [[_clip(c.replace("\n", "⏎"), limits.get(i, 40)) for i, c in enumerate(r)]
            for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
    print("  ".join(_pad(h, w) for h, w in zip(header, widths)).rstrip(), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for r in rows:
        print("  ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip(), file=out)


def _rules(args: argparse.Namespace):
    from .rules import default_rules

    return default_rules(args.patterns)


def _parse_one(args: argparse.Namespace):
    from .pipeline import Pipeline
    from .readers import read_document

    read = read_document(args.file)
    return Pipeline(_rules(args)).parse_read(read, str(args.file), str(args.file))


def save_text(doc, folder: str) -> Path | None:
    """Write a document's text (what its offsets point into) as FOLDER/<doc>.txt, in
    UTF-8 without a BOM so that offsets count the same in any reader."""
    if not doc.ok:
        return None
    name = doc.doc.lstrip("/").replace("..", "__") or "document"
    target = Path(folder) / (name + ".txt")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w", encoding="utf-8", newline="") as fh:
        fh.write(doc.text)
    return target


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds above 0: {text!r}")
    return value


def _globs(args: argparse.Namespace) -> tuple[str, ...]:
    from .reading import SUPPORTED_GLOBS

    return tuple(args.glob) if args.glob else SUPPORTED_GLOBS


class Terminated(BaseException):
    """SIGTERM during `extract`, raised where the run is so the partial tables go."""


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


# -- commands ---------------------------------------------------------------------
def _progress(args: argparse.Namespace):
    """A progress bar on stderr for a terminal; None when quiet or not a terminal."""
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit="doc", file=sys.stderr, dynamic_ncols=True, leave=False)


def _extract_dask(args: argparse.Namespace) -> int:
    """extract --engine dask: the same pipeline on a Dask cluster, Parquet out."""
    from .rules import RulesError

    if not args.verbose:  # distributed logs every worker's start and stop at INFO
        logging.getLogger("distributed").setLevel(logging.WARNING)
    try:
        from .dask import extract_dask

        counts = extract_dask(list(map(str, args.paths)), str(args.output),
                              scheduler=args.scheduler, glob=_globs(args),
                              patterns=args.patterns, max_bytes=args.max_bytes,
                              skip_checks=args.skip_check or (), n_workers=args.jobs or None,
                              full=args.full)
    except (ImportError, ValueError) as exc:
        print(f"reportmine: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RulesError:
        raise
    if not args.quiet:
        print(", ".join(f"{n} {t}" for t, n in counts.items()) + f" → {args.output}/",
              file=sys.stderr)
        print(f"{counts.processed} processed, {counts.reused} unchanged, {counts.dropped} "
              "gone since the last run" + (f" ({counts.redo})" if counts.redo else ""),
              file=sys.stderr)
    return EXIT_SOME_FAILED if counts.get("errors") else EXIT_OK


def _sheet_too_large(exc: BaseException) -> bool:
    """An XLSX sheet over its row limit? (Asked without importing the XLSX writer: it
    can only have been raised if a run writing XLSX imported it.)"""
    xlsx = sys.modules.get("reportmine.writers.xlsx")
    return xlsx is not None and isinstance(exc, xlsx.SheetTooLarge)


def cmd_extract(args: argparse.Namespace) -> int:
    if args.engine == "dask":
        if args.watch is not None:
            print("reportmine: --watch runs the local engine; on Dask, run the command "
                  "again (it is incremental)", file=sys.stderr)
            return EXIT_USAGE
        return _extract_dask(args)
    rc = _extract_local(args)
    if args.watch is None or rc == EXIT_USAGE:
        return rc
    return _watch(args, rc)


def _inputs_status(args: argparse.Namespace) -> list[tuple]:
    """What changes when an input file or a rule file of the overlay changes: names and
    file status, as an incremental run compares it. Listing and stat only: no byte is
    read."""
    from .incremental import _status
    from .reading import Source, find_sources

    status: list[tuple] = []
    for found in find_sources(args.paths, _globs(args)):
        if isinstance(found, Source):
            try:
                st = os.stat(found.path)
            except OSError as exc:
                status.append((found.doc, str(found.path), exc.errno))
                continue
            status.append((found.doc, str(found.path), *_status(st)))
        else:
            status.append((found[0], found[1].reason))
    if args.patterns and os.path.isdir(args.patterns):
        for p in sorted(Path(args.patterns).rglob("*")):
            try:
                st = p.stat()
            except OSError as exc:  # gone since listed: the next look sees it gone
                status.append((str(p), exc.errno))
                continue
            status.append((str(p), *_status(st)))
    return status


def _watch(args: argparse.Namespace, rc: int) -> int:
    """extract --watch: after the run, look at the inputs every SECONDS and run again,
    incrementally, when a file is added, changed or removed, until Ctrl-C. The process
    keeps its pipeline loaded between runs, so a run costs what changed."""
    from .incremental import rules_hash
    from .rules import default_rules

    args.full = False  # the first run only
    seen = _inputs_status(args)
    rules = rules_hash(args.patterns)
    if not args.quiet:
        print(f"reportmine: watching {len(seen)} files every {args.watch:g} s (Ctrl-C to "
              "stop)", file=sys.stderr)
    while True:
        try:
            time.sleep(args.watch)
            now = _inputs_status(args)
        except KeyboardInterrupt:  # between runs: the tables are the last run's, whole
            return rc
        if now != seen:
            # A file written during the run shows at the next look: the status is taken
            # before the run, which hashes what it reads. Ctrl-C during a run stops it
            # as it stops any run (main says so, exit code 130).
            seen = now
            if not args.quiet:
                print(f"reportmine: {time.strftime('%H:%M:%S')} inputs changed",
                      file=sys.stderr)
            if rules_hash(args.patterns) != rules:  # rules loaded in this process are stale
                rules = rules_hash(args.patterns)
                default_rules.cache_clear()
            rc = _extract_local(args)


def _extract_local(args: argparse.Namespace) -> int:
    # Only what merging cached rows needs is imported here: the pipeline and the rules
    # are loaded when a document has to be processed (see reportmine.incremental).
    from .incremental import (CACHE_DIR, IncrementalRun, Settings, encode_for_run,
                              remove_stale_outputs)
    from .writers import FORMATS, open_writers, output_names

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        print(f"reportmine: {out} exists and is not a folder", file=sys.stderr)
        return EXIT_USAGE
    formats = tuple(dict.fromkeys(args.format or ["csv"]))
    ours = {name for fmt in FORMATS for name in output_names(fmt)} | {CACHE_DIR}
    if out.is_dir() and not args.force:
        others = [p.name for p in out.iterdir() if p.name not in ours
                  and not (p.name.startswith(".") and p.name.endswith(".partial"))]
        if others:
            print(f"reportmine: {out} holds other files ({', '.join(sorted(others)[:3])}…); "
                  "use --force to write there anyway", file=sys.stderr)
            return EXIT_USAGE
    if "parquet" in formats:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            print("reportmine: --format parquet needs pyarrow: pip install "
                  "'reportmine[parquet]'", file=sys.stderr)
            return EXIT_USAGE
    settings = Settings(patterns=args.patterns, raw_cells=args.raw_cells,
                        skip_checks=tuple(sorted(args.skip_check or ())),
                        max_bytes=args.max_bytes, save_text=args.save_text)
    needs_cells = any(fmt != "csv" for fmt in formats)  # the typed formats
    try:
        run = IncrementalRun(out, args.paths, _globs(args), settings, cells=needs_cells,
                             full=args.full)
    except OSError as exc:  # a rule file or the package cannot be read to hash it
        _rules(args)  # says which rule file, if it is one
        print(f"reportmine: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # A bad rule file stops here, before any work; rule files the last run loaded with
    # this code are not loaded until a document needs them (perhaps none does).
    rules = None if run.rules_known_good else _rules(args)
    failed = docs = chars = 0
    progress = _progress(args)
    started = time.perf_counter()
    try:
        with open_writers(out, formats, raw_cells=args.raw_cells) as writer, \
                _sigterm_raises():
            # Workers turn their documents into the bytes of their table rows
            # (unchanged documents come from the cache); this process only copies them.
            for rows in run.rows(args.jobs, functools.partial(
                    encode_for_run, raw_cells=args.raw_cells, text_dir=args.save_text,
                    cells=needs_cells), rules=rules):
                error = writer.write_encoded(rows)
                docs += 1
                chars += rows.chars
                if error is not None:
                    failed += 1
                    if not args.quiet:
                        message = f"reportmine: {error}"
                        if progress is not None:
                            progress.write(message, file=sys.stderr)
                        else:
                            print(message, file=sys.stderr)
                if progress is not None:
                    rate = chars / max(1e-9, time.perf_counter() - started)
                    progress.set_postfix_str(f"{rate:,.0f} chars/s, {failed} errors",
                                             refresh=False)
                    progress.update(1)
            # The tables and the manifest that describes them go into place together.
            writer.close(extra=run.finish(formats))
        remove_stale_outputs(out, run.previous, formats)
        run.collect()
    except OSError as exc:  # the output folder cannot be written, the disk is full …
        print(f"reportmine: {exc}; no table was written", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if not _sheet_too_large(exc):
            raise
        print(f"reportmine: {exc}; no table was written", file=sys.stderr)
        return EXIT_USAGE
    finally:
        run.abort()
        if progress is not None:
            progress.close()
    if not args.quiet:
        c = writer.counts
        s = run.stats
        print(f"{docs - failed} documents, {c['metrics']} metrics, {c['sections']} sections, "
              f"{c['removed']} removals, {c['checks']} checks, {failed} errors → {out}/",
              file=sys.stderr)
        print(f"{s.processed} processed{f' ({s.redo})' if s.redo else ''}, {s.reused} "
              f"unchanged, {s.dropped} gone since the last run; "
              f"formats: {', '.join(formats)}", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .pipeline import parse_paths

    _rules(args)  # a bad rule file stops here, before any work
    totals = {"ok": 0, "mismatch": 0, "suspect": 0}
    docs = failed = 0
    for doc in parse_paths(args.paths, jobs=args.jobs, glob=_globs(args), patterns=args.patterns,
                           max_bytes=args.max_bytes, skip_checks=args.skip_check or ()):
        docs += 1
        if doc.error is not None:
            failed += 1
            print(f"reportmine: {doc.error.message}", file=sys.stderr)
            continue
        shown = [c for c in doc.checks if not args.problems or c.status.value != "ok"]
        for c in doc.checks:
            totals[c.status.value] += 1
        if not shown and args.problems:
            continue
        print(doc.doc)
        if not shown:
            print("  (no figures to check against each other)")
        for c in shown:
            where = ";".join(map(str, c.metrics))
            print(f"  {c.status.value:<8}  {c.check:<18}  {c.message}  @{where}")
        counts = [sum(1 for c in doc.checks if c.status.value == s) for s in totals]
        print("  " + ", ".join(f"{n} {s}" for n, s in zip(counts, totals)) + "\n")
    print(f"{docs - failed} documents: " + ", ".join(f"{n} {s}" for s, n in totals.items())
          + (f"; {failed} could not be read" if failed else ""), file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from .compare import compare_rows, write_compare
    from .pipeline import parse_paths

    _rules(args)  # a bad rule file stops here, before any work
    out = Path(args.output)
    if out.exists() and out.is_dir():
        print(f"reportmine: {out} is a folder; give a file name (.csv or .xlsx)",
              file=sys.stderr)
        return EXIT_USAGE
    keys = [k.strip() for k in (args.keys or "").split(",") if k.strip()]
    docs, failed = [], 0
    for doc in parse_paths(args.paths, jobs=args.jobs, glob=_globs(args),
                           patterns=args.patterns, max_bytes=args.max_bytes,
                           skip_checks=args.skip_check or ()):
        if doc.error is not None:
            failed += 1
            print(f"reportmine: {doc.error.message}", file=sys.stderr)
        docs.append(doc)
    columns, rows = compare_rows(docs, keys)
    try:
        write_compare(columns, rows, out)
    except OSError as exc:
        print(f"reportmine: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{len(docs) - failed} documents, {len(rows)} rows → {out}", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from .numbers import canonical

    doc = _parse_one(args)
    if args.rejected:
        rows = [[str(r.start), r.text, r.reason, r.rule] for r in doc.rejections]
        print_table(rows, ["start", "text", "reason", "rule"], {1: 24, 3: 30})
        print(f"\n{len(rows)} rejected candidates", file=sys.stderr)
        return EXIT_OK
    rows = []
    for m in doc.metrics:
        value = canonical(m.value) if not m.masked else "(masked)"
        if m.value_max is not None:
            value += "–" + canonical(m.value_max)
        rows.append([str(m.start), m.text, m.kind.value, value, m.unit,
                     m.approx.value if m.approx else "", m.modality.value, m.role.value,
                     m.indicator, m.section])
    print_table(rows, ["start", "text", "kind", "value", "unit", "approx", "modality", "role",
                       "indicator", "section"], {1: 18, 3: 22, 8: 22, 9: 16})
    print(f"\n{len(rows)} quantities in {doc.doc}", file=sys.stderr)
    return EXIT_OK


def _excerpt(text: str, limit: int = 60) -> str:
    shown = text.replace("\n", "⏎")
    return shown if len(shown) <= limit else f"{shown[:limit - 1]}…({len(text)} chars)"


def cmd_clean(args: argparse.Namespace) -> int:
    doc = _parse_one(args)
    text = doc.text
    marked = set(args.reason or ()) or None
    out: list[str] = []
    pos = 0
    totals: dict[tuple[str, str], list[int]] = {}
    for r in doc.removals:
        out.append(text[pos:r.start])
        if args.show_removed and (marked is None or r.reason in marked):
            out.append(f"⟦{r.reason}:{_excerpt(text[r.start:r.end])}⟧")
        out.append(r.joiner)
        pos = r.end
        t = totals.setdefault((r.reason, r.rule), [0, 0])
        t[0] += 1
        t[1] += r.end - r.start
    out.append(text[pos:])
    sys.stdout.write("".join(out))
    if args.show_removed:
        rows = [[reason, rule, str(n), str(chars)]
                for (reason, rule), (n, chars) in sorted(totals.items())]
        print(file=sys.stderr)
        print_table(rows, ["reason", "rule", "removals", "chars"], {1: 30}, out=sys.stderr)
    return EXIT_OK


def cmd_text(args: argparse.Namespace) -> int:
    from .readers import read_document

    read = read_document(args.file)
    if args.pages and read.pages:
        bounds = list(read.pages) + [len(read.text)]
        for k, (s, e) in enumerate(zip(bounds, bounds[1:]), 1):
            print(f"⟦page {k}: {s}–{e}⟧", file=sys.stderr)
    sys.stdout.write(read.text)
    if read.warnings:
        for w in read.warnings:
            print(f"reportmine: {args.file}: {w}", file=sys.stderr)
    return EXIT_OK


def cmd_sections(args: argparse.Namespace) -> int:
    doc = _parse_one(args)
    counts: dict[str, int] = {}
    for m in doc.metrics:
        counts[m.section] = counts.get(m.section, 0) + 1
    print(doc.title or "(no title)")
    if counts.get(""):
        print(f"  [{counts['']} figures before the first heading]")
    for s in doc.sections:
        own = sum(v for k, v in counts.items() if k == s.path or k.startswith(s.path + "/"))
        part = f" ({s.part})" if s.part else ""
        print(f"{'  ' * s.level}{s.marker.strip()}{s.title}  [{own}]{part}")
    return EXIT_OK


# -- parser -----------------------------------------------------------------------
class _CheckNames(SequenceABC):
    """`checks.CHECK_NAMES`, imported when argparse first looks (an option given, the
    help printed): the checks module brings the rules and pydantic with it, which an
    incremental run with nothing to process never needs."""

    @functools.cached_property
    def _names(self) -> tuple[str, ...]:
        from .checks import CHECK_NAMES

        return tuple(CHECK_NAMES)

    def __getitem__(self, k: Any) -> Any:
        return self._names[k]

    def __len__(self) -> int:
        return len(self._names)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="reportmine",
        description="Turn folders of Chinese report text into tables of figures.")
    p.add_argument("-v", "--verbose", action="store_true", help="log progress and details")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--patterns", metavar="DIR",
                        help="a folder of rule files whose entries are added to the defaults")

    def batch(sp: argparse.ArgumentParser) -> None:
        from .reading import SUPPORTED_GLOBS

        sp.add_argument("--glob", action="append", metavar="PATTERN",
                        help="file name pattern in folders, case ignored (repeatable; default: "
                        "every supported format: " + " ".join(SUPPORTED_GLOBS) + "). A file "
                        "is read by what its bytes are, whatever its name")
        sp.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="worker processes (default 0: one per core)")
        sp.add_argument("--max-bytes", type=int, default=256 * 1024 * 1024, metavar="N",
                        help="files larger than this are reported, not read (default 256 MiB)")
        sp.add_argument("--skip-check", action="append", choices=_CheckNames(), metavar="NAME",
                        help="do not run this check (repeatable): %(choices)s")

    e = sub.add_parser("extract", help="process files and folders into tables (CSV, "
                       "Parquet, XLSX, JSONL)",
                       description="Process files and folders (recursively) and write "
                       "documents, sections, metrics, tables, removed, rejected, errors and "
                       "checks (the audit) into the output folder, as CSV unless --format "
                       "says otherwise. Runs are incremental: the output folder keeps each "
                       "document's rows in .reportmine/, and a run into the same folder "
                       "processes only new and changed files (all of them when the rules, "
                       "the version or the settings changed); the tables are what a fresh "
                       "run writes.")
    e.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    e.add_argument("-o", "--output", required=True, metavar="OUT", help="output folder")
    batch(e)
    e.add_argument("--save-text", metavar="DIR",
                   help="also write each document's text (what the offsets of every table "
                   "point into) to DIR/<doc>.txt, UTF-8")
    e.add_argument("--raw-cells", action="store_true",
                   help="write text cells as they are (no guard against spreadsheet formulas)")
    e.add_argument("--force", action="store_true",
                   help="write into an output folder that holds other files")
    e.add_argument("--format", action="append", choices=("csv", "parquet", "xlsx", "jsonl"),
                   metavar="FORMAT",
                   help="output format, repeatable: csv (default), parquet (typed columns; "
                   "needs pyarrow), xlsx (one workbook reportmine.xlsx, a sheet per table), "
                   "jsonl (one JSON object per line)")
    e.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="local: worker processes on this machine (default); dask: a Dask "
                   "cluster (pip install \"reportmine[dask]\"), paths and -o may be fsspec "
                   "URLs (s3://, gs://), output a Parquet dataset per table")
    e.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: the scheduler (tcp://host:8786); without it a "
                   "local cluster of --jobs workers is started")
    e.add_argument("--full", action="store_true",
                   help="process every document again, whatever the last run kept")
    e.add_argument("--watch", type=_positive_seconds, metavar="SECONDS",
                   help="after the run, look at the inputs every SECONDS and run again "
                   "(incrementally) when a file is added, changed or removed; Ctrl-C stops")
    e.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    common(e)
    e.set_defaults(func=cmd_extract)

    k = sub.add_parser(
        "check", help="audit the figures: does the arithmetic between them hold?",
        description="Process files and folders and print, per document, each check of the "
        "figures against each other (change = value − baseline, growth, share, completion, "
        "percentage points, parts of a total) and each suspect figure (a rate above 100%, "
        "a year glued into the digits, one indicator with two values): its status (ok, "
        "mismatch, suspect), the start offsets of the figures involved and a message. "
        "Exit code 0 unless some files could not be read (1); mismatches do not change it.")
    k.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    k.add_argument("--problems", action="store_true",
                   help="show only mismatch and suspect rows (and the documents that have them)")
    batch(k)
    common(k)
    k.set_defaults(func=cmd_check)

    m = sub.add_parser(
        "compare", help="line the figures of many documents up by indicator",
        description="Process files and folders and write one table: a row per catalogued "
        "indicator (patterns/catalogue.toml: its key and name), role, basis (年均 for a "
        "yearly average), period, modality and unit; a column per document (its title, "
        "else its file name), each cell the value in its base unit (元, %). A document "
        "that states one indicator twice with different values gets a cell listing both. "
        "CSV, or XLSX when the output name ends in .xlsx (header frozen, numbers as "
        "numbers).")
    m.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    m.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the table to write: .csv or .xlsx")
    m.add_argument("--keys", metavar="KEY,KEY",
                   help="only these indicator keys (e.g. gdp,fiscal_revenue_general)")
    batch(m)
    common(m)
    m.set_defaults(func=cmd_compare)

    s = sub.add_parser("show", help="print a document's quantities as a table",
                       description="Print the quantities found in one file.")
    s.add_argument("file", metavar="FILE")
    s.add_argument("--rejected", action="store_true",
                   help="list the rejected candidates and why instead")
    common(s)
    s.set_defaults(func=cmd_show)

    c = sub.add_parser("clean", help="print a document's cleaned text",
                       description="Print the text as the later stages read it: markup, "
                       "ads, scraper and portal furniture, page-number artifacts and repeated "
                       "blocks taken out (offsets never move: see removed.csv).")
    c.add_argument("file", metavar="FILE")
    c.add_argument("--show-removed", action="store_true",
                   help="show removed text in place, marked ⟦reason:…⟧, and a count of "
                   "removals by reason and rule (on stderr)")
    c.add_argument("--reason", action="append", metavar="REASON",
                   help="with --show-removed: mark only removals of this reason (ad, "
                   "scraper, portal, markup, page_number, duplicate); repeatable")
    common(c)
    c.set_defaults(func=cmd_clean)

    x = sub.add_parser("text", help="print a document's text as read (the text offsets "
                       "point into)",
                       description="Print the text a file is read as, whatever its format "
                       "(PDF, Word, spreadsheet, web page, text): the text every offset of "
                       "every table points into. Nothing is removed (see `clean` for that).")
    x.add_argument("file", metavar="FILE")
    x.add_argument("--pages", action="store_true",
                   help="list each page's offsets on stderr (paged formats)")
    x.set_defaults(func=cmd_text)

    t = sub.add_parser("sections", help="print a document's outline",
                       description="Print the numbered outline as an indented tree with the "
                       "number of figures under each heading.")
    t.add_argument("file", metavar="FILE")
    common(t)
    t.set_defaults(func=cmd_sections)
    return p


def _raised_by(exc: BaseException, module: str, name: str) -> bool:
    """Is `exc` reportmine's `module.name`? Asked without importing the module: if it
    was never imported (the rules, when a run loads none), it raised nothing."""
    found = sys.modules.get(f"reportmine.{module}")
    return found is not None and isinstance(exc, getattr(found, name))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except BrokenPipeError:  # `reportmine show … | head`
        return EXIT_OK
    except KeyboardInterrupt:
        print("reportmine: interrupted; no table was left half-written", file=sys.stderr)
        return 130
    except Terminated:
        print("reportmine: terminated; no table was left half-written", file=sys.stderr)
        return 143
    except Exception as exc:
        if _raised_by(exc, "rules", "RulesError"):
            print(f"reportmine: bad rule file: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if _raised_by(exc, "reading", "ReadError"):
            print(f"reportmine: {getattr(args, 'file', '')} {exc}", file=sys.stderr)
            return EXIT_SOME_FAILED
        raise


def run() -> NoReturn:
    """The `reportmine` command: `main()`, then out of the process without the
    interpreter's teardown, which frees every object a run loaded one by one (the
    tokenizer's dictionary, the compiled rules: a tenth of a second, a seventh of an
    incremental run's time). What exiting must still do is done: the exit handlers
    (logging's, multiprocessing's), then the standard streams flushed; every table is
    closed and in place before `main` returns."""
    rc = main()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate()
           if t is not threading.main_thread()):
        sys.exit(rc)  # a thread still at work is waited for, as at any exit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader gone (`… | head`) or a stream closed
            pass
    os._exit(rc)


if __name__ == "__main__":  # pragma: no cover
    run()
