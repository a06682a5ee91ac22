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

Memory follows the documents and the pairs proposed, not the pairs that share one key:
LSH keys are grouped a few bands at a time, and the fingerprint and term channels count
each pair's shared keys as a product of sparse document-key matrices, a block of
documents at a time, keeping only the pairs they accept (`CandidateOptions.chunk_items`).
The matrices are built a part of the keys at a time (`fingerprint.items`), from arrays or,
in a scan, from files the items were spilled to, and keep only keys in two documents or more.
Most pairs of short texts share one rare word; holding them all cost kilobytes a document.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provenance.arrays import unique
from provenance.fingerprint import minhash as sketch
from provenance.fingerprint.features import Features, band_keys
from provenance.fingerprint.items import KeyItems, SpilledItems
from provenance.settings import TOO_COMMON, CandidateOptions


@dataclass(frozen=True, slots=True)
class Candidates:
    """Index pairs (i < j) into the scanned documents and which channels proposed each."""

    pairs: np.ndarray  # (m, 2) int64, sorted
    channels: tuple[tuple[str, ...], ...]


def _pair_codes(values: np.ndarray, docs: np.ndarray, n: int, max_bucket: int, max_df: int | None) -> np.ndarray:
    """Pair codes i * n + j (i < j) of docs that share a value, one per shared value (see `group_pairs`).

    Codes, not (i, j) rows: 8 bytes a pair found instead of the 16 of a row and its copies.
    """
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((docs, values))
    v, d = values[order], docs[order]
    del order
    keep = np.ones(len(v), dtype=bool)
    keep[1:] = (v[1:] != v[:-1]) | (d[1:] != d[:-1])
    v, d = v[keep], d[keep]
    del keep
    starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])
    del v
    sizes = np.diff(np.r_[starts, len(d)])
    out: list[np.ndarray] = []
    usable = sizes >= 2
    if max_df is not None:
        usable &= sizes <= max_df
    for size in unique(sizes[usable]):
        group_starts = starts[usable & (sizes == size)]
        if size <= max_bucket:
            members = d[group_starts[:, None] + np.arange(size)[None, :]]
            iu, ju = np.triu_indices(size, 1)
            first, second = members[:, iu].ravel(), members[:, ju].ravel()
        else:
            first = np.repeat(d[group_starts], size - 1)
            second = d[(group_starts[:, None] + np.arange(1, size)[None, :]).ravel()]
        lo, hi = np.minimum(first, second).astype(np.int64), np.maximum(first, second)
        out.append((lo * n + hi)[lo != hi])
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


def group_pairs(values: np.ndarray, docs: np.ndarray, max_bucket: int, max_df: int | None = None) -> np.ndarray:
    """Pairs of docs that share a value; (value, doc) items need not be unique.

    Groups above `max_df` members are dropped (too common to be evidence); groups
    above `max_bucket` give star edges. Returns (m, 2) int64 with i < j, with
    repeats (one per shared value), so callers can count shared values per pair.
    """
    n = int(docs.max()) + 1 if len(docs) else 1
    codes = _pair_codes(values, docs, n, max_bucket, max_df)
    return np.stack([codes // n, codes % n], axis=1)


def add_counts(codes: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique codes (sorted) and the sum of their counts: the parts of a channel put together."""
    distinct, inverse = unique(codes, return_inverse=True)
    return distinct, np.bincount(inverse, weights=counts, minlength=len(distinct)).astype(np.int64)


CHANNELS = ("lsh", "fingerprints", "terms")


def _live(features: Features) -> np.ndarray:
    """The documents with shingles (a text without any has the empty signature and no band keys)."""
    return np.flatnonzero((features.signatures != sketch.EMPTY_VALUE).any(axis=1))


def lsh_items(features: Features, options: CandidateOptions, bands: range, live: np.ndarray,
              first: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(band key, document) items of bands `bands` of the documents `live`, document by document."""
    rows = options.rows
    part = features.signatures[live, bands.start * rows : bands.stop * rows]
    keys = band_keys(part, len(bands), rows, first_band=bands.start)
    return keys.ravel(), np.repeat(live + first, len(bands))


def channel_items(features: Features, options: CandidateOptions, first: int = 0) -> dict[str, tuple]:
    """Each channel's (key, document) items: band keys of documents with shingles, fingerprints,
    content terms. `first` numbers the documents from there (a partition of a larger corpus)."""
    return {
        "lsh": lsh_items(features, options, range(options.bands), _live(features), first),
        "fingerprints": (features.fingerprints.values, features.fingerprints.docs + first),
        "terms": (features.terms.values, features.terms.docs + first),
    }


def shared_keys(name: str, values: np.ndarray, docs: np.ndarray, n: int,
                options: CandidateOptions) -> tuple[np.ndarray, np.ndarray]:
    """(pair codes i * n + j, shared keys per pair) of one channel's items; fingerprints and terms
    found in more than `TOO_COMMON.candidate_key(n)` documents are too common to count.

    The items are grouped `options.chunk_items` at a time (cut by key, so the answer is the same):
    sorting them all at once held several copies of every item, ~2.6 KB a tiny document.
    """
    limit = None if name == "lsh" else TOO_COMMON.candidate_key(n)
    small = docs.astype(np.int32) if n < 2**31 else docs
    found = []
    for v, d in KeyItems(values, small).parts(options.chunk_items):
        codes, counts = unique(_pair_codes(v, d, max(n, 1), options.max_bucket, limit), return_counts=True)
        found.append((codes, counts))
    if len(found) == 1:
        return found[0]
    return add_counts(np.concatenate([c for c, _ in found]), np.concatenate([k for _, k in found]))


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
    all_codes = unique(np.concatenate([found[name] for name in names]))
    mask = np.zeros(len(all_codes), dtype=np.int64)
    for bit, name in enumerate(names):
        mask |= np.isin(all_codes, found[name]).astype(np.int64) << bit
    # one tuple for each combination of channels, shared by its pairs (not one per pair)
    combos = [tuple(name for bit, name in enumerate(names) if m >> bit & 1) for m in range(1 << len(names))]
    channels = tuple(combos[m] for m in mask.tolist())
    return Candidates(np.stack([all_codes // n, all_codes % n], axis=1), channels)


def _incidence(items: KeyItems | SpilledItems, n: int, options: CandidateOptions, limit: int | None) -> tuple:
    """Two sparse 0/1 matrices (documents x groups, groups x documents) whose product counts, above
    its diagonal, the keys each pair of documents shares as `group_pairs` pairs them: every pair of
    a group of at most `max_bucket` documents, its first with each other member above that (star
    edges: the first is in the left matrix only, the others in the right only, and the first has the
    lowest number), no group of one or of more than `limit` documents.

    A part's kept items, sorted by key then document, are the rows of its groups as CSR stores them,
    so each side is made from its documents and row sizes alone: 4 bytes a kept item, not the
    (row, column) pairs of a coordinate matrix and their copies in conversion."""
    from scipy.sparse import csr_matrix

    left: list[tuple[np.ndarray, np.ndarray]] = []  # each part's (documents, row sizes) of one side
    right: list[tuple[np.ndarray, np.ndarray]] = []
    for v, d in items.parts(options.chunk_items):
        order = np.lexsort((d, v))
        v, d = v[order], d[order]
        keep = np.ones(len(v), dtype=bool)
        keep[1:] = (v[1:] != v[:-1]) | (d[1:] != d[:-1])
        v, d = v[keep], d[keep]
        starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]]) if len(v) else np.empty(0, np.int64)
        del v, order, keep
        sizes = np.diff(np.r_[starts, len(d)])
        usable = sizes >= 2
        if limit is not None:
            usable &= sizes <= limit
        small = sizes <= options.max_bucket
        used, small_item = np.repeat(usable, sizes), np.repeat(small, sizes)
        first = np.zeros(len(d), dtype=bool)
        first[starts] = True
        for side, chosen, row in ((left, used & (small_item | first), np.where(small, sizes, 1)),
                                  (right, used & (small_item | ~first), np.where(small, sizes, sizes - 1))):
            side.append((d[chosen].astype(np.int32), row[usable]))

    def groups_by_documents(side) -> csr_matrix:
        docs = np.concatenate([docs for docs, _ in side]) if side else np.empty(0, np.int32)
        rows = np.concatenate([rows for _, rows in side]) if side else np.empty(0, np.int64)
        side.clear()
        index = np.int32 if len(docs) < 2**31 else np.int64
        indptr = np.zeros(len(rows) + 1, dtype=index)
        np.cumsum(rows, out=indptr[1:])
        return csr_matrix((np.ones(len(docs), dtype=np.int32), docs.astype(index, copy=False), indptr),
                          shape=(len(rows), n))

    return groups_by_documents(left).T.tocsr(), groups_by_documents(right)


def counted(name: str, items: KeyItems | SpilledItems, n: int, term_counts: np.ndarray,
            options: CandidateOptions) -> np.ndarray:
    """The pair codes channel `name` proposes (`accept`), counting each pair's shared keys a block of
    documents at a time (about `chunk_items` pairs) and keeping only the accepted: most pairs of tiny
    texts share one rare word, and holding every such pair cost kilobytes a document."""
    lower, upper = _incidence(items, n, options, TOO_COMMON.candidate_key(n))
    work = np.cumsum(lower @ np.diff(upper.indptr).astype(np.int64))
    least = {"fingerprints": options.min_fingerprints, "terms": options.min_terms}.get(name, 1)
    out = [np.empty(0, dtype=np.int64)]
    a = 0
    while a < n:
        done = work[a - 1] if a else 0
        b = max(a + 1, int(np.searchsorted(work, done + options.chunk_items, side="right")))
        block = lower[a:b] @ upper
        rows = np.repeat(np.arange(a, b, dtype=np.int32), np.diff(block.indptr))
        kept = (block.indices > rows) & (block.data >= least)  # each pair once; most share too few keys
        codes = rows[kept].astype(np.int64) * n + block.indices[kept]
        out.append(accept(name, codes, block.data[kept], n, term_counts, options))
        del block, rows, kept
        a = b
    return np.sort(np.concatenate(out))


def find(features: Features, options: CandidateOptions = CandidateOptions()) -> Candidates:
    """Candidate pairs from all three channels, with the channels that proposed each.

    The LSH channel is grouped a few bands at a time (`options.chunk_items` keys): a key
    belongs to one band, so that finds the pairs of grouping every band at once, and every
    pair it finds is a candidate. Fingerprints and terms are counted with `counted`.
    """
    n = len(features.signatures)
    if n < 2:
        return Candidates(np.empty((0, 2), dtype=np.int64), ())
    live = _live(features)
    step = max(1, options.chunk_items // max(len(live), 1))
    lsh = []
    for start in range(0, options.bands, step):
        values, docs = lsh_items(features, options, range(start, min(start + step, options.bands)), live)
        lsh.append(unique(_pair_codes(values, docs.astype(np.int32), n, options.max_bucket, None)))
        del values, docs
    found = {"lsh": unique(np.concatenate(lsh))}
    del lsh
    for name, items in (("fingerprints", features.fingerprints), ("terms", features.terms)):
        found[name] = counted(name, items, n, features.term_counts, options)
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
