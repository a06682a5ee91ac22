"""Normalisation and word tokens with offsets.

A token is a maximal run of word characters (letters, digits, marks, underscore) in
the original text. Its normalised form is NFKC + case folding, repeated to a fixed
point, then split again on any non-word characters NFKC introduced (``"⒈"`` becomes
``"1"``). Apostrophes and hyphens separate tokens, so typographic and straight
quotes tokenise alike. Offsets always point into the original text.

Scripts written without spaces between words (Chinese, Japanese kana, Thai, Lao, Khmer,
Myanmar) have no word runs to find: each of their characters (with its combining marks)
is a token, so a word k-shingle there is a character k-gram, the usual unit for finding
reuse in those scripts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from provenance.text.patterns import lazy_re

NO_SPACE_SCRIPTS = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
"""Scripts written without spaces between words: one token per character (regex class body)."""
_WORD = lazy_re(rf"(?:(?!\p{{M}})(?=\w)[{NO_SPACE_SCRIPTS}])\p{{M}}*|(?:(?![{NO_SPACE_SCRIPTS}])\w)+",
                engine="regex")
_ASCII_WORD = lazy_re(r"[A-Za-z0-9_]+")

_PUNCT_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
    }
)


def fold(s: str) -> str:
    """NFKC + casefold to a fixed point (one round is not always idempotent).

    Public because the hashing core (`sketch`) maps single characters through it, so
    its byte-level tokens stay exactly the tokens defined here.
    """
    for _ in range(4):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", s).casefold())
        if folded == s:
            break
        s = folded
    return s


def normalize(text: str) -> str:
    """Canonical form of a whole text: NFKC, case folded, one kind of quote and dash."""
    for _ in range(4):
        out = fold(text).translate(_PUNCT_MAP)
        if out == text:
            break
        text = out
    return text


@lru_cache(maxsize=1 << 16)
def normalize_word(word: str) -> tuple[str, ...]:
    """The normalised tokens of one raw word (usually exactly one)."""
    if word.isascii():
        return (word.lower(),)
    return tuple(_WORD.findall(fold(word)))


@dataclass(frozen=True, slots=True)
class Tokens:
    """Normalised word tokens of a text with their [start, end) character spans."""

    words: list[str]
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.words)


def tokenize(text: str) -> Tokens:
    """Tokens of `text` with offsets into `text` itself."""
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    if text.isascii():
        for m in _ASCII_WORD.finditer(text):
            words.append(m.group().lower())
            starts.append(m.start())
            ends.append(m.end())
        return Tokens(words, starts, ends)
    for m in _WORD.finditer(text):
        for w in normalize_word(m.group()):
            words.append(w)
            starts.append(m.start())
            ends.append(m.end())
    return Tokens(words, starts, ends)


def words(text: str) -> list[str]:
    """Just the normalised tokens of `text` (faster than `tokenize`)."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    out: list[str] = []
    for w in _WORD.findall(text):
        out.extend(normalize_word(w))
    return out
