"""The compact store of verified pairs: what is read back equals what was verified, in the order a
result lists it, at a fraction of the objects' memory."""

from __future__ import annotations

import pickle
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.engines import local
from provenance.engines.local import ScanOptions
from provenance.model import Pair, Passage
from provenance.verify.pair_store import KINDS, VERDICTS, PairStore


@pytest.fixture(scope="module")
def verified(news_dir, clough_dir) -> list[Pair]:
    """Every candidate pair of the news corpus and Clough-Stevenson, verified, as `Pair` objects in
    verification order (independent ones too)."""
    from provenance import candidates as cand
    from provenance.fingerprint import features as fingerprint_features
    from provenance.ingest import files
    from provenance.verify.phrases import PhraseStats

    docs, _ = files.load_paths([news_dir, clough_dir])
    docs, _ = local.prepare(docs)
    options = ScanOptions()
    found = cand.find(fingerprint_features.features([d.text for d in docs], options.config, options.candidates),
                      options.candidates)
    ordered = found.pairs[cand.verification_order(found.pairs, len(docs))].tolist()
    return list(local.verify(docs, ordered, PhraseStats.from_documents(docs)))


def test_real_pairs_read_back_equal_and_in_order(verified):
    store = PairStore(verified)
    assert len(store) == len(verified) > 100
    assert list(store) == verified and store == verified
    assert store[0] == verified[0] and store[-1] == verified[-1]
    assert {p.verdict for p in verified} == set(VERDICTS)  # every verdict went through the arrays
    assert {x.kind for p in verified for x in p.passages} == set(KINDS)

    listed = store.sorted_by_ids(independent=False)
    expected = sorted((p for p in verified if p.verdict != "independent"), key=lambda p: (p.a, p.b))
    assert list(listed) == expected and len(listed) < len(store)
    assert list(store.sorted_by_ids()) == sorted(verified, key=lambda p: (p.a, p.b))
    assert list(listed[3:9]) == expected[3:9] and list(listed[::-2]) == expected[::-2]
    assert pickle.loads(pickle.dumps(listed)) == expected


def test_the_store_is_a_fraction_of_the_objects(verified):
    def deep(obj, seen: set[int]) -> int:
        if id(obj) in seen or isinstance(obj, str) and len(obj) < 40:  # ids are the documents'
            return 0
        seen.add(id(obj))
        size = sys.getsizeof(obj)
        if isinstance(obj, tuple | list):
            size += sum(deep(x, seen) for x in obj)
        elif hasattr(obj, "__slots__"):
            size += sum(deep(getattr(obj, k), seen) for k in obj.__slots__)
        return size

    objects = deep(verified, set())
    store = PairStore(verified)
    assert store.nbytes < objects / 2


def test_a_view_is_read_only_and_bad_indexes_are_errors(verified):
    store = PairStore(verified[:5])
    view = store.sorted_by_ids()
    with pytest.raises(TypeError):
        view.append(verified[0])
    with pytest.raises(IndexError):
        store[5]
    with pytest.raises(IndexError):
        store[-6]
    assert PairStore() == [] and not PairStore()


def test_reasons_naming_the_ids_read_back_exactly():
    """Reasons are kept with the pair's ids cut out: ids inside each other, equal or empty still
    give every reason back as it was, and an id that is not UTF-8 (a file name's undecodable
    bytes) is stored when no reason names it."""
    ids = [("x.txt", "x.txt.bak"), ("x.txt.bak", "x.txt"), ("same", "same"), ("", "b"), ("a", ""),
           ("caf\u00e9 \u00ff", "\u00fe.txt"), ("ab", "ba")]
    pairs = [
        Pair(a, b, "copy", 0.5, 0.5, 0.5, (),
             (f"{a} in {b}", f"{b}{a}{b}", "abba", "no ids here", "", "\u00ff\u00fe", f"{a}{a}"))
        for a, b in ids
    ]
    pairs.append(Pair("\udcff.txt", "b", "copy", 0.5, 0.5, 0.5, (), ("b only",)))
    store = PairStore(pairs)
    assert list(store) == pairs
    assert PairStore([pairs[0], pairs[0]])._columns.templates == PairStore([pairs[0]])._columns.templates


_text = st.text(st.characters(codec="utf-8"), max_size=30)
_passage = st.builds(Passage, st.integers(0, 2**40), st.integers(0, 2**40), st.integers(0, 2**40),
                     st.integers(0, 2**40), st.sampled_from(KINDS), st.floats(allow_nan=False))
_pair = st.builds(Pair, _text, _text, st.sampled_from(VERDICTS), st.floats(allow_nan=False),
                  st.floats(allow_nan=False), st.floats(allow_nan=False),
                  st.lists(_passage, max_size=4).map(tuple), st.lists(_text, max_size=4).map(tuple))


@settings(max_examples=200, deadline=None)
@given(st.lists(_pair, max_size=12))
def test_any_pairs_read_back_equal(pairs):
    store = PairStore(pairs)
    assert list(store) == pairs
    assert list(store.sorted_by_ids()) == sorted(pairs, key=lambda p: (p.a, p.b))
