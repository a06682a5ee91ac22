"""An index storage in this process's memory (``memory://NAME``): for tests, and the smallest backend.

Named stores live as long as the process, so opening ``memory://NAME`` again sees what
was added before (as a file or a Redis name would). Postings are sets per key, the
band keys and fingerprints the SQLite storage keeps; a write transaction works on a copy
of the store and swaps it in whole, so a failed batch leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from provenance.arrays import unique
from provenance.errors import IndexError_
from provenance.fingerprint.features import DocFeatures, QueryFeatures
from provenance.index import count_min as cms
from provenance.index.storage import Hits, T, Usage
from provenance.model import Document

SCHEMA_VERSION = "1"
_STORES: dict[str, _Store] = {}
_LOCK = threading.RLock()


@dataclass(slots=True)
class _Row:
    doc: Document  # the fields an index keeps, its text compressed into z (text="")
    digest: int
    z: bytes
    signature: bytes


@dataclass(slots=True)
class _Store:
    meta: dict[str, str]
    rows: dict[int, _Row] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    fps: dict[int, set[int]] = field(default_factory=dict)
    bands: dict[int, set[int]] = field(default_factory=dict)
    cms: list[np.ndarray] = field(default_factory=list)
    next_n: int = 1


def drop(spec: str) -> bool:
    """Forget the store named by `spec`; True if there was one."""
    with _LOCK:
        return _STORES.pop(_name(spec), None) is not None


def _name(spec: str) -> str:
    return spec.removeprefix("memory://")


class MemoryStorage:
    """One named in-memory store."""

    SCHEMA = SCHEMA_VERSION

    def __init__(self, spec: str, *, create: dict[str, object] | None = None) -> None:
        self.location = spec
        name = _name(spec)
        with _LOCK:
            if name not in _STORES:
                if create is None:
                    raise IndexError_(f"no index named {name!r} in memory: build one with `provenance index add`")
                meta = {key: str(value) for key, value in {"schema": SCHEMA_VERSION, **create}.items()}
                depth = int(meta["cms_depth"])
                _STORES[name] = _Store(meta, cms=[np.zeros(1 << cms.MIN_BITS, np.int64) for _ in range(depth)])
            self._name = name
        self._store = _STORES[name]  # the committed state (a write swaps in a new one)

    def schema_message(self, stored: str | None) -> str:
        return f"{self.location} has index schema {stored!r}, this version reads {SCHEMA_VERSION!r}"

    def guard(self) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def snapshot(self) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def checkpoint(self) -> None:
        pass

    def close(self) -> None:
        pass

    @property
    def _state(self) -> _Store:
        return _STORES.get(self._name, self._store)

    # --- transactions ----------------------------------------------------------------------

    def write(self, fn: Callable[[_Batch], T]) -> T:
        with _LOCK:
            draft = copy.deepcopy(self._state)
            result = fn(_Batch(draft))
            _STORES[self._name] = draft
            return result

    def rebuild(self, fn: Callable[[_Batch], T]) -> T:
        with _LOCK:
            draft = copy.deepcopy(self._state)
            draft.fps, draft.bands = {}, {}
            draft.meta["schema"] = SCHEMA_VERSION
            result = fn(_Batch(draft))
            _STORES[self._name] = draft
            return result

    # --- reads ------------------------------------------------------------------------------

    def read_meta(self) -> dict[str, str]:
        return _Batch(self._state).read_meta()

    def numbers(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        return _Batch(self._state).numbers(ids)

    def texts(self, ns: Sequence[int]) -> list[str]:
        return _Batch(self._state).texts(ns)

    def text_batches(self, size: int) -> Iterator[tuple[list[int], list[str]]]:
        return _Batch(self._state).text_batches(size)

    def doc_ids(self, ns: Sequence[int]) -> dict[int, str]:
        return _Batch(self._state).doc_ids(ns)

    def documents(self, ids: Sequence[str]) -> list[Document]:
        state = self._state
        found = [state.rows[state.numbers[doc_id]] for doc_id in ids if doc_id in state.numbers]
        return [dataclasses.replace(row.doc, text=_unzip(row.z)) for row in found]

    def signatures(self, ids: Sequence[str]) -> dict[str, bytes]:
        state = self._state
        return {doc_id: state.rows[state.numbers[doc_id]].signature for doc_id in ids if doc_id in state.numbers}

    def ids(self) -> list[str]:
        return sorted(self._state.numbers)

    def lookup(self, query: QueryFeatures) -> Hits:
        state = self._state
        fp_keys, fp_docs = _hits(state.fps, unique(query.shingles))
        _, band_docs = _hits(state.bands, unique(query.bands))
        return Hits(dict(state.meta), fp_keys, fp_docs, band_docs)

    def phrase_cells(self, meta: dict[str, str], cells: Sequence[np.ndarray]) -> list[np.ndarray]:
        return [row[positions] for row, positions in zip(self._state.cms, cells)]

    def usage(self) -> Usage:
        state = self._state
        text_bytes = sum(len(row.z) for row in state.rows.values())
        fingerprints = sum(map(len, state.fps.values()))
        band_entries = sum(map(len, state.bands.values()))
        signatures = sum(len(row.signature) for row in state.rows.values())
        size = text_bytes + signatures + 8 * (fingerprints + band_entries) + sum(row.nbytes // 4 for row in state.cms)
        return Usage(state.meta.copy(), fingerprints, band_entries, text_bytes, text_bytes, size,
                     {"backend": "memory"})


class _Batch:
    """Reads and writes of one store (the copy a transaction works on)."""

    def __init__(self, state: _Store) -> None:
        self.state = state

    def read_meta(self) -> dict[str, str]:
        return dict(self.state.meta)

    def set_meta(self, **values: object) -> None:
        self.state.meta.update({key: str(value) for key, value in values.items()})

    def numbers(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        state = self.state
        return {doc_id: (state.numbers[doc_id], state.rows[state.numbers[doc_id]].digest)
                for doc_id in ids if doc_id in state.numbers}

    def texts(self, ns: Sequence[int]) -> list[str]:
        return [_unzip(self.state.rows[n].z) for n in ns]

    def text_batches(self, size: int) -> Iterator[tuple[list[int], list[str]]]:
        ns = sorted(self.state.rows)
        for start in range(0, len(ns), size):
            part = ns[start : start + size]
            yield part, self.texts(part)

    def doc_ids(self, ns: Sequence[int]) -> dict[int, str]:
        return {n: self.state.rows[n].doc.id for n in ns if n in self.state.rows}

    def put_documents(self, docs: Sequence[Document], hashes: Sequence[int], signatures: Sequence[bytes]) -> list[int]:
        state = self.state
        ns = list(range(state.next_n, state.next_n + len(docs)))
        state.next_n += len(docs)
        for n, doc, digest, signature in zip(ns, docs, hashes, signatures):
            z = zlib.compress(doc.text.encode("utf-8", "surrogatepass"), 6)
            stored = Document(id=doc.id, text="", path=doc.path or "", title=doc.title, url=doc.url, site=doc.site,
                              published=doc.published, raw_chars=doc.raw_chars or len(doc.text))
            state.rows[n] = _Row(stored, digest, z, signature)
            state.numbers[doc.id] = n
        return ns

    def delete_documents(self, ns: Sequence[int], ids: Sequence[str]) -> None:
        for n, doc_id in zip(ns, ids):
            del self.state.rows[n]
            del self.state.numbers[doc_id]

    def put_signatures(self, ns: Sequence[int], signatures: Sequence[bytes]) -> None:
        for n, signature in zip(ns, signatures):
            self.state.rows[n].signature = signature

    def add_postings(self, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> None:
        for n, fingerprints, bands in zip(ns, features.fingerprints, features.bands):
            for table, keys in ((self.state.fps, fingerprints), (self.state.bands, bands)):
                for key in keys.tolist():
                    table.setdefault(key, set()).add(n)

    def remove_postings(self, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> None:
        for n, fingerprints, bands in zip(ns, features.fingerprints, features.bands):
            for table, keys in ((self.state.fps, fingerprints), (self.state.bands, bands)):
                for key in keys.tolist():
                    table[key].discard(n)
                    if not table[key]:
                        del table[key]

    def cms_rows(self, depth: int, bits: int) -> list[np.ndarray]:
        return [row.copy() for row in self.state.cms]

    def put_cms_rows(self, rows: Sequence[np.ndarray]) -> None:
        self.state.cms = [np.asarray(row, np.int64).copy() for row in rows]


def _hits(table: dict[int, set[int]], keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key, n) of every posting of these keys."""
    found = [(key, n) for key in keys.tolist() for n in sorted(table.get(key, ()))]
    pairs = np.array(found, dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def _unzip(z: bytes) -> str:
    return zlib.decompress(z).decode("utf-8", "surrogatepass")
