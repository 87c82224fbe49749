"""Write patterns/jieba_base.txt: jieba's dictionary cut to its most frequent words.

usage: python tools/trim_jieba_dict.py [N]   (default 60000 words, plus every single
character so that no character is unknown)

reportmine only segments the short clause around a figure, so the full 349k-word
dictionary costs a second of start-up for no gain in the words that matter. The
dictionary is jieba's (MIT licence, https://github.com/fxsjy/jieba); see patterns/NOTICE.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jieba


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=60000, help="words to keep")
    n = ap.parse_args().n
    src = Path(jieba.__file__).parent / "dict.txt"
    lines = src.read_text(encoding="utf-8").splitlines()
    top = set(sorted(lines, key=lambda line: -int(line.split()[1]))[:n])
    keep = [line for line in lines if line in top or len(line.split()[0]) == 1]
    out = Path(__file__).resolve().parents[1] / "patterns" / "jieba_base.txt"
    out.write_text("\n".join(keep) + "\n", encoding="utf-8")
    print(f"{len(keep)} words → {out}")


if __name__ == "__main__":
    main()
