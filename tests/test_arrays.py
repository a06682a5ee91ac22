"""`arrays.unique` gives what `np.unique` gives, extras included, for the integer arrays the stages pass it;
`arrays.repeated` what `np.unique` with counts gives, filtered by count."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from provenance.arrays import intersection, repeated, unique

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
