"""Incremental runs: only new and changed documents are processed, and the tables are
byte for byte what a fresh run writes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportmine import incremental
from reportmine.cli import main
from reportmine.incremental import CACHE_DIR, MANIFEST
from reportmine.tables import TABLES
from tests.conftest import SAMPLES


def tables_of(out: Path, ext: str = "csv") -> dict[str, bytes]:
    return {n: (out / f"{n}.{ext}").read_bytes() for n in TABLES}


def run(src: Path, out: Path, capsys, *extra: str) -> str:
    """An extract run; returns its summary line of what was processed."""
    code = main(["extract", str(src), "-o", str(out), "--jobs", "1", *extra])
    assert code in (0, 1)
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.fixture
def corpus(tmp_path) -> Path:
    d = tmp_path / "corpus"
    (d / "sub").mkdir(parents=True)
    samples = sorted(SAMPLES.glob("*.txt"))
    for k, p in enumerate(samples):
        shutil.copy(p, d / (f"sub/{p.name}" if k == 2 else p.name))
    (d / "zz_empty.txt").write_bytes(b"")  # an error row, cached like the rest
    return d


def edit(corpus: Path) -> None:
    """One file changed, one deleted, one added."""
    first = sorted(corpus.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("万元", "亿元", 3),
                     encoding="utf-8")
    sorted(corpus.glob("*.txt"))[1].unlink()
    shutil.copy(SAMPLES / "000_8962da1a5d06fb49.txt", corpus / "0_new.txt")


def test_a_second_run_processes_only_what_changed(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(corpus, out, capsys).startswith("6 processed (first run), 0 unchanged")
    assert run(corpus, out, capsys).startswith("0 processed, 6 unchanged, 0 gone")
    edit(corpus)
    assert run(corpus, out, capsys).startswith("2 processed, 4 unchanged, 1 gone")
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys)
    assert tables_of(out) == tables_of(fresh)
    # The cache keeps one entry per document of the last run, the manifest names them.
    manifest = json.loads((out / CACHE_DIR / MANIFEST).read_text(encoding="utf-8"))
    assert [d["doc"] for d in manifest["documents"]] == \
        ["000_8962da1a5d06fb49.txt", "003_b71ddd899b90d843.txt",
         "004_727ffb95bee0db86.txt", "0_new.txt", "sub/002_ebf0b76c6a68a4ba.txt", "zz_empty.txt"]
    first = manifest["documents"][0]
    data = (corpus / first["doc"]).read_bytes()
    assert first["size"] == len(data) and len(first["sha256"]) == 64
    assert manifest["version"] and manifest["rules"] and manifest["formats"] == ["csv"]
    entries = sorted(p.name for p in (out / CACHE_DIR / "rows").iterdir())
    assert entries == sorted(d["entry"] for d in manifest["documents"])


def test_every_format_of_an_incremental_run_equals_a_fresh_run(corpus, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    formats = ["--format", "csv", "--format", "jsonl", "--format", "parquet"]
    out = tmp_path / "out"
    run(corpus, out, capsys, *formats)
    edit(corpus)
    assert run(corpus, out, capsys, *formats).startswith("2 processed, 4 unchanged")
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys, *formats)
    assert tables_of(out) == tables_of(fresh)
    assert tables_of(out, "jsonl") == tables_of(fresh, "jsonl")
    for n in TABLES:
        assert pq.read_table(out / f"{n}.parquet").equals(pq.read_table(fresh / f"{n}.parquet"))


def test_a_run_that_needs_typed_rows_reprocesses_csv_only_entries(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    run(corpus, out, capsys)
    assert run(corpus, out, capsys, "--format", "jsonl").startswith("6 processed, 0 unchanged")
    assert run(corpus, out, capsys, "--format", "jsonl").startswith("0 processed, 6 unchanged")
    assert run(corpus, out, capsys).startswith("0 processed, 6 unchanged")  # typed rows hold CSV


@pytest.mark.parametrize("change", ["rules", "version", "settings", "full"])
def test_rules_version_settings_or_full_redo_everything(corpus, tmp_path, capsys,
                                                        monkeypatch, change):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "units.toml").write_text("# no entries\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["--patterns", str(overlay)]
    run(corpus, out, capsys, *args)
    if change == "rules":  # the bytes of a rule file, not what they mean
        (overlay / "units.toml").write_text("# no entries, still\n", encoding="utf-8")
    elif change == "version":
        monkeypatch.setattr(incremental, "__version__", "99.0")
    elif change == "settings":
        args.append("--raw-cells")
    else:
        args.append("--full")
    line = run(corpus, out, capsys, *args)
    reason = {"rules": "rules changed", "version": "version changed",
              "settings": "settings changed", "full": "--full"}[change]
    assert line.startswith(f"6 processed ({reason}), 0 unchanged")
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys, *args)
    assert tables_of(out) == tables_of(fresh)


def test_an_interrupted_incremental_run_keeps_the_previous_run(corpus, tmp_path, capsys,
                                                               monkeypatch):
    out = tmp_path / "out"
    run(corpus, out, capsys)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edit(corpus)
    encode = incremental.encode
    calls = []

    def stop_on_second(rendered):
        calls.append(rendered.doc)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return encode(rendered)

    monkeypatch.setattr(incremental, "encode", stop_on_second)
    assert main(["extract", str(corpus), "-o", str(out), "--jobs", "1", "-q"]) == 130
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # Tables and manifest as they were; only the entry of the one document done is new.
    assert {k: v for k, v in after.items() if k in before} == before
    assert [k.parent.name for k in after if k not in before] == ["rows"]
    monkeypatch.setattr(incremental, "encode", encode)
    # The next run reuses what the interrupted one finished.
    assert run(corpus, out, capsys).startswith("1 processed, 5 unchanged, 1 gone")
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys)
    assert tables_of(out) == tables_of(fresh)


def test_a_damaged_entry_is_processed_again(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    run(corpus, out, capsys)
    entry = sorted((out / CACHE_DIR / "rows").iterdir())[0]
    entry.write_text("{not json", encoding="utf-8")
    assert run(corpus, out, capsys).startswith("1 processed, 5 unchanged")
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys)
    assert tables_of(out) == tables_of(fresh)


def test_save_text_rewrites_texts_that_are_missing(corpus, tmp_path, capsys):
    out, texts = tmp_path / "out", tmp_path / "texts"
    run(corpus, out, capsys, "--save-text", str(texts))
    (texts / "003_b71ddd899b90d843.txt.txt").unlink()
    assert run(corpus, out, capsys, "--save-text", str(texts)).startswith(
        "1 processed, 5 unchanged")
    assert (texts / "003_b71ddd899b90d843.txt.txt").exists()


def test_jobs_two_gives_the_same_tables(corpus, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    run(corpus, out, capsys)
    edit(corpus)
    monkeypatch.setattr(incremental, "_SERIAL_UP_TO", 0)  # the changed ones in workers
    assert main(["extract", str(corpus), "-o", str(out), "--jobs", "2", "-q"]) == 1
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys)
    assert tables_of(out) == tables_of(fresh)


# -- what an incremental run does not do ----------------------------------------------
def test_a_run_with_nothing_to_process_loads_no_pipeline(corpus, tmp_path, capsys):
    """Merging cached rows needs neither the pipeline, the rules, jieba, pydantic nor
    pandas: a run that processes nothing must not pay for importing them."""
    out = tmp_path / "out"
    run(corpus, out, capsys)
    code = ("import sys; from reportmine.cli import main; "
            f"rc = main(['extract', {str(corpus)!r}, '-o', {str(out)!r}, '--jobs', '1']); "
            "heavy = ['reportmine.pipeline', 'reportmine.rules', 'reportmine.models', "
            "'jieba', 'pydantic', 'pandas']; "
            "print([m for m in heavy if m in sys.modules]); sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 1, r.stderr  # zz_empty.txt, an error row from the cache
    assert r.stdout.strip() == "[]"
    assert "0 processed, 6 unchanged" in r.stderr


def test_rules_are_checked_when_they_changed_since_the_last_run(corpus, tmp_path):
    """Rule files the last run loaded are not loaded before the run; changed ones are
    (in a process of their own each: default_rules keeps what it loaded)."""
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "reportmine", "extract", str(corpus), "-o", str(out),
           "--jobs", "1", "--patterns", str(overlay)]
    assert subprocess.run(cmd, capture_output=True).returncode == 1  # zz_empty.txt
    (overlay / "units.toml").write_text("[[units]]\nkind = 3\n", encoding="utf-8")
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 2 and "bad rule file" in r.stderr, r.stderr
    (overlay / "units.toml").unlink()
    overlay.rmdir()  # an empty overlay folder and a missing one are not the same
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 2 and "does not exist" in r.stderr, r.stderr


def test_patterns_dir_is_the_rules_one():
    from reportmine.rules import default_patterns_dir

    assert incremental.patterns_dir() == default_patterns_dir()


# -- hashing: by content, not trusting a file's status alone ------------------------------
def _count_hashing(monkeypatch) -> list[Path]:
    hashed: list[Path] = []
    sha = incremental._sha256

    def counting(path):
        hashed.append(path)
        return sha(path)

    monkeypatch.setattr(incremental, "_sha256", counting)
    return hashed


def test_files_whose_status_is_unchanged_are_not_read_again(corpus, tmp_path, capsys,
                                                            monkeypatch):
    monkeypatch.setattr(incremental, "_RACY_NS", 0)  # the files are older than the run
    out = tmp_path / "out"
    run(corpus, out, capsys)
    hashed = _count_hashing(monkeypatch)
    assert run(corpus, out, capsys).startswith("0 processed, 6 unchanged")
    assert hashed == []
    # New bytes of the same size under the old modification time: the ctime says so.
    first = sorted(corpus.glob("*.txt"))[0]
    st = first.stat()
    data = first.read_bytes()
    first.write_bytes(data.replace("万元".encode(), "亿元".encode(), 1))
    os.utime(first, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert first.stat().st_size == st.st_size and first.stat().st_mtime_ns == st.st_mtime_ns
    assert run(corpus, out, capsys).startswith("1 processed, 5 unchanged")
    assert hashed == [first]
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys)
    assert tables_of(out) == tables_of(fresh)


def test_a_status_as_recent_as_the_hash_is_not_trusted(corpus, tmp_path, capsys,
                                                       monkeypatch):
    """A file written within the clock tick of its hash could change again unseen:
    its hash is taken again, whatever its status says ("racy git")."""
    out = tmp_path / "out"
    run(corpus, out, capsys)
    hashed = _count_hashing(monkeypatch)
    recent = time.time_ns() + 60 * 10**9  # however slow the runs, never older than them
    monkeypatch.setattr(incremental, "_status", lambda st: [st.st_size, 1, recent, 1, 1])
    run(corpus, out, capsys)  # records the fake status, taken "as" the hash was
    run(corpus, out, capsys)
    assert len(hashed) == 2 * 6  # every file, both times


# -- entries damaged or of another format -------------------------------------------------
@pytest.mark.parametrize("damage", ["cut", "flip", "empty"])
def test_a_damaged_entry_of_the_right_shape_is_processed_again(corpus, tmp_path, capsys,
                                                               damage):
    out = tmp_path / "out"
    run(corpus, out, capsys)
    entry = sorted((out / CACHE_DIR / "rows").iterdir())[0]
    data = bytearray(entry.read_bytes())
    if damage == "cut":  # a crash while it was written
        data = data[:-7]
    elif damage == "flip":  # the same length, other bytes
        data[-3] ^= 0x20
    else:
        data = bytearray()
    entry.write_bytes(bytes(data))
    assert run(corpus, out, capsys).startswith("1 processed, 5 unchanged")
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys)
    assert tables_of(out) == tables_of(fresh)


def test_a_manifest_of_another_format_is_ignored_and_old_entries_go(corpus, tmp_path,
                                                                     capsys):
    """Entries say themselves what they hold: without a manifest they are still used."""
    out = tmp_path / "out"
    run(corpus, out, capsys)
    cache = out / CACHE_DIR
    manifest = json.loads((cache / MANIFEST).read_text(encoding="utf-8"))
    manifest["format"] = 1
    (cache / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    (cache / "rows" / "0123.json").write_text("{}", encoding="utf-8")  # an old entry
    assert run(corpus, out, capsys).startswith("0 processed, 6 unchanged")
    assert not (cache / "rows" / "0123.json").exists()
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys)
    assert tables_of(out) == tables_of(fresh)


def test_encoded_rows_hold_the_bytes_the_csv_writer_writes(sample_docs, tmp_path):
    """A document's encoded rows are the very bytes TableWriter writes for its text,
    lone surrogates (a file name that is not UTF-8) included."""
    from reportmine.tables import EncodedRows, TableWriter, encode, render

    doc = sample_docs[0].model_copy(update={"doc": "bad\udcffname.txt"})
    rendered = render(doc, cells=True)
    encoded = EncodedRows.parse(encode(rendered))
    assert encoded.rows == rendered.rows and encoded.doc == doc.doc
    for a, b in (("text", rendered), ("bytes", encoded)):
        with TableWriter(tmp_path / a) as w:
            w.write_rendered(b) if a == "text" else w.write_encoded(b)
    assert tables_of(tmp_path / "text") == tables_of(tmp_path / "bytes")
    assert encoded.typed_cells() == rendered.cells
    assert EncodedRows.parse(encode(render(doc))).typed_cells() is None


def test_every_entry_emptied_by_a_crash_is_processed_again(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    run(corpus, out, capsys)
    for entry in (out / CACHE_DIR / "rows").iterdir():
        entry.write_bytes(b"")
    assert run(corpus, out, capsys).startswith("6 processed, 0 unchanged")
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys)
    assert tables_of(out) == tables_of(fresh)
    assert run(corpus, out, capsys).startswith("0 processed, 6 unchanged")
