"""An interrupted run never leaves a partial table under a final name.

A real `reportmine extract` runs in a subprocess over a folder large enough to take
many seconds; it is killed once its first partial table holds rows (mid-write). The
final names must then hold nothing, or the complete tables of the previous run.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportmine.cli import main
from reportmine.tables import TABLES
from tests.conftest import SAMPLES

FINAL = sorted(f"{name}.csv" for name in TABLES)


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory) -> Path:
    """300 reports: a run over them takes far longer than it takes to kill it."""
    d = tmp_path_factory.mktemp("big")
    samples = sorted(SAMPLES.glob("*.txt"))
    for i in range(300):
        shutil.copy(samples[i % len(samples)], d / f"{i:03d}.txt")
    return d


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if not p.name.startswith(".")}


def _start_and_stop(src: Path, out: Path, sig: int, *extra: str) -> subprocess.CompletedProcess:
    """Start an extract run and send `sig` once a partial table holds rows."""
    proc = subprocess.Popen([sys.executable, "-m", "reportmine", "extract", str(src), "-o",
                             str(out), "-q", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    partial = out / ".metrics.csv.partial"
    deadline = time.monotonic() + 120
    try:
        while not (partial.exists() and partial.stat().st_size > 0):
            assert proc.poll() is None, f"the run ended before it could be stopped: {proc.stderr.read()}"
            assert time.monotonic() < deadline, "no partial table appeared"
            time.sleep(0.02)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def test_sigkill_mid_write_leaves_no_table(big_folder, tmp_path):
    out = tmp_path / "out"
    r = _start_and_stop(big_folder, out, signal.SIGKILL)
    assert r.returncode == -signal.SIGKILL
    assert _snapshot(out) == {}  # only hidden .partial files, no table under a final name
    assert any(p.name.endswith(".csv.partial") for p in out.iterdir())


def test_sigkill_mid_write_keeps_the_previous_tables(big_folder, tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(SAMPLES), "-o", str(out), "-q"]) == 0
    before = _snapshot(out)
    assert sorted(before) == FINAL
    r = _start_and_stop(big_folder, out, signal.SIGKILL)
    assert r.returncode == -signal.SIGKILL
    assert _snapshot(out) == before  # the complete previous run, byte for byte

    # The next run needs no --force for the leftovers, replaces the tables and leaves
    # no partial file behind.
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(sorted(SAMPLES.glob("*.txt"))[0], one / "only.txt")
    assert main(["extract", str(one), "-o", str(out), "-q"]) == 0
    assert sorted(p.name for p in out.iterdir() if p.name != ".reportmine") == FINAL
    docs = (out / "documents.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(docs) == 2 and docs[1].startswith("only.txt,")


@pytest.mark.parametrize("sig,code,jobs", [
    (signal.SIGTERM, 143, "1"),
    (signal.SIGTERM, 143, "2"),
    (signal.SIGINT, 130, "1"),
    (signal.SIGINT, 130, "2"),
])
def test_terminate_or_ctrl_c_removes_partial_tables(big_folder, tmp_path, sig, code, jobs):
    out = tmp_path / "out"
    assert main(["extract", str(SAMPLES), "-o", str(out), "-q"]) == 0
    before = _snapshot(out)
    r = _start_and_stop(big_folder, out, sig, "--jobs", jobs)
    assert r.returncode == code, r.stderr
    assert "no table was left half-written" in r.stderr
    assert "Traceback" not in r.stderr
    assert sorted(p.name for p in out.iterdir() if p.name != ".reportmine") == FINAL  # no .partial left either
    assert _snapshot(out) == before
