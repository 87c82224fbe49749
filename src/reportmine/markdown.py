"""Markdown markup in scraped articles: the marks go, the text stays where it is.

Headings (#), emphasis (* ** ***), links ([text](target): the text stays, the target
goes), images, autolinks, table pipes and rule rows, list bullets, quotes, escapes,
code marks. Only documents that look like Markdown are read this way: in plain report
text a "*" is a masked digit (*个, **万元), not emphasis.

Every scan is a regex pass with possessive repeats, or a walk over the matches with
a stack, so the time is linear in the text.
"""

from __future__ import annotations

import regex

from .view import Found

_M = regex.M
_HEADING = regex.compile(r"^[ \t]{0,3}+#{1,6}+(?:[ \t]++|$)", _M)
_BREAK = regex.compile(r"^[ \t]{0,3}+([-*_])(?:[ \t]*+\1){2,}+[ \t]*+$", _M)
_TABLE_RULE = regex.compile(
    r"^[ \t]*+\|?+[ \t]*+:?+-{3,}+:?+[ \t]*+(?:\|[ \t]*+:?+-{3,}+:?+[ \t]*+)++\|?+[ \t]*+$", _M)
_QUOTE = regex.compile(r"^[ \t]{0,3}+(?:>[ \t]?+)++", _M)
_BULLET = regex.compile(r"^[ \t]*+(?:\*\*\*|\*\*)?+(?P<cut>[-+*][ \t]++)", _M)
_REF_DEF = regex.compile(r"^[ \t]{0,3}+\[[^\]\n]{1,200}+\]:[ \t]*+\S[^\n]*+$", _M)
_FENCE = regex.compile(r"^[ \t]{0,3}+(?:```|~~~)[^\n]*+$", _M)
_PIPE = regex.compile(r"(?:^[ \t]*+\||(?<=\s)\|(?=\s)|\|(?=[ \t]*+$))", _M)

_TARGET = (r"\([ \t]*+(?:<[^<>\n]*+>|(?:[^\s()]++|\([^\s()]*+\))*+)"
           r"(?:[ \t]++(?:\"[^\"\n]*+\"|'[^'\n]*+'))?+[ \t]*+\)")
_IMAGE = regex.compile(r"!\[[^\]\n]{0,500}+\]" + _TARGET)
_AUTOLINK = regex.compile(r"<(?:https?|ftp|mailto):[^\s<>]{1,2000}+>")
_ESCAPE = regex.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!|<>~])")
_CODE = regex.compile(r"`++")
# Link brackets, link ends with their target, and paragraph breaks, in one walk.
_LINK_TOKEN = regex.compile(r"(?P<open>\[)|(?P<close>\]" + _TARGET + r")|(?P<plain>\])"
                            r"|(?P<para>\n[ \t]*+\n)")
_EMPHASIS = regex.compile(r"\*++|~~|\n[ \t]*+\n")

_SIGNALS = regex.compile(r"^[ \t]{0,3}+#{1,6}+[ \t]++\S|\]\((?:https?:|/|\.|#)|!\[|"
                         r"^[ \t]*+\|?+[ \t]*+:?+-{3,}+:?+[ \t]*+\|", _M)


def looks_like_markdown(text: str, min_signals: int) -> bool:
    """Headings, links, images or table rules: at least `min_signals` of them."""
    n = 0
    for _ in _SIGNALS.finditer(text):
        n += 1
        if n >= min_signals:
            return True
    return False


class _Taken:
    """Is a position inside a range already removed? Asked in increasing order."""

    def __init__(self, found: list[Found]) -> None:
        self.spans = sorted((f.start, f.end) for f in found)
        self.k = 0

    def __contains__(self, pos: int) -> bool:
        spans = self.spans
        while self.k < len(spans) and spans[self.k][1] <= pos:
            self.k += 1
        return self.k < len(spans) and spans[self.k][0] <= pos


def _mark(m: regex.Match[str], rule: str, joiner: str = "", group: int | str = 0) -> Found:
    return Found(m.start(group), m.end(group), "markup", rule, joiner)


def _line_marks(text: str) -> list[Found]:
    """Marks that belong to the start of a line, and lines that are all markup."""
    out: list[Found] = []
    for pat, rule in ((_BREAK, "md-rule"), (_TABLE_RULE, "md-table-rule"),
                      (_REF_DEF, "md-link-definition"), (_FENCE, "md-code-fence")):
        out += [_mark(m, rule) for m in pat.finditer(text) if m.end() > m.start()]
    out += [_mark(m, "md-heading") for m in _HEADING.finditer(text)]
    out += [_mark(m, "md-quote") for m in _QUOTE.finditer(text)]
    out += [_mark(m, "md-list", group="cut") for m in _BULLET.finditer(text)]
    out += [_mark(m, "md-table", " ") for m in _PIPE.finditer(text)]
    return out


def _links(text: str, taken: list[Found]) -> list[Found]:
    """[text](target): the brackets and the target go, the link text stays."""
    out: list[Found] = []
    inside = _Taken(taken)
    opens: list[int] = []
    for m in _LINK_TOKEN.finditer(text):
        if m.group("para") is not None:
            opens.clear()
        elif m.start() in inside:
            continue
        elif m.group("open") is not None:
            opens.append(m.start())
        elif m.group("close") is not None:
            if opens:
                o = opens.pop()
                out.append(Found(o, o + 1, "markup", "md-link"))
            out.append(_mark(m, "md-link-target"))
        elif opens:
            opens.pop()
    return out


def _emphasis(text: str, taken: list[Found]) -> list[Found]:
    """Pairs of * ** *** (and ~~) runs within a paragraph; unpaired runs stay (they may
    mask digits), except runs with space on both sides, which can be nothing else."""
    out: list[Found] = []
    inside = _Taken(taken)
    opens: dict[str, list[regex.Match[str]]] = {}
    n = len(text)
    for m in _EMPHASIS.finditer(text):
        run = m.group()
        if run[0] == "\n":
            opens.clear()
            continue
        if len(run) > 3 or m.start() in inside:
            continue
        s, e = m.span()
        can_close = s > 0 and not text[s - 1].isspace()
        can_open = e < n and not text[e].isspace()
        stack = opens.setdefault(run, [])
        # A run that cannot open closes the open run of its length even after a
        # space: table cells break bold text over lines ("**來港人士   \n** 若干").
        if stack and (can_close or not can_open):
            o = stack.pop()
            out.append(_mark(o, "md-emphasis"))
            out.append(_mark(m, "md-emphasis"))
        elif can_open:
            stack.append(m)
        elif not can_close and len(run) >= 2:
            out.append(_mark(m, "md-emphasis"))
    return out


def find_markdown(text: str, taken: list[Found]) -> list[Found]:
    """The Markdown marks of `text`; `taken` are ranges already removed (HTML, front
    matter), inside which nothing is looked for."""
    out = _line_marks(text)
    out += [_mark(m, "md-image") for m in _IMAGE.finditer(text)]
    out += [_mark(m, "md-autolink") for m in _AUTOLINK.finditer(text)]
    out += [_mark(m, "md-escape") for m in _ESCAPE.finditer(text)]
    out += [_mark(m, "md-code") for m in _CODE.finditer(text) if len(m.group()) <= 3]
    out += _links(text, taken + out)
    out += _emphasis(text, taken + out)
    return out
