"""Character-level helpers of the loaders: text that remembers where it came from.

Every step that drops or rewrites characters (line endings, Markdown and tag markup,
boilerplate lines) is an *edit* of a `Mapped` text, so `Document.segments` always point
back into the decoded input and reports can name line:col in the original file.
Also here: Markdown front matter and date normalisation, shared by several loaders.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from provenance.model import Segment
from provenance.text.patterns import lazy_re

Piece = tuple[int, int] | str  # a span of the current text to keep, or literal text to insert


@dataclass(frozen=True, slots=True)
class Mapped:
    """`text` plus segments mapping runs of it to the raw input (inserted text is unmapped)."""

    text: str
    segments: tuple[Segment, ...]

    @classmethod
    def of(cls, raw: str) -> Mapped:
        return cls(raw, (Segment(0, 0, len(raw)),) if raw else ())

    def edit(self, pieces: Iterable[Piece]) -> Mapped:
        """Text made of `pieces` in order; kept spans carry their mapping along."""
        out: list[str] = []
        segs: list[Segment] = []
        starts = [s.start for s in self.segments]
        pos = 0
        for p in _coalesce(pieces):
            if isinstance(p, str):
                out.append(p)
                pos += len(p)
                continue
            a, b = p
            if a >= b:
                continue
            out.append(self.text[a:b])
            i = max(0, bisect.bisect_right(starts, a) - 1)
            while i < len(self.segments) and self.segments[i].start < b:
                s = self.segments[i]
                lo, hi = max(a, s.start), min(b, s.start + s.length)
                if lo < hi:
                    _add(segs, Segment(pos + lo - a, s.raw_start + lo - s.start, hi - lo))
                i += 1
            pos += b - a
        return Mapped("".join(out), tuple(segs))

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], list[Piece]]) -> Mapped:
        """Like `re.sub`, but `repl` returns pieces (spans of this text or literals) for each match."""
        pieces: list[Piece] = []
        last = 0
        for m in pattern.finditer(self.text):
            pieces.append((last, m.start()))
            pieces.extend(repl(m))
            last = m.end()
        if not pieces:
            return self
        pieces.append((last, len(self.text)))
        return self.edit(pieces)


def _coalesce(pieces: Iterable[Piece]) -> Iterable[Piece]:
    """Adjacent spans as one span (fewer segments to look up)."""
    run: tuple[int, int] | None = None
    for p in pieces:
        if isinstance(p, tuple):
            if run is not None and run[1] == p[0]:
                run = (run[0], p[1])
                continue
            if run is not None:
                yield run
            run = p
        elif p:
            if run is not None:
                yield run
                run = None
            yield p
    if run is not None:
        yield run


def _add(segs: list[Segment], s: Segment) -> None:
    if segs:
        p = segs[-1]
        if p.start + p.length == s.start and p.raw_start + p.length == s.raw_start:
            segs[-1] = Segment(p.start, p.raw_start, p.length + s.length)
            return
    segs.append(s)


# --- line endings ----------------------------------------------------------------------

_CR = lazy_re(r"\r\n?")


def normalize_newlines(m: Mapped) -> Mapped:
    """CRLF and lone CR become LF; the LF of a CRLF stays mapped to the raw LF."""
    return m.sub(_CR, lambda x: [(x.end() - 1, x.end())] if x.end() - x.start() == 2 else ["\n"])


# --- markup ----------------------------------------------------------------------------

# Tag names a plain-text save of a web page may still carry; any tag is stripped in Markdown.
_KNOWN_TAGS = (
    "a|abbr|b|big|blockquote|br|center|cite|code|del|div|em|figcaption|figure|font|h[1-6]|hr|i|img|ins|"
    "kbd|li|mark|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul|"
    "iframe|script|style|video|audio|source|picture|section|article|aside|nav|header|footer|main"
)
_URL = r"(?:https?://|ftp://|www\.)[^\s<>()\[\]{}\"']*[^\s<>()\[\]{}\"'.,;:!?]"
# Every part that may fail to match is bounded and stops at the next bracket, so no input costs
# more than linear time (a line of "[" would otherwise be rescanned from every "[").
_MD_COMMON = (
    r"(?=[<!\[&_\\`hHfFwW])(?:"  # cheap first-character test before the alternatives
    r"(?P<comment><!--.*?(?:-->|\Z))"
    r"|(?P<img>!\[[^\[\]\n]{0,1000}\]\([^)\n]{0,2000}\))"
    r"|\[(?P<ltext>[^\[\]\n]{0,1000})\]\((?:[^()\n]|\([^()\n]{0,2000}\)){0,2000}\)"
    r"|\[(?P<rtext>[^\[\]\n]{1,1000})\]\[[^\[\]\n]{0,1000}\]"
    r"|`(?P<rst>[^`<\n]{1,1000}?)\s*<[^>\n]{0,2000}>`__?"  # reStructuredText link
    r"|(?m:^(?P<refdef>\[[^\]\n]+\]:[ \t]*\S+[^\n]*)$)"
    r"|<(?:https?|ftp|mailto):[^>\s]*>"
    rf"|{_URL}"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,9});)"
    r"|(?<!\w)_+(?=\w)|(?<=[^\W_])_+(?!\w)"
    r"|\\(?P<esc>[!-/:-@\[-`{-~])"
)
# Attributes must be name=value, so "<Video Technology Inc>" (a wire-copy company name) is text.
_ATTRS = r"""(?:\s+[\w:-]+\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[^\s<>"']+))*\s*/?>"""
_MD = lazy_re(_MD_COMMON + r"|</?[A-Za-z][A-Za-z0-9-]*" + _ATTRS + ")", re.S | re.I)
_TXT = lazy_re(_MD_COMMON + rf"|</?(?-i:{_KNOWN_TAGS})" + _ATTRS + ")", re.S | re.I)


def _markup_repl(m: re.Match[str]) -> list[Piece]:
    for group in ("ltext", "rtext", "rst", "esc"):
        if m.group(group) is not None:
            return [m.span(group)]
    if m.group("entity") is not None:
        value = html.unescape(m.group())
        return [m.span()] if value == m.group() else [value.replace("\xa0", " ")]
    return []


def strip_markup(m: Mapped, *, markdown: bool) -> Mapped:
    """Drop link URLs, image references, tags, comments and `_emphasis_` marks; keep link text.

    In Markdown any tag goes; in plain text only known lower-case HTML tag names do,
    so that "a <b" style comparisons and "<Acme Corp>" names in prose are left alone.
    Entities become their characters (inserted, so unmapped).
    """
    return m.sub(_MD if markdown else _TXT, _markup_repl)


# --- front matter ----------------------------------------------------------------------

_FRONT = lazy_re(r"\A[ \t\n]*---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FM_KEYS = {
    "title": "title", "headline": "title",
    "date": "published", "published": "published", "pubdate": "published", "published_at": "published",
    "publishdate": "published", "date_published": "published",
    "url": "url", "link": "url", "canonical_url": "url", "permalink": "url",
    "site": "site", "source": "site", "publisher": "site", "sitename": "site", "site_name": "site",
}


def front_matter(m: Mapped) -> tuple[Mapped, dict[str, str]]:
    """Cut a leading `---` YAML-ish block; return the text without it and the known fields."""
    fm = _FRONT.match(m.text)
    if not fm:
        return m, {}
    meta: dict[str, str] = {}
    for line in fm.group("body").split("\n"):
        key, sep, value = line.partition(":")
        field = _FM_KEYS.get(key.strip().lower().replace("-", "_"))
        value = value.strip().strip("\"'").strip()
        if sep and field and value and field not in meta:
            meta[field] = value
    if "published" in meta:
        iso = iso_date(meta["published"])
        if iso:
            meta["published"] = iso
        else:
            del meta["published"]
    return m.edit([(fm.end(), len(m.text))]), meta


# --- dates -----------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
DATE_RE = lazy_re(
    r"(?P<y3>\d{4})[-/.](?P<m3>\d{1,2})[-/.](?P<d3>\d{1,2})(?!\d)"
    rf"|(?<!\d)(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?[ \-/.]+(?P<m1>{_MONTH})[ \-/.,]+(?P<y1>\d{{4}})(?!\d)"
    rf"|\b(?P<m2>{_MONTH})[ \-]*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?[ \-]+(?P<y2>\d{{4}})(?!\d)",
    re.I,
)


def iso_date(value: str) -> str | None:
    """The first unambiguous calendar date in `value` as YYYY-MM-DD, or None.

    Accepts ISO dates (with or without time), "25 Feb 2025", "February 25, 2025",
    "26-FEB-1987 15:01". Numeric day/month orders like 02/03/2025 are ambiguous: refused.
    """
    for m in DATE_RE.finditer(value[:200]):
        if m.group("y3"):
            y, mo, d = int(m.group("y3")), int(m.group("m3")), int(m.group("d3"))
        else:
            tag = "1" if m.group("y1") else "2"
            y, d = int(m.group("y" + tag)), int(m.group("d" + tag))
            mo = _MONTHS.get(m.group("m" + tag)[:3].lower(), 0)
        try:
            return _dt.date(y, mo, d).isoformat()
        except ValueError:
            continue
    return None
