"""`unique` and `intersection`: numpy's `np.unique` and `np.intersect1d` for one-dimensional arrays,
without their import cost; `positions_in`: `np.isin` against a sorted array, and where each value
sits in it; `repeated`: the values seen at least k times, without a copy of the input;
`HashPositions`: where 64-bit hashes sit in a sorted array, at a cost that does not grow with it.

`np.unique` imports `numpy.ma` on its first call (about 25 ms), which every `provenance check`
paid for a handful of tiny arrays; `unique` is the same computation from a sort (stable where the
first indexes are asked for), with the same results (sorted values, index of each value's first
occurrence, inverse, counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def unique(values, *, return_index: bool = False, return_inverse: bool = False, return_counts: bool = False):
    """The sorted distinct values of `values` (flattened), as `np.unique` gives them, with the same
    optional extras in the same order: first index, inverse, counts."""
    values = np.asarray(values).ravel()
    extras = return_index or return_inverse
    # a stable sort only where ties' order shows (first indexes), as np.unique
    order = np.argsort(values, kind="stable" if return_index else None) if extras else None
    ordered = values[order] if extras else np.sort(values)
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    out = [ordered[first]]
    if return_index:
        out.append(order[first])
    if return_inverse:
        inverse = np.empty(len(values), dtype=np.intp)
        inverse[order] = np.cumsum(first) - 1
        out.append(inverse)
    if return_counts:
        starts = np.flatnonzero(first)
        out.append(np.diff(np.append(starts, len(ordered))))
    return out[0] if len(out) == 1 else tuple(out)


def positions_in(values: np.ndarray, ordered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(found, at): whether each of `values` is in the sorted array `ordered`, and where (`at` is
    meaningful where `found`); `np.isin` without its `numpy.ma` import."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool), np.zeros(len(values), dtype=np.intp)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values, at


def intersection(a, b, *, assume_unique: bool = False):
    """The sorted values in both `a` and `b`, as `np.intersect1d` (which calls `np.unique`)."""
    if not assume_unique:
        a, b = unique(a), unique(b)
    return np.intersect1d(a, b, assume_unique=True)


def repeated(ordered: np.ndarray, min_count: int) -> tuple[np.ndarray, np.ndarray]:
    """(values, counts) of the values that occur at least `min_count` times in the sorted array
    `ordered`: `unique(..., return_counts=True)` filtered to counts >= min_count, the same arrays.

    Works from the positions where a value repeats, so beyond the input it holds one bool a value
    and one index a repeat, not a sorted copy and an index a value: what keeps counting the
    phrases of 100k documents (60M keys, most seen once) within a few hundred MB.
    """
    if min_count <= 1:
        return unique(ordered, return_counts=True)
    same = ordered[1:] == ordered[:-1]
    at = np.flatnonzero(same)  # i where ordered[i] == ordered[i + 1]
    del same
    if not len(at):
        return ordered[:0].copy(), np.empty(0, dtype=np.int64)
    first = np.empty(len(at), dtype=bool)
    first[0] = True
    np.not_equal(np.diff(at), 1, out=first[1:])
    runs = np.flatnonzero(first)
    counts = np.diff(np.append(runs, len(at))) + 1
    keep = counts >= min_count
    return ordered[at[runs[keep]]], counts[keep]


@dataclass(frozen=True, slots=True)
class HashPositions:
    """Look-ups of 64-bit hashes in a sorted array of them, at a cost per query that stays the same
    however long the array grows.

    A binary search (`np.searchsorted`) costs a cache miss per level, and the levels grow with the
    array: a scan's phrase table holds ten times the keys at ten times the documents. Hashes are
    spread evenly over 64 bits, so their top bits name a bucket of four to eight of them; a directory
    of where each bucket starts (under a byte a key) leaves a search of a few keys.
    """

    keys: np.ndarray  # sorted uint64 hashes
    shift: np.uint64 = field(init=False)
    starts: np.ndarray = field(init=False)  # where each bucket starts in keys, and len(keys) last

    def __post_init__(self) -> None:
        bits = max(1, int(len(self.keys)).bit_length() - 3)
        shift = np.uint64(64 - bits)
        bounds = np.arange(1 << bits, dtype=np.uint64) << shift
        index = np.int32 if len(self.keys) < 2**31 else np.int64
        starts = np.append(np.searchsorted(self.keys, bounds), len(self.keys)).astype(index)
        object.__setattr__(self, "shift", shift)
        object.__setattr__(self, "starts", starts)

    def find(self, queries: np.ndarray) -> np.ndarray:
        """The position of each query in `keys`, -1 where it is not there."""
        q = np.asarray(queries, dtype=np.uint64)
        if not len(self.keys):
            return np.full(len(q), -1, dtype=np.intp)
        bucket = (q >> self.shift).astype(np.intp)
        lo, hi = self.starts[bucket].astype(np.intp), self.starts[bucket + 1].astype(np.intp)
        last = len(self.keys) - 1
        while True:  # a binary search inside each query's bucket: a few keys, so a few rounds
            open_ = lo < hi
            if not open_.any():
                break
            mid = (lo + hi) >> 1
            below = self.keys[np.minimum(mid, last)] < q
            lo = np.where(open_ & below, mid + 1, lo)
            hi = np.where(open_ & ~below, mid, hi)
        at = np.minimum(lo, last)
        return np.where(self.keys[at] == q, at, -1)
