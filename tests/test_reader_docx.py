"""The Word .docx reader: text in body order, numbering, tables, notes, fields, bad files.

Test files are made by tools/make_test_docx.py (hand-written WordprocessingML, and
LibreOffice output for report.docx and lo_made.docx)."""

from __future__ import annotations

import io
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from reportmine.readers.base import Grid, ReadResult
from reportmine.readers.docx import is_encrypted_ole, read_docx, render_number
from reportmine.reading import ReadError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "docx"
QIANDONGNAN = ROOT.parent / "shared" / "formats" / "qiandongnan_2023_tongjigongbao_pdf2docx.docx"


def read(name: str) -> ReadResult:
    data = (DATA / name).read_bytes()
    return read_docx(data, len(data))


def lines(name: str) -> list[str]:
    return read(name).text.splitlines()


def cells(grid: Grid, text: str) -> dict[tuple[int, int], tuple[str, int, int]]:
    """(row, col) → (cell text from the offsets, rowspan, colspan)."""
    return {(c.row, c.col): (text[c.start:c.end], c.rowspan, c.colspan) for c in grid.cells}


# --- numbering ---------------------------------------------------------------------

NUMBERED = [
    "2023年第三季度工作总结",
    "一、坚持党建引领",          # Heading1 → numId 1, level 0
    "（一）强化理论武装",        # Heading2: numId inherited through basedOn
    "1.开展宣讲25场",
    "2.组织培训130余人",
    "正文段落不编号。",
    "（二）开展主题教育",
    "1.落实部署",                # level 2 restarts under a new level 1
    "二、推进项目建设",
    "（一）新建学校",
    "三、扩大学位供给",          # a custom style based on Heading1
    "不编号的标题",              # numId 0 switches the style's numbering off
    "1、第一项",
    "3、第三项",                 # the empty numbered paragraph between took 2
    "1、重新开始",               # a w:num with startOverride restarts the shared list
    "2、第二",
    "3、接续编号",               # another w:num on the same abstractNum continues it
    "壹、格式0", "甲、格式1", "子.格式2", "A)格式3", "a)格式4", "I.格式5", "(i)格式6",
    "①格式7", "１．格式8",
    "第一章总则", "1.1范围", "(1)条款甲",       # isLgl: 1.1, not 一.1
    "第二章分则", "2.1定义", "(2)条款乙",       # lvlRestart 0: never restarts
    "•要点", "●细目", "无标号",                 # bullets; numFmt none
    "01. Introduction", "①圈号",              # a space between label and Latin text
    "十、起始为十", "十一、十一",
]


def test_numbering_renders_every_label_in_order() -> None:
    assert lines("numbering.docx") == NUMBERED


@pytest.mark.parametrize(("n", "fmt", "expected"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"),
    (11, "chineseCounting", "十一"), (20, "chineseCounting", "二十"),
    (101, "chineseCounting", "一百零一"), (110, "chineseCounting", "一百一十"),
    (1010, "chineseCountingThousand", "一千零一十"), (10001, "chineseCountingThousand", "一万零一"),
    (11, "chineseLegalSimplified", "拾壹"), (23, "chineseLegalSimplified", "贰拾叁"),
    (10, "ideographTraditional", "癸"), (11, "ideographTraditional", "甲"),
    (12, "ideographZodiac", "亥"), (2023, "ideographDigital", "二〇二三"),
    (27, "upperLetter", "AA"), (2, "lowerLetter", "b"),
    (14, "lowerRoman", "xiv"), (1999, "upperRoman", "MCMXCIX"),
    (1, "decimalEnclosedCircle", "①"), (21, "decimalEnclosedCircleChinese", "㉑"),
    (50, "decimalEnclosedCircle", "㊿"), (51, "decimalEnclosedCircle", "51"),
    (7, "decimalZero", "07"), (12, "decimalFullWidth", "１２"),
    (3, "none", ""), (3, "someFutureFormat", "3"),
])
def test_render_number(n: int, fmt: str, expected: str) -> None:
    assert render_number(n, fmt) == expected


def test_libreoffice_numbering_is_rendered() -> None:
    assert lines("lo_made.docx")[:8] == [
        "工作总结", "一、坚持党建引领", "（一）强化理论武装", "1.开展宣讲", "2.组织培训",
        "（二）开展主题教育", "1.落实部署", "二、推进项目建设"]


# --- tables ------------------------------------------------------------------------

def test_merged_table_grid() -> None:
    result = read("table.docx")
    grid = result.grids[0]
    assert (grid.rows, grid.cols, grid.source) == (7, 4, "docx")
    assert cells(grid, result.text) == {
        (0, 0): ("指标", 2, 1), (0, 1): ("2023年", 1, 2), (0, 3): ("备注", 2, 1),
        (1, 1): ("绝对数", 1, 1), (1, 2): ("增长（%）", 1, 1),
        (2, 0): ("地区生产总值", 1, 1), (2, 1): ("1329.65", 1, 1), (2, 2): ("4.0", 1, 1),
        (3, 0): ("第一产业", 2, 1), (3, 1): ("277.25", 1, 1), (3, 2): ("4.2", 1, 1),
        (3, 3): ("含林业", 1, 1),
        (4, 1): ("12.50", 1, 1), (4, 2): ("-1.0", 1, 1),
        (5, 0): ("城镇乡村", 1, 1), (5, 1): ("4899310 1654272", 1, 1), (5, 2): ("100.0", 1, 1),
        (6, 1): ("1606.90", 1, 1), (6, 2): ("8.2", 1, 1),      # w:gridBefore skips column 0
    }


def test_table_text_in_place() -> None:
    text = read("table.docx").text
    assert text.startswith("表1 2023年主要指标\n\n指标\t2023年\t\t备注\n\t绝对数\t增长（%）\n")
    assert "\n\n资料来源：州统计局。\n" in text


def test_frame_table_is_unwrapped_and_nested_table_flattened() -> None:
    result = read("table.docx")
    assert [g.rows for g in result.grids] == [7, 2, 1]
    frame, nested = result.grids[1], result.grids[2]
    assert cells(frame, result.text)[(1, 1)] == ("3500", 1, 1)
    assert "表2 框内的表\n\n项目\t金额（万元）\n校舍\t3500\n\n表后段落\n" in result.text
    assert cells(nested, result.text) == {(0, 0): ("外层", 1, 1), (0, 1): ("内A 11 内B 22", 1, 1)}


def test_libreoffice_merged_table() -> None:
    result = read("lo_made.docx")
    (grid,) = result.grids
    assert cells(grid, result.text) == {
        (0, 0): ("指标", 2, 1), (0, 1): ("2023年", 1, 2), (1, 1): ("绝对数", 1, 1),
        (1, 2): ("增长（%）", 1, 1), (2, 0): ("投资", 1, 1), (2, 1): ("120.5", 1, 1),
        (2, 2): ("8.2", 1, 1)}


# --- notes, text boxes, headers ------------------------------------------------------

def test_notes_and_text_boxes() -> None:
    assert lines("notes.docx") == [
        "全年生产总值1329.65亿元¹，增长4.0%。",
        "¹ 按可比价格计算。",
        "人均生产总值35511元²。",
        "² 按常住人口计算。",
        "本报告数据¹均为初步统计数。",      # endnotes count on their own
        "¹ 资料来源：州统计局。",
        "重点项目进展顺利。",
        "专栏：重点项目投资120亿元",          # once: Choice read, VML Fallback not
        "VML文本框：新增学位2000个",
        "",
        "指标\t数值",
        "投资额³\t120",
        "",
        "³ 表中数据为快报数。",              # a note referenced in a cell: after the table
        "文末段落。",
    ]


def test_header_is_not_text() -> None:
    assert "页眉" not in read("notes.docx").text


def test_libreoffice_footnote() -> None:
    assert lines("lo_made.docx")[-2:] == ["全年投资¹增长。", "¹ 快报数。"]


# --- fields, revisions, inline details ------------------------------------------------

@pytest.mark.parametrize("expected", [
    "第3页",                      # field result, not the PAGE instruction
    "报送单位：黔东南州统计局",    # w:fldSimple
    "结果：是",                   # a field nested in another's instruction
    "索引词",                     # a field without a result shows nothing
    "投资120亿元",                # w:del out, w:ins in
    "可见文本",                   # w:vanish out, w:vanish w:val=0 in
    "温度°，完成✓",               # w:sym mapped; an unknown symbol dropped
    "cooperation 2023-2024",     # soft hyphen, no-break hyphen
    "全州上下深入贯彻",            # w:br between Han characters
    "GDP grew fast",             # w:br between Latin words
    "指标 数值",                  # w:tab
    "链接文字",
    "迁移新位置",                 # w:moveFrom out, w:moveTo in
    "内容控件中的段落",
    "黔东南",                     # ruby: the base text, not the pinyin
    "面积S=πr²",                  # an equation's text
])
def test_inline_content(expected: str) -> None:
    assert expected in lines("fields.docx")


def test_empty_paragraphs_add_nothing() -> None:
    text = read("fields.docx").text
    assert "\n\n" not in text and "PAGE" not in text and "qián" not in text


@pytest.mark.parametrize(("name", "title"), [
    ("numbering.docx", "2023年第三季度工作总结"),
    ("fields.docx", "字段与修订"),          # "Microsoft Word - 字段与修订.docx"
    ("table.docx", ""),
])
def test_title(name: str, title: str) -> None:
    assert read(name).title == title


# --- the sample report, as LibreOffice saves it ----------------------------------------

def test_report_text_is_the_sample_text() -> None:
    sample = (ROOT / "samples" / "000_8962da1a5d06fb49.txt").read_text(encoding="utf-8")
    result = read("report.docx")
    assert result.text.splitlines() == [x.strip() for x in sample.splitlines() if x.strip()]
    assert (result.format, result.title, result.grids) == (
        "docx", "X区教育局2023年第三季度工作落实情况", ())


def test_read_through_the_dispatcher() -> None:
    from reportmine.readers import read_document

    result = read_document(DATA / "numbering.docx", isolate=False)
    assert result.format == "docx" and result.text.splitlines()[1] == "一、坚持党建引领"


def test_import_does_no_work() -> None:
    code = ("import sys, reportmine.readers.docx; "
            "print(any(m.startswith(('lxml', 'olefile')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# --- the real pdf2docx file ------------------------------------------------------------

needs_real = pytest.mark.skipif(not QIANDONGNAN.exists(), reason="../shared/formats absent")


@pytest.fixture(scope="module")
def qiandongnan() -> ReadResult:
    data = QIANDONGNAN.read_bytes()
    return read_docx(data, len(data))


@needs_real
def test_real_tables_are_grids(qiandongnan: ReadResult) -> None:
    # 36 w:tbl; the first holds only the title images, so 35 grids have text.
    assert len(qiandongnan.grids) == 35
    grid = next(g for g in qiandongnan.grids if "年末数（人）" in qiandongnan.text[g.start:g.end])
    got = cells(grid, qiandongnan.text)
    assert got[(0, 1)] == ("年末数（人）", 1, 1)
    assert got[(1, 1)] == ("4899310 1654272 3245038", 1, 1)  # a stacked column, as drawn


@needs_real
def test_real_table_numbers_in_body_order(qiandongnan: ReadResult) -> None:
    text = qiandongnan.text
    # 4899310 (total registered population) appears only in table 1.
    assert text.index("一、综 合") < text.index("4899310") < text.index("二、农 业")
    assert text.index("表2 2023年农林牧渔业总产值") < text.index("481.96 282.41 86.95")
    assert "全年全州农林牧渔业增加值290.41 亿元，比上年增长4.2%。\n" in text


@needs_real
def test_real_offsets(qiandongnan: ReadResult) -> None:
    text = qiandongnan.text
    for grid in qiandongnan.grids:
        body = text[grid.start:grid.end]
        assert body and not body.startswith("\n") and not body.endswith("\n")
        for cell in grid.cells:
            assert text[cell.start:cell.end].strip() and "\t" not in text[cell.start:cell.end]


# --- bad files ------------------------------------------------------------------------

def zip_of(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def declared_huge() -> bytes:
    """A package whose document.xml declares 4 GB uncompressed in the central directory."""
    data = bytearray((DATA / "table.docx").read_bytes())
    entry = data.index(b"PK\x01\x02")
    while True:
        name_len = int.from_bytes(data[entry + 28:entry + 30], "little")
        if data[entry + 46:entry + 46 + name_len] == b"word/document.xml":
            data[entry + 24:entry + 28] = (0xFFFFFFF0).to_bytes(4, "little")
            return bytes(data)
        entry = data.index(b"PK\x01\x02", entry + 4)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "lol">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&j;</w:t></w:r></w:p></w:body></w:document>")
DOC = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
       "<w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>")


@pytest.mark.parametrize(("make", "reason"), [
    (lambda: zip_of({"notes.txt": "不是Word文档"}), "corrupt"),
    (lambda: (DATA / "report.docx").read_bytes()[:6000], "corrupt"),
    (lambda: zip_of({"word/document.xml": DOC.format("断开")[:-12]}), "corrupt"),
    (lambda: zip_of({"word/document.xml": "<w:document><w:body>"}), "corrupt"),
    (lambda: zip_of({"word/document.xml": "<html/>"}), "corrupt"),
    (lambda: zip_of({"word/document.xml": BILLION_LAUGHS}), "corrupt"),
    (declared_huge, "too_large"),
    (lambda: zip_of({"word/document.xml": DOC.format("a" * 8_000_000)}), "too_large"),
    (lambda: (DATA / "encrypted.docx").read_bytes(), "encrypted"),
], ids=["zip-not-docx", "truncated", "broken-xml", "unbound-prefix", "not-wordml",
        "xml-bomb", "declared-4GB", "ratio-bomb", "encrypted"])
def test_bad_file(make, reason: str) -> None:  # type: ignore[no-untyped-def]
    data = make()
    started = time.perf_counter()
    with pytest.raises(ReadError) as err:
        read_docx(data, len(data))
    assert err.value.reason == reason
    assert time.perf_counter() - started < 1.0


def test_is_encrypted_ole() -> None:
    assert is_encrypted_ole((DATA / "encrypted.docx").read_bytes())
    assert not is_encrypted_ole((DATA / "table.docx").read_bytes())


def test_hostile_spans_and_starts_stay_small() -> None:
    body = ('<w:tbl><w:tr><w:trPr><w:gridBefore w:val="999999999"/></w:trPr><w:tc><w:tcPr>'
            '<w:gridSpan w:val="2000000000"/></w:tcPr><w:p><w:r><w:t>x</w:t></w:r></w:p>'
            "</w:tc></w:tr></w:tbl>")
    data = zip_of({"word/document.xml": DOC.replace(
        "<w:p><w:r><w:t>{}</w:t></w:r></w:p>", body)})
    (grid,) = read_docx(data, len(data)).grids
    assert (grid.cols, grid.cells[0].colspan) == (128, 64)
    assert render_number(2_000_000_000, "upperLetter") == "2000000000"


def test_a_small_document_of_one_paragraph() -> None:
    data = zip_of({"word/document.xml": DOC.format("总投资3500万元")})
    result = read_docx(data, len(data))
    assert (result.text, result.grids, result.title) == ("总投资3500万元\n", (), "")
