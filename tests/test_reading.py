"""Reading: encodings decided by BOM, UTF-8 or the detector; bad files named with a reason."""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable

import pytest

from reportmine.reading import ReadError, Source, decode_bytes, find_sources, read_text

SIMPLIFIED = "二、教育投入\n全年投入资金172.5万元，新增学位210个，比上年增长24.43％。\n"
# Traditional text that Big5 can encode (Big5 has no 〇 and few simplified forms).
TRADITIONAL = ("香港特別行政區政府統計處今日公布，二零二三年第三季本地生產總值較一年前實質上升"
               "4.1%。審計署署長在報告中指出，醫院管理局去年的開支達850億元，較上年度增加6.5%，"
               "共聘請醫生6,800名。勞工處全年處理了12,300宗申索個案，涉及款項約3.2億元。")


@pytest.mark.parametrize("text,codec,encoding", [
    (SIMPLIFIED, "utf-8", "utf-8"),
    (SIMPLIFIED, "utf-8-sig", "utf-8-sig"),
    (SIMPLIFIED, "utf-16", "utf-16-le"),           # Python writes a little-endian BOM
    (SIMPLIFIED, "utf-32", "utf-32-le"),
    (SIMPLIFIED, "gbk", "gb18030"),                # GB18030 is the superset that reads GBK
    (SIMPLIFIED, "gb18030", "gb18030"),
    (TRADITIONAL, "big5", "big5"),
    (TRADITIONAL, "cp950", "big5"),
    (TRADITIONAL, "gb18030", "gb18030"),
    (TRADITIONAL[:12], "big5", "big5"),            # short, and still not GB18030 mojibake
    ("新增学位210个。", "gbk", "gb18030"),
])
def test_decoding(text, codec, encoding):
    assert decode_bytes(text.encode(codec)) == (text, encoding)


@pytest.mark.parametrize("bom,codec,encoding", [
    (b"\xfe\xff", "utf-16-be", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le", "utf-16-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32-le"),
])
def test_byte_order_marks(bom, codec, encoding):
    assert decode_bytes(bom + SIMPLIFIED.encode(codec)) == (SIMPLIFIED, encoding)


@pytest.mark.parametrize("data,reason,says", [
    (b"", "empty", "is empty"),
    (b" \r\n\t\n", "empty", "only whitespace"),
    ("\u3000\n".encode("utf-16"), "empty", "only whitespace"),
    (b"\xef\xbb\xbf", "empty", "is empty"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", "PNG"),
    (b"PK\x03\x04\x14\x00\x06\x00", "binary", "ZIP"),
    (b"{\\rtf1\\ansi\\ansicpg936 ", "binary", "RTF"),
    ("新增学位210个".encode() + b"\x00\x00\x01", "binary", "NUL bytes"),
    ("新增学位210个".encode("utf-16-le"), "binary", "UTF-16 without a byte-order mark"),
    (b"\xff\xfe" + b"\x00\xd8\x41\x00", "undecodable", "utf-16-le"),  # a lone surrogate
    (bytes(range(0x80, 0x100)) * 4, "undecodable", "not text"),
])
def test_not_text(data, reason, says):
    with pytest.raises(ReadError) as exc:
        decode_bytes(data)
    assert exc.value.reason == reason and says in str(exc.value)


def test_read_text_records_encoding_and_size(tmp_path):
    f = tmp_path / "a.txt"
    f.write_bytes(SIMPLIFIED.encode("gb18030"))
    d = read_text(f)
    assert (d.text, d.encoding, d.size) == (SIMPLIFIED, "gb18030", len(SIMPLIFIED.encode("gbk")))


def test_too_large_is_found_without_reading(tmp_path, monkeypatch):
    f = tmp_path / "dump.txt"
    with open(f, "wb") as fh:  # a sparse 200 MB file: stat says so, no byte is read
        fh.truncate(200 * 1024 * 1024)

    def no_read(*args, **kwargs):
        raise AssertionError("a file over the limit must not be read")

    monkeypatch.setattr(os, "fdopen", no_read)
    with pytest.raises(ReadError) as exc:
        read_text(f, max_bytes=1024 * 1024)
    assert exc.value.reason == "too_large" and "209715200 bytes" in str(exc.value)


@pytest.mark.parametrize("make,reason,says", [
    (lambda d: d / "nothing.txt", "missing", "does not exist"),
    (lambda d: _link(d / "dangling.txt", d / "gone.txt"), "missing", "broken symbolic link"),
    (lambda d: _link(d / "loop.txt", d / "loop.txt"), "unreadable", "symbolic link loop"),
    (lambda d: _mkdir(d / "folder.txt"), "unreadable", "is a directory"),
    (lambda d: _fifo(d / "pipe.txt"), "unreadable", "not a regular file"),
])
def test_unreadable_paths(tmp_path, make, reason, says):
    path = make(tmp_path)
    with pytest.raises(ReadError) as exc:
        read_text(path)
    assert exc.value.reason == reason and says in str(exc.value)


# -- folders ----------------------------------------------------------------------
def _tree(root: Path) -> None:
    (root / "b").mkdir(parents=True)
    (root / "a.txt").write_text("a", encoding="utf-8")
    (root / "B.TXT").write_text("b", encoding="utf-8")
    (root / "notes.md").write_text("n", encoding="utf-8")
    (root / ".hidden.txt").write_text("h", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "x.txt").write_text("x", encoding="utf-8")
    (root / "b" / "c.txt").write_text("c", encoding="utf-8")
    (root / "b" / "up").symlink_to("..", target_is_directory=True)   # a loop
    (root / "b" / "self").symlink_to(".", target_is_directory=True)  # another


def _docs(items: list) -> list[str]:
    return [i.doc if isinstance(i, Source) else f"! {i[0]} {i[1].reason}" for i in items]


def test_folder_recursion_skips_hidden_and_loops(tmp_path):
    _tree(tmp_path)
    assert _docs(list(find_sources([tmp_path]))) == ["B.TXT", "a.txt", "b/c.txt"]


def test_glob_filters(tmp_path):
    _tree(tmp_path)
    assert _docs(list(find_sources([tmp_path], "*.md"))) == ["notes.md"]
    assert _docs(list(find_sources([tmp_path], "c*"))) == ["b/c.txt"]


def test_files_are_taken_as_given_and_missing_ones_named(tmp_path):
    _tree(tmp_path)
    items = list(find_sources([tmp_path / "notes.md", tmp_path / "no" / "such.txt"]))
    assert _docs(items) == [str(tmp_path / "notes.md"),
                            f"! {tmp_path / 'no' / 'such.txt'} missing"]


def test_deep_tree_has_no_recursion_limit(tmp_path):
    d = tmp_path
    for _ in range(120):
        d = d / "d"
    d.mkdir(parents=True)
    (d / "deep.txt").write_text("x", encoding="utf-8")
    assert _docs(list(find_sources([tmp_path]))) == ["d/" * 120 + "deep.txt"]


def test_permission_denied_file_and_folder(world_dir):
    secret = world_dir / "secret.txt"
    secret.write_text(SIMPLIFIED, encoding="utf-8")
    locked = world_dir / "locked"
    locked.mkdir()
    (locked / "x.txt").write_text("x", encoding="utf-8")
    (world_dir / "a.txt").write_text("a", encoding="utf-8")
    secret.chmod(0)
    locked.chmod(0)

    def check() -> tuple:
        try:
            read_text(secret)
            read = None
        except ReadError as exc:
            read = (exc.reason, str(exc))
        return read, _docs(list(find_sources([world_dir])))

    if not _can_read(secret):
        result = check()
    elif hasattr(os, "fork") and os.geteuid() == 0:
        result = _as_nobody(check)  # root reads anything: ask an unprivileged user
    else:
        pytest.skip("chmod 000 does not deny reads here")
    assert result == (("unreadable", "cannot be read: Permission denied"),
                      ["a.txt", "secret.txt", "! locked unreadable"])


# -- helpers ----------------------------------------------------------------------
def _link(link: Path, target: Path) -> Path:
    link.symlink_to(target)
    return link


def _mkdir(d: Path) -> Path:
    d.mkdir()
    return d


def _fifo(p: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    os.mkfifo(p)
    return p


@pytest.fixture
def world_dir():
    """A folder any user may enter (pytest's tmp_path is private to its owner)."""
    d = Path(tempfile.mkdtemp(prefix="reportmine-"))
    d.chmod(0o755)
    yield d
    for p in d.iterdir():
        p.chmod(0o755)
    shutil.rmtree(d)


def _as_nobody(fn: Callable[[], object]) -> object:
    """fn() run in a forked child as user nobody; its result, passed back by repr."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            out = repr(fn())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            out = repr(("child failed", repr(exc)))
        os.write(w, out.encode("utf-8"))
        os._exit(0)
    os.close(w)
    chunks = []
    while chunk := os.read(r, 65536):
        chunks.append(chunk)
    os.close(r)
    os.waitpid(pid, 0)
    return ast.literal_eval(b"".join(chunks).decode("utf-8"))


def _can_read(p: Path) -> bool:
    """True where permissions do not stop us (root): then chmod 000 tests are moot."""
    try:
        if p.is_dir():
            os.listdir(p)
        else:
            p.read_bytes()
    except PermissionError:
        return False
    return True
