"""The hashing core: signatures equal datasketch's for the same shingles.

Every test here runs twice: on the C kernels (`provenance._kernels`) and on the Python and
numpy code that defines them and stands in where they are not built.
"""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import example, given, settings
from hypothesis import strategies as st

import provenance
from provenance import text as textmod
from provenance.errors import EmptyTextError
from provenance.fingerprint import minhash as sketch
from provenance.settings import SketchConfig
from provenance.text import byte_tokens as wordbytes


@pytest.fixture(scope="module", autouse=True, params=["kernels", "numpy"])
def core(request):
    """The hashing core's loops: the C kernels, or the Python and numpy code they must equal."""
    if request.param == "kernels":
        if sketch._kernels is None:
            pytest.skip("provenance._kernels is not built (tests/test_kernels.py says why that fails where a compiler is)")
        yield request.param
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sketch, "_kernels", None)
        mp.setattr(wordbytes, "_kernels", None)
        yield request.param


def reference(text: str, k: int = 5, num_perm: int = 128, seed: int = 1) -> MinHash:
    m = MinHash(num_perm, seed=seed, scheme="affine32", hashfunc=provenance.shingle_hash)
    for s in provenance.shingles(text, k):
        m.update(s)
    return m


# Characters that stress the byte-level tokenizer: ASCII letters and punctuation,
# typographic quotes and dashes, letters that case-fold or NFKC-normalise to something
# else (É, ß, ŉ, Ŀ, ﬁ, ⒈, 𝐀, ǅ, İ, Σ/ς), combining marks, Hangul jamo that compose,
# digits of other scripts, a zero byte, and a no-break space.
TRICKY = (
    "aZ09_ .,'-\n\"\u201c\u201d\u2019\u2014\u00a0\0"
    "\u00e9\u00c9\u00df\u0149\u013f\ufb01\u2488\U0001d400\u01c5\u0130\u03a3\u03c2\u03c3"
    "\u0301\u0323\u1100\u1161\u11a8\uac00\u0663\u0e51\u4e2d\u200d"
)
tricky_text = st.text(alphabet=st.sampled_from(TRICKY), max_size=40)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1), st.integers(1, 7))
def test_minhash_equals_datasketch_for_any_unicode(text, k):
    if not provenance.shingles(text, k):
        with pytest.raises(EmptyTextError):
            provenance.minhash(text, k=k)
        return
    assert np.array_equal(provenance.minhash(text, k=k).hashvalues, reference(text, k).hashvalues)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), tricky_text))
@example("\u013fa \ufb01ne \u2488x \u00c9COLE \u0130stanbul e\u0301 \u1100\u1161 \u01c5 stra\u00dfe \u03a3\u03c2")
@example("a\ud800b \udfff")  # lone surrogates are separators, as in text.words
@example("x" * 25 + " " + "y" * 8 + " " + "\u00e9" * 13)  # tokens longer than 24 bytes
def test_token_hashes_are_the_hashes_of_text_words(text):
    hashes, offsets = sketch.token_hashes([text])
    assert offsets.tolist() == [0, len(hashes)]
    assert hashes.tolist() == [sketch.token_hash(w) for w in textmod.words(text)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=60), tricky_text, st.sampled_from(["", "...", "one", "a b c"])), max_size=15))
def test_batched_token_hashes_equal_one_at_a_time(texts):
    hashes, offsets = sketch.token_hashes(texts)
    assert len(offsets) == len(texts) + 1
    for i, t in enumerate(texts):
        assert hashes[offsets[i] : offsets[i + 1]].tolist() == [sketch.token_hash(w) for w in textmod.words(t)]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.sampled_from("ab cdé\u00dfΩ.’-\n"), min_size=1),
            tricky_text,
            st.sampled_from(["Hello", "two words", "the quick brown fox jumps over", "x" * 30 + " y"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(1, 6),
)
def test_batched_path_equals_one_at_a_time(texts, k):
    """Batches mixing ASCII and non-ASCII texts and texts with fewer than k tokens."""
    texts = [t for t in texts if provenance.shingles(t, k)]
    batch = provenance.minhashes(texts, k=k, num_perm=16, seed=7)
    for t, m in zip(texts, batch):
        assert np.array_equal(m.hashvalues, reference(t, k, 16, 7).hashvalues)


def test_signature_matrix_across_text_and_shingle_batches(monkeypatch):
    """Documents straddling text batches and shingle blocks get the same signatures."""
    rng = np.random.default_rng(5)
    vocab = ["alpha", "beta", "\u201cgamma\u201d", "d\u00e9j\u00e0", "STRASSE", "x" * 17, "\u00c9t\u00e9", "q"]
    texts = [" ".join(rng.choice(vocab, size=int(n))) for n in rng.integers(0, 900, size=40)]
    texts.insert(7, "w " * 6000)  # one document longer than a shingle block
    config = SketchConfig(k=3, num_perm=32, seed=11)
    whole = sketch.signature_matrix(texts, config)
    monkeypatch.setattr(sketch, "_TEXT_BATCH_BYTES", 3000)
    monkeypatch.setattr(sketch, "_SHINGLE_BATCH", 700)
    assert np.array_equal(sketch.signature_matrix(texts, config), whole)
    for t, row in zip(texts, whole):
        if provenance.shingles(t, 3):
            assert np.array_equal(row, reference(t, 3, 32, 11).hashvalues)
        else:
            assert (row == sketch.EMPTY_VALUE).all()


def test_k1_shingles_are_the_words():
    text = "One two, two THREE"
    assert provenance.shingles(text, k=1) == ["one", "two", "two", "three"]
    assert np.array_equal(provenance.minhash(text, k=1).hashvalues, reference(text, 1).hashvalues)


def test_minhashes_of_nothing_is_empty():
    assert provenance.minhashes([]) == []
    assert sketch.signature_matrix([]).shape == (0, 128)


@pytest.mark.parametrize("num_perm, seed", [(64, 42), (128, 1), (128, 2), (256, 1)])
def test_permutations_match_datasketch(num_perm, seed):
    """Drawn or, for the default sketch (128, 1), read from the written-out table: datasketch's either way."""
    a, b = sketch.permutations(num_perm, seed)
    ref = MinHash(num_perm, seed=seed, scheme="affine32")
    assert np.array_equal(a, ref.permutations[0]) and np.array_equal(b, ref.permutations[1])
    assert a.dtype == b.dtype == np.uint32 and not a.flags.writeable
    drawn = sketch.drawn_permutations(num_perm, seed)
    assert np.array_equal(a, drawn[0]) and np.array_equal(b, drawn[1])


def test_short_text_has_one_shingle_of_all_tokens():
    assert provenance.shingles("Hello, World", k=5) == ["hello world"]
    assert provenance.minhash("Hello, World").jaccard(provenance.minhash("hello world!")) == 1.0
    assert provenance.minhash("Hello, World").jaccard(provenance.minhash("goodbye world")) < 0.1


def test_empty_text_is_refused_not_matched():
    with pytest.raises(EmptyTextError):
        provenance.minhash("  ... — !! ")
    with pytest.raises(EmptyTextError):
        provenance.minhashes(["fine words here", "\u201c\u2014\u201d"])


def test_minhashes_are_ordinary_lean_minhashes():
    """The cheaply built objects equal, hash and serialise like constructor-built ones."""
    from datasketch import LeanMinHash

    texts = ["the first text has words", "a second, different text", "the first text has words"]
    ms = provenance.minhashes(texts, num_perm=32)
    for m, t in zip(ms, texts):
        ref = LeanMinHash(reference(t, num_perm=32))
        assert type(m) is LeanMinHash and m == ref and hash(m) == hash(ref)
        assert m.hashvalues.dtype == ref.hashvalues.dtype and m.seed == 1 and m.scheme == "affine32"
        a, b = bytearray(m.bytesize()), bytearray(ref.bytesize())
        m.serialize(a)
        ref.serialize(b)
        assert a == b and LeanMinHash.deserialize(a) == ref
    assert ms[0].jaccard(ms[2]) == 1.0 and ms[0].jaccard(ms[1]) < 0.5
    assert not np.shares_memory(ms[1].hashvalues, ms[2].hashvalues)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), tricky_text), st.integers(1, 6))
def test_shingles_are_joined_windows_of_text_words(text, k):
    words = textmod.words(text)
    expected = [" ".join(words)] if 0 < len(words) < k else [" ".join(words[i : i + k]) for i in range(len(words) - k + 1)]
    assert provenance.shingles(text, k) == expected


def test_precomputed_composing_characters_match_this_unicode_version():
    import unicodedata

    if unicodedata.unidata_version != wordbytes._COMPOSING_UNIDATA:
        pytest.skip(f"constant is for Unicode {wordbytes._COMPOSING_UNIDATA}, running {unicodedata.unidata_version}")
    assert frozenset(wordbytes._COMPOSING) == wordbytes._compute_composes_with_previous()
