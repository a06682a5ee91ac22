"""Features of many texts in one batched pass: what candidate search, the index and verification keep.

Every consumer gets its arrays from the same loop over batches of texts (token hashes,
then shingle hashes, then signatures), so a document is hashed once per pass and all
consumers agree on what a fingerprint, a band key or a phrase key is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from provenance.errors import IndexError_
from provenance.fingerprint import minhash as sketch
from provenance.settings import SketchConfig
from provenance.text.wordlists import TERM_STOPWORDS

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

    The same keys as verification's seeds (`align.Prepared.seeds`), so a count kept for a phrase (in memory or in an
    index) answers the question verification asks about a seed.
    """
    return np.unique(kgram_hashes(token_hashes, PHRASE_K))


def word_keys(token_hashes: np.ndarray) -> np.ndarray:
    """Per-token keys for word document frequencies (1-grams: never equal to a PHRASE_K phrase key)."""
    return kgram_hashes(token_hashes, 1) if len(token_hashes) else np.empty(0, dtype=np.uint64)


def winnowed(shingle_values: np.ndarray, offsets: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """(fingerprints, doc index) — the minimum of every window of `w` shingles per doc.

    Documents shorter than `w` shingles contribute their minimum once.
    """
    n_docs = len(offsets) - 1
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(offsets))
    if len(shingle_values) >= w:
        mins = np.lib.stride_tricks.sliding_window_view(shingle_values, w).min(axis=1)
        starts = np.arange(len(mins))
        ok = doc_of[starts] == doc_of[starts + w - 1]
        fps, fdocs = mins[ok], doc_of[starts[ok]]
    else:
        fps, fdocs = shingle_values[:0], doc_of[:0]
    counts = np.diff(offsets)
    short = np.flatnonzero((counts > 0) & (counts < w))
    if len(short):
        short_mins = np.array([shingle_values[offsets[d] : offsets[d + 1]].min() for d in short])
        fps = np.concatenate([fps, short_mins.astype(fps.dtype)])
        fdocs = np.concatenate([fdocs, short])
    return fps, fdocs


@lru_cache(maxsize=1)
def _stop_hashes() -> np.ndarray:
    return np.array(sorted(sketch.token_hash(w) for w in TERM_STOPWORDS), dtype=np.uint64)


@dataclass(slots=True)
class Features:
    """What candidate search needs from each document, computed in one batched pass."""

    signatures: np.ndarray  # (n, num_perm) uint32
    fingerprints: np.ndarray  # winnowed shingle hashes
    fingerprint_docs: np.ndarray
    terms: np.ndarray  # content-word token hashes (unique per doc)
    term_docs: np.ndarray
    term_counts: np.ndarray  # distinct content words per doc


def features(texts: Sequence[str], config: SketchConfig, options) -> Features:
    """Signatures, fingerprints and content words of every text, batch by batch."""
    sigs, fps, fdocs, terms, tdocs = [], [], [], [], []
    stop = _stop_hashes()
    base = 0
    for batch in sketch.batches(texts):
        th, toff = sketch.token_hashes(batch)
        sv, soff = sketch.shingle_hashes(th, toff, config.k)
        sigs.append(sketch.signatures_from_shingles(sv, soff, config.num_perm, config.seed))
        f, fd = winnowed(sv, soff, options.winnow)
        fps.append(f)
        fdocs.append(fd + base)
        content = ~np.isin(th, stop)
        tok_doc = np.repeat(np.arange(len(batch), dtype=np.int64), np.diff(toff))
        terms.append(th[content])
        tdocs.append(tok_doc[content] + base)
        base += len(batch)
    t = np.concatenate(terms) if terms else np.empty(0, np.uint64)
    td = np.concatenate(tdocs) if tdocs else np.empty(0, np.int64)
    if len(t):
        uniq = np.unique(np.stack([td.astype(np.uint64), t], axis=1), axis=0)
        td, t = uniq[:, 0].astype(np.int64), uniq[:, 1]
    return Features(
        signatures=np.concatenate(sigs) if sigs else np.empty((0, config.num_perm), np.uint32),
        fingerprints=np.concatenate(fps) if fps else np.empty(0, np.uint32),
        fingerprint_docs=np.concatenate(fdocs) if fdocs else np.empty(0, np.int64),
        terms=t,
        term_docs=td,
        term_counts=np.bincount(td, minlength=len(texts)),
    )


def band_keys(signatures: np.ndarray, params) -> np.ndarray:
    """(n, bands) int32 keys; the band number is mixed in, so one table holds every band."""
    need = params.bands * params.rows
    if need > signatures.shape[1]:
        raise IndexError_(
            f"{params.bands} bands x {params.rows} rows needs {need} permutations, "
            f"the signatures have {signatures.shape[1]}"
        )
    mixed = sketch.band_hashes(signatures, params.bands, params.rows, first_band=1)
    return (mixed >> np.uint64(32)).astype(np.uint32).view(np.int32)


def winnow(values: np.ndarray, w: int) -> np.ndarray:
    """Distinct minima of every window of `w` consecutive shingle hashes (all of them if fewer)."""
    if len(values) == 0:
        return values[:0]
    if len(values) <= w:
        return np.unique(values.min(keepdims=True))
    return np.unique(np.lib.stride_tricks.sliding_window_view(values, w).min(axis=1))


def as_key(values: np.ndarray) -> np.ndarray:
    """32-bit hashes as signed int32, the form stored (4 bytes in a SQLite record, not 6)."""
    return values.astype(np.uint32).view(np.int32)


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
    """Names the phrase keys the verdict stage asks about; stored, so a change forces a rebuild."""
    return f"align.kgram_hashes;k={PHRASE_K}"


def doc_phrases(texts: Sequence[str]) -> list[np.ndarray]:
    """Distinct phrase keys of each text (for recounting phrase frequencies)."""
    out: list[np.ndarray] = []
    for batch in sketch.batches(texts):
        th, toff = sketch.token_hashes(batch)
        out.extend(phrase_keys(th[toff[i] : toff[i + 1]]) for i in range(len(batch)))
    return out


def doc_features(
    texts: Sequence[str], config: SketchConfig, params, *, phrases: bool = True
) -> DocFeatures:
    """Signatures, band keys, fingerprints and distinct phrase keys of many texts, batched."""
    sigs: list[np.ndarray] = []
    fps: list[np.ndarray] = []
    phs: list[np.ndarray] = []
    for batch in sketch.batches(texts):
        th, toff = sketch.token_hashes(batch)
        sv, soff = sketch.shingle_hashes(th, toff, config.k)
        sigs.append(sketch.signatures_from_shingles(sv, soff, config.num_perm, config.seed))
        for i in range(len(batch)):
            fps.append(as_key(winnow(sv[soff[i] : soff[i + 1]], params.winnow)))
            if phrases:
                phs.append(phrase_keys(th[toff[i] : toff[i + 1]]))
    sig = np.concatenate(sigs) if sigs else np.empty((0, config.num_perm), np.uint32)
    return DocFeatures(sig, band_keys(sig, params), fps, phs)


@dataclass(slots=True)
class QueryFeatures:
    """A draft's lookup keys: its band keys and every distinct shingle it has."""

    bands: np.ndarray  # (bands,) int32
    shingles: np.ndarray  # distinct int32 shingle hashes
    signature: np.ndarray  # (num_perm,) uint32


def query_features(text: str, config: SketchConfig, params) -> QueryFeatures:
    th, toff = sketch.token_hashes([text])
    sv, soff = sketch.shingle_hashes(th, toff, config.k)
    sig = sketch.signatures_from_shingles(sv, soff, config.num_perm, config.seed)
    return QueryFeatures(band_keys(sig, params)[0], as_key(np.unique(sv)), sig[0])


