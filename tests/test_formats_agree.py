"""One report, three formats: the .txt, a .docx and a PDF of it give the same figures.

The PDF is printed the way report files are (a running header, "— N —" footers,
first-line indents, lines wrapped mid-word, sentences cut by page breaks); the .docx of
sample 000 is the one LibreOffice made from it (tests/data/docx/report.docx), the
others are written as a paragraph per line. The figures must agree in value, kind,
unit and indicator, and in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import reportmine
from tests.conftest import SAMPLES
from tests.documents import make_docx, make_pdf

pytest.importorskip("reportlab")
DOCX_BY_LIBREOFFICE = Path(__file__).parent / "data" / "docx" / "report.docx"
SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))


def _figures(doc: reportmine.Document) -> list[tuple[str, str, str, str]]:
    assert doc.ok, doc.error
    for m in doc.metrics:  # the contract: every figure is a slice of the document's text
        assert doc.text[m.start:m.end] == m.text
    return [(str(m.value), m.kind.value, m.unit, m.indicator) for m in doc.metrics]


@pytest.fixture(scope="module", params=SAMPLE_FILES, ids=lambda p: p.stem)
def made(request, tmp_path_factory) -> tuple[Path, Path, Path]:
    txt: Path = request.param
    text = txt.read_text(encoding="utf-8")
    out = tmp_path_factory.mktemp(txt.stem)
    pdf = out / f"{txt.stem}.pdf"
    pdf.write_bytes(make_pdf(txt.stem, text))
    docx = out / f"{txt.stem}.docx"
    if txt.name == "000_8962da1a5d06fb49.txt":
        docx.write_bytes(DOCX_BY_LIBREOFFICE.read_bytes())
    else:
        docx.write_bytes(make_docx(text, table=False))
    return txt, docx, pdf


def test_docx_gives_the_figures_of_the_text(made):
    txt, docx, _ = made
    assert _figures(reportmine.parse_file(docx)) == _figures(reportmine.parse_file(txt))


def test_pdf_gives_the_figures_of_the_text(made):
    txt, _, pdf = made
    doc = reportmine.parse_file(pdf)
    assert doc.format == "pdf" and doc.pages >= 2
    assert _figures(doc) == _figures(reportmine.parse_file(txt))
    # Every figure has its page, in page order, and the furniture was taken out.
    pages = [m.page for m in doc.metrics]
    assert all(p is not None for p in pages) and pages == sorted(pages)
    furniture = [r for r in doc.removals if r.reason == "page_furniture"]
    assert sum(r.rule == "page-number" for r in furniture) == doc.pages
    assert sum(r.rule == "running-header" for r in furniture) >= doc.pages - 1
