"""Agreement of witnesses: where two texts of a family differ, the other members vote.

Textual critics weigh manuscripts this way: each copy changes its source in its own way,
so where two texts differ, the reading the other copies share is the original one. The
voters of a family (its panel) have their sentences laid end to end, so a pair's votes
are a few array operations, and each text's reading is computed once and shared by every
pair it is in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from provenance.origin.compare import Alignment
from provenance.origin.profile import Profile
from provenance.settings import ORIGIN


@dataclass(frozen=True, slots=True)
class Panel:
    """The family members that vote on pairs of a family, their sentences laid end to end."""

    members: tuple[Profile, ...]
    slot: dict[str, int]  # member id -> its index in `members`
    owner: np.ndarray  # per sentence: its member's index in `members`
    first: np.ndarray  # every pair of sentences of one member, in that member's order:
    second: np.ndarray  # first[k] comes before second[k]

    @classmethod
    def of(cls, members: Sequence[Profile]) -> Panel:
        sizes = [len(m.sentences) for m in members]
        owner = np.repeat(np.arange(len(members)), sizes)
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.intp)
        pairs = [_ordered_pairs(n, ORIGIN.order_window) for n in sizes]
        first = np.concatenate([s + i for s, (i, _) in zip(starts, pairs)]).astype(np.intp)
        second = np.concatenate([s + j for s, (_, j) in zip(starts, pairs)]).astype(np.intp)
        return cls(tuple(members), {m.id: k for k, m in enumerate(members)}, owner, first, second)


def _ordered_pairs(n: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of sentence positions with i < j <= i + window: every pair when the text is
    no longer than the window, else n x window of them, so the order vote stays linear in length."""
    if n <= window + 1:
        return np.triu_indices(n, 1)
    gaps = np.arange(1, window + 1)
    first = np.concatenate([np.arange(n - gap) for gap in gaps])
    return first, first + np.repeat(gaps, n - gaps)


@dataclass(frozen=True, slots=True)
class Reading:
    """How each panel sentence reads against one text x. A member's own sentences have no
    counterpart in itself."""

    matched: np.ndarray  # the sentence has a counterpart in x
    best: np.ndarray  # index of that counterpart
    distance: np.ndarray  # words in one of the sentence and its counterpart, not both (see `read`)


def _member_reading(member: Profile, x: Profile, alignment: Alignment) -> tuple[np.ndarray, ...]:
    theirs, mine = x.sentence_words, member.sentence_words
    differ = [mine[i] ^ theirs[j] if j >= 0 else frozenset() for i, j in enumerate(alignment.best)]
    times = Counter(w for d in differ for w in d)
    distance = [sum(times[w] == 1 for w in d) for d in differ]
    return (np.asarray(alignment.cover) >= ORIGIN.counterpart, np.asarray(alignment.best, dtype=np.intp),
            np.asarray(distance, dtype=float))


def read(panel: Panel, x: Profile, align: Callable[[Profile, Profile], Alignment]) -> Reading:
    """Each member's sentences against their counterparts in x (`align(m, x)` aligns member m
    to x): the words in one but not the other, counting only words that differ in that one
    sentence. A word that differs in several is a systematic change (a desk's house style:
    "mln" -> "million" throughout), which copies make alike, not an edit one copy inherits
    from another."""
    parts = []
    for member in panel.members:
        if member.id == x.id:
            n = len(member.sentences)
            parts.append((np.zeros(n, dtype=bool), np.zeros(n, dtype=np.intp), np.zeros(n)))
        else:
            parts.append(_member_reading(member, x, align(member, x)))
    return Reading(*(np.concatenate(column) for column in zip(*parts)))


def witness_votes(panel: Panel, read_a: Reading, read_b: Reading) -> tuple[np.ndarray, np.ndarray]:
    """How each panel member reads where a and b differ, as votes in [-1, 1] (positive: with a).

    Only a member's sentences with a counterpart in both a and b vote, so a text that merely
    holds more of the story gets no votes for that (nor do a and b, whose own sentences have
    no counterpart in themselves). Returns, per member, (wording: how much closer its
    sentences are to a's counterparts than to b's, in words, so a word b inserts counts for
    a wherever the member lacks it; order: pairs of its sentences that a and b put in
    opposite order).
    """
    k = len(panel.members)
    both = read_a.matched & read_b.matched
    to_a = np.bincount(panel.owner, np.where(both, read_a.distance, 0.0), minlength=k)
    to_b = np.bincount(panel.owner, np.where(both, read_b.distance, 0.0), minlength=k)
    i, j = panel.first, panel.second
    step_a, step_b = read_a.best[j] - read_a.best[i], read_b.best[j] - read_b.best[i]  # > 0: member's order
    split = both[i] & both[j] & (step_a * step_b < 0)
    by = panel.owner[i]
    order_a = np.bincount(by[split & (step_a > 0)], minlength=k)
    order_b = np.bincount(by[split & (step_b > 0)], minlength=k)
    # in [-1, 1]; near 1 when a member reads as a wherever a and b differ
    return (to_b - to_a) / (to_a + to_b + 2), (order_a - order_b) / (order_a + order_b + 2)
