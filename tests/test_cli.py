"""The CLI: files written, exit codes, every command's help."""

import csv
import subprocess
import sys

import pytest

from reportmine.cli import main
from tests.conftest import SAMPLES


def run(*args):
    return subprocess.run([sys.executable, "-m", "reportmine", *args], capture_output=True,
                          text=True)


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_extract_writes_every_table(tmp_path):
    out = tmp_path / "out"
    assert main(["extract", str(SAMPLES), "-o", str(out), "-q"]) == 0
    names = sorted(p.name for p in out.iterdir() if p.name != ".reportmine")  # the cache
    assert names == ["checks.csv", "documents.csv", "errors.csv", "metrics.csv",
                     "rejected.csv", "removed.csv", "sections.csv", "tables.csv"]
    metrics = read_csv(out / "metrics.csv")
    assert len(metrics) > 300
    row = next(r for r in metrics if r["text"] == "172.5万元")
    assert (row["kind"], row["value"], row["unit"], row["masked"]) == ("money", "1725000", "元",
                                                                       "false")
    assert len(read_csv(out / "documents.csv")) == 5
    assert read_csv(out / "errors.csv") == []


def test_exit_1_when_some_files_fail(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("新增学位210个。", encoding="utf-8")
    (src / "b.txt").write_bytes(b"%PDF-1.4 binary")  # read as the PDF it is: a broken one
    out = tmp_path / "out"
    assert main(["extract", str(src), "-o", str(out), "-q"]) == 1
    errors = read_csv(out / "errors.csv")
    assert [(e["doc"], e["stage"], e["reason"]) for e in errors] == [("b.txt", "read", "corrupt")]
    assert [r["text"] for r in read_csv(out / "metrics.csv")] == ["210个"]


def test_exit_2_for_usage_errors(tmp_path):
    assert run("extract").returncode == 2
    assert run("nonsense").returncode == 2
    other = tmp_path / "busy"
    other.mkdir()
    (other / "notes.md").write_text("mine", encoding="utf-8")
    r = run("extract", str(SAMPLES), "-o", str(other))
    assert r.returncode == 2 and "--force" in r.stderr
    assert run("extract", str(SAMPLES), "-o", str(other), "--force", "-q").returncode == 0


def test_exit_2_for_a_bad_rule_file(tmp_path):
    overlay = tmp_path / "rules"
    overlay.mkdir()
    (overlay / "units.toml").write_text("[[units]]\nkind = 3\n", encoding="utf-8")
    r = run("extract", str(SAMPLES), "-o", str(tmp_path / "o"), "--patterns", str(overlay))
    assert r.returncode == 2
    assert "units.toml" in r.stderr and "bad rule file" in r.stderr


@pytest.mark.parametrize("command", ["extract", "check", "show", "clean", "sections", "text",
                                     "compare"])
def test_help(command):
    r = run(command, "--help")
    assert r.returncode == 0 and "usage:" in r.stdout


def test_show(capsys):
    assert main(["show", str(SAMPLES / "000_8962da1a5d06fb49.txt")]) == 0
    out = capsys.readouterr().out
    assert "172.5万元" in out and "投入资金" in out and "1725000" in out


def test_show_rejected(capsys):
    assert main(["show", str(SAMPLES / "000_8962da1a5d06fb49.txt"), "--rejected"]) == 0
    out = capsys.readouterr().out
    assert "ordinal-di" in out and "date" in out


def test_clean(capsys):
    assert main(["clean", str(SAMPLES / "000_8962da1a5d06fb49.txt")]) == 0
    out = capsys.readouterr().out
    assert "素材库" not in out and "##paidbegin##" not in out and "投入资金172.5万元" in out
    assert main(["clean", "--show-removed", str(SAMPLES / "000_8962da1a5d06fb49.txt")]) == 0
    assert "⟦ad:##paidbegin##⟧" in capsys.readouterr().out


def test_sections(capsys):
    assert main(["sections", str(SAMPLES / "003_b71ddd899b90d843.txt")]) == 0
    out = capsys.readouterr().out
    assert "一、2023年工作总结" in out and "    1.全面加强党的建设" in out


def test_missing_file_is_exit_1(capsys):
    assert main(["show", "no/such/file.txt"]) == 1


def test_output_is_the_same_for_any_number_of_jobs(tmp_path):
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"jobs{jobs}"
        assert main(["extract", str(SAMPLES), "-o", str(out), "-q", "--jobs", jobs]) == 0
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir() if p.name != ".reportmine")
    assert names == sorted(p.name for p in outs[1].iterdir() if p.name != ".reportmine")
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name

def test_clean_marks_one_reason_and_counts_by_rule(capsys, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("下载\n打印\n收藏\n<p>全年投入<b>120</b>万元。</p>\n", encoding="utf-8")
    assert main(["clean", "--show-removed", "--reason", "portal", str(page)]) == 0
    out, err = capsys.readouterr()
    assert out == "⟦portal:下载⏎打印⏎收藏⟧\n\n全年投入120万元。\n\n"
    assert "portal-toolbar" in err and "html-tag" in err
    assert main(["clean", str(page)]) == 0
    assert capsys.readouterr().out == "\n\n全年投入120万元。\n\n"


def test_text_cells_are_exact_and_formulas_are_guarded(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("=HYPERLINK(1)\n收入较上季下跌\n-12.5%\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["extract", str(src), "-o", str(out), "-q"]) == 0
    (row,) = read_csv(out / "metrics.csv")
    assert row["text"] == "-12.5%" and row["value"] == "-12.5"
    assert row["sentence"] == "'-12.5%"
    (doc,) = read_csv(out / "documents.csv")
    assert doc["title"] == "'=HYPERLINK(1)"
    assert main(["extract", str(src), "-o", str(tmp_path / "raw"), "-q", "--raw-cells"]) == 0
    (doc,) = read_csv(tmp_path / "raw" / "documents.csv")
    assert doc["title"] == "=HYPERLINK(1)"


PAGE = ("<!DOCTYPE html><html><head><meta charset=\"gbk\"><title>公报</title></head><body>"
        "<div>首页 &gt; 统计数据</div><p>全年地区生产总值增长5.2%。</p></body></html>")


def test_text_prints_the_text_offsets_point_into(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_bytes(PAGE.encode("gb18030"))
    assert main(["text", str(page)]) == 0
    assert capsys.readouterr().out == PAGE  # a web page's text is its decoded source


def test_default_glob_takes_every_format_and_save_text_writes_the_texts(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text("新增学位210个。", encoding="utf-8")
    (src / "sub" / "b.HTM").write_bytes(PAGE.encode("gb18030"))
    (src / "c.md").write_text("---\ntitle: '增长9.8%！'\n---\n\n新增托位40个。\n", encoding="utf-8")
    (src / "d.log").write_text("新增学位999个。", encoding="utf-8")  # not a report format
    out, texts = tmp_path / "out", tmp_path / "texts"
    assert main(["extract", str(src), "-o", str(out), "-q", "--save-text", str(texts)]) == 0
    docs = {d["doc"]: d for d in read_csv(out / "documents.csv")}
    assert sorted(docs) == ["a.txt", "c.md", "sub/b.HTM"]
    assert [(docs[d]["format"], docs[d]["encoding"], docs[d]["pages"]) for d in sorted(docs)] \
        == [("text", "utf-8", ""), ("markdown", "utf-8", ""), ("html", "gb18030", "")]
    # The front matter's title is the title, and its figure is no metric.
    assert docs["c.md"]["title"] == "增长9.8%！"
    metrics = read_csv(out / "metrics.csv")
    assert sorted((m["doc"], m["text"]) for m in metrics) == [
        ("a.txt", "210个"), ("c.md", "40个"), ("sub/b.HTM", "5.2%")]
    assert all(m["page"] == "" for m in metrics)
    for m in metrics:  # every offset checks out against the saved text
        saved = (texts / (m["doc"] + ".txt")).read_text(encoding="utf-8")
        assert saved[int(m["start"]):int(m["end"])] == m["text"]
    assert not (texts / "d.log.txt").exists()


def test_glob_narrows_to_one_format(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("新增学位210个。", encoding="utf-8")
    (src / "b.html").write_bytes(PAGE.encode("gb18030"))
    out = tmp_path / "out"
    assert main(["extract", str(src), "-o", str(out), "-q", "--glob", "*.HTML"]) == 0
    assert [d["doc"] for d in read_csv(out / "documents.csv")] == ["b.html"]


def test_skip_check_names_are_listed_and_checked():
    """The check names come from reportmine.checks when argparse first asks for them."""
    from reportmine.checks import CHECK_NAMES

    r = run("check", "--skip-check", "nope", str(SAMPLES))
    assert r.returncode == 2 and "invalid choice: 'nope'" in r.stderr
    assert all(repr(name) in r.stderr for name in CHECK_NAMES)
    shown = " ".join(run("extract", "--help").stdout.split())
    assert "(repeatable): " + ", ".join(CHECK_NAMES) in shown


def test_the_command_exits_with_main_s_code_and_its_whole_output(tmp_path, capsys):
    """`python -m reportmine` leaves without the interpreter's teardown (cli.run): the
    exit code is main's, stdout is flushed whole, and a reader that goes away early
    (`… | head`) is not an error."""
    doc = SAMPLES / "000_8962da1a5d06fb49.txt"
    assert main(["show", str(doc)]) == 0
    expected = capsys.readouterr()
    r = run("show", str(doc))
    assert (r.returncode, r.stdout, r.stderr) == (0, expected.out, expected.err)
    expected = expected.out
    assert len(expected.splitlines()) > 50  # more than one buffer's worth is flushed

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("新增学位210个。", encoding="utf-8")
    (src / "b.txt").write_bytes(b"%PDF-1.4 binary")
    r = run("extract", str(src), "-o", str(tmp_path / "out"))
    assert r.returncode == 1
    assert "b.txt" in r.stderr and "1 documents, 1 metrics" in r.stderr

    head = subprocess.Popen([sys.executable, "-m", "reportmine", "show", str(doc)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert head.stdout is not None
    head.stdout.readline()
    head.stdout.close()  # the reader is gone before the command has written everything
    _, err = head.communicate()
    assert head.returncode == 0 and b"Exception" not in err


def test_the_command_waits_for_a_thread_still_at_work(tmp_path):
    """A non-daemon thread still running when main returns finishes, as at any exit."""
    marker = tmp_path / "done"
    code = ("import sys, threading, time\n"
            "import reportmine.cli as cli\n"
            "def late():\n"
            "    time.sleep(0.3)\n"
            f"    open({str(marker)!r}, 'w').write('x')\n"
            "cli.main = lambda: (threading.Thread(target=late).start(), 3)[1]\n"
            "cli.run()\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 3 and marker.read_text() == "x"
