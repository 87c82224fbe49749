"""Markup in scraped text: HTML, XML and JSP source, entities, YAML front matter.

Only the markup goes; the text between the tags stays where it is. A block-level tag
(p, div, br, li …) leaves a line break so that sentences do not run together, a table
cell a space, an inline tag (b, span, a …) nothing, so that "<b>100</b>元" reads
100元. An entity (&nbsp; &amp; …) is replaced by the one character it stands for.

The scanner is linear: it looks for the next "<" or "&", and the end of a comment,
a script or a style block is searched for at most once per kind when it is missing.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from dataclasses import dataclass

import regex

from .view import Found

# Where markup can start: a cheap scan (stdlib re is fastest on a long run of "<"),
# then the exact opener at that place.
_CANDIDATE = re.compile(r"[<&][!%?/A-Za-z#]")
_OPENER = regex.compile(
    r"<!--|<%--|<%|<!\[CDATA\[|<![A-Za-z]|<\?[A-Za-z]|<U\+[0-9A-Fa-f]|</?[A-Za-z]"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# An HTML/XML tag: a name, then attributes after white space. Possessive repeats: an
# unclosed tag fails at the next "<" or ">" without backtracking.
_ATTR = r"""[^\s"'<>/=]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'<>`]++))?+"""
_TAG = regex.compile(
    rf"</?+(?P<name>[A-Za-z][A-Za-z0-9:._-]*+)(?:\s++(?:{_ATTR}\s*+)*+)?+/?>")
_R_ESCAPE = regex.compile(r"<U\+([0-9A-Fa-f]{4,6})>")
# Where a construct that starts with the key ends.
_CLOSERS = {"<!--": "-->", "<%--": "--%>", "<%": "%>", "<![CDATA[": "]]>"}
_FRONT_MATTER = regex.compile(r"\A\ufeff?[ \t]*(---|\+\+\+)[ \t]*\r?\n")


@dataclass(frozen=True)
class MarkupSettings:
    """Which tags break lines, which separate cells, whose content is dropped, and
    which hold captions (a caption that repeats the body is the copy, not the body)."""

    block_tags: frozenset[str]
    cell_tags: frozenset[str]
    drop_content: frozenset[str]
    caption_tags: frozenset[str]
    markdown_min_signals: int


class _Finder:
    """str.find that remembers a miss, so unclosed openers cost one scan in all."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.missing: dict[str, int] = {}  # needle → smallest start already found missing

    def find(self, needle: str, start: int) -> int:
        if needle in self.missing and start >= self.missing[needle]:
            return -1
        i = self.text.find(needle, start)
        if i < 0:
            self.missing[needle] = min(start, self.missing.get(needle, start))
        return i


class _CloseTags:
    """The positions of </name> for each dropped-content tag, found in one pass each."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._pos: dict[str, list[tuple[int, int]]] = {}

    def after(self, name: str, pos: int) -> tuple[int, int] | None:
        spans = self._pos.get(name)
        if spans is None:
            pat = regex.compile(rf"</{regex.escape(name)}\s*>", regex.I)
            spans = self._pos[name] = [m.span() for m in pat.finditer(self.text)]
        k = bisect_left(spans, (pos, -1))
        return spans[k] if k < len(spans) else None


@dataclass(frozen=True)
class Markup:
    """The markup of a document, and where its captions are (original offsets)."""

    found: list[Found]
    captions: list[tuple[int, int]]


def find_markup(text: str, settings: MarkupSettings) -> Markup:
    """HTML/XML/JSP tags, comments, directives, script and style blocks and entities."""
    out: list[Found] = []
    captions: list[tuple[int, int]] = []
    caption_open = -1
    finder = _Finder(text)
    closes = _CloseTags(text)
    pos = 0
    while True:
        c = _CANDIDATE.search(text, pos)
        if c is None:
            break
        m = _OPENER.match(text, c.start())
        if m is None:
            pos = c.start() + 1
            continue
        s, key = m.start(), m.group()
        if key.startswith("&"):
            char = html.unescape(key)
            if char != key:
                out.append(Found(s, m.end(), "markup", "html-entity", char))
            pos = m.end()
            continue
        if key in _CLOSERS or key.startswith(("<!", "<?")):
            if key.startswith("<!") and key not in _CLOSERS:
                closer, rule = ">", "html-doctype"        # <!DOCTYPE html>
            elif key.startswith("<?"):
                closer, rule = "?>", "xml-declaration"    # <?xml …?>
            else:
                closer = _CLOSERS[key]
                rule = {"<!--": "html-comment", "<%--": "jsp-comment", "<%": "jsp-directive",
                        "<![CDATA[": "xml-cdata"}[key]
            e = finder.find(closer, m.end())
            if e < 0:
                pos = m.end()
                continue
            if rule == "xml-cdata":  # the content is text: only the brackets go
                out.append(Found(s, m.end(), "markup", rule))
                out.append(Found(e, e + len(closer), "markup", rule))
            else:
                out.append(Found(s, e + len(closer), "markup", rule))
            pos = e + len(closer)
            continue
        if key.startswith("<U+"):
            r = _R_ESCAPE.match(text, s)
            if r is not None:
                # "<U+00A0>": how R writes a character it cannot print; it stands for it.
                out.append(Found(s, r.end(), "markup", "r-unicode-escape",
                                 chr(int(r.group(1), 16))))
                pos = r.end()
            else:
                pos = s + 1
            continue
        t = _TAG.match(text, s)
        if t is None:
            pos = s + 1
            continue
        name = t.group("name").lower()
        closing = text.startswith("</", s)
        if name in settings.drop_content and not closing and not t.group().endswith("/>"):
            close = closes.after(name, t.end())
            if close is not None:
                out.append(Found(s, close[1], "markup", f"html-{name}", "\n"))
                pos = close[1]
                continue
        joiner = "\n" if name in settings.block_tags else \
            " " if name in settings.cell_tags else ""
        out.append(Found(s, t.end(), "markup", "html-tag", joiner))
        if name in settings.caption_tags:
            if not closing:
                caption_open = t.end()
            elif caption_open >= 0:
                captions.append((caption_open, s))
                caption_open = -1
        pos = t.end()
    return Markup(out, captions)


def find_front_matter(text: str) -> Found | None:
    """YAML (---) or TOML (+++) front matter at the very top of a document."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return None
    fence = m.group(1)
    closers = {fence, "..."} if fence == "---" else {fence}
    pos = m.end()
    while pos <= len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        if text[pos:end].strip() in closers:
            return Found(0, end, "markup", "front-matter")
        if nl < 0:
            return None
        pos = nl + 1
    return None


_FRONT_TITLE = regex.compile(r"""^title[ \t]*[:=][ \t]*(?P<q>["']?)(?P<title>[^\n]*?)(?P=q)[ \t]*\r?$""",
                             regex.M)


def front_matter_title(text: str) -> tuple[str, int] | None:
    """The `title:` of a document's front matter and its offset (YAML or TOML), or None."""
    front = find_front_matter(text)
    if front is None:
        return None
    m = _FRONT_TITLE.search(text, 0, front.end)
    if m is None or not m.group("title").strip():
        return None
    return m.group("title").strip(), m.start("title")
