"""Incremental runs of `reportmine extract`: only new and changed documents are processed.

The output folder keeps, in a hidden `.reportmine/` folder, the rows of every document
the last runs produced (`rows/<key>.rows`, or `.cells` when they hold typed cells too:
one file per document, the bytes of `tables.EncodedRows`) and a manifest of the run
whose tables stand beside it (`manifest.json`: each document's name, path, size,
content hash and file status, the reportmine version, a hash of its code and of the
rule files' bytes, the settings that change rows, the formats written). A document's
key is a hash of all of those that make its rows, so a cached entry is never stale: a
changed file, rule file, version or setting gives a new key and the document is
processed again (a change of rules, version or settings redoes every document). The
tables are then re-assembled in document order by copying each entry's bytes, byte for
byte what a fresh run writes (a processed document goes through the same bytes).
Entries are written whole (to a temporary name, then renamed; their header holds their
length and a CRC, so one a crash damaged is processed again), only for documents
processed, so those of an interrupted run are reused by the next one; entries no
manifest names are removed after each run.

A run that only merges cached rows imports neither the pipeline nor the rules: they are
loaded when a document has to be processed. Cached rows are read one document at a
time, as they are written: memory does not grow with the corpus.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from . import __version__
from .diskcache import code_hash, tree_hash
from .reading import Source, find_sources
from .tables import TABLES, EncodedRows, encode, render

if TYPE_CHECKING:
    from .models import Document
    from .rules import Rules

log = logging.getLogger(__name__)

CACHE_DIR = ".reportmine"
MANIFEST = "manifest.json"
_FORMAT = 2  # of the manifest and the entries
# A file whose status changed this little before it was hashed might change again
# within the file system's clock tick without its status showing it ("racy git"): its
# hash is not trusted on status alone (see `_Hasher`). 2 s covers coarse clocks (FAT).
_RACY_NS = 2_000_000_000


# -- fingerprints ---------------------------------------------------------------------
def patterns_dir() -> Path:
    """`rules.default_patterns_dir()` without importing the rules module (pydantic and
    the rest, which a run that processes nothing does not need); a test holds the two
    to the same answer."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "patterns", here.parents[1] / "patterns"):
        if (candidate / "units.toml").is_file():
            return candidate
    return here / "patterns"  # missing: loading the rules says so


def rules_hash(patterns: str | None) -> str:
    """The bytes of the rule files in use: patterns/ and the overlay folder, if any (a
    missing overlay folder hashes unlike an empty one: it is an error to report)."""
    return tree_hash(patterns_dir(), Path(patterns) if patterns else None)


def _status(st: os.stat_result) -> list[int]:
    """What changes when a file's bytes do: size, times, identity. ctime cannot be set
    back by tools that keep mtime (cp -p, touch -r, rsync -t); it changes on any write."""
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def file_hash(path: Path) -> tuple[int, str] | None:
    """Size and SHA-256 of a regular file's bytes; None for anything else (a FIFO, a
    device: opening one may block; the reader says what is wrong with it)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        return None
    return _sha256(path)


def _sha256(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


class _Hasher:
    """The content hash of each file, taken from the last manifest when the file's
    status is the one recorded there and that status is older than the hash.

    The manifest must name each document's content hash (what its rows are keyed by);
    hashing reads every byte of the folder. The fast path is safe because ctime changes
    with any write and cannot be set back, so an equal status means unchanged bytes; the
    exception is a write within the same clock tick as the status read when the hash was
    taken, which is why an entry whose ctime is within _RACY_NS of that run's start is
    hashed again (as git treats a "racily clean" index entry; this assumes the file
    system's clock and this machine's agree within _RACY_NS, as on a local disk). When
    the size, either time, the inode or the device differs, the file is hashed; with
    `--full`, every file is.
    """

    def __init__(self, previous: dict[str, Any]) -> None:
        self.started = time.time_ns()
        known = previous.get("hashed_at", 0)
        self._known: dict[tuple[str, str], dict[str, Any]] = {}
        for d in previous.get("documents", ()):
            status = d.get("status")
            if status and d.get("sha256") and status[2] < known - _RACY_NS:
                self._known[(d["doc"], d["path"])] = d
        self.hashed = 0  # files read to hash them

    def __call__(self, source: Source) -> tuple[int, str, list[int]] | None:
        st = os.stat(source.path)
        if not stat.S_ISREG(st.st_mode):
            return None
        status = _status(st)
        known = self._known.get((source.doc, str(source.path)))
        if known is not None and known["status"] == status:
            return known["size"], known["sha256"], status
        self.hashed += 1
        size, sha = _sha256(source.path)
        return size, sha, status


@dataclass(frozen=True)
class Settings:
    """What, besides a file's bytes, makes its rows."""

    patterns: str | None = None
    raw_cells: bool = False
    skip_checks: tuple[str, ...] = ()
    max_bytes: int = 0
    save_text: str | None = None

    def fingerprint(self) -> dict[str, Any]:
        return {"version": __version__, "code": code_hash(),
                "rules": rules_hash(self.patterns),
                "settings": {"raw_cells": self.raw_cells, "skip_checks": list(self.skip_checks),
                             "max_bytes": self.max_bytes, "save_text": self.save_text}}


# -- entries: a document's rows ---------------------------------------------------------
def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


class _EntryWriter:
    """Writes cache entries in a thread. Creating a file costs the file system far more
    than writing its bytes (a third of a millisecond each here: a tenth of a second per
    300 documents), time the run spends on the next document instead; the thread waits
    in system calls, which release the GIL. At most `_QUEUED` entries wait, so memory
    does not grow; `close()` writes every one of them before the manifest names them."""

    _QUEUED = 64

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Path, bytes] | None] = queue.Queue(self._QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="reportmine-entries",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:  # after a failure, the rest are dropped
                try:
                    _write_atomic(*item)
                except BaseException as exc:  # raised in the run's thread, see put/close
                    self._error = exc

    def put(self, path: Path, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((path, data))

    def close(self) -> None:
        """Wait until every entry is written; raise what writing one raised."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error


def encode_for_run(doc: Document, raw_cells: bool, text_dir: str | None,
                   cells: bool) -> bytes:
    """What a worker sends back for a document: its rows, encoded (`tables.encode`);
    its text written on the way."""
    if text_dir:
        from .cli import save_text

        save_text(doc, text_dir)
    return encode(render(doc, raw_cells=raw_cells, cells=cells))


# -- a run --------------------------------------------------------------------------
# An entry's name says what it holds: CSV rows (enough for a CSV run), or CSV rows and
# typed cells (enough for any run), so a run knows which documents it must process from
# one listing of the folder, before it reads any entry.
_CSV_ONLY, _TYPED = ".rows", ".cells"


@dataclass
class _Item:
    source: Source
    size: int
    sha256: str
    status: list[int] | None
    key: str
    entry: str = ""  # the file name of its cached rows, "" when it must be processed


@dataclass
class Stats:
    reused: int = 0
    processed: int = 0
    dropped: int = 0  # documents of the last run that are gone
    redo: str = ""  # why every document was processed: "", "first run", "--full", "rules"…
    hashed: int = 0  # files whose bytes were read to hash them (the rest: status unchanged)


class IncrementalRun:
    """The rows of every document under `paths`, from the cache where they are there."""

    def __init__(self, out: str | Path, paths: Sequence[str | Path], glob: Sequence[str],
                 settings: Settings, cells: bool, full: bool = False) -> None:
        self.out = Path(out)
        self.cache = self.out / CACHE_DIR
        self.entries = self.cache / "rows"
        self.paths, self.glob = list(paths), glob
        self.settings, self.cells, self.full = settings, cells, full
        self.fingerprint = settings.fingerprint()
        self._key_prefix = json.dumps(self.fingerprint)
        self.previous = self._load_manifest()
        self.stats = Stats()
        self._items: list[_Item] = []
        self._hasher: _Hasher | None = None
        self._writer: _EntryWriter | None = None  # started with the first entry

    @property
    def rules_known_good(self) -> bool:
        """The last run loaded these very rule files with this code: they load now."""
        prev = self.previous
        return bool(prev) and all(prev.get(k) == self.fingerprint[k]
                                  for k in ("version", "code", "rules"))

    def _load_manifest(self) -> dict[str, Any]:
        try:
            data = json.loads((self.cache / MANIFEST).read_bytes())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("format") == _FORMAT else {}

    def _key(self, source: Source, sha256: str) -> str:
        blob = json.dumps([self._key_prefix, source.doc, str(source.path), sha256])
        return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:40]

    def _entry(self, key: str, present: set[str]) -> str:
        """The name of a usable entry of `key` among the `present` ones, else ""."""
        if f"{key}{_TYPED}" in present:
            return f"{key}{_TYPED}"
        if not self.cells and f"{key}{_CSV_ONLY}" in present:
            return f"{key}{_CSV_ONLY}"
        return ""

    def _read(self, item: _Item) -> EncodedRows | None:
        """A document's cached rows; None when they turn out unusable (damaged since
        listed, or its saved text is missing)."""
        try:
            with open(self.entries / item.entry, "rb") as fh:
                encoded = EncodedRows.parse(fh.read())
        except (OSError, ValueError):
            return None
        if encoded.spans.keys() != TABLES.keys():
            return None  # not every table this code writes
        if self.cells and encoded.cells_span is None:
            return None
        text_dir = self.settings.save_text
        if text_dir and encoded.error is None:
            # The document's text must be there, as a fresh run leaves it.
            name = encoded.doc.lstrip("/").replace("..", "__") or "document"
            if not (Path(text_dir) / (name + ".txt")).is_file():
                return None
        return encoded

    def rows(self, jobs: int, encode_doc: Callable[[Document], bytes],
             rules: Rules | None = None) -> Iterator[EncodedRows]:
        """Every document's rows, in the order a fresh run writes them: what cannot be
        listed first, then the files by name; each from the cache or processed (with
        `rules` if given, else the rules loaded when a document needs them). Cached rows
        are read as they are written, one document at a time."""
        self.entries.mkdir(parents=True, exist_ok=True)
        sources: list[Source] = []
        for found in find_sources(self.paths, tuple(self.glob)):
            if isinstance(found, Source):
                sources.append(found)
            else:
                from .pipeline import failed

                path, exc = found
                yield EncodedRows.parse(encode_doc(
                    failed(path, path, "list", exc.reason, f"{path} {exc}")))
        present = set() if self.full else set(os.listdir(self.entries))
        hasher = self._hasher = _Hasher({} if self.full else self.previous)
        for s in sources:
            try:
                size, sha, status = hasher(s) or (-1, "", None)
            except OSError:  # the reader reports why; nothing to key it by
                size, sha, status = -1, "", None
            key = self._key(s, sha) if sha else ""
            self._items.append(_Item(s, size, sha, status, key,
                                     self._entry(key, present) if key else ""))
        self.stats.hashed = hasher.hashed
        todo = [it.source for it in self._items if not it.entry]
        self._explain(len(todo))
        fresh = _process(todo, jobs, self.settings, encode_doc, rules)
        started = False  # has `fresh` given a result (its workers, if any, forked)?
        for it in self._items:
            if it.entry:
                cached = self._read(it)
                if cached is not None:
                    self.stats.reused += 1
                    yield cached
                    continue
                blob = self._process_here(it.source, encode_doc, rules)
            else:
                blob, started = next(fresh), True
            self.stats.processed += 1
            rows = EncodedRows.parse(blob)
            if it.key:
                it.entry = it.key + (_TYPED if rows.cells_span is not None else _CSV_ONLY)
                self._store(self.entries / it.entry, blob, thread=started or not todo)
            yield rows

    def _store(self, path: Path, blob: bytes, thread: bool) -> None:
        """Write an entry: by the writer thread once it may run (never before the worker
        processes are forked: a fork beside a running thread is unsafe), else here."""
        if thread and self._writer is None:
            self._writer = _EntryWriter()
        if self._writer is not None:
            self._writer.put(path, blob)
        else:
            _write_atomic(path, blob)

    def _process_here(self, source: Source, encode_doc: Callable[[Document], bytes],
                      rules: Rules | None) -> bytes:
        """A document whose entry turned out unusable (rare: damaged since listed, its
        saved text gone), processed in this process, by one pipeline however many."""
        from .checks import validate_skip
        from .pipeline import _batch_pipeline, rules_for

        pipe = _batch_pipeline(rules or rules_for(self.settings.patterns),
                               tuple(sorted(validate_skip(self.settings.skip_checks))))
        return encode_doc(pipe.parse_source(source, self.settings.max_bytes))

    def _explain(self, todo: int) -> None:
        prev = self.previous
        if self.full:
            self.stats.redo = "--full"
        elif not prev:
            self.stats.redo = "first run" if todo else ""
        else:
            changed = [k for k in ("version", "code", "rules", "settings")
                       if prev.get(k) != self.fingerprint[k]]
            self.stats.redo = ", ".join(changed) + " changed" if changed else ""
        now = {(it.source.doc, str(it.source.path)) for it in self._items}
        self.stats.dropped = sum(1 for d in prev.get("documents", ())
                                 if (d["doc"], d["path"]) not in now)

    def finish(self, formats: Sequence[str]) -> list[tuple[Path, Path]]:
        """The new manifest, synced under a partial name: rename it with the tables (the
        entries it names are all written by then)."""
        if self._writer is not None:
            self._writer.close()
        started = self._hasher.started if self._hasher else time.time_ns()
        head = {"format": _FORMAT, **self.fingerprint, "formats": list(formats),
                "hashed_at": started}
        documents = [json.dumps({"doc": it.source.doc, "path": str(it.source.path),
                                 "size": it.size, "sha256": it.sha256, "status": it.status,
                                 "entry": it.entry}) for it in self._items]
        # A document a line, each by the C encoder (json's indent= is pure Python: a
        # tenth of a second per 10,000 documents); ASCII, so that a file name that is
        # not UTF-8 (a lone surrogate) reads back.
        text = json.dumps(head)[:-1] + ',\n"documents": [\n' + ",\n".join(documents) + "\n]}\n"
        partial = self.cache / f".{MANIFEST}.partial"
        with open(partial, "wb") as fh:
            fh.write(text.encode("ascii"))
            fh.flush()
            os.fsync(fh.fileno())
        return [(partial, self.cache / MANIFEST)]

    def abort(self) -> None:
        """After the run, whatever its end: no partial manifest, and the entries of the
        documents done are written (the next run reuses them)."""
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception:  # noqa: BLE001  the run reports its own failure (disk full…)
                log.debug("an entry could not be written", exc_info=True)
        (self.cache / f".{MANIFEST}.partial").unlink(missing_ok=True)

    def collect(self) -> None:
        """After the new manifest is in place: remove the entries it does not name."""
        keep = {it.entry for it in self._items if it.entry}
        for name in os.listdir(self.entries):
            if name not in keep:
                (self.entries / name).unlink(missing_ok=True)


# -- processing the documents that are not cached ----------------------------------------
# Documents processed here rather than in worker processes. Forked workers start warm
# (see pipeline.map_sources: the rules and dictionaries are loaded once, before), so two
# of them beat this process alone from a few documents on.
_SERIAL_UP_TO = 2


def _process(sources: list[Source], jobs: int, settings: Settings,
             encode_doc: Callable[[Document], bytes], rules: Rules | None
             ) -> Iterator[bytes]:
    """`pipeline.map_sources` over the Sources not cached (their names kept); nothing is
    imported when there are none."""
    if not sources:
        return
    from .checks import validate_skip
    from .pipeline import map_sources

    skip = tuple(sorted(validate_skip(settings.skip_checks)))
    yield from map_sources(sources, jobs, patterns=settings.patterns,
                           max_bytes=settings.max_bytes, skip=skip, render=encode_doc,
                           serial_up_to=_SERIAL_UP_TO, rules=rules)


def remove_stale_outputs(out: Path, previous: dict[str, Any], formats: Sequence[str]) -> None:
    """Files of a format the last run wrote and this one did not: they would no longer
    match the other tables."""
    from .writers import output_names

    for fmt in previous.get("formats", ()):
        if fmt not in formats:
            for name in output_names(fmt):
                (out / name).unlink(missing_ok=True)


__all__ = ["CACHE_DIR", "MANIFEST", "IncrementalRun", "Settings", "Stats", "code_hash",
           "encode_for_run", "file_hash", "patterns_dir", "remove_stale_outputs",
           "rules_hash"]
