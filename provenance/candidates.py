"""Candidate pairs: which documents are worth verifying against each other.

Three channels, each tuned for recall (verification decides; a candidate is cheap):

* **lsh** — MinHash LSH over whole-document signatures (the core's, so the same
  signatures an index stores), banded below the reporting threshold: near-copies.
* **fingerprints** — winnowed shingle hashes (the minimum of every window of `w`
  consecutive shingles; Schleimer et al. 2003). Any shared run of ``w + k - 1``
  words yields a shared fingerprint whatever surrounds it, so two paragraphs lifted
  into a longer post are found even though whole-document similarity is tiny.
* **terms** — shared rare content words (stopwords out, frequent words out). A heavy
  paraphrase keeps few 5-word runs but keeps the facts, names and numbers.

Buckets are grouped by sorting, never by Python dictionaries per item; a bucket
larger than `max_bucket` contributes star edges (each member linked to its first)
instead of all its pairs, which keeps boilerplate-like buckets from exploding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provenance.fingerprint import minhash as sketch
from provenance.fingerprint.features import Features, band_keys
from provenance.settings import TOO_COMMON, CandidateOptions


@dataclass(frozen=True, slots=True)
class Candidates:
    """Index pairs (i < j) into the scanned documents and which channels proposed each."""

    pairs: np.ndarray  # (m, 2) int64, sorted
    channels: tuple[tuple[str, ...], ...]


def group_pairs(values: np.ndarray, docs: np.ndarray, max_bucket: int, max_df: int | None = None) -> np.ndarray:
    """Pairs of docs that share a value; (value, doc) items need not be unique.

    Groups above `max_df` members are dropped (too common to be evidence); groups
    above `max_bucket` give star edges. Returns (m, 2) int64 with i < j, with
    repeats (one per shared value), so callers can count shared values per pair.
    """
    if len(values) == 0:
        return np.empty((0, 2), dtype=np.int64)
    order = np.lexsort((docs, values))
    v, d = values[order], docs[order]
    keep = np.ones(len(v), dtype=bool)
    keep[1:] = (v[1:] != v[:-1]) | (d[1:] != d[:-1])
    v, d = v[keep], d[keep]
    starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])
    sizes = np.diff(np.r_[starts, len(v)])
    out: list[np.ndarray] = []
    usable = sizes >= 2
    if max_df is not None:
        usable &= sizes <= max_df
    for size in np.unique(sizes[usable]):
        group_starts = starts[usable & (sizes == size)]
        if size <= max_bucket:
            members = d[group_starts[:, None] + np.arange(size)[None, :]]
            iu, ju = np.triu_indices(size, 1)
            out.append(np.stack([members[:, iu].ravel(), members[:, ju].ravel()], axis=1))
        else:
            first = np.repeat(d[group_starts], size - 1)
            rest = d[(group_starts[:, None] + np.arange(1, size)[None, :]).ravel()]
            out.append(np.stack([first, rest], axis=1))
    if not out:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.concatenate(out).astype(np.int64)
    pairs.sort(axis=1)
    return pairs[pairs[:, 0] != pairs[:, 1]]


def count_pairs(pairs: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique pairs (sorted) and how many shared values each came from."""
    codes, counts = np.unique(pairs[:, 0] * n + pairs[:, 1], return_counts=True)
    return np.stack([codes // n, codes % n], axis=1), counts


CHANNELS = ("lsh", "fingerprints", "terms")


def channel_items(features: Features, options: CandidateOptions, first: int = 0) -> dict[str, tuple]:
    """Each channel's (key, document) items: band keys of documents with shingles, fingerprints,
    content terms. `first` numbers the documents from there (a partition of a larger corpus)."""
    n = len(features.signatures)
    empty = (features.signatures == sketch.EMPTY_VALUE).all(axis=1)
    keys = band_keys(features.signatures, options.bands, options.rows)
    band_docs = np.repeat(np.arange(n, dtype=np.int64), options.bands)
    live = ~np.repeat(empty, options.bands)
    return {
        "lsh": (keys.ravel()[live], band_docs[live] + first),
        "fingerprints": (features.fingerprints, features.fingerprint_docs + first),
        "terms": (features.terms, features.term_docs + first),
    }


def shared_keys(name: str, values: np.ndarray, docs: np.ndarray, n: int,
                options: CandidateOptions) -> tuple[np.ndarray, np.ndarray]:
    """(pair codes i * n + j, shared keys per pair) of one channel's items; fingerprints and terms
    found in more than `TOO_COMMON.candidate_key(n)` documents are too common to count."""
    limit = None if name == "lsh" else TOO_COMMON.candidate_key(n)
    pairs, counts = count_pairs(group_pairs(values, docs, options.max_bucket, limit), max(n, 1))
    return pairs[:, 0] * n + pairs[:, 1], counts


def accept(name: str, codes: np.ndarray, counts: np.ndarray, n: int, term_counts: np.ndarray,
           options: CandidateOptions) -> np.ndarray:
    """The pair codes a channel proposes, given how many keys each pair shares in it.

    lsh: one shared band is enough. fingerprints: `min_fingerprints`. terms: `min_terms` and
    `term_share` of the smaller document's content words.
    """
    if name == "fingerprints":
        return codes[counts >= options.min_fingerprints]
    if name == "terms":
        smaller = np.minimum(term_counts[codes // n], term_counts[codes % n])
        return codes[(counts >= options.min_terms) & (counts >= options.term_share * np.maximum(smaller, 1))]
    return codes


def merge(found: dict[str, np.ndarray], n: int) -> Candidates:
    """The union of the channels' accepted pair codes, with the channels that proposed each pair."""
    names = list(found)
    all_codes = np.unique(np.concatenate([found[name] for name in names]))
    member = [np.isin(all_codes, found[name]) for name in names]
    channels = tuple(tuple(name for name, m in zip(names, member) if m[i]) for i in range(len(all_codes)))
    return Candidates(np.stack([all_codes // n, all_codes % n], axis=1), channels)


def find(features: Features, options: CandidateOptions = CandidateOptions()) -> Candidates:
    """Candidate pairs from all three channels, with the channels that proposed each."""
    n = len(features.signatures)
    if n < 2:
        return Candidates(np.empty((0, 2), dtype=np.int64), ())
    found = {}
    for name, (values, docs) in channel_items(features, options).items():
        codes, counts = shared_keys(name, values, docs, n, options)
        found[name] = accept(name, codes, counts, n, features.term_counts, options)
    return merge(found, n)


def verification_order(pairs: np.ndarray, n: int) -> np.ndarray:
    """An order of `pairs` in which each document's pairs come close together.

    Verification caches each document's preparation (tokens, sentences) in a bounded
    cache. Documents are numbered by reverse Cuthill-McKee over the candidate graph
    (connected groups stay together, and inside a large group linked documents get
    near numbers) and pairs visited by their higher number: a document is prepared
    about once at any corpus size, even inside one huge group of templated wire items.
    """
    if len(pairs) == 0:
        return np.arange(0)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import reverse_cuthill_mckee

    ones = np.ones(len(pairs), dtype=np.int8)
    graph = coo_matrix((ones, (pairs[:, 0], pairs[:, 1])), shape=(n, n)).tocsr()
    numbered = reverse_cuthill_mckee((graph + graph.T).tocsr(), symmetric_mode=True)
    pos = np.empty(n, dtype=np.int64)
    pos[numbered] = np.arange(n)
    first, second = pos[pairs[:, 0]], pos[pairs[:, 1]]
    return np.lexsort((pairs[:, 1], pairs[:, 0], np.minimum(first, second), np.maximum(first, second)))
