"""A per-user cache of tables that are slow to build and depend only on files we can hash.

Start-up matters when a run has little to do (an incremental run where ten documents
changed): building the tokenizer's table from the dictionary costs more than reading
the ten documents. Entries are marshal files named by the hash of everything they are
built from, so a changed input is a different name and an entry is never stale.

The folder is $REPORTMINE_CACHE_DIR, else the platform's user cache folder
(~/.cache/reportmine). REPORTMINE_CACHE_DIR=off disables it. A cache that cannot be
read or written is no error: the table is built as if there were none.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

_ENV = "REPORTMINE_CACHE_DIR"
_FORMAT = b"1"  # bump when the layout of an entry changes


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    env = os.environ.get(_ENV)
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    try:
        if sys.platform == "win32":
            base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        elif sys.platform == "darwin":
            base = str(Path.home() / "Library" / "Caches")
        else:
            base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except (RuntimeError, KeyError, OSError):  # no home folder to be found (a bare service)
        return None
    return Path(base) / "reportmine"


def key(*parts: bytes | str) -> str:
    """A name for an entry built from these parts (contents, not paths)."""
    h = hashlib.sha256(_FORMAT)
    for p in parts:
        b = p.encode("utf-8", "surrogatepass") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()[:32]


def _hash_tree(h: Any, folder: Path) -> None:
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            h.update(p.relative_to(folder).as_posix().encode() + b"\0")
            h.update(p.read_bytes() + b"\0")


def tree_hash(*folders: Path | None) -> str:
    """The names and bytes of the files under each folder (None: no folder; a missing
    folder hashes unlike an empty one)."""
    h = hashlib.sha256()
    for folder in folders:
        if folder is None:
            h.update(b"none\0")
        elif not folder.is_dir():
            h.update(b"missing\0")
        else:
            h.update(b"folder\0")
            _hash_tree(h, folder)
    return h.hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """The package's source files: a change of code without a new version (a checkout,
    a local edit) must not reuse what the old code made."""
    h = hashlib.sha256()
    for p in sorted(Path(__file__).resolve().parent.rglob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def cached(kind: str, name: str, build: Callable[[], Any], *, objects: bool = False) -> Any:
    """The value stored as `kind`-`name`, else build() (stored for next time).

    Plain values (dicts, lists, strings, numbers, None) are stored with marshal;
    `objects=True` stores instances of the package's classes with pickle, which runs
    code on load: the folder is the user's own (made private), as trusted as their
    patterns/ folder."""
    folder = cache_dir()
    codec: Any = pickle if objects else marshal
    path = folder / f"{kind}-{name}.{codec.__name__}" if folder is not None else None
    if path is not None:
        try:
            # loads() of the bytes: load() from the file reads object by object, 4x slower
            return codec.loads(path.read_bytes())
        except Exception:  # absent, damaged, or of classes that changed: build it again
            pass
    value = build()
    if path is not None:
        _store(path, value, codec)
        _prune(path.parent, kind)
    return value


KEEP = 6  # entries of a kind kept (other rule folders, versions): the cache stays small


def _prune(folder: Path, kind: str) -> None:
    """Remove all but the KEEP most recently written entries of a kind."""
    try:
        entries = sorted(folder.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime_ns,
                         reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned it first


def _store(path: Path, value: Any, codec: Any) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file, and two
        # processes building the same entry at once both end with a whole one.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                codec.dump(value, fh)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except (OSError, pickle.PicklingError, TypeError, ValueError):
        pass  # a read-only home or a full disk: the next run builds it again
