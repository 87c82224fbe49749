"""Incremental `reportmine extract`: a full run against a re-run where a few files changed.

usage: python benchmarks/incremental.py [--docs 1000] [--changed 10] [--jobs 0] [--repeat 3]
                                       [--dask]

Builds a corpus from samples/ as benchmarks/throughput.py does (varied, nothing
repeats), times a full run (`--full`, a fresh process, start-up included), changes
--changed documents (their digits), times the incremental run, and checks its tables
against a fresh run's, byte for byte. Each timing is the fastest of --repeat runs (the
machines are shared). Then the write time of each output format over the samples'
rows. Timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("throughput", ROOT / "benchmarks/throughput.py")
throughput = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(throughput)  # type: ignore[union-attr]


# Each run is a new process, as an analyst's is: the package byte-compiled as pip installs
# it (PYTHONDONTWRITEBYTECODE, set on some machines, would compile it anew every run), and
# reportmine's start-up cache (rules, tokenizer table; see reportmine.diskcache) in a
# folder of this benchmark's own, filled by the first run.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def extract(corpus: Path, out: Path, jobs: int, *extra: str) -> float:
    cmd = [sys.executable, "-m", "reportmine", "extract", str(corpus), "-o", str(out),
           "--jobs", str(jobs), "-q", *extra]
    t0 = time.perf_counter()
    rc = subprocess.run(cmd, env=ENV).returncode
    if rc not in (0, 1):
        raise SystemExit(f"reportmine extract failed with exit code {rc}")
    return time.perf_counter() - t0


def change(corpus: Path, n: int, seed: int) -> list[Path]:
    """Change the digits of n documents spread over the corpus; returns them."""
    rng = random.Random(seed)
    files = sorted(corpus.glob("*.txt"))
    chosen = rng.sample(files, n)
    for p in chosen:
        text = p.read_text(encoding="utf-8")
        p.write_text("".join(str(rng.randrange(10)) if c.isdigit() and rng.random() < 0.5
                             else c for c in text), encoding="utf-8")
    return chosen


def format_times(repeat: int) -> list[str]:
    import reportmine
    from reportmine.tables import write_tables

    docs = list(reportmine.parse_paths([ROOT / "samples"]))
    rows = sum(len(d.metrics) for d in docs)
    lines = [f"write time per format over the samples ({len(docs)} documents, {rows} metrics;"
             " fastest of runs, pyarrow and openpyxl imported before):"]
    import openpyxl  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    for fmt in ("csv", "parquet", "xlsx", "jsonl"):
        best = float("inf")
        for _ in range(repeat + 1):  # the first run warms up
            out = Path(tempfile.mkdtemp(prefix="rm-fmt-"))
            t0 = time.perf_counter()
            write_tables(docs, out, formats=[fmt])
            best = min(best, time.perf_counter() - t0)
            shutil.rmtree(out)
        lines.append(f"  {fmt:8} {best * 1000:8.1f} ms")
    return lines


def warm_times(corpus: Path, tmp: Path, jobs: int, changed: int, repeat: int) -> list[str]:
    """The same runs in one process that stays, as `extract --watch` runs them after its
    first: the pipeline is loaded once (the full run pays for it)."""
    from reportmine.cli import main as cli

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["REPORTMINE_CACHE_DIR"] = ENV["REPORTMINE_CACHE_DIR"]
    out, fresh = tmp / "warm-out", tmp / "warm-fresh"

    def timed(dest: Path, *extra: str) -> float:
        t0 = time.perf_counter()
        rc = cli(["extract", str(corpus), "-o", str(dest), "--jobs", str(jobs), "-q", *extra])
        if rc not in (0, 1):
            raise SystemExit(f"reportmine extract failed with exit code {rc}")
        return time.perf_counter() - t0

    fulls = [timed(out, "--full") for _ in range(repeat)]
    unchanged = min(timed(out) for _ in range(repeat))
    incr = float("inf")
    for k in range(repeat):
        change(corpus, changed, seed=200 + k)
        incr = min(incr, timed(out))
    timed(fresh, "--full")
    same = all(filecmp.cmp(out / f, fresh / f, shallow=False)
               for f in sorted(p.name for p in fresh.glob("*.csv")))
    full = min(fulls)
    return ["in one process that stays between runs (as extract --watch runs them):",
            f"  full run (--full)              {full:7.2f} s  (the first, loading the "
            f"pipeline: {fulls[0]:.2f} s)",
            f"  nothing changed                {unchanged:7.2f} s  ({full / unchanged:5.1f}x "
            "faster)",
            f"  {changed:4d} documents changed         {incr:7.2f} s  ({full / incr:5.1f}x "
            f"faster, {incr / full:.3f} of the full run)",
            f"  tables equal a fresh run's:    {'yes, byte for byte' if same else 'NO'}"]


def dask_times(corpus: Path, tmp: Path, jobs: int, changed: int, repeat: int) -> list[str]:
    """The same on a Dask cluster that stays up between runs (as one reached with
    --scheduler does): full run, nothing changed, `changed` documents changed; the
    dataset compared with a fresh run's (rows sorted, column types)."""
    import logging

    import pyarrow.parquet as pq
    from distributed import LocalCluster

    from reportmine.dask import extract_dask
    from reportmine.tables import TABLES

    logging.getLogger("distributed").setLevel(logging.ERROR)
    workers = jobs or os.cpu_count() or 1
    out, fresh = tmp / "dask-out", tmp / "dask-fresh"

    def timed(dest: Path, **kw: object) -> tuple[float, object]:
        t0 = time.perf_counter()
        r = extract_dask([str(corpus)], str(dest), scheduler=cluster.scheduler_address, **kw)
        return time.perf_counter() - t0, r

    def dataset(dest: Path) -> dict[str, tuple[list, set]]:
        got = {}
        for name in TABLES:
            parts = sorted((dest / name).glob("part-*.parquet"))
            tables = [pq.read_table(p) for p in parts]
            got[name] = (sorted(tuple(map(str, r.values())) for t in tables
                                for r in t.to_pylist()),
                         {tuple(str(f.type) for f in t.schema) for t in tables})
        return got

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster:
        fulls = [timed(out, full=True)[0] for _ in range(repeat)]
        unchanged = min(timed(out)[0] for _ in range(repeat))
        incr, processed = float("inf"), 0
        for k in range(repeat):
            change(corpus, changed, seed=100 + k)
            t, r = timed(out)
            if t < incr:
                incr, processed = t, r.processed  # type: ignore[attr-defined]
        timed(fresh, full=True)
        same = dataset(out) == dataset(fresh)
    full = min(fulls)
    return [f"on a Dask LocalCluster of {workers} worker(s) that stays up between runs:",
            f"  full run (full=True)           {full:7.2f} s  (the first, workers cold: "
            f"{fulls[0]:.2f} s)",
            f"  nothing changed                {unchanged:7.2f} s  ({full / unchanged:5.1f}x "
            "faster)",
            f"  {changed:4d} documents changed         {incr:7.2f} s  ({full / incr:5.1f}x "
            f"faster, {incr / full:.3f} of the full run; {processed} parsed)",
            f"  dataset equals a fresh run's:  {'yes (rows and column types)' if same else 'NO'}"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--changed", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=0, help="0: one worker per core")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dask", action="store_true",
                    help="also time incremental runs on a Dask LocalCluster (reportmine[dask])")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="rm-incr-"))
    corpus, out = tmp / "corpus", tmp / "out"
    ENV["REPORTMINE_CACHE_DIR"] = str(tmp / "start-up-cache")
    chars = throughput.build_corpus(corpus, args.docs)
    print(f"corpus: {args.docs} documents, {chars:,} characters; {args.changed} change "
          f"between runs; --jobs {args.jobs}")
    fulls = [extract(corpus, out, args.jobs, "--full") for _ in range(args.repeat)]
    full = min(fulls)
    unchanged = min(extract(corpus, out, args.jobs) for _ in range(args.repeat))
    incr = alone = float("inf")
    for k in range(args.repeat):  # each time, other documents changed since the last run
        changed = change(corpus, args.changed, seed=k)
        incr = min(incr, extract(corpus, out, args.jobs))
        # The floor: a fresh run over the changed documents alone (start-up included).
        only = tmp / f"only{k}"
        only.mkdir()
        for p in changed:
            shutil.copy(p, only / p.name)
        alone = min(alone, extract(only, tmp / f"only{k}-out", args.jobs))
    fresh = tmp / "fresh"
    extract(corpus, fresh, args.jobs)
    same = all(filecmp.cmp(out / f, fresh / f, shallow=False)
               for f in sorted(p.name for p in fresh.glob("*.csv")))
    print(f"  full run (--full)              {full:7.2f} s  (the first, start-up cache empty: "
          f"{fulls[0]:.2f} s)")
    print(f"  nothing changed                {unchanged:7.2f} s  ({full / unchanged:5.1f}x faster)")
    print(f"  {args.changed:4d} documents changed         {incr:7.2f} s  "
          f"({full / incr:5.1f}x faster, {incr / full:.3f} of the full run)")
    print(f"  fresh run over the {args.changed} changed documents alone "
          f"{alone:5.2f} s  (start-up and those documents: the floor, "
          f"{alone / full:.3f} of the full run)")
    print(f"  the incremental run above the floor {incr - alone:+6.2f} s  (listing, hashing, "
          f"copying the cached rows of {args.docs - args.changed} documents)")
    print(f"  tables equal a fresh run's:    {'yes, byte for byte' if same else 'NO'}")
    print()
    for line in warm_times(corpus, tmp, args.jobs, args.changed, args.repeat):
        print(line)
    print()
    if args.dask:
        for line in dask_times(corpus, tmp, args.jobs, args.changed, args.repeat):
            print(line)
        print()
    for line in format_times(args.repeat):
        print(line)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
