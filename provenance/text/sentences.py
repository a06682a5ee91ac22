"""Paragraphs, sentences and quotation spans of a text, as character offsets into it.

Sentence ends follow Unicode's Sentence_Terminal property (UAX #29), so Urdu and Arabic
(``۔ ؟``), Hindi (``।``), Chinese and Japanese (``。！？``), Armenian, Ethiopic, Myanmar and the
rest end sentences as ``. ! ?`` do in English. Scripts that write no space after a sentence
end (Urdu, CJK) are split at the mark itself; the ASCII marks still need a space after them
(``24.3``, ``U.S.``) and a full stop still skips abbreviations and initials.
"""

from __future__ import annotations

import re

from provenance.text.patterns import lazy_re

_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt gen col lt sgt capt cmdr gov sen rep rev hon pres "
    "inc ltd co corp bros no vs etc al fig jan feb mar apr jun jul aug sep sept oct nov dec "
    "u.s u.k u.n e.g i.e a.m p.m approx dept est govt".split()
)
_ASCII_SENTENCE_END = lazy_re(r"[.!?]+[\"')\]]*(?=\s)")  # an ASCII text's ends: the pattern below, in `re`
_ASCII_END = "[.!?\u2026]"  # English marks (and the ellipsis): a sentence end only before a space
_CLOSERS_AFTER = "[\"'\u201d\u2019)\\]\\p{Pf}\u300d\u300f\uff09\u3011\u3015]*"  # quotes, brackets after the end
_SENTENCE_END = lazy_re(
    rf"(?:{_ASCII_END}+{_CLOSERS_AFTER}(?=\s)"  # "... said." / "? " / ".)"
    rf"|[\p{{Sentence_Terminal}}\u2026]*[^\P{{Sentence_Terminal}}.!?]"  # any other terminal: ends here,
    rf"[\p{{Sentence_Terminal}}\u2026]*{_CLOSERS_AFTER}"  # space or not (Urdu "۔", CJK "。")
    r"|(?<=\p{Arabic})[-\u2010-\u2015]+(?=\s|\p{Arabic}))",  # a dash after an Arabic-script word
    engine="regex",
)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of non-empty lines; a blank line or a line break ends a paragraph."""
    spans = []
    for m in re.finditer(r"[^\r\n]+", text):
        s, e = _strip_span(text, m.start(), m.end())
        if s < e:
            spans.append((s, e))
    return spans


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the full stop at text[end] closes an abbreviation or an initial."""
    start = end
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:end].lower()
    if not word:
        return False
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: split at end punctuation followed by space, and at line breaks."""
    spans: list[tuple[int, int]] = []
    ends = _ASCII_SENTENCE_END if text.isascii() else _SENTENCE_END
    for ps, pe in paragraphs(text):
        start = ps
        for m in ends.finditer(text, ps, pe):
            if text[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(text, m.start()):
                continue
            nxt = m.end()
            while nxt < pe and text[nxt].isspace():
                nxt += 1
            if nxt < pe and text[nxt].islower():
                continue  # "said Mr. Smith ... said." style false break
            s, e = _strip_span(text, start, m.end())
            if s < e:
                spans.append((s, e))
            start = m.end()
        s, e = _strip_span(text, start, pe)
        if s < e:
            spans.append((s, e))
    return spans


# --- quotations -----------------------------------------------------------------------

_QUOTE_OPENERS = lazy_re("[\u201c\u201e\u00ab\"\u2018\u2019]")
_CLOSERS = {"\u201c": "\u201d", "\u201e": "\u201d\u201c", "\u00ab": "\u00bb", '"': '"', "\u2018": "\u2019",
            "\u2019\u2019": "\u2018\u201d"}
_SINGLES = "\u2018\u2019"


def _find_close(text: str, closers: str, start: int, end: int) -> int:
    """Index of the first closing mark in text[start:end], or `end` when the quote runs on."""
    if closers == "\u2019":  # a closing single quote, not an apostrophe inside a word
        j = text.find(closers, start, end)
        while j != -1 and j + 1 < end and text[j + 1].isalpha():
            j = text.find(closers, j + 1, end)
        return end if j == -1 else j
    found = [j for j in (text.find(c, start, end) for c in closers) if j != -1]
    return min(found) if found else end


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quoted material (inside the marks), never crossing a paragraph.

    Handles curly and straight double quotes and guillemets. Single quotes are too
    ambiguous with apostrophes to use, except ‘…’ opened after a space or line start and
    before a word (a ‘ with a space after it opens nothing: Urdu typists use it as a comma).
    Urdu and Persian typography's ’’…‘‘ is a double quotation as “…” is.
    """
    spans: list[tuple[int, int]] = []
    for ps, pe in paragraphs(text):
        i = ps
        while (m := _QUOTE_OPENERS.search(text, i, pe)) is not None:
            i = m.start()
            ch = text[i]
            after_word = i > ps and (text[i - 1].isalnum() or text[i - 1] in _SINGLES)
            width = 1
            if ch == "\u2019":  # only as ’’ opening a quotation (Urdu, Persian)
                if after_word or text[i + 1 : i + 2] != "\u2019":
                    i += 1
                    continue
                width = 2
            elif ch == "\u2018" and (after_word or text[i + 1 : i + 2].isspace()):
                i += 1
                continue
            j = _find_close(text, _CLOSERS[text[i : i + width]], i + width, pe)
            s, e = _strip_span(text, i + width, j)
            if s < e:
                spans.append((s, e))
            i = j + 1
    return spans
