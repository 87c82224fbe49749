"""Writes the small PDFs of tests/data/pdf/ with reportlab (and one with LibreOffice).

Each file exercises one thing the PDF reader must get right; the tests state what the
text must be, so the layout here is explicit (fixed lines, fixed positions), not flowed.

    .venv/bin/python tools/make_test_pdfs.py            # all files
    .venv/bin/python tools/make_test_pdfs.py --no-soffice

The Chinese text uses reportlab's built-in CID font STSong-Light (not embedded), which
PDFium maps to a system font; the text layer is what the tests read.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "pdf"
FONT = "STSong-Light"
W, H = A4
LEFT, RIGHT = 72.0, W - 72.0
SIZE = 12.0
LEADING = 22.0


def _canvas(path: Path | io.BytesIO, title: str = "", **kw: object) -> Canvas:
    c = Canvas(str(path) if isinstance(path, Path) else path, pagesize=A4, **kw)
    c.setTitle(title)
    c.setCreator("reportmine tools/make_test_pdfs.py")
    return c


def _wrap(text: str, width: float, indent: float, size: float = SIZE) -> list[str]:
    """Lines of at most `width` points, the first `indent` narrower; breaks anywhere,
    mid-word, as WPS and Word do with Chinese."""
    lines, line = [], ""
    for ch in text:
        room = width - (indent if not lines else 0)
        if pdfmetrics.stringWidth(line + ch, FONT, size) > room:
            lines.append(line)
            line = ""
        line += ch
    return lines + [line] if line else lines


class Page:
    """A cursor over one page's body: paragraphs go down from the top margin."""

    def __init__(self, c: Canvas, left: float = LEFT, right: float = RIGHT, top: float = H - 100) -> None:
        self.c, self.left, self.right, self.y = c, left, right, top

    def para(self, text: str, indent: bool = True, size: float = SIZE) -> None:
        self.c.setFont(FONT, size)
        pad = 2 * size if indent else 0.0
        for k, line in enumerate(_wrap(text, self.right - self.left, pad, size)):
            self.c.drawString(self.left + (pad if k == 0 else 0), self.y, line)
            self.y -= LEADING * size / SIZE

    def lines(self, lines: list[str], indent_first: bool = True) -> None:
        """Explicit lines (a paragraph that the page break cuts)."""
        self.c.setFont(FONT, SIZE)
        for k, line in enumerate(lines):
            self.c.drawString(self.left + (2 * SIZE if k == 0 and indent_first else 0), self.y, line)
            self.y -= LEADING

    def heading(self, text: str, size: float = 14.0, centre: bool = False) -> None:
        self.c.setFont(FONT, size)
        if centre:
            self.c.drawCentredString((self.left + self.right) / 2, self.y, text)
        else:
            self.c.drawString(self.left + 2 * SIZE, self.y, text)
        self.y -= LEADING * 1.3

    def spaced(self, text: str, char_space: float) -> None:
        """A letter-spaced line (justified): every glyph spread by char_space."""
        t = self.c.beginText(self.left, self.y)
        t.setFont(FONT, SIZE)
        t.setCharSpace(char_space)
        t.textOut(text)
        self.c.drawText(t)
        self.y -= LEADING


def _furniture(c: Canvas, title: str, n: int, total: int, style: str) -> None:
    c.setFont(FONT, 9)
    c.drawCentredString(W / 2, H - 50, title)
    c.setLineWidth(0.5)
    c.line(LEFT, H - 56, RIGHT, H - 56)
    c.setFont(FONT, 10.5)
    footer = f"— {n} —" if style == "dash" else f"第{n}页 共{total}页"
    c.drawCentredString(W / 2, 40, footer)


REPORT_TITLE = "某市2023年国民经济和社会发展统计公报"


def report(path: Path) -> None:
    """Three pages: running header, two footer styles, numbered sections, first-line
    indents, a sentence cut by a page break, a letter-spaced line, Latin words."""
    c = _canvas(path, REPORT_TITLE)
    _furniture(c, REPORT_TITLE, 1, 3, "dash")
    p = Page(c)
    p.heading(REPORT_TITLE, 16, centre=True)
    p.heading("一、综合")
    p.para("2023年，全市上下深入贯彻落实各项决策部署，全州经济运行稳中有进，全年实现地区生产总值"
           "1329.65亿元，比上年增长6.5%，增速比上年提高1.3个百分点。")
    p.heading("（一）农业")
    p.para("全年粮食种植面积405.34万亩，农业产业化龙头企业带动农户增收172.5万元，"
           "特色产业发展势头良好。")
    p.spaced("第二产业增加值比重为22.1%", 6.0)
    p.para("全市GDP growth rate and industrial output rose steadily across all counties "
           "while 物价总体平稳。")
    p.heading("（二）工业")
    p.lines(["全年规模以上工业增加值比上年增长4.7%，其中，轻工业增加值增长",
             "16.8%；重工业增加值增长1.0%。全市五大主导产业比上年增长18.4%，",
             "其中，特色食品增加值增长41.9%，再生资源循环材料增加值增长"])
    c.showPage()
    _furniture(c, REPORT_TITLE, 2, 3, "dash")
    p = Page(c)
    p.lines(["41.0%，木材加工及家具制造增长1.3%。"], indent_first=False)
    p.heading("二、固定资产投资")
    p.para("全年固定资产投资比上年增长1.2%。其中：第一产业投资下降22.8%；第二产业投资增长10.7%。")
    c.showPage()
    _furniture(c, REPORT_TITLE, 3, 3, "page")
    p = Page(c)
    p.heading("三、人民生活")
    p.para("全年城镇常住居民人均可支配收入40867元，比上年增长4.0%。")
    c.showPage()
    c.save()


COLUMN_LEFT = ("左栏第一段：全年全州旅游接待总人数7883.48万人次，比上年增长28.5%，"
               "实现旅游总收入876.71亿元，其中接待入境旅游者4.03万人次，比上年增长5.0倍，"
               "国内旅游收入875.82亿元。")
COLUMN_LEFT_2 = "左栏第二段：年末全州有5A级旅游景区1个，4A级旅游景区20个。"
COLUMN_RIGHT = ("右栏第一段：全年全州保险公司原保险保费收入38.64亿元，比上年增长8.0%，"
                "其中财产保险公司保费收入22.00亿元，人身保险公司保费收入16.64亿元，"
                "赔付支出15.10亿元。")
COLUMN_RIGHT_2 = "右栏第二段：年末全州金融机构人民币各项存款余额2130.36亿元。"


def two_columns(path: Path) -> None:
    """A full-width title, then two columns of prose, then a full-width closing line."""
    c = _canvas(path, "两栏排版测试")
    p = Page(c)
    p.heading("两栏排版的年度报告摘要", 16, centre=True)
    top = p.y
    gutter = 24.0
    mid = (LEFT + RIGHT) / 2
    left = Page(c, LEFT, mid - gutter / 2, top)
    left.para(COLUMN_LEFT)
    left.para(COLUMN_LEFT_2)
    right = Page(c, mid + gutter / 2, RIGHT, top)
    right.para(COLUMN_RIGHT)
    right.para(COLUMN_RIGHT_2)
    bottom = Page(c, top=min(left.y, right.y) - 20)
    bottom.para("全文完，以上数据均为初步统计数，最终数据以国家统计局审定后公布的年度统计年鉴为准。")
    c.showPage()
    c.save()


RULED = [
    ["指标名称", "绝对数（亿元）", "比上年增长（%）"],
    ["农林牧渔业总产值", "481.96", "4.2"],
    ["#种植业", "282.41", "3.8"],
    ["农林牧渔专业及辅助性活动（含服务业）", "21.95", "4.1"],
    ["渔业", "15.49", "-8.5"],
]
BORDERLESS = [
    ["地区", "户籍人口", "男性", "女性"],
    ["福田区", "124.88", "60.48", "64.40"],
    ["罗湖区", "73.40", "35.61", "37.79"],
    ["大鹏新区", "5.05", "2.58", "2.47"],
]


def tables(path: Path) -> None:
    """A ruled grid (a merged title row, a wrapped cell) and a borderless table."""
    c = _canvas(path, "表格测试")
    p = Page(c)
    p.para("全年全州农林牧渔业总产值481.96亿元，比上年增长4.2%。")
    c.setFont(FONT, 10.5)
    c.drawCentredString(W / 2, p.y, "表2 2023年农林牧渔业总产值及其增长速度")
    xs = [LEFT, LEFT + 150, LEFT + 300, RIGHT]
    row_h = 24.0
    top = p.y - 12
    # a title row spanning all columns, then the header and data rows
    heights = [row_h] + [row_h] * len(RULED)
    heights[4] = 2 * row_h            # the wrapped label's row is taller
    ys = [top]
    for h in heights:
        ys.append(ys[-1] - h)
    c.setLineWidth(0.7)
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    for x in xs:
        c.line(x, ys[0] if x in (xs[0], xs[-1]) else ys[1], x, ys[-1])
    c.drawCentredString((xs[0] + xs[-1]) / 2, ys[0] - 16, "单位：亿元，%")
    for i, row in enumerate(RULED):
        for j, cell in enumerate(row):
            y = ys[i + 1] - 16
            if i == 3 and j == 0:     # wrapped in its cell, mid-word
                c.drawString(xs[0] + 4, y, "农林牧渔专业及辅助")
                c.drawString(xs[0] + 4, y - 16, "性活动（含服务业）")
            elif j == 0:
                c.drawString(xs[0] + 4, y, cell)
            else:
                c.drawRightString(xs[j + 1] - 6, y, cell)
    p.y = ys[-1] - 30
    p.para("下表为各区户籍人口（万人）：")
    c.setFont(FONT, 10.5)
    cols = [LEFT + 10, LEFT + 150, LEFT + 250, LEFT + 350]
    y = p.y - 6
    for row in BORDERLESS:
        for x, cell in zip(cols, row):
            c.drawString(x, y, cell)
        y -= 20
    p.y = y - 10
    p.para("表后文字：以上为户籍人口数据。")
    c.showPage()
    c.save()


def footnotes(path: Path) -> None:
    """Footnote marks: small raised digits right after words, before figures."""
    c = _canvas(path, "脚注测试")
    y = H - 100
    x = LEFT + 2 * SIZE
    runs = [("2021年，深圳市常住人口", 0), ("1", 1), ("1761.48万人，常住人口性别比", 0), ("2", 1),
            ("为122.44", 0), ("3", 1), ("。", 0)]
    for text, sup in runs:
        size = 7.0 if sup else SIZE
        c.setFont(FONT, size)
        c.drawString(x, y + (5 if sup else 0), text)
        x += pdfmetrics.stringWidth(text, FONT, size)
    y -= LEADING
    x = LEFT + 2 * SIZE
    for text, sup in [("全年地区生产总值", 0), ("[4]", 1), ("1329.65亿元，m", 0), ("2", 1), ("。", 0)]:
        size = 7.0 if sup else SIZE
        c.setFont(FONT, size)
        c.drawString(x, y + (5 if sup else 0), text)
        x += pdfmetrics.stringWidth(text, FONT, size)
    c.setLineWidth(0.5)
    c.line(LEFT, 120, LEFT + 150, 120)
    for k, note in enumerate(["此数据不包含深汕特别合作区常住人口数据。",
                              "人口性别比是指男性人数与女性人数之比。",
                              "部分数据因四舍五入存在误差。"], start=1):
        c.setFont(FONT, 6)
        c.drawString(LEFT, 106 - 14 * (k - 1) + 3, str(k))
        c.setFont(FONT, 9)
        c.drawString(LEFT + 5, 106 - 14 * (k - 1), "注：" + note)
    c.showPage()
    c.save()


def encrypted(path: Path) -> None:
    c = _canvas(path, "加密文件", encrypt="secret")
    Page(c).para("这是一份需要密码才能打开的报告，全年增长6.5%。")
    c.showPage()
    c.save()


def _scan_image() -> "object":
    """A page-sized greyscale picture with strokes that look like lines of text."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (300, 420), 255)
    d = ImageDraw.Draw(img)
    for k in range(18):
        d.rectangle((30, 40 + 18 * k, 270 - (k % 4) * 30, 48 + 18 * k), fill=40)
    return img


def scan(path: Path) -> None:
    """Two pages of image only, as a scanner writes them: no text layer."""
    from reportlab.lib.utils import ImageReader

    c = _canvas(path, "扫描件")
    img = ImageReader(_scan_image())
    for _ in range(2):
        c.drawImage(img, 0, 0, W, H)
        c.showPage()
    c.save()


def blank_middle(path: Path) -> None:
    """Text, then a page holding only a picture, then text: page 2 stays, empty."""
    from reportlab.lib.utils import ImageReader

    c = _canvas(path, "")
    Page(c).para("第一页正文：全年增长6.5%。")
    c.showPage()
    c.drawImage(ImageReader(_scan_image()), 100, 300, 200, 280)
    c.showPage()
    Page(c).para("第三页正文：全年下降1.2%。")
    c.showPage()
    c.save()


def scanned_report(path: Path, source: Path) -> None:
    """The first page of report.pdf as a scanner gives it: a greyscale picture of the
    page (150 dpi, JPEG) and no text layer. For OCR."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader

    page = pdfium.PdfDocument(source)[0]
    picture = page.render(scale=150 / 72, grayscale=True).to_pil()
    buf = io.BytesIO()
    picture.save(buf, format="JPEG", quality=60)
    c = _canvas(path, "")
    c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, W, H)
    c.showPage()
    c.save()


def libreoffice(out: Path, sample: Path) -> None:
    """A document converted by LibreOffice Writer, as a Word/WPS user exports a PDF."""
    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: skipping", out.name)
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / (out.stem + ".txt")
        # the first paragraphs only: the PDF embeds a subset of the font, so fewer
        # distinct characters keep the file small
        text = sample.read_text(encoding="utf-8")
        src.write_text(text[:text.index("\n", 600)] + "\n", encoding="utf-8")
        subprocess.run([soffice, "--headless", "--infilter=Text (encoded):UTF8,LF,,",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=180)
        shutil.copyfile(Path(tmp) / (out.stem + ".pdf"), out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-soffice", action="store_true", help="skip the LibreOffice conversion")
    args = ap.parse_args()
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    OUT.mkdir(parents=True, exist_ok=True)
    report(OUT / "report.pdf")
    two_columns(OUT / "two_columns.pdf")
    tables(OUT / "tables.pdf")
    footnotes(OUT / "footnotes.pdf")
    encrypted(OUT / "encrypted.pdf")
    scan(OUT / "scan.pdf")
    blank_middle(OUT / "blank_middle.pdf")
    scanned_report(OUT / "scanned_report.pdf", OUT / "report.pdf")
    if not args.no_soffice:
        libreoffice(OUT / "libreoffice_sample.pdf", ROOT / "samples" / "000_8962da1a5d06fb49.txt")
    for f in sorted(OUT.glob("*.pdf")):
        print(f"{f.name}: {f.stat().st_size} bytes")


if __name__ == "__main__":
    main()
