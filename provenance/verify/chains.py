"""Sentence chains: a rewrite follows its source sentence by sentence, in its order.

A rewrite keeps few 5-word runs but keeps, sentence by sentence, the facts, names and
numbers. Sentence pairs are scored by weighted overlap of content stems, where a stem
shared by many sentences of the two texts (the topic) weighs little. A pair is a link
only when what it shares is specific: `ALIGNMENT.min_specific_stems` stems' worth, each stem counted
by its weight relative to a stem found in one sentence of each text (two answers to one
question both name the topic in every other sentence; that is not a borrowed sentence).
The heaviest order-consistent chain of links is found by an LCS-style dynamic programme,
so scattered same-topic similarity does not add up while a rewrite that follows its
source does. `order_pvalue` then asks how often the similar sentence pairs would chain as
well if one text's sentences came in random order (a permutation test): independent
texts on one topic have similar sentences; a rewrite also has them in its source's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provenance.arrays import intersection, unique
from provenance.settings import ALIGNMENT
from provenance.verify.prepared import Prepared, sentence_stems


def chain_too_large(a: Prepared, b: Prepared) -> bool:
    """True when two texts have too many sentence pairs to align within bounded memory (~100 MB)."""
    return len(a.sent_tokens) * len(b.sent_tokens) > ALIGNMENT.max_sentence_cells


@dataclass(frozen=True, slots=True)
class Link:
    """Sentence i of a and sentence j of b, chained, with their similarity."""

    i: int
    j: int
    sim: float
    shared: int  # distinct content stems in common
    specific: float = 0.0  # the shared stems counted by specificity (see `SentenceScores`)


@dataclass(frozen=True, slots=True)
class SentenceScores:
    """Every sentence pair of two texts, (sa, sb) arrays.

    * ``sim`` — weighted Dice of the two sentences' content stems.
    * ``shared`` — distinct content stems in common.
    * ``specific`` — the shared stems, each counted by its weight over the weight of a
      stem found in exactly one sentence of each text (1.0): a stem found in most
      sentences of both texts (the topic) counts for little. Never above ``shared``.
    """

    sim: np.ndarray
    shared: np.ndarray
    specific: np.ndarray

    def similar(self, min_sim: float = ALIGNMENT.min_sentence_sim, min_shared: float = ALIGNMENT.min_shared_stems) -> np.ndarray:
        """Sentence pairs alike in wording: enough similarity and shared stems, topic words included."""
        return (self.sim >= min_sim) & (self.shared >= min_shared)

    def linkable(self, min_sim: float = ALIGNMENT.min_sentence_sim, min_shared: float = ALIGNMENT.min_shared_stems,
                 min_specific: float | None = None) -> np.ndarray:
        """Similar pairs whose shared stems are specific enough to be evidence of reuse.

        `min_specific`: None reads `ALIGNMENT.min_specific_stems` at call time.
        """
        floor = ALIGNMENT.min_specific_stems if min_specific is None else min_specific
        return self.similar(min_sim, min_shared) & (self.specific >= floor - 1e-9)


def sentence_scores(a: Prepared, b: Prepared, drop_a: np.ndarray | None = None,
                    drop_b: np.ndarray | None = None) -> SentenceScores:
    """Similarity, shared stems and specific shared stems of every sentence pair of a and b.

    A stem's weight is log(1 + S / sf), S the sentences of both texts and sf those that
    contain it: topic words present everywhere weigh little, specific ones much.
    Tokens marked in `drop_a` / `drop_b` (common phrases) are left out.
    """
    na, nb = len(a.sent_tokens), len(b.sent_tokens)
    sim = np.zeros((na, nb))
    shared = np.zeros((na, nb), dtype=np.int64)
    specific = np.zeros((na, nb))
    a_sent, a_hashes = sentence_stems(a, drop_a)
    b_sent, b_hashes = sentence_stems(b, drop_b)
    if not na or not nb or not len(a_hashes) or not len(b_hashes):
        return SentenceScores(sim, shared, specific)
    allh = np.concatenate([a_hashes, b_hashes])
    uniq, inv, sf = unique(allh, return_inverse=True, return_counts=True)
    w = np.log1p((na + nb) / sf)
    ia, ib = inv[: len(a_hashes)], inv[len(a_hashes):]
    wa_tot = np.bincount(a_sent, weights=w[ia], minlength=na)
    wb_tot = np.bincount(b_sent, weights=w[ib], minlength=nb)
    common = intersection(ia, ib)
    if len(common) == 0 or (na + nb) * len(common) > ALIGNMENT.max_sentence_cells:
        return SentenceScores(sim, shared, specific)
    col = np.full(len(uniq), -1, dtype=np.int64)
    col[common] = np.arange(len(common))
    ma = np.zeros((na, len(common)), dtype=np.float32)
    mb = np.zeros((nb, len(common)), dtype=np.float32)
    sel_a, sel_b = col[ia] >= 0, col[ib] >= 0
    ma[a_sent[sel_a], col[ia[sel_a]]] = 1.0
    mb[b_sent[sel_b], col[ib[sel_b]]] = 1.0
    shared = (ma @ mb.T).astype(np.int64)
    wc = w[common].astype(np.float32)
    num = (ma * wc) @ mb.T
    den = wa_tot[:, None] + wb_tot[None, :]
    np.divide(2.0 * num, den, out=sim, where=den > 0)
    # A shared stem is in >= 2 sentences; in exactly one of each text it weighs log(1 + S / 2).
    specific = num.astype(np.float64) / np.log1p((na + nb) / 2.0)
    return SentenceScores(sim, shared, specific)


def sentence_chain(a: Prepared, b: Prepared, min_sim: float = ALIGNMENT.min_sentence_sim,
                   min_shared: float = ALIGNMENT.min_shared_stems, drop_a: np.ndarray | None = None,
                   drop_b: np.ndarray | None = None, scores: SentenceScores | None = None,
                   min_specific: float | None = None) -> list[Link]:
    """The heaviest chain of linkable sentence pairs increasing on both sides (one-to-one).

    Linkable: similarity at least `min_sim`, at least `min_shared` shared stems, worth at
    least `min_specific` (default `ALIGNMENT.min_specific_stems`; 0 turns the rule off) counted by
    specificity (`SentenceScores.linkable`). Row-by-row LCS recurrence with weights:
    D[i][j] = max(D[i-1][j], D[i][j-1], D[i-1][j-1] + w[i][j]), w the similarity where
    the pair is linkable, else 0. `scores`: from `sentence_scores`, when already computed.
    """
    if chain_too_large(a, b):
        return []
    if scores is None:
        scores = sentence_scores(a, b, drop_a, drop_b)
    w = np.where(scores.linkable(min_sim, min_shared, min_specific), scores.sim, 0.0)
    if not w.size or not w.any():
        return []
    rows, cols = np.flatnonzero(w.any(axis=1)), np.flatnonzero(w.any(axis=0))
    w = w[np.ix_(rows, cols)]  # same best chain, smaller table
    shared, specific = scores.shared[np.ix_(rows, cols)], scores.specific[np.ix_(rows, cols)]
    na, nb = w.shape
    D = np.zeros((na + 1, nb + 1))
    for i in range(1, na + 1):
        row = np.maximum(D[i - 1, 1:], D[i - 1, :-1] + w[i - 1])
        D[i, 1:] = np.maximum.accumulate(row)
    links: list[Link] = []
    i, j = na, nb
    while i > 0 and j > 0:
        if D[i, j] == D[i - 1, j]:
            i -= 1
        elif D[i, j] == D[i, j - 1]:
            j -= 1
        else:
            links.append(Link(int(rows[i - 1]), int(cols[j - 1]), float(w[i - 1, j - 1]),
                              int(shared[i - 1, j - 1]), round(float(specific[i - 1, j - 1]), 4)))
            i, j = i - 1, j - 1
    links.reverse()
    return links


def order_pvalue(scores: SentenceScores, min_sim: float = ALIGNMENT.min_sentence_sim,
                 min_shared: float = ALIGNMENT.min_shared_stems, permutations: int = ALIGNMENT.order_permutations,
                 seed: int = ALIGNMENT.order_seed) -> float | None:
    """Permutation p-value of the order in which two texts' similar sentences come.

    The statistic is the weight of the heaviest order-consistent chain of similar pairs
    (`SentenceScores.similar`: topic words count here, since the question is order, not
    content). The null: one text's sentences in random order, everything else kept.
    p = (1 + orders chaining at least as heavily) / (1 + draws). Independent texts on
    one topic reach small p only where their subject imposes an order; three similar
    pairs, however alike, are in order by chance one time in six.

    Draws come in two rounds from one seeded stream: `ALIGNMENT.order_first_round` (199), then the
    rest of `permutations` only when the first round leaves p between 0.005 and 0.1
    (near any significance level worth using): a clear answer costs about 0.5 ms.

    The side with more sentences is the one shuffled (equal lengths: a choice made from
    the scores themselves), so the value does not depend on argument order; the seed
    is fixed, so neither on the run. None when more than `ALIGNMENT.max_order_cells` pairs are
    similar (the test would be slow; such texts are long and alike throughout).
    """
    sim, similar = scores.sim, scores.similar(min_sim, min_shared)
    rows, cols = np.nonzero(similar)
    n_rows, n_cols = sim.shape
    if len(rows) > ALIGNMENT.max_order_cells:
        return None
    if len(rows) == 0:
        return 1.0
    weights = sim[rows, cols]
    if n_rows > n_cols or (n_rows == n_cols and _transposed_first(similar, sim)):
        rows, cols, n_rows, n_cols = cols, rows, n_cols, n_rows  # shuffle the longer side
    order = np.lexsort((-cols, rows))
    rows, cols, weights = rows[order], cols[order], weights[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    ends = np.r_[starts[1:], len(rows)]
    observed = _chain_weights(cols[None, :], starts, ends, weights)[0]
    rng = np.random.default_rng(seed)
    first = min(ALIGNMENT.order_first_round, permutations)
    hits = drawn = 0
    for size in (first, permutations - first):
        if size <= 0:
            break
        perms = np.argsort(rng.random((size, n_cols)), axis=1)
        hits += int(np.count_nonzero(_chain_weights(perms[:, cols], starts, ends, weights) >= observed - 1e-9))
        drawn += size
        p = (1 + hits) / (1 + drawn)
        if p <= 0.005 or p > 0.1:
            break
    return float((1 + hits) / (1 + drawn))



def _chain_weights(pos: np.ndarray, starts: np.ndarray, ends: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Heaviest increasing chain of cells for each row of `pos` (cells' positions on the shuffled side).

    Cells are sorted by their sentence on the unshuffled side; cells of one sentence
    (`starts`..`ends`) never chain with each other.
    """
    best = np.zeros(pos.shape)
    for s, e in zip(starts, ends):
        if s:
            before = pos[:, None, :s] < pos[:, s:e, None]  # (draws, cells here, earlier cells)
            gain = np.where(before, best[:, None, :s], 0.0).max(axis=2)
        else:
            gain = 0.0
        best[:, s:e] = weights[s:e] + gain
    return best.max(axis=1)


def _transposed_first(similar: np.ndarray, sim: np.ndarray) -> bool:
    """For a square table: whether its transpose comes first in a fixed order (argument-order free)."""
    key = (similar.tobytes(), np.round(sim, 6).tobytes())
    key_t = (np.ascontiguousarray(similar.T).tobytes(), np.ascontiguousarray(np.round(sim, 6).T).tobytes())
    return key_t < key
