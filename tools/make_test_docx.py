"""Regenerates tests/data/docx/: small Word files for tests/test_reader_docx.py.

    python tools/make_test_docx.py            # all files (LibreOffice for the lo_* ones)
    python tools/make_test_docx.py --no-soffice

Hand-written WordprocessingML (numbering, tables, notes, fields) says exactly which
construct each test reads; the lo_* files are what LibreOffice writes for the same
content, and report.docx is a sample report saved as .docx by LibreOffice, as a
Word or WPS user would produce it.
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "docx"
SAMPLE = ROOT / "samples" / "000_8962da1a5d06fb49.txt"

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:v="urn:schemas-microsoft-com:vml" '
      'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
      'mc:Ignorable="wps"')
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
PARTS = {  # part → (relationship type, content type)
    "styles.xml": ("styles", "styles"),
    "numbering.xml": ("numbering", "numbering"),
    "footnotes.xml": ("footnotes", "footnotes"),
    "endnotes.xml": ("endnotes", "endnotes"),
    "header1.xml": ("header", "header"),
}
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."


# --- WordprocessingML helpers ------------------------------------------------------

def t(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{html.escape(text, quote=False)}</w:t></w:r>'


def p(*runs: str, style: str = "", num: tuple[int, int] | None = None) -> str:
    ppr = ""
    if style or num:
        ppr = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "")
        if num:
            ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        ppr += "</w:pPr>"
    return f"<w:p>{ppr}{''.join(x if x.startswith('<') else t(x) for x in runs)}</w:p>"


def tc(text: str, span: int = 1, vmerge: str | None = None) -> str:
    pr = ""
    if span > 1 or vmerge is not None:
        pr = "<w:tcPr>" + (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "")
        pr += ('<w:vMerge w:val="restart"/>' if vmerge == "restart" else
               "<w:vMerge/>" if vmerge == "continue" else "") + "</w:tcPr>"
    paras = "".join(p(line) for line in text.split("\n")) if text else "<w:p/>"
    return f"<w:tc>{pr}{paras}</w:tc>"


def tr(*cells: str, before: int = 0) -> str:
    pr = f'<w:trPr><w:gridBefore w:val="{before}"/></w:trPr>' if before else ""
    return f"<w:tr>{pr}{''.join(cells)}</w:tr>"


def tbl(*rows: str) -> str:
    return f"<w:tbl><w:tblPr/>{''.join(rows)}</w:tbl>"


def fld(instr: str, result: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve">{instr}</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f"{t(result)}"
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def docx(path: Path, body: str, *, title: str = "", parts: dict[str, str] | None = None,
         sect: str = "") -> None:
    """A minimal valid package: document.xml plus the given parts of word/."""
    parts = parts or {}
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}{PARTS[name][0]}" Target="{name}"/>'
                   for i, name in enumerate(parts, 1))
    types = "".join(f'<Override PartName="/word/{name}" ContentType="{CT}{PARTS[name][1]}'
                    f'+xml"/>' for name in parts)
    files = {
        "[Content_Types].xml": DECL + '<Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/word/document.xml" '
        f'ContentType="{CT}document.main+xml"/>{types}<Override PartName="/docProps/'
        'core.xml" ContentType="application/vnd.openxmlformats-package.core-properties'
        '+xml"/></Types>',
        "_rels/.rels": DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.'
        'openxmlformats.org/package/2006/relationships/metadata/core-properties" '
        'Target="docProps/core.xml"/></Relationships>',
        "word/_rels/document.xml.rels": DECL + '<Relationships xmlns="http://schemas.'
        f'openxmlformats.org/package/2006/relationships">{rels}</Relationships>',
        "word/document.xml": f"{DECL}<w:document {NS}><w:body>{body}{sect}</w:body>"
        "</w:document>",
        "docProps/core.xml": DECL + '<cp:coreProperties xmlns:cp="http://schemas.'
        'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://'
        f'purl.org/dc/elements/1.1/"><dc:title>{html.escape(title)}</dc:title>'
        "<dc:creator>reportmine tests</dc:creator></cp:coreProperties>",
    }
    files.update({f"word/{name}": f"{DECL}{xml}" for name, xml in parts.items()})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)


# --- numbering.docx ----------------------------------------------------------------

def lvl(ilvl: int, fmt: str, text: str, start: int = 1, style: str = "", extra: str = "") -> str:
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
            + (f'<w:pStyle w:val="{style}"/>' if style else "") + extra
            + f'<w:lvlText w:val="{html.escape(text)}"/></w:lvl>')


def abstract(aid: int, *levels: str) -> str:
    return f'<w:abstractNum w:abstractNumId="{aid}">{"".join(levels)}</w:abstractNum>'


def num(num_id: int, aid: int, start_override: dict[int, int] | None = None) -> str:
    ov = "".join(f'<w:lvlOverride w:ilvl="{i}"><w:startOverride w:val="{s}"/></w:lvlOverride>'
                 for i, s in (start_override or {}).items())
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{aid}"/>{ov}</w:num>'


def style(sid: str, based: str = "", num_id: int | None = None, ilvl: int | None = None,
          default: bool = False, vanish: bool = False) -> str:
    numpr = ""
    if num_id is not None or ilvl is not None:
        numpr = "<w:pPr><w:numPr>" + (f'<w:ilvl w:val="{ilvl}"/>' if ilvl is not None else "")
        numpr += (f'<w:numId w:val="{num_id}"/>' if num_id is not None else "")
        numpr += "</w:numPr></w:pPr>"
    return (f'<w:style w:type="paragraph" w:styleId="{sid}"'
            + (' w:default="1"' if default else "") + f'><w:name w:val="{sid}"/>'
            + (f'<w:basedOn w:val="{based}"/>' if based else "") + numpr
            + ("<w:rPr><w:vanish/></w:rPr>" if vanish else "") + "</w:style>")


def make_numbering(path: Path) -> None:
    w = f'<w:numbering {NS}>' + "".join([
        # 0: the 工作总结 outline, tied to heading styles
        abstract(0, lvl(0, "chineseCounting", "%1、", style="Heading1"),
                 lvl(1, "chineseCounting", "（%2）", style="Heading2"),
                 lvl(2, "decimal", "%3.", style="Heading3"),
                 lvl(3, "decimal", "（%4）")),
        abstract(1, lvl(0, "decimal", "%1、")),
        abstract(2, lvl(0, "chineseLegalSimplified", "%1、"),
                 lvl(1, "ideographTraditional", "%2、"), lvl(2, "ideographZodiac", "%3."),
                 lvl(3, "upperLetter", "%4)"), lvl(4, "lowerLetter", "%5)"),
                 lvl(5, "upperRoman", "%6."), lvl(6, "lowerRoman", "(%7)"),
                 lvl(7, "decimalEnclosedCircle", "%8"), lvl(8, "decimalFullWidth", "%9．")),
        abstract(3, lvl(0, "chineseCounting", "第%1章"),
                 lvl(1, "decimal", "%1.%2", extra="<w:isLgl/>"),
                 lvl(2, "decimal", "(%3)", extra='<w:lvlRestart w:val="0"/>')),
        abstract(4, lvl(0, "bullet", "\uf0b7"), lvl(1, "bullet", "●"), lvl(2, "none", "")),
        abstract(5, lvl(0, "decimalZero", "%1."), lvl(1, "decimalEnclosedCircleChinese", "%2")),
        abstract(6, lvl(0, "chineseCounting", "%1、", start=10)),
        num(1, 0), num(2, 1), num(3, 1, {0: 1}), num(4, 1), num(5, 2), num(6, 3), num(7, 4),
        num(8, 5), num(9, 6),
    ]) + "</w:numbering>"
    styles = f"<w:styles {NS}>" + "".join([
        style("Normal", default=True), style("Heading1", "Normal", 1, 0),
        style("Heading2", "Heading1", ilvl=1),       # numId inherited through basedOn
        style("Heading3", "Heading2", ilvl=2),
        style("Subject", "Heading1"),                # a custom heading style: level 0
    ]) + "</w:styles>"
    body = "".join([
        p("2023年第三季度工作总结"),
        p("坚持党建引领", style="Heading1"),
        p("强化理论武装", style="Heading2"),
        p("开展宣讲25场", style="Heading3"),
        p("组织培训130余人", style="Heading3"),
        p("正文段落不编号。"),
        p("开展主题教育", style="Heading2"),
        p("落实部署", style="Heading3"),
        p("推进项目建设", style="Heading1"),
        p("新建学校", style="Heading2"),
        p("扩大学位供给", style="Subject"),
        p("不编号的标题", style="Heading1", num=(0, 0)),
        p("第一项", num=(2, 0)), p("", num=(2, 0)), p("第三项", num=(2, 0)),
        p("重新开始", num=(3, 0)), p("第二", num=(3, 0)),
        p("接续编号", num=(4, 0)),
        *(p(f"格式{i}", num=(5, i)) for i in range(9)),
        p("总则", num=(6, 0)), p("范围", num=(6, 1)), p("条款甲", num=(6, 2)),
        p("分则", num=(6, 0)), p("定义", num=(6, 1)), p("条款乙", num=(6, 2)),
        p("要点", num=(7, 0)), p("细目", num=(7, 1)), p("无标号", num=(7, 2)),
        p("Introduction", num=(8, 0)), p("圈号", num=(8, 1)),
        p("起始为十", num=(9, 0)), p("十一", num=(9, 0)),
    ])
    docx(path, body, title="2023年第三季度工作总结",
         parts={"styles.xml": styles, "numbering.xml": w})


# --- table.docx --------------------------------------------------------------------

def make_table(path: Path) -> None:
    main = tbl(
        tr(tc("指标", vmerge="restart"), tc("2023年", span=2), tc("备注", vmerge="restart")),
        tr(tc("", vmerge="continue"), tc("绝对数"), tc("增长（%）"), tc("", vmerge="continue")),
        tr(tc("地区生产总值"), tc("1329.65"), tc("4.0"), tc("")),
        tr(tc("第一产业", vmerge="restart"), tc("277.25"), tc("4.2"), tc("含林业")),
        tr(tc("", vmerge="continue"), tc("12.50"), tc("-1.0"), tc("")),
        tr(tc("城镇\n乡村"), tc("4899310\n1654272"), tc("100.0"), tc("")),
        tr(tc("1606.90"), tc("8.2"), before=1),
    )
    inner = tbl(tr(tc("项目"), tc("金额（万元）")), tr(tc("校舍"), tc("3500")))
    frame = tbl(tr(f"<w:tc>{p('表2 框内的表')}{inner}<w:p/></w:tc>"))  # a layout frame
    nested = tbl(tr(tc("外层"), "<w:tc>" + tbl(tr(tc("内A"), tc("11")), tr(tc("内B"), tc("22")))
                    + "<w:p/></w:tc>"))
    body = "".join([p("表1 2023年主要指标"), main, p("资料来源：州统计局。"), frame,
                    p("表后段落"), nested])
    docx(path, body, title="")


# --- notes.docx --------------------------------------------------------------------

def note(kind: str, nid: int, text: str) -> str:
    return (f'<w:{kind} w:id="{nid}"><w:p><w:r><w:{kind}Ref/></w:r>{t(text)}</w:p>'
            f"</w:{kind}>")


def separators(kind: str) -> str:
    return (f'<w:{kind} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
            f'</w:{kind}><w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:r>'
            f"<w:continuationSeparator/></w:r></w:p></w:{kind}>")


def ref(kind: str, nid: int) -> str:
    return f'<w:r><w:{kind}Reference w:id="{nid}"/></w:r>'


def textbox(text: str) -> str:
    """A text box as Word 2010+ writes it: DrawingML in Choice, VML in Fallback."""
    content = f"<w:txbxContent>{p(text)}</w:txbxContent>"
    return ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
            '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/'
            f'wordprocessingShape"><wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp>'
            '</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback>'
            f"<w:pict><v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict>"
            "</mc:Fallback></mc:AlternateContent></w:r>")


def make_notes(path: Path) -> None:
    footnotes = (f"<w:footnotes {NS}>{separators('footnote')}"
                 + note("footnote", 1, " 按可比价格计算。") + note("footnote", 2, " 按常住人口计算。")
                 + note("footnote", 3, " 表中数据为快报数。") + "</w:footnotes>")
    endnotes = (f"<w:endnotes {NS}>{separators('endnote')}"
                + note("endnote", 1, " 资料来源：州统计局。") + "</w:endnotes>")
    header = f'<w:hdr {NS}>{p("页眉：内部资料")}</w:hdr>'
    vml_box = ('<w:r><w:pict><v:shape><v:textbox><w:txbxContent>'
               f'{p("VML文本框：新增学位2000个")}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>')
    body = "".join([
        p("全年生产总值1329.65亿元", ref("footnote", 1), "，增长4.0%。"),
        p("人均生产总值35511元", ref("footnote", 2), "。"),
        p("本报告数据", ref("endnote", 1), "均为初步统计数。"),
        p("重点项目进展顺利。", textbox("专栏：重点项目投资120亿元")),
        p(vml_box),
        tbl(tr(tc("指标"), tc("数值")), tr("<w:tc>" + p("投资额", ref("footnote", 3)) + "</w:tc>",
                                         tc("120"))),
        p("文末段落。"),
    ])
    sect = '<w:sectPr><w:headerReference w:type="default" r:id="rId3"/></w:sectPr>'
    docx(path, body, parts={"footnotes.xml": footnotes, "endnotes.xml": endnotes,
                            "header1.xml": header}, sect=sect)


# --- fields.docx -------------------------------------------------------------------

def r(inner: str, rpr: str = "") -> str:
    return f"<w:r>{'<w:rPr>' + rpr + '</w:rPr>' if rpr else ''}{inner}</w:r>"


def make_fields(path: Path) -> None:
    nested_if = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                 '<w:r><w:instrText>IF </w:instrText></w:r>' + fld("=1", "1")
                 + '<w:r><w:instrText> = 1 "是" "否"</w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + t("是")
                 + '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    xe = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> XE "索引"'
          '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
    body = "".join([
        p("第", fld(" PAGE ", "3"), "页"),
        p("报送单位：", '<w:fldSimple w:instr=" DOCPROPERTY Company ">'
          + t("黔东南州统计局") + "</w:fldSimple>"),
        p("结果：", nested_if),
        p("索引", xe, "词"),
        p("投资", '<w:del w:id="1" w:author="a"><w:r><w:delText>100</w:delText></w:r></w:del>',
          '<w:ins w:id="2" w:author="a">' + t("120") + "</w:ins>", "亿元"),
        p("可见", r("<w:t>隐藏</w:t>", "<w:vanish/>"), r("<w:t>文本</w:t>", '<w:vanish w:val="0"/>')),
        p("温度", r('<w:sym w:font="Symbol" w:char="F0B0"/>'), "，完成",
          r('<w:sym w:font="Wingdings" w:char="F0FC"/>'), r('<w:sym w:font="Webdings" w:char="F041"/>')),
        p("co", r("<w:softHyphen/>"), "operation 2023", r("<w:noBreakHyphen/>"), "2024"),
        p("全州上下", r("<w:br/>"), "深入贯彻"),
        p("GDP grew", r("<w:br/>"), "fast"),
        p("指标", r("<w:tab/>"), "数值"),
        p('<w:hyperlink r:id="rId99">' + t("链接文字") + "</w:hyperlink>"),
        p("迁移", '<w:moveFrom w:id="3" w:author="a">' + t("旧位置") + "</w:moveFrom>",
          '<w:moveTo w:id="4" w:author="a">' + t("新位置") + "</w:moveTo>"),
        "<w:sdt><w:sdtPr><w:alias w:val=\"x\"/></w:sdtPr><w:sdtContent>"
        + p("内容控件中的段落") + "</w:sdtContent></w:sdt>",
        p(""), p("   "),
        p("<w:r><w:ruby><w:rubyPr/><w:rt>" + t("qián") + "</w:rt><w:rubyBase>" + t("黔")
          + "</w:rubyBase></w:ruby></w:r>", "东南"),
        p("面积", '<m:oMath><m:r><m:t>S=πr²</m:t></m:r></m:oMath>'),
    ])
    docx(path, body, title="Microsoft Word - 字段与修订.docx")


# --- LibreOffice-made files ----------------------------------------------------------

def soffice(src: Path, fmt: str, outdir: Path) -> Path:
    subprocess.run(["soffice", "--headless", "--convert-to", fmt, "--outdir", str(outdir),
                    str(src)], check=True, capture_output=True, timeout=120)
    return outdir / (src.stem + "." + fmt.split(":")[0])


def make_report(path: Path, tmp: Path) -> None:
    """The sample report as a Word user would have it: title, paragraphs, saved .docx."""
    lines = [x.strip() for x in SAMPLE.read_text(encoding="utf-8").splitlines() if x.strip()]
    body = f"<h1>{html.escape(lines[0])}</h1>" + "".join(
        f"<p>{html.escape(x)}</p>" for x in lines[1:])
    src = tmp / "report.html"
    src.write_text(f'<html><head><meta charset="utf-8"><title>{html.escape(lines[0])}</title>'
                   f"</head><body>{body}</body></html>", encoding="utf-8")
    shutil.copy(soffice(src, "docx:MS Word 2007 XML", tmp), path)


FODT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
<office:automatic-styles>
 <text:list-style style:name="L1">
  <text:list-level-style-number text:level="1" style:num-format="一, 二, 三, ..." style:num-suffix="、"/>
  <text:list-level-style-number text:level="2" style:num-format="一, 二, 三, ..." style:num-prefix="（" style:num-suffix="）"/>
  <text:list-level-style-number text:level="3" style:num-format="1" style:num-suffix="."/>
 </text:list-style>
</office:automatic-styles>
<office:body><office:text>
 <text:p>工作总结</text:p>
 <text:list text:style-name="L1">
  <text:list-item><text:p>坚持党建引领</text:p>
   <text:list><text:list-item><text:p>强化理论武装</text:p>
     <text:list><text:list-item><text:p>开展宣讲</text:p></text:list-item>
      <text:list-item><text:p>组织培训</text:p></text:list-item></text:list>
    </text:list-item>
    <text:list-item><text:p>开展主题教育</text:p>
     <text:list><text:list-item><text:p>落实部署</text:p></text:list-item></text:list>
    </text:list-item></text:list>
  </text:list-item>
  <text:list-item><text:p>推进项目建设</text:p></text:list-item>
 </text:list>
 <text:p>投资情况如下表。</text:p>
 <table:table table:name="T1">
  <table:table-column table:number-columns-repeated="3"/>
  <table:table-row><table:table-cell table:number-rows-spanned="2"><text:p>指标</text:p></table:table-cell>
   <table:table-cell table:number-columns-spanned="2"><text:p>2023年</text:p></table:table-cell>
   <table:covered-table-cell/></table:table-row>
  <table:table-row><table:covered-table-cell/><table:table-cell><text:p>绝对数</text:p></table:table-cell>
   <table:table-cell><text:p>增长（%）</text:p></table:table-cell></table:table-row>
  <table:table-row><table:table-cell><text:p>投资</text:p></table:table-cell>
   <table:table-cell><text:p>120.5</text:p></table:table-cell>
   <table:table-cell><text:p>8.2</text:p></table:table-cell></table:table-row>
 </table:table>
 <text:p>全年投资<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>快报数。</text:p></text:note-body></text:note>增长。</text:p>
</office:text></office:body></office:document>
"""


def make_lo(path: Path, tmp: Path) -> None:
    """Numbering, a merged table and a footnote as LibreOffice writes them in .docx."""
    src = tmp / "lo.fodt"
    src.write_text(FODT, encoding="utf-8")
    shutil.copy(soffice(src, "docx:MS Word 2007 XML", tmp), path)


def make_encrypted(path: Path) -> None:
    """What Word writes for a password-protected .docx: an OLE compound file holding
    an EncryptedPackage stream (random bytes here; the reader only recognises it).
    Layout: header, FAT sector, directory sector, 9 data sectors."""
    import os
    import struct

    free, end, fat_sect, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    n_data = 9
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    fat = [fat_sect, end] + [i + 1 for i in range(2, 2 + n_data - 1)] + [end]
    fat_sector = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", free) * (128 - len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (name + "\0").encode("utf-16-le") if name else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1)
                + struct.pack("<III", none, none, child) + bytes(16 + 4 + 16)
                + struct.pack("<IQ", start, size))

    directory = (entry("Root Entry", 5, 1, end, 0)
                 + entry("EncryptedPackage", 2, none, 2, n_data * 512)
                 + entry("", 0, none, 0, 0) * 2)
    path.write_bytes(header + fat_sector + directory + os.urandom(n_data * 512))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-soffice", action="store_true", help="skip the LibreOffice-made files")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    make_numbering(OUT / "numbering.docx")
    make_table(OUT / "table.docx")
    make_notes(OUT / "notes.docx")
    make_fields(OUT / "fields.docx")
    make_encrypted(OUT / "encrypted.docx")
    if not args.no_soffice:
        with tempfile.TemporaryDirectory() as d:
            make_report(OUT / "report.docx", Path(d))
            make_lo(OUT / "lo_made.docx", Path(d))
    for f in sorted(OUT.iterdir()):
        print(f"{f.stat().st_size:>8,}  {f.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
