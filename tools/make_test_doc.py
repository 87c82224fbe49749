"""Regenerates tests/data/doc/: Word 97-2003 files for tests/test_reader_doc.py.

    python tools/make_test_doc.py

Every file is written by LibreOffice (`soffice --headless --convert-to doc`), as a
user saving a report as .doc would produce it:

- sample.doc     samples/000_8962da1a5d06fb49.txt, read as UTF-8 text;
- gongbao.doc    a flat OpenDocument (.fodt) written below: list numbering 一、（一）,
                 a table with numbers and merged cells, footnotes (one in a cell), a
                 page-number and a fixed date field, a line break, a tab, a tracked
                 deletion, hidden text, hyphens;
- gongbao.wps    the same document converted to "wps": LibreOffice has no WPS
                 filter and writes it with its MS Word 97 filter, which is what the
                 .wps files of Kingsoft WPS are (the same OLE/Word binary format);
- nested.doc     tests/data/docx/table.docx: a table in a one-column frame table,
                 and a table nested in a cell.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "doc"
SAMPLE = ROOT / "samples" / "000_8962da1a5d06fb49.txt"
TABLE_DOCX = ROOT / "tests" / "data" / "docx" / "table.docx"

FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:meta><dc:title>2023年示例州统计公报</dc:title></office:meta>
<office:styles>
 <style:style style:name="Standard" style:family="paragraph"/>
 <style:style style:name="Hidden" style:family="text"><style:text-properties text:display="none"/></style:style>
 <text:list-style style:name="Outline">
  <text:list-level-style-number text:level="1" style:num-suffix="、" style:num-format="一, 二, 三, ..."/>
  <text:list-level-style-number text:level="2" style:num-prefix="（" style:num-suffix="）" style:num-format="一, 二, 三, ..."/>
  <text:list-level-style-number text:level="3" style:num-suffix="." style:num-format="1"/>
 </text:list-style>
 <number:date-style style:name="CnDate"><number:year number:style="long"/><number:text>年</number:text><number:month/><number:text>月</number:text><number:day/><number:text>日</number:text></number:date-style>
</office:styles>
<office:automatic-styles>
 <style:style style:name="Tbl" style:family="table"><style:table-properties style:width="16cm" table:align="left"/></style:style>
 <style:style style:name="ColA" style:family="table-column"><style:table-column-properties style:column-width="5cm"/></style:style>
 <style:style style:name="ColB" style:family="table-column"><style:table-column-properties style:column-width="3.5cm"/></style:style>
 <style:style style:name="ColC" style:family="table-column"><style:table-column-properties style:column-width="4cm"/></style:style>
</office:automatic-styles>
<office:body><office:text>
<text:tracked-changes>
 <text:changed-region text:id="del1"><text:deletion><office:change-info><dc:creator>t</dc:creator><dc:date>2024-01-01T00:00:00</dc:date></office:change-info><text:p>100</text:p></text:deletion></text:changed-region>
</text:tracked-changes>
"""

BODY = """<text:p>2023年示例州国民经济和社会发展统计公报</text:p>
<text:list text:style-name="Outline">
 <text:list-item><text:p>综合</text:p>
  <text:list><text:list-item><text:p>经济总量</text:p></text:list-item></text:list>
 </text:list-item>
</text:list>
<text:p>全年生产总值1329.65亿元<text:note text:id="n1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>按可比价格计算。</text:p></text:note-body></text:note>，增长4.0%。</text:p>
<text:p>第<text:page-number text:select-page="current">1</text:page-number>页</text:p>
<text:p>发布日期：<text:date style:data-style-name="CnDate" text:date-value="2024-03-01" text:fixed="true">2024年3月1日</text:date></text:p>
<text:p>全州上下<text:line-break/>深入贯彻</text:p>
<text:p>GDP grew<text:line-break/>fast</text:p>
<text:p>指标<text:tab/>数值</text:p>
<text:p>投资<text:change text:change-id="del1"/>120亿元</text:p>
<text:p>可见<text:span text:style-name="Hidden">隐藏</text:span>文本</text:p>
<text:p>cooperation 2023‑2024 co\u00adoperation</text:p>
<text:list text:style-name="Outline" text:continue-numbering="true">
 <text:list-item><text:p>农业</text:p></text:list-item>
</text:list>
<text:p>表1 2023年主要指标</text:p>
<table:table table:name="T1" table:style-name="Tbl">
 <table:table-column table:style-name="ColA"/>
 <table:table-column table:style-name="ColB" table:number-columns-repeated="2"/>
 <table:table-column table:style-name="ColC"/>
 <table:table-row>
  <table:table-cell table:number-rows-spanned="2"><text:p>指标</text:p></table:table-cell>
  <table:table-cell table:number-columns-spanned="2"><text:p>2023年</text:p></table:table-cell>
  <table:covered-table-cell/>
  <table:table-cell table:number-rows-spanned="2"><text:p>备注</text:p></table:table-cell>
 </table:table-row>
 <table:table-row>
  <table:covered-table-cell/>
  <table:table-cell><text:p>绝对数</text:p></table:table-cell>
  <table:table-cell><text:p>增长（%）</text:p></table:table-cell>
  <table:covered-table-cell/>
 </table:table-row>
 <table:table-row>
  <table:table-cell><text:p>地区生产总值</text:p></table:table-cell>
  <table:table-cell><text:p>1329.65</text:p></table:table-cell>
  <table:table-cell><text:p>4.0</text:p></table:table-cell>
  <table:table-cell><text:p/></table:table-cell>
 </table:table-row>
 <table:table-row>
  <table:table-cell><text:p>第一产业</text:p></table:table-cell>
  <table:table-cell><text:p>277.25</text:p></table:table-cell>
  <table:table-cell><text:p>-1.0</text:p></table:table-cell>
  <table:table-cell><text:p>含林业</text:p></table:table-cell>
 </table:table-row>
 <table:table-row>
  <table:table-cell><text:p>城镇</text:p><text:p>乡村</text:p></table:table-cell>
  <table:table-cell><text:p>4899310</text:p></table:table-cell>
  <table:table-cell><text:p>100.0</text:p></table:table-cell>
  <table:table-cell><text:p/></table:table-cell>
 </table:table-row>
 <table:table-row>
  <table:table-cell><text:p>投资额<text:note text:id="n2" text:note-class="footnote"><text:note-citation>2</text:note-citation><text:note-body><text:p>表中数据为快报数。</text:p></text:note-body></text:note></text:p></table:table-cell>
  <table:table-cell><text:p>120</text:p></table:table-cell>
  <table:table-cell><text:p>8.2</text:p></table:table-cell>
  <table:table-cell><text:p/></table:table-cell>
 </table:table-row>
</table:table>
<text:p>资料来源：州统计局。</text:p>
"""

FODT_TAIL = "</office:text></office:body></office:document>\n"


def convert(src: Path, fmt: str, outdir: Path, infilter: str | None = None) -> Path:
    cmd = ["soffice", "--headless", "--convert-to", fmt, "--outdir", str(outdir), str(src)]
    if infilter:
        cmd[2:2] = [f"--infilter={infilter}"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    out = outdir / f"{src.stem}.{fmt}"
    if not out.exists():
        sys.exit(f"LibreOffice wrote no {out.name}")
    return out


def main() -> None:
    if not shutil.which("soffice"):
        sys.exit("soffice (LibreOffice) is needed")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sample = work / "sample.txt"
        shutil.copyfile(SAMPLE, sample)
        fodt = work / "gongbao.fodt"
        fodt.write_text(FODT_HEAD + BODY + FODT_TAIL, encoding="utf-8")
        nested = work / "nested.docx"
        shutil.copyfile(TABLE_DOCX, nested)
        made = [convert(sample, "doc", work, "Text (encoded):UTF8,LF,,,"),
                convert(fodt, "doc", work), convert(fodt, "wps", work),
                convert(nested, "doc", work)]
        for path in made:
            shutil.copyfile(path, OUT / path.name)
            print(f"{OUT / path.name}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
