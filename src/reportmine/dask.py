"""The pipeline on a Dask cluster: fsspec URLs in, a partitioned Parquet dataset per table out.

    extract_dask(["s3://bucket/reports"], "s3://bucket/out", scheduler="tcp://host:8786")
    frames(["reports"])["metrics"]           # a dask DataFrame, for the library

Documents are the unit of work, as on one machine (`pipeline.map_paths`): files are
listed here with fsspec, a task holds a partition of documents, and a worker reads
each one's bytes through fsspec, parses it with its cached `Pipeline` and turns it into
the rows of every table (the row functions of `reportmine.tables`, the rows CSV has). A
document that cannot be read or processed is an error row, never a failed task; a task
lost with its worker is run again by Dask (its part files are simply written again).

Output: `OUT/<table>/part-NNNNN.parquet` for each table of `tables.TABLES` (errors
included), columns typed as `writers/parquet.py` types them: int64, bool,
dictionary-encoded enums, and Decimals as decimal128(38, 10), exact. A value that type
cannot hold exactly turns its column into canonical decimal strings in every part of
that table, never floats. Text holds a lone surrogate (a file name that is not UTF-8)
as its backslash escape (\\udcff), as every writer does (`writers.readable`). Parts
are written under hidden names and renamed when all are done; runs are incremental
(`reportmine.dask_manifest`), and parts no run needs any more are removed at the end.

Dask is an extra (`pip install "reportmine[dask]"`): it is imported inside the
functions, and a missing piece is an ImportError naming the extra.
"""

from __future__ import annotations

import json
import logging
import os
import posixpath
import tempfile
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from .checks import validate_skip
from .dask_manifest import MANIFEST, Part, fingerprint, manifest_bytes, part_names, plan
from .dask_manifest import read_manifest, stamp
from .models import Document, ErrorRecord
from .numbers import canonical
from .pipeline import Pipeline, failed
from .readers import SUPPORTED_GLOBS, read_bytes_as_document
from .reading import DEFAULT_MAX_BYTES, ReadError, _matches
from .rules import load_rules
from .tables import TABLES, column_types, typed_cells
from .writers import readable
# Decimals as the Parquet writer of one machine types them: decimal128(PRECISION, SCALE).
from .writers.parquet import PRECISION, SCALE, fits

if TYPE_CHECKING:
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa

log = logging.getLogger(__name__)

EXTRA = 'pip install "reportmine[dask]"'
MAX_PARTITION = 64  # documents per task, at most: a lost task costs little to redo


def _require() -> Any:
    """The dask package (absolute import: this module's name does not shadow it)."""
    try:
        import dask
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
        import fsspec  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"running on Dask needs the dask extra ({exc.name} is not "
                          f"installed): {EXTRA}") from exc
    return dask


# -- listing --------------------------------------------------------------------------
@dataclass(frozen=True)
class RemoteSource:
    """A file to process: `url` for fsspec, `doc` its name in the tables, `path` the
    path as given (documents.path, error messages), `size` and `stamp` from the
    listing."""

    url: str
    doc: str
    path: str
    size: int | None = None
    stamp: str = ""  # what the listing says changes with the bytes (dask_manifest.stamp)


def _is_url(given: str) -> bool:
    return "://" in given


def _shown(given: str, rel: str = "") -> str:
    """The path as the local run writes it (str of a Path), or the URL joined."""
    if _is_url(given):
        return given.rstrip("/") + "/" + rel if rel else given
    return str(Path(given) / rel) if rel else str(Path(given))


def list_sources(paths: Iterable[str], glob: str | Sequence[str] = SUPPORTED_GLOBS,
                 storage_options: dict[str, Any] | None = None
                 ) -> tuple[list[RemoteSource], list[tuple[str, ReadError]]]:
    """Files under `paths` (local paths or fsspec URLs; folders recursively, hidden
    names skipped, names matched against `glob` ignoring case), named as
    `reading.find_sources` names them, and the paths that cannot be listed."""
    import fsspec

    sources: list[RemoteSource] = []
    errors: list[tuple[str, ReadError]] = []
    for given in map(str, paths):
        fs, root = fsspec.core.url_to_fs(given, **(storage_options or {}))
        try:
            info = fs.info(root)
        except FileNotFoundError:
            errors.append((given, ReadError("missing", "does not exist")))
            continue
        except OSError as exc:
            errors.append((given, ReadError("unreadable", f"cannot be read: {exc}")))
            continue
        if info.get("type") != "directory":
            sources.append(RemoteSource(fs.unstrip_protocol(root), given, _shown(given),
                                        info.get("size"), stamp(info)))
            continue
        # One recursive listing, matched here: an object store lists a prefix in pages,
        # once, where a glob per pattern would list it once per pattern; and fsspec's
        # globs are case-sensitive, reportmine's are not.
        top = root.rstrip("/")
        found = []
        for full, entry in fs.find(top, detail=True, withdirs=False).items():
            rel = posixpath.relpath(full, top)
            if any(part.startswith(".") for part in rel.split("/")):
                continue
            if entry.get("type", "file") != "file" or not _matches(posixpath.basename(rel), glob):
                continue
            found.append(RemoteSource(fs.unstrip_protocol(full), rel, _shown(given, rel),
                                      entry.get("size"), stamp(entry)))
        sources.extend(sorted(found, key=lambda s: s.doc))
    return sources, errors


# -- in the worker ----------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """What every task needs; hashable, so a worker keeps one Pipeline per settings.

    The overlay rule files travel as bytes: workers of a real cluster do not see the
    client's disk."""

    patterns: tuple[tuple[str, bytes], ...] = ()
    skip_checks: tuple[str, ...] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    storage_options: tuple[tuple[str, Any], ...] = ()


def _settings(patterns: str | None, skip_checks: Iterable[str], max_bytes: int,
              storage_options: dict[str, Any] | None) -> Settings:
    skip = tuple(sorted(validate_skip(skip_checks)))  # an unknown name fails before any work
    files: tuple[tuple[str, bytes], ...] = ()
    if patterns:
        load_rules(patterns)  # a bad rule file fails here, with its name, not on a worker
        files = tuple((p.name, p.read_bytes()) for p in sorted(Path(patterns).iterdir())
                      if p.is_file())
    return Settings(files, skip, max_bytes, tuple(sorted((storage_options or {}).items())))


# Pipelines of this worker process: one per thread, since a Pipeline keeps caches that
# are not meant to be shared between threads (workers run tasks in a thread pool; with
# one thread per worker, as recommended, this is one per process).
_LOCAL = threading.local()


def _pipeline(settings: Settings) -> Pipeline:
    cache: dict[tuple, Pipeline] | None = getattr(_LOCAL, "pipelines", None)
    if cache is None:
        cache = _LOCAL.pipelines = {}
    key = (settings.patterns, settings.skip_checks)
    pipe = cache.get(key)
    if pipe is None:
        from .rules import default_rules

        if settings.patterns:
            folder = tempfile.mkdtemp(prefix="reportmine-patterns-")
            for name, data in settings.patterns:
                Path(folder, name).write_bytes(data)
            rules = load_rules(folder)
        else:
            rules = default_rules()
        pipe = cache[key] = Pipeline(rules, settings.skip_checks)
    return pipe


def _read_bytes(src: RemoteSource, settings: Settings) -> bytes:
    """A file's bytes through fsspec, with the reasons `reading.read_bytes` gives."""
    import fsspec

    limit = settings.max_bytes
    if src.size is not None and src.size > limit:  # known from the listing: never fetched
        raise ReadError("too_large", f"is {src.size} bytes, over the limit of {limit}")
    try:
        fs, path = fsspec.core.url_to_fs(src.url, **dict(settings.storage_options))
        with fs.open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except FileNotFoundError:
        raise ReadError("missing", "does not exist") from None
    except IsADirectoryError:
        raise ReadError("unreadable", "is a directory") from None
    except Exception as exc:  # each filesystem raises its own types (network, auth…)
        raise ReadError("unreadable", f"cannot be read: {type(exc).__name__}: {exc}") from None
    if len(data) > limit:
        raise ReadError("too_large", f"grew past the limit of {limit} bytes while read")
    return data


def parse_remote(pipe: Pipeline, src: RemoteSource, settings: Settings) -> Document:
    """`Pipeline.parse_source` for a file behind fsspec: a Document, or one with `error`."""
    try:
        read = read_bytes_as_document(_read_bytes(src, settings))
        # As readers.read_document says it (that function reads from a path).
        if not read.text or read.text.isspace():
            raise ReadError("empty", "holds no text" if read.format in ("text", "markdown",
                                                                        "html")
                            else f"is a {read.format} file with no text in it")
    except ReadError as exc:
        return failed(src.doc, src.path, "read", exc.reason, f"{src.path} {exc}")
    try:
        return pipe.parse_read(read, src.doc, src.path)
    except Exception as exc:  # one bad document must not stop a batch of thousands
        log.exception("failed on %s", src.path)
        return failed(src.doc, src.path, "parse", "internal",
                      f"{src.path}: {type(exc).__name__}: {exc}")


def _cells(doc: Document) -> dict[str, list[tuple]]:
    """Every table's typed rows of a document (as `tables.render` makes them): a document
    whose rows cannot be made is a write-stage error row."""
    try:
        return {name: typed_cells(doc, name) for name in TABLES}
    except Exception as exc:
        log.exception("cannot make the rows of %s", doc.doc)
        error = ErrorRecord(path=doc.doc, stage="write", reason="internal",
                            message=f"{doc.path or doc.doc}: {type(exc).__name__}: {exc}")
        bad = Document(doc=doc.doc, path=doc.path, text="", error=error)
        return {name: typed_cells(bad, name) for name in TABLES}


def _frame(name: str, rows: list[tuple]) -> "pd.DataFrame":
    """Rows of one table as a DataFrame with the same dtypes in every partition: int64,
    Int64 (nullable), bool, object Decimals (exact), string (text and enums; `readable`,
    since Arrow, which may back the string dtype and writes the parts, refuses lone
    surrogates)."""
    import pandas as pd

    columns = TABLES[name][0]
    values = list(zip(*rows)) if rows else [()] * len(columns)
    data = {}
    for column, kind, col in zip(columns, column_types(name), values):
        if kind == "int":
            data[column] = pd.array(col, dtype="int64")
        elif kind == "int?":
            data[column] = pd.array(col, dtype="Int64")
        elif kind == "bool":
            data[column] = pd.array(col, dtype="bool")
        elif kind == "dec":
            data[column] = pd.array(col, dtype=object)
        else:
            data[column] = pd.array([v if v is None else readable(v) for v in col],
                                    dtype="string")
    return pd.DataFrame(data, columns=columns)


def _partition_rows(sources: Sequence[RemoteSource], listing_errors: Sequence[tuple[str, str, str]],
                    settings: Settings) -> dict[str, list[tuple]]:
    pipe = _pipeline(settings) if sources else None
    rows: dict[str, list[tuple]] = {name: [] for name in TABLES}
    docs = [failed(path, path, "list", reason, message) for path, reason, message in listing_errors]
    for doc in docs:
        for name, cells in _cells(doc).items():
            rows[name] += cells
    for src in sources:
        assert pipe is not None
        for name, cells in _cells(parse_remote(pipe, src, settings)).items():
            rows[name] += cells
    return rows


def partition_frames(sources: Sequence[RemoteSource], listing_errors: Sequence[tuple[str, str, str]],
                     settings: Settings) -> dict[str, "pd.DataFrame"]:
    """A partition of documents → a DataFrame per table (in the worker)."""
    return {name: _frame(name, rows)
            for name, rows in _partition_rows(sources, listing_errors, settings).items()}


@dataclass(frozen=True)
class Copy:
    """Rows to copy from a part of the last run: those of `docs`, from the tables where
    that part has a file (`tables`)."""

    part: str
    docs: frozenset[str]
    tables: frozenset[str]


def _copied_tables(out: str, copy: Copy, storage_options: dict[str, Any]
                   ) -> dict[str, "pa.Table"]:
    """The rows of `copy.docs` in the old part, per table, as Arrow tables (no value
    goes through Python: a part holds tens of documents' rows)."""
    import fsspec
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    # The parts hold each name as `readable` made it (the manifest: as listed).
    wanted = pa.array(sorted({readable(d) for d in copy.docs}), pa.string())
    tables = {}
    for name in sorted(copy.tables):
        fs, path = fsspec.core.url_to_fs(f"{out}/{name}/{copy.part}", **storage_options)
        with fs.open(path, "rb") as fh:
            table = pq.read_table(fh)
        doc = table.column("doc")
        if pa.types.is_dictionary(doc.type):
            doc = doc.cast(pa.string())
        tables[name] = table.filter(pc.is_in(doc, value_set=wanted))
    return tables


def _needs_text(table: "pa.Table", column: str) -> bool:
    """Does a copied Decimal column hold a value decimal128 cannot (only possible where
    it was written as text)?"""
    import pyarrow as pa

    if pa.types.is_decimal(table.schema.field(column).type):
        return False
    return any(v is not None and not fits(Decimal(v)) for v in table.column(column).to_pylist())


def _conform(table: "pa.Table", name: str, text: Sequence[str]) -> "pa.Table":
    """A table of a part with its Decimal columns as text where `text` says, decimal128
    elsewhere (values converted exactly), in the schema of a part written now."""
    import pyarrow as pa

    decimal = pa.decimal128(PRECISION, SCALE)
    for c, kind in zip(TABLES[name][0], column_types(name)):
        if kind != "dec":
            continue
        i = table.schema.get_field_index(c)
        is_text = not pa.types.is_decimal(table.schema.field(c).type)
        values = table.column(c).to_pylist() if is_text != (c in text) else None
        if values is not None and c in text:
            table = table.set_column(i, pa.field(c, pa.string()), pa.array(
                [None if v is None else canonical(v) for v in values], pa.string()))
        elif values is not None:
            table = table.set_column(i, pa.field(c, decimal), pa.array(
                [None if v is None else Decimal(v) for v in values], decimal))
    return table.select(TABLES[name][0]).cast(_schema(name, text))


def _schema(name: str, as_text: Iterable[str]) -> "pa.Schema":
    import pyarrow as pa

    text = set(as_text)
    fields = []
    for column, kind in zip(TABLES[name][0], column_types(name)):
        if kind in ("int", "int?"):
            t = pa.int64()
        elif kind == "bool":
            t = pa.bool_()
        elif kind == "dec":
            t = pa.string() if column in text else pa.decimal128(PRECISION, SCALE)
        elif kind == "enum":
            t = pa.dictionary(pa.int32(), pa.string())
        else:
            t = pa.string()
        fields.append(pa.field(column, t, nullable=kind != "int"))
    return pa.schema(fields)


def _as_text(df: "pd.DataFrame", columns: Iterable[str]) -> "pd.DataFrame":
    import pandas as pd

    df = df.copy()
    for c in columns:
        df[c] = pd.array([None if v is None else canonical(v) for v in df[c]], dtype="string")
    return df


def _write_part(url: str, table: "pa.Table", storage_options: dict[str, Any]) -> None:
    import fsspec
    import pyarrow.parquet as pq

    fs, path = fsspec.core.url_to_fs(url, **storage_options)
    with fs.open(path, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")


def write_partition(sources: Sequence[RemoteSource], listing_errors: Sequence[tuple[str, str, str]],
                    settings: Settings, out: str, part: str, always: bool,
                    copy: Copy | None = None) -> dict[str, tuple[int, bool, tuple[str, ...]]]:
    """A task: a partition of documents (and the rows `copy` names of a part of the last
    run) → `out/<table>/<part>` for each table (a part without rows is written only
    when `always`, so each table has at least one file). Returns per table (rows,
    written, Decimal columns written as text)."""
    import pyarrow as pa

    result = {}
    options = dict(settings.storage_options)
    copied = _copied_tables(out, copy, options) if copy is not None else {}
    for name, rows in _partition_rows(sources, listing_errors, settings).items():
        df = _frame(name, rows)
        old = copied.get(name)
        text = tuple(c for c, k in zip(TABLES[name][0], column_types(name))
                     if k == "dec" and (not all(v is None or fits(v) for v in df[c])
                                        or (old is not None and _needs_text(old, c))))
        table = pa.Table.from_pandas(_as_text(df, text) if text else df,
                                     schema=_schema(name, text), preserve_index=False)
        if old is not None:
            table = pa.concat_tables([_conform(old, name, text), table])
        written = always or table.num_rows > 0
        if written:
            _write_part(f"{out}/{name}/{part}", table, options)
        result[name] = (table.num_rows, written, text)
    return result


def retype_part(url: str, text: Sequence[str], storage_options: dict[str, Any]) -> None:
    """A task: make the Decimal columns of a part already written canonical strings
    where `text` names them, decimal128 where it does not (its values fit then)."""
    import fsspec
    import pyarrow.parquet as pq

    fs, path = fsspec.core.url_to_fs(url, **storage_options)
    with fs.open(path, "rb") as fh:
        table = pq.read_table(fh)
    name = posixpath.basename(posixpath.dirname(path))
    _write_part(url, _conform(table, name, text), storage_options)


# -- on the client --------------------------------------------------------------------
def _partitions(sources: list[RemoteSource], size: int) -> list[list[RemoteSource]]:
    return [sources[k:k + size] for k in range(0, len(sources), size)]


def _partition_size(n: int, threads: int, given: int | None) -> int:
    """A few tasks per worker thread (so that a slow document or a lost worker does not
    hold the rest up), at most MAX_PARTITION documents each (few files per table)."""
    if given is not None:
        if given < 1:
            raise ValueError("partition_size must be at least 1")
        return given
    return max(1, min(MAX_PARTITION, n // (max(1, threads) * 4)))


def _listing(paths: Iterable[str], glob: str | Sequence[str],
             storage_options: dict[str, Any] | None
             ) -> tuple[list[RemoteSource], list[tuple[str, str, str]]]:
    sources, errors = list_sources(paths, glob, storage_options)
    # Listing failures as (doc, reason, message): the rows a local run writes for them.
    return sources, [(path, exc.reason, f"{path} {exc}") for path, exc in errors]


def frames(paths: Iterable[str], *, glob: str | Sequence[str] = SUPPORTED_GLOBS,
           patterns: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
           skip_checks: Iterable[str] = (), partition_size: int | None = None,
           storage_options: dict[str, Any] | None = None) -> dict[str, "dd.DataFrame"]:
    """Every table of the files under `paths` (local paths or fsspec URLs) as a lazy dask
    DataFrame, computed on the current Dask scheduler (a `distributed.Client` if one is
    open). Columns as `reportmine.tables.TABLES` names them; Decimals stay
    `decimal.Decimal` (object columns), text and enums are strings, nullable integers
    Int64. The tables share their tasks: compute them together
    (`dask.compute(*frames(...).values())`) to parse each document once."""
    dask = _require()
    import dask.dataframe as dd

    settings = _settings(patterns, skip_checks, max_bytes, storage_options)
    sources, errors = _listing(paths, glob, storage_options)
    size = _partition_size(len(sources), _threads(), partition_size)
    parts = _partitions(sources, size) or [[]]
    made = [dask.delayed(partition_frames, pure=True)(p, errors if k == 0 else [], settings)
            for k, p in enumerate(parts)]
    # Dask turns object columns into strings by default (through pyarrow, 1725000 →
    # "1725000.0"): the Decimal columns must stay Decimals. Text columns are strings
    # already. The setting takes effect when the collection is made, not computed.
    with dask.config.set({"dataframe.convert-string": False}):
        return {name: dd.from_delayed([m[name] for m in made], meta=_frame(name, []),
                                      verify_meta=False)
                for name in TABLES}


def _threads() -> int:
    try:
        from distributed import default_client

        return sum(default_client().nthreads().values())
    except (ImportError, ValueError):  # no client: the local scheduler's threads
        return os.cpu_count() or 1


class DaskRun(dict):  # type: ignore[type-arg]
    """Rows per table (a dict, as before), and what the run did: documents processed
    and reused, documents of the last run gone, why everything was redone."""

    processed: int = 0
    reused: int = 0
    dropped: int = 0
    redo: str = ""


def extract_dask(paths: list[str], out: str, *, scheduler: str | None = None,
                 glob: str | Sequence[str] = SUPPORTED_GLOBS, patterns: str | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, skip_checks: Iterable[str] = (),
                 n_workers: int | None = None, partition_size: int | None = None,
                 storage_options: dict[str, Any] | None = None, full: bool = False
                 ) -> DaskRun:
    """Process the files under `paths` (local paths or fsspec URLs) on a Dask cluster and
    write `out/<table>/part-*.parquet` for every table; returns the rows per table.

    `scheduler`: the address of a running scheduler (tcp://host:8786), whose workers
    need reportmine[dask] and access to the inputs and `out`; `n_workers` then waits
    for that many workers. Without it a local cluster of `n_workers` processes (one
    per core by default), one thread each, runs for the call. `storage_options` go to
    fsspec for the inputs and the output (credentials are better left to fsspec's
    usual configuration: environment variables, ~/.aws, fsspec's config files).

    Runs are incremental (see reportmine.dask_manifest): the part files of the last run
    into `out` whose documents are listed again unchanged stay as they are, and only
    the other documents are processed; the dataset then holds the rows a fresh run
    writes. `full=True` processes everything.
    """
    _require()
    import fsspec
    from distributed import Client, LocalCluster, as_completed

    settings = _settings(patterns, skip_checks, max_bytes, storage_options)
    options = dict(storage_options or {})
    out_fs, out_root = fsspec.core.url_to_fs(out, **options)
    out_root = out_root.rstrip("/")
    for name in TABLES:
        out_fs.makedirs(f"{out_root}/{name}", exist_ok=True)
    out_url = out_fs.unstrip_protocol(out_root)
    current = fingerprint(settings.patterns, settings.skip_checks, settings.max_bytes)

    cluster, own = None, True
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers or os.cpu_count() or 1,
                               threads_per_worker=1, processes=True)
        client = Client(cluster, set_as_default=False)
    else:
        client, own = _client_of(scheduler)
    try:
        if scheduler is not None and n_workers:
            client.wait_for_workers(n_workers)
        t0 = time.perf_counter()
        sources, errors = _listing(paths, glob, storage_options)
        todo = plan(read_manifest(out_fs, out_root), current, sources, TABLES, full)
        threads = sum(client.nthreads().values())
        size = _partition_size(len(todo.todo), threads, partition_size)
        groups = _partitions(todo.todo, size)
        if errors:  # paths that cannot be listed: rows of a part of their own, made anew
            groups = [[], *groups]  # every run (so no document is parsed again for them)
        if not todo.patches and not all(any(p.tables[name][1] for p in todo.kept)
                                        for name in TABLES):
            groups = groups or [[]]  # every table gets at least one file (the first task's)
        names = part_names(todo.generation, len(groups) + len(todo.patches))
        log.info("%d documents: %d to process in %d tasks on %d worker threads, %d parts "
                 "kept, %d patched%s", len(sources), todo.processed,
                 len(groups) + len(todo.patches), threads, len(todo.kept),
                 len(todo.patches), f" ({todo.redo})" if todo.redo else "")
        # New parts are written under hidden names (which pyarrow and dask skip) and
        # renamed at the end: until then the dataset is the last run's, whole.
        # A changed part: its unchanged documents' rows are copied, the others parsed.
        patches = todo.patches
        copies = [Copy(pt.old.name, frozenset(d for d, _, _ in pt.keep),
                       frozenset(n for n in TABLES if pt.old.tables[n][1])) for pt in patches]
        futures = [client.submit(write_partition, p, errors if k == 0 else [], settings,
                                 out_url, "." + names[k], k == 0, pure=False)
                   for k, p in enumerate(groups)]
        futures += [client.submit(write_partition, pt.redo, [], settings, out_url,
                                  "." + names[len(groups) + k], not groups and k == 0, copy,
                                  pure=False)
                    for k, (pt, copy) in enumerate(zip(patches, copies))]
        index = {f.key: k for k, f in enumerate(futures)}
        results: list[dict[str, tuple[int, bool, tuple[str, ...]]]] = [{}] * len(futures)
        finished = as_completed(futures, loop=client.loop, with_results=True)
        for done, (future, result) in enumerate(finished, 1):
            results[index[future.key]] = result
            log.debug("%d/%d tasks done", done, len(futures))
        new = [Part(names[k], [(s.doc, s.url, s.stamp) for s in group], results[k],
                    listing_errors=bool(errors) and k == 0)
               for k, group in enumerate(groups)]
        new += [Part(names[len(groups) + k],
                     [*pt.keep, *((s.doc, s.url, s.stamp) for s in pt.redo)],
                     results[len(groups) + k]) for k, pt in enumerate(patches)]
        parts = [*todo.kept, *new]
        # A Decimal column that some part must write as text is text in every part; one
        # no part needs as text any more is decimal again in every part.
        text = {name: tuple(sorted({c for p in parts for c in p.tables[name][2]}))
                for name in TABLES}
        retypes: list[tuple[str, Part, bool]] = []
        for name in TABLES:
            if text[name]:
                log.warning("%s: %s written as decimal strings (a value does not fit "
                            "decimal128(%d, %d))", name, ", ".join(text[name]), PRECISION,
                            SCALE)
            was = todo.text.get(name)  # what the kept parts hold (None: not known)
            for p in todo.kept:
                if p.tables[name][1] and (was is None or set(was) != set(text[name])):
                    retypes.append((name, p, False))
            for p in new:
                if p.tables[name][1] and set(p.tables[name][2]) != set(text[name]):
                    retypes.append((name, p, True))
        if any(not hidden for _, _, hidden in retypes) and todo.previous is not None:
            # Kept parts change type in place: should the run stop half-way, the next
            # one must not trust the types the last manifest gives.
            _write_manifest(out_fs, out_root, json.dumps(
                {**todo.previous, "text_unknown": True}).encode("ascii"))
        client.gather([client.submit(
            retype_part, f"{out_url}/{name}/{'.' if hidden else ''}{p.name}", text[name],
            options, pure=False) for name, p, hidden in retypes])
        for p in new:
            for name in TABLES:
                if p.tables[name][1]:
                    out_fs.mv(f"{out_root}/{name}/.{p.name}", f"{out_root}/{name}/{p.name}")
        _write_manifest(out_fs, out_root, manifest_bytes(current, todo.generation, parts, text))
        _remove_stale(out_fs, out_root, parts)
        run = DaskRun({name: sum(p.tables[name][0] for p in parts) for name in TABLES})
        run.processed, run.reused = todo.processed, len(sources) - todo.processed
        run.dropped, run.redo = todo.dropped, todo.redo
        log.info("%d documents in %.1f s", len(sources), time.perf_counter() - t0)
        return run
    finally:
        if own:
            client.close()
        if cluster is not None:
            cluster.close()


def _write_manifest(fs: Any, root: str, data: bytes) -> None:
    """Written aside, then renamed over the last one (one PUT on an object store)."""
    partial = f"{root}/.{MANIFEST}.partial"
    with fs.open(partial, "wb") as fh:
        fh.write(data)
    fs.mv(partial, f"{root}/{MANIFEST}")


def _client_of(address: str) -> tuple[Any, bool]:
    """The caller's client of that scheduler, if it has one (a second client in the same
    process only adds connections), else a new one; and whether it is ours to close."""
    from distributed import Client, default_client

    try:
        client = default_client()
        if client.scheduler is not None and client.scheduler.address == address:
            return client, False
    except ValueError:  # no client yet
        pass
    return Client(address, set_as_default=False), True


def _remove_stale(fs: Any, root: str, parts: list[Part]) -> None:
    """Remove part files the manifest does not name: an earlier run's, hidden ones of an
    interrupted run, and empty ones of the parts that wrote no file for a table."""
    for name in TABLES:
        keep = {p.name for p in parts if p.tables[name][1]}
        for path in fs.glob(f"{root}/{name}/part-*.parquet") + fs.glob(
                f"{root}/{name}/.part-*.parquet"):
            if posixpath.basename(path) not in keep:
                fs.rm(path)


__all__ = ["DaskRun", "extract_dask", "frames", "list_sources", "RemoteSource"]
