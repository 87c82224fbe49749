"""reportmine.dask on a real local Dask cluster: the rows equal a local run's, a bad file
is an error row, a worker killed mid-run loses nothing."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dask")
pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import reportmine  # noqa: E402
from reportmine.numbers import canonical  # noqa: E402
from reportmine.reading import find_sources  # noqa: E402
from reportmine.tables import TABLES, write_tables  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
PDF = ROOT / "tests" / "data" / "pdf" / "report.pdf"


@pytest.fixture(scope="module")
def cluster() -> Any:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as c:
        yield c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples, one nested and upper-cased, a PDF, a truncated PDF, a hidden file."""
    root = tmp_path_factory.mktemp("corpus")
    for p in SAMPLES:
        shutil.copy(p, root / p.name)
    (root / "sub").mkdir()
    shutil.copy(SAMPLES[0], root / "sub" / "COPY.TXT")
    shutil.copy(PDF, root / "report.pdf")
    data = PDF.read_bytes()
    (root / "bad.pdf").write_bytes(data[:len(data) // 2])
    (root / ".hidden.txt").write_text("新增学位210个。", encoding="utf-8")
    return root


def cell(value: Any) -> str:
    """A Parquet value as the CSV writes it (with --raw-cells)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return canonical(value)
    return str(value)


def parquet_rows(folder: Path) -> list[tuple[str, ...]]:
    rows = []
    for part in sorted(folder.glob("part-*.parquet")):
        table = pq.read_table(part)
        assert table.column_names == TABLES[folder.name][0]
        rows += [tuple(cell(v) for v in r.values()) for r in table.to_pylist()]
    return rows


def csv_rows(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header, *rows = csv.reader(fh)
    return header, [tuple(r) for r in rows]


@pytest.fixture(scope="module")
def local_run(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list]:
    """The CSV rows of `reportmine extract corpus --jobs 1 --raw-cells`, per table."""
    out = tmp_path_factory.mktemp("local")
    write_tables(reportmine.parse_paths([str(corpus)], jobs=1), out, formats=["csv"],
                 raw_cells=True)
    tables = {}
    for name, (columns, _) in TABLES.items():
        header, rows = csv_rows(out / f"{name}.csv")
        assert header == columns
        tables[name] = rows
    return tables


def test_rows_equal_a_local_run(cluster: Any, corpus: Path, local_run: dict[str, list],
                                tmp_path: Path) -> None:
    from reportmine.dask import extract_dask

    out = tmp_path / "out"
    (out / "metrics").mkdir(parents=True)
    (out / "metrics" / "part-00099.parquet").write_bytes(b"an earlier run's part")
    counts = extract_dask([str(corpus)], str(out), scheduler=cluster.scheduler_address,
                          partition_size=2)
    assert counts == {name: len(rows) for name, rows in local_run.items()}
    assert counts["metrics"] > 400 and counts["documents"] == 7
    for name in TABLES:
        assert sorted(parquet_rows(out / name)) == sorted(local_run[name]), name
    assert not (out / "metrics" / "part-00099.parquet").exists()  # stale part removed
    # 8 documents in 4 tasks: every part of metrics has rows.
    assert len(list((out / "metrics").glob("part-*.parquet"))) == 4
    # The truncated PDF is an error row; the hidden file is not read.
    assert [r[:3] for r in parquet_rows(out / "errors")] == [("bad.pdf", "read", "corrupt")]
    docs = {r[0] for r in parquet_rows(out / "documents")}
    assert {"sub/COPY.TXT", "report.pdf"} <= docs and ".hidden.txt" not in docs
    schema = pq.read_schema(next((out / "metrics").glob("part-*.parquet")))
    assert schema.field("value").type == pa.decimal128(38, 10)
    assert schema.field("kind").type == pa.dictionary(pa.int32(), pa.string())


def test_frames_equal_the_local_frames(cluster: Any, corpus: Path,
                                      local_run: dict[str, list]) -> None:
    import dask
    import pandas as pd
    from distributed import Client

    from reportmine.dask import frames

    with Client(cluster.scheduler_address):
        tables = frames([str(corpus)], partition_size=3)
        computed = dict(zip(tables, dask.compute(*tables.values())))
    for name, df in computed.items():
        assert list(df.columns) == TABLES[name][0]
        rows = [tuple(cell(None if v is pd.NA else v) for v in r)
                for r in df.itertuples(index=False)]
        assert sorted(rows) == sorted(local_run[name]), name
    value = computed["metrics"]["value"]
    assert value.dtype == object and all(isinstance(v, Decimal) for v in value.dropna())


def test_a_value_decimal128_cannot_hold_makes_its_column_text(
        cluster: Any, tmp_path: Path) -> None:
    from reportmine.dask import extract_dask

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("投入资金5万元。\n", encoding="utf-8")
    (src / "b.txt").write_text("收入增长1.23456789012%。\n", encoding="utf-8")
    out = tmp_path / "out"
    extract_dask([str(src)], str(out), scheduler=cluster.scheduler_address, partition_size=1)
    parts = sorted((out / "metrics").glob("part-*.parquet"))
    assert len(parts) == 2
    assert [pq.read_schema(p).field("value").type for p in parts] == [pa.string()] * 2
    values = [r["value"] for p in parts for r in pq.read_table(p).to_pylist()]
    assert values == ["50000", "1.23456789012"]


def test_a_killed_worker_loses_no_document(cluster: Any, tmp_path: Path) -> None:
    from distributed import Client

    from reportmine.dask import extract_dask

    copies = 40  # 200 documents: several seconds on two workers
    src = tmp_path / "in"
    for k in range(copies):
        (src / f"c{k:02d}").mkdir(parents=True)
        for p in SAMPLES:
            shutil.copy(p, src / f"c{k:02d}" / p.name)
    out = tmp_path / "out"
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["counts"] = extract_dask([str(src)], str(out),
                                            scheduler=cluster.scheduler_address,
                                            partition_size=4)
        except BaseException as exc:  # reported by the assertion below
            result["error"] = exc

    job = threading.Thread(target=run)
    job.start()
    deadline = time.monotonic() + 30
    # Parts are written under hidden names until the run ends (see extract_dask).
    while len(list((out / "metrics").glob(".part-*.parquet"))) < 3:
        assert time.monotonic() < deadline and job.is_alive(), result
        time.sleep(0.05)
    with Client(cluster.scheduler_address) as client:
        pids = client.run(os.getpid)
    victim = sorted(pids.values())[0]
    written = len(list((out / "metrics").glob(".part-*.parquet")))
    assert job.is_alive() and written < copies * len(SAMPLES) // 4  # the kill comes mid-run
    os.kill(victim, signal.SIGKILL)
    job.join(60)
    assert not job.is_alive() and "error" not in result, result
    with Client(cluster.scheduler_address) as client:  # its nanny started a new worker
        client.wait_for_workers(2, timeout=30)
        assert victim not in client.run(os.getpid).values()

    expected = {name: len([r for p in SAMPLES for r in rows(reportmine.parse_file(p))])
                for name, (_, rows) in TABLES.items()}
    assert result["counts"] == {name: n * copies for name, n in expected.items()}
    # Every document's metrics, as a local parse of its sample gives them.
    local = sorted((p.name, *(cell(v) for v in r[1:]))  # parse_file names it by its path
                   for p in SAMPLES
                   for r in csv_rows_of(reportmine.parse_file(p), "metrics"))
    got: dict[str, list] = {}
    for r in parquet_rows(out / "metrics"):
        folder, name = r[0].split("/")
        got.setdefault(folder, []).append((name, *r[1:]))
    assert len(got) == copies
    for folder, rows in got.items():
        assert sorted(rows) == local, folder


def csv_rows_of(doc: reportmine.Document, table: str) -> list[tuple]:
    columns, rows = TABLES[table]
    return [tuple(r[c] for c in columns) for r in rows(doc)]


# -- without a cluster --------------------------------------------------------------
def test_listing_names_files_as_the_local_run(corpus: Path) -> None:
    from reportmine.dask import list_sources

    local = [(s.doc, str(s.path)) for s in find_sources([str(corpus)],
                                                        reportmine.readers.SUPPORTED_GLOBS)]
    found, errors = list_sources([str(corpus)])
    assert [(s.doc, s.path) for s in found] == local and not errors
    assert all(s.url.startswith("file://") and s.size for s in found)
    # A URL lists the same documents; a single file is named as given.
    by_url, _ = list_sources([f"file://{corpus}"], ["*.pdf"])
    assert [s.doc for s in by_url] == ["bad.pdf", "report.pdf"]
    assert by_url[0].path == f"file://{corpus}/bad.pdf"
    one, _ = list_sources([str(corpus / "report.pdf")])
    assert [(s.doc, s.path) for s in one] == [(str(corpus / "report.pdf"),) * 2]
    _, missing = list_sources([str(corpus / "nowhere")])
    assert [(p, e.reason, str(e)) for p, e in missing] == [
        (str(corpus / "nowhere"), "missing", "does not exist")]


def test_import_dask_reaches_the_dask_package() -> None:
    from reportmine.dask import _require

    dask = _require()
    assert dask.__name__ == "dask" and "reportmine" not in dask.__file__


def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportmine.dask import extract_dask

    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(ImportError, match=r'pip install "reportmine\[dask\]"'):
        extract_dask(["samples"], "out")


def test_the_command_line_runs_on_a_local_cluster(tmp_path):
    import pandas as pd

    from reportmine.cli import main

    out = tmp_path / "out"
    assert main(["extract", str(ROOT / "samples"), "-o", str(out), "--engine", "dask",
                 "--jobs", "1", "-q"]) == 0
    local = tmp_path / "local"
    assert main(["extract", str(ROOT / "samples"), "-o", str(local), "-q", "--jobs", "1"]) == 0
    metrics = pd.read_parquet(out / "metrics")
    with open(local / "metrics.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(metrics) == len(rows) == 382
    assert sorted(metrics["doc"].unique()) == sorted(p.name for p in SAMPLES)
    assert sorted(metrics["text"]) == sorted(r["text"] for r in rows)
