"""Rule files: validated at load; a bad file names the file, the rule and the problem."""

import shutil

import pytest

from reportmine.rules import RulesError, default_patterns_dir, load_rules


@pytest.fixture
def patterns(tmp_path):
    d = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), d)
    return d


def test_default_rules_load():
    rules = load_rules()
    assert rules.units["万元"] if "万元" in rules.units else rules.units["元"].kind == "money"
    assert rules.units["人次"].kind == "count"
    assert rules.units["年"].kind == "reject:date"


@pytest.mark.parametrize("file,text,rule,problem", [
    ("rejections.toml", '[[rules]]\nname = "broken"\nreason = "date"\nbefore = "(unclosed"\n',
     "broken", "bad regular expression"),
    ("rejections.toml", '[[rules]]\nname = "no-action"\nbefore = "第"\n', "no-action",
     "needs `reason`"),
    ("units.toml", '[[units]]\nkind = "weight"\nwords = ["斤"]\n', "units", "Input should be"),
    ("charmap.toml", '[traditional]\n"萬萬" = "万"\n', "traditional", "one character"),
    ("boilerplate.toml", 'rules = 3\n', "rules", "valid list"),
    ("boilerplate.toml", '[[rules]]\nname = "bad-re"\nreason = "portal"\npattern = "(首页"\n',
     "bad-re", "bad regular expression"),
    ("boilerplate.toml", '[[rules]]\nname = "wrong-scope"\nreason = "portal"\npattern = "x"\n'
     'min_lines = 3\n', "wrong-scope", "min_lines"),
    ("boilerplate.toml", '[[rules]]\nname = "cut-in-line"\nreason = "portal"\nscope = "line"\n'
     'pattern = "(?P<cut>x)"\n', "cut-in-line", "`cut` group"),
    ("boilerplate.toml", '[[rules]]\nname = "bad-reason"\nreason = "Portal Furniture"\n'
     'pattern = "x"\n', "bad-reason", "String should match"),
    ("boilerplate.toml", '[[rules]]\nname = "bad-join"\nreason = "ad"\npattern = "x"\n'
     'join = "tab"\n', "bad-join", "Input should be"),
    ("boilerplate.toml", '[[rules]]\nname = "sucaiku-ad"\nreason = "ad"\npattern = "x"\n',
     "sucaiku-ad", "two rules are named so"),
    ("boilerplate.toml", '[markup]\nblock_tags = "p"\n', "markup", "valid list"),
])
def test_bad_overlay_is_named(patterns, tmp_path, file, text, rule, problem):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / file).write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(overlay, base=patterns)
    msg = str(exc.value)
    assert file in msg and rule in msg and problem in msg


def test_not_toml(patterns):
    (patterns / "qualifiers.toml").write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(RulesError, match="qualifiers.toml.*not valid TOML"):
        load_rules(base=patterns)


def test_overlay_adds_rules(patterns, tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "units.toml").write_text(
        '[[units]]\nkind = "count"\nwords = ["羽"]\n', encoding="utf-8")
    rules = load_rules(overlay, base=patterns)
    assert rules.units["羽"].kind == "count" and rules.units["人"].kind == "count"


def test_overlay_adds_clean_rules(patterns, tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "boilerplate.toml").write_text(
        '[[rules]]\nname = "site-footer"\nreason = "portal"\nscope = "line"\n'
        'pattern = "^本网站由.{0,20}维护"\n', encoding="utf-8")
    rules = load_rules(overlay, base=patterns)
    names = [r.name for r in rules.clean_rules]
    assert names[-1] == "site-footer" and "sucaiku-ad" in names


def test_old_boolean_join_still_reads(patterns, tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "boilerplate.toml").write_text(
        '[[rules]]\nname = "glued-marker"\nreason = "ad"\njoin = true\npattern = "#ad#"\n',
        encoding="utf-8")
    rule = load_rules(overlay, base=patterns).clean_rules[-1]
    assert (rule.name, rule.joiner) == ("glued-marker", "")


def test_traditional_text_is_read_through_the_whole_character_table():
    from reportmine.rules import default_rules

    rules = default_rules()
    # 學習支援津貼: characters of the long tail (OpenCC's table), in a long Traditional text
    long_text = "審計署指出，學校獲發放學習支援津貼。" * 20
    assert rules.normalize(long_text) == "审计署指出，学校获发放学习支援津贴。" * 20
    assert len(rules.normalize(long_text)) == len(long_text)  # offsets never move
    assert rules.normalize("學習支援津貼") == "学习支援津贴"   # a short string alike
    # a Simplified text with no Traditional character keeps its characters as they are
    simplified = "审计署指出，学校获发放学习支援津贴（２０２３年）。" * 20
    assert rules.normalize(simplified) == "审计署指出，学校获发放学习支援津贴(2023年)。" * 20
