"""Features of many texts in one batched pass: what candidate search, the index and verification keep.

Every consumer gets its arrays from the same loop over batches of texts (token hashes,
then shingle hashes, then signatures), so a document is hashed once per pass and all
consumers agree on what a fingerprint, a band key or a phrase key is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from provenance.arrays import unique
from provenance.errors import ConfigError
from provenance.fingerprint import minhash as sketch
from provenance.fingerprint.items import DOC_NUMBER, KeyItems, SpilledItems
from provenance.settings import SketchConfig
from provenance.text.wordlists import TERM_STOPWORDS, other_script_stopwords

PHRASE_K = 3
"""Words per phrase key: the seeds of verbatim alignment and the phrases whose document
frequencies tell a stock phrase from evidence (short enough to catch a 3-word shared quotation)."""


def kgram_hashes(token_hashes: np.ndarray, k: int) -> np.ndarray:
    """64-bit hashes of every run of k consecutive token hashes (len(token_hashes) - k + 1 of them).

    The same combination as the core's shingle hash (polynomial mod 2^64, then fmix64)
    but all 64 bits kept, so chance collisions are negligible. A text with 1 to k-1
    tokens has one k-gram made of all its tokens.
    """
    n = len(token_hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    k_eff = min(k, n)
    s = sketch.combine_windows(token_hashes, k_eff)
    s += np.uint64(k_eff)  # k-grams of different lengths never coincide
    return sketch.fmix64_array(s)


def phrase_keys(token_hashes: np.ndarray) -> np.ndarray:
    """Distinct `PHRASE_K`-word phrase keys of one text: what phrase document frequencies count.

    The same keys as verification's seeds (`verify.prepared.Prepared.seeds`), so a count kept
    for a phrase (in memory or in an index) answers the question verification asks about a seed.
    """
    return unique(kgram_hashes(token_hashes, PHRASE_K))


def word_keys(token_hashes: np.ndarray) -> np.ndarray:
    """Per-token keys for word document frequencies (1-grams: never equal to a PHRASE_K phrase key)."""
    return kgram_hashes(token_hashes, 1) if len(token_hashes) else np.empty(0, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class HashedBatch:
    """One batch of texts through the hashing core: token hashes and, when asked, shingle hashes.

    The tokens of text i of the batch are ``token_hashes[token_offsets[i]:token_offsets[i + 1]]``;
    its shingles likewise. `first` is the position of the batch's first text in the whole input.
    """

    first: int
    size: int
    token_hashes: np.ndarray  # uint64
    token_offsets: np.ndarray
    shingle_hashes: np.ndarray | None  # uint32, None when no k was asked
    shingle_offsets: np.ndarray | None

    def tokens(self, i: int) -> np.ndarray:
        return self.token_hashes[self.token_offsets[i] : self.token_offsets[i + 1]]

    def shingles(self, i: int) -> np.ndarray:
        return self.shingle_hashes[self.shingle_offsets[i] : self.shingle_offsets[i + 1]]

    def signatures(self, config: SketchConfig) -> np.ndarray:
        return sketch.signatures_from_shingles(self.shingle_hashes, self.shingle_offsets, config.num_perm, config.seed)


def hashed_batches(texts: Sequence[str], k: int | None) -> Iterator[HashedBatch]:
    """The one pass every feature is computed in: texts in batches, hashed once each.

    `k`: words per shingle; None when only token hashes are needed (phrase counts).
    """
    first = 0
    for batch in sketch.batches(texts):
        tokens, token_offsets = sketch.token_hashes(batch)
        shingles = shingle_offsets = None
        if k is not None:
            shingles, shingle_offsets = sketch.shingle_hashes(tokens, token_offsets, k)
        yield HashedBatch(first, len(batch), tokens, token_offsets, shingles, shingle_offsets)
        first += len(batch)


def winnow(shingle_values: np.ndarray, offsets: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """Winnowed fingerprints (Schleimer et al. 2003): the distinct minima of every window of `w`
    consecutive shingles of each document, as (fingerprints, document), sorted by document then value.

    A document of `w` shingles or fewer contributes its minimum. Any run of ``w + k - 1`` words
    two documents share yields a shared fingerprint, whatever surrounds it.
    """
    n_docs = len(offsets) - 1
    doc_of = np.repeat(np.arange(n_docs, dtype=DOC_NUMBER), np.diff(offsets))
    if len(shingle_values) >= w:
        mins = np.lib.stride_tricks.sliding_window_view(shingle_values, w).min(axis=1)
        starts = np.arange(len(mins))
        inside = doc_of[starts] == doc_of[starts + w - 1]
        values, docs = mins[inside], doc_of[starts[inside]]
    else:
        values, docs = shingle_values[:0], doc_of[:0]
    counts = np.diff(offsets)
    short = np.flatnonzero((counts > 0) & (counts < w))
    if len(short):
        values = np.concatenate([values, np.minimum.reduceat(shingle_values, offsets[short]).astype(values.dtype)])
        docs = np.concatenate([docs, short])
    order = np.lexsort((values, docs))
    values, docs = values[order], docs[order]
    distinct = np.ones(len(values), dtype=bool)
    distinct[1:] = (values[1:] != values[:-1]) | (docs[1:] != docs[:-1])
    return values[distinct], docs[distinct]


def band_keys(signatures: np.ndarray, bands: int, rows: int, first_band: int = 0) -> np.ndarray:
    """(n, bands) uint64 LSH band keys: each band's `rows` values combined as a shingle's tokens
    are, its band number (from `first_band`) in the top byte, then fmix64.

    The band number keeps equal values in different bands apart, so one table can hold every band.
    """
    have = signatures.shape[1]
    if bands * rows > have:
        raise ConfigError(f"{bands} bands x {rows} rows needs {bands * rows} permutations, the signatures "
                          f"have {have}: use at least {bands * rows} permutations")
    n = len(signatures)
    values = signatures[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    keys = np.zeros((n, bands), dtype=np.uint64)
    multiplier = np.uint64(sketch.SHINGLE_MULTIPLIER)
    for r in range(rows):
        keys *= multiplier
        keys += values[:, :, r]
    keys += np.arange(first_band, first_band + bands, dtype=np.uint64)[None, :] << np.uint64(56)
    return sketch.fmix64_array(keys.reshape(-1)).reshape(n, bands)


@lru_cache(maxsize=1)
def _stop_hashes() -> np.ndarray:
    """Token hashes of the words the terms channel leaves out (English and other scripts' stopwords)."""
    return np.array(sorted({sketch.token_hash(w) for w in TERM_STOPWORDS | other_script_stopwords()}), dtype=np.uint64)


@dataclass(slots=True)
class Features:
    """What candidate search needs from each document of a corpus."""

    signatures: np.ndarray  # (n, num_perm) uint32
    fingerprints: KeyItems | SpilledItems  # winnowed shingle hashes (`winnow`, uint32), distinct per document
    terms: KeyItems | SpilledItems  # content-word token hashes (uint64), distinct per document
    term_counts: np.ndarray  # distinct content words per doc


def _distinct_terms(tokens: np.ndarray, offsets: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(content-word hashes, document in the batch) of one batch, distinct, sorted by document then hash."""
    content = ~np.isin(tokens, stop)
    terms = tokens[content]
    docs = np.repeat(np.arange(len(offsets) - 1, dtype=DOC_NUMBER), np.diff(offsets))[content]
    order = np.lexsort((terms, docs))
    terms, docs = terms[order], docs[order]
    distinct = np.ones(len(terms), dtype=bool)
    distinct[1:] = (terms[1:] != terms[:-1]) | (docs[1:] != docs[:-1])
    return terms[distinct], docs[distinct]


def features(texts: Sequence[str], config: SketchConfig, options, spill: Path | None = None) -> Features:
    """Signatures, fingerprints (window `options.winnow`) and content words of every text.

    Each batch's content words are made distinct in the batch (a text lies in one batch), so
    no step holds more than one batch's tokens beyond what is kept. With `spill`, a folder, the
    fingerprints and terms are written there as they are made (`SpilledItems`, parts of about
    `options.chunk_items` items) and never held all at once; without, each is joined into one
    array, its parts freed first (the whole and all the parts at once held twice the features).
    """
    def collected(name: str, dtype) -> _Collected | SpilledItems:
        return _Collected(dtype) if spill is None else SpilledItems(spill, name, dtype, len(texts), options.chunk_items)

    sigs, counts = [], []
    fps, terms = collected("fingerprints", np.uint32), collected("terms", np.uint64)
    stop = _stop_hashes()
    for batch in hashed_batches(texts, config.k):
        sigs.append(batch.signatures(config))
        values, docs = winnow(batch.shingle_hashes, batch.shingle_offsets, options.winnow)
        fps.add(values, docs + batch.first)
        t, td = _distinct_terms(batch.token_hashes, batch.token_offsets, stop)
        terms.add(t, td + batch.first)
        counts.append(np.bincount(td, minlength=batch.size))
    return Features(
        signatures=_joined(sigs, np.uint32).reshape(-1, config.num_perm),
        fingerprints=fps.done(),
        terms=terms.done(),
        term_counts=_joined(counts, np.int64),
    )


class _Collected:
    """Items gathered a batch at a time, then joined into `KeyItems` (keys as `dtype`) by `done`."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.values: list[np.ndarray] = []
        self.docs: list[np.ndarray] = []

    def add(self, values: np.ndarray, docs: np.ndarray) -> None:
        self.values.append(values)
        self.docs.append(docs)

    def done(self) -> KeyItems:
        return KeyItems(_joined(self.values, self.dtype), _joined(self.docs, DOC_NUMBER))


def _joined(parts: list[np.ndarray], dtype) -> np.ndarray:
    """The parts concatenated, as `dtype`; the list is emptied, so the parts are freed now."""
    whole = np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype)
    parts.clear()
    return whole


def as_key(values: np.ndarray) -> np.ndarray:
    """32-bit hashes as signed int32, the form an index stores (4 bytes in a SQLite record, not 6)."""
    return values.astype(np.uint32).view(np.int32)


def stored_band_keys(signatures: np.ndarray, params) -> np.ndarray:
    """(n, bands) int32 band keys as an index stores them (`band_keys` from band 1, top 32 bits)."""
    return as_key(band_keys(signatures, params.bands, params.rows, first_band=1) >> np.uint64(32))


@dataclass(slots=True)
class DocFeatures:
    """Everything an index stores about a batch of documents besides text and metadata."""

    signatures: np.ndarray  # (n, num_perm) uint32
    bands: np.ndarray  # (n, bands) int32
    fingerprints: list[np.ndarray]  # per doc, distinct int32
    phrases: list[np.ndarray]  # per doc, distinct uint64 phrase keys (`phrase_keys`) for the counts

    def subset(self, keep: np.ndarray) -> DocFeatures:
        """The features of the documents where `keep` (a boolean mask) is true."""
        idx = np.flatnonzero(keep)
        return DocFeatures(
            self.signatures[idx], self.bands[idx], [self.fingerprints[i] for i in idx],
            [self.phrases[i] for i in idx] if self.phrases else [],
        )


def phrase_key_version() -> str:
    """Names the phrase keys verification asks about; an index stores it, so a change forces a rebuild."""
    return f"align.kgram_hashes;k={PHRASE_K}"


def doc_phrases(texts: Sequence[str]) -> list[np.ndarray]:
    """Distinct phrase keys of each text (what phrase document frequencies count)."""
    return [phrase_keys(batch.tokens(i)) for batch in hashed_batches(texts, None) for i in range(batch.size)]


def batch_phrases(texts: Sequence[str]) -> Iterator[np.ndarray]:
    """`doc_phrases` a batch of texts at a time, each batch's arrays joined into one: what a count of
    document frequencies needs, with one array a batch instead of one a text."""
    for batch in hashed_batches(texts, None):
        keys = [phrase_keys(batch.tokens(i)) for i in range(batch.size)]
        yield np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64)


def doc_features(texts: Sequence[str], config: SketchConfig, params, *, phrases: bool = True) -> DocFeatures:
    """Signatures, band keys, fingerprints (window `params.winnow`) and phrase keys of many texts."""
    sigs: list[np.ndarray] = []
    fps: list[np.ndarray] = []
    phs: list[np.ndarray] = []
    for batch in hashed_batches(texts, config.k):
        sigs.append(batch.signatures(config))
        values, docs = winnow(batch.shingle_hashes, batch.shingle_offsets, params.winnow)
        bounds = np.searchsorted(docs, np.arange(batch.size + 1))
        fps.extend(as_key(values[bounds[i] : bounds[i + 1]]) for i in range(batch.size))
        if phrases:
            phs.extend(phrase_keys(batch.tokens(i)) for i in range(batch.size))
    sig = np.concatenate(sigs) if sigs else np.empty((0, config.num_perm), np.uint32)
    return DocFeatures(sig, stored_band_keys(sig, params), fps, phs)


@dataclass(slots=True)
class QueryFeatures:
    """A draft's lookup keys: its band keys and every distinct shingle it has."""

    bands: np.ndarray  # (bands,) int32
    shingles: np.ndarray  # distinct int32 shingle hashes
    signature: np.ndarray  # (num_perm,) uint32


def query_features(text: str, config: SketchConfig, params) -> QueryFeatures:
    """A draft's band keys, distinct shingles and signature, for looking it up in an index."""
    batch = next(hashed_batches([text], config.k))
    sig = batch.signatures(config)
    return QueryFeatures(stored_band_keys(sig, params)[0], as_key(unique(batch.shingle_hashes)), sig[0])


