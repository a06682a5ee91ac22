"""Spelling variants: wording an earlier text could not have supplied to a derivative.

A derivative carries its parent's idiosyncrasies. When d writes "aluminium" and a
candidate parent p writes only "aluminum" (or a typo d has fixed or introduced), p is
unlikely to be where d's wording came from, however much else the two share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from provenance.text.wordlists import FUNCTION_WORDS

# British -> American respellings; two words with the same canonical form are variants.
_SPELLING = [
    (re.compile(r"our(s|ed|ing|ite|ites|able|er|ers)?$"), r"or\1"),
    (re.compile(r"is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),
    (re.compile(r"ys(e|es|ed|ing)$"), r"yz\1"),
    (re.compile(r"([^aeiou])tre(s)?$"), r"\1ter\2"),
    (re.compile(r"([aeiou])ll(ed|ing|er|ers)$"), r"\1l\2"),
    (re.compile(r"inium$"), "inum"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
    (re.compile(r"([cf])ence(s)?$"), r"\1ense\2"),
    (re.compile(r"^(ae|oe)"), "e"),
    (re.compile(r"([^aeiou])(ae|oe)"), r"\1e"),
    (re.compile(r"amme(s)?$"), r"am\1"),
]
_WORDS_US = {"grey": "gray", "tyre": "tire", "tyres": "tires", "cheque": "check", "plough": "plow",
             "kerb": "curb", "draught": "draft", "mould": "mold", "storey": "story", "sceptic": "skeptic",
             "sceptical": "skeptical", "jewellery": "jewelry", "whilst": "while", "amongst": "among"}
_MIN_LENGTH = 5  # shorter words have too many neighbours one edit away


@lru_cache(maxsize=1 << 17)
def american(word: str) -> str:
    """The American spelling of a British one (the first respelling rule that applies)."""
    if word in _WORDS_US:
        return _WORDS_US[word]
    for pattern, replacement in _SPELLING:
        respelled = pattern.sub(replacement, word)
        if respelled != word:
            return respelled
    return word


def _one_letter_deleted(word: str) -> frozenset[str]:
    """`word` and `word` with one letter deleted: two spellings one edit apart share a key.

    Not cached: it is only called on a miss of `_lookup_keys`, whose cached keys hold the same
    strings; a cache of its own held a second set of them (on news 1 KB a word, up to its size)."""
    return frozenset({word, *(word[:i] + word[i + 1 :] for i in range(len(word)))})


@lru_cache(maxsize=1 << 17)
def _lookup_keys(word: str) -> frozenset[str]:
    """The keys under which `word` meets its variants: itself and its American spelling, each
    with one letter deleted or none (cached: the same words recur across a corpus)."""
    return _one_letter_deleted(word) | _one_letter_deleted(american(word))


def _checked(word: str) -> bool:
    """Words that can have a telling variant: long enough, alphabetic, not function words."""
    return len(word) >= _MIN_LENGTH and word.isalpha() and word not in FUNCTION_WORDS


@dataclass(frozen=True, slots=True)
class Spellings:
    """The words of one text that can have a telling variant, and its names."""

    vocabulary: frozenset[str]  # the text's words that `_checked` keeps
    names: frozenset[str]  # words always written capitalised in the text (names)

    @classmethod
    def of(cls, vocabulary: set[str], text: str) -> Spellings:
        always_capitalised: dict[str, bool] = {}
        for match in re.finditer(r"[^\W\d_]{5,}", text):
            token = match.group()
            lower = token.lower()
            always_capitalised[lower] = always_capitalised.get(lower, True) and token[0].isupper()
        names = frozenset(w for w, capitalised in always_capitalised.items() if capitalised)
        return cls(frozenset(filter(_checked, vocabulary)), names)


def _is_variant(word: str, other: str, names: frozenset[str]) -> bool:
    """Same word spelled two ways: British/American, a transliterated name, or a mid-word typo.

    Differences in the first letter or the last three (might/fight, counter/country,
    collaboration/collaborating) are other words or inflections, not variants.
    """
    if american(word) == american(other):
        return True
    if word in names and other in names:
        return not (word.startswith(other) or other.startswith(word))
    shorter = min(len(word), len(other))
    prefix = 0
    while prefix < shorter and word[prefix] == other[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shorter - prefix and word[-1 - suffix] == other[-1 - suffix]:
        suffix += 1
    return shorter >= 7 and prefix >= 2 and suffix >= 3


def variant_conflicts(derivative: Spellings, candidate: Spellings) -> list[tuple[str, str]]:
    """Words of the derivative that the candidate spells differently, as sorted (word, variant).

    Each is wording the candidate could not have supplied: the derivative has the word, the
    candidate lacks it but has a variant of it that the derivative lacks (the first such
    variant in sorted order). Only the words the two do not share are looked at, so a pair of
    near-copies costs what their few differing words do.
    """
    ours = derivative.vocabulary - candidate.vocabulary
    if not ours:
        return []
    theirs: dict[str, list[str]] = {}
    for variant in candidate.vocabulary - derivative.vocabulary:
        for key in _lookup_keys(variant):
            theirs.setdefault(key, []).append(variant)
    names = derivative.names | candidate.names
    found = []
    for word in ours:
        variants = {v for key in _lookup_keys(word) for v in theirs.get(key, ()) if _is_variant(word, v, names)}
        if variants:
            found.append((word, min(variants)))
    return sorted(found)
