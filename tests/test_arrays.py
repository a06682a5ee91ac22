"""`arrays.unique` gives what `np.unique` gives, extras included, for the integer arrays the stages pass it;
`arrays.positions_in` what `np.isin` gives;
`arrays.repeated` what `np.unique` with counts gives, filtered by count; `arrays.HashPositions` what a
binary search finds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from provenance.arrays import HashPositions, intersection, positions_in, repeated, unique

_arrays = hnp.arrays(st.sampled_from([np.int64, np.uint64, np.uint32, np.int32]), hnp.array_shapes(max_dims=2, min_side=0, max_side=40),
                     elements=st.integers(0, 50))


@settings(max_examples=300, deadline=None)
@given(_arrays, st.booleans(), st.booleans(), st.booleans())
def test_unique_is_numpys(values, index, inverse, counts):
    ours = unique(values, return_index=index, return_inverse=inverse, return_counts=counts)
    theirs = np.unique(values.ravel(), return_index=index, return_inverse=inverse, return_counts=counts)
    ours, theirs = (x if isinstance(x, tuple) else (x,) for x in (ours, theirs))
    assert len(ours) == len(theirs)
    for mine, numpys in zip(ours, theirs):
        assert mine.dtype == numpys.dtype and np.array_equal(mine, numpys.ravel())


@settings(max_examples=200, deadline=None)
@given(_arrays, _arrays)
def test_intersection_is_numpys(a, b):
    assert np.array_equal(intersection(a.ravel(), b.ravel()), np.intersect1d(a, b))


@settings(max_examples=300, deadline=None)
@given(_arrays, st.integers(0, 5))
def test_repeated_is_numpys_counts_filtered(values, min_count):
    ordered = np.sort(values.ravel())
    got_values, got_counts = repeated(ordered, min_count)
    want_values, want_counts = np.unique(ordered, return_counts=True)
    keep = want_counts >= min_count
    assert got_values.dtype == ordered.dtype
    assert np.array_equal(got_values, want_values[keep]) and np.array_equal(got_counts, want_counts[keep])


_hashes = st.lists(st.integers(0, 2**64 - 1), max_size=300)


def _searched(keys: np.ndarray, queries: np.ndarray) -> np.ndarray:
    at = np.searchsorted(keys, queries)
    inside = np.minimum(at, max(len(keys) - 1, 0))
    hit = (at < len(keys)) & (keys[inside] == queries) if len(keys) else np.zeros(len(queries), dtype=bool)
    return np.where(hit, at, -1)


@settings(max_examples=300, deadline=None)
@given(_hashes, _hashes, st.integers(0, 30))
def test_hash_positions_find_what_a_binary_search_finds(keys, others, bunched):
    """Keys spread over 64 bits, and keys crowded into one bucket (the top bits all equal), queried
    with the keys themselves, neighbours, the extremes and values not there."""
    crowd = [(1 << 63) + i for i in range(bunched)]
    table = np.unique(np.array(keys + crowd, dtype=np.uint64))
    queries = np.array(keys + crowd + others + [0, 2**64 - 1] + [min(k + 1, 2**64 - 1) for k in keys],
                       dtype=np.uint64)
    assert np.array_equal(HashPositions(table).find(queries), _searched(table, queries))


def test_hash_positions_on_real_phrase_keys():
    """The phrase keys of the bundled corpus: every key found where it is, none of another text's."""
    from pathlib import Path

    from provenance.fingerprint.features import doc_phrases

    corpus = Path(__file__).parents[1] / "corpus"
    texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(corpus.glob("**/*.txt"))]
    assert len(texts) >= 60
    keys = [k for k in doc_phrases(texts)]
    table = np.unique(np.concatenate(keys[1:]))
    positions = HashPositions(table)
    assert np.array_equal(positions.find(table), np.arange(len(table)))
    assert np.array_equal(positions.find(keys[0]), _searched(table, keys[0]))


@settings(max_examples=200, deadline=None)
@given(hnp.arrays(np.uint64, st.integers(0, 40), elements=st.integers(0, 60)),
       hnp.arrays(np.uint64, st.integers(0, 40), elements=st.integers(0, 60)))
def test_positions_in_is_isin_with_the_place(values, pool):
    ordered = np.sort(pool)
    found, at = positions_in(values, ordered)
    assert np.array_equal(found, np.isin(values, ordered))
    assert np.array_equal(ordered[at[found]], values[found])
