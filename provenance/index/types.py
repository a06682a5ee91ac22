"""The plain data an index hands out and keeps: parameters, candidates, reports, statistics.

Also the two encodings every storage shares: a document's content hash (what makes a
re-add of an unchanged document a no-op) and a signature's bytes (datasketch's
``LeanMinHash`` layout, so a datasketch user can read what an index stores).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import xxhash

from provenance.errors import IndexError_
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
        """The parameters as a storage keeps them (decimal strings under their field names)."""
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
    # (id, new path, stored path): changed documents whose id the index holds for a file at another
    # path; left as they were unless `add(replace_other_paths=True)`
    refused: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class IndexStats:
    location: str
    config_fingerprint: str
    params: IndexParams
    documents: int
    fingerprints: int
    band_entries: int
    text_bytes: int  # compressed text stored
    size_bytes: int  # on disk (or in memory), all of it
    structure_bytes: int  # size_bytes minus compressed text
    extra: dict[str, str] = field(default_factory=dict)


class PhraseStats(Protocol):
    """Document frequency of phrase keys (`features.phrase_keys`) across a collection: what `verdict` asks."""

    n_docs: int

    def doc_freq(self, hashes: np.ndarray) -> np.ndarray: ...


def content_hash(doc: Document) -> int:
    """Signed 64-bit xxh3 of a document's text and metadata; unchanged docs are skipped on re-add.

    The path is left out: the same file added from another checkout is the same document.
    """
    digest = xxhash.xxh3_64()
    for part in (doc.text, doc.title, doc.url, doc.site, doc.published):
        digest.update((part or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return int(np.int64(np.uint64(digest.intdigest())))


def signature_bytes(signature: np.ndarray, seed: int) -> bytes:
    """datasketch ``LeanMinHash.serialize(buf, byteorder="<")`` bytes, written with numpy."""
    header = struct.pack("<qiB", seed, -len(signature), 1)  # scheme code 1 = affine32
    return header + signature.astype("<u4").tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    """The uint32 hash values of a stored signature (inverse of `signature_bytes`)."""
    _, negative_perms, code = struct.unpack_from("<qiB", data, 0)
    if negative_perms >= 0 or code != 1 or len(data) != SIG_HEADER + 4 * -negative_perms:
        raise IndexError_("stored signature is not a datasketch affine32 LeanMinHash: rebuild the index")
    return np.frombuffer(data, dtype="<u4", offset=SIG_HEADER).astype(np.uint32)
