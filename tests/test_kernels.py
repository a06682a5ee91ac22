"""The C kernels (`provenance._kernels`): built where a compiler is, equal to the code they replace
on real texts, and safe with arguments that do not fit.

tests/test_sketch.py runs the hashing core's property tests on both paths; here, real news and
student texts go through both and must give the same bytes, arrays and signatures.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from provenance import text as textmod
from provenance.fingerprint import minhash as sketch
from provenance.settings import SketchConfig
from provenance.text import byte_tokens as wordbytes

ROOT = Path(__file__).resolve().parents[1]
CLOUGH = ROOT.parent / "shared" / "data" / "clough-stevenson-dev"

kernels = sketch._kernels


def test_kernels_are_built_where_a_compiler_is():
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler here: the numpy path is the hashing core")
    assert kernels is not None, (
        "provenance._kernels is not built although a C compiler is on PATH: install the Python "
        "headers (python3-dev) and run `pip install -e .` again"
    )
    assert wordbytes._kernels is kernels


def _real_texts() -> list[str]:
    paths = sorted((ROOT / "corpus").rglob("*.txt"))
    if CLOUGH.is_dir():
        paths += sorted(CLOUGH.rglob("*.txt"))
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    # and the kinds of text a batch can hold besides: empty, no word, fewer words than k, one long token
    return texts + ["", " \u201c\u201d ", "one", "two words", "x" * 70, "\u00c9T\u00c9 \ufb01n stra\u00dfe"]


def _python_path(monkeypatch) -> None:
    monkeypatch.setattr(sketch, "_kernels", None)
    monkeypatch.setattr(wordbytes, "_kernels", None)


needs_kernels = pytest.mark.skipif(kernels is None, reason="provenance._kernels is not built")


@needs_kernels
@pytest.mark.parametrize("k, num_perm, seed", [(5, 128, 1), (3, 64, 7), (1, 32, 2), (9, 128, 3)])
def test_real_texts_hash_alike_on_both_paths(monkeypatch, k, num_perm, seed):
    texts = _real_texts()
    assert len(texts) > 20
    config = SketchConfig(k=k, num_perm=num_perm, seed=seed)
    buffers = [wordbytes.batch_buffer(b) for b in sketch.batches(texts, 20_000)]
    th, to = sketch.token_hashes(texts)
    sh, so = sketch.shingle_hashes(th, to, k)
    sig = sketch.signature_matrix(texts, config)
    _python_path(monkeypatch)
    assert [wordbytes.batch_buffer(b) for b in sketch.batches(texts, 20_000)] == buffers
    th2, to2 = sketch.token_hashes(texts)
    assert np.array_equal(th, th2) and np.array_equal(to, to2)
    sh2, so2 = sketch.shingle_hashes(th2, to2, k)
    assert np.array_equal(sh, sh2) and np.array_equal(so, so2)
    assert np.array_equal(sig, sketch.signature_matrix(texts, config))


@pytest.mark.parametrize("path", ["kernels", "python"])
def test_batch_buffer_tokens_are_text_words(monkeypatch, path):
    """The whole-batch rewrite of non-ASCII characters gives each text exactly its `text.words`."""
    if path == "kernels" and kernels is None:
        pytest.skip("provenance._kernels is not built")
    if path == "python":
        _python_path(monkeypatch)
    texts = _real_texts()
    batches = [texts, [t for t in texts if not t.isascii()], ["caf\u00e9 \u2014 na\u00efve", "\u201cq\u201d"]]
    for batch in batches:
        buf, lengths = wordbytes.batch_buffer(batch)
        assert buf.endswith(b"\0" * 16) and buf[0] == 0
        pos = 1
        for t, n in zip(batch, lengths):
            words = buf[pos : pos + n].replace(b"\0", b" ").decode("utf-8", "surrogatepass").split()
            assert words == textmod.words(t), t[:60]
            pos += n + 1


@needs_kernels
def test_threads_hash_at_once_and_agree():
    """The kernels let go of the GIL: threads hashing side by side get the one-thread answer."""
    texts = _real_texts() * 3
    config = SketchConfig()
    want = sketch.signature_matrix(texts, config)
    got: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: got.append(sketch.signature_matrix(texts, config))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and all(np.array_equal(g, want) for g in got)


@needs_kernels
def test_arguments_that_do_not_fit_are_refused():
    buf = b"\0ab\0cd\0" + b"\0" * 15  # two tokens, as after TOKEN_LUT
    starts = np.array([1], dtype=np.int64)
    with pytest.raises(ValueError, match="no room"):
        kernels.token_hashes(buf, starts, np.empty(1, dtype=np.uint64), np.empty(2, dtype=np.int64))
    with pytest.raises(ValueError, match="one more item"):
        kernels.token_hashes(buf, starts, np.empty(8, dtype=np.uint64), np.empty(3, dtype=np.int64))
    with pytest.raises(ValueError, match="8-byte items"):
        kernels.token_hashes(buf, np.array([1], dtype=np.int32), np.empty(8, dtype=np.uint64),
                             np.empty(2, dtype=np.int64))
    with pytest.raises(BufferError):  # an output that cannot be written
        kernels.token_hashes(buf, starts, bytes(64), np.empty(2, dtype=np.int64))
    h = np.arange(4, dtype=np.uint64)
    with pytest.raises(ValueError, match="ascend"):
        kernels.shingle_hashes(h, np.array([0, 9], dtype=np.int64), 2, np.empty(4, dtype=np.uint32),
                               np.empty(2, dtype=np.int64))
    with pytest.raises(ValueError, match="k must"):
        kernels.shingle_hashes(h, np.array([0, 4], dtype=np.int64), 0, np.empty(4, dtype=np.uint32),
                               np.empty(2, dtype=np.int64))
    a = b = np.ones(8, dtype=np.uint32)
    with pytest.raises(ValueError, match="ascend"):
        kernels.signatures(np.ones(3, dtype=np.uint32), np.array([2, 1], dtype=np.int64), a, b, True,
                           np.empty((1, 8), dtype=np.uint32))
    with pytest.raises(ValueError, match="must hold"):
        kernels.signatures(np.ones(3, dtype=np.uint32), np.array([0, 3], dtype=np.int64), a, b, True,
                           np.empty((2, 8), dtype=np.uint32))
    with pytest.raises(ValueError, match="every ASCII byte"):
        kernels.lower(b"abc", b"\0" * 10, np.empty(0, dtype=np.uint32))
