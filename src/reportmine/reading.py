"""Reading: find the files of a batch and decode them, reporting what cannot be read."""

from __future__ import annotations

import codecs
import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

DEFAULT_MAX_BYTES = 256 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Magic numbers of formats that are not text, whatever their file name says.
_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (docx, xlsx …)"),
    (b"\xd0\xcf\x11\xe0", "an OLE file (doc, xls …)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
)


class ReadError(Exception):
    """A file that cannot be read as text: `reason` is a short code, str() says why."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


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


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Text and encoding name of `data`: a BOM, else UTF-8, else GB18030, else Big5."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(enc.replace("-sig", "")), enc
            except UnicodeDecodeError as exc:
                raise ReadError("undecodable", f"has a {enc} byte-order mark but is not "
                                f"valid {enc} (byte {exc.start + len(bom)})") from None
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ReadError("binary", f"is {what}, not text")
    if b"\x00" in data[:8192]:
        raise ReadError("binary", "holds NUL bytes: binary data or UTF-16 without a "
                        "byte-order mark")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in ("gb18030", "big5"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise ReadError("undecodable", "is not UTF-8, GB18030 or Big5 text")


def read_text(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """Read and decode one file, or raise ReadError with the reason."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ReadError("unreadable", f"cannot be read: {exc.strerror}") from None
    if size > max_bytes:
        raise ReadError("too_large", f"is {size} bytes, over the limit of {max_bytes}")
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise ReadError("unreadable", "is a directory") from None
    except OSError as exc:
        raise ReadError("unreadable", f"cannot be read: {exc.strerror}") from None
    if not data.strip():
        raise ReadError("empty", "is empty")
    text, enc = decode_bytes(data)
    return Decoded(text, enc, len(data))


def find_sources(paths: list[str | Path], pattern: str = "*.txt"
                 ) -> Iterator[Source | tuple[str, ReadError]]:
    """Files under `paths` (files as given, folders recursively), sorted by name.

    Yields a Source per file, or (path, ReadError) for what cannot be listed.
    Hidden files and folders are skipped; symlinked folders are not followed twice.
    """
    for given in paths:
        p = Path(given)
        if p.is_file():
            yield Source(p, str(given))
            continue
        if not p.exists():
            yield str(given), ReadError("missing", "does not exist")
            continue
        found: list[Source] = []
        errors: list[tuple[str, ReadError]] = []
        seen_dirs: set[tuple[int, int]] = set()

        def onerror(exc: OSError) -> None:
            errors.append((str(exc.filename), ReadError(
                "unreadable", f"folder cannot be listed: {exc.strerror}")))

        for root, dirs, files in os.walk(p, onerror=onerror, followlinks=True):
            try:
                st = os.stat(root)
                key = (st.st_dev, st.st_ino)
            except OSError:
                key = None
            if key is not None and key in seen_dirs:
                dirs[:] = []
                continue
            if key is not None:
                seen_dirs.add(key)
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if name.startswith(".") or not fnmatch.fnmatch(name, pattern):
                    continue
                full = Path(root) / name
                found.append(Source(full, full.relative_to(p).as_posix()))
        yield from sorted(found, key=lambda s: s.doc)
        yield from errors
