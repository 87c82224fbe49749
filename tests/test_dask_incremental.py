"""Incremental runs on Dask: parts of unchanged documents stay, the rest is processed
again, and the dataset equals a fresh run's (rows and column types)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dask")
pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

import pyarrow.parquet as pq  # noqa: E402

from reportmine.dask_manifest import MANIFEST, Part, plan, stamp  # noqa: E402
from reportmine.tables import TABLES  # noqa: E402
from tests.test_dask import parquet_rows  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.fixture(scope="module")
def cluster() -> Any:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as c:
        yield c


def run(cluster: Any, src: Path, out: Path, **kw: Any) -> Any:
    from reportmine.dask import extract_dask

    return extract_dask([str(src)], str(out), scheduler=cluster.scheduler_address,
                        partition_size=kw.pop("partition_size", 2), **kw)


def dataset(out: Path) -> dict[str, tuple[list, list]]:
    """Per table: the sorted rows and the column types of every part file."""
    result = {}
    for name in TABLES:
        parts = sorted((out / name).glob("part-*.parquet"))
        types = sorted({tuple(str(f.type) for f in pq.read_schema(p)) for p in parts})
        result[name] = (sorted(parquet_rows(out / name)), types)
    return result


def stamps(out: Path) -> dict[str, int]:
    return {str(p.relative_to(out)): p.stat().st_mtime_ns
            for p in out.glob("*/part-*.parquet")}


def test_only_changed_documents_are_processed_and_the_dataset_equals_a_fresh_run(
        cluster: Any, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for p in SAMPLES:
        shutil.copy(p, src / p.name)
    shutil.copy(SAMPLES[0], src / "zz_copy.txt")  # six documents, three parts of two
    out = tmp_path / "out"
    first = run(cluster, src, out)
    assert (first.processed, first.reused, first.redo) == (6, 0, "first run")
    before = stamps(out)

    again = run(cluster, src, out)
    assert (again.processed, again.reused, again.dropped) == (0, 6, 0)
    assert stamps(out) == before  # not a file rewritten
    assert dict(again) == dict(first)

    # Change a document of the first part, delete one of the last, add one.
    changed = src / SAMPLES[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增学位210个。\n",
                       encoding="utf-8")
    (src / "zz_copy.txt").unlink()
    (src / "new.txt").write_text("2024年投入资金172.5万元，新建校舍3所。\n", encoding="utf-8")
    third = run(cluster, src, out)
    # The changed document and the new one are parsed; the rows of the unchanged
    # documents of parts 0 and 2 are copied into new parts; part 1 stays as it is.
    assert (third.processed, third.reused, third.dropped) == (2, 4, 1)
    kept = {k: v for k, v in stamps(out).items() if "part-00001" in k}
    assert kept and all(before[k] == v for k, v in kept.items())  # the middle part stayed

    fresh = tmp_path / "fresh"
    full = run(cluster, src, fresh, partition_size=3)
    assert dict(full) == dict(third)
    assert dataset(out) == dataset(fresh)
    docs = {r[0] for r in dataset(out)["documents"][0]}
    assert "new.txt" in docs and "zz_copy.txt" not in docs and len(docs) == 6


def test_a_decimal_column_turns_text_and_back_as_a_fresh_run_would(
        cluster: Any, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("投入资金5万元。\n", encoding="utf-8")
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    run(cluster, src, out, partition_size=1)
    (src / "b.txt").write_text("收入增长1.23456789012%。\n", encoding="utf-8")  # not decimal128(38, 10)
    second = run(cluster, src, out, partition_size=1)
    assert (second.processed, second.reused) == (1, 1)
    run(cluster, src, fresh, partition_size=1, full=True)
    assert dataset(out) == dataset(fresh)
    assert {t[list(TABLES["metrics"][0]).index("value")]
            for t in dataset(out)["metrics"][1]} == {"string"}

    (src / "b.txt").unlink()
    third = run(cluster, src, out, partition_size=1)
    assert (third.processed, third.reused, third.dropped) == (0, 1, 1)
    run(cluster, src, fresh, partition_size=1, full=True)
    assert dataset(out) == dataset(fresh)
    assert {t[list(TABLES["metrics"][0]).index("value")]
            for t in dataset(out)["metrics"][1]} == {"decimal128(38, 10)"}


def test_other_settings_or_full_process_everything(cluster: Any, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for p in SAMPLES[:3]:
        shutil.copy(p, src / p.name)
    out = tmp_path / "out"
    run(cluster, src, out)
    other = run(cluster, src, out, max_bytes=10_000_000)
    assert (other.processed, other.redo) == (3, "settings changed")
    assert run(cluster, src, out, max_bytes=10_000_000).processed == 0
    forced = run(cluster, src, out, max_bytes=10_000_000, full=True)
    assert (forced.processed, forced.redo) == (3, "--full")


def test_a_run_stopped_before_its_end_leaves_the_last_dataset(
        cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fsspec.implementations.local import LocalFileSystem

    src = tmp_path / "in"
    src.mkdir()
    for p in SAMPLES[:4]:
        shutil.copy(p, src / p.name)
    out = tmp_path / "out"
    run(cluster, src, out)
    last = dataset(out)
    manifest = (out / MANIFEST).read_bytes()
    (src / SAMPLES[0].name).write_text("投入资金5万元。\n", encoding="utf-8")

    def stop(*args: Any, **kw: Any) -> None:
        raise KeyboardInterrupt  # Ctrl-C when the new parts are about to go in place

    monkeypatch.setattr(LocalFileSystem, "mv", stop)
    with pytest.raises(KeyboardInterrupt):
        run(cluster, src, out)
    monkeypatch.undo()
    # The new part is there, hidden (pyarrow and dask skip names starting with a dot);
    # the dataset read whole is the last run's.
    assert list(out.glob("documents/.part-*"))
    assert (out / MANIFEST).read_bytes() == manifest
    assert sorted(pq.read_table(out / "documents").column("doc").to_pylist()) == sorted(
        r[0] for r in last["documents"][0])

    resumed = run(cluster, src, out)
    assert resumed.processed == 1
    assert not list(out.glob("*/.part-*"))
    fresh = tmp_path / "fresh"
    run(cluster, src, fresh, full=True)
    assert dataset(out) == dataset(fresh)


# -- the plan, without a cluster -----------------------------------------------------
class _Src:
    def __init__(self, doc: str, stamp: str) -> None:
        self.doc, self.url, self.stamp = doc, f"file:///in/{doc}", stamp


def _manifest(parts: list[Part], **head: Any) -> dict[str, Any]:
    return {"format": 1, "version": "v", "code": "c", "rules": "r", "settings": {},
            "generation": 3, "text": {}, "parts": [p.to_json() for p in parts], **head}


def _part(name: str, *docs: str, errors: bool = False) -> Part:
    return Part(name, [(d, f"file:///in/{d}", "s") for d in docs],
                {t: (1, True, ()) for t in TABLES}, listing_errors=errors)


CURRENT = {"format": 1, "version": "v", "code": "c", "rules": "r", "settings": {}}


def test_the_plan_keeps_parts_whose_documents_are_all_unchanged() -> None:
    previous = _manifest([_part("p0", "a", "b"), _part("p1", "c", "d"), _part("p2", "e")])
    sources = [_Src("a", "s"), _Src("b", "s"), _Src("c", "s"), _Src("d", "CHANGED"),
               _Src("f", "s")]
    p = plan(previous, CURRENT, sources, TABLES)
    assert [k.name for k in p.kept] == ["p0"]
    assert [s.doc for s in p.todo] == ["f"]  # new
    # p1: c copied, d parsed again; p2 (e deleted) goes with nothing to copy.
    assert [(pt.old.name, [d for d, _, _ in pt.keep], [s.doc for s in pt.redo])
            for pt in p.patches] == [("p1", ["c"], ["d"])]
    assert (p.processed, p.dropped, p.generation, p.redo) == (2, 1, 4, "")


def test_a_part_whose_documents_share_a_name_is_processed_again_whole() -> None:
    twins = Part("p0", [("a", "file:///x/a", "s"), ("a", "file:///y/a", "s")],
                 {t: (1, True, ()) for t in TABLES})
    sources = [_Src("a", "s"), _Src("a", "CHANGED")]
    sources[0].url, sources[1].url = "file:///x/a", "file:///y/a"
    p = plan(_manifest([twins]), CURRENT, sources, TABLES)
    assert (p.kept, p.patches, len(p.todo)) == ([], [], 2)


def test_the_plan_redoes_everything_when_the_rules_change_and_never_keeps_listing_errors(
        ) -> None:
    previous = _manifest([_part("p0", "a", errors=True), _part("p1", "b")])
    sources = [_Src("a", "s"), _Src("b", "s")]
    p = plan(previous, CURRENT, sources, TABLES)
    assert [k.name for k in p.kept] == ["p1"] and [s.doc for s in p.todo] == ["a"]
    assert p.patches == []
    p = plan(previous, {**CURRENT, "rules": "other"}, sources, TABLES)
    assert (p.kept, len(p.todo), p.redo) == ([], 2, "rules changed")
    assert plan(None, CURRENT, sources, TABLES).redo == "first run"
    assert plan(previous, CURRENT, sources, TABLES, full=True).generation == 0


def test_stamps_change_with_what_the_listing_says() -> None:
    a = stamp({"name": "x", "size": 3, "mtime": 1.5, "ino": 7, "type": "file"})
    assert a == stamp({"size": 3, "mtime": 1.5, "ino": 7, "uid": 0})
    assert a != stamp({"size": 3, "mtime": 1.6, "ino": 7})
    assert stamp({"size": 3, "ETag": '"abc"'}) != stamp({"size": 3, "ETag": '"abd"'})


def test_rows_copied_from_a_part_keep_or_lose_their_text_column_as_a_fresh_run(
        cluster: Any, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("投入资金5万元。\n", encoding="utf-8")
    (src / "b.txt").write_text("收入增长1.23456789012%。\n", encoding="utf-8")
    (src / "c.txt").write_text("新建校舍3所。\n", encoding="utf-8")
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    run(cluster, src, out, partition_size=3)  # one part, value as text
    (src / "c.txt").write_text("新建校舍4所。\n", encoding="utf-8")
    second = run(cluster, src, out, partition_size=3)  # a and b copied, c parsed
    assert (second.processed, second.reused) == (1, 2)
    run(cluster, src, fresh, partition_size=3, full=True)
    assert dataset(out) == dataset(fresh)
    (src / "b.txt").unlink()
    third = run(cluster, src, out, partition_size=3)  # a copied from a text column
    assert (third.processed, third.reused, third.dropped) == (0, 2, 1)
    run(cluster, src, fresh, partition_size=3, full=True)
    assert dataset(out) == dataset(fresh)
    value = list(TABLES["metrics"][0]).index("value")
    assert {t[value] for t in dataset(out)["metrics"][1]} == {"decimal128(38, 10)"}
    assert sorted(r[value] for r in dataset(out)["metrics"][0]) == ["4", "50000"]


def test_paths_that_cannot_be_listed_are_error_rows_of_every_run(
        cluster: Any, tmp_path: Path) -> None:
    from reportmine.dask import extract_dask

    src = tmp_path / "in"
    src.mkdir()
    for p in SAMPLES[:2]:
        shutil.copy(p, src / p.name)
    missing = tmp_path / "not-there"

    def both(out: Path, **kw: Any) -> Any:
        return extract_dask([str(src), str(missing)], str(out),
                            scheduler=cluster.scheduler_address, partition_size=2, **kw)

    out, fresh = tmp_path / "out", tmp_path / "fresh"
    both(out)
    again = both(out)
    assert (again.processed, again.reused, again["errors"]) == (0, 2, 1)
    missing.mkdir()  # listed now, and empty
    third = both(out)
    assert (third.processed, third["errors"]) == (0, 0)
    both(fresh, full=True)
    assert dataset(out) == dataset(fresh)
