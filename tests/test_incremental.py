"""Incremental runs: only new and changed documents are processed, and the tables are
byte for byte what a fresh run writes."""

from __future__ import annotations

import json
import shutil
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
    assert entries == sorted(d["entry"] + ".json" for d in manifest["documents"])


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
    encode = incremental._encode
    calls = []

    def stop_on_second(rendered):
        calls.append(rendered.doc)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return encode(rendered)

    monkeypatch.setattr(incremental, "_encode", stop_on_second)
    assert main(["extract", str(corpus), "-o", str(out), "--jobs", "1", "-q"]) == 130
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # Tables and manifest as they were; only the entry of the one document done is new.
    assert {k: v for k, v in after.items() if k in before} == before
    assert [k.parent.name for k in after if k not in before] == ["rows"]
    monkeypatch.setattr(incremental, "_encode", encode)
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


def test_jobs_two_gives_the_same_tables(corpus, tmp_path, capsys):
    out = tmp_path / "out"
    run(corpus, out, capsys)
    edit(corpus)
    assert main(["extract", str(corpus), "-o", str(out), "--jobs", "2", "-q"]) == 1
    fresh = tmp_path / "fresh"
    run(corpus, fresh, capsys)
    assert tables_of(out) == tables_of(fresh)
