"""Documents/s of `reportmine.dask.extract_dask` on 1, 2 and 4 local workers, next to
`reportmine extract --jobs N`, and what the Dask scheduler costs per task.

usage: python benchmarks/dask_scale.py [--docs N] [--workers 1,2,4] [--partition K]
                                      [--repeat R]

The corpus is built from samples/ as benchmarks/throughput.py builds it (N varied
copies). Per worker count a LocalCluster (processes, one thread each) is started, then
the job runs on it once "cold" (each worker's first load of the rules and the jieba
dictionary included), then --repeat times "warm", the fastest shown (the machines are
shared). The CLI runs are timed end to end in a fresh process (start-up included), as
throughput.py does, the fastest of --repeat. The scheduler's overhead is the
time per trivial task of 2,000 submitted at once, divided by the documents a task
holds. Timings are printed, never asserted: the machines are shared.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import build_corpus, run_extract  # noqa: E402


def _noop(x: int) -> int:
    return x


def scheduler_overhead(client: object, tasks: int = 2000) -> float:
    """Seconds per trivial task, submitted and gathered in one batch."""
    client.gather(client.map(_noop, range(50), pure=False))  # connections warm
    t0 = time.perf_counter()
    client.gather(client.map(_noop, range(tasks), pure=False))
    return (time.perf_counter() - t0) / tasks


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--partition", type=int, default=None,
                    help="documents per task (default: extract_dask's choice)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="rm-dask-") as tmp:
        run(Path(tmp), args)


def run(tmp: Path, args: argparse.Namespace) -> None:
    from distributed import Client, LocalCluster

    from reportmine.dask import _partition_size, extract_dask

    corpus = tmp / "corpus"
    chars = build_corpus(corpus, args.docs)
    n = args.docs
    print(f"corpus: {n} documents, {chars:,} characters; {os.cpu_count()} cores\n")
    print(f"{'run':34} {'docs/s':>9} {'wall s':>8}")
    for w in (int(x) for x in args.workers.split(",")):
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            size = _partition_size(n, w, args.partition)
            walls = []
            for k in range(1 + args.repeat):
                out = str(tmp / f"out-{w}-{k}")
                t0 = time.perf_counter()
                extract_dask([str(corpus)], out, scheduler=cluster.scheduler_address,
                             partition_size=args.partition)
                walls.append(time.perf_counter() - t0)
            for label, wall in (("cold", walls[0]), ("warm", min(walls[1:]))):
                print(f"{f'dask, {w} worker(s), {label}':34} {n / wall:9.1f} {wall:8.2f}")
            per_task = scheduler_overhead(client)
            print(f"{'  scheduler overhead':34} {per_task * 1e3:8.2f} ms/task = "
                  f"{per_task / size * 1e3:.3f} ms/document ({size} documents a task)")
        wall = min(run_extract(corpus, w)[0] for _ in range(args.repeat))
        print(f"{f'reportmine extract --jobs {w}':34} {n / wall:9.1f} {wall:8.2f}")


if __name__ == "__main__":
    main()
