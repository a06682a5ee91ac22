"""Word lists: the one home of stopwords, each list named for the question it answers.

A stopword carries no evidence of reuse: every text has it. The English lists differ
because the questions differ: a candidate term must be rare enough to point at one story,
a sentence link must rest on content words, and a line of page chrome is told from prose
by how many function words it has. Words of scripts other than Latin (Arabic and Urdu,
Devanagari, Cyrillic, Greek, Hebrew, CJK, Thai, ...) are looked up in the stopwords-iso
lists (`other_script_stopwords`), loaded on first use: a word in another script cannot be
English, so the English behaviour is unchanged. A text in another Latin-script language
(German, French, Spanish, ...) is recognised by the share of its words on each language's
stopwords-iso list (`other_latin_language`), and that language's list then applies to it
alone: "die", "son" or "come" are stopwords in a German, French or Italian text and
content words in an English one.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from provenance.text.tokens import normalize_word, words

FUNCTION_WORDS = frozenset(
    """
    a about above according after again against all also am an and any are as at be because been before
    being below between both but by can could d did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself just
    ll m me more most mr mrs ms my myself new no nor not now of off on once one only or other our ours
    out over own re s said same say says she should so some such t than that the their theirs them then
    there these they this those through to told too two under until up ve very was we were what when
    where which while who whom why will with would you your yours
    """.split()
)
"""Function words, reporting verbs ("said", "told", "according") and titles: words every news
story uses. Origin signals leave them out of a sentence's content words."""

TERM_STOPWORDS = FUNCTION_WORDS | frozenset("may might must ourselves shall themselves yourself yourselves".split())
"""Candidate search's rare-term channel: function words and modals, which point at no story."""

SENTENCE_STOPWORDS = (TERM_STOPWORDS - frozenset("according new shall two".split())) | frozenset(
    """
    almost along already although always among another anyone anything around away back became become
    becomes cannot done either else enough etc even ever every get gets got however last least less like
    made make makes many much neither never next often onto others per perhaps put rather see seen since
    therefore though thus toward towards upon us via way well whatever whether whose within without yet
    """.split()
)
"""Sentence matching (verification): also common adverbs, quantifiers and light verbs ("get",
"make", "however"), so a sentence link rests on content words. Numbers and "new", "two",
"according" stay: they are content in a rewritten sentence."""

CHROME_STOPWORDS = frozenset(
    """
    a about after also an and are as at be been before but by can could for from had has have he her his
    how i if in into is it its may might no not of on or our out over said says she should so than that
    the their then there these they this those to up was we were what when where which who whom why will
    with would you
    """.split()
)
"""The commonest function words, whose share tells a line of prose from a line of page chrome
(a menu or a list of headlines has almost none)."""


def _latin_or_ascii(word: str) -> bool:
    return word.isascii() or any(unicodedata.name(c, "").startswith("LATIN") for c in word[:2] if c.isalpha())


def _latin_letter(c: str) -> bool:
    """A character of the Latin blocks (Basic Latin to Latin Extended-B, IPA; Latin Extended
    Additional): a cheap `_latin_or_ascii` for one character."""
    return bool(c) and (ord(c) < 0x2B0 or 0x1E00 <= ord(c) < 0x1F00)


@lru_cache(maxsize=1)
def _stopwords_iso() -> dict[str, list[str]]:
    """stopwords-iso's lists by language code, read from the package's data file without
    importing the package ({} when it is not installed)."""
    spec = importlib.util.find_spec("stopwordsiso")
    if spec is None or not spec.submodule_search_locations:
        return {}
    return json.loads((Path(spec.submodule_search_locations[0]) / "stopwords-iso.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def other_script_stopwords() -> frozenset[str]:
    """Stopwords of every language of stopwords-iso written in a script other than Latin,
    as normalised tokens (`text.words`): one home for them, asked by `is_stopword`.

    Entries that tokenise to several tokens (multi-character words of scripts written
    without spaces, which tokenise by character) are left out: their characters alone
    are not stopwords.
    """
    out = set()
    for entries in _stopwords_iso().values():
        for entry in entries:
            if entry.isascii() or _latin_or_ascii(entry):
                continue
            tokens = words(entry)
            if len(tokens) == 1 and not _latin_or_ascii(tokens[0]):  # "１" folds to an ASCII digit
                out.add(tokens[0])
    return frozenset(out)


ENGLISH_SHARE = 0.2
"""A text with at least this share of its words in `FUNCTION_WORDS` is English, and no other
language's list is looked at (measured, benchmarks/RESULTS.md issue #14: English news 0.28 and
more at the 1st percentile, German and French pages at most 0.09)."""

LANGUAGE_MIN_SHARE = 0.25
"""A text is in another Latin-script language only if at least this share of its tokens (names and
numbers counted) are on that language's list (measured on real pages, benchmarks/RESULTS.md issue
#14: 73 German and French pages 0.25-0.67 on their own list; below it a text keeps the English
rules, which only means its function words stay content words)."""

LANGUAGE_MARGIN = 1.5
"""...and it has this many times the share English's list has (36 English pages: English's list
0.26 at the 5th percentile, median 0.55, any other list at most 0.23)."""


@lru_cache(maxsize=1)
def latin_stopword_lists() -> dict[str, frozenset[str]]:
    """stopwords-iso's lists of languages written in Latin script (English's included, for
    `other_latin_language` to weigh against), as normalised tokens; entries of several tokens
    are left out, and lists of 20 words or fewer (too few to tell a language by)."""
    lists = {}
    for language, entries in sorted(_stopwords_iso().items()):
        tokens = set()
        for entry in entries:
            if entry.isascii():
                if entry.isalpha():
                    tokens.add(entry.lower())
            elif _latin_letter(entry[:1]) and len(folded := normalize_word(entry)) == 1 and folded[0].isalpha():
                tokens.add(folded[0])
        if len(tokens) > 20:
            lists[language] = frozenset(tokens)
    return lists


@lru_cache(maxsize=1)
def latin_stopword_masks() -> tuple[tuple[str, ...], dict[str, int]]:
    """(languages of `latin_stopword_lists`, each of their words -> the languages it is a stopword of,
    bit i for languages[i])."""
    lists = latin_stopword_lists()
    languages = tuple(lists)[:64]
    masks: dict[str, int] = {}
    for i, language in enumerate(languages):
        for word in lists[language]:
            masks[word] = masks.get(word, 0) | 1 << i
    return languages, masks


def language_stopwords(tokens: Sequence[str]) -> frozenset[str]:
    """The stopwords of the Latin-script language other than English that `tokens` (a text's
    normalised words) are written in, or none: English (at least `ENGLISH_SHARE` of them in
    `FUNCTION_WORDS`, decided without the other lists), another script, or too few function words
    to say (`other_latin_language`)."""
    if not tokens or sum(t in FUNCTION_WORDS for t in tokens) >= ENGLISH_SHARE * len(tokens):
        return frozenset()
    masks = latin_stopword_masks()[1]
    language = other_latin_language(Counter(masks[t] for t in tokens if t in masks), len(tokens))
    return latin_stopword_lists()[language] if language else frozenset()


def other_latin_language(per_mask: Mapping[int, int], n_tokens: int) -> str | None:
    """The Latin-script language other than English a text of `n_tokens` tokens is written in, from
    how many of its tokens carry each mask of `latin_stopword_masks` (their shares on each list),
    or None: English, or too few function words to say, where the English lists apply as they
    always have."""
    languages = latin_stopword_masks()[0]
    shares = dict.fromkeys(languages, 0.0)
    for mask, n in per_mask.items():
        for i, language in enumerate(languages):
            if mask >> i & 1:
                shares[language] += n / n_tokens
    if not shares or not n_tokens:
        return None
    best = max(shares, key=lambda language: (shares[language], language))
    if best == "en" or shares[best] < LANGUAGE_MIN_SHARE:
        return None
    return best if shares[best] >= LANGUAGE_MARGIN * shares.get("en", 0.0) else None


def is_stopword(word: str, english: frozenset[str]) -> bool:
    """Whether a normalised token is a stopword: `english` (one of the lists above) for
    Latin-script words, `other_script_stopwords` for the rest (loaded only for those)."""
    if _latin_or_ascii(word):
        return word in english
    return word in other_script_stopwords()
