"""Word .docx reader: word/document.xml walked with lxml, in body order.

Why our own walk and not python-docx or docx2python (measured in the notes, see
DOCX_NOTES below): python-docx's `paragraphs` skips every table and renders no
automatic numbering; docx2python renders numbering only for a few formats and
is several times slower. The walk here writes what a reader of the printed page
sees:

- paragraphs in body order, one line each; line breaks inside a paragraph are
  joined (no space between Han characters), a tab is a space;
- Word's automatic numbering (numbering.xml, from the paragraph or its style)
  rendered at the paragraph start, so 一、 （一） 1. headings reach the outline finder;
- tables in their place (gridSpan and vMerge become the Grid's spans; the text is
  in the top-left cell once); a table nested in a cell is flattened into the cell,
  a one-column table used as a frame around other tables is unwrapped;
- footnotes and endnotes: a superscript mark (¹²³) where referenced and the note
  as its own paragraph after the referencing paragraph (after the table, for a
  note referenced in a cell);
- text boxes as paragraphs after the paragraph that anchors them (mc:AlternateContent
  holds a box twice, Choice and Fallback: only the Choice is read);
- field results, never field instructions; tracked insertions in, deletions out;
  hidden text (w:vanish) out; headers and footers are page furniture: not read.

Bounds: a package whose XML parts declare more than `_max_xml_bytes(size)`
uncompressed, or one part compressed more than _MAX_RATIO times, is refused
before anything is decompressed (zip bomb); XML with a DTD is refused (entity
bomb) and the parser never expands entities nor reads the network.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from .base import ReadError, ReadResult, TextBuilder

if TYPE_CHECKING:
    from lxml.etree import _Element

__all__ = ["read_docx", "is_encrypted_ole", "render_number"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MB = 1 << 20
# The XML parts read may declare at most 50 MB + 20x the file, capped at 200 MB:
# real documents stay far below (a 600 KB document.xml compresses to ~100 KB).
_MAX_XML_TOTAL = 200 * _MB
_MAX_RATIO = 250          # deflate tops out near 1032:1; real XML parts stay < 100:1
_RATIO_FLOOR = 5 * _MB    # small parts may be any ratio (a run of spaces, say)

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DC = "http://purl.org/dc/elements/1.1/"


def _w(name: str) -> str:
    return f"{{{_W}}}{name}"


# Element and attribute names, spelled once.
P, R, T, TBL, TR, TC = _w("p"), _w("r"), _w("t"), _w("tbl"), _w("tr"), _w("tc")
PPR, RPR, TCPR, TRPR = _w("pPr"), _w("rPr"), _w("tcPr"), _w("trPr")
VAL, ID, TYPE = _w("val"), _w("id"), _w("type")
SDT, SDT_CONTENT, CUSTOM_XML = _w("sdt"), _w("sdtContent"), _w("customXml")
TXBX = _w("txbxContent")
ALT = f"{{{_MC}}}AlternateContent"
CHOICE, FALLBACK = f"{{{_MC}}}Choice", f"{{{_MC}}}Fallback"
M_T = f"{{{_M}}}t"

# Inline containers whose content is not displayed text.
_SKIP_INLINE = frozenset(_w(n) for n in (
    "pPr", "rPr", "del", "moveFrom", "sdtPr", "sdtEndPr", "customXmlPr", "smartTagPr",
    "fldData", "bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd",
    "proofErr", "permStart", "permEnd"))
_MATH = frozenset({f"{{{_M}}}oMath", f"{{{_M}}}oMathPara"})

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_FALSE = frozenset({"0", "false", "off"})


# --- the package -----------------------------------------------------------------

def is_encrypted_ole(data: bytes) -> bool:
    """True for a password-protected .docx/.xlsx: Office wraps those in an OLE file
    holding an EncryptedPackage stream (MS-OFFCRYPTO)."""
    if not data.startswith(_OLE_MAGIC):
        return False
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            return bool(ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"))
    except Exception:  # olefile raises many types on damaged files: not encrypted, then
        return False


# What zipfile raises on damaged archives besides BadZipFile: a negative seek from a
# wrong offset (ValueError), an unknown version or method (NotImplementedError), a
# name flagged UTF-8 that is not (UnicodeDecodeError), a ZIP password (RuntimeError).
_ZIP_ERRORS = (ValueError, OSError, EOFError, NotImplementedError, RuntimeError)


def _max_xml_bytes(size: int) -> int:
    return min(_MAX_XML_TOTAL, 50 * _MB + 20 * size)


class _Package:
    """The ZIP with its size checks: parts are measured before they are inflated."""

    def __init__(self, data: bytes) -> None:
        import io
        import zipfile

        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, *_ZIP_ERRORS) as exc:
            raise ReadError("corrupt", f"is not a readable ZIP package: {exc}") from None
        self.infos = {i.filename: i for i in self.zip.infolist()}
        self.budget = _max_xml_bytes(len(data))

    def check_sizes(self, names: list[str]) -> None:
        """Refuses a zip bomb by the sizes the archive declares (zipfile never
        inflates past the declared size: a lie ends in a CRC error)."""
        total = 0
        for name in names:
            info = self.infos[name]
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_FLOOR and ratio > _MAX_RATIO:
                raise ReadError("too_large", f"part {name} inflates {ratio:.0f} times "
                                f"(to {info.file_size:,} bytes): a zip bomb?")
        if total > self.budget:
            raise ReadError("too_large", f"its XML parts declare {total:,} bytes "
                            f"uncompressed, over the bound of {self.budget:,}")

    def read(self, name: str) -> bytes:
        import zipfile
        import zlib

        try:
            return self.zip.read(self.infos[name])
        except (zipfile.BadZipFile, zlib.error, *_ZIP_ERRORS) as exc:
            raise ReadError("corrupt", f"part {name} cannot be unpacked: {exc}") from None


def _parse(data: bytes, name: str) -> _Element:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, remove_comments=True, remove_pis=True)
    head = data[:8192]
    if b"<!DOCTYPE" in head or "<!DOCTYPE".encode("utf-16-le") in head:
        # Office never writes a DTD; one here is an entity bomb or an XXE attempt.
        raise ReadError("corrupt", f"part {name} declares a DTD (an XML entity bomb?)")
    data = data.replace(_W_STRICT, _W.encode())  # ISO strict → transitional names
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ReadError("corrupt", f"part {name} is not well-formed XML: {exc}") from None
    if root is None:
        raise ReadError("corrupt", f"part {name} is empty")
    if root.getroottree().docinfo.internalDTD is not None:  # one the check above missed
        raise ReadError("corrupt", f"part {name} declares a DTD (an XML entity bomb?)")
    return root


def _rel_targets(pkg: _Package, rels_name: str, base_dir: str) -> dict[str, str]:
    """Relationship type (its last path segment) → part name, from a .rels part."""
    if rels_name not in pkg.infos:
        return {}
    pkg.check_sizes([rels_name])
    root = _parse(pkg.read(rels_name), rels_name)
    out: dict[str, str] = {}
    for rel in root.iter(f"{{{_REL_NS}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join(base_dir, target))
        out.setdefault(kind, path)
    return out


@dataclass
class _Parts:
    document: str
    styles: str | None
    numbering: str | None
    footnotes: str | None
    endnotes: str | None
    core: str | None


def _find_parts(pkg: _Package) -> _Parts:
    top = _rel_targets(pkg, "_rels/.rels", "")
    doc = top.get("officeDocument", "word/document.xml")
    if doc not in pkg.infos:
        doc = "word/document.xml"
    if doc not in pkg.infos:
        raise ReadError("corrupt", "is a ZIP package without word/document.xml: not a "
                        "Word document")
    folder = posixpath.dirname(doc)
    rels = _rel_targets(pkg, posixpath.join(folder, "_rels", posixpath.basename(doc)
                                            + ".rels"), folder)

    def part(kind: str, default: str) -> str | None:
        name = rels.get(kind, posixpath.join(folder, default))
        return name if name in pkg.infos else None

    core = top.get("core-properties", "docProps/core.xml")
    return _Parts(doc, part("styles", "styles.xml"), part("numbering", "numbering.xml"),
                  part("footnotes", "footnotes.xml"), part("endnotes", "endnotes.xml"),
                  core if core in pkg.infos else None)


# --- number formats --------------------------------------------------------------

_CN_LOWER = ("零一二三四五六七八九", "十百千")
_CN_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")
_CN_LEGAL = ("零壹贰叁肆伍陆柒捌玖", "拾佰仟")
_CN_LEGAL_TRAD = ("零壹貳參肆伍陸柒捌玖", "拾佰仟")
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _chinese_below_10000(n: int, digits: str, units: str, drop_leading_one: bool) -> str:
    out: list[str] = []
    zero = False
    for power in (3, 2, 1, 0):
        d = n // 10 ** power % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append(digits[0])
            zero = False
        out.append(digits[d] + (units[power - 1] if power else ""))
    text = "".join(out)
    if drop_leading_one and 10 <= n < 20:
        text = text[1:]  # 十一, not 一十一
    return text


def _chinese(n: int, table: tuple[str, str], drop_leading_one: bool = True) -> str:
    digits, units = table
    if n <= 0 or n >= 10 ** 8:
        return "〇" if n == 0 else str(n)
    if n < 10000:
        return _chinese_below_10000(n, digits, units, drop_leading_one)
    high, low = divmod(n, 10000)
    head = _chinese(high, table, drop_leading_one) + "万"
    if not low:
        return head
    sep = digits[0] if low < 1000 else ""
    return head + sep + _chinese_below_10000(low, digits, units, False)


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def _letter(n: int) -> str:
    if not 0 < n <= 26 * 20:  # Word stops at 780 (ZZZ…Z) too; keeps a hostile start small
        return str(n)
    return chr(65 + (n - 1) % 26) * ((n - 1) // 26 + 1)  # Word: Y, Z, AA, BB


def _enclosed(n: int, ranges: tuple[tuple[int, int, int], ...]) -> str:
    for low, high, first in ranges:
        if low <= n <= high:
            return chr(first + n - low)
    return str(n)


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CIRCLED = ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1))
_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: str(n).translate(_FULL_WIDTH),
    "decimalFullWidth2": lambda n: str(n).translate(_FULL_WIDTH),
    "decimalHalfWidth": str,
    "chineseCounting": lambda n: _chinese(n, _CN_LOWER),
    "chineseCountingThousand": lambda n: _chinese(n, _CN_LOWER),
    "taiwaneseCounting": lambda n: _chinese(n, _CN_LOWER),
    "taiwaneseCountingThousand": lambda n: _chinese(n, _CN_LOWER),
    "japaneseCounting": lambda n: _chinese(n, _CN_LOWER),
    "ideographDigital": lambda n: str(n).translate(_CN_DIGITS),
    "taiwaneseDigital": lambda n: str(n).translate(_CN_DIGITS),
    "chineseLegalSimplified": lambda n: _chinese(n, _CN_LEGAL),
    "ideographLegalTraditional": lambda n: _chinese(n, _CN_LEGAL_TRAD),
    "ideographTraditional": lambda n: _STEMS[(n - 1) % 10] if n > 0 else str(n),
    "ideographZodiac": lambda n: _BRANCHES[(n - 1) % 12] if n > 0 else str(n),
    "upperLetter": _letter,
    "lowerLetter": lambda n: _letter(n).lower(),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
    "decimalEnclosedCircle": lambda n: _enclosed(n, _CIRCLED),
    "decimalEnclosedCircleChinese": lambda n: _enclosed(n, _CIRCLED),
    "decimalEnclosedFullstop": lambda n: _enclosed(n, ((1, 20, 0x2488),)),
    "decimalEnclosedParen": lambda n: _enclosed(n, ((1, 20, 0x2474),)),
    "ideographEnclosedCircle": lambda n: _enclosed(n, ((1, 10, 0x3220),)),
    "none": lambda n: "",
}


def render_number(n: int, fmt: str) -> str:
    """`n` in a Word number format (w:numFmt); unknown formats as decimal."""
    return _FORMATS.get(fmt, str)(n)


# Bullets drawn from symbol fonts are private-use code points (Symbol U+F0B7).
_PUA_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓",
                "\uf06c": "●", "\uf06e": "■", "\uf075": "◆", "\uf0a8": "◆"}


def _bullet(text: str) -> str:
    return "".join(_PUA_BULLETS.get(c, "•") if "\ue000" <= c <= "\uf8ff" else c for c in text)


# --- styles and numbering ----------------------------------------------------------

def _val(el: _Element | None, default: str | None = None) -> str | None:
    if el is None:
        return default
    return el.get(VAL, default)


def _on(el: _Element | None) -> bool | None:
    """A toggle property (w:vanish): None when absent."""
    if el is None:
        return None
    return (el.get(VAL) or "true").lower() not in _FALSE


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


@dataclass
class _Style:
    based_on: str | None
    num_id: str | None
    ilvl: int | None
    hidden: bool | None


@dataclass
class _Styles:
    styles: dict[str, _Style] = field(default_factory=dict)
    default_para: str | None = None

    def chain(self, style_id: str | None) -> Iterator[_Style]:
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            style = self.styles[style_id]
            yield style
            style_id = style.based_on

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        num_id: str | None = None
        ilvl: int | None = None
        for style in self.chain(style_id):
            num_id = num_id if num_id is not None else style.num_id
            ilvl = ilvl if ilvl is not None else style.ilvl
        return num_id, ilvl

    def hidden(self, style_id: str | None) -> bool:
        return next((s.hidden for s in self.chain(style_id) if s.hidden is not None), False)


def _load_styles(root: _Element | None) -> _Styles:
    out = _Styles()
    if root is None:
        return out
    for st in root.iter(_w("style")):
        sid = st.get(_w("styleId"))
        if not sid:
            continue
        num_pr = st.find(f"{PPR}/{_w('numPr')}")
        ilvl = _val(num_pr.find(_w("ilvl"))) if num_pr is not None else None
        out.styles[sid] = _Style(
            based_on=_val(st.find(_w("basedOn"))),
            num_id=_val(num_pr.find(_w("numId"))) if num_pr is not None else None,
            ilvl=_int(ilvl, 0) if ilvl is not None else None,
            hidden=_on(st.find(f"{RPR}/{_w('vanish')}")))
        if st.get(TYPE) == "paragraph" and (st.get(_w("default")) or "") in ("1", "true"):
            out.default_para = sid
    return out


@dataclass(frozen=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None   # w:lvlRestart: restart after this 1-based level; 0 never
    legal: bool = False          # w:isLgl: every number of the label in Arabic digits
    suffix: str = "tab"
    style: str | None = None     # w:pStyle: the paragraph style this level belongs to


def _load_level(lvl: _Element) -> _Level:
    fmt_el = lvl.find(_w("numFmt"))
    if fmt_el is None:  # Word 2010 puts custom formats in mc:AlternateContent
        fmt_el = lvl.find(f"{ALT}/{FALLBACK}/{_w('numFmt')}")
    restart = _val(lvl.find(_w("lvlRestart")))
    return _Level(start=_int(_val(lvl.find(_w("start"))), 1),
                  fmt=_val(fmt_el, "decimal") or "decimal",
                  text=_val(lvl.find(_w("lvlText")), "") or "",
                  restart=_int(restart, 0) if restart is not None else None,
                  legal=bool(_on(lvl.find(_w("isLgl")))),
                  suffix=_val(lvl.find(_w("suff")), "tab") or "tab",
                  style=_val(lvl.find(_w("pStyle"))))


def _levels(parent: _Element) -> dict[int, _Level]:
    return {_int(lvl.get(_w("ilvl")), 0): _load_level(lvl) for lvl in parent.findall(_w("lvl"))}


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int]        # w:lvlOverride/w:startOverride
    levels: dict[int, _Level]     # w:lvlOverride/w:lvl: a level redefined for this list


class _Numbering:
    """numbering.xml and the counters of one pass over the document. Lists that share
    an abstractNum share counters (Word continues them); a w:num with a startOverride
    restarts the list where it is first used."""

    def __init__(self, root: _Element | None, styles: _Styles) -> None:
        self.abstracts: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, _Num] = {}
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[str] = set()
        if root is not None:
            self._load(root, styles)

    def _load(self, root: _Element, styles: _Styles) -> None:
        links: dict[str, str] = {}
        for ab in root.findall(_w("abstractNum")):
            aid = ab.get(_w("abstractNumId")) or ""
            self.abstracts[aid] = _levels(ab)
            link = _val(ab.find(_w("numStyleLink")))
            if link:
                links[aid] = link
        for num in root.findall(_w("num")):
            self.nums[num.get(_w("numId")) or ""] = self._load_num(num)
        for aid, style_id in links.items():  # a list defined by a numbering style
            num_id, _ = styles.numbering(style_id)
            target = self.nums.get(num_id or "")
            if target and target.abstract != aid and not self.abstracts[aid]:
                self.abstracts[aid] = self.abstracts.get(target.abstract, {})

    @staticmethod
    def _load_num(num: _Element) -> _Num:
        starts: dict[int, int] = {}
        levels: dict[int, _Level] = {}
        for ov in num.findall(_w("lvlOverride")):
            ilvl = _int(ov.get(_w("ilvl")), 0)
            so = ov.find(_w("startOverride"))
            lvl = ov.find(_w("lvl"))
            if lvl is not None:
                levels[ilvl] = _load_level(lvl)
                starts[ilvl] = levels[ilvl].start
            if so is not None:
                starts[ilvl] = _int(_val(so), 1)
        return _Num(_val(num.find(_w("abstractNumId")), "") or "", starts, levels)

    def level_of_style(self, num_id: str, style_id: str | None) -> int:
        num = self.nums.get(num_id)
        if num is None or style_id is None:
            return 0
        levels = self.abstracts.get(num.abstract, {})
        return next((i for i, lv in levels.items() if lv.style == style_id), 0)

    def label(self, num_id: str, ilvl: int) -> tuple[str, str]:
        """Advances the list of `num_id` at `ilvl` and returns its label ("一、",
        "（二）", "1.") and w:suff; ("", "") for no numbering."""
        num = self.nums.get(num_id)
        if num is None or not 0 <= ilvl < 9:
            return "", ""
        levels = {**self.abstracts.get(num.abstract, {}), **num.levels}
        level = levels.get(ilvl)
        if level is None:
            return "", ""
        state = self.counters.setdefault(num.abstract, [None] * 9)
        if num_id not in self.started:
            self.started.add(num_id)
            for i in num.starts:
                state[i:] = [None] * (9 - i)

        def start(i: int) -> int:
            lv = levels.get(i)
            return num.starts.get(i, lv.start if lv else 1)

        current = state[ilvl]
        state[ilvl] = start(ilvl) if current is None else current + 1
        self._reset_deeper(state, ilvl, levels)
        if level.fmt == "bullet":
            return _bullet(level.text), level.suffix

        def number(match: re.Match[str]) -> str:
            i = int(match.group(1)) - 1
            lv = levels.get(i)
            value = state[i] if state[i] is not None else start(i)
            assert value is not None
            fmt = "decimal" if level.legal and (lv is None or lv.fmt != "none") else (
                lv.fmt if lv else "decimal")
            return render_number(value, fmt)

        return re.sub(r"%([1-9])", number, level.text), level.suffix

    @staticmethod
    def _reset_deeper(state: list[int | None], ilvl: int, levels: dict[int, _Level]) -> None:
        for i in range(ilvl + 1, 9):
            lv = levels.get(i)
            restart = lv.restart if lv else None
            if restart is None or restart > i or (restart and ilvl < restart):
                state[i] = None


def _labelled(label: str, suffix: str, text: str) -> str:
    """The label before the text. Word puts a tab (w:suff) between them, a layout
    gap: written as nothing next to Han characters or full-width punctuation
    ("一、坚持", "1.开展", as Chinese reports are typed) and as a space between
    Latin characters ("1. Introduction")."""
    if not label or suffix == "nothing" or _is_wide(label[-1]) or _is_wide(text[0]):
        return label + text
    return f"{label} {text}"


# --- text assembly -----------------------------------------------------------------

def _is_wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80 or ch in "“”‘’—…·"


def _join_lines(lines: list[str]) -> str:
    """Lines of one paragraph (or one cell) on one line: no space next to Han
    characters and full-width punctuation, one between Latin words."""
    out = ""
    for line in lines:
        line = line.strip(" \t\r\n")
        if not line:
            continue
        if out and not (_is_wide(out[-1]) or _is_wide(line[0])):
            out += " "
        out += line
    return out


# Symbol-font characters (w:sym) that have a Unicode meaning; others are dropped.
_SYMBOL_FONT = {0xB0: "°", 0xB1: "±", 0xB4: "×", 0xB8: "÷", 0xA3: "≤", 0xB3: "≥", 0xB9: "≠",
                0xD6: "√", 0xA5: "∞", 0xAE: "→", 0xAC: "←", 0xAD: "↑", 0xAF: "↓",
                0xB7: "•", 0x61: "α", 0x62: "β", 0x67: "γ", 0x64: "δ", 0x44: "Δ", 0x6D: "μ",
                0x70: "π", 0x53: "Σ", 0x57: "Ω", 0x2D: "−", 0x3D: "=", 0x2B: "+"}
_WINGDINGS = {0xFC: "✓", 0xFB: "✗", 0xFD: "☒", 0xFE: "☑", 0xA8: "☐", 0x6F: "□",
              0x6C: "●", 0x6E: "■", 0xA7: "▪", 0xD8: "➢", 0x76: "❖", 0x9F: "•"}


def _sym(el: _Element) -> str:
    try:
        code = int(el.get(_w("char")) or "", 16)
    except ValueError:
        return ""
    font = (el.get(_w("font")) or "").lower()
    low = code - 0xF000 if code >= 0xF000 else code
    if "symbol" in font:
        return _SYMBOL_FONT.get(low, "")
    if "wingding" in font:
        return _WINGDINGS.get(low, "")
    return chr(code) if 0x20 <= code < 0xE000 else ""


@dataclass
class _Inline:
    """What one paragraph (or cell) collects: its text pieces ("\\n" for a line
    break) and what goes after it (notes and text boxes)."""

    parts: list[str] = field(default_factory=list)
    notes: list[tuple[str, _Element]] = field(default_factory=list)
    boxes: list[_Element] = field(default_factory=list)

    def text(self) -> str:
        return _join_lines("".join(self.parts).replace("\u00ad", "").split("\n"))


def _choice(alt: _Element) -> _Element | None:
    """The one branch of mc:AlternateContent to read: the first Choice, else Fallback."""
    branch = alt.find(CHOICE)
    return branch if branch is not None else alt.find(FALLBACK)


def _text_boxes(el: _Element) -> Iterator[_Element]:
    """The outermost w:txbxContent under a drawing, once each (a box nested in a box
    is read with its parent; mc:AlternateContent is read through one branch)."""
    for child in el:
        if child.tag == TXBX:
            yield child
        elif child.tag == ALT:
            branch = _choice(child)
            if branch is not None:
                yield from _text_boxes(branch)
        elif isinstance(child.tag, str):
            yield from _text_boxes(child)


class _Walker:
    """One pass over the body: writes paragraphs and tables into the builder."""

    def __init__(self, styles: _Styles, numbering: _Numbering,
                 notes: dict[str, dict[str, _Element]]) -> None:
        self.styles = styles
        self.numbering = numbering
        self.notes = notes
        self.note_count = {"footnote": 0, "endnote": 0}
        self.note_mark = ""              # the mark of the note being written
        self.fields: list[bool] = []     # per open field: True once past "separate"
        self.out = TextBuilder()
        self.warnings: list[str] = []

    # blocks

    def block(self, el: _Element) -> None:
        tag = el.tag
        if tag == P:
            self.paragraph(el)
        elif tag == TBL:
            self.table(el)
        elif tag == ALT:
            branch = _choice(el)
            for child in branch if branch is not None else ():
                self.block(child)
        elif tag in (SDT, SDT_CONTENT, CUSTOM_XML, _w("ins"), _w("moveTo")):
            for child in el:
                self.block(child)
        elif tag == _w("altChunk"):
            self.warnings.append("an imported part (w:altChunk) was not read")

    def paragraph(self, p: _Element) -> None:
        inline = _Inline()
        text = self.paragraph_text(p, inline)
        self.out.paragraph(text)
        self.after(inline)

    def after(self, inline: _Inline) -> None:
        """Notes referenced in a block, then its text boxes, each as paragraphs."""
        for mark, note in inline.notes:
            outer, self.note_mark = self.note_mark, mark
            for child in note:
                self.block(child)
            self.note_mark = outer
        for box in inline.boxes:
            for child in box:
                self.block(child)

    def paragraph_text(self, p: _Element, deferred: _Inline) -> str:
        """A paragraph's line with its numbering label; its notes and text boxes go
        to `deferred` (the paragraph's, or the whole table's for a cell)."""
        own = _Inline(notes=deferred.notes, boxes=deferred.boxes)
        self.inline(p, own, self.para_hidden(p))
        text = own.text()
        label, suffix = self.label(p)  # advances the list even for an empty paragraph
        return _labelled(label, suffix, text) if text else ""

    def para_hidden(self, p: _Element) -> bool:
        return self.styles.hidden(self.para_style(p))

    def para_style(self, p: _Element) -> str | None:
        return _val(p.find(f"{PPR}/{_w('pStyle')}")) or self.styles.default_para

    def label(self, p: _Element) -> tuple[str, str]:
        """The numbering label of a paragraph and its w:suff (advancing its list),
        from the paragraph's own w:numPr or its style's."""
        style_id = self.para_style(p)
        direct = p.find(f"{PPR}/{_w('numPr')}")
        num_id = _val(direct.find(_w("numId"))) if direct is not None else None
        ilvl_s = _val(direct.find(_w("ilvl"))) if direct is not None else None
        ilvl = _int(ilvl_s, 0) if ilvl_s is not None else None
        if num_id is None or ilvl is None:
            style_num, style_lvl = self.styles.numbering(style_id)
            num_id = num_id if num_id is not None else style_num
            ilvl = ilvl if ilvl is not None else style_lvl
        if not num_id or num_id == "0":
            return "", ""
        if ilvl is None:
            ilvl = self.numbering.level_of_style(num_id, style_id)
        return self.numbering.label(num_id, ilvl)

    # inline content

    def inline(self, el: _Element, acc: _Inline, hidden: bool) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_INLINE:
                continue
            if tag == R:
                self.run(child, acc, hidden)
            elif tag == ALT:
                branch = _choice(child)
                if branch is not None:
                    self.inline(branch, acc, hidden)
            elif tag in _MATH:
                if not hidden and self.visible():
                    acc.parts.extend(t.text or "" for t in child.iter(M_T))
            else:  # ins, moveTo, hyperlink, smartTag, sdt, fldSimple, customXml, ...
                self.inline(child, acc, hidden)

    def visible(self) -> bool:
        """Outside field instructions: every open field is showing its result."""
        return all(self.fields)

    def field_char(self, el: _Element) -> None:
        kind = el.get(_w("fldCharType"))
        if kind == "begin":
            self.fields.append(False)
        elif kind == "separate" and self.fields:
            self.fields[-1] = True
        elif kind == "end" and self.fields:
            self.fields.pop()

    def run(self, r: _Element, acc: _Inline, para_hidden: bool) -> None:
        props = r.find(RPR)
        hidden = self.run_hidden(props, para_hidden)
        for child in r:
            tag = child.tag
            if tag == _w("fldChar"):
                self.field_char(child)
            elif hidden or not self.visible() or tag in (RPR, _w("instrText")):
                continue
            elif tag == T:
                acc.parts.append(child.text or "")
            elif tag in (_w("tab"), _w("ptab")):
                acc.parts.append(" ")
            elif tag in (_w("br"), _w("cr")):
                acc.parts.append("\n")
            elif tag == _w("noBreakHyphen"):
                acc.parts.append("-")
            elif tag == _w("sym"):
                acc.parts.append(_sym(child))
            elif tag in (_w("footnoteReference"), _w("endnoteReference")):
                acc.parts.append(self.note_reference(child, acc))
            elif tag in (_w("footnoteRef"), _w("endnoteRef")):
                acc.parts.append(self.note_mark)
            elif tag in (_w("drawing"), _w("pict"), _w("object")):
                acc.boxes.extend(_text_boxes(child))
            elif tag == ALT:  # the same box twice (DrawingML and VML): read one
                branch = _choice(child)
                acc.boxes.extend(_text_boxes(branch) if branch is not None else ())
            elif tag == _w("ruby"):  # the base text, not the phonetic guide (w:rt)
                base = child.find(_w("rubyBase"))
                if base is not None:
                    self.inline(base, acc, hidden)

    def run_hidden(self, props: _Element | None, para_hidden: bool) -> bool:
        if props is None:
            return para_hidden
        direct = _on(props.find(_w("vanish")))
        if direct is not None:
            return direct
        style = _val(props.find(_w("rStyle")))
        return self.styles.hidden(style) if style else para_hidden

    def note_reference(self, ref: _Element, acc: _Inline) -> str:
        kind = "footnote" if ref.tag == _w("footnoteReference") else "endnote"
        note = self.notes[kind].get(ref.get(ID) or "")
        if note is None:
            return ""
        if (ref.get(_w("customMarkFollows")) or "") in ("1", "true"):
            acc.notes.append(("", note))  # the mark is the next run's own text
            return ""
        self.note_count[kind] += 1
        mark = str(self.note_count[kind]).translate(_SUPERSCRIPT)
        acc.notes.append((mark, note))
        return mark

    # tables

    def table(self, tbl: _Element) -> None:
        rows = [tr for tr in _table_rows(tbl)]
        if _is_frame(rows):
            for tr in rows:
                for tc in _row_cells(tr):
                    for child in tc:
                        self.block(child)
            return
        deferred = _Inline()
        cells, spans = self.table_grid(rows, deferred)
        if cells:
            self.out.table(cells, "docx", spans=spans or None)
        self.after(deferred)

    def table_grid(self, rows: list[_Element], deferred: _Inline
                   ) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]]]:
        """The rows as grid places: text in the top-left place of a merged cell,
        "" in the places it covers; spans for the cells covering more than one."""
        grid: list[list[str]] = []
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        open_merges: dict[int, tuple[int, int]] = {}   # column → (row, col) of its top cell
        for r, tr in enumerate(rows):
            line: list[str] = []
            col = _clamp(_int(_val(tr.find(f"{TRPR}/{_w('gridBefore')}")), 0), 0)
            line.extend([""] * col)
            for tc in _row_cells(tr):
                props = tc.find(TCPR)
                span = _clamp(_int(_val(_prop(props, "gridSpan")), 1))
                merge = _prop(props, "vMerge")
                text = self.cell_text(tc, deferred)
                top = open_merges.get(col)
                if merge is not None and (_val(merge) or "continue") == "continue" and top:
                    rs, cs = spans.get(top, (1, 1))
                    spans[top] = (rs + 1, cs)
                    if text:  # Word hides a covered cell's text; keep it with the top cell
                        grid[top[0]][top[1]] = _join_lines([grid[top[0]][top[1]], text])
                    line.extend([""] * span)
                else:
                    for c in range(col, col + span):
                        open_merges.pop(c, None)
                    if merge is not None:
                        open_merges[col] = (r, col)
                    if span > 1:
                        spans[(r, col)] = (1, span)
                    line.extend([text] + [""] * (span - 1))
                col += span
            grid.append(line)
        width = max((len(line) for line in grid), default=0)
        return [line + [""] * (width - len(line)) for line in grid], spans

    def cell_text(self, tc: _Element, deferred: _Inline) -> str:
        """A cell's paragraphs on one line; a nested table's rows flattened into it."""
        lines: list[str] = []
        for child in _cell_blocks(tc):
            if child.tag == P:
                lines.append(self.paragraph_text(child, deferred))
            elif child.tag == TBL:  # nested: its cells and rows one space apart
                nested = (self.cell_text(c, deferred) for tr in _table_rows(child)
                          for c in _row_cells(tr))
                lines.append(" ".join(filter(None, nested)))
        return _join_lines(lines)


_MAX_SPAN = 64  # Word allows 63 columns; a hostile gridSpan must not allocate millions


def _clamp(n: int, low: int = 1) -> int:
    return min(max(n, low), _MAX_SPAN)


def _prop(props: _Element | None, name: str) -> _Element | None:
    return props.find(_w(name)) if props is not None else None


def _unwrap(el: _Element, tag: str) -> Iterator[_Element]:
    """Children with `tag`, looking through content controls and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in (SDT, SDT_CONTENT, CUSTOM_XML):
            yield from _unwrap(child, tag)


def _table_rows(tbl: _Element) -> list[_Element]:
    return list(_unwrap(tbl, TR))


def _row_cells(tr: _Element) -> list[_Element]:
    return list(_unwrap(tr, TC))


def _cell_blocks(tc: _Element) -> Iterator[_Element]:
    for child in tc:
        if child.tag in (P, TBL):
            yield child
        elif child.tag in (SDT, SDT_CONTENT, CUSTOM_XML):
            yield from _cell_blocks(child)


def _is_frame(rows: list[_Element]) -> bool:
    """A one-column table holding tables: a layout frame, not a table of data."""
    if not rows or any(len(_row_cells(tr)) > 1 for tr in rows):
        return False
    return any(tc.find(f".//{TBL}") is not None for tr in rows for tc in _row_cells(tr))


# --- the document ----------------------------------------------------------------

def _notes(root: _Element | None, kind: str) -> dict[str, _Element]:
    if root is None:
        return {}
    return {n.get(ID) or "": n for n in root.findall(_w(kind))
            if (n.get(TYPE) or "normal") == "normal"}  # not separators


_PLACEHOLDER_TITLE = re.compile(
    r"(?i)^(?:title|untitled|document\d*|doc\d*|标题|无标题|文档\d*|新建.*文档.*|"
    r"microsoft word|ppt\S*|.*\.(?:docx?|wps|pdf))$")


def _title(root: _Element | None) -> str:
    """dc:title when it names the document (not an empty or template value)."""
    if root is None:
        return ""
    el = root.find(f"{{{_DC}}}title")
    title = " ".join((el.text or "").split()) if el is not None else ""
    title = re.sub(r"^Microsoft Word - ", "", title)
    title = re.sub(r"(?i)\.(?:docx?|wps)$", "", title)
    if len(title) < 2 or _PLACEHOLDER_TITLE.match(title) or not re.search(r"\w", title):
        return ""
    return title


def _body(root: _Element) -> _Element:
    body = root.find(_w("body"))
    if root.tag != _w("document") or body is None:
        raise ReadError("corrupt", "its word/document.xml is not a WordprocessingML "
                        "document (no w:body)")
    return body


def read_docx(data: bytes, size: int) -> ReadResult:
    """The text of a Word .docx (also .docm, .dotx) with its tables as grids.

    Raises ReadError: encrypted (a password-protected file), corrupt (not a Word
    package, a part missing or broken), too_large (a zip bomb)."""
    if data.startswith(_OLE_MAGIC):
        if is_encrypted_ole(data):
            raise ReadError("encrypted", "is a password-protected Word file: remove the "
                            "password (save it unprotected) and read it again")
        raise ReadError("unsupported", "is an OLE (Word 97-2003) file, not a .docx")
    pkg = _Package(data)
    parts = _find_parts(pkg)
    names = [n for n in (parts.document, parts.styles, parts.numbering, parts.footnotes,
                         parts.endnotes, parts.core) if n]
    pkg.check_sizes(names)

    def load(name: str | None) -> _Element | None:
        return _parse(pkg.read(name), name) if name else None

    body = _body(_parse(pkg.read(parts.document), parts.document))
    styles = _load_styles(load(parts.styles))
    numbering = _Numbering(load(parts.numbering), styles)
    notes = {"footnote": _notes(load(parts.footnotes), "footnote"),
             "endnote": _notes(load(parts.endnotes), "endnote")}
    walker = _Walker(styles, numbering, notes)
    for child in body:
        walker.block(child)
    return walker.out.result("docx", size, title=_title(load(parts.core)),
                             warnings=tuple(walker.warnings))
