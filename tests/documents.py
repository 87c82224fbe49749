"""Report files made the way report files look, for tests and benchmarks.

`make_pdf` flows a text over A4 pages as Word and WPS print a report: a running header
(the title), a page number footer "— N —", first-line indents, lines wrapped mid-word,
sentences cut by page breaks. `make_docx` writes a minimal Word document: a paragraph
per line and a table at the end. Both from reportlab's built-in CID font and the
standard library, so any machine with the test extra makes the same files.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape


def make_pdf(title: str, text: str) -> bytes:
    """A report PDF: paragraphs flowed over A4 pages with a header and a footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    font, size, leading = "STSong-Light", 12.0, 22.0
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    width, height = A4
    left, right, top, bottom = 72.0, width - 72.0, height - 90.0, 70.0
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    page = 1

    def furniture() -> None:
        c.setFont(font, 9)
        c.drawCentredString(width / 2, height - 50, title[:40])
        c.setFont(font, 10.5)
        c.drawCentredString(width / 2, 40, f"— {page} —")

    furniture()
    y = top
    for para in (line.strip() for line in text.split("\n")):
        if not para:
            continue
        line, indent = "", 2 * size
        for ch in para + "\0":
            if ch != "\0" and pdfmetrics.stringWidth(line + ch, font, size) <= right - left - indent:
                line += ch
                continue
            if y < bottom:
                c.showPage()
                page += 1
                furniture()
                y = top
            c.setFont(font, size)
            c.drawString(left + indent, y, line)
            y -= leading
            line, indent = ch if ch != "\0" else "", 0.0
    c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(text: str, table: bool = True) -> bytes:
    """A minimal Word document: one paragraph per line and (`table`) a table at the end."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paras = "".join(f"<w:p><w:r><w:t>{escape(line.strip())}</w:t></w:r></w:p>"
                    for line in text.split("\n") if line.strip())
    rows = [["指标", "数值（万元）", "增长（%）"], ["投入资金", "172.5", "6.5"]]
    table = "<w:tbl>" + "".join(
        "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>" for c in r)
        + "</w:tr>" for r in rows) + "</w:tbl>" if table else ""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" ContentType='
                   '"application/xml"/><Override PartName="/word/document.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.wordprocessingml.'
                   'document.main+xml"/></Types>')
        z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {w}><w:body>'
                   f"{paras}{table}</w:body></w:document>")
    return buf.getvalue()
