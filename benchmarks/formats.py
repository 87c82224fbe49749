"""Speed of reading documents of other formats, end to end: PDF pages/s, .docx docs/s.

usage: python benchmarks/formats.py [--copies N] [--real DIR] [--repeat R]

Builds PDFs and .docx files from the project's samples the way report files look (A4,
a running header, a page number footer, first-line indents, lines wrapped mid-word;
a Word body of paragraphs and one table), then times, in one process and one core:

- the reader alone (the bytes to the document's text: layout, paragraphs, grids);
- the whole job, as `reportmine extract --jobs 1` does it: read (in the bounded child
  process), clean, segment, extract, attribute, check, and the table rows rendered.

Each setting runs --repeat times, the fastest kept (the machines are shared and
drift). `--real DIR` adds the published files of a folder (e.g. ../shared/formats).
The PDFs need reportlab (`pip install ".[bench]"`); timings are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

sys.path.insert(0, str(ROOT))
from reportmine.pipeline import Pipeline  # noqa: E402
from reportmine.readers import read_bytes_as_document  # noqa: E402
from reportmine.reading import Source  # noqa: E402
from reportmine.tables import render  # noqa: E402
from tests.documents import make_docx, make_pdf  # noqa: E402


def _samples() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8"))
            for p in sorted((ROOT / "samples").glob("*.txt"))]


def _best(repeat: int, job) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        job()
        best = min(best, time.perf_counter() - started)
    return best


def bench(name: str, files: list[Path], repeat: int, unit: str) -> None:
    pipe = Pipeline()
    datas = [f.read_bytes() for f in files]
    reads = [read_bytes_as_document(d) for d in datas]  # also warms the caches
    pages = sum(max(1, r.page_count) for r in reads)
    chars = sum(len(r.text) for r in reads)

    def read_only() -> None:
        for d in datas:
            read_bytes_as_document(d)

    def whole() -> None:
        for f in files:
            render(pipe.parse_source(Source(f, f.name)))

    t_read = _best(repeat, read_only)
    t_all = _best(repeat, whole)
    n = pages if unit == "pages" else len(files)
    print(f"{name:<28} {len(files):>5} {pages:>6} {chars:>10,} "
          f"{n / t_read:>12,.1f} {n / t_all:>12,.1f}  {unit}/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=4, help="copies of each sample (default 4)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--real", metavar="DIR", help="also time the PDF and .docx files of DIR")
    args = ap.parse_args()
    print(f"{'files':<28} {'docs':>5} {'pages':>6} {'chars':>10} {'reader only':>12} "
          f"{'end to end':>12}  (one core)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        pdfs, docxs = [], []
        for k in range(args.copies):
            for stem, text in _samples():
                text = text if k == 0 else text.replace("2", str(k % 10))  # not repeated
                pdf = out / f"{stem}_{k}.pdf"
                pdf.write_bytes(make_pdf(stem, text))
                pdfs.append(pdf)
                docx = out / f"{stem}_{k}.docx"
                docx.write_bytes(make_docx(text))
                docxs.append(docx)
        bench("PDF made from samples/", pdfs, args.repeat, "pages")
        bench(".docx made from samples/", docxs, args.repeat, "docs")
    if args.real:
        real = Path(args.real)
        for pattern, unit in (("*.pdf", "pages"), ("*.docx", "docs")):
            files = sorted(real.glob(pattern))
            if files:
                bench(f"{real.name}/{pattern}", files, args.repeat, unit)


if __name__ == "__main__":
    main()
