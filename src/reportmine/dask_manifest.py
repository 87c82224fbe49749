"""Incremental runs on Dask: which part files of the last run can stay.

`extract_dask` writes `OUT/_reportmine.json` beside the table folders: the run's
fingerprint (reportmine's version and code, the rule files, the settings that change
rows) and every part file with the documents it holds, each with the stamp the storage
listing gave it (size, modification time, ETag or checksum: what the filesystem
offers). A part whose documents are all listed again with the same stamps holds
exactly the rows a fresh run would make of them, so it stays; documents that are new,
changed, or shared a part with a changed or deleted one are processed into new parts.
The name starts with `_`, so pyarrow and dask do not read it as part of a dataset.

Nothing here imports dask: the plan is plain data, tested without a cluster.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from . import __version__
from .diskcache import code_hash, tree_hash

MANIFEST = "_reportmine.json"
FORMAT = 1

# What a listing says about a file that changes when its bytes do, by filesystem: local
# (mtime, ctime as "created", inode), S3 (ETag, LastModified, VersionId), GCS (md5Hash,
# crc32c, generation, updated), Azure (etag, last_modified), HDFS (last_mod) and others.
_STAMP_KEYS = ("size", "mtime", "created", "ino", "ETag", "etag", "md5Hash", "crc32c",
               "checksum", "LastModified", "last_modified", "last_mod", "updated",
               "modificationTime", "VersionId", "version_id", "generation")


def stamp(entry: dict[str, Any]) -> str:
    """A file's stamp from its listing entry (fsspec's `info` or `find(detail=True)`)."""
    return json.dumps([[k, str(entry[k])] for k in _STAMP_KEYS if entry.get(k) is not None],
                      ensure_ascii=True, separators=(",", ":"))


def fingerprint(patterns: Sequence[tuple[str, bytes]], skip_checks: Sequence[str],
                max_bytes: int) -> dict[str, Any]:
    """What makes every row of a run what it is, besides the documents."""
    from .incremental import patterns_dir

    overlay = hashlib.sha256()  # the overlay travels as bytes (workers may not see it)
    for name, data in patterns:
        overlay.update(name.encode("utf-8", "surrogateescape") + b"\0" + data + b"\0")
    return {"format": FORMAT, "version": __version__, "code": code_hash(),
            "rules": tree_hash(patterns_dir()) + ":" + overlay.hexdigest()[:16],
            "settings": {"skip_checks": list(skip_checks), "max_bytes": max_bytes}}


@dataclass
class Part:
    """A part file (the same name in every table folder) and what it holds."""

    name: str
    docs: list[tuple[str, str, str]]  # (doc, url, stamp) of each document, in order
    # table → (rows, written, Decimal columns its own values need as text)
    tables: dict[str, tuple[int, bool, tuple[str, ...]]] = field(default_factory=dict)
    listing_errors: bool = False  # holds the rows of paths that could not be listed

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "docs": [list(d) for d in self.docs],
                "tables": {k: [v[0], v[1], list(v[2])] for k, v in self.tables.items()},
                "listing_errors": self.listing_errors}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Part:
        return cls(str(data["name"]), [(str(a), str(b), str(c)) for a, b, c in data["docs"]],
                   {k: (int(v[0]), bool(v[1]), tuple(map(str, v[2])))
                    for k, v in data["tables"].items()},
                   bool(data.get("listing_errors", False)))


@dataclass
class Patch:
    """A part of the last run with documents changed or gone: its other documents' rows
    are copied from it (no parsing), the changed ones processed again, into a new part."""

    old: Part
    keep: list[tuple[str, str, str]]  # (doc, url, stamp) of the documents copied
    redo: list[Any]                   # the sources processed again (RemoteSource)


@dataclass
class Plan:
    """What this run keeps and what it processes."""

    generation: int
    kept: list[Part]
    todo: list[Any]       # the sources to process into new parts (RemoteSource)
    redo: str             # why everything is processed ("" when nothing is)
    dropped: int          # documents of the last run no longer listed
    # table → Decimal columns the kept parts hold as text (None: not known)
    text: dict[str, tuple[str, ...] | None]
    previous: dict[str, Any] | None = None  # the last run's manifest
    patches: list[Patch] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return len(self.todo) + sum(len(p.redo) for p in self.patches)


def read_manifest(fs: Any, root: str) -> dict[str, Any] | None:
    """The last run's manifest, or None (absent, unreadable or of another format)."""
    try:
        with fs.open(f"{root}/{MANIFEST}", "rb") as fh:
            data = json.loads(fh.read())
    except (FileNotFoundError, OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    return data


def plan(previous: dict[str, Any] | None, current: dict[str, Any], sources: Sequence[Any],
         tables: Iterable[str], full: bool = False) -> Plan:
    """Keep the parts whose documents are all listed again, with the same stamps and
    under the same URLs; process every other source."""
    tables = tuple(tables)
    if full or previous is None:
        return Plan(0, [], list(sources), "--full" if full else "first run", 0, {})
    changed = [k for k in ("version", "code", "rules", "settings")
               if previous.get(k) != current.get(k)]
    generation = int(previous.get("generation", 0)) + 1
    if changed:
        return Plan(generation, [], list(sources), ", ".join(changed) + " changed", 0, {})
    by_key = {(s.doc, s.url): s for s in sources}
    kept: list[Part] = []
    patches: list[Patch] = []
    done: set[tuple[str, str]] = set()
    seen: set[tuple[str, str]] = set()
    for raw in previous.get("parts", ()):
        part = Part.from_json(raw)
        keys = [(d, u) for d, u, _ in part.docs]
        seen.update(keys)
        if part.listing_errors or set(part.tables) != set(tables) or done & set(keys):
            continue
        same = [(d, u, st) for d, u, st in part.docs
                if (d, u) in by_key and by_key[d, u].stamp == st]
        if len(same) == len(part.docs):
            kept.append(part)
        elif same and len({d for d, _, _ in part.docs}) == len(part.docs):
            # Rows name their document by `doc` alone: copied by that name, so only
            # from a part where no two documents share one.
            patches.append(Patch(part, same, [by_key[d, u] for d, u, _ in part.docs
                                              if (d, u) in by_key and (d, u, by_key[d, u].stamp)
                                              not in same]))
        else:
            continue
        done.update(keys)
    todo = [s for s in sources if (s.doc, s.url) not in done]
    dropped = len(seen - set(by_key))
    unknown = bool(previous.get("text_unknown"))
    text: dict[str, tuple[str, ...] | None] = {
        name: None if unknown else tuple(previous.get("text", {}).get(name, ()))
        for name in tables}
    return Plan(generation, kept, todo, "", dropped, text, previous, patches)


def part_names(generation: int, count: int) -> list[str]:
    """Names of this run's new parts: a fresh run's are part-00000…; later runs' carry
    their generation, so that they never overwrite a part that stays."""
    width = max(5, len(str(max(0, count - 1))))
    if generation == 0:
        return [f"part-{k:0{width}d}.parquet" for k in range(count)]
    return [f"part-g{generation:05d}-{k:0{width}d}.parquet" for k in range(count)]


def manifest_bytes(current: dict[str, Any], generation: int, parts: Sequence[Part],
                   text: dict[str, Sequence[str]]) -> bytes:
    """The manifest, a part a line (ASCII: a file name that is not UTF-8 reads back)."""
    head = {**current, "generation": generation,
            "text": {k: list(v) for k, v in text.items() if v}}
    lines = ",\n".join(json.dumps(p.to_json(), ensure_ascii=True) for p in parts)
    return (json.dumps(head, ensure_ascii=True)[:-1] + ',\n"parts": [\n' + lines
            + "\n]}\n").encode("ascii")


__all__ = ["MANIFEST", "Part", "Patch", "Plan", "fingerprint", "manifest_bytes", "part_names", "plan",
           "read_manifest", "stamp"]
