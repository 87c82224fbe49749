"""A bad --patterns overlay stops every command with exit code 2 and a message that
names the file, the rule and the problem, before any table is written."""

from __future__ import annotations

import pytest

from reportmine.cli import main
from tests.conftest import SAMPLES

SAMPLE = str(SAMPLES / "000_8962da1a5d06fb49.txt")


@pytest.mark.parametrize("file,content,says", [
    ("rejections.toml", '[[rules]]\nname = "broken"\nreason = "date"\nbefore = "(unclosed"\n',
     ["rejections.toml", "'broken'", "bad regular expression"]),
    ("rejections.toml", '[[rules]]\nname = "both"\nreason = "date"\naccept = "count"\n',
     ["rejections.toml", "'both'", "not both"]),
    ("rejections.toml", '[[rules]]\nname = "odd-unit"\nreason = "date"\nunits = ["斤斤"]\n',
     ["rejections.toml", "'odd-unit'", "unknown unit"]),
    ("units.toml", '[[units]]\nkind = "weight"\nwords = ["斤"]\n',
     ["units.toml", "units", "Input should be"]),
    ("sections.toml", '[[markers]]\nstyle = "no-group"\npattern = "x"\n',
     ["sections.toml", "'no-group'", "(?P<num>…) group"]),
    ("boilerplate.toml", "this is = = not toml", ["boilerplate.toml", "not valid TOML"]),
    ("units.toml", b"\xff\xfe[[units]]", ["units.toml", "not UTF-8"]),
    ("userdict.txt", b"\xb9\xfa\xbc\xd2 10 n\n", ["userdict.txt", "not UTF-8"]),
])
@pytest.mark.parametrize("command", ["extract", "show"])
def test_bad_overlay_names_file_rule_and_problem(tmp_path, capsys, command, file, content, says):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    path = overlay / file
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = tmp_path / "out"
    args = (["extract", str(SAMPLES), "-o", str(out)] if command == "extract"
            else ["show", SAMPLE])
    assert main([*args, "--patterns", str(overlay)]) == 2
    err = capsys.readouterr().err
    assert "bad rule file" in err and str(path) in err
    for word in says:
        assert word in err, (word, err)
    assert not out.exists()  # stopped before any work


def test_missing_overlay_folder(tmp_path, capsys):
    assert main(["extract", str(SAMPLES), "-o", str(tmp_path / "o"),
                 "--patterns", str(tmp_path / "nowhere")]) == 2
    assert "the overlay folder does not exist" in capsys.readouterr().err
