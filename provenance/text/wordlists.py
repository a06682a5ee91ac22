"""Word lists: the one home of stopwords, each list named for the question it answers.

A stopword carries no evidence of reuse: every text has it. The English lists differ
because the questions differ: a candidate term must be rare enough to point at one story,
a sentence link must rest on content words, and a line of page chrome is told from prose
by how many function words it has. Words of scripts other than Latin (Arabic and Urdu,
Devanagari, Cyrillic, Greek, Hebrew, CJK, Thai, ...) are looked up in the stopwords-iso
lists (`other_script_stopwords`), loaded on first use: a word in another script cannot be
English, so the English behaviour is unchanged. Latin-script languages other than English
have no list here yet.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

from provenance.text.tokens import words

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


@lru_cache(maxsize=1)
def other_script_stopwords() -> frozenset[str]:
    """Stopwords of every language of stopwords-iso written in a script other than Latin,
    as normalised tokens (`text.words`): one home for them, asked by `is_stopword`.

    Entries that tokenise to several tokens (multi-character words of scripts written
    without spaces, which tokenise by character) are left out: their characters alone
    are not stopwords. Read from the package's data file without importing the package.
    """
    spec = importlib.util.find_spec("stopwordsiso")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    data = json.loads((Path(spec.submodule_search_locations[0]) / "stopwords-iso.json").read_text(encoding="utf-8"))
    out = set()
    for entries in data.values():
        for entry in entries:
            if entry.isascii() or _latin_or_ascii(entry):
                continue
            tokens = words(entry)
            if len(tokens) == 1 and not _latin_or_ascii(tokens[0]):  # "１" folds to an ASCII digit
                out.add(tokens[0])
    return frozenset(out)


def is_stopword(word: str, english: frozenset[str]) -> bool:
    """Whether a normalised token is a stopword: `english` (one of the lists above) for
    Latin-script words, `other_script_stopwords` for the rest (loaded only for those)."""
    if _latin_or_ascii(word):
        return word in english
    return word in other_script_stopwords()
