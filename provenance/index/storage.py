"""What a storage backend provides: the primitive reads and writes the index logic is written over.

An index (`logic.Index`) decides what to store: which documents are new, changed or
unchanged, what their features and phrase counts are, when the phrase sketch widens,
whether the stored configuration still answers. A storage only keeps it, in the shape
datasketch gives its own storages (``ordered_storage(config)`` picks a small class, the
LSH logic sits above): meta values, document rows, postings, count-min rows, and a
transaction to make a batch of those writes whole. SQLite, Redis and an in-memory
dict each implement this once. Adding a backend is one such class, its URL scheme in
`provenance.index.STORAGES` and its name in the backends the index tests run on.

Writes happen inside `Storage.write(fn)`: the storage calls ``fn(batch)`` with a
`WriteBatch` and commits what it wrote in one transaction, possibly calling ``fn``
again after a conflict, so ``fn`` must read everything it needs through ``batch`` and
must not rely on reading back its own writes (Redis queues them until EXEC).
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import numpy as np

from provenance.errors import IndexError_
from provenance.fingerprint.features import DocFeatures, QueryFeatures
from provenance.model import Document

T = TypeVar("T")

# what a damaged stored value raises while it is decoded: bad zlib text, short or misaligned blobs,
# meta values that are missing or no number, bytes that are not UTF-8
DECODING_ERRORS = (zlib.error, ValueError, KeyError, IndexError, TypeError, OverflowError, UnicodeDecodeError,
                   struct.error)


def decodes(method: Callable[..., T]) -> Callable[..., T]:
    """A storage method whose decoding errors mean a damaged index: an `IndexError_` with the
    storage's `damaged` message, which names the fix (exit 2), not a traceback or exit 1, the
    findings code. The storage's `is_damage` tells damage from its own errors (a locked file,
    a server gone), which keep their messages."""

    @functools.wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except IndexError_:
            raise
        except Exception as exc:
            if not self.is_damage(exc):
                raise
            raise IndexError_(self.damaged(exc)) from exc

    return read


@dataclass(frozen=True, slots=True)
class Hits:
    """What a query's lookups found, with the meta values read in the same snapshot."""

    meta: dict[str, str]  # at least schema, fingerprint and n_docs
    fingerprint_keys: np.ndarray  # one row per (fingerprint hit, stored document number)
    fingerprint_docs: np.ndarray
    band_docs: np.ndarray  # one entry per shared band


@dataclass(frozen=True, slots=True)
class Usage:
    """What a storage holds and what it costs, read in one snapshot."""

    meta: dict[str, str]
    fingerprints: int
    band_entries: int
    text_bytes: int  # compressed text stored
    text_footprint: int  # what that text costs where it is kept (pages, memory)
    size_bytes: int
    extra: dict[str, str] = field(default_factory=dict)


class Reads(Protocol):
    """Reads of committed state, inside a transaction or not."""

    def read_meta(self) -> dict[str, str]: ...

    def numbers(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        """id -> (document number, content hash) for the ids present."""

    def texts(self, ns: Sequence[int]) -> list[str]:
        """The stored texts of documents `ns`, in that order."""

    def text_batches(self, size: int) -> Iterator[tuple[list[int], list[str]]]:
        """Every stored (numbers, texts), `size` documents at a time, by number."""

    def doc_ids(self, ns: Sequence[int]) -> dict[int, str]:
        """Document number -> id for the numbers present."""


class DerivedWrites(Protocol):
    """Writes of what is computed from the stored texts (what `rebuild` rewrites)."""

    def add_postings(self, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> None: ...

    def put_cms_rows(self, rows: Sequence[np.ndarray]) -> None:
        """Replace the count-min rows (int64 values already saturated to uint16)."""

    def set_meta(self, **values: object) -> None: ...


class WriteBatch(Reads, DerivedWrites, Protocol):
    """One write transaction of an add or remove."""

    def cms_rows(self, depth: int, bits: int) -> list[np.ndarray]:
        """The count-min rows as int64 arrays (``2**bits`` cells each)."""

    def put_documents(self, docs: Sequence[Document], hashes: Sequence[int],
                      signatures: Sequence[bytes]) -> list[int]:
        """Store new documents (text, metadata, signature); returns their numbers."""

    def delete_documents(self, ns: Sequence[int], ids: Sequence[str]) -> None: ...

    def remove_postings(self, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> None: ...


class RebuildBatch(Reads, DerivedWrites, Protocol):
    """A rebuild's target: the derived data written afresh beside (or instead of) the old."""

    def put_signatures(self, ns: Sequence[int], signatures: Sequence[bytes]) -> None: ...


class Storage(Reads, Protocol):
    """One index's storage. Every method may raise the backend's own errors; `guard` translates them."""

    SCHEMA: str
    location: str

    def schema_message(self, stored: str | None) -> str:
        """Why an index of schema `stored` is refused, and what to do."""

    def guard(self) -> AbstractContextManager:
        """A context that turns the backend's failures into `IndexError_` naming the fix."""

    def snapshot(self) -> AbstractContextManager:
        """A context in which several reads see one consistent state."""

    def write(self, fn: Callable[[WriteBatch], T]) -> T:
        """Run ``fn(batch)`` and commit its writes in one transaction (``fn`` may run again on conflict)."""

    def rebuild(self, fn: Callable[[RebuildBatch], T]) -> T:
        """Run ``fn(target)`` over empty derived data and switch to it in one step."""

    def lookup(self, query: QueryFeatures) -> Hits: ...

    def documents(self, ids: Sequence[str]) -> list[Document]:
        """Stored documents by id, in the order asked (missing ids left out)."""

    def signatures(self, ids: Sequence[str]) -> dict[str, bytes]: ...

    def ids(self) -> list[str]:
        """Every stored id, sorted."""

    def phrase_cells(self, meta: dict[str, str], cells: Sequence[np.ndarray]) -> list[np.ndarray]:
        """The counts in count-min row r at positions ``cells[r]`` (int64)."""

    def usage(self) -> Usage: ...

    def checkpoint(self) -> None:
        """Settle after a run of writes (SQLite folds its WAL back); a no-op elsewhere."""

    def close(self) -> None: ...


def chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    """Consecutive slices of at most `size` items (lookups bounded per statement or command)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
