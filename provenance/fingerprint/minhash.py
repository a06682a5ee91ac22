"""The hashing core: texts → token hashes → k-shingle hashes → MinHash signatures.

Signatures are bit-identical to datasketch 2.x ``MinHash(scheme="affine32",
hashfunc=shingle_hash)`` updated with ``shingles(text)``, so they can live in
datasketch indexes. The speed comes from never calling Python per token or shingle.
The loops run in C (`provenance._kernels`, built by ``pip install`` where a compiler is
found); the numpy code below is their definition and the fallback, equal bit for bit
(tests/test_sketch.py runs on both):

* Texts are tokenised at the byte level, a whole batch of documents in one buffer
  (`wordbytes.batch_buffer`): ASCII letters lowered and separators zeroed, so token
  boundaries are where a bool mask changes, and the bytes tokenise exactly as
  `text.words` does.
* A token hash reads the token 8 bytes at a time straight from that buffer (an
  unaligned uint64 view) and chains the chunks through the MurmurHash3 64-bit
  finalizer. Tokens never contain a zero byte, so a zero-padded chunk sequence
  names exactly one token, and ``fmix64`` is a bijection: tokens of up to eight
  bytes (most English words) cannot collide at all, longer ones collide only as a
  keyed 64-bit hash would. It is not a cryptographic hash; a 32-bit shingle hash
  collides by chance about once per 2^16 distinct shingles anyway, which MinHash
  tolerates and exact verification downstream catches.
* A shingle hash is the k token hashes combined as a polynomial mod 2^64, mixed
  with ``fmix64``, top 32 bits.
* Permutations run on blocks of up to 16,384 shingles that end at a document start,
  eight permutations at a time: multiply, add and ``np.minimum.reduceat`` over one
  preallocated (8, block) uint32 array that stays in L2, the minima written straight
  into the signature matrix.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

import numpy as np

from provenance import text as textmod
from provenance.errors import EmptyTextError
from provenance.fingerprint import default_permutations as written
from provenance.settings import DEFAULT_CONFIG, SketchConfig
from provenance.text import byte_tokens as wordbytes

try:  # the same loops in C, built by `pip install` where a compiler is found (pyproject.toml)
    from provenance import _kernels
except ImportError:
    _kernels = None

MASK64 = (1 << 64) - 1
TOKEN_SEED = 0x9E3779B97F4A7C15
SHINGLE_MULTIPLIER = 0xD6E8FEB86659FD93  # odd: each position's contribution stays invertible
EMPTY_VALUE = np.uint32(0xFFFFFFFF)

_U64 = np.uint64
_C1, _C2 = _U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53)
_S33 = _U64(33)
_M32_1, _M32_2 = np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35)
_S16, _S13 = np.uint32(16), np.uint32(13)

# Mask keeping the first n bytes of a little-endian chunk; index with mode="clip" so n >= 8 keeps all.
_LEN_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [MASK64], dtype=np.uint64)
_LITTLE_ENDIAN = np.little_endian
_SHINGLE_BATCH = 16384  # shingles per permutation block
_PERM_GROUP = 8  # permutations per pass: an (8, 16384) uint32 block is 512 KB, half of one core's L2
_TEXT_BATCH_BYTES = 1 << 18  # ~256 KB of text per batch: few numpy calls per document, arrays still in L2/L3

# glibc gives the free memory at the top of its heap back to the kernel once more than
# M_TRIM_THRESHOLD is free there, and the next allocation maps it in again page by page.
# The threshold is twice the largest mmap-ed block freed so far (mallopt(3), dynamic
# mmap threshold), which depends on what the process did before: below ~3.5 MB, the
# temporaries of every text batch (about 3 MB at the peak) are returned and faulted in
# again, page by page, which costs more than the hashing (benchmarks/RESULTS.md). One
# untouched 8 MB block, allocated and freed once, sets the threshold to 16 MB for the
# process: one mmap and munmap, no memory kept. Other allocators are not affected.
_HEAP_RESERVE_BYTES = 8 << 20
_heap_reserved = False


def _reserve_heap() -> None:
    global _heap_reserved
    if not _heap_reserved:
        np.empty(_HEAP_RESERVE_BYTES, dtype=np.uint8)
        _heap_reserved = True


# --- scalar reference functions (the definition the vectorised path must match) --------


def fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK64
    return h ^ (h >> 33)


def token_hash(token: str) -> int:
    """64-bit hash of one normalised token (UTF-8, 8-byte little-endian chunks)."""
    data = token.encode("utf-8")
    h = TOKEN_SEED
    for i in range(0, len(data), 8):
        h = fmix64(h ^ int.from_bytes(data[i : i + 8], "little"))
    return h


def _combine(token_hashes: Iterable[int]) -> int:
    s = 0
    for th in token_hashes:
        s = (s * SHINGLE_MULTIPLIER + th) & MASK64
    return fmix64(s) >> 32


def shingle_hash(shingle: str) -> int:
    """The 32-bit hash of one shingle string as returned by `shingles` (tokens joined by spaces)."""
    return _combine(token_hash(t) for t in shingle.split(" "))


def shingles(text: str, k: int = 5) -> list[str]:
    """Word k-shingles of `text` as normalised strings.

    A text with 1 to k-1 tokens has one shingle made of all its tokens, so short texts
    still get a signature that matches only themselves; a text with no tokens has none.
    """
    words = wordbytes.words(text)
    if 0 < len(words) < k:
        return [" ".join(words)]
    # zip over shifted copies: a quarter faster than slicing each window.
    return list(map(" ".join, zip(*[words[i:] for i in range(k)])))


# --- vectorised path --------------------------------------------------------------------


def _xorshift_multiply(h: np.ndarray, shifts: tuple, multipliers: tuple, final: bool = True) -> np.ndarray:
    """h ^= h >> s; h *= c for each (s, c), then a last h ^= h >> s: MurmurHash3's finalizer shape.

    In place, with one scratch array: fresh temporaries are several times slower here.
    ``final=False`` leaves out the last xor-shift.
    """
    t = np.empty_like(h)
    for s, c in zip(shifts, multipliers):
        np.right_shift(h, s, out=t)
        np.bitwise_xor(h, t, out=h)
        np.multiply(h, c, out=h)
    if final:
        np.right_shift(h, shifts[-1], out=t)
        np.bitwise_xor(h, t, out=h)
    return h


def fmix64_array(h: np.ndarray) -> np.ndarray:
    """`fmix64` of every uint64 in `h`, in place (returns `h`); the mixer every 64-bit key here uses."""
    return _xorshift_multiply(h, (_S33, _S33, _S33), (_C1, _C2))


def fmix32_array(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 fmix32 of every uint32 in `h`, in place (returns `h`): datasketch's affine32
    pre-mix of a 32-bit shingle hash, and the index's spreading of 32-bit keys over buckets."""
    return _xorshift_multiply(h, (_S16, _S13, _S16), (_M32_1, _M32_2))


def combine_windows(hashes: np.ndarray, k: int) -> np.ndarray:
    """The polynomial mod 2^64 of every k consecutive uint64 values (``len - k + 1``; none if fewer).

    The combination behind shingle hashes (see `_combine`), before mixing; windows are
    not cut at document boundaries, callers drop the ones that cross them. Evaluated on
    pairs (``h[i] * m + h[i + 1]``, then Horner in ``m**2``): 6 array passes for k=5, not 9.
    """
    width = max(len(hashes) - k + 1, 0)
    if k < 2 or not width:
        return hashes[:width].copy()
    m = _U64(SHINGLE_MULTIPLIER)
    m2 = _U64(SHINGLE_MULTIPLIER * SHINGLE_MULTIPLIER & MASK64)
    n_pairs, odd = divmod(k, 2)
    pairs = hashes[:-1] * m
    pairs += hashes[1:]
    if n_pairs == 1 and not odd:
        return pairs
    s = pairs[:width] * (m2 if n_pairs > 1 else m)
    for j in range(2, 2 * n_pairs, 2):
        s += pairs[j : j + width]
        if j + 2 < 2 * n_pairs:
            s *= m2
        elif odd:
            s *= m
    if odd:
        s += hashes[k - 1 : k - 1 + width]
    return s


def token_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """64-bit token hashes of many texts at once.

    Returns (hashes, offsets): the tokens of texts[i] are hashes[offsets[i]:offsets[i+1]].
    """
    _reserve_heap()
    texts = list(texts)
    n_docs = len(texts)
    lowered, lengths = wordbytes.batch_buffer(texts)
    doc_starts = np.empty(n_docs, dtype=np.int64)
    if n_docs:
        doc_starts[0] = 1
        np.cumsum(np.fromiter(lengths[:-1], dtype=np.int64, count=n_docs - 1) + 1, out=doc_starts[1:])
        doc_starts[1:] += 1
    if _kernels is None:
        return _numpy_token_hashes(lowered, doc_starts)
    hashes = np.empty(len(lowered) // 2 + 1, dtype=np.uint64)  # a token and its separator: >= 2 bytes
    offsets = np.empty(n_docs + 1, dtype=np.int64)
    count = _kernels.token_hashes(lowered, doc_starts, hashes, offsets)
    return hashes[:count].copy(), offsets


def _numpy_token_hashes(buf: bytes, doc_starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`token_hashes` of the lowered batch buffer in numpy: the definition the C loop matches."""
    n_docs = len(doc_starts)
    lowered = np.frombuffer(buf, dtype=np.uint8)
    word = lowered.astype(bool)
    # Token boundaries: where the word mask changes (the buffer starts and ends outside a word).
    bounds = np.flatnonzero(word[1:] != word[:-1])
    bounds += 1
    starts, ends = bounds[0::2], bounds[1::2]
    lengths = ends - starts
    chunks = np.ndarray(shape=(len(lowered) - 7,), dtype="<u8", buffer=lowered.data, strides=(1,))
    h = chunks[starts]
    h &= _LEN_MASKS.take(lengths, mode="clip")
    h ^= _U64(TOKEN_SEED)
    fmix64_array(h)
    rest = np.flatnonzero(lengths > 8)
    pos = 8
    while rest.size:
        c = chunks[starts[rest] + pos] & _LEN_MASKS.take(lengths[rest] - pos, mode="clip")
        h[rest] = fmix64_array(h[rest] ^ c)
        pos += 8
        rest = rest[lengths[rest] > pos]
    offsets = np.empty(n_docs + 1, dtype=np.int64)
    offsets[:-1] = np.searchsorted(starts, doc_starts)
    offsets[-1] = len(starts)
    return h, offsets


def shingle_hashes(hashes: np.ndarray, offsets: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit k-shingle hashes from token hashes, per document (same layout as the input).

    Documents with fewer than k tokens get one shingle of all their tokens.
    """
    if _kernels is not None and k >= 1:
        hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
        offsets = np.ascontiguousarray(offsets, dtype=np.int64)
        values = np.empty(len(hashes), dtype=np.uint32)
        out_offsets = np.empty(len(offsets), dtype=np.int64)
        count = _kernels.shingle_hashes(hashes, offsets, k, values, out_offsets)
        return values[:count], out_offsets
    n = len(hashes)
    counts = np.diff(offsets)
    full = counts >= k
    n_sh = np.where(full, counts - k + 1, np.minimum(counts, 1))
    out_offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(n_sh, out=out_offsets[1:])
    m = _U64(SHINGLE_MULTIPLIER)
    width = max(n - k + 1, 0)
    s = combine_windows(hashes, k)
    keep = None
    if k > 1 and width:
        # The window at token i is a shingle unless it runs past i's document: the k-1
        # windows before each document's end are not (and so are all of a short one's).
        drop = (offsets[1:, None] - np.arange(1, k)).ravel()
        keep = np.ones(width, dtype=bool)
        keep[drop[(drop >= 0) & (drop < width)]] = False
    short = np.flatnonzero((counts > 0) & ~full)
    if not short.size:
        # Mixed before the windows that cross documents are dropped: the drop then packs
        # 32-bit values, in the same pass that takes their high halves.
        return _fmix64_high32(s, keep), out_offsets
    # A short document's one shingle combines all its tokens, the same polynomial.
    acc = np.zeros(len(short), dtype=np.uint64)
    first, cnt = offsets[short], counts[short]
    for j in range(int(cnt.max())):
        live = np.flatnonzero(cnt > j)
        acc[live] = acc[live] * m + hashes[first[live] + j]
    result = np.empty(int(out_offsets[-1]), dtype=np.uint64)
    slots = np.ones(len(result), dtype=bool)
    slots[out_offsets[short]] = False
    result[slots] = s if keep is None else s[keep]
    result[out_offsets[short]] = acc
    return _fmix64_high32(result), out_offsets


def _fmix64_high32(h: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
    """The top 32 bits of `fmix64` of each value of `h` (overwritten), only where `keep` if given.

    fmix64's last step, h ^= h >> 33, leaves the top 32 bits as they are: it is skipped.
    """
    _xorshift_multiply(h, (_S33, _S33, _S33), (_C1, _C2), final=False)
    if _LITTLE_ENDIAN:
        high = h.view(np.uint32)[1::2]
        return high.copy() if keep is None else high[keep]
    high = (h >> _U64(32)).astype(np.uint32)
    return high if keep is None else high[keep]


@lru_cache(maxsize=32)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a odd, b) for `seed`; the default sketch's are
    read from `default_permutations`, the rest drawn (`drawn_permutations`)."""
    if (num_perm, seed) == (written.NUM_PERM, written.SEED):
        a, b = (np.frombuffer(bytes.fromhex(h), dtype="<u4").astype(np.uint32) for h in (written.A, written.B))
    else:
        a, b = drawn_permutations(num_perm, seed)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def drawn_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The parameters as datasketch draws them: `RandomState(seed)`, `num_perm` odd multipliers, then
    `num_perm` offsets."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def signatures_from_shingles(
    shingle_values: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int
) -> np.ndarray:
    """MinHash signatures (n_docs, num_perm) uint32 from per-document 32-bit shingle hashes.

    A document without shingles gets the empty signature (all 0xFFFFFFFF), as datasketch.
    """
    if _kernels is not None:
        return _native_signatures(shingle_values, offsets, num_perm, seed, premix=True)
    return _signatures(fmix32_array(shingle_values.astype(np.uint32, copy=True)), offsets, num_perm, seed)


def _native_signatures(hv: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int, premix: bool) -> np.ndarray:
    a, b = permutations(num_perm, seed)
    out = np.empty((len(offsets) - 1, num_perm), dtype=np.uint32)
    hv = np.ascontiguousarray(hv, dtype=np.uint32)
    _kernels.signatures(hv, np.ascontiguousarray(offsets, dtype=np.int64), a, b, premix, out)
    return out


def _signatures(hv: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """`signatures_from_shingles` of shingle hashes already through datasketch's fmix32 pre-mix."""
    if _kernels is not None:
        return _native_signatures(hv, offsets, num_perm, seed, premix=False)
    n_docs = len(offsets) - 1
    a, b = permutations(num_perm, seed)
    # Permutations in groups: each group's (group, block) values stay in L2 between the
    # multiply, the add and the reduction, with long rows for numpy's inner loops.
    groups = [(a[p : p + _PERM_GROUP, None], b[p : p + _PERM_GROUP, None], p) for p in range(0, num_perm, _PERM_GROUP)]
    sig = np.full((num_perm, n_docs), EMPTY_VALUE, dtype=np.uint32)
    total = len(hv)
    starts, ends = offsets[:-1], offsets[1:]
    limit = _SHINGLE_BATCH
    block = np.empty((min(_PERM_GROUP, num_perm), min(limit, total)), dtype=np.uint32)
    start_list, end_list = starts.tolist(), ends.tolist()  # bisect on lists: cheap per block
    s0 = 0
    while s0 < total:
        # End the block at the last document start within reach, so most documents
        # sit in one block; cut only a document longer than a block.
        if s0 + limit >= total:
            s1 = total
        else:
            j = bisect_right(start_list, s0 + limit) - 1
            s1 = start_list[j] if start_list[j] > s0 else s0 + limit
        # Documents overlapping [s0, s1) are a contiguous range; an empty one inside it
        # gets a wrong value from reduceat, reset below.
        lo = bisect_right(end_list, s0)
        hi = bisect_left(start_list, s1)
        seg = starts[lo:hi] - s0
        whole = start_list[lo] == s0  # the block starts with a document: reduce into place
        seg[0] = 0  # else it holds the rest of a document longer than a block
        h = hv[None, s0:s1]
        for a_col, b_col, p in groups:
            t = block[: len(a_col), : s1 - s0]
            np.multiply(h, a_col, out=t)
            np.add(t, b_col, out=t)
            view = sig[p : p + len(a_col), lo:hi]
            if whole:
                np.minimum.reduceat(t, seg, axis=1, out=view)
            else:
                np.minimum(view, np.minimum.reduceat(t, seg, axis=1), out=view)
        s0 = s1
    empty = np.flatnonzero(starts == ends)
    if empty.size:
        sig[:, empty] = EMPTY_VALUE
    return np.ascontiguousarray(sig.T)


def batches(texts: Iterable[str], max_chars: int | None = None) -> Iterator[list[str]]:
    """Consecutive groups of texts of about `max_chars` characters in all.

    Batching many documents per numpy call is what makes the core fast; batches of a
    few hundred KB keep its working arrays in cache.
    """
    limit = max_chars or _TEXT_BATCH_BYTES
    batch: list[str] = []
    size = 0
    for t in texts:
        batch.append(t)
        size += len(t)
        if size >= limit:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def signature_matrix(texts: Sequence[str], config: SketchConfig = DEFAULT_CONFIG) -> np.ndarray:
    """Signatures of many texts as an (n, num_perm) uint32 matrix, batched for speed.

    Texts without tokens get the empty signature; use `minhashes` for checked objects.
    """
    rows = [_signature_batch(batch, config) for batch in batches(texts)]
    if not rows:
        return np.empty((0, config.num_perm), dtype=np.uint32)
    return rows[0] if len(rows) == 1 else np.concatenate(rows)


def _signature_batch(texts: Sequence[str], config: SketchConfig) -> np.ndarray:
    if not texts:
        return np.empty((0, config.num_perm), dtype=np.uint32)
    th, toff = token_hashes(texts)
    sh, soff = shingle_hashes(th, toff, config.k)
    return signatures_from_shingles(sh, soff, config.num_perm, config.seed)


def _lean(values: np.ndarray, seed: int):
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=values, scheme="affine32")


def _leans(sig: np.ndarray, seed: int) -> list:
    """One LeanMinHash per row of `sig`.

    The constructor validates and copies each row (~3 µs, a tenth of the cost of
    hashing a news article). The first object is built by it; when its three slots
    are exactly what we would set (a uint32 array equal to the row, the seed, the
    scheme), the rest are filled the same way without the checks. The rows are views
    of a private copy, so no object aliases the caller's matrix or another's values.
    """
    from datasketch import LeanMinHash

    if not len(sig):
        return []
    first = LeanMinHash(seed=seed, hashvalues=sig[0], scheme="affine32")
    fv = first.hashvalues
    if not (
        set(LeanMinHash.__slots__) == {"hashvalues", "scheme", "seed"}
        and type(fv) is np.ndarray
        and fv.dtype == sig.dtype
        and fv.shape == sig[0].shape
        and np.array_equal(fv, sig[0])
        and first.seed == seed
        and first.scheme == "affine32"
    ):
        return [first] + [_lean(row, seed) for row in sig[1:]]
    rows = list(sig[1:].copy())
    out = [first]
    new = LeanMinHash.__new__
    for row in rows:
        m = new(LeanMinHash)
        m.seed = seed
        m.scheme = "affine32"
        m.hashvalues = row
        out.append(m)
    return out


def minhashes(texts: Iterable[str], k: int = 5, num_perm: int = 128, seed: int = 1) -> list:
    """datasketch LeanMinHash of each text, computed in batches.

    Raises EmptyTextError naming the first text without any word token.
    """
    texts = list(texts)
    config = SketchConfig(k=k, num_perm=num_perm, seed=seed)
    sig = signature_matrix(texts, config)
    empty = np.flatnonzero((sig == EMPTY_VALUE).all(axis=1))
    for i in empty:
        if not textmod.words(texts[i]):
            raise EmptyTextError(
                f"text {i} has no word tokens, so it has no MinHash signature: leave it out, "
                "or use signature_matrix, which gives such texts the empty signature"
            )
    return _leans(sig, seed)


def minhash(text: str, k: int = 5, num_perm: int = 128, seed: int = 1):
    """datasketch LeanMinHash of one text; raises EmptyTextError for a text without words."""
    return minhashes([text], k=k, num_perm=num_perm, seed=seed)[0]
