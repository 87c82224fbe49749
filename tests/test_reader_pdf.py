"""The PDF reader: text in reading order, paragraphs joined, furniture kept apart,
tables as tab-separated rows (ruled ones as grids), footnote marks as superscripts,
and the reasons a PDF cannot be read.

The small PDFs of tests/data/pdf/ are written by tools/make_test_pdfs.py; the real
published ones live in ../shared/formats/ and their tests skip when it is absent.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

from reportmine.readers.base import PAGE_BREAK, ReadError, ReadResult
from reportmine.readers.pdf import read_pdf

DATA = Path(__file__).parent / "data" / "pdf"
FORMATS = Path(__file__).resolve().parents[1].parent / "shared" / "formats"
needs_formats = pytest.mark.skipif(not FORMATS.is_dir(), reason=f"{FORMATS} is not here")


@lru_cache(maxsize=None)
def read(path: Path) -> ReadResult:
    data = path.read_bytes()
    return read_pdf(data, len(data))


def pages_of(result: ReadResult) -> list[str]:
    """Each page's text, by the page offsets (the form feed line that ends a page cut)."""
    ends = list(result.pages[1:]) + [len(result.text)]
    return [result.text[a:b].removesuffix("\f\n") for a, b in zip(result.pages, ends)]


def lines_of(page: str) -> list[str]:
    return [line for line in page.split("\n") if line]


def page_of(result: ReadResult, offset: int) -> int:
    """The 0-based page an offset falls in."""
    return max(i for i, start in enumerate(result.pages) if start <= offset)


def paragraph_with(result: ReadResult, needle: str) -> str:
    found = [line for line in result.text.split("\n") if needle in line]
    assert found, f"no line contains {needle!r}"
    return found[0]


# ---------------------------------------------------------------- report.pdf

REPORT = DATA / "report.pdf"
TITLE = "某市2023年国民经济和社会发展统计公报"


def test_report_result_basics() -> None:
    r = read(REPORT)
    assert r.format == "pdf"
    assert r.size == REPORT.stat().st_size
    assert r.page_count == 3
    assert r.title == TITLE
    assert r.pages[0] == 0
    assert all(r.text[start - 3:start] == PAGE_BREAK for start in r.pages[1:])
    assert r.text.count("\f") == 2


def test_report_paragraph_joined_without_spaces_between_han() -> None:
    para = paragraph_with(read(REPORT), "全市上下")
    assert para == ("2023年，全市上下深入贯彻落实各项决策部署，全州经济运行稳中有进，全年实现地区"
                    "生产总值1329.65亿元，比上年增长6.5%，增速比上年提高1.3个百分点。")


def test_report_figures_whole_and_on_their_page() -> None:
    r = read(REPORT)
    for figure, page in [("172.5万元", 0), ("增长6.5%", 0), ("1.3个百分点", 0),
                         ("增长10.7%", 1), ("40867元", 2)]:
        assert figure in r.text
        assert page_of(r, r.text.index(figure)) == page


def test_report_headings_are_own_paragraphs() -> None:
    lines = lines_of(pages_of(read(REPORT))[0])
    assert "一、综合" in lines
    assert "（一）农业" in lines
    assert "（二）工业" in lines
    assert lines_of(pages_of(read(REPORT))[1])[2] == "二、固定资产投资"


def test_report_running_header_first_and_footer_last_on_each_page() -> None:
    pages = [lines_of(p) for p in pages_of(read(REPORT))]
    assert [p[0] for p in pages] == [TITLE] * 3
    assert [p[-1] for p in pages] == ["— 1 —", "— 2 —", "第3页共3页"]


def test_report_sentence_cut_by_page_break_is_left_to_the_cleaner() -> None:
    pages = pages_of(read(REPORT))
    assert lines_of(pages[0])[-2].endswith("其中，特色食品增加值增长41.9%，再生资源循环材料增加值增长")
    assert lines_of(pages[1])[1] == "41.0%，木材加工及家具制造增长1.3%。"


def test_report_letter_spaced_line_loses_its_spaces() -> None:
    assert "第二产业增加值比重为22.1%" in lines_of(pages_of(read(REPORT))[0])


def test_report_latin_words_keep_single_spaces() -> None:
    para = paragraph_with(read(REPORT), "GDP")
    assert "全市GDP growth rate and industrial output rose steadily across all counties" in para
    assert "  " not in para


# ---------------------------------------------------------------- two_columns.pdf

def test_two_columns_read_column_by_column() -> None:
    lines = lines_of(read(DATA / "two_columns.pdf").text)
    assert lines[0] == "两栏排版的年度报告摘要"
    assert [line[:5] for line in lines[1:5]] == ["左栏第一段", "左栏第二段", "右栏第一段", "右栏第二段"]
    assert lines[5].startswith("全文完")


def test_two_columns_paragraph_joined_within_its_column() -> None:
    lines = lines_of(read(DATA / "two_columns.pdf").text)
    assert lines[1] == ("左栏第一段：全年全州旅游接待总人数7883.48万人次，比上年增长28.5%，实现旅游总收入"
                        "876.71亿元，其中接待入境旅游者4.03万人次，比上年增长5.0倍，国内旅游收入875.82亿元。")
    assert "比上年增长8.0%，其中财产保险公司" in lines[3]


# ---------------------------------------------------------------- tables.pdf

def test_ruled_table_is_a_grid_with_rows_on_one_line() -> None:
    r = read(DATA / "tables.pdf")
    assert len(r.grids) == 1
    grid = r.grids[0]
    rows = r.text[grid.start:grid.end].split("\n")
    assert rows == ["单位：亿元，%",
                    "指标名称\t绝对数（亿元）\t比上年增长（%）",
                    "农林牧渔业总产值\t481.96\t4.2",
                    "#种植业\t282.41\t3.8",
                    "农林牧渔专业及辅助性活动（含服务业）\t21.95\t4.1",
                    "渔业\t15.49\t-8.5"]
    assert (grid.rows, grid.cols, grid.source) == (6, 3, "pdf")


def test_ruled_table_merged_title_cell_spans_all_columns() -> None:
    grid = read(DATA / "tables.pdf").grids[0]
    title = next(c for c in grid.cells if c.row == 0)
    assert (title.col, title.rowspan, title.colspan) == (0, 1, 3)


def test_ruled_table_cell_offsets_point_at_their_values() -> None:
    r = read(DATA / "tables.pdf")
    cells = {(c.row, c.col): r.text[c.start:c.end] for c in r.grids[0].cells}
    assert cells[(4, 0)] == "农林牧渔专业及辅助性活动（含服务业）"
    assert cells[(5, 2)] == "-8.5"


def test_borderless_table_rows_are_tab_separated_lines() -> None:
    lines = lines_of(read(DATA / "tables.pdf").text)
    i = lines.index("地区\t户籍人口\t男性\t女性")
    assert lines[i + 1:i + 4] == ["福田区\t124.88\t60.48\t64.40", "罗湖区\t73.40\t35.61\t37.79",
                                  "大鹏新区\t5.05\t2.58\t2.47"]
    assert lines[i + 4] == "表后文字：以上为户籍人口数据。"


# ---------------------------------------------------------------- footnotes.pdf

def test_footnote_marks_are_superscripts_never_glued_to_figures() -> None:
    text = read(DATA / "footnotes.pdf").text
    assert "2021年，深圳市常住人口¹1761.48万人，常住人口性别比²为122.44³。" in text
    assert "11761.48" not in text and "122.443" not in text


def test_bracketed_mark_and_exponent() -> None:
    text = read(DATA / "footnotes.pdf").text
    assert "全年地区生产总值[⁴]1329.65亿元，m²。" in text


def test_footnote_texts_are_own_paragraphs() -> None:
    lines = lines_of(read(DATA / "footnotes.pdf").text)
    assert lines[-3:] == ["¹注：此数据不包含深汕特别合作区常住人口数据。", "²注：人口性别比是指男性人数与女性人数之比。",
                          "³注：部分数据因四舍五入存在误差。"]


# ---------------------------------------------------------------- what cannot be read

def test_encrypted_pdf_needs_a_password() -> None:
    with pytest.raises(ReadError) as e:
        read_pdf((DATA / "encrypted.pdf").read_bytes(), 1)
    assert e.value.reason == "encrypted"
    assert "password" in str(e.value)


def test_scan_has_no_text_and_says_how_many_pages() -> None:
    with pytest.raises(ReadError) as e:
        read_pdf((DATA / "scan.pdf").read_bytes(), 1)
    assert e.value.reason == "no_text"
    assert "of 2 pages with no text layer" in str(e.value)


def test_image_only_page_between_text_pages_is_kept_empty() -> None:
    r = read(DATA / "blank_middle.pdf")
    assert r.page_count == 3
    assert pages_of(r) == ["第一页正文：全年增长6.5%。\n", "", "第三页正文：全年下降1.2%。\n"]
    assert r.text == "第一页正文：全年增长6.5%。\n\f\n\f\n第三页正文：全年下降1.2%。\n"
    assert page_of(r, r.text.index("下降1.2%")) == 2


def test_truncated_pdf_is_corrupt() -> None:
    data = REPORT.read_bytes()
    with pytest.raises(ReadError) as e:
        read_pdf(data[:len(data) // 2], len(data) // 2)
    assert e.value.reason == "corrupt"
    assert "damaged or truncated" in str(e.value)


def test_broken_xref_is_recovered_by_pdfium() -> None:
    data = re.sub(rb"startxref\s+\d+", b"startxref\n999999", REPORT.read_bytes())
    assert data != REPORT.read_bytes()
    r = read_pdf(data, len(data))
    assert r.page_count == 3
    assert r.text == read(REPORT).text


@pytest.mark.parametrize("data, words", [(b"", "empty"), (b"<html>not a pdf</html>", "not a PDF")])
def test_not_a_pdf_is_corrupt(data: bytes, words: str) -> None:
    with pytest.raises(ReadError) as e:
        read_pdf(data, len(data))
    assert e.value.reason == "corrupt"
    assert words in str(e.value)


# ---------------------------------------------------------------- LibreOffice export

def test_libreoffice_export_paragraphs_joined() -> None:
    r = read(DATA / "libreoffice_sample.pdf")
    lines = lines_of(r.text)
    assert lines[0] == "X区教育局2023年第三季度工作落实情况"
    assert lines[1] == ("2023年第三季度，区教育局在区委、区政府的正确领导下，在市教育局的科学指导下，团结带领"
                        "全区教育系统广大干部职工，踔厉奋发、苦干实干、攻坚克难，全面落实教育优先发展战略，"
                        "抢抓机遇，狠抓落实，深化改革，全区教育持续健康发展。")
    assert lines[2] == "一、坚持D建引领。助推教育高质量发展。"
    assert "900多名D员参与学习活动" in lines[3]


# ---------------------------------------------------------------- published PDFs

def test_meaningless_titles_are_dropped() -> None:
    from reportmine.readers.pdf import _meaningful_title

    assert _meaningful_title("Microsoft Word - 报告.docx") == ""
    assert _meaningful_title("untitled") == ""
    assert _meaningful_title(" 洪泽区人民政府2023年政府信息公开工作年度报告 ") == \
        "洪泽区人民政府2023年政府信息公开工作年度报告"


@needs_formats
def test_shenzhen_footnote_mark_between_word_and_figure() -> None:
    r = read(FORMATS / "shenzhen_2021_gender_statistics_report.pdf")
    assert r.page_count == 13
    assert "常住人口¹1761.48万人" in r.text
    assert "11761.48" not in r.text
    assert "常住人口性别比²为122.44³。" in r.text
    assert "122.443" not in r.text


@needs_formats
def test_shenzhen_bare_page_numbers_are_last_lines() -> None:
    pages = pages_of(read(FORMATS / "shenzhen_2021_gender_statistics_report.pdf"))
    assert [lines_of(p)[-1] for p in pages[1:]] == [str(n) for n in range(2, 14)]
    assert lines_of(pages[1])[0] == "1 人口特征"


@needs_formats
def test_shenzhen_borderless_table_rows() -> None:
    text = read(FORMATS / "shenzhen_2021_gender_statistics_report.pdf").text
    assert "\n福田区\t124.88\t60.48\t64.40\t93.91\n" in text
    assert "\n大鹏新区\t113.66\t121.37\t112.43\n" in text


@needs_formats
def test_qiandongnan_pages_and_page_number_lines() -> None:
    r = read(FORMATS / "qiandongnan_2023_tongjigongbao.pdf")
    assert r.page_count == 21
    pages = pages_of(r)
    assert [lines_of(p)[-1] for p in pages] == [f"— {n} —" for n in range(1, 22)]
    assert r.title == "黔东南苗族侗族自治州"


@needs_formats
def test_qiandongnan_text_joined_and_not_letter_spaced() -> None:
    text = read(FORMATS / "qiandongnan_2023_tongjigongbao.pdf").text
    assert "全州上下深入贯彻党的二十大精神" in text
    assert "第二产业增加值比重为22.1%" in text
    assert "全年全州生产总值[²]1329.65亿元" in text
    assert "[2]1329.65" not in text


@needs_formats
def test_qiandongnan_table_row_label_and_values_on_one_line() -> None:
    r = read(FORMATS / "qiandongnan_2023_tongjigongbao.pdf")
    lines = r.text.split("\n")
    assert "粮食\t133.77\t-2.3" in lines
    assert "秋粮\t117.39\t-2.4" in lines
    assert "全州总户籍人口\t4899310\t100.0" in lines
    assert len(r.grids) >= 16
    row = r.text.index("粮食\t133.77")
    assert page_of(r, row) == 3


@needs_formats
def test_hongze_five_pages_and_ruled_tables() -> None:
    r = read(FORMATS / "hongze_2023_zhengwu_gongkai_annual_report.pdf")
    assert r.page_count == 5
    assert r.title == "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert [lines_of(p)[-1] for p in pages_of(r)] == [f"- {n} -" for n in range(1, 6)]
    lines = r.text.split("\n")
    assert "一、本年新收政府信息公开申请数量\t\t\t21\t0\t0\t0\t0\t0\t21" in lines
    assert "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t\t4\t0\t0\t0\t0\t0\t4" in lines
    assert "\t\t2.其他法律行政止公开\t0\t0\t0\t0\t0\t0\t0" in lines


@needs_formats
def test_hongze_vertical_header_is_one_merged_cell() -> None:
    r = read(FORMATS / "hongze_2023_zhengwu_gongkai_annual_report.pdf")
    grid = next(g for g in r.grids if "三、本年度办理结果" in r.text[g.start:g.end])
    cell = next(c for c in grid.cells if r.text[c.start:c.end] == "三、本年度办理结果")
    assert cell.col == 0 and cell.rowspan > 5


@pytest.mark.parametrize("ch, unmapped", [
    ("\ufffd", True), ("\ue001", True), ("\x03", True), ("增", False), ("5", False), ("%", False),
])
def test_characters_without_unicode_are_told_apart(ch, unmapped):
    from reportmine.readers.pdf import _unmapped

    assert _unmapped(ch) is unmapped
