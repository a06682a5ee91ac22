"""The batched feature pass: winnowing and band keys agree with their definitions."""

from __future__ import annotations

import numpy as np

from provenance.errors import ConfigError
from provenance.fingerprint import features


def test_winnow_matches_its_definition():
    rng = np.random.RandomState(0)
    v = rng.randint(0, 2**32, 200, dtype=np.uint64).astype(np.uint32)
    expected = {int(min(v[i : i + 20])) for i in range(len(v) - 19)}
    values, docs = features.winnow(v, np.array([0, len(v)]), 20)
    assert set(values.tolist()) == expected and len(values) == len(expected) and not docs.any()
    values, _ = features.winnow(v[:5], np.array([0, 5]), 20)
    assert values.tolist() == [int(v[:5].min())]


def test_winnow_never_joins_two_documents():
    rng = np.random.RandomState(1)
    v = rng.randint(0, 2**32, 60, dtype=np.uint64).astype(np.uint32)
    offsets = np.array([0, 25, 25, 31, 60])  # the second document has no shingles
    values, docs = features.winnow(v, offsets, 8)
    for d, (s, e) in enumerate(zip(offsets[:-1], offsets[1:])):
        one, _ = features.winnow(v[s:e], np.array([0, e - s]), 8)
        assert values[docs == d].tolist() == one.tolist()


def test_band_keys_refuse_more_rows_than_permutations():
    sig = np.zeros((2, 16), dtype=np.uint32)
    try:
        features.band_keys(sig, 10, 2)
    except ConfigError as exc:
        assert "20 permutations" in str(exc)
    else:
        raise AssertionError("20 rows from 16 permutations were accepted")
