"""A pair of texts in its family: the measurements the direction signals read, each made once.

Measurements between two members (alignments, shares of one found in the other, each
text's reading by the family's witnesses) recur in many pairs of a family, so the family
keeps them; a pair's own measurements are computed on first use and kept with the pair.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

from provenance.origin import compare
from provenance.origin.compare import Alignment
from provenance.origin.profile import Profile
from provenance.origin.wire import deixis
from provenance.origin.witnesses import Panel, Reading, read, witness_votes
from provenance.settings import ORIGIN


@dataclass(frozen=True, slots=True)
class MemberShares:
    """How much of one other family member is found in a and in b."""

    member: str
    in_a: float
    in_b: float


@dataclass(frozen=True, slots=True)
class WitnessVote:
    """One other member's votes where a and b differ, in [-1, 1] (positive: it reads as a)."""

    member: str
    wording: float
    order: float


class FamilyContext:
    """The profiles of one family and the measurements its pairs share."""

    def __init__(self, profiles: Mapping[str, Profile]):
        self.profiles = dict(profiles)
        self.members = sorted(profiles)
        self._alignments: dict[tuple[str, str], Alignment] = {}
        self._trigram_shares: dict[tuple[str, str], float] = {}
        self._sentence_shares: dict[tuple[str, str], float] = {}
        self._readings: dict[str, Reading] = {}
        self._unique_shares: dict[tuple[str, tuple[str, ...]], float] = {}
        self._mergers: dict[str, float] = {}
        self._pairs: dict[tuple[str, str], PairContext] = {}

    @cached_property
    def panel(self) -> Panel:
        """The witnesses: every pair's others are among the first ORIGIN.max_others + 2 members."""
        return Panel.of([self.profiles[m] for m in self.members[: ORIGIN.max_others + 2]])

    def pair(self, a: str, b: str) -> PairContext:
        """The pair of members a and b, in id order (the signals are antisymmetric)."""
        key = (a, b) if a < b else (b, a)
        if key not in self._pairs:
            self._pairs[key] = PairContext(self, *key)
        return self._pairs[key]

    def related(self, x: Profile, y: Profile) -> bool:
        """x and y share a real part of one of them (ORIGIN.min_share of its prose words)."""
        return max(self.sentence_share(x, y), self.sentence_share(y, x)) >= ORIGIN.min_share

    def others(self, a: str, b: str) -> tuple[Profile, ...]:
        """The members consulted about the pair: of the panel's members but a and b, the first
        ORIGIN.max_others that share material with both. A member related to only one of them
        (the other story a mash-up joins, a wire's second take) says nothing about which of the
        two came first: where it is found tells only which of them holds it. Only the panel votes
        (its readings are what `witnesses` counts), which bounds a large family's work."""
        pa, pb = self.profiles[a], self.profiles[b]
        rest = (m for m in self.panel.members if m.id != a and m.id != b)
        related = (m for m in rest if self.related(m, pa) and self.related(m, pb))
        return tuple(islice(related, ORIGIN.max_others))

    def alignment(self, x: Profile, y: Profile) -> Alignment:
        """x's sentences aligned to their counterparts in y."""
        key = (x.id, y.id)
        if key not in self._alignments:
            self._alignments[key] = compare.align(x, y)
        return self._alignments[key]

    def trigram_share(self, x: Profile, y: Profile) -> float:
        """Share of x's word 3-grams found in y."""
        key = (x.id, y.id)
        if key not in self._trigram_shares:
            self._trigram_shares[key] = compare.trigram_share(x, y)
        return self._trigram_shares[key]

    def sentence_share(self, x: Profile, y: Profile) -> float:
        """Share of x's prose words in sentences with a counterpart in y."""
        key = (x.id, y.id)
        if key not in self._sentence_shares:
            self._sentence_shares[key] = compare.sentence_share(x, self.alignment(x, y))
        return self._sentence_shares[key]

    def reading(self, x: Profile) -> Reading:
        """How the panel's sentences read against x (shared by every pair x is in)."""
        if x.id not in self._readings:
            self._readings[x.id] = read(self.panel, x, self.alignment)
        return self._readings[x.id]

    def unique_share(self, x: Profile, others: tuple[Profile, ...]) -> float:
        """Share of x's prose words found in none of `others` (the same others for most pairs of x)."""
        key = (x.id, tuple(m.id for m in others))
        if key not in self._unique_shares:
            alignments = [self.alignment(x, m) for m in others] if x.prose_words else []
            self._unique_shares[key] = compare.unique_share(x, alignments)
        return self._unique_shares[key]


    def merger(self, x: Profile) -> float:
        """How much x joins material of two members that do not share it (`compare.merger_share`),
        over the panel's members other than x."""
        if x.id not in self._mergers:
            members = [m for m in self.panel.members if m.id != x.id]
            held = [compare.matched_sentences(x, self.alignment(x, m)) for m in members]
            kinship = [[max(self.sentence_share(m, n), self.sentence_share(n, m)) if m is not n else 1.0
                        for n in members] for m in members]
            self._mergers[x.id] = compare.merger_share(x, held, kinship)
        return self._mergers[x.id]


class PairContext:
    """Two members a < b of a family (by id) and the rest of the family as seen from them."""

    def __init__(self, family: FamilyContext, a: str, b: str):
        self.family = family
        self.a = family.profiles[a]
        self.b = family.profiles[b]
        self.others = family.others(a, b)

    @cached_property
    def a_in_b(self) -> Alignment:
        return self.family.alignment(self.a, self.b)

    @cached_property
    def b_in_a(self) -> Alignment:
        return self.family.alignment(self.b, self.a)

    @property
    def trigrams_a_in_b(self) -> float:
        """Share of a's word 3-grams found in b."""
        return self.family.trigram_share(self.a, self.b)

    @property
    def trigrams_b_in_a(self) -> float:
        return self.family.trigram_share(self.b, self.a)

    @property
    def sentences_a_in_b(self) -> float:
        """Share of a's prose words in sentences with a counterpart in b."""
        return self.family.sentence_share(self.a, self.b)

    @property
    def sentences_b_in_a(self) -> float:
        return self.family.sentence_share(self.b, self.a)

    @cached_property
    def edges_a(self) -> tuple[float, float]:
        """Shares of a's prose words before its first / after its last sentence shared with b."""
        return compare.edge_shares(self.a, self.a_in_b)

    @cached_property
    def edges_b(self) -> tuple[float, float]:
        return compare.edge_shares(self.b, self.b_in_a)

    @cached_property
    def related(self) -> bool:
        """a and b share a real part of one of them (`FamilyContext.related`)."""
        return self.family.related(self.a, self.b)

    @cached_property
    def deixis_a(self) -> float | None:
        """Where a's time words put the events of its sentences shared with b (`wire.deixis`; None
        when they cannot be placed): only the shared narration, as the rest may tell other events."""
        return deixis(" ".join(" ".join(self.a.sentences[i]) for i in compare.matched_sentences(self.a, self.a_in_b)))

    @cached_property
    def deixis_b(self) -> float | None:
        return deixis(" ".join(" ".join(self.b.sentences[i]) for i in compare.matched_sentences(self.b, self.b_in_a)))

    @cached_property
    def rendered_twice_in_a(self) -> int:
        """b's sentences that a renders twice in different wording."""
        return compare.rendered_twice(self.a, self.b, self.a_in_b)

    @cached_property
    def rendered_twice_in_b(self) -> int:
        return compare.rendered_twice(self.b, self.a, self.b_in_a)

    @cached_property
    def others_by_sentence(self) -> list[MemberShares]:
        """Each other member's share of prose words with a counterpart in a and in b."""
        share = self.family.sentence_share
        return [MemberShares(m.id, share(m, self.a), share(m, self.b)) for m in self.others]

    @cached_property
    def others_by_trigram(self) -> list[MemberShares]:
        """Each other member's share of 3-grams found in a and in b."""
        share = self.family.trigram_share
        return [MemberShares(m.id, share(m, self.a), share(m, self.b)) for m in self.others]

    @cached_property
    def witnesses(self) -> list[WitnessVote]:
        """The other members' votes where a and b differ (none without others)."""
        if not self.others:
            return []
        family = self.family
        wording, order = witness_votes(family.panel, family.reading(self.a), family.reading(self.b))
        slots = [family.panel.slot[m.id] for m in self.others]
        return [WitnessVote(m.id, float(wording[k]), float(order[k])) for m, k in zip(self.others, slots)]

    @property
    def merger_a(self) -> float:
        """How much a joins material of two other members that they do not share."""
        return self.family.merger(self.a)

    @property
    def merger_b(self) -> float:
        return self.family.merger(self.b)

    @cached_property
    def unique_a(self) -> float:
        """Share of a's prose words found in no other member consulted."""
        return self.family.unique_share(self.a, self.others)

    @cached_property
    def unique_b(self) -> float:
        return self.family.unique_share(self.b, self.others)
