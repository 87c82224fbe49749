"""The Word 97-2003 (.doc) and WPS (.wps) reader: text, numbering, tables, notes,
fields, hidden text, and damaged or refused files.

Test files are written by LibreOffice through tools/make_test_doc.py."""

from __future__ import annotations

import random
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

import reportmine
from reportmine.readers import read_document
from reportmine.readers.base import Grid, ReadResult
from reportmine.readers.doc import _pieces, read_doc
from reportmine.reading import ReadError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "doc"
SAMPLE = ROOT / "samples" / "000_8962da1a5d06fb49.txt"


def read(name: str) -> ReadResult:
    data = (DATA / name).read_bytes()
    return read_doc(data, len(data))


def reason(data: bytes) -> str:
    with pytest.raises(ReadError) as info:
        read_doc(data, len(data))
    return info.value.reason


def cells(grid: Grid, text: str) -> dict[tuple[int, int], tuple[str, int, int]]:
    """(row, col) → (cell text from the offsets, rowspan, colspan)."""
    return {(c.row, c.col): (text[c.start:c.end], c.rowspan, c.colspan) for c in grid.cells}


# --- the sample report ---------------------------------------------------------------

def test_sample_paragraphs_are_the_sample_lines() -> None:
    result = read("sample.doc")
    sample = SAMPLE.read_text(encoding="utf-8")
    assert result.text.splitlines() == [x.strip() for x in sample.splitlines() if x.strip()]
    assert (result.format, result.grids, result.size) == ("doc", (), 18944)


def test_pipeline_finds_the_same_metrics_as_in_the_text() -> None:
    def key(doc: reportmine.Document) -> list[tuple[str, object, str]]:
        return [(m.text, m.value, m.unit) for m in doc.metrics]

    from_txt = reportmine.parse_file(SAMPLE)
    from_doc = reportmine.parse_file(DATA / "sample.doc")
    assert len(key(from_txt)) > 50 and key(from_doc) == key(from_txt)
    assert from_doc.format == "doc"


# --- a report with numbering, fields, notes and a table -----------------------------------

GONGBAO = (
    "2023年示例州国民经济和社会发展统计公报\n"
    "一、综合\n"                            # list numbering, level 1: 一、
    "（一）经济总量\n"                      # level 2: （一）
    "全年生产总值1329.65亿元¹，增长4.0%。\n"
    "¹ 按可比价格计算。\n"                  # the note after its paragraph
    "第1页\n"                              # PAGE field: result kept, instruction dropped
    "发布日期：2024年3月1日\n"              # a fixed DATE field
    "全州上下深入贯彻\n"                    # a line break between Han characters
    "GDP grew fast\n"                      # and between Latin words
    "指标 数值\n"                          # a tab
    "投资120亿元\n"                         # a tracked deletion ("100") left out
    "可见文本\n"                            # hidden text (by character style) left out
    "cooperation 2023-2024 cooperation\n"  # non-breaking hyphen, soft hyphen
    "二、农业\n"                            # the list continues
    "表1 2023年主要指标\n"
    "\n"
    "指标\t2023年\t\t备注\n"
    "\t绝对数\t增长（%）\n"
    "地区生产总值\t1329.65\t4.0\n"
    "第一产业\t277.25\t-1.0\t含林业\n"
    "城镇乡村\t4899310\t100.0\n"            # two paragraphs in one cell
    "投资额²\t120\t8.2\n"
    "\n"
    "² 表中数据为快报数。\n"                # a note referenced in a cell: after the table
    "资料来源：州统计局。\n"
)


def test_gongbao_text() -> None:
    result = read("gongbao.doc")
    assert result.text == GONGBAO
    assert (result.format, result.title) == ("doc", "2023年示例州统计公报")
    assert "PAGE" not in result.text and "DATE" not in result.text


def test_table_grid_and_offsets() -> None:
    result = read("gongbao.doc")
    (grid,) = result.grids
    assert (grid.rows, grid.cols, grid.source) == (6, 4, "doc")
    assert result.text[grid.start:grid.end].startswith("指标\t2023年")
    assert result.text[grid.start:grid.end].endswith("投资额²\t120\t8.2")
    assert cells(grid, result.text) == {
        (0, 0): ("指标", 2, 1), (0, 1): ("2023年", 1, 2), (0, 3): ("备注", 2, 1),
        (1, 1): ("绝对数", 1, 1), (1, 2): ("增长（%）", 1, 1),
        (2, 0): ("地区生产总值", 1, 1), (2, 1): ("1329.65", 1, 1), (2, 2): ("4.0", 1, 1),
        (3, 0): ("第一产业", 1, 1), (3, 1): ("277.25", 1, 1), (3, 2): ("-1.0", 1, 1),
        (3, 3): ("含林业", 1, 1),
        (4, 0): ("城镇乡村", 1, 1), (4, 1): ("4899310", 1, 1), (4, 2): ("100.0", 1, 1),
        (5, 0): ("投资额²", 1, 1), (5, 1): ("120", 1, 1), (5, 2): ("8.2", 1, 1)}
    rows = result.text[grid.start:grid.end].split("\n")
    for cell in grid.cells:  # each cell's offsets point at its place in its row's line
        assert rows[cell.row].split("\t")[cell.col] == result.text[cell.start:cell.end]


def test_wps_reads_as_doc() -> None:
    # LibreOffice writes "wps" with its Word 97 filter: the same binary format.
    assert (DATA / "gongbao.wps").read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    result = read_document(DATA / "gongbao.wps", isolate=False)
    assert (result.format, result.text) == ("doc", GONGBAO)


def test_read_through_the_dispatcher_in_a_child() -> None:
    result = read_document(DATA / "gongbao.doc")
    assert result.text == GONGBAO and len(result.grids) == 1


# --- nested tables ------------------------------------------------------------------------

def test_frame_table_is_unwrapped_and_nested_table_flattened() -> None:
    result = read("nested.doc")
    assert "资料来源：州统计局。\n表2 框内的表\n\n项目\t金额（万元）\n校舍\t3500\n\n表后段落\n" \
        in result.text
    frame, nested = result.grids[1], result.grids[2]
    assert cells(frame, result.text)[(1, 1)] == ("3500", 1, 1)
    assert cells(nested, result.text) == {(0, 0): ("外层", 1, 1),
                                          (0, 1): ("内A 11 内B 22", 1, 1)}


def test_vertical_merges_from_libreoffice_cell_flags() -> None:
    # table.docx has no column widths: LibreOffice's .doc loses the column span of
    # "2023年" but keeps the vertical merges, which are read.
    result = read("nested.doc")
    got = cells(result.grids[0], result.text)
    assert got[(0, 0)] == ("指标", 2, 1) and got[(3, 0)] == ("第一产业", 2, 1)
    assert got[(5, 0)] == ("城镇乡村", 1, 1) and got[(5, 1)] == ("4899310 1654272", 1, 1)


# --- refused and damaged files --------------------------------------------------------------

def fib_offset(data: bytes) -> int:
    """Where the WordDocument stream (the FIB) starts in the file."""
    import olefile

    with olefile.OleFileIO(data) as ole:
        start = ole.direntries[ole._find("WordDocument")].isectStart
    offset = (start + 1) * ole.sectorsize
    assert data[offset:offset + 2] == b"\xec\xa5"
    return offset


def test_text_file_is_corrupt() -> None:
    assert reason(SAMPLE.read_bytes()) == "corrupt"


def test_ole_file_without_word_document_is_corrupt() -> None:
    xls = next((ROOT / "tests" / "data" / "sheets").glob("*.xls"), None)
    if xls is None:
        pytest.skip("no .xls test file")
    assert reason(xls.read_bytes()) == "corrupt"


@pytest.mark.parametrize("keep", [100, 4096, 9000, 14000])
def test_truncated_doc_is_corrupt(keep: int) -> None:
    data = (DATA / "gongbao.doc").read_bytes()
    assert reason(data[:keep]) == "corrupt"


def test_encrypted_flag_in_the_fib() -> None:
    data = bytearray((DATA / "gongbao.doc").read_bytes())
    at = fib_offset(bytes(data))
    flags = struct.unpack_from("<H", data, at + 10)[0]
    struct.pack_into("<H", data, at + 10, flags | 0x0100)  # fEncrypted
    assert reason(bytes(data)) == "encrypted"


def test_encrypted_office_package() -> None:
    data = (ROOT / "tests" / "data" / "docx" / "encrypted.docx").read_bytes()
    assert reason(data) == "encrypted"


@pytest.mark.parametrize(("ident", "nfib"), [(0xA5EC, 0x0065), (0xA5DC, 0x0101)])
def test_word_95_is_unsupported(ident: int, nfib: int) -> None:
    data = bytearray((DATA / "gongbao.doc").read_bytes())
    struct.pack_into("<HH", data, fib_offset(bytes(data)), ident, nfib)
    with pytest.raises(ReadError) as info:
        read_doc(bytes(data), len(data))
    assert info.value.reason == "unsupported" and "Word 6.0/95" in str(info.value)


def clx(cps: list[int], fcs: list[int]) -> bytes:
    plc = struct.pack(f"<{len(cps)}i", *cps) + b"".join(
        struct.pack("<HIH", 0, fc, 0) for fc in fcs)
    return b"\x01\x02\x00ab" + b"\x02" + struct.pack("<I", len(plc)) + plc


def test_piece_table_is_read_after_prc_entries() -> None:
    pieces = _pieces(clx([0, 10, 15], [2048, 0x40000000 | 8192]), 8192)
    assert [(p.cp, p.end, p.fc, p.compressed) for p in pieces] == [
        (0, 10, 2048, False), (10, 15, 4096, True)]


@pytest.mark.parametrize(("cps", "fcs"), [
    ([0, 10], [9000]),                 # the piece ends outside the stream
    ([0, 10, 5], [100, 200]),          # CPs go backwards
    ([5, 10], [100]),                  # the text does not start at CP 0
    ([0, 0x7FFFFFFF], [0]),            # an absurd length
])
def test_broken_piece_table_is_corrupt(cps: list[int], fcs: list[int]) -> None:
    with pytest.raises(ReadError) as info:
        _pieces(clx(cps, fcs), 8192)
    assert info.value.reason == "corrupt"


def test_piece_table_without_pcdt_is_corrupt() -> None:
    with pytest.raises(ReadError) as info:
        _pieces(b"\x01\x00\x00\x07", 8192)
    assert info.value.reason == "corrupt"


def damaged(data: bytes, rng: random.Random, kind: int) -> bytes:
    b = bytearray(data)
    if kind == 0:      # scattered bytes
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == 1:    # truncated
        b = b[:rng.randrange(len(b))]
    elif kind == 2:    # a run of noise
        start = rng.randrange(512, len(b))
        b[start:start + 64] = bytes(rng.randrange(256) for _ in range(len(b[start:start + 64])))
    else:              # an extreme 32-bit value
        pos = rng.randrange(len(b) - 4)
        b[pos:pos + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\xff\xff\xff\x7f"])
    return bytes(b)


@pytest.mark.parametrize("name", ["gongbao.doc", "sample.doc", "nested.doc"])
def test_random_damage_gives_a_result_or_a_read_error(name: str) -> None:
    good = (DATA / name).read_bytes()
    rng = random.Random(name)
    start = time.perf_counter()
    for i in range(300):
        data = damaged(good, rng, i % 4)
        try:
            result = read_doc(data, len(data))
        except ReadError as exc:
            assert exc.reason in ("corrupt", "encrypted", "unsupported")
        else:
            assert isinstance(result.text, str) and len(result.text) <= 2 * len(data)
    assert time.perf_counter() - start < 10  # ~0.5 s here; generous for slow machines


# --- speed and imports --------------------------------------------------------------------

def test_speed() -> None:
    data = (DATA / "sample.doc").read_bytes()
    start = time.perf_counter()
    for _ in range(50):
        read_doc(data, len(data))
    assert time.perf_counter() - start < 2.5  # ~0.03 s here (about 1800 docs/s)


def test_import_does_no_work() -> None:
    code = ("import sys, reportmine.readers.doc; "
            "print(any(m.startswith(('lxml', 'olefile')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
