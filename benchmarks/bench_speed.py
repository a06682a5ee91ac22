"""Speed: raw text to MinHash signature, all contenders in one run on one core.

Every contender gets the same raw texts and produces 128-permutation MinHash
signatures of the same word 5-gram shingles (`provenance.shingles`: the text's
normalised words). The anchors need the shingles as Python strings, so building them
is part of their cost, as it is for any user of those libraries; provenance hashes
from the raw text. The anchors build them with `provenance.shingles`, the fastest
builder we have (its tokenizer is provenance's byte path); one extra rensa row builds
the same shingles with the regex tokenizer, as a user with a regex tokenizer would. Run:

    python -m pytest benchmarks/bench_speed.py --benchmark-only

The table at the end gives docs/s, shingles/s and how many times faster provenance
is than each anchor (ratios of medians from this run), by wall time and by CPU time
(process time: on a shared machine it is far less disturbed by other processes). datasketch's `update` loop is
so slow that it runs on every SLOW_STRIDE-th document; its docs/s is scaled to the
corpus's mean document length through shingles/s.
"""

from __future__ import annotations

import os
import time

try:
    import resource
except ImportError:  # not on Windows
    resource = None

import pytest

import provenance
from provenance.fingerprint import minhash as sketch

K, NUM_PERM, SEED = 5, 128, 1
pytestmark = pytest.mark.usefixtures("one_core")
SLOW_STRIDE = int(os.environ.get("PROVENANCE_BENCH_SLOW_STRIDE", "5"))


def _faults() -> int:
    """Minor page faults of this process so far (0 where the platform does not say)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


def _run(benchmark, corpus, label, fn, texts, rounds):
    cpu: list[float] = []
    wall: list[float] = []
    faults: list[int] = []

    def timed():
        f0, c0, w0 = _faults(), time.process_time(), time.perf_counter()
        out = fn(texts)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        faults.append(_faults() - f0)
        return out

    result = benchmark.pedantic(timed, rounds=rounds, iterations=1, warmup_rounds=1 if rounds > 1 else 0)
    skip = len(cpu) - rounds  # the warm-up round
    benchmark.extra_info.update(
        label=label,
        docs=len(texts),
        shingles=_shingle_count(texts),
        corpus_docs=len(corpus.texts),
        corpus_shingles=_shingle_count(corpus.texts),
        corpus_source=corpus.source,
        cpu_seconds=cpu[skip:],
        wall_seconds=wall[skip:],
        page_faults=faults[skip:],
    )
    assert len(result) == len(texts)
    return result


_COUNTS: dict[int, int] = {}


def _shingle_count(texts) -> int:
    key = id(texts)
    if key not in _COUNTS:
        _COUNTS[key] = sum(len(provenance.shingles(t, K)) for t in texts)
    return _COUNTS[key]


# --- provenance ---------------------------------------------------------------------------


def test_provenance_minhashes(benchmark, news_corpus):
    """The public batched API: one datasketch LeanMinHash per text."""
    _run(benchmark, news_corpus, "provenance.minhashes",
         lambda ts: provenance.minhashes(ts, k=K, num_perm=NUM_PERM, seed=SEED), news_corpus.texts, 7)


def test_signature_matrix(benchmark, news_corpus):
    """The same signatures as an (n, 128) uint32 matrix, without LeanMinHash objects."""
    config = provenance.SketchConfig(k=K, num_perm=NUM_PERM, seed=SEED)
    _run(benchmark, news_corpus, "sketch.signature_matrix",
         lambda ts: sketch.signature_matrix(ts, config), news_corpus.texts, 7)


def test_signature_matrix_numpy_path(benchmark, news_corpus, monkeypatch):
    """`signature_matrix` without the C kernels: what an install without a C compiler runs."""
    from provenance.text import byte_tokens

    monkeypatch.setattr(sketch, "_kernels", None)
    monkeypatch.setattr(byte_tokens, "_kernels", None)
    config = provenance.SketchConfig(k=K, num_perm=NUM_PERM, seed=SEED)
    _run(benchmark, news_corpus, "sketch.signature_matrix, numpy path (no C kernels)",
         lambda ts: sketch.signature_matrix(ts, config), news_corpus.texts, 5)


# --- datasketch -----------------------------------------------------------------------------


def test_datasketch_update(benchmark, news_corpus):
    """datasketch's documented loop with its default hash (SHA-1, 32 bits) over UTF-8 shingles.

    (With hashfunc=provenance.shingle_hash, which gives provenance's exact signatures,
    the loop is slower still: its hash is pure Python.)
    """
    from datasketch import MinHash

    def run(ts):
        out = []
        for t in ts:
            m = MinHash(NUM_PERM, seed=SEED)
            for s in provenance.shingles(t, K):
                m.update(s.encode("utf-8"))
            out.append(m)
        return out

    _run(benchmark, news_corpus, "datasketch MinHash.update", run, news_corpus.texts[::SLOW_STRIDE], 1)


def test_datasketch_bulk_xxh32(benchmark, news_corpus):
    """datasketch's batched MinHash.bulk with xxhash's xxh32 over UTF-8 shingles."""
    from datasketch import MinHash
    from xxhash import xxh32_intdigest

    def run(ts):
        return MinHash.bulk(
            [[s.encode("utf-8") for s in provenance.shingles(t, K)] for t in ts],
            num_perm=NUM_PERM, seed=SEED, hashfunc=xxh32_intdigest,
        )

    _run(benchmark, news_corpus, "datasketch MinHash.bulk xxh32", run, news_corpus.texts, 3)


# --- rensa ------------------------------------------------------------------------------------


def test_rensa_update(benchmark, news_corpus):
    """rensa's RMinHash, one object per text, updated with the list of shingle strings."""
    rensa = pytest.importorskip("rensa")

    def run(ts):
        out = []
        for t in ts:
            m = rensa.RMinHash(num_perm=NUM_PERM, seed=SEED)
            m.update(provenance.shingles(t, K))
            out.append(m.digest())
        return out

    _run(benchmark, news_corpus, "rensa RMinHash.update", run, news_corpus.texts, 5)


def test_rensa_update_regex_shingles(benchmark, news_corpus):
    """rensa's update loop with shingles from the regex tokenizer (`text.words`).

    The same shingles from a regex over the text, then joins (this matches the rensa
    figure in DESIGN.md). `provenance.shingles` tokenises through provenance's byte
    path instead (1.6x faster on ASCII), which the other anchors benefit from.
    """
    rensa = pytest.importorskip("rensa")
    from provenance.text import words

    def run(ts):
        out = []
        for t in ts:
            w = words(t)
            sh = [" ".join(w)] if 0 < len(w) < K else list(map(" ".join, zip(*[w[i:] for i in range(K)])))
            m = rensa.RMinHash(num_perm=NUM_PERM, seed=SEED)
            m.update(sh)
            out.append(m.digest())
        return out

    _run(benchmark, news_corpus, "rensa RMinHash.update, regex shingles", run, news_corpus.texts, 5)


def test_rensa_digest_matrix(benchmark, news_corpus):
    """rensa 0.5's bulk route: all shingle lists at once into a digest matrix."""
    rensa = pytest.importorskip("rensa")

    def run(ts):
        m = rensa.RMinHash.digest_matrix_from_token_sets(
            [provenance.shingles(t, K) for t in ts], NUM_PERM, SEED
        )
        return m.to_rows()

    _run(benchmark, news_corpus, "rensa digest_matrix_from_token_sets", run, news_corpus.texts, 5)


def test_rensa_byte_sets(benchmark, news_corpus):
    """rensa 0.5's byte-set route: every text's shingles as UTF-8 bytes into one digest matrix."""
    rensa = pytest.importorskip("rensa")

    def run(ts):
        m = rensa.RMinHash.digest_matrix_from_token_byte_sets(
            [[s.encode("utf-8") for s in provenance.shingles(t, K)] for t in ts], NUM_PERM, SEED
        )
        return m.to_rows()

    _run(benchmark, news_corpus, "rensa digest_matrix_from_token_byte_sets", run, news_corpus.texts, 5)


# --- gaoya ------------------------------------------------------------------------------------


def test_gaoya_bulk_hash_docs(benchmark, news_corpus):
    """gaoya 0.2's batched route: raw texts to 128 32-bit MinHash values of lower-cased word 5-grams,
    tokenised in Rust (its own word rule, not provenance's: the same job, other shingles)."""
    gaoya = pytest.importorskip("gaoya.minhash")
    index = gaoya.m.MinHash32StringIntIndexVec(0.5, 32, NUM_PERM // 32, None, "word", True, (K, K))
    _run(benchmark, news_corpus, "gaoya bulk_hash_docs", lambda ts: index.bulk_hash_docs(list(ts)),
         news_corpus.texts, 5)
