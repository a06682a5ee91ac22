"""The hashing core: signatures equal datasketch's for the same shingles."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

import provenance
from provenance import sketch
from provenance.errors import EmptyTextError


def reference(text: str, k: int = 5, num_perm: int = 128, seed: int = 1) -> MinHash:
    m = MinHash(num_perm, seed=seed, scheme="affine32", hashfunc=provenance.shingle_hash)
    for s in provenance.shingles(text, k):
        m.update(s)
    return m


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1), st.integers(1, 7))
def test_minhash_equals_datasketch_for_any_unicode(text, k):
    if not provenance.shingles(text, k):
        with pytest.raises(EmptyTextError):
            provenance.minhash(text, k=k)
        return
    assert np.array_equal(provenance.minhash(text, k=k).hashvalues, reference(text, k).hashvalues)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab cdé\u00dfΩ.’-\n"), min_size=1), min_size=1, max_size=12))
def test_batched_path_equals_one_at_a_time(texts):
    texts = [t for t in texts if provenance.shingles(t)]
    batch = provenance.minhashes(texts, k=3, num_perm=16, seed=7)
    for t, m in zip(texts, batch):
        assert np.array_equal(m.hashvalues, reference(t, 3, 16, 7).hashvalues)


def test_permutations_match_datasketch():
    a, b = sketch.permutations(64, 42)
    ref = MinHash(64, seed=42, scheme="affine32")
    assert np.array_equal(a, ref.permutations[0]) and np.array_equal(b, ref.permutations[1])


def test_short_text_has_one_shingle_of_all_tokens():
    assert provenance.shingles("Hello, World", k=5) == ["hello world"]
    assert provenance.minhash("Hello, World").jaccard(provenance.minhash("hello world!")) == 1.0
    assert provenance.minhash("Hello, World").jaccard(provenance.minhash("goodbye world")) < 0.1


def test_empty_text_is_refused_not_matched():
    with pytest.raises(EmptyTextError):
        provenance.minhash("  ... — !! ")
