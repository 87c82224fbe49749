"""The readers' front door: formats told by their bytes, web page encodings, and the
child process that keeps a crashing or exploding reader from taking a worker down."""

from __future__ import annotations

import io
import os
import signal
import time
import zipfile

import pytest

from reportmine.readers import detect_format, read_bytes_as_document, read_document
from reportmine.readers.base import TextBuilder
from reportmine.readers.html import declared_charset, decode_html, looks_like_html
from reportmine.readers.isolate import run_isolated
from reportmine.reading import ReadError


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("data, fmt", [
    (b"%PDF-1.7\n...", "pdf"),
    (b"\r\n\r\n%PDF-1.4\n", "pdf"),   # bytes before the header are allowed
    ("新增学位210个。".encode(), "text"),
    (b"<html><body>x</body></html>", "text"),  # decoding tells a web page apart
])
def test_format_by_bytes(data, fmt):
    assert detect_format(data) == fmt


def test_office_zips_by_their_members():
    assert detect_format(_zip({"word/document.xml": b"<x/>", "[Content_Types].xml": b""})) \
        == "docx"
    assert detect_format(_zip({"xl/workbook.xml": b"<x/>", "[Content_Types].xml": b""})) \
        == "xlsx"


@pytest.mark.parametrize("data, reason, words", [
    (b"{\\rtf1\\ansi hello}", "unsupported", "RTF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "unsupported", "PNG"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "unsupported", "JPEG"),
    (b"PK\x03\x04 truncated", "corrupt", "damaged ZIP"),
])
def test_recognised_but_not_read(data, reason, words):
    with pytest.raises(ReadError) as exc:
        detect_format(data)
    assert exc.value.reason == reason and words in str(exc.value)


def test_other_zips_say_what_they_are():
    with pytest.raises(ReadError) as exc:
        detect_format(_zip({"a.txt": b"x"}))
    assert exc.value.reason == "unsupported" and "unpack" in str(exc.value)
    with pytest.raises(ReadError) as exc:
        detect_format(_zip({"mimetype": b"application/vnd.oasis.opendocument.text",
                            "content.xml": b"<x/>"}))
    assert exc.value.reason == "unsupported" and ".odt" in str(exc.value)
    with pytest.raises(ReadError) as exc:
        detect_format(_zip({"ppt/presentation.xml": b"<x/>"}))
    assert exc.value.reason == "unsupported" and "PowerPoint" in str(exc.value)


def test_a_markdown_file_is_told_from_text(tmp_path):
    md = tmp_path / "a.txt"
    md.write_text("---\ntitle: 报告\n---\n新增学位210个。\n", encoding="utf-8")
    assert read_document(md).format == "markdown"
    txt = tmp_path / "b.md"
    txt.write_text("新增学位210个。\n", encoding="utf-8")
    assert read_document(txt).format == "text"


# -- web pages ------------------------------------------------------------------------
PAGE = "<html><head><meta charset=\"{cs}\"><title>公报</title></head><body>" \
       "<p>全年地区生产总值增长5.2%。</p></body></html>"


def test_html_charset_from_meta():
    data = PAGE.format(cs="gb2312").encode("gb18030")
    text, enc = decode_html(data)
    assert enc == "gb18030" and "地区生产总值增长5.2%" in text


def test_html_charset_from_http_equiv_and_big5():
    page = ("<!DOCTYPE html><html><head><meta http-equiv=\"Content-Type\" "
            "content=\"text/html; charset=big5\"></head><body>財政儲備預計為9357億元</body></html>")
    text, enc = decode_html(page.encode("big5"))
    assert enc == "big5hkscs" and "財政儲備預計為9357億元" in text


def test_html_meta_is_not_trusted_over_utf8_bytes():
    # A GBK page re-saved as UTF-8 by a scraper: the bytes are UTF-8, the <meta> is old.
    data = PAGE.format(cs="gbk").encode("utf-8")
    text, enc = decode_html(data)
    assert enc == "utf-8" and "地区生产总值增长5.2%" in text


def test_html_with_a_wrong_declaration_is_detected():
    data = PAGE.format(cs="x-no-such-charset").encode("gb18030")
    assert declared_charset(data) is None
    text, _ = decode_html(data)
    assert "地区生产总值增长5.2%" in text


def test_html_is_recognised_by_its_start():
    assert looks_like_html(b"\xef\xbb\xbf  <!DOCTYPE HTML PUBLIC>")
    assert looks_like_html(b"<?xml version='1.0'?>\n<html xmlns='x'>")
    assert not looks_like_html("一、总体情况\n新增学位210个。".encode())
    assert not looks_like_html(b"x < y and <b>bold</b>")


def test_html_file_records_its_format_and_encoding(tmp_path):
    f = tmp_path / "page.txt"  # the name does not matter
    f.write_bytes(PAGE.format(cs="gbk").encode("gb18030"))
    read = read_document(f)
    assert (read.format, read.encoding) == ("html", "gb18030")


# -- the isolated child ---------------------------------------------------------------
def _segfault(data: bytes, size: int) -> str:
    os.kill(os.getpid(), signal.SIGSEGV)
    return "unreachable"


def _spin(data: bytes, size: int) -> str:
    while True:
        time.sleep(0.01)


def _balloon(data: bytes, size: int) -> int:
    hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB
    return len(hoard)


def _refuse(data: bytes, size: int) -> str:
    raise ReadError("encrypted", "is locked")


def _broken(data: bytes, size: int) -> str:
    raise KeyError("xref")


def _echo(data: bytes, size: int) -> tuple[int, str]:
    return size, data.decode()


posix_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


@posix_only
def test_a_crashing_reader_is_an_error_not_a_dead_process():
    with pytest.raises(ReadError) as exc:
        run_isolated(_segfault, b"x", "pdf")
    assert exc.value.reason == "corrupt" and "SIGSEGV" in str(exc.value)
    assert run_isolated(_echo, "还活着".encode(), "pdf") == (9, "还活着")  # we are still here


@posix_only
def test_a_reader_past_its_deadline_is_stopped():
    started = time.monotonic()
    with pytest.raises(ReadError) as exc:
        run_isolated(_spin, b"x", "pdf", timeout=0.5)
    assert exc.value.reason == "too_large" and "0.5 s" in str(exc.value)
    assert time.monotonic() - started < 5


@posix_only
def test_a_reader_past_its_memory_is_stopped():
    with pytest.raises(ReadError) as exc:
        run_isolated(_balloon, b"x", "xlsx", memory=256 * 1024 * 1024)
    assert exc.value.reason in ("too_large", "corrupt")
    assert "256 MiB" in str(exc.value) or "crashed" in str(exc.value)


@posix_only
def test_reader_errors_cross_the_process_boundary():
    with pytest.raises(ReadError) as exc:
        run_isolated(_refuse, b"x", "pdf")
    assert (exc.value.reason, str(exc.value)) == ("encrypted", "is locked")
    with pytest.raises(ReadError) as exc:
        run_isolated(_broken, b"x", "pdf")
    assert exc.value.reason == "corrupt" and "KeyError" in str(exc.value)


def test_text_is_read_without_a_child():
    read = read_bytes_as_document("新增学位210个。".encode("gb18030"))
    assert (read.format, read.text, read.size) == ("text", "新增学位210个。", 15)


# -- the text builder every reader writes with -----------------------------------------
def test_builder_keeps_pages_and_cells_where_the_text_is():
    b = TextBuilder()
    b.page_break()
    b.paragraph("一、总体情况")
    b.table([["指标", "数值（万元）"], ["投入\t资金", "172.5"], ["", ""]], "pdf")
    b.page_break()
    b.paragraph("续表")
    r = b.result("pdf", 0)
    assert r.text == "一、总体情况\n\n指标\t数值（万元）\n投入 资金\t172.5\n\n\f\n续表\n"
    assert r.pages == (0, r.text.index("续表"))
    grid = r.grids[0]
    assert (grid.rows, grid.cols) == (2, 2)
    assert [r.text[c.start:c.end] for c in grid.cells] == ["指标", "数值（万元）", "投入 资金", "172.5"]
    assert [(c.row, c.col) for c in grid.cells] == [(0, 0), (0, 1), (1, 0), (1, 1)]


# -- whole batches ----------------------------------------------------------------
@posix_only
def test_a_reader_crash_in_a_batch_is_one_error_row(tmp_path, monkeypatch):
    import reportmine
    import reportmine.readers as readers

    monkeypatch.setattr(readers, "_binary_reader", lambda fmt: _segfault)
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7\n% a file that crashes its reader")
    (tmp_path / "b.txt").write_text("新增学位210个。", encoding="utf-8")
    docs = list(reportmine.parse_paths([tmp_path]))
    assert [(d.doc, d.ok) for d in docs] == [("a.pdf", False), ("b.txt", True)]
    assert docs[0].error.reason == "corrupt" and "a.pdf" in docs[0].error.message
    assert [m.text for m in docs[1].metrics] == ["210个"]


def _blank_pdf(pages: int) -> bytes:
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def test_a_thousands_of_pages_pdf_is_bounded(tmp_path):
    data = _blank_pdf(2000)
    big = tmp_path / "big.pdf"
    big.write_bytes(data)
    with pytest.raises(ReadError) as exc:  # over --max-bytes: never opened
        read_document(big, max_bytes=len(data) - 1)
    assert exc.value.reason == "too_large"
    started = time.monotonic()
    with pytest.raises(ReadError) as exc:  # under it: read, and found to hold no text
        read_document(big)
    assert exc.value.reason == "no_text" and "2000" in str(exc.value)
    assert time.monotonic() - started < 60
