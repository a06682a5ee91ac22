"""Measures between two profiles: shared wording, sentence counterparts, and where they sit.

These are the raw measurements behind the direction signals. None of them says who
copied whom on its own (copies both cut and pad their source); the signals turn
differences between the two directions into evidence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

from provenance.origin.profile import Profile
from provenance.settings import ORIGIN

_MIN_CONTENT_WORDS = 3  # shorter sentences are not aligned (too little to tell a counterpart)
_MIN_RENDERED_WORDS = 6  # a sentence rendered twice needs this many content words to tell
_RENDERED_COVER = 0.5  # share of the sentence's content words each rendering must hold
_TWO_RENDERINGS = (0.35, 0.85)  # overlap (Jaccard) of two renderings: reworded, yet one sentence
_RENDERING_GAP = 2  # two renderings of one sentence at most this many sentences apart
_OPENING = 2  # a text's first sentences (a headline, the lead), which the next ones restate


def trigram_share(x: Profile, y: Profile) -> float:
    """Share of x's word 3-grams that also occur in y."""
    return len(x.trigrams & y.trigrams) / len(x.trigrams) if x.trigrams else 0.0


@dataclass(frozen=True, slots=True)
class Alignment:
    """For each prose sentence of x: its best match in y (-1: none) and the share of its
    content words that match covers."""

    best: list[int]
    cover: list[float]

    def matched(self, i: int) -> bool:
        return self.cover[i] >= ORIGIN.counterpart


def align(x: Profile, y: Profile) -> Alignment:
    """Best y-sentence for each x-sentence by content-word overlap (survives light paraphrase).

    A sentence costs the postings of its words in y, each at most ORIGIN.max_word_sentences
    long (see `profile._postings`), so alignment is linear in x's words."""
    holding = y.sentences_with
    best, cover = [], []
    for content in x.content:
        counts: Counter[int] = Counter()
        if len(content) >= _MIN_CONTENT_WORDS:
            counts.update(chain.from_iterable(holding.get(word, ()) for word in content))
        if not counts:
            best.append(-1)
            cover.append(0.0)
            continue
        top = max(counts.values())
        j = min(k for k, n in counts.items() if n == top)  # ties: the earliest sentence
        best.append(j)
        cover.append(counts[j] / len(content))
    return Alignment(best, cover)


def sentence_share(x: Profile, alignment: Alignment) -> float:
    """Share of x's prose words in sentences that have a counterpart (by `alignment`, x's in y)."""
    total = x.prose_words
    if not total:
        return 0.0
    return sum(len(s) for i, s in enumerate(x.sentences) if alignment.matched(i)) / total


def edge_shares(x: Profile, alignment: Alignment) -> tuple[float, float]:
    """Shares of x's prose words before its first / after its last sentence with a counterpart."""
    shared = [i for i in range(len(x.sentences)) if alignment.matched(i)]
    total = x.prose_words
    if not shared or not total:
        return 0.0, 0.0
    lead = sum(len(s) for s in x.sentences[: shared[0]]) / total
    tail = sum(len(s) for s in x.sentences[shared[-1] + 1 :]) / total
    return lead, tail


def rendered_twice(x: Profile, y: Profile, alignment: Alignment) -> int:
    """y-sentences rendered twice in x in different wording, side by side (`alignment`: x's in y):
    the trace a spinner leaves. Restatement is not a spin: a news text's headline restates its
    lead and the next sentences restate both ("according to sources, ..."), and a story repeats
    its main fact further down ("he also said ..."); a copy that condenses such a text joins the
    restatements into one sentence, so renderings far apart, three or more of them, or one of
    them in the opening two sentences, point at the source, not the copy (on real agency -> paper pairs they did, 4 times in 5:
    benchmarks/RESULTS.md)."""
    renderings: dict[int, list[int]] = {}
    for i, j in enumerate(alignment.best):
        if i < _OPENING or j < 0 or len(y.content[j]) < _MIN_RENDERED_WORDS:
            continue
        if len(x.content[i] & y.content[j]) / len(y.content[j]) >= _RENDERED_COVER:
            renderings.setdefault(j, []).append(i)
    low, high = _TWO_RENDERINGS
    twice = 0
    for xs in renderings.values():
        # exactly two renderings, near each other: a y-sentence with three or more counterparts in
        # x is several of x's sentences condensed into one. Two renderings of one sentence share
        # its words; two source sentences merged into one (an editor's merge) share little
        if len(xs) != 2 or abs(xs[0] - xs[1]) > _RENDERING_GAP:
            continue
        p, q = x.content[xs[0]], x.content[xs[1]]
        if low <= len(p & q) / max(1, len(p | q)) < high:
            twice += 1
    return twice


def unique_share(x: Profile, alignments: Sequence[Alignment]) -> float:
    """Share of x's prose words in sentences with a counterpart in none of the other family
    members (`alignments`: x's in each): a source's wording spreads to its copies, while what
    a copy adds stays its own."""
    total = x.prose_words
    if not alignments or not total:
        return 0.0
    return sum(len(s) for i, s in enumerate(x.sentences) if not any(a.matched(i) for a in alignments)) / total


def matched_sentences(x: Profile, alignment: Alignment) -> frozenset[int]:
    """x's prose sentences with a counterpart (by `alignment`, x's in y)."""
    return frozenset(i for i in range(len(x.sentences)) if alignment.matched(i))


def merger_share(x: Profile, held: Sequence[frozenset[int]], kinship: Sequence[Sequence[float]]) -> float:
    """How much x looks like a merger of two members that do not share that material with each
    other: over pairs of members (m, n), the smaller of the shares of x's prose words found in m
    but not n and in n but not m, discounted by how much m and n share (`kinship[m][n]`: the
    larger share of one's prose words with a counterpart in the other). `held[m]`: x's sentences
    with a counterpart in member m. A paper that joins a wire's first take and its second holds
    parts of each that the other lacks; a source's copies each take parts of it, but they share
    what they took with each other."""
    total = x.prose_words
    if not total or len(held) < 2:
        return 0.0
    size = [len(s) for s in x.sentences]
    best = 0.0
    for m in range(len(held)):
        for n in range(m + 1, len(held)):
            apart = 1.0 - kinship[m][n]
            if apart <= best:
                continue
            only_m = sum(size[i] for i in held[m] - held[n]) / total
            only_n = sum(size[i] for i in held[n] - held[m]) / total
            best = max(best, min(only_m, only_n) * apart)
    return best
