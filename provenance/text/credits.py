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
_SCRIPT_OR_STYLE = lazy_re(r"(?is)<(script|style)\b.*?</\1>")
_TAG = lazy_re(r"<[^>]+>")
_INLINE_TAG = lazy_re(r"(?i)</?(a|abbr|b|cite|em|font|i|mark|small|span|strong|sub|sup|time|u)\b[^>]*>")
_LINK = lazy_re(r"""(?is)<a\b[^>]*?\bhref\s*=\s*["']?(https?://([^/"'\s>]+))[^>]*>(.*?)</a>""")


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
        raw = _LINK.sub(lambda m: f"{m.group(3)} (https://{m.group(2)})", _SCRIPT_OR_STYLE.sub("\n", raw))
        raw = html.unescape(_TAG.sub("\n", _INLINE_TAG.sub("", raw)))
    lines = (line.strip() for line in raw.splitlines())
    return tuple(line for line in lines if line and (is_platform(line) or is_attribution(line)))
