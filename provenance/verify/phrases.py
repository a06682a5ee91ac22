"""How common a phrase is in a reference collection: stock phrases are not evidence of copying.

Phrases are the `PHRASE_K`-word keys of `fingerprint.features.phrase_keys`, the same keys
as verification's seeds, so a count kept for a phrase (in memory here, or in an index's
count-min sketch) answers the question verification asks about a seed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from provenance.arrays import HashPositions, repeated
from provenance.fingerprint.features import batch_phrases
from provenance.fingerprint.items import Spill
from provenance.ingest.stored import texts_of
from provenance.model import Document
from provenance.settings import CANDIDATES, TOO_COMMON


@runtime_checkable
class PhraseCounts(Protocol):
    """Document frequency of phrase keys across a collection (`PhraseStats`, or an index's own)."""

    n_docs: int

    def doc_freq(self, hashes: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class PhraseStats:
    """Document frequency of every phrase of a collection, in memory.

    Only phrases in at least `keep_min_df` documents are kept (the rest read as 0), which
    is all verification needs: it asks whether a phrase is common, never how rare it is.
    """

    n_docs: int
    hashes: np.ndarray  # sorted unique uint64
    counts: np.ndarray  # documents containing each phrase (`count_dtype`: int32 below 2**31 documents)
    positions: HashPositions = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "positions", HashPositions(self.hashes))

    @classmethod
    def from_documents(cls, docs: Iterable[Document | str], keep_min_df: int = TOO_COMMON.phrase_keep,
                       spill: Path | None = None) -> PhraseStats:
        """The phrase counts of `docs`. Each part of the keys (all at once, or with `spill`, a folder,
        a range of keys at a time from files there, `Spill`) is sorted in place and its repeated keys
        found (`repeated`): most phrases are in one document, so neither makes a copy of them."""
        texts = texts_of(docs)
        if spill is None:
            batches = [k for k in batch_phrases(texts) if len(k)]
            parts = [np.concatenate(batches)] if batches else []
            del batches
        else:
            keys = Spill(spill / "phrases", np.uint64, len(texts), CANDIDATES.chunk_items, mixed=False)
            for k in batch_phrases(texts):
                keys.add(k)
            parts = keys.parts()
        dtype = count_dtype(len(texts))
        values, counts = [np.empty(0, np.uint64)], [np.empty(0, dtype)]
        for part in parts:
            part.sort()
            v, c = repeated(part, keep_min_df)
            values.append(v)
            counts.append(c.astype(dtype, copy=False))
            del part
        return cls(len(texts), np.concatenate(values), np.concatenate(counts))

    def doc_freq(self, hashes: np.ndarray) -> np.ndarray:
        at = self.positions.find(hashes)
        if not len(self.counts):
            return np.zeros(len(at), dtype=np.int64)
        return np.where(at >= 0, self.counts[at], 0).astype(np.int64, copy=False)


def count_dtype(n_docs: int):
    """The type of a phrase table's counts: int32 while they fit (a million documents' table holds tens
    of millions of phrases, so 4 bytes a count is a quarter of a gigabyte less)."""
    return np.int32 if n_docs < 2**31 else np.int64


def common_threshold(n_docs: int, copies: int = 1) -> int:
    """Documents a phrase must appear in to count as common in a collection of `n_docs`, for
    texts that it holds in `copies` copies (`settings.TooCommon.phrase`)."""
    return TOO_COMMON.phrase(n_docs, copies)
