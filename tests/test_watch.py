"""extract --watch: the process stays, and runs again when the inputs change; the
tables are then a fresh run's."""

from __future__ import annotations

import filecmp
import os
import re
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


def _wait(predicate, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the watching run did not get there in time"
        time.sleep(0.1)


@pytest.mark.skipif(os.name == "nt", reason="sends SIGINT")
def test_watch_runs_again_when_inputs_change(tmp_path: Path) -> None:
    src, out, fresh = tmp_path / "in", tmp_path / "out", tmp_path / "fresh"
    src.mkdir()
    for p in sorted(SAMPLES.glob("*.txt"))[:3]:
        shutil.copy(p, src / p.name)
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportmine", "extract", str(src), "-o", str(out), "--watch",
         "0.2", "--jobs", "1"], stderr=subprocess.PIPE, text=True)
    try:
        _wait(lambda: (out / "metrics.csv").exists())
        first = (out / "metrics.csv").stat().st_mtime_ns
        changed = sorted(src.glob("*.txt"))[0]
        changed.write_text(changed.read_text(encoding="utf-8") + "\n新增学位210个。\n",
                           encoding="utf-8")
        (src / "new.txt").write_text("2024年投入资金172.5万元。\n", encoding="utf-8")
        _wait(lambda: (out / "metrics.csv").stat().st_mtime_ns != first
              and "new.txt" in (out / "metrics.csv").read_text(encoding="utf-8-sig"))
        time.sleep(1)  # a run that saw only one of the two changes is followed by another
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    # The first run processed 3; the later ones (one, or two if the writes fell on both
    # sides of a look) the changed and the new document, and nothing else.
    processed = [int(n) for n in re.findall(r"^(\d+) processed", err, re.M)]
    assert processed[0] == 3 and sum(processed[1:]) == 2, err
    assert "inputs changed" in err
    assert main(["extract", str(src), "-o", str(fresh), "-q", "--jobs", "1"]) == 0
    for name in TABLES:
        assert filecmp.cmp(out / f"{name}.csv", fresh / f"{name}.csv", shallow=False), name


def test_watch_wants_seconds_above_zero_and_the_local_engine(tmp_path: Path, capsys) -> None:
    for bad in ("0", "-1", "soon", "nan", "inf"):
        with pytest.raises(SystemExit) as exc:
            main(["extract", str(tmp_path), "-o", str(tmp_path / "o"), "--watch", bad])
        assert exc.value.code == 2
    assert main(["extract", str(tmp_path), "-o", str(tmp_path / "o"), "--watch", "1",
                 "--engine", "dask"]) == 2
    assert "--watch runs the local engine" in capsys.readouterr().err


@pytest.mark.skipif(os.name == "nt", reason="sends SIGINT")
def test_watch_runs_everything_again_when_an_overlay_rule_file_changes(tmp_path: Path) -> None:
    src, out, overlay = tmp_path / "in", tmp_path / "out", tmp_path / "rules"
    src.mkdir()
    overlay.mkdir()
    shutil.copy(sorted(SAMPLES.glob("*.txt"))[0], src / "a.txt")
    (overlay / "userdict.txt").write_text("甲乙丙丁 20000 n\n", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportmine", "extract", str(src), "-o", str(out), "--watch",
         "0.2", "--jobs", "1", "--patterns", str(overlay)], stderr=subprocess.PIPE, text=True)
    try:
        _wait(lambda: (out / "metrics.csv").exists())
        first = (out / "metrics.csv").stat().st_mtime_ns
        (overlay / "userdict.txt").write_text("戊己庚辛 20000 n\n", encoding="utf-8")
        _wait(lambda: (out / "metrics.csv").stat().st_mtime_ns != first)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "1 processed (rules changed)" in err
