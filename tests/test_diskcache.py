"""The start-up cache: rules and the tokenizer table read back equal what is built,
a changed input is a new entry, and a cache that cannot be used is no error."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reportmine import diskcache
from reportmine.attribution import _Tokenizer
from reportmine.rules import default_patterns_dir, load_rules

from tests.conftest import SAMPLES


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REPORTMINE_CACHE_DIR", str(folder))
    return folder


def _plain(x: Any) -> Any:
    """x with compiled patterns (equal only to themselves) as their source and flags."""
    if hasattr(x, "pattern") and hasattr(x, "flags") and hasattr(x, "search"):
        return ("pattern", x.pattern, x.flags)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__name__, [_plain(getattr(x, f.name)) for f in dataclasses.fields(x)])
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if hasattr(x, "__slots__") and not isinstance(x, (str, bytes, frozenset)):
        return (type(x).__name__, [_plain(getattr(x, s)) for s in x.__slots__])
    return x


def _same_rules(a, b) -> None:
    for f in dataclasses.fields(a):
        assert _plain(getattr(a, f.name)) == _plain(getattr(b, f.name)), f.name


def test_rules_read_back_from_the_cache_equal_the_rules_read(cache, monkeypatch):
    built = load_rules()
    entries = sorted(p.name for p in cache.iterdir())
    assert len(entries) == 1 and entries[0].startswith("rules-")
    again = load_rules()  # from the cache now
    assert again is not built
    _same_rules(built, again)
    monkeypatch.setenv("REPORTMINE_CACHE_DIR", "off")
    _same_rules(load_rules(), again)


def test_a_changed_overlay_is_a_new_entry(cache, tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "userdict.txt").write_text("甲乙丙 20000 n\n", encoding="utf-8")
    first = load_rules(overlay)
    assert "甲乙丙 20000 n" in first.userdict
    (overlay / "userdict.txt").write_text("丁戊己 20000 n\n", encoding="utf-8")
    second = load_rules(overlay)
    assert "丁戊己 20000 n" in second.userdict and "甲乙丙 20000 n" not in second.userdict
    assert len(list(cache.glob("rules-*"))) == 2


def test_a_damaged_entry_is_built_again(cache):
    built = load_rules()
    (entry,) = cache.glob("rules-*")
    entry.write_bytes(b"\x80\x05not a pickle")
    _same_rules(built, load_rules())
    assert entry.read_bytes()[:2] != b"\x80\x05n"  # written anew


def test_an_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("REPORTMINE_CACHE_DIR", str(blocker / "cache"))  # under a file
    assert load_rules().units["元"].unit == "元"


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTMINE_CACHE_DIR", "off")
    assert diskcache.cache_dir() is None
    assert diskcache.cached("t", "x", lambda: {"a": 1}) == {"a": 1}


def test_the_tokenizer_table_from_the_cache_cuts_alike(cache, rules):
    words = list(rules.userdict)
    built = _Tokenizer(words, rules.jieba_base)
    built._load()
    assert len(list(cache.glob("tokenizer-*"))) == 1
    loaded = _Tokenizer(words, rules.jieba_base)
    loaded._load()
    assert loaded._tk is None  # jieba was not asked
    assert loaded._logp == built._logp and loaded._tags == built._tags
    assert loaded._unknown == built._unknown
    text = (SAMPLES / sorted(os.listdir(SAMPLES))[0]).read_text(encoding="utf-8")[:3000]
    assert loaded.cut(text) == list(built.jieba().cut(text, HMM=False))
    # Other words: another table.
    _Tokenizer([*words, "甲乙丙丁 20000 n"], rules.jieba_base)._load()
    assert len(list(cache.glob("tokenizer-*"))) == 2


def test_a_warm_start_imports_no_jieba_and_reads_no_rule_file(cache):
    code = ("import sys, reportmine; reportmine.parse_text('2023年投入资金172.5万元。'); "
            "print('jieba' in sys.modules, 'tomllib' in sys.modules)")
    env = {**os.environ, "REPORTMINE_CACHE_DIR": str(cache)}
    cold = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True).stdout.split()
    warm = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True).stdout.split()
    assert cold == ["True", "True"]
    assert warm == ["False", "False"]


def test_patterns_folder_hash_sees_every_file(tmp_path):
    a = tmp_path / "a"
    a.mkdir()
    (a / "x.toml").write_text("k = 1\n")
    h1 = diskcache.tree_hash(a)
    (a / "x.toml").write_text("k = 2\n")
    assert diskcache.tree_hash(a) != h1
    assert diskcache.tree_hash(a, None) != diskcache.tree_hash(a, tmp_path / "missing")
    assert diskcache.tree_hash(default_patterns_dir()) == diskcache.tree_hash(default_patterns_dir())


def test_the_cache_keeps_a_few_entries_of_a_kind(cache):
    import time

    for k in range(diskcache.KEEP + 3):
        assert diskcache.cached("t", f"n{k}", lambda k=k: [k]) == [k]
        # written in order, whatever the file system's clock resolution
        t = time.time() - 100 + k
        os.utime(cache / f"t-n{k}.marshal", (t, t))
    assert len(list(cache.glob("t-*"))) == diskcache.KEEP
    assert (cache / f"t-n{diskcache.KEEP + 2}.marshal").exists()  # the newest stays
    assert diskcache.cached("t", f"n{diskcache.KEEP + 2}", lambda: ["built again"]) == [
        diskcache.KEEP + 2]


def test_no_home_folder_means_no_cache(monkeypatch):
    monkeypatch.delenv("REPORTMINE_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def nowhere() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(nowhere))
    assert diskcache.cache_dir() is None
    assert diskcache.cached("t", "x", lambda: [1]) == [1]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG folders are for Linux")
def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("REPORTMINE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert diskcache.cache_dir() == tmp_path / "reportmine"
