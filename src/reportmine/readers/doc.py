"""Word 97-2003 (.doc) and WPS (.wps) reader: the binary Word format [MS-DOC] on olefile.

Kingsoft WPS writes .wps files in the same OLE/Word binary format, so one reader
serves both. What is read, and how it is written (as the .docx reader writes it):

- the text of the main document through the piece table (the Clx in the table
  stream): 16-bit pieces as UTF-16LE, "compressed" pieces as cp1252;
- paragraphs end at \\r, a cell mark \\x07 or a page/section break \\x0c; a line
  break \\x0b is joined like a .docx w:br (no space next to Han characters);
- tables from the paragraph properties (PAPX): fInTable, the row-end mark (fTtp)
  and the row's cell boundaries (sprmTDefTable), which give the column spans;
  vertical merges from the cell flags; a nested table is flattened into its cell;
- fields: the result only (\\x13 instruction \\x14 result \\x15, nested);
- footnotes and endnotes: a superscript mark where referenced and the note as its
  own paragraph after the referencing paragraph (after the table, for a cell);
- deleted revisions and hidden text (the character properties, CHPX) are left out;
- automatic list numbering (LSTF/LVL/LFO, from the paragraph or its style) is
  rendered at the paragraph start, so 一、 （一） 1. headings reach the outline finder;
- headers, footers, comments and text boxes are not read.

Every value read from the file is checked before it is used: an offset outside its
stream, a count that does not fit, or CPs out of order raise ReadError("corrupt"),
and no allocation is larger than a small multiple of the file.
"""

from __future__ import annotations

import re
import struct
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterator, Union

from .base import ReadError, ReadResult, TextBuilder
from .docx import _PLACEHOLDER_TITLE, _bullet, _join_lines, _labelled, render_number

__all__ = ["read_doc"]

_W_IDENT = 0xA5EC
_NFIB_97 = 0x00C1                 # Word 97; Word 6/95 files have a smaller nFib
_F_ENCRYPTED, _F_WHICH_TABLE = 0x0100, 0x0200
_F_COMPRESSED = 0x40000000
_FKP = 512

# Indices of (fc, lcb) pairs in FibRgFcLcb97.
_I_STSHF, _I_FND_REF, _I_FND_TXT = 1, 2, 3
_I_BTE_CHPX, _I_BTE_PAPX, _I_CLX = 12, 13, 33
_I_END_REF, _I_END_TXT = 46, 47
_I_PLCF_LST, _I_PLF_LFO = 73, 74

# sprms (single property modifiers) that are read.
_P_ILVL, _P_ILFO = 0x260A, 0x460B
_P_IN_TABLE, _P_TTP, _P_ITAP = 0x2416, 0x2417, 0x6649
_P_INNER_CELL, _P_INNER_TTP = 0x244B, 0x244C
_T_DEF_TABLE, _T_VERT_MERGE = 0xD608, 0xD62B
_C_RMARK_DEL, _C_VANISH = 0x0800, 0x083C
_P_CHG_TABS = 0xC615

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SPECIAL = re.compile(r"[\x00-\x1f\xa0\ufeff]")
# Characters kept when hidden or deleted text is blanked: the structure around it.
_STRUCTURE = re.compile(r"[^\r\x07\x0c\x13\x14\x15]")
_MAX_DEPTH = 64                   # nested fields, style chains


def _corrupt(why: str) -> ReadError:
    return ReadError("corrupt", f"is a damaged Word 97-2003 document: {why}")


def _u16(buf: bytes, pos: int) -> int:
    return int.from_bytes(buf[pos:pos + 2], "little") if pos + 2 <= len(buf) else 0


def _u32(buf: bytes, pos: int) -> int:
    return int.from_bytes(buf[pos:pos + 4], "little") if pos + 4 <= len(buf) else 0


# --- the OLE file and the FIB ----------------------------------------------------------

@dataclass(frozen=True)
class _Fib:
    table: str                          # "1Table" or "0Table"
    ccp: tuple[int, ...]                # ccpText, Ftn, Hdd, (reserved), Atn, Edn
    fclcb: tuple[tuple[int, int], ...]  # (fc, lcb) pairs of FibRgFcLcb

    @property
    def ccp_text(self) -> int:
        return self.ccp[0]

    def blob(self, table: bytes, index: int) -> bytes:
        """The table-stream structure at pair `index` (empty when absent)."""
        if index >= len(self.fclcb):
            return b""
        fc, lcb = self.fclcb[index]
        if lcb == 0:
            return b""
        if fc + lcb > len(table):
            raise _corrupt(f"structure {index} lies outside the table stream")
        return table[fc:fc + lcb]


def _parse_fib(word: bytes) -> _Fib:
    if len(word) < 154:
        raise _corrupt("the WordDocument stream is too short for a FIB")
    ident, nfib = struct.unpack_from("<HH", word, 0)
    flags = _u16(word, 10)
    if ident != _W_IDENT or nfib < _NFIB_97:
        raise ReadError("unsupported", "is a Word 6.0/95 document: save it as .docx")
    if flags & _F_ENCRYPTED:
        raise ReadError("encrypted", "is a password-protected Word document: remove the "
                        "password (save it unprotected) and read it again")
    csw = _u16(word, 32)
    lw_at = 34 + 2 * csw
    cslw = _u16(word, lw_at)
    rg_lw = lw_at + 2
    if cslw < 11 or rg_lw + 4 * cslw + 2 > len(word):
        raise _corrupt("the FIB is truncated")
    # FibRgLw97: ccpText at 12, then ccpFtn, ccpHdd, reserved, ccpAtn, ccpEdn.
    ccp = tuple(struct.unpack_from("<6i", word, rg_lw + 12))
    if any(n < 0 for n in ccp):
        raise _corrupt("a negative character count in the FIB")
    at = rg_lw + 4 * cslw
    count = min(_u16(word, at), (len(word) - at - 2) // 8)
    pairs = struct.unpack_from(f"<{2 * count}I", word, at + 2)
    fclcb = tuple(zip(pairs[::2], pairs[1::2]))
    table = "1Table" if flags & _F_WHICH_TABLE else "0Table"
    return _Fib(table, ccp, fclcb)


def _open(data: bytes) -> tuple[bytes, bytes, _Fib, str]:
    """The WordDocument and table streams, the FIB, and the title from the summary."""
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # olefile raises several types on damaged files
        raise ReadError("corrupt", f"is not a readable OLE (Office 97-2003) file: {exc}"
                        ) from None
    with ole:
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            raise ReadError("encrypted", "is a password-protected Office file: remove the "
                            "password (save it unprotected) and read it again")
        if not ole.exists("WordDocument"):
            raise ReadError("corrupt", "is an OLE file without a WordDocument stream: not "
                            "a Word document")
        word = _stream(ole, "WordDocument", len(data))
        fib = _parse_fib(word)
        if not ole.exists(fib.table):
            raise _corrupt(f"its table stream {fib.table} is missing")
        table = _stream(ole, fib.table, len(data))
        return word, table, fib, _title(ole, len(data))


def _stream(ole: object, name: str, size: int) -> bytes:
    try:
        data: bytes = ole.openstream(name).read()  # type: ignore[attr-defined]
    except Exception as exc:  # a broken FAT chain, a sector outside the file
        raise _corrupt(f"stream {name} cannot be read: {exc}") from None
    if len(data) > 2 * size + _FKP:  # olefile reads what the directory claims
        raise _corrupt(f"stream {name} claims more bytes than the file holds")
    return data


_SUMMARY = "\x05SummaryInformation"
_PID_CODEPAGE, _PID_TITLE = 1, 2
_VT_I2, _VT_LPSTR, _VT_LPWSTR = 2, 0x1E, 0x1F


def _title(ole: object, size: int) -> str:
    """The summary's title when it names the document (not a template value).
    Parsed here, not with olefile's get_metadata, which loops over a damaged
    property count for minutes."""
    try:
        if not ole.exists(_SUMMARY):  # type: ignore[attr-defined]
            return ""
        props = _properties(_stream(ole, _SUMMARY, size))
    except ReadError:
        return ""
    codepage = props.get(_PID_CODEPAGE, (0, b""))
    cp = _u16(codepage[1], 0) if codepage[0] == _VT_I2 else 1252
    kind, raw = props.get(_PID_TITLE, (0, b""))
    if kind == _VT_LPWSTR:
        title = raw.decode("utf-16-le", errors="replace")
    elif kind == _VT_LPSTR:
        try:
            title = raw.decode("utf-8" if cp == 65001 else f"cp{cp}", errors="replace")
        except LookupError:
            title = raw.decode("cp1252", errors="replace")
    else:
        return ""
    title = " ".join(title.replace("\x00", "").split())
    title = re.sub(r"^Microsoft Word - ", "", title)
    title = re.sub(r"(?i)\.(?:docx?|wps)$", "", title)
    if len(title) < 2 or _PLACEHOLDER_TITLE.match(title) or not re.search(r"\w", title):
        return ""
    return title


def _properties(stream: bytes) -> dict[int, tuple[int, bytes]]:
    """Property id → (type, value bytes) of the first property set [MS-OLEPS]."""
    at = _u32(stream, 44)
    count = min(_u32(stream, at + 4), max(len(stream) - at, 0) // 8)
    out: dict[int, tuple[int, bytes]] = {}
    for i in range(count):
        pid, offset = _u32(stream, at + 8 + 8 * i), _u32(stream, at + 12 + 8 * i)
        pos = at + offset
        kind = _u16(stream, pos)
        if kind in (_VT_LPSTR, _VT_LPWSTR):
            n = _u32(stream, pos + 4) * (2 if kind == _VT_LPWSTR else 1)
            out[pid] = (kind, stream[pos + 8:pos + 8 + min(n, 1024)])
        else:
            out[pid] = (kind, stream[pos + 4:pos + 8])
    return out


# --- the piece table --------------------------------------------------------------------

@dataclass(frozen=True)
class _Piece:
    cp: int            # first character
    end: int           # after the last character
    fc: int            # byte offset in the WordDocument stream
    compressed: bool   # 8-bit cp1252, else UTF-16LE

    def fc_of(self, cp: int) -> int:
        return self.fc + (cp - self.cp) * (1 if self.compressed else 2)


def _pieces(clx: bytes, word_len: int) -> list[_Piece]:
    """The PlcPcd of the Clx, after its Prc entries (grpprls of pieces: skipped)."""
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:
        pos += 3 + _u16(clx, pos + 1)
    if pos + 5 > len(clx) or clx[pos] != 0x02:
        raise _corrupt("the piece table (Clx) has no Pcdt")
    lcb = _u32(clx, pos + 1)
    plc = clx[pos + 5:pos + 5 + lcb]
    if lcb < 16 or len(plc) != lcb or (lcb - 4) % 12:
        raise _corrupt("the piece table has an impossible size")
    n = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}i", plc, 0)
    out: list[_Piece] = []
    for i in range(n):
        start, end = cps[i], cps[i + 1]
        if not 0 <= start <= end or start != (out[-1].end if out else 0):
            raise _corrupt("the piece table's characters are out of order")
        fc_raw = _u32(plc, 4 * (n + 1) + 8 * i + 2)
        compressed = bool(fc_raw & _F_COMPRESSED)
        fc = (fc_raw & ~_F_COMPRESSED) // 2 if compressed else fc_raw
        piece = _Piece(start, end, fc, compressed)
        if piece.fc_of(end) > word_len:
            raise _corrupt("a piece of text lies outside the WordDocument stream")
        out.append(piece)
    return out


def _decode(word: bytes, pieces: list[_Piece], count: int) -> str:
    """The first `count` characters of the CP stream."""
    parts: list[str] = []
    for p in pieces:
        if p.cp >= count:
            break
        end = min(p.end, count)
        raw = word[p.fc:p.fc_of(end)]
        parts.append(raw.decode("cp1252", errors="replace") if p.compressed
                     else raw.decode("utf-16-le", errors="replace"))
    return "".join(parts)


# --- property modifiers (sprms) and formatted disk pages -----------------------------------

def _operand_size(buf: bytes, pos: int, sprm: int) -> tuple[int, int]:
    """(bytes before the operand, operand size) of the sprm whose operand is at `pos`."""
    spra = sprm >> 13
    if spra in (0, 1):
        return 0, 1
    if spra in (2, 4, 5):
        return 0, 2
    if spra == 3:
        return 0, 4
    if spra == 7:
        return 0, 3
    if sprm == _T_DEF_TABLE:  # a 2-byte size, one more than the bytes that follow
        return 2, max(_u16(buf, pos) - 1, 0)
    size = buf[pos] if pos < len(buf) else 0
    if sprm == _P_CHG_TABS and size == 255:  # deletions (4 bytes each), then additions
        dels = buf[pos + 1] if pos + 1 < len(buf) else 0
        at = pos + 2 + 4 * dels
        adds = buf[at] if at < len(buf) else 0
        return 1, 1 + 4 * dels + 1 + 3 * adds
    return 1, size


def _sprms(buf: bytes, pos: int = 0) -> dict[int, bytes]:
    """The operand of each sprm of a grpprl (the last one wins)."""
    out: dict[int, bytes] = {}
    while pos + 2 <= len(buf):
        sprm = _u16(buf, pos)
        skip, size = _operand_size(buf, pos + 2, sprm)
        start = pos + 2 + skip
        if start + size > len(buf):
            break
        out[sprm] = buf[start:start + size]
        pos = start + size
    return out


@dataclass(frozen=True)
class _Run:
    start: int          # FC range of the run
    end: int
    props: dict[int, bytes]
    istd: int = 0


def _bte_pages(table_plc: bytes, word_len: int) -> list[int]:
    """The FKP page numbers of a PlcBteChpx/PlcBtePapx."""
    if len(table_plc) < 12 or (len(table_plc) - 4) % 8:
        return []
    n = (len(table_plc) - 4) // 8
    pages = [v & 0x3FFFFF for v in struct.unpack_from(f"<{n}I", table_plc, 4 * (n + 1))]
    if any((pn + 1) * _FKP > word_len for pn in pages):
        raise _corrupt("a property page lies outside the WordDocument stream")
    return pages


def _fkp_runs(word: bytes, pn: int, papx: bool) -> Iterator[_Run]:
    page = word[pn * _FKP:(pn + 1) * _FKP]
    crun = page[511]
    entry = 13 if papx else 1
    table_at = 4 * (crun + 1)
    if table_at + entry * crun > 511:
        raise _corrupt("a property page holds more runs than fit")
    fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
    for i in range(crun):
        offset = 2 * page[table_at + entry * i]
        props: dict[int, bytes] = {}
        istd = 0
        if offset:
            cb = page[offset]
            if papx:
                if cb == 0:
                    cb, start = 2 * page[offset + 1], offset + 2
                else:
                    cb, start = 2 * cb - 1, offset + 1
                grpprl = page[start:start + cb]
                istd = _u16(grpprl, 0)
                props = _sprms(grpprl, 2)
            else:
                props = _sprms(page[offset + 1:offset + 1 + cb])
        if fcs[i] < fcs[i + 1]:
            yield _Run(fcs[i], fcs[i + 1], props, istd)


class _Runs:
    """Property runs by FC (file offset), found by bisection."""

    def __init__(self, runs: list[_Run]) -> None:
        runs.sort(key=lambda r: r.start)
        self.runs = runs
        self.starts = [r.start for r in runs]

    @classmethod
    def load(cls, word: bytes, plc: bytes, papx: bool) -> _Runs:
        runs: list[_Run] = []
        for pn in _bte_pages(plc, len(word)):
            runs.extend(_fkp_runs(word, pn, papx))
        return cls(runs)

    def at(self, fc: int) -> _Run | None:
        i = bisect_right(self.starts, fc) - 1
        if i >= 0 and fc < self.runs[i].end:
            return self.runs[i]
        return None

    def overlapping(self, start: int, end: int) -> Iterator[_Run]:
        i = max(bisect_right(self.starts, start) - 1, 0)
        while i < len(self.runs) and self.runs[i].start < end:
            if self.runs[i].end > start:
                yield self.runs[i]
            i += 1


_C_ISTD = 0x4A30


def _hidden(props: dict[int, bytes], styles: _Styles) -> bool:
    """A run that is deleted (a tracked revision) or hidden, directly or by its
    character style."""
    deleted = props.get(_C_RMARK_DEL)
    if deleted and deleted[0] in (1, 0x81):
        return True
    vanish = props.get(_C_VANISH)
    if vanish and vanish[0] in (0, 1):
        return vanish[0] == 1
    istd = props.get(_C_ISTD)
    return bool(istd) and len(istd) == 2 and styles.hidden(_u16(istd, 0))


def _blank_hidden(text: str, chpx: _Runs, pieces: list[_Piece], styles: _Styles) -> str:
    """`text` with deleted and hidden characters as NUL (dropped later), keeping the
    paragraph, cell and field marks so that the structure holds and CPs stay put."""
    spans: list[tuple[int, int]] = []
    for p in pieces:
        if p.cp >= len(text):
            break
        width = 1 if p.compressed else 2
        end_fc = p.fc_of(min(p.end, len(text)))
        for run in chpx.overlapping(p.fc, end_fc):
            if _hidden(run.props, styles):
                a = p.cp + (max(run.start, p.fc) - p.fc + width - 1) // width
                b = p.cp + (min(run.end, end_fc) - p.fc + width - 1) // width
                spans.append((a, b))
    if not spans:
        return text
    parts, pos = [], 0
    for a, b in sorted(spans):
        a = max(a, pos)
        if a >= b:
            continue
        parts += [text[pos:a], _STRUCTURE.sub("\x00", text[a:b])]
        pos = b
    return "".join(parts) + text[pos:]


# --- paragraph properties ----------------------------------------------------------------

@dataclass(frozen=True)
class _Para:
    """What the reader needs of one paragraph's properties."""

    in_table: bool = False
    row_end: bool = False        # the TTP: the mark that ends a table row
    depth: int = 1               # itap: 1 for a table, 2+ nested
    inner_cell: bool = False     # ends a cell of a nested table
    inner_ttp: bool = False      # ends a row of a nested table
    ilfo: int = 0                # list (LFO index, 1-based; 0 none)
    ilvl: int = 0
    istd: int = 0
    row: _RowDef | None = None   # the TTP's cell boundaries and merges


@dataclass(frozen=True)
class _RowDef:
    edges: tuple[int, ...]       # rgdxaCenter: itcMac + 1 boundaries, in twips
    vmerge: tuple[int, ...]      # per cell: 0 none, 1 continues the cell above, 3 starts
    hmerge: tuple[int, ...]      # per cell: 0 none, 1 first, 2 continues the previous


def _row_def(props: dict[int, bytes]) -> _RowDef | None:
    op = props.get(_T_DEF_TABLE)
    if not op:
        return None
    count = op[0]
    if len(op) < 1 + 2 * (count + 1):
        return None
    edges = struct.unpack_from(f"<{count + 1}h", op, 1)
    tc_at = 1 + 2 * (count + 1)
    flags = [_u16(op, tc_at + 20 * i) if tc_at + 20 * i + 2 <= len(op) else 0
             for i in range(count)]
    vmerge = [(f >> 5) & 3 for f in flags]
    extra = props.get(_T_VERT_MERGE)
    if extra and len(extra) >= 2 and extra[0] < count:
        vmerge[extra[0]] = extra[1]
    return _RowDef(tuple(edges), tuple(vmerge), tuple(f & 3 for f in flags))


def _para(run: _Run | None) -> _Para | None:
    if run is None:
        return None
    p = run.props

    def flag(sprm: int) -> bool:
        return bool(p.get(sprm, b"\x00")[:1] != b"\x00")

    itap = struct.unpack("<i", p[_P_ITAP])[0] if len(p.get(_P_ITAP, b"")) == 4 else 0
    in_table = flag(_P_IN_TABLE) or itap > 0
    row_end = flag(_P_TTP)
    ilfo = struct.unpack("<h", p[_P_ILFO])[0] if len(p.get(_P_ILFO, b"")) == 2 else -1
    return _Para(in_table=in_table, row_end=row_end,
                 depth=itap if itap > 0 else 1, inner_cell=flag(_P_INNER_CELL),
                 inner_ttp=flag(_P_INNER_TTP),
                 ilfo=ilfo, ilvl=p[_P_ILVL][0] if p.get(_P_ILVL) else -1,
                 istd=run.istd, row=_row_def(p) if row_end else None)


# --- styles and lists ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Level:
    start: int
    nfc: int                     # number format code (MS-DOC 2.9.158 MSONFC)
    text: str                    # xst: the label with placeholders \x00..\x08
    restart: bool = True         # deeper levels restart after a higher one
    legal: bool = False          # fLegal: every number of the label in Arabic digits
    follow: int = 0              # ixchFollow: 0 tab, 1 space, 2 nothing


# MSONFC ([MS-OSHARED] 2.2.1.3): the number formats in the order of the .docx
# names (ST_NumberFormat), which render_number knows.
_NFC = dict(enumerate((
    "decimal upperRoman lowerRoman upperLetter lowerLetter ordinal cardinalText "
    "ordinalText hex chicago ideographDigital japaneseCounting aiueo iroha "
    "decimalFullWidth decimalHalfWidth japaneseLegal japaneseDigitalTenThousand "
    "decimalEnclosedCircle decimalFullWidth2 aiueoFullWidth irohaFullWidth decimalZero "
    "bullet ganada chosung decimalEnclosedFullstop decimalEnclosedParen "
    "decimalEnclosedCircleChinese ideographEnclosedCircle ideographTraditional "
    "ideographZodiac ideographZodiacTraditional taiwaneseCounting "
    "ideographLegalTraditional taiwaneseCountingThousand taiwaneseDigital "
    "chineseCounting chineseLegalSimplified chineseCountingThousand").split()))
_NFC[255] = "none"


class _Lists:
    """PlfLst, PlfLfo and the counters of one pass, as _Numbering does for .docx."""

    def __init__(self, table: bytes, fib: _Fib) -> None:
        self.lists: dict[int, tuple[list[_Level], bool]] = {}   # lsid → levels, simple
        self.lfos: list[int] = []                               # ilfo - 1 → lsid
        self.counters: dict[int, list[int | None]] = {}
        try:
            self._load(table, fib)
        except (struct.error, IndexError, ValueError):
            self.lists, self.lfos = {}, []  # a damaged list table costs the labels only

    def _load(self, table: bytes, fib: _Fib) -> None:
        plc = fib.blob(table, _I_PLCF_LST)
        if len(plc) >= 2:
            count = min(_u16(plc, 0), (len(plc) - 2) // 28)
            fc = fib.fclcb[_I_PLCF_LST][0]
            pos = fc + len(plc)          # the LVLs follow the PlfLst in the stream
            for i in range(count):
                at = 2 + 28 * i
                lsid = struct.unpack_from("<i", plc, at)[0]
                simple = bool(plc[at + 26] & 1)
                levels = []
                for _ in range(1 if simple else 9):
                    level, pos = _read_level(table, pos)
                    levels.append(level)
                self.lists[lsid] = (levels, simple)
        lfo = fib.blob(table, _I_PLF_LFO)
        if len(lfo) >= 4:
            count = min(_u32(lfo, 0), (len(lfo) - 4) // 16)
            self.lfos = [struct.unpack_from("<i", lfo, 4 + 16 * i)[0] for i in range(count)]

    def label(self, ilfo: int, ilvl: int) -> tuple[str, str]:
        """Advances the list and returns its label ("一、") and suffix (tab/space/nothing)."""
        if not 0 < ilfo <= len(self.lfos) or not 0 <= ilvl < 9:
            return "", ""
        lsid = self.lfos[ilfo - 1]
        levels, _ = self.lists.get(lsid, ([], True))
        if ilvl >= len(levels):
            return "", ""
        state = self.counters.setdefault(lsid, [None] * 9)
        level = levels[ilvl]
        current = state[ilvl]
        state[ilvl] = level.start if current is None else current + 1
        for i in range(ilvl + 1, 9):
            if i >= len(levels) or levels[i].restart:
                state[i] = None
        suffix = ("tab", "space", "nothing")[level.follow] if level.follow < 3 else "tab"
        fmt = _NFC.get(level.nfc, "decimal")
        if fmt == "bullet":
            return _bullet(level.text), suffix

        def number(ch: str) -> str:
            i = ord(ch)
            lv = levels[i] if i < len(levels) else None
            value = state[i] if state[i] is not None else (lv.start if lv else 1)
            sub = _NFC.get(lv.nfc, "decimal") if lv else "decimal"
            return render_number(value or 0, "decimal" if level.legal and sub != "none" else sub)

        return "".join(number(c) if c < "\x09" else c for c in level.text), suffix


def _read_level(table: bytes, pos: int) -> tuple[_Level, int]:
    """One LVL: LVLF (28 bytes), grpprlPapx, grpprlChpx, then the xst."""
    if pos + 28 > len(table):
        raise ValueError("LVL outside the table stream")
    start = struct.unpack_from("<i", table, pos)[0]
    nfc, flags = table[pos + 4], table[pos + 5]
    follow = table[pos + 15]
    cb_chpx, cb_papx = table[pos + 24], table[pos + 25]
    at = pos + 28 + cb_papx + cb_chpx
    cch = _u16(table, at)
    if at + 2 + 2 * cch > len(table):
        raise ValueError("LVL text outside the table stream")
    text = table[at + 2:at + 2 + 2 * cch].decode("utf-16-le", errors="replace")
    restart = not bool(flags & 0x08)   # fNoRestart
    legal = bool(flags & 0x04)
    return _Level(start, nfc, text, restart, legal, follow), at + 2 + 2 * cch


class _Styles:
    """What paragraph and character styles give, through their basedOn chains: the
    list (ilfo, ilvl) of a paragraph style, whether a character style is hidden."""

    def __init__(self, table: bytes, fib: _Fib) -> None:
        self.styles: dict[int, tuple[int, int, int, bool | None]] = {}
        try:
            self._load(fib.blob(table, _I_STSHF))
        except (struct.error, IndexError, ValueError):
            self.styles = {}

    def _load(self, stsh: bytes) -> None:
        cb_info = _u16(stsh, 0)
        info = stsh[2:2 + cb_info]
        count, cb_base = _u16(info, 0), _u16(info, 2)
        pos = 2 + cb_info
        for istd in range(count):
            if pos + 2 > len(stsh):
                break
            cb = _u16(stsh, pos)
            std = stsh[pos + 2:pos + 2 + cb]
            pos += 2 + cb
            if cb >= cb_base >= 10:
                self._load_std(istd, std, cb_base)

    def _load_std(self, istd: int, std: bytes, cb_base: int) -> None:
        """One STD: its base, then the name (an Xstz), then its UPXs: UpxPapx and
        UpxChpx for a paragraph style, UpxChpx for a character style."""
        kind, base = _u16(std, 2) & 0x0F, _u16(std, 2) >> 4
        if kind not in (1, 2):
            return
        at = cb_base + 2 + 2 * _u16(std, cb_base) + 2
        papx: dict[int, bytes] = {}
        if kind == 1:
            cb = _u16(std, at)
            papx = _sprms(std[at + 2:at + 2 + cb], 2)   # istd, then the grpprl
            at += 2 + cb + (cb & 1)                     # UPXs are padded to even
        cb = _u16(std, at)
        chpx = _sprms(std[at + 2:at + 2 + cb])
        vanish = chpx.get(_C_VANISH)
        hidden = vanish[0] == 1 if vanish and vanish[0] in (0, 1) else None
        ilfo = struct.unpack("<h", papx[_P_ILFO])[0] if len(papx.get(_P_ILFO, b"")) == 2 else -1
        ilvl = papx[_P_ILVL][0] if papx.get(_P_ILVL) else -1
        self.styles[istd] = (base, ilfo, ilvl, hidden)

    def _chain(self, istd: int) -> Iterator[tuple[int, int, int, bool | None]]:
        for _ in range(_MAX_DEPTH):  # a basedOn cycle ends here
            style = self.styles.get(istd)
            if style is None:
                return
            yield style
            istd = style[0]

    def numbering(self, istd: int) -> tuple[int, int]:
        ilfo = ilvl = -1
        for _, s_ilfo, s_ilvl, _ in self._chain(istd):
            ilfo = s_ilfo if ilfo < 0 else ilfo
            ilvl = s_ilvl if ilvl < 0 else ilvl
        return ilfo, ilvl

    def hidden(self, istd: int) -> bool:
        return next((h for *_, h in self._chain(istd) if h is not None), False)


# --- notes ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Notes:
    """One kind of note: reference CP → (auto-numbered, start, end of its text)."""

    refs: dict[int, tuple[bool, int, int]] = field(default_factory=dict)


def _load_notes(table: bytes, fib: _Fib, ref_index: int, txt_index: int, story: int,
                story_len: int) -> _Notes:
    ref = fib.blob(table, ref_index)
    txt = fib.blob(table, txt_index)
    if len(ref) < 10 or (len(ref) - 4) % 6 or len(txt) < 8 or len(txt) % 4:
        return _Notes()
    n = (len(ref) - 4) // 6
    ref_cps = struct.unpack_from(f"<{n}i", ref, 0)
    autos = struct.unpack_from(f"<{n}h", ref, 4 * (n + 1))
    txt_cps = struct.unpack_from(f"<{len(txt) // 4}i", txt, 0)
    out: dict[int, tuple[bool, int, int]] = {}
    for i in range(min(n, len(txt_cps) - 1)):
        start, end = txt_cps[i], txt_cps[i + 1]
        if 0 <= start <= end <= story_len:
            out[ref_cps[i]] = (autos[i] != 0, story + start, story + end)
    return _Notes(out)


# --- the walk over the text ------------------------------------------------------------

# What a cell holds: paragraph lines, and the rows of a table nested in it.
_Block = Union[str, list[list[str]]]


@dataclass
class _Row:
    cells: list[list[_Block]]
    definition: _RowDef | None

    def texts(self) -> list[str]:
        return [_cell_text(c) for c in self.cells]


def _cell_text(blocks: list[_Block]) -> str:
    """A cell on one line; a nested table's cells and rows one space apart."""
    return _join_lines([b if isinstance(b, str) else " ".join(filter(None, sum(b, [])))
                        for b in blocks])


@dataclass
class _Story:
    """The state of one pass over a story (the main text or one note)."""

    in_note: bool = False
    note_mark: str = ""
    line: list[str] = field(default_factory=list)       # the paragraph being read
    line_notes: list[tuple[str, int, int]] = field(default_factory=list)  # its notes
    cell: list[_Block] = field(default_factory=list)    # blocks of the current cell
    cells: list[list[_Block]] = field(default_factory=list)  # cells of the current row
    rows: list[_Row] = field(default_factory=list)      # rows of the current table
    inner: list[list[str]] = field(default_factory=lambda: [[], []])  # nested cell, row
    inner_rows: list[list[str]] = field(default_factory=list)  # the nested table's rows
    notes: list[tuple[str, int, int]] = field(default_factory=list)  # after the table
    last_mark: str = ""


class _Walker:
    """Writes the stories of the document into a TextBuilder."""

    def __init__(self, text: str, papx: _Runs, pieces: list[_Piece], lists: _Lists,
                 styles: _Styles, notes: dict[str, _Notes]) -> None:
        self.text = text
        self.papx = papx
        self.pieces = pieces
        self.piece_starts = [p.cp for p in pieces]
        self.lists = lists
        self.styles = styles
        self.notes = notes
        self.note_count = {"footnote": 0, "endnote": 0}
        self.out = TextBuilder()
        self.field_stack: list[bool] = []   # per open field: True once past its separator
        self.in_instruction = 0             # open fields still in their instruction

    def para_at(self, cp: int) -> _Para | None:
        if not self.papx.runs:
            return None
        i = bisect_right(self.piece_starts, cp) - 1
        if i < 0:
            return None
        return _para(self.papx.at(self.pieces[i].fc_of(cp)))

    # characters

    def walk(self, start: int, end: int, story: _Story) -> None:
        text, pos = self.text, start
        for m in _SPECIAL.finditer(text, start, end):
            if m.start() > pos and not self.in_instruction:
                story.line.append(text[pos:m.start()])
            pos = m.end()
            self.special(m.group(), m.start(), story)
        if pos < end and not self.in_instruction:
            story.line.append(text[pos:end])
        if story.line:
            self.paragraph_end("\r", end, story)
        self.flush_table(story)
        story.notes += story.line_notes
        self.flush_notes(story)

    def special(self, ch: str, cp: int, story: _Story) -> None:
        if ch in "\r\x07\x0c":
            self.paragraph_end(ch, cp, story)
        elif ch == "\x13":
            self.field_stack.append(False)
            self.in_instruction += 1
        elif ch == "\x14":
            if self.field_stack and not self.field_stack[-1]:
                self.field_stack[-1] = True
                self.in_instruction -= 1
        elif ch == "\x15":
            if self.field_stack and not self.field_stack.pop():
                self.in_instruction -= 1
        elif self.in_instruction:
            return
        elif ch in "\x0b\x0e":            # line break, column break
            story.line.append("\n")
        elif ch in "\t\xa0":
            story.line.append(" ")
        elif ch == "\x1e":                # non-breaking hyphen
            story.line.append("-")
        elif ch == "\x02":
            story.line.append(self.note_ref(cp, story))
        # \x01 \x08 pictures and drawn objects, \x05 comments, \x1f soft hyphen: nothing

    def note_ref(self, cp: int, story: _Story) -> str:
        """The superscript mark of an auto-numbered note referenced at `cp`; in a
        note's own text, the note's mark (notes do not reference notes: a damaged
        file that says so must not recurse)."""
        if story.in_note:
            return story.note_mark
        for kind, notes in self.notes.items():
            found = notes.refs.get(cp)
            if found is None:
                continue
            auto, start, end = found
            mark = ""
            if auto:
                self.note_count[kind] += 1
                mark = str(self.note_count[kind]).translate(_SUPERSCRIPT)
            story.line_notes.append((mark, start, end))
            return mark
        return ""

    # paragraphs and tables

    def paragraph_end(self, mark: str, cp: int, story: _Story) -> None:
        para = self.para_at(cp) if mark != "\x0c" else None
        text = _join_lines("".join(story.line).replace("\x00", "").split("\n"))
        story.line = []
        if para is None:
            para = self.guess(mark, text, story)
        label, suffix = self.label(para)
        text = _labelled(label, suffix, text) if text else ""
        if not para.in_table:
            self.flush_table(story)
            self.out.paragraph(text)
            story.notes += story.line_notes
            self.flush_notes(story)
        else:
            story.notes += story.line_notes   # notes of a cell: after the table
            if para.depth > 1:
                self.nested(para, text, story)
            else:
                self.close_nested(story)
                self.in_cell(mark, para, text, story)
        story.line_notes = []
        story.last_mark = mark

    def in_cell(self, mark: str, para: _Para, text: str, story: _Story) -> None:
        if mark == "\x07" and para.row_end:
            self.row_end(para, story)
            return
        if text:
            story.cell.append(text)
        if mark == "\x07":
            story.cells.append(story.cell)
            story.cell = []

    def nested(self, para: _Para, text: str, story: _Story) -> None:
        """A paragraph of a table nested in a cell: its cells end with an inner cell
        mark, its rows with an inner row mark (both \\r)."""
        cell, row = story.inner
        if para.inner_ttp:
            if row:
                story.inner_rows.append(row)
            story.inner = [[], []]
            return
        if text:
            cell.append(text)
        if para.inner_cell:
            row.append(_join_lines(cell))
            story.inner[0] = []

    def close_nested(self, story: _Story) -> None:
        cell, row = story.inner
        rows = story.inner_rows + ([row + [_join_lines(cell)]] if cell or row else [])
        if rows:
            story.cell.append(rows)
        story.inner, story.inner_rows = [[], []], []

    def guess(self, mark: str, text: str, story: _Story) -> _Para:
        """Without paragraph properties: a cell mark is a cell, and an empty one right
        after another cell mark ends the row."""
        if mark != "\x07":
            return _Para(in_table=bool(story.cells or story.cell) and mark == "\r")
        row_end = story.last_mark == "\x07" and not text and not story.cell
        return _Para(in_table=True, row_end=row_end)

    def label(self, para: _Para) -> tuple[str, str]:
        ilfo, ilvl = para.ilfo, para.ilvl
        if ilfo < 0 or ilvl < 0:
            s_ilfo, s_ilvl = self.styles.numbering(para.istd)
            ilfo = s_ilfo if ilfo < 0 else ilfo
            ilvl = s_ilvl if ilvl < 0 else ilvl
        if ilfo <= 0:
            return "", ""
        return self.lists.label(ilfo, max(ilvl, 0))

    def row_end(self, para: _Para, story: _Story) -> None:
        self.close_nested(story)
        if story.cell:  # content after the last cell mark: a cell of its own
            story.cells.append(story.cell)
            story.cell = []
        story.rows.append(_Row(story.cells, para.row))
        story.cells = []

    def flush_table(self, story: _Story) -> None:
        self.close_nested(story)
        if story.cells or story.cell:        # a row without its end mark
            self.row_end(_Para(in_table=True, row_end=True), story)
        if not story.rows:
            return
        rows, story.rows = story.rows, []
        if _is_frame(rows):
            self.unwrap(rows)
        else:
            grid, spans = _grid(rows)
            self.out.table(grid, "doc", spans=spans or None)
        self.flush_notes(story)

    def unwrap(self, rows: list[_Row]) -> None:
        """A one-column table holding a table is a layout frame: its paragraphs and
        tables are written as if they stood outside it."""
        for row in rows:
            for cell in row.cells:
                for block in cell:
                    if isinstance(block, str):
                        self.out.paragraph(block)
                    else:
                        self.out.table(block, "doc")

    def flush_notes(self, story: _Story) -> None:
        notes, story.notes = story.notes, []
        for mark, start, end in notes:
            self.walk(start, end, _Story(in_note=True, note_mark=mark))


def _is_frame(rows: list[_Row]) -> bool:
    if any(len(r.cells) > 1 for r in rows):
        return False
    return any(not isinstance(b, str) for r in rows for c in r.cells for b in c)


# --- table grids --------------------------------------------------------------------------

_MAX_COLS = 64
_EDGE_SLACK = 20   # twips: edges this close are one grid line


def _grid(rows: list[_Row]) -> tuple[list[list[str]], dict[tuple[int, int], tuple[int, int]]]:
    """The rows as grid places: columns from the cell edges of every row (a cell
    spanning two columns of another row has no edge between them); vertical merges
    from the cell flags. Text goes to the top-left place of a merged cell."""
    lines = _column_places(rows)
    width = min(max((max((c + s for c, s, _ in line), default=0) for line in lines),
                    default=0), _MAX_COLS)
    grid = [[""] * width for _ in rows]
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    open_top: dict[int, tuple[int, int]] = {}     # column → (row, col) of the cell above
    for r, (row, line) in enumerate(zip(rows, lines)):
        vmerge = row.definition.vmerge if row.definition else ()
        for i, (col, span, text) in enumerate(line):
            if col >= width:
                break
            span = min(span, width - col)
            flag = vmerge[i] if i < len(vmerge) else 0
            top = open_top.get(col)
            if flag == 1 and top is not None:
                rs, cs = spans.get(top, (1, 1))
                spans[top] = (rs + 1, cs)
                if text:
                    grid[top[0]][top[1]] = _join_lines([grid[top[0]][top[1]], text])
                continue
            for c in range(col, col + span):
                open_top.pop(c, None)
            open_top[col] = (r, col)  # Word merges a continuing cell with the one above
            if span > 1:
                spans[(r, col)] = (1, span)
            grid[r][col] = text
    return grid, spans


def _column_places(rows: list[_Row]) -> list[list[tuple[int, int, str]]]:
    """Per row, each cell's (first column, column span, text)."""
    edges: list[int] = sorted({e for row in rows if _fits(row)
                               for e in row.definition.edges})  # type: ignore[union-attr]
    lines_: list[int] = []
    for e in edges:
        if not lines_ or e - lines_[-1] > _EDGE_SLACK:
            lines_.append(e)

    def column(x: int) -> int:
        return min(range(len(lines_)), key=lambda i: abs(lines_[i] - x))

    out: list[list[tuple[int, int, str]]] = []
    for row in rows:
        if not _fits(row) or len(lines_) > _MAX_COLS + 1:
            out.append([(i, 1, t) for i, t in enumerate(row.texts()[:_MAX_COLS])])
            continue
        d = row.definition
        assert d is not None
        line: list[tuple[int, int, str]] = []
        for i, text in enumerate(row.texts()):
            a, b = column(d.edges[i]), column(d.edges[i + 1])
            if i < len(d.hmerge) and d.hmerge[i] == 2 and line:  # old-style merge
                c, s, t = line[-1]
                line[-1] = (c, max(b - c, s), _join_lines([t, text]))
                continue
            line.append((a, max(b - a, 1), text))
        out.append(line)
    return out


def _fits(row: _Row) -> bool:
    d = row.definition
    return d is not None and len(d.edges) == len(row.cells) + 1 and \
        all(a < b for a, b in zip(d.edges, d.edges[1:]))


# --- the document ----------------------------------------------------------------------------

def _read(data: bytes) -> tuple[str, _Walker]:
    word, table, fib, title = _open(data)
    clx = fib.blob(table, _I_CLX)
    pieces = _pieces(clx, len(word))
    total = pieces[-1].end
    ccp_text, ccp_ftn, ccp_hdd, _, ccp_atn, ccp_edn = fib.ccp
    if ccp_text > total:
        raise _corrupt("the FIB counts more characters than the piece table holds")
    if total > len(word):  # each character takes at least one byte of the stream
        raise _corrupt("the piece table counts more characters than the file holds")
    edn_at = ccp_text + ccp_ftn + ccp_hdd + ccp_atn
    count = min(total, edn_at + ccp_edn)
    text = _decode(word, pieces, count)
    styles = _Styles(table, fib)
    chpx = _Runs.load(word, fib.blob(table, _I_BTE_CHPX), papx=False)
    text = _blank_hidden(text, chpx, pieces, styles)
    papx = _Runs.load(word, fib.blob(table, _I_BTE_PAPX), papx=True)
    notes = {
        "footnote": _load_notes(table, fib, _I_FND_REF, _I_FND_TXT, ccp_text,
                                min(ccp_ftn, max(count - ccp_text, 0))),
        "endnote": _load_notes(table, fib, _I_END_REF, _I_END_TXT, edn_at,
                               min(ccp_edn, max(count - edn_at, 0))),
    }
    walker = _Walker(text, papx, pieces, _Lists(table, fib), styles, notes)
    walker.walk(0, min(ccp_text, len(text)), _Story())
    return title, walker


def read_doc(data: bytes, size: int) -> ReadResult:
    """The text of a Word 97-2003 .doc (or a WPS .wps) with its tables as grids.

    Raises ReadError: corrupt (not a Word file, a damaged structure), encrypted
    (a password), unsupported (a Word 6.0/95 file)."""
    try:
        title, walker = _read(data)
    except ReadError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise _corrupt(f"reading it exhausted the bounds ({type(exc).__name__})") from None
    except Exception as exc:  # a check this reader lacks must still give an error row
        raise _corrupt(f"{type(exc).__name__}: {exc}") from None
    return walker.out.result("doc", size, title=title)
