"""Web pages: which bytes are a page, and their encoding from the page itself.

A page's text is its decoded source (the cleaner removes the markup in place, so
offsets stay those of the source). The encoding comes from a byte-order mark, then
the page's own declaration (<meta charset>, <meta http-equiv> or <?xml encoding>),
then the detection every text file gets. A declaration is not trusted blindly:
scrapers often re-save a GBK page as UTF-8 and leave its <meta> as it was, so bytes
that are valid UTF-8 (with non-ASCII in them) are read as UTF-8 whatever the page says.
"""

from __future__ import annotations

import codecs
import re

from ..reading import ReadError, decode_bytes

_HEAD = 4096
_LOOKS_HTML = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<\?xml[^>]*>\s*"
    rb"(?:<!doctype\s+html|<html)|<!--.{0,2000}?-->\s*(?:<!doctype\s+html|<html))",
    re.I | re.S)
_HTML_TAG = re.compile(rb"<(?:html|body|head)[\s>]", re.I)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""", re.I)
# Declared names whose superset decodes more real pages without changing a character.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
              "big5": "big5hkscs", "x-big5": "big5hkscs", "iso-8859-1": "cp1252",
              "latin-1": "cp1252", "ascii": "utf-8", "us-ascii": "utf-8"}


def looks_like_html(data: bytes) -> bool:
    """Does the file start as a web page (a doctype, <html>, <head>), or hold
    <html>/<body> near its top? UTF-16 pages are checked without their zero bytes."""
    head = data[:_HEAD]
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        head = head[2:].replace(b"\x00", b"")
    return bool(_LOOKS_HTML.match(head) or _HTML_TAG.search(head[:2048]))


def declared_charset(data: bytes) -> str | None:
    """The encoding a page declares in its first bytes, as a Python codec name."""
    head = data[:_HEAD]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if m is None:
        return None
    name = m.group(1).decode("ascii").strip().lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """The text of a web page and the encoding it was read with."""
    declared = declared_charset(data)
    if declared is None or data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                                            codecs.BOM_UTF16_BE)):
        return decode_bytes(data)
    if declared not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not data.isascii():  # re-saved as UTF-8, its <meta> left behind
                return decode_bytes(data)
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            return decode_bytes(data)  # the declaration is wrong: detect
        if not text or text.isspace():
            raise ReadError("empty", "holds only whitespace" if text else "is empty")
        return text, declared
    return decode_bytes(data)
