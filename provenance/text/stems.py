"""Content stems: the light English stemmer behind sentence matching."""

from __future__ import annotations

from functools import lru_cache

from provenance.text.patterns import lazy_re
from provenance.text.wordlists import SENTENCE_STOPWORDS

_STEM_LEN = 6  # prefix length after suffix stripping: a cheap, effective English stemmer
_ES_AFTER = ("sses", "xes", "zzes", "ches", "shes")  # plurals in -es; elsewhere -es is -e + s
_DIGIT = lazy_re(r"\d")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str | None:
    """Content stem of a normalised token, or None for stopwords and 1-2 letter words.

    Light suffix stripping then a 6-character prefix: conflates inflections and
    British/American spellings (stabilise/stabilize, aluminium/aluminum) well enough
    for sentence matching; numbers are kept whole.
    """
    if _DIGIT.search(word):
        return word
    if word in SENTENCE_STOPWORDS or len(word) < 3:
        return None
    for suffix, repl, min_len in (("ies", "y", 5), ("ing", "", 6), ("ed", "", 5), ("es", "", 5),
                                  ("ly", "", 6), ("s", "", 4)):
        if word.endswith(suffix) and len(word) >= min_len and not word.endswith("ss"):
            if suffix == "es" and not word.endswith(_ES_AFTER):
                continue  # pages, uses: only the s goes (page, use); boxes, classes: box, class
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:_STEM_LEN]
