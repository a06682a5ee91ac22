"""Text from the input made safe to print: ids, titles and quoted text cannot forge output.

A document id is a file name or a JSONL field, and evidence quotes the documents, so any of
them may hold terminal escape codes, newlines (which would forge `path:line:col` findings),
console markup (`[/]` crashed the table; `[link=...]` made a hyperlink) or a spreadsheet
formula. Each renderer passes such text through the function for its medium.
"""

from __future__ import annotations

import re

from provenance.text.patterns import lazy_re

# C0 and C1 control characters and DEL; tab kept only where a medium allows it.
_CONTROL = lazy_re(r"[\x00-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TAG = lazy_re(r"(\\*)(\[[a-z#/@][^[]*?])")  # what rich reads as a tag, with the backslashes before it
_TRAILING_BACKSLASHES = lazy_re(r"\\+$")


def _visible(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def one_line(text: str) -> str:
    """`text` with every control character (newline, escape, ...) written as its escape, e.g. ``\\n``."""
    return _CONTROL.sub(_visible, text)


def console(text: str, *, tag_follows: bool = False) -> str:
    """`text` for rich: on one line, and nothing in it read as markup.

    As `rich.markup.escape` (not imported: the hook must start without rich): a tag-like
    bracket gets a backslash and the backslashes before it are doubled. With `tag_follows`
    (the caller puts a tag right after the text) trailing backslashes are doubled too, or
    they would escape that tag.
    """
    text = _TAG.sub(lambda m: m.group(1) * 2 + "\\" + m.group(2), one_line(text))
    return _TRAILING_BACKSLASHES.sub(lambda m: m.group() * 2, text) if tag_follows else text


def spreadsheet(text: str) -> str:
    """`text` for a CSV cell: a leading = + - @ would run as a formula, so it is quoted with '."""
    return "'" + text if text.startswith(_FORMULA_START) else text
