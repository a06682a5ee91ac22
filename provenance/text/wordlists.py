"""Word lists: the one home of stopwords, each list named for the question it answers.

English only, for now. A stopword carries no evidence of reuse: every text has it. The
lists differ because the questions differ: a candidate term must be rare enough to
point at one story, a sentence link must rest on content words, and a line of page
chrome is told from prose by how many function words it has.
"""

from __future__ import annotations

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
