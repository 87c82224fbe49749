"""Incremental runs of `reportmine extract`: only new and changed documents are processed.

The output folder keeps, in a hidden `.reportmine/` folder, the rows of every document
the last runs produced (`rows/<key>.json`, one file per document) and a manifest of the
run whose tables stand beside it (`manifest.json`: each document's name, path, size and
content hash, the reportmine version, a hash of its code and of the rule files' bytes,
the settings that change rows, the formats written). A document's key is a hash of
all of those that make its rows, so a cached entry is never stale: a changed file, rule
file, version or setting gives a new key and the document is processed again (a change
of rules, version or settings redoes every document). The tables are then re-assembled
in document order from the entries, byte for byte what a fresh run writes. Entries are
written whole (to a temporary name, then renamed), so those of an interrupted run are
reused by the next one; entries no manifest names are removed after each run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import stat
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from . import __version__
from .models import Document, ErrorRecord
from .numbers import canonical
from .reading import Source, find_sources
from .rules import default_patterns_dir
from .tables import TABLES, Rendered, column_types, render

log = logging.getLogger(__name__)

CACHE_DIR = ".reportmine"
MANIFEST = "manifest.json"
_FORMAT = 1  # of the manifest and the entries


# -- fingerprints ---------------------------------------------------------------------
def _hash_tree(h: Any, folder: Path) -> None:
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            h.update(p.read_bytes() + b"\0")


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """The package's source files: a change of code without a new version (a checkout,
    a local edit) must not reuse rows the old code made."""
    h = hashlib.sha256()
    for p in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def rules_hash(patterns: str | None) -> str:
    """The bytes of the rule files in use: patterns/ and the overlay folder, if any."""
    h = hashlib.sha256()
    _hash_tree(h, default_patterns_dir())
    if patterns:
        h.update(b"overlay\0")
        _hash_tree(h, Path(patterns))
    return h.hexdigest()[:16]


def file_hash(path: Path) -> tuple[int, str] | None:
    """Size and SHA-256 of a regular file's bytes; None for anything else (a FIFO, a
    device: opening one may block; the reader says what is wrong with it)."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        return None
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


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
def _encode(rendered: Rendered) -> str:
    data: dict[str, Any] = {
        "format": _FORMAT, "doc": rendered.doc, "chars": rendered.chars,
        "error": rendered.error.model_dump() if rendered.error else None,
        "text": rendered.text, "rows": rendered.rows}
    if rendered.cells is not None:
        data["cells"] = {name: [[canonical(v) if isinstance(v, Decimal) else v for v in row]
                                for row in rows] for name, rows in rendered.cells.items()}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _decimal_columns(table: str) -> list[int]:
    return [k for k, kind in enumerate(column_types(table)) if kind == "dec"]


def _decode(text: str, cells: bool) -> Rendered | None:
    """An entry as the rows of a document; None when it lacks what this run needs."""
    data = json.loads(text)
    if data.get("format") != _FORMAT or set(data["text"]) != set(TABLES):
        return None
    typed = None
    if cells:
        if "cells" not in data:
            return None
        typed = {}
        for name, rows in data["cells"].items():
            decs = _decimal_columns(name)
            for row in rows:
                for k in decs:
                    if row[k] is not None:
                        row[k] = Decimal(row[k])
            typed[name] = [tuple(r) for r in rows]
    error = ErrorRecord(**data["error"]) if data["error"] else None
    return Rendered(data["doc"], data["chars"], error, data["text"], data["rows"], typed)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    with open(tmp, "w", encoding="utf-8", errors="surrogatepass") as fh:
        fh.write(text)
    os.replace(tmp, path)


# -- a run --------------------------------------------------------------------------
@dataclass
class _Item:
    source: Source
    size: int
    sha256: str
    key: str
    cached: Rendered | None = None


@dataclass
class Stats:
    reused: int = 0
    processed: int = 0
    dropped: int = 0  # documents of the last run that are gone
    redo: str = ""  # why every document was processed: "", "first run", "--full", "rules"…


def render_for_run(doc: Document, raw_cells: bool, text_dir: str | None,
                   cells: bool) -> Rendered:
    """What a worker sends back for a document: its rows; its text written on the way."""
    if text_dir:
        from .cli import save_text

        save_text(doc, text_dir)
    return render(doc, raw_cells=raw_cells, cells=cells)


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
        self.previous = self._load_manifest()
        self.stats = Stats()
        self._items: list[_Item] = []

    def _load_manifest(self) -> dict[str, Any]:
        try:
            data = json.loads((self.cache / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("format") == _FORMAT else {}

    def _key(self, source: Source, sha256: str) -> str:
        blob = json.dumps([self.fingerprint, source.doc, str(source.path), sha256])
        return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()[:40]

    def _cached(self, item: _Item) -> Rendered | None:
        if self.full:
            return None
        try:
            with open(self.entries / f"{item.key}.json", encoding="utf-8",
                      errors="surrogatepass") as fh:
                rendered = _decode(fh.read(), self.cells)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        text_dir = self.settings.save_text
        if rendered is not None and text_dir and rendered.error is None:
            # The document's text must be there, as a fresh run leaves it.
            name = rendered.doc.lstrip("/").replace("..", "__") or "document"
            if not (Path(text_dir) / (name + ".txt")).is_file():
                return None
        return rendered

    def rendered(self, jobs: int, render_doc: Callable[[Document], Rendered]
                 ) -> Iterator[Rendered]:
        """Every document's rows, in the order a fresh run writes them: what cannot be
        listed first, then the files by name; each from the cache or processed."""
        from .pipeline import failed

        self.entries.mkdir(parents=True, exist_ok=True)
        sources: list[Source] = []
        for item in find_sources(self.paths, tuple(self.glob)):
            if isinstance(item, Source):
                sources.append(item)
            else:
                path, exc = item
                yield render_doc(failed(path, path, "list", exc.reason, f"{path} {exc}"))
        for s in sources:
            try:
                size, sha = file_hash(s.path) or (-1, "")
            except OSError:  # the reader reports why; nothing to key it by
                size, sha = -1, ""
            item = _Item(s, size, sha, self._key(s, sha) if sha else "")
            item.cached = self._cached(item) if sha else None
            self._items.append(item)
        todo = [it for it in self._items if it.cached is None]
        self._explain(len(todo))
        fresh = _process([it.source for it in todo], jobs, self.settings, render_doc)
        for it in self._items:
            if it.cached is not None:
                self.stats.reused += 1
                rows, it.cached = it.cached, None  # memory: the rows go to the writers
                yield rows
                continue
            rows = next(fresh)
            self.stats.processed += 1
            if it.key:
                _write_atomic(self.entries / f"{it.key}.json", _encode(rows))
            yield rows

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
        """The new manifest, synced under a partial name: rename it with the tables."""
        manifest = {"format": _FORMAT, **self.fingerprint, "formats": list(formats),
                    "documents": [{"doc": it.source.doc, "path": str(it.source.path),
                                   "size": it.size, "sha256": it.sha256, "entry": it.key}
                                  for it in self._items]}
        partial = self.cache / f".{MANIFEST}.partial"
        with open(partial, "w", encoding="utf-8", errors="surrogatepass") as fh:
            json.dump(manifest, fh, ensure_ascii=False, indent=0)
            fh.flush()
            os.fsync(fh.fileno())
        return [(partial, self.cache / MANIFEST)]

    def abort(self) -> None:
        (self.cache / f".{MANIFEST}.partial").unlink(missing_ok=True)

    def collect(self) -> None:
        """After the new manifest is in place: remove the entries it does not name."""
        keep = {f"{it.key}.json" for it in self._items if it.key}
        for p in self.entries.iterdir():
            if p.name not in keep:
                p.unlink(missing_ok=True)


# -- processing the documents that are not cached ----------------------------------------
_SERIAL_UP_TO = 16  # documents processed here rather than in worker processes


def _process(sources: list[Source], jobs: int, settings: Settings,
             render_doc: Callable[[Document], Rendered]) -> Iterator[Rendered]:
    """`pipeline.map_sources` over the Sources not cached (their names kept)."""
    from .checks import validate_skip
    from .pipeline import map_sources

    skip = tuple(sorted(validate_skip(settings.skip_checks)))
    yield from map_sources(sources, jobs, patterns=settings.patterns,
                           max_bytes=settings.max_bytes, skip=skip, render=render_doc,
                           serial_up_to=_SERIAL_UP_TO)


def remove_stale_outputs(out: Path, previous: dict[str, Any], formats: Sequence[str]) -> None:
    """Files of a format the last run wrote and this one did not: they would no longer
    match the other tables."""
    from .writers import output_names

    for fmt in previous.get("formats", ()):
        if fmt not in formats:
            for name in output_names(fmt):
                (out / name).unlink(missing_ok=True)


__all__ = ["CACHE_DIR", "MANIFEST", "IncrementalRun", "Settings", "Stats", "code_hash",
           "file_hash", "remove_stale_outputs", "render_for_run", "rules_hash"]
