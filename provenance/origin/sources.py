"""Several sources per text: a copy model over aligned sentences, as in passim's source model.

A derivative may draw on more than one earlier member of its family (a paper merges two
wire takes, a mash-up joins two stories). Each of its prose sentences takes the likeliest
earlier member that holds it, or none (its own material), by a Viterbi pass in which a
member's claim on a sentence is how much of the sentence's content words its counterpart
covers, and leaving a source that holds the sentence for another costs `ORIGIN.switch_cost`: a
passage is copied from one place, so a sentence that happens to match another member slightly
better does not switch the source. A source whose passage has ended (it does not hold the
sentence) is left at the small `ORIGIN.passage_cost` of starting a passage, as after the
derivative's own material: a mash-up may alternate two stories paragraph by paragraph, one
sentence each, and a lone weak counterpart stays the derivative's own. A member supplies a
real share when it is assigned at least `ORIGIN.min_share` of the derivative's prose words in
at least `ORIGIN.min_passage_sentences` sentences: one leftover teaser or related-story line
from another story does not make that story a source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from provenance.origin.compare import Alignment
from provenance.origin.profile import Profile
from provenance.settings import ORIGIN


@dataclass(frozen=True, slots=True)
class Supply:
    """What one earlier member supplied to a derivative."""

    source: str
    share: float  # share of the derivative's prose words assigned to it
    sentences: int  # the derivative's prose sentences assigned to it
    passages: tuple[tuple[int, int], ...]  # character spans of the derivative's text, in order


def _spread_cover(content: frozenset[str], vocabulary) -> float:
    """Share of a sentence's content words found anywhere in a text (its `sentences_with`)."""
    return sum(1 for w in content if w in vocabulary) / len(content) if content else 0.0


def _transition_cost(q: int, s: int, own: int, q_holds: bool) -> float:
    """The cost of going from state q to state s at a sentence (`own`: d's own material; state 0
    the likeliest parent): staying and d's own material cost nothing; leaving a source that holds
    this sentence (`q_holds`, never d's own state) for another costs the switch; another member's passage starting after
    d's own material or after a passage that has ended (paragraphs of two stories interleaved one
    by one) costs `passage_cost`, the parent's nothing."""
    if q == s or s == own:
        return 0.0
    if q_holds:
        return ORIGIN.switch_cost
    return ORIGIN.passage_cost if s != 0 else 0.0


def attribute(d: Profile, candidates: Sequence[Profile], align: Callable[[Profile, Profile], Alignment]) -> list[Supply]:
    """Each earlier candidate's supply to d (in candidates' order, those with none left out).
    `candidates` are ranked likeliest parent first: a sentence the parent holds is the parent's
    (a sibling that holds the same passage adds no evidence that it was the source), and ties
    between the others go to the earlier one."""
    n, k = len(d.sentences), len(candidates)
    if not n or not k:
        return []
    alignments = [align(d, c) for c in candidates]
    own = k  # the state "d's own material"
    # a sentence the likeliest parent (candidates[0]) holds is its, in one sentence or spread over
    # several (an editor splits and joins sentences); the others claim only what it lacks
    vocabulary = candidates[0].sentences_with
    held = [alignments[0].matched(i) or _spread_cover(d.content[i], vocabulary) >= ORIGIN.parent_holds
            for i in range(n)]
    claim = [[a.cover[i] if a.matched(i) and (s == 0 or not held[i]) else None
              for s, a in enumerate(alignments)] for i in range(n)]
    # Viterbi over states 0..k; a state's score: summed claims minus switching costs
    score = [(claim[0][s] if claim[0][s] is not None else -1.0) for s in range(k)] + [ORIGIN.own_claim]
    back: list[list[int]] = []
    for i in range(1, n):
        row, new = [], []
        holds = [c is not None for c in claim[i]] + [False]  # which states hold sentence i (own never does)
        for s in range(k + 1):
            costs = [_transition_cost(q, s, own, holds[q]) for q in range(k + 1)]
            prev = max(range(k + 1), key=lambda q: (score[q] - costs[q], q == s, -q))
            emit = ORIGIN.own_claim if s == own else (claim[i][s] if claim[i][s] is not None else -1.0)
            row.append(prev)
            new.append(score[prev] - costs[prev] + emit)
        back.append(row)
        score = new
    state = max(range(k + 1), key=lambda s: (score[s], -s))
    path = [state]
    for row in reversed(back):
        state = row[state]
        path.append(state)
    path.reverse()
    total = d.prose_words
    out = []
    for s, c in enumerate(candidates):
        mine = [i for i, p in enumerate(path) if p == s]
        if not mine:
            continue
        runs: list[tuple[int, int]] = []
        for i in mine:
            start, end = d.spans[i]
            if start == end:  # a headline the text does not hold (profile._headline_apart)
                continue
            if runs and i - 1 in mine and runs[-1][1] <= start:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((start, end))
        share = sum(len(d.sentences[i]) for i in mine) / total
        out.append(Supply(c.id, share, len(mine), tuple(runs)))
    return out


def real_supplies(supplies: Sequence[Supply]) -> list[Supply]:
    """The supplies that are a real share of the derivative (see the module doc), largest first."""
    real = [s for s in supplies if s.share >= ORIGIN.min_share and s.sentences >= ORIGIN.min_passage_sentences]
    return sorted(real, key=lambda s: -s.share)


def draws_on(derivative: str, supplies: Sequence[Supply]) -> str:
    """"X draws on A (60%) and B (30%)"."""
    parts = [f"{s.source} ({s.share:.0%})" for s in supplies]
    joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{derivative} draws on {joined}"
