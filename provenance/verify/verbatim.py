"""Verbatim alignment: the word runs two texts share, one-to-one, merged across small edits.

Seeds are exact matches of the 64-bit hashes of `SEED_K` consecutive tokens. Seeds on
one diagonal whose token coverage touches become a run; runs are taken longest first,
one-to-one (greedy string tiling, Wise 1993: no token is used twice on either side, so
repeated paragraphs cannot count twice); tiles in the same order on both sides with
gaps of at most `ALIGNMENT.max_gap` tokens merge into one block, which absorbs word substitutions
and small insertions. Blocks are then split where their words pass in or out of
quotation marks on both sides.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from provenance.settings import ALIGNMENT, TOO_COMMON
from provenance.verify.prepared import SEED_K, Prepared


@dataclass(frozen=True, slots=True)
class Tile:
    """Tokens a[i:i+length] equal b[j:j+length]."""

    i: int
    j: int
    length: int


@dataclass(frozen=True, slots=True)
class Block:
    """Tiles in the same order on both sides, merged across small edits (token ranges)."""

    a0: int
    a1: int
    b0: int
    b1: int
    matched: int  # tokens inside tiles (equal on both sides)
    tiles: tuple[Tile, ...]


def seed_matches(a: Prepared, b: Prepared, ignore: np.ndarray | None = None) -> np.ndarray:
    """(m, 2) int64 (i, j): seed i of a equals seed j of b. `ignore`: sorted seed hashes to skip."""
    sa, sb = a.seeds, b.seeds
    if len(sa) == 0 or len(sb) == 0 or a.n_tokens < SEED_K or b.n_tokens < SEED_K:
        return np.empty((0, 2), dtype=np.int64)
    sorted_a, sorted_b = sa[a.seed_order], sb[b.seed_order]
    lo = np.searchsorted(sorted_b, sorted_a, side="left")  # sorted queries: a merge, cache friendly
    hi = np.searchsorted(sorted_b, sorted_a, side="right")
    counts = hi - lo
    ok = (counts > 0) & (counts <= TOO_COMMON.seed_repeats)
    if ignore is not None and len(ignore):
        pos = np.minimum(np.searchsorted(ignore, sorted_a), len(ignore) - 1)
        ok &= ignore[pos] != sorted_a
    idx = np.flatnonzero(ok)
    if len(idx) == 0:
        return np.empty((0, 2), dtype=np.int64)
    reps = counts[idx]
    i = a.seed_order[np.repeat(idx, reps)]
    first = np.repeat(lo[idx], reps)
    within = np.arange(len(i)) - np.repeat(np.cumsum(reps) - reps, reps)
    j = b.seed_order[first + within]
    return np.stack([i, j], axis=1).astype(np.int64)


def runs(matches: np.ndarray, k: int = SEED_K) -> list[Tile]:
    """Maximal exact runs: seeds on one diagonal whose token coverage is contiguous."""
    if len(matches) == 0:
        return []
    d = matches[:, 1] - matches[:, 0]
    order = np.lexsort((matches[:, 0], d))
    i, d = matches[order, 0], d[order]
    new = np.ones(len(i), dtype=bool)
    new[1:] = (d[1:] != d[:-1]) | (i[1:] - i[:-1] > k)
    starts = np.flatnonzero(new)
    last = np.r_[starts[1:], len(i)] - 1
    i0, i1 = i[starts], i[last] + k
    return [Tile(int(x), int(x + dd), int(y - x)) for x, y, dd in zip(i0, i1, d[starts])]


def tile(candidates: list[Tile], n_a: int, n_b: int, min_len: int = SEED_K) -> list[Tile]:
    """Greedy string tiling: longest runs first, each token used at most once per side."""
    used_a = bytearray(n_a)
    used_b = bytearray(n_b)
    heap = [(-t.length, t.i, t.j) for t in candidates if t.length >= min_len]
    heapq.heapify(heap)
    out: list[Tile] = []
    while heap:
        neg, i, j = heapq.heappop(heap)
        length = -neg
        if not any(used_a[i : i + length]) and not any(used_b[j : j + length]):
            used_a[i : i + length] = b"\x01" * length
            used_b[j : j + length] = b"\x01" * length
            out.append(Tile(i, j, length))
            continue
        # Re-queue the free stretches of a partly used run; they compete again by length.
        start = None
        for x in range(length + 1):
            free = x < length and not used_a[i + x] and not used_b[j + x]
            if free and start is None:
                start = x
            elif not free and start is not None:
                if x - start >= min_len:
                    heapq.heappush(heap, (start - x, i + start, j + start))
                start = None
    out.sort(key=lambda t: t.i)
    return out


def merge(tiles: list[Tile], max_gap: int = ALIGNMENT.max_gap) -> list[Block]:
    """Chain tiles (sorted by a) that follow each other on both sides with small gaps."""
    blocks: list[Block] = []
    cur: list[Tile] = []
    for t in tiles:
        if cur:
            p = cur[-1]
            ga, gb = t.i - (p.i + p.length), t.j - (p.j + p.length)
            if 0 <= ga <= max_gap and 0 <= gb <= max_gap:
                cur.append(t)
                continue
            blocks.append(_block(cur))
        cur = [t]
    if cur:
        blocks.append(_block(cur))
    return blocks


def _block(ts: list[Tile]) -> Block:
    return Block(ts[0].i, ts[-1].i + ts[-1].length, ts[0].j, ts[-1].j + ts[-1].length,
                 sum(t.length for t in ts), tuple(ts))


def verbatim_blocks(a: Prepared, b: Prepared, ignore: np.ndarray | None = None,
                    max_gap: int = ALIGNMENT.max_gap) -> list[Block]:
    """Shared word runs of a and b, one-to-one, merged across small edits (sorted by a)."""
    return merge(tile(runs(seed_matches(a, b, ignore)), a.n_tokens, b.n_tokens), max_gap)


def split_quotes(bl: Block, a: Prepared, b: Prepared,
                 absorb: int = ALIGNMENT.min_tokens_passage) -> list[tuple[bool, Block]]:
    """Split a block where its words pass in or out of quotation marks on both sides.

    Returns (is_quotation, part) in text order. A word counts as quotation only when
    it is quoted on both sides: a copier who drops the marks has made it narration. A
    narration stretch shorter than `absorb` words between quoted ones (``...," he
    said. "...``) stays inside the quotation.
    """
    if not a.quoted[bl.a0 : bl.a1].any() or not b.quoted[bl.b0 : bl.b1].any():
        return [(False, bl)]
    parts: list[tuple[bool, list[Tile]]] = []
    for t in bl.tiles:
        both = a.quoted[t.i : t.i + t.length] & b.quoted[t.j : t.j + t.length]
        cuts = (np.flatnonzero(both[1:] != both[:-1]) + 1).tolist()
        for s, e in zip([0, *cuts], [*cuts, t.length]):
            q, sub = bool(both[s]), Tile(t.i + s, t.j + s, e - s)
            if parts and parts[-1][0] == q:
                parts[-1][1].append(sub)
            else:
                parts.append((q, [sub]))
    k = 1
    while k < len(parts) - 1:
        if parts[k - 1][0] and parts[k + 1][0] and sum(t.length for t in parts[k][1]) < absorb:
            parts[k - 1][1].extend(parts[k][1] + parts[k + 1][1])
            del parts[k : k + 2]
        else:
            k += 1
    # A quoted stretch too short to be a shared quotation (a title, a scare quote: the film
    # "Finding Fanny") inside narration stays part of that narration passage.
    k = 0
    while len(parts) > 1 and k < len(parts):
        q, ts = parts[k]
        if q and sum(t.length for t in ts) < ALIGNMENT.min_tokens_quote:
            parts[k] = (False, ts)
            if k + 1 < len(parts) and not parts[k + 1][0]:
                ts.extend(parts.pop(k + 1)[1])
            if k > 0 and not parts[k - 1][0]:
                parts[k - 1][1].extend(parts.pop(k)[1])
                k -= 1
        k += 1
    return [(q, _block(ts)) for q, ts in parts]
