"""Credit lines and blog-platform lines: the lines that tell a copy from its source.

A line that credits another publication ("Originally published by ...", "(c) Reuters")
is usually carried by the copy; blog-platform chrome ("Leave a comment", "Powered by
WordPress") is far more often found on copies than on sources. Extraction drops many
of these lines as boilerplate, so ingest keeps the ones it finds in the raw file
(`credit_lines`) and origin estimation reads them together with the extracted text.
"""

from __future__ import annotations

import html
import re

from provenance.text.patterns import lazy_re
from provenance.text.tokens import words

ATTRIBUTION = lazy_re(
    r"^\W*(via|source|sources|credit|courtesy(\s+of)?|read\s+more\s+at|read\s+the\s+original|"
    r"originally\s+(published|appeared|posted)|first\s+(published|appeared)|republished|reprinted|"
    r"this\s+(article|story|post)\s+(was|first|originally))\b"
    r"|\b(originally\s+(published|appeared|posted)\s+(by|on|in|at)|first\s+(published|appeared)\s+(by|on|in|at)|"
    r"republished\s+(from|with|by)|reprinted\s+(from|with|by)|via\s+\w+)\b"
    r"|(\(c\)|©)\s*(\d{4}\s+)?(reuters|ap|afp|associated\s+press|bloomberg|dpa|pa|press\s+association)\b"
    r"|^\W*(reuters|ap|afp|associated\s+press|agence\s+france[- ]presse|press\s+association|bloomberg|dpa)\W*$",
    re.IGNORECASE,
)
PLATFORM = lazy_re(
    r"leave\s+a\s+(comment|reply)|design\s+a\s+site\s+like\s+this|wordpress\.com|blog\s+at\s+wordpress|"
    r"powered\s+by\s+(wordpress|blogger|ghost|tumblr|medium|wix|squarespace)|^\W*share\s+this\W*$|"
    r"^\W*like\s+this\W*$|like\s+loading|click\s+to\s+share|^\W*related\s+posts\W*$|^\W*posted\s+(in|by)\b|"
    r"^\W*tagged\W|subscribe\s+to\s+(our|my|this)\s+(blog|newsletter)|follow\s+(this|my)\s+blog",
    re.IGNORECASE,
)
# "Source:" and "via" also head data credits in wire copy ("Source: Department of Agriculture"):
# such a line credits a publication only when it names an outlet or a web address.
_OUTLET = lazy_re(
    r"https?://|www\.|\.(com|org|net|co\.uk)\b|\b(reuters|ap|afp|associated\s+press|bloomberg|bbc|cnn|news|"
    r"press|times|post|herald|guardian|journal|gazette|agency|wire|tribune|telegraph|blog)\b",
    re.IGNORECASE,
)
_EXPLICIT = lazy_re(r"originally|first\s+(published|appeared)|republished|reprinted|read\s+(more|the\s+original)",
                       re.IGNORECASE)
_MAX_CREDIT_WORDS = 25  # a longer line is prose that mentions a source, not a credit line
# A tag holds no "<": each search stops at the next one, so finding every tag is one pass (a
# pattern that may run past a "<", such as <[^>]+>, rescans the rest of a page of unclosed tags
# from every "<" in it: quadratic).
_TAG = lazy_re(r"<!--|<[^<>]+>")
_TAG_NAME = lazy_re(r"</?\s*([A-Za-z][A-Za-z0-9]*)")
_HREF = lazy_re(r"""(?i)\bhref\s*=\s*["']?https?://([^/"'\s<>]+)""")
# what is dropped up to its end: a comment (tags inside it included), a script, a style element
_END_OF = {"!--": lazy_re(r"-->"), **{name: lazy_re(rf"(?i)</{name}\b[^<>]*>") for name in ("script", "style")}}
_INLINE = frozenset("a abbr b cite em font i mark small span strong sub sup time u".split())


def is_platform(line: str) -> bool:
    """Blog or content-platform chrome (comment prompts, share buttons, "Powered by ...")."""
    return PLATFORM.search(line) is not None


def is_attribution(line: str) -> bool:
    """A short line crediting another publication by name, web address or an explicit phrase."""
    if not ATTRIBUTION.search(line) or len(words(line)) > _MAX_CREDIT_WORDS:
        return False
    return bool(_EXPLICIT.search(line) or _OUTLET.search(line))


def credit_lines(raw: str, *, markup: bool) -> tuple[str, ...]:
    """The non-blank lines of a raw file (tags stripped when `markup`: script and style
    elements, then every tag, a line break for a block's and none inside a line, then
    entities) that are platform chrome or credit lines, in file order and stripped of
    surrounding whitespace.

    A link keeps the web address it points to, as "text (https://host)": "Source: <a
    href=https://tonedeaf.thebrag.com/...>Tone Deaf</a>" credits a publication, and says which,
    although its words alone name no outlet."""
    if markup:
        raw = _page_text(raw)
    lines = (line.strip() for line in raw.splitlines())
    return tuple(line for line in lines if line and (is_platform(line) or is_attribution(line)))


def _page_text(raw: str) -> str:
    """A page's text for `credit_lines`, in one pass over its tags (linear in the page): comments,
    script and style elements dropped, a line break for every tag but an inline one (a, b, em,
    span, ...), and after a link the host it points to; then entities decoded."""
    out: list[str] = []
    pos, host = 0, None
    unclosed: set[str] = set()  # no closing tag after here: not looked for again
    while (m := _TAG.search(raw, pos)) is not None:
        out.append(raw[pos : m.start()])
        tag, pos = m.group(), m.end()
        named = _TAG_NAME.match(tag)
        name = "!--" if tag == "<!--" else named.group(1).lower() if named else ""
        closing = tag.startswith("</")
        if name in _END_OF and not closing:
            end = _END_OF[name].search(raw, pos) if name not in unclosed else None
            if end is None:
                unclosed.add(name)  # an unclosed script is its tag alone, its text kept
            else:
                pos = end.end()
            out.append("\n")
        elif name == "a":
            if not closing:
                found = _HREF.search(tag)
                host = found.group(1) if found else None
            elif host:
                out.append(f" (https://{host})")
                host = None
        elif name not in _INLINE:
            out.append("\n")
    out.append(raw[pos:])
    return html.unescape("".join(out))
