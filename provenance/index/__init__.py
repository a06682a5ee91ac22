"""Persistent indexes of published documents, behind one small backend-neutral interface.

An index answers one question fast: which stored documents might share text with
this draft? It keeps, per document, what candidate search needs (LSH band keys of
the whole-document MinHash signature and winnowed shingle fingerprints), what
verification needs (the text, zlib-compressed, and its metadata) and the signature
itself as datasketch ``LeanMinHash`` bytes. It also keeps a count-min sketch of phrase
document frequencies (the verdict stage's `PhraseStats` keys), so verification can
tell a stock phrase from a rare one without a corpus in memory.

Two candidate channels, because news reuse is local:

* **fingerprints** — the minimum shingle hash of every window of ``winnow`` (16)
  consecutive shingles (winnowing, Schleimer et al. 2003). A draft is looked up with
  *all* its shingles, so any run of ``winnow + k - 1`` (20) words it shares with a
  stored document is found with certainty, however long that document is and whatever
  surrounds the run: two paragraphs lifted from a long article are found even though
  whole-document similarity is tiny. Shorter shared runs are found by chance (each
  shared shingle that is a stored minimum is a hit), which is what catches light and
  most heavy rewrites: on the Clough-Stevenson data every light and 9 of 12 heavy
  revisions, and no independent answer.
* **bands** — ``bands`` x ``rows`` (10 x 2) LSH over the whole signature, banded well
  below any reporting threshold (a pair at Jaccard 0.5 is found 94% of the time; the
  threshold datasketch would pick for 0.5 finds only ~73% there). With every draft
  shingle looked up, fingerprints already catch near-copies; bands are the whole-
  document channel a datasketch ``MinHashLSH`` backend (``params=(bands, rows)``)
  shares with this one, kept small because the size budget is per document.

Sizes (SQLite, measured at 100k news articles): ~590 bytes a document of metadata and
signature (525 of them the LeanMinHash bytes), ~20 of id index, ~60 of bands and
~6 per fingerprint (2/(winnow+1) of the shingles: ~0.7 bytes a word), the postings
packed into buckets; and the phrase sketch (1 MB at most).

Every backend computes these with the functions here, so backends agree on answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from provenance.errors import IndexError_
from provenance.fingerprint.features import (
    DocFeatures,
    QueryFeatures,
    as_key,
    band_keys,
    doc_features,
    doc_phrases,
    phrase_key_version,
    phrase_keys,
    query_features,
    winnow,
)
from provenance.settings import DEFAULT_CONFIG, SketchConfig

if TYPE_CHECKING:
    from provenance.model import Document

DEFAULT_INDEX_PATH = Path(".provenance") / "index.sqlite"
SIG_HEADER = 13  # LeanMinHash "<" layout: int64 seed, int32 -num_perm, uint8 scheme code


@dataclass(frozen=True, slots=True)
class IndexParams:
    """How an index bands and fingerprints; stored with the index, fixed at creation."""

    bands: int = 10
    rows: int = 2
    winnow: int = 16  # a shared run of winnow + k - 1 (20) words always yields a shared fingerprint
    cms_depth: int = 2

    @classmethod
    def from_meta(cls, meta: dict[str, str]) -> IndexParams:
        """The parameters as a backend stores them (decimal strings under their field names)."""
        return cls(bands=int(meta["bands"]), rows=int(meta["rows"]), winnow=int(meta["winnow"]),
                   cms_depth=int(meta["cms_depth"]))

    def lsh_probability(self, jaccard: float) -> float:
        """Chance that a pair at this Jaccard similarity shares at least one band."""
        return 1.0 - (1.0 - jaccard**self.rows) ** self.bands


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored document that may share text with a query, and why it was proposed."""

    id: str
    shared_fingerprints: int
    shared_bands: int
    score: float  # fingerprints weighted by rarity, plus bands; ranks candidates


@dataclass(frozen=True, slots=True)
class AddReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped: tuple[tuple[str, str], ...] = ()  # (id, reason) for documents that could not be indexed


@dataclass(frozen=True, slots=True)
class IndexStats:
    location: str
    config_fingerprint: str
    params: IndexParams
    documents: int
    fingerprints: int
    band_entries: int
    text_bytes: int  # compressed text stored
    size_bytes: int  # on disk, all files
    structure_bytes: int  # size_bytes minus compressed text
    extra: dict[str, str] = field(default_factory=dict)


class PhraseStats(Protocol):
    """Document frequency of phrase keys (`align.phrase_keys`) across a collection: what `verdict` asks."""

    n_docs: int

    def doc_freq(self, hashes: np.ndarray) -> np.ndarray: ...


class Index(Protocol):
    """What every backend provides. Library code only; it never prints."""

    config: SketchConfig
    params: IndexParams
    location: str

    def add(self, docs: Iterable[Document], *, batch_size: int = 500) -> AddReport: ...
    def remove(self, ids: Iterable[str]) -> list[str]: ...
    def stats(self) -> IndexStats: ...
    def rebuild(self, config: SketchConfig | None = None, *, batch_size: int = 500) -> int: ...
    def candidates(self, query: QueryFeatures, *, limit: int = 10) -> list[Candidate]: ...
    def documents(self, ids: Sequence[str]) -> list[Document]: ...
    def signatures(self, ids: Sequence[str]) -> dict[str, bytes]: ...  # LeanMinHash "<" bytes
    def content_hashes(self, ids: Sequence[str]) -> dict[str, int]: ...
    def ids(self) -> list[str]: ...
    def phrase_stats(self) -> PhraseStats: ...
    def close(self) -> None: ...


# --- features every backend stores and queries -------------------------------------------


def content_hash(doc: Document) -> int:
    """Signed 64-bit xxh3 of a document's text and metadata; unchanged docs are skipped on re-add.

    The path is left out: the same file added from another checkout is the same document.
    """
    import xxhash

    h = xxhash.xxh3_64()
    for part in (doc.text, doc.title, doc.url, doc.site, doc.published):
        h.update((part or "").encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return int(np.int64(np.uint64(h.intdigest())))


def require_phrase_keys(stored: str | None) -> None:
    """Refuse phrase counts keyed another way than `phrase_key_version` (they would answer wrongly)."""
    if stored != phrase_key_version():
        raise IndexError_(
            f"index counts phrases as {stored!r}, this version asks for {phrase_key_version()!r}: "
            "rebuild it with `provenance index rebuild`"
        )


def rank_candidates(
    fp_keys: np.ndarray, fp_docs: np.ndarray, band_docs: np.ndarray, n_docs: int, *, limit: int,
    max_df: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Order stored documents by the evidence a query's lookups returned, best first.

    fp_keys/fp_docs: one row per (fingerprint hit, stored document number); band_docs: one
    entry per shared band. A fingerprint found in more than `max_df` documents (default: 50,
    or 0.2% of the index if more) is stock phrasing, not evidence. Each shared fingerprint
    counts 1/df, each shared band 1. Returns (docs, fingerprint counts, band counts, scores),
    at most `limit` long; every backend ranks with this, so backends agree.
    """
    cap = max_df if max_df is not None else max(50, n_docs // 500)
    if len(fp_keys):
        _, inv, df = np.unique(fp_keys, return_inverse=True, return_counts=True)
        ok = df[inv] <= cap
        fp_docs, weights = fp_docs[ok], 1.0 / df[inv][ok]
    else:
        weights = np.empty(0)
    docs = np.unique(np.concatenate([fp_docs, band_docs]))
    if len(docs) == 0:
        return docs, docs, docs, np.empty(0)
    f_at = np.searchsorted(docs, fp_docs)
    fcount = np.bincount(f_at, minlength=len(docs))
    score = np.bincount(f_at, weights=weights, minlength=len(docs))
    bcount = np.bincount(np.searchsorted(docs, band_docs), minlength=len(docs))
    score = score + bcount
    order = np.lexsort((docs, -fcount, -score))[:limit]
    return docs[order], fcount[order], bcount[order], score[order]


def signature_bytes(signature: np.ndarray, seed: int) -> bytes:
    """datasketch ``LeanMinHash.serialize(buf, byteorder="<")`` bytes, written with numpy."""
    import struct

    header = struct.pack("<qiB", seed, -len(signature), 1)  # scheme code 1 = affine32
    return header + signature.astype("<u4").tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    """The uint32 hash values of a stored signature (inverse of `signature_bytes`)."""
    import struct

    seed, neg, code = struct.unpack_from("<qiB", data, 0)
    if neg >= 0 or code != 1 or len(data) != SIG_HEADER + 4 * -neg:
        raise IndexError_("stored signature is not a datasketch affine32 LeanMinHash: rebuild the index")
    return np.frombuffer(data, dtype="<u4", offset=SIG_HEADER).astype(np.uint32)


# --- opening ------------------------------------------------------------------------------


def open_index(
    spec: str | Path | None = None,
    config: SketchConfig = DEFAULT_CONFIG,
    *,
    create: bool = False,
    params: IndexParams | None = None,
    check_config: bool = True,
) -> Index:
    """Open the index named by `spec`: a file path (SQLite, the default) or a backend URL.

    `create` makes a missing SQLite index (for `add`); a query on a missing index fails
    with a message naming the command that builds one. `check_config=False` opens an
    index built under another configuration, for `rebuild` only.
    """
    spec = DEFAULT_INDEX_PATH if spec is None or spec == "" else spec
    text = str(spec)
    if text.startswith(("redis://", "rediss://", "unix://")):
        try:
            from provenance.index import redis as redis_backend  # provided by the shared-index backend
        except ImportError as exc:
            raise IndexError_(f"no Redis index backend is available for {text!r}") from exc
        return redis_backend.open(text, config, create=create, params=params, check_config=check_config)
    if "://" in text:
        raise IndexError_(f"unknown index location {text!r}: give a file path or redis://HOST:PORT/DB")
    from provenance.index.sqlite import SQLiteIndex

    return SQLiteIndex(Path(text), config, create=create, params=params, check_config=check_config)


__all__ = [
    "DEFAULT_INDEX_PATH",
    "AddReport",
    "Candidate",
    "DocFeatures",
    "Index",
    "IndexParams",
    "IndexStats",
    "PhraseStats",
    "QueryFeatures",
    "band_keys",
    "content_hash",
    "doc_features",
    "open_index",
    "query_features",
    "signature_bytes",
    "signature_from_bytes",
    "winnow",
]
