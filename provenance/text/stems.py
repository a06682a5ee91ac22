"""Content stems: the light stemmer behind sentence matching (English suffixes; any script's stopwords)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from provenance.text.patterns import lazy_re
from provenance.text.tokens import NO_SPACE_SCRIPTS
from provenance.text.wordlists import SENTENCE_STOPWORDS, is_stopword

_STEM_LEN = 6  # prefix length after suffix stripping: a cheap, effective English stemmer
# Abjads (Arabic, Urdu, Persian; Hebrew; Syriac) leave short vowels unwritten, so a word has fewer
# letters and its inflection starts sooner: a 5-letter prefix (measured on Urdu, benchmarks/RESULTS.md
# issue #14: 6 -> 5 letters, counter-dev PD recall 0.282 -> 0.302 with ND unchanged; 4 letters
# conflated unrelated words, ND 9 -> 11 of 85)
_ABJAD_STEM_LEN = 5
_ABJADS = ("ARABIC", "HEBREW", "SYRIAC")
_ES_AFTER = ("sses", "xes", "zzes", "ches", "shes")  # plurals in -es; elsewhere -es is -e + s
_DIGIT = lazy_re(r"\d")
_NO_SPACE = lazy_re(rf"[{NO_SPACE_SCRIPTS}]", engine="regex")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str | None:
    """Content stem of a normalised token, or None for stopwords and 1-2 letter words.

    Light suffix stripping then a 6-character prefix: conflates inflections and
    British/American spellings (stabilise/stabilize, aluminium/aluminum) well enough
    for sentence matching; numbers are kept whole. Words of other scripts lose their
    stopwords (`wordlists.is_stopword`) and keep the prefix (short words too: two
    letters are a content word in Urdu or Hindi; abjads keep `_ABJAD_STEM_LEN` letters); a
    character of a script written without spaces is its own stem.
    """
    if _DIGIT.search(word):
        return word
    if word.isascii():
        if word in SENTENCE_STOPWORDS or len(word) < 3:
            return None
    elif is_stopword(word, SENTENCE_STOPWORDS):
        return None
    elif _NO_SPACE.match(word):
        return word  # one character of a script written without spaces: a token is a character
    elif len(word) < 3 and not any(c.isalpha() and not unicodedata.name(c, "").startswith("LATIN") for c in word):
        return None
    elif unicodedata.name(word[0], "").startswith(_ABJADS):
        return word[:_ABJAD_STEM_LEN]  # no suffix of the English list ends an abjad word
    for suffix, repl, min_len in (("ies", "y", 5), ("ing", "", 6), ("ed", "", 5), ("es", "", 5),
                                  ("ly", "", 6), ("s", "", 4)):
        if word.endswith(suffix) and len(word) >= min_len and not word.endswith("ss"):
            if suffix == "es" and not word.endswith(_ES_AFTER):
                continue  # pages, uses: only the s goes (page, use); boxes, classes: box, class
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:_STEM_LEN]
