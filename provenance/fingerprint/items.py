"""Keys cut into parts by value, so that what is counted per key can be counted a part at a time.

Candidate search groups a channel's (key, document) items by key, and phrase counting counts
documents per phrase key. Every item of a key lies in the same part, so going through the parts
one by one finds what going through all at once finds, and only one part need be in memory.

`KeyItems` holds a channel's items as two arrays (what the Dask engine ships between workers) and
cuts them when asked. `Spill` appends keys (or records with a "key" field) to one file a part as
they are made and reads the parts back one by one; `SpilledItems` is a channel's items spilled.
The keys of 1M news documents are several GB, most of them in one document or in too many to
count, and neither kind is known until a part is counted.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from provenance.errors import SpillError

DOC_NUMBER = np.int32
"""The type of the document numbers beside fingerprints and terms: 4 bytes, not 8, for the arrays
that grow with every word of a corpus (a scan numbers fewer than 2**31 documents)."""

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
KEYS_A_DOCUMENT = 512
"""About the phrase keys of a news article (more than its content words or fingerprints): what
sets how many parts a spill of a corpus's keys has before any is made."""
MAX_SPILL_BITS = 8
"""At most 2**8 files a spill: a part of 1M news documents' phrase keys is still ~2.5M keys."""


def bits_for(items: float, per_part: int) -> int:
    """How many key bits cut `items` items into parts of about `per_part`."""
    return max(0, math.ceil(math.log2(max(items, 1) / max(per_part, 1))))


def part_of(values: np.ndarray, bits: int, mixed: bool = True) -> np.ndarray:
    """The part (0 to 2**bits - 1) of each key: the top bits of the key times a golden-ratio
    constant (winnowed minima crowd the low values), or, not `mixed`, of the 64-bit key itself
    (evenly spread hashes, whose parts are then ranges of keys in order). As the smallest type
    that holds them: a stable sort of bytes is a radix sort, six times that of 32-bit numbers."""
    dtype = np.uint8 if bits <= 8 else np.uint16 if bits <= 16 else np.uint32
    if bits == 0:
        return np.zeros(len(values), dtype=dtype)
    keys = values.astype(np.uint64) * _GOLDEN if mixed else values.astype(np.uint64, copy=False)
    return (keys >> np.uint64(64 - bits)).astype(dtype)


@dataclass(slots=True)
class KeyItems:
    """A channel's items in memory: item i is key ``values[i]`` in document ``docs[i]``."""

    values: np.ndarray
    docs: np.ndarray  # DOC_NUMBER

    def __len__(self) -> int:
        return len(self.values)

    def parts(self, items: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(values, docs) of parts of about `items` items each."""
        bits = bits_for(len(self.values), items)
        if bits == 0:
            yield self.values, self.docs
            return
        part = part_of(self.values, bits)
        for p in range(1 << bits):
            chosen = part == p
            yield self.values[chosen], self.docs[chosen]


class Spill:
    """Keys of `n_docs` documents, or records of `dtype` with a "key" field, in files named from
    `prefix`, one a part (`part_of`): appended a buffer of about `items` at a time, read back a
    part at a time by `parts`. The parts are sized for `KEYS_A_DOCUMENT` keys a document, about
    `items` each (one for a small corpus)."""

    def __init__(self, prefix: Path, dtype, n_docs: int, items: int, mixed: bool = True):
        self.prefix, self.dtype, self.items, self.mixed = prefix, np.dtype(dtype), items, mixed
        self.bits = min(MAX_SPILL_BITS, bits_for(n_docs * KEYS_A_DOCUMENT, items))
        self.size = 0
        self._buffer: list[np.ndarray] = []
        self._buffered = 0

    def add(self, records: np.ndarray) -> None:
        self._buffer.append(records)
        self._buffered += len(records)
        self.size += len(records)
        if self._buffered >= self.items:
            self.flush()

    def _key(self, records: np.ndarray) -> np.ndarray:
        return records["key"] if self.dtype.names else records

    def _path(self, part: int) -> Path:
        return self.prefix.with_name(f"{self.prefix.name}-{part:03d}")

    def flush(self) -> None:
        """Write what is buffered to the parts' files."""
        records = np.concatenate(self._buffer).astype(self.dtype, copy=False) if self._buffered else None
        self._buffer.clear()
        self._buffered = 0
        if records is None:
            return
        part = part_of(self._key(records), self.bits, self.mixed)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange((1 << self.bits) + 1))
        records = records[order]
        del part, order
        try:
            for p in np.flatnonzero(np.diff(bounds)).tolist():
                with open(self._path(p), "ab") as f:
                    records[bounds[p] : bounds[p + 1]].tofile(f)
        except OSError as exc:  # a full disk: numpy says only how much it wrote
            raise SpillError(self.prefix.parent, exc) from exc

    def parts(self) -> Iterator[np.ndarray]:
        """The records of each part in turn (parts with none left out), read from its file."""
        self.flush()
        for p in range(1 << self.bits):
            path = self._path(p)
            if path.exists():
                yield np.fromfile(path, dtype=self.dtype)


class SpilledItems:
    """A channel's items in a `Spill` in `folder`, named `name`: the form `features` makes them in
    for a whole corpus, so that they are never all in memory."""

    def __init__(self, folder: Path, name: str, key_dtype, n_docs: int, items: int):
        self.folder = folder
        self.spill = Spill(folder / name, [("key", key_dtype), ("doc", DOC_NUMBER)], n_docs, items)

    def __len__(self) -> int:
        return self.spill.size

    def add(self, values: np.ndarray, docs: np.ndarray) -> None:
        """Items key ``values[i]`` in document ``docs[i]``."""
        records = np.empty(len(values), dtype=self.spill.dtype)
        records["key"], records["doc"] = values, docs
        self.spill.add(records)

    def done(self) -> SpilledItems:
        """Every item written: what `features` returns."""
        self.spill.flush()
        return self

    def parts(self, items: int | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(values, docs) of each part, read from its file (cut to the `items` given when made)."""
        for records in self.spill.parts():
            yield records["key"], records["doc"]
