"""Reading: find the files of a batch and decode them, reporting what cannot be read.

Every failure is a `ReadError` with a short reason code (the `reason` column of
errors.csv) and a message that says why:

    missing      the path does not exist (or is a broken symbolic link)
    unreadable   permission denied, a symbolic link loop, not a regular file, an I/O error
    too_large    over the size limit (found with stat, before any byte is read)
    empty        no bytes, or only whitespace
    binary       a known binary format (PDF, ZIP, PNG …) or NUL bytes
    undecodable  bytes that no supported encoding reads without error
"""

from __future__ import annotations

import codecs
import errno
import fnmatch
import functools
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

# The file names a folder is searched for by default: every format reportmine.readers
# reads (here, not there: listing a folder must not import the readers).
SUPPORTED_GLOBS = ("*.txt", "*.md", "*.markdown", "*.html", "*.htm", "*.shtml", "*.xhtml",
                   "*.pdf", "*.docx", "*.docm", "*.xlsx", "*.xlsm", "*.xls", "*.doc",
                   "*.wps", "*.et")
DEFAULT_MAX_BYTES = 256 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Magic numbers of formats that are not plain text, whatever their file name says.
_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (docx, xlsx …)"),
    (b"\xd0\xcf\x11\xe0", "an OLE file (doc, xls …)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x7fELF", "an executable"),
)
# Where the bytes do not say (no BOM, not UTF-8), the detector chooses among the
# Chinese legacy encodings first. GB18030 decodes almost any byte string, so trying
# it first would turn a Big5 file into mojibake; the detector weighs how plausible
# each decoding is instead. cp950 and big5hkscs are Big5 with the Windows and Hong
# Kong extensions.
_CHINESE_ENCODINGS = ("gb18030", "big5", "cp950", "big5hkscs")


class ReadError(Exception):
    """A file that cannot be read: `reason` is a short code, str() says why.

    Reasons of text files are listed above; documents of other formats add corrupt,
    encrypted, no_text and unsupported (see reportmine.readers).
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # picklable across processes
        return (type(self), (self.reason, str(self)))


@dataclass(frozen=True)
class Source:
    """A file to process: its path on disk and its name in the tables."""

    path: Path
    doc: str


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    size: int


def _detect(data: bytes) -> tuple[str, str]:
    """Text and encoding of bytes that are not UTF-8, chosen by charset-normalizer."""
    from charset_normalizer import from_bytes

    for isolation in (list(_CHINESE_ENCODINGS), None):
        for match in from_bytes(data, cp_isolation=isolation):
            # The detector samples large files; decode the whole file strictly.
            try:
                return data.decode(match.encoding), match.encoding
            except (UnicodeDecodeError, LookupError):
                continue
    raise ReadError("undecodable", "is not text in UTF-8, UTF-16/32 with a byte-order "
                    "mark, GB18030, Big5 or another encoding the detector knows")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text and encoding name of `data`: a BOM, else UTF-8, else the detector's choice.

    Raises ReadError for binary data, undecodable bytes and text that is only
    whitespace.
    """
    text: str | None = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(enc.replace("-sig", ""))
            except UnicodeDecodeError as exc:
                raise ReadError("undecodable", f"has a {enc} byte-order mark but is not "
                                f"valid {enc} (byte {exc.start + len(bom)})") from None
            break
    if text is None:
        for magic, what in _MAGIC:
            if data.startswith(magic):
                raise ReadError("binary", f"is {what}, not text")
        nul = data.find(b"\x00")
        if nul >= 0:
            raise ReadError("binary", f"holds NUL bytes (the first at byte {nul}): binary "
                            "data, or UTF-16 without a byte-order mark")
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = _detect(data)
    if not text or text.isspace():
        raise ReadError("empty", "holds only whitespace" if text else "is empty")
    return text, enc


def _stat_error(exc: OSError, path: Path) -> ReadError:
    if exc.errno == errno.ELOOP:
        return ReadError("unreadable", "cannot be read: a symbolic link loop")
    if isinstance(exc, FileNotFoundError):
        if path.is_symlink():
            return ReadError("missing", "is a broken symbolic link")
        return ReadError("missing", "does not exist")
    return ReadError("unreadable", f"cannot be read: {exc.strerror}")


def read_bytes(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of one file, or raise ReadError with the reason.

    The size is checked before reading, and no more than `max_bytes` + 1 bytes are
    ever read, so a huge file (or one that grows meanwhile) is never loaded whole.
    """
    p = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO named *.txt must not wait for a writer.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        if isinstance(exc, IsADirectoryError):
            raise ReadError("unreadable", "is a directory") from None
        raise _stat_error(exc, p) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise ReadError("unreadable", "is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise ReadError("unreadable", "is not a regular file (a device, FIFO or socket)")
        if st.st_size > max_bytes:
            raise ReadError("too_large", f"is {st.st_size} bytes, over the limit of {max_bytes}")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise ReadError("unreadable", f"cannot be read: {exc.strerror}") from None
    if len(data) > max_bytes:
        raise ReadError("too_large", f"grew past the limit of {max_bytes} bytes while read")
    return data


def read_text(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """Read and decode one text file, or raise ReadError with the reason (a document
    of another format is read by reportmine.readers.read_document)."""
    data = read_bytes(path, max_bytes)
    text, enc = decode_bytes(data)
    return Decoded(text, enc, len(data))


def _matches(name: str, pattern: str | Sequence[str]) -> bool:
    """Glob match ignoring case: folders from Windows hold REPORT.TXT beside report.txt.
    Several patterns: any of them."""
    patterns = (pattern,) if isinstance(pattern, str) else tuple(pattern)
    return _glob_regex(patterns).match(name.casefold()) is not None


@functools.lru_cache(maxsize=16)
def _glob_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """The patterns as one regular expression (sixteen globs tried one by one cost a
    thousand files a hundredth of a second)."""
    return re.compile("|".join(fnmatch.translate(p.casefold()) for p in patterns))


def find_sources(paths: list[str | Path], pattern: str | Sequence[str] = "*.txt"
                 ) -> Iterator[Source | tuple[str, ReadError]]:
    """Files under `paths` (files as given, folders recursively), sorted by name.

    Yields a Source per file, or (path, ReadError) for what cannot be listed. Hidden
    files and folders (names starting with a dot) are skipped; symbolic links to
    folders are followed once, so a link loop is not walked round.
    """
    for given in paths:
        p = Path(given)
        try:
            st = p.stat()
        except OSError as exc:
            yield str(given), _stat_error(exc, p)
            continue
        if not stat.S_ISDIR(st.st_mode):
            yield Source(p, str(given))  # read_text says what is wrong with it, if anything
            continue
        found, errors = _walk(p, str(given), pattern)
        yield from sorted(found, key=lambda s: s.doc)
        yield from sorted(errors, key=lambda e: e[0])


def _walk(top: Path, given: str, pattern: str | Sequence[str]
          ) -> tuple[list[Source], list[tuple[str, ReadError]]]:
    """The files under `top` matching `pattern`, and the folders that cannot be listed.

    Iterative (no recursion limit on deep trees); each folder is listed once, by
    device and inode, however many links lead to it.
    """
    found: list[Source] = []
    errors: list[tuple[str, ReadError]] = []
    seen: set[tuple[int, int]] = set()
    # Each folder with its name relative to `top` ("" for top): a file's name is that
    # and its own, joined by "/" (pathlib's relative_to per file costs a thousand
    # documents a hundredth of a second, on every incremental run).
    stack: list[tuple[Path, str]] = [(top, "")]
    while stack:
        folder, rel = stack.pop()
        try:
            st = folder.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            err = _stat_error(exc, folder)
            errors.append((rel or given, ReadError(
                err.reason, f"folder cannot be listed: {exc.strerror}")))
            continue
        prefix = f"{rel}/" if rel else ""
        subfolders: list[tuple[Path, str]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()  # follows links; a link loop raises ELOOP
            except OSError:
                is_dir = False  # read_text reports it, if its name matches
            if is_dir:
                subfolders.append((Path(entry.path), prefix + entry.name))
            elif _matches(entry.name, pattern):
                found.append(Source(Path(entry.path), prefix + entry.name))
        stack.extend(reversed(subfolders))
    return found, errors
