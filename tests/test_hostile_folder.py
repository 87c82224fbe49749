"""A folder from the field: every encoding and every kind of bad file, in one run.

The run must finish with exit code 1, name each bad file once with the right reason,
and give the good files exactly the rows a run without the bad ones gives them.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from reportmine.cli import main
from reportmine.pipeline import Pipeline
from reportmine.reading import read_text
from tests.conftest import SAMPLES

SAMPLE_FILES = sorted(SAMPLES.glob("*.txt"))
# Traditional text that Big5 can encode: the samples are simplified Chinese, which
# Big5 cannot write (区, 总, 会 …), so the Big5 case is this paragraph, written here.
TRADITIONAL = ("香港特別行政區政府統計處今日公布，二零二三年第三季本地生產總值較一年前實質上升"
               "4.1%。審計署署長在報告中指出，醫院管理局去年的開支達850億元，較上年度增加6.5%，"
               "共聘請醫生6,800名。勞工處全年處理了12,300宗申索個案，涉及款項約3.2億元。\n")
MAX_BYTES = 60_000  # above every good file here, below huge.txt


def _sample(i: int) -> str:
    return SAMPLE_FILES[i].read_text(encoding="utf-8")


# name → (bytes, encoding documents.csv must record)
GOOD: dict[str, tuple[bytes, str]] = {
    "a_utf8.txt": (_sample(0).encode("utf-8"), "utf-8"),
    "b_utf8_bom.txt": (_sample(1).encode("utf-8-sig"), "utf-8-sig"),
    "c_gbk.txt": (_sample(4).encode("gbk"), "gb18030"),
    "d_gb18030.txt": (_sample(2).encode("gb18030"), "gb18030"),
    "e_big5.txt": (TRADITIONAL.encode("big5"), "big5"),
    "f_utf16le.txt": (b"\xff\xfe" + _sample(3).encode("utf-16-le"), "utf-16-le"),
    "g_utf16be.txt": (b"\xfe\xff" + _sample(1).encode("utf-16-be"), "utf-16-be"),
    "h_utf32.txt": (_sample(0).encode("utf-32"), "utf-32-le"),
    "sub/nested.txt": (_sample(2).encode("utf-8"), "utf-8"),
    "REPORT.TXT": (TRADITIONAL.encode("utf-8"), "utf-8"),
}
# name → (bytes, reason errors.csv must give)
BAD: dict[str, tuple[bytes, str]] = {
    "empty.txt": (b"", "empty"),
    "blank.txt": (b" \r\n\t\r\n", "empty"),
    # Read by what their bytes are: a truncated PDF, an image named .txt.
    "scan.txt": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>", "corrupt"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", "unsupported"),
    "nul.txt": ("新增学位210个".encode() + b"\x00" * 64, "binary"),
    "huge.txt": (("新增学位210个。" * 4000).encode("utf-8")[:MAX_BYTES + 1000], "too_large"),
    "garbled.txt": (bytes(range(0x80, 0x100)) * 8, "undecodable"),
}


def _write(root: Path, files: dict[str, tuple[bytes, str]]) -> None:
    for name, (data, _) in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _rows(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()


def _dicts(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _can_read(p: Path) -> bool:
    try:
        os.listdir(p) if p.is_dir() else p.read_bytes()
    except PermissionError:
        return False
    return True


@pytest.fixture
def field_folder(tmp_path: Path):
    """good/ holds the good files only; field/ holds them and every bad case."""
    good, field = tmp_path / "good", tmp_path / "field"
    _write(good, GOOD)
    _write(field, GOOD)
    _write(field, BAD)
    (field / "secret.txt").write_text("新增学位210个。", encoding="utf-8")
    (field / "secret.txt").chmod(0)
    (field / "locked").mkdir()
    (field / "locked").chmod(0)
    (field / "loop.txt").symlink_to("loop.txt")              # a symlink loop
    (field / "dangling.txt").symlink_to("gone.txt")          # a broken link
    (field / "sub" / "up").symlink_to("..", target_is_directory=True)  # a folder loop
    (field / "folder.txt").mkdir()                           # a folder, walked: no row
    if hasattr(os, "mkfifo"):
        os.mkfifo(field / "pipe.txt")                        # reading would block
    (field / ".hidden.txt").write_bytes(b"%PDF-1.4 hidden")  # skipped, no row
    (field / ".cache").mkdir()
    (field / ".cache" / "x.txt").write_bytes(b"\x00\x01")    # skipped, no row
    (field / "notes.log").write_bytes(b"%PDF-1.4 not a format")  # skipped by the glob
    for root in (good, field):  # a name that is not UTF-8 (a GBK file name from a zip)
        try:
            Path(os.fsdecode(os.path.join(os.fsencode(root), b"\xc3\xfb.txt"))).write_bytes(
                TRADITIONAL.encode("utf-8"))
        except (OSError, UnicodeError):  # file systems that only take UTF-8 names
            pass
    yield good, field
    (field / "secret.txt").chmod(0o644)
    (field / "locked").chmod(0o755)


def test_field_folder(field_folder, tmp_path):
    good, field = field_folder
    out_good, out_field = tmp_path / "out_good", tmp_path / "out_field"
    assert main(["extract", str(good), "-o", str(out_good), "-q",
                 "--max-bytes", str(MAX_BYTES)]) == 0
    assert main(["extract", str(field), "-o", str(out_field), "-q",
                 "--max-bytes", str(MAX_BYTES)]) == 1

    # One error row per bad file, with the right reason.
    expected = {name: ("read", reason) for name, (_, reason) in BAD.items()}
    expected["loop.txt"] = ("read", "unreadable")
    expected["dangling.txt"] = ("read", "missing")
    if hasattr(os, "mkfifo"):
        expected["pipe.txt"] = ("read", "unreadable")
    if not _can_read(field / "secret.txt"):  # as root, chmod 000 denies nothing
        expected["secret.txt"] = ("read", "unreadable")
        expected["locked"] = ("list", "unreadable")
    errors = _dicts(out_field / "errors.csv")
    got = {e["doc"]: (e["stage"], e["reason"]) for e in errors}
    assert got == expected
    assert len(errors) == len(expected)  # one row per bad file
    messages = {e["doc"]: e["message"] for e in errors}
    assert "symbolic link loop" in messages["loop.txt"]
    assert "PDF" in messages["scan.txt"] and "PNG" in messages["image.txt"]
    assert f"over the limit of {MAX_BYTES}" in messages["huge.txt"]
    assert all(e["doc"] in e["message"] for e in errors)

    # Every good file has its document row, with the encoding it was written in.
    docs = {d["doc"]: d for d in _dicts(out_field / "documents.csv")}
    ok_docs = {k: v for k, v in docs.items() if k != "secret.txt"}
    odd_name = "\\udcc3\\udcfb.txt"  # written with backslash escapes, never a crash
    if (good / "\udcc3\udcfb.txt").exists():
        assert ok_docs.pop(odd_name)["encoding"] == "utf-8"
    assert {k: v["encoding"] for k, v in ok_docs.items()} == {
        name: enc for name, (_, enc) in GOOD.items()}

    # The good files' rows are byte for byte those of the run without the bad files.
    for table in ("metrics", "sections", "removed", "rejected"):
        field_rows = [r for r in _rows(out_field / f"{table}.csv")
                      if not r.startswith("secret.txt,")]
        assert field_rows == _rows(out_good / f"{table}.csv"), table
    strip_path = [{k: v for k, v in d.items() if k != "path"} for k, d in docs.items()
                  if k != "secret.txt"]
    assert strip_path == [{k: v for k, v in d.items() if k != "path"}
                          for d in _dicts(out_good / "documents.csv")]
    assert len(_rows(out_good / "metrics.csv")) > 300


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("codec,bom,encoding", [
    ("gb18030", b"", "gb18030"),
    ("utf-16-le", b"\xff\xfe", "utf-16-le"),
    ("utf-16-be", b"\xfe\xff", "utf-16-be"),
])
def test_encoded_copies_give_the_same_metrics(pipeline, tmp_path, sample, codec, bom, encoding):
    text = sample.read_text(encoding="utf-8")
    copy = tmp_path / sample.name
    copy.write_bytes(bom + text.encode(codec))
    _same_metrics(pipeline, sample, copy, encoding)


def test_big5_copy_gives_the_same_metrics(pipeline, tmp_path):
    original, copy = tmp_path / "utf8.txt", tmp_path / "big5.txt"
    original.write_text(TRADITIONAL, encoding="utf-8")
    copy.write_bytes(TRADITIONAL.encode("big5"))
    metrics = _same_metrics(pipeline, original, copy, "big5")
    assert [(m.text, str(m.value)) for m in metrics][:3] == [
        ("4.1%", "4.1"), ("850億元", "85000000000"), ("6.5%", "6.5")]


def _same_metrics(pipeline: Pipeline, original: Path, copy: Path, encoding: str) -> list:
    want = read_text(original)
    got = read_text(copy)
    assert got.encoding == encoding and got.text == want.text
    a = pipeline.parse_text(want.text, "doc").metrics
    b = pipeline.parse_text(got.text, "doc").metrics
    assert a and a == b  # offsets are into the decoded text, so they agree too
    assert all(got.text[m.start:m.end] == m.text for m in b)
    return list(b)


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline()
