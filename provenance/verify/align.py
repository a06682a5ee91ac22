"""Alignment: what two texts share, with token and character offsets on both sides.

Two complementary aligners, both over a per-document `Prepared` form computed once
and cached (tokens, 64-bit token hashes, quote mask, sentences, content stems):

* **Verbatim** — seeds are exact matches of 64-bit hashes of `SEED_K` consecutive
  tokens. Seeds on one diagonal whose token coverage touches become a run; runs are
  taken longest first, one-to-one (greedy string tiling, Wise 1993: no token is
  used twice on either side, so repeated paragraphs cannot count twice); tiles in
  the same order on both sides with gaps of at most `max_gap` tokens merge into one
  passage, which absorbs word substitutions and small insertions.
* **Sentence chain** — a rewrite keeps few 5-word runs but keeps, sentence by
  sentence, the facts, names and numbers. Each sentence becomes a set of content
  stems (stopwords out, light stemming, quoted words out). Sentence pairs are scored
  by weighted overlap, where a stem shared by many sentences of the two texts (the
  topic: "inheritance", "Putin") weighs little. A pair is a link only when what it
  shares is specific: `MIN_SPECIFIC_STEMS` stems' worth, each stem counted by its weight
  relative to a stem found in one sentence of each text (two answers on one question
  both say "links ... page" in every other sentence; that is the topic, not a
  borrowed sentence). The best order-consistent chain of links is found by an
  LCS-style dynamic programme, so scattered same-topic similarity does not add up
  while a rewrite that follows its source does.
* **Order test** — `order_pvalue`: how often the similar sentence pairs would chain
  as well as they do if one text's sentences came in random order (a permutation
  test). Independent texts on one topic have similar sentences; a rewrite also has
  them in its source's order.

Nothing here decides copying; `verdict` weighs what this module measures.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from provenance import text as textmod
from provenance.fingerprint import minhash as sketch
from provenance.fingerprint.features import PHRASE_K, kgram_hashes
from provenance.settings import DEFAULT_CONFIG
from provenance.text.wordlists import SENTENCE_STOPWORDS

SHINGLE_K = DEFAULT_CONFIG.k  # k of the shingle sets behind resemblance and containment
SEED_K = PHRASE_K  # tokens per seed: short enough to catch a 3-word shared quotation
MIN_TOKENS_PASSAGE = 6  # matched tokens a narration passage needs to be reported
MIN_TOKENS_QUOTE = 3  # a shared quotation can be shorter: the marks themselves are evidence
MAX_GAP = 4  # tokens of edit between tiles that still merge into one passage
MAX_SEED_REPEATS = 16  # a seed repeated more often in one text is not an alignment anchor

_STEM_LEN = 6  # prefix length after suffix stripping: a cheap, effective English stemmer
_ES_AFTER = ("sses", "xes", "zzes", "ches", "shes")  # plurals in -es; elsewhere -es is -e + s
_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str | None:
    """Content stem of a normalised token, or None for stopwords and 1-2 letter words.

    Light suffix stripping then a 6-character prefix: conflates inflections and
    British/American spellings (stabilise/stabilize, aluminium/aluminum) well enough
    for sentence matching; numbers are kept whole.
    """
    if _DIGIT.search(word):
        return word
    if word in SENTENCE_STOPWORDS or len(word) < 3:
        return None
    for suffix, repl, min_len in (("ies", "y", 5), ("ing", "", 6), ("ed", "", 5), ("es", "", 5),
                                  ("ly", "", 6), ("s", "", 4)):
        if word.endswith(suffix) and len(word) >= min_len and not word.endswith("ss"):
            if suffix == "es" and not word.endswith(_ES_AFTER):
                continue  # pages, uses: only the s goes (page, use); boxes, classes: box, class
            word = word[: len(word) - len(suffix)] + repl
            break
    return word[:_STEM_LEN]


@lru_cache(maxsize=1 << 16)
def _stem_hash(word: str) -> int:
    s = stem(word)
    return 0 if s is None else sketch.token_hash(s)


@dataclass(frozen=True, slots=True, eq=False)
class Prepared:
    """Everything alignment needs from one text, computed once (see `prepare`)."""

    text: str
    starts: np.ndarray  # (n,) int64 char start of each token
    ends: np.ndarray  # (n,) int64 char end of each token
    token_hashes: np.ndarray  # (n,) uint64, as sketch.token_hashes
    seeds: np.ndarray  # (n - SEED_K + 1,) uint64 k-gram hashes
    seed_order: np.ndarray  # argsort of seeds (stable), so pairs match by a merge of sorted arrays
    quoted: np.ndarray  # (n,) bool: token inside quotation marks
    sent_tokens: np.ndarray  # (s, 2) int64 token range [t0, t1) of each sentence
    sent_chars: np.ndarray  # (s, 2) int64 char span of each sentence
    stem_hashes: np.ndarray  # content stems, unique within each sentence, quoted words left out
    stem_sent: np.ndarray  # sentence index of each entry of stem_hashes
    stem_tok: np.ndarray  # (n,) uint64 content stem of each token; 0: stopword, quoted or outside sentences
    sent_of: np.ndarray  # (n,) int64 sentence of each token, -1 when none
    shingles: np.ndarray  # sorted unique 64-bit SHINGLE_K-gram hashes (the shingle set)
    memo: dict = field(default_factory=dict, repr=False)  # per-collection results cached by `verdict`

    @property
    def n_tokens(self) -> int:
        return len(self.starts)


def _token_mask(starts: np.ndarray, ends: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """Tokens inside any of the char spans (a token straddling a span's end counts if it starts inside)."""
    mask = np.zeros(len(starts), dtype=bool)
    for s, e in spans:
        mask[np.searchsorted(starts, s) : np.searchsorted(starts, e)] = True
    return mask


def _sentence_stems(stem_tok: np.ndarray, sent_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = stem_tok != 0
    if not ok.any():
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    sent, stem_ = sent_of[ok], stem_tok[ok]
    order = np.lexsort((stem_, sent))  # by sentence, then stem
    sent, stem_ = sent[order], stem_[order]
    new = np.ones(len(sent), dtype=bool)
    new[1:] = (sent[1:] != sent[:-1]) | (stem_[1:] != stem_[:-1])
    return sent[new], stem_[new]


def sentence_stems(p: Prepared, drop: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(sentence index, stem) pairs of p, leaving out tokens where `drop` is True (e.g. common phrases)."""
    if drop is None or not drop.any():
        return p.stem_sent, p.stem_hashes
    return _sentence_stems(np.where(drop, np.uint64(0), p.stem_tok), p.sent_of)


def prepare(text: str) -> Prepared:
    """The alignment form of `text` (cached by text, so callers may call it freely)."""
    return _prepare_cached(text)


_ASCII_WORD_BYTE = np.zeros(256, dtype=bool)  # [A-Za-z0-9_]: text.tokenize's ASCII token class
for _c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_":
    _ASCII_WORD_BYTE[_c] = True
_STEM_BY_TOKEN: dict[int, int] = {}  # token hash -> stem hash (0: no stem)


def _tokens(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(starts, ends, token hashes, stem hashes) of the tokens of `text`.

    ASCII text (most news) is split in numpy, as the core does; the same tokens and
    offsets as `text.tokenize`. Stems are looked up once per distinct token hash.
    """
    th, _ = sketch.token_hashes([text])
    words: list[str] | None = None
    if text.isascii():
        word = _ASCII_WORD_BYTE[np.frombuffer(text.encode("ascii"), dtype=np.uint8)].view(np.int8)
        edges = np.diff(word, prepend=np.int8(0), append=np.int8(0))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    else:
        toks = textmod.tokenize(text)
        starts, ends, words = np.asarray(toks.starts), np.asarray(toks.ends), toks.words
    starts, ends = starts.astype(np.int64), ends.astype(np.int64)
    if len(th) != len(starts):  # the two tokenisers agree by contract; never misalign if not
        words = textmod.tokenize(text).words if words is None else words
        th = np.array([sketch.token_hash(w) for w in words], dtype=np.uint64)
    uniq, first, inv = np.unique(th, return_index=True, return_inverse=True)
    if len(_STEM_BY_TOKEN) > 1 << 18:
        _STEM_BY_TOKEN.clear()
    stems = np.empty(len(uniq), dtype=np.uint64)
    for u, (h, f) in enumerate(zip(uniq.tolist(), first.tolist())):
        got = _STEM_BY_TOKEN.get(h)
        if got is None:
            word = words[f] if words is not None else text[starts[f] : ends[f]].lower()
            got = _STEM_BY_TOKEN[h] = _stem_hash(word)
        stems[u] = got
    return starts, ends, th, stems[inv.reshape(-1)]


@lru_cache(maxsize=1024)
def _prepare_cached(text: str) -> Prepared:
    starts, ends, th, stem_h = _tokens(text)
    quoted = _token_mask(starts, ends, textmod.quotation_spans(text))
    spans = textmod.sentences(text)
    sent_chars = np.array(spans, dtype=np.int64).reshape(-1, 2)
    sent_tokens = np.stack(
        [np.searchsorted(starts, sent_chars[:, 0]), np.searchsorted(starts, sent_chars[:, 1])], axis=1
    ) if len(spans) else np.empty((0, 2), dtype=np.int64)
    keep = sent_tokens[:, 1] > sent_tokens[:, 0]
    sent_tokens, sent_chars = sent_tokens[keep], sent_chars[keep]
    tok = np.arange(len(starts))
    sent_of = np.searchsorted(sent_tokens[:, 0], tok, side="right") - 1
    inside = sent_of >= 0
    inside[inside] &= tok[inside] < sent_tokens[sent_of[inside], 1]
    sent_of[~inside] = -1
    stem_h[quoted | (sent_of < 0)] = 0
    seeds = kgram_hashes(th, SEED_K)
    stem_sent, stem_hashes = _sentence_stems(stem_h, sent_of)
    return Prepared(
        text=text, starts=starts, ends=ends, token_hashes=th, seeds=seeds,
        seed_order=np.argsort(seeds, kind="stable"),
        quoted=quoted, sent_tokens=sent_tokens, sent_chars=sent_chars,
        stem_hashes=stem_hashes, stem_sent=stem_sent, stem_tok=stem_h, sent_of=sent_of,
        shingles=np.unique(kgram_hashes(th, SHINGLE_K)),
    )


# --- verbatim -----------------------------------------------------------------------------


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
    ok = (counts > 0) & (counts <= MAX_SEED_REPEATS)
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


def merge(tiles: list[Tile], max_gap: int = MAX_GAP) -> list[Block]:
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
                    max_gap: int = MAX_GAP) -> list[Block]:
    """Shared word runs of a and b, one-to-one, merged across small edits (sorted by a)."""
    return merge(tile(runs(seed_matches(a, b, ignore)), a.n_tokens, b.n_tokens), max_gap)


def split_quotes(bl: Block, a: Prepared, b: Prepared,
                 absorb: int = MIN_TOKENS_PASSAGE) -> list[tuple[bool, Block]]:
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
    return [(q, _block(ts)) for q, ts in parts]


# --- sentence chains ----------------------------------------------------------------------

MIN_SENTENCE_SIM = 0.3  # weighted Dice of content stems for a sentence pair to be chainable
MIN_SHARED_STEMS = 3  # ...and at least this many distinct content stems in common
MIN_SPECIFIC_STEMS = 2.0  # ...worth this many once counted by specificity (`SentenceScores`)
MAX_SENTENCE_CELLS = 4_000_000  # sentence pairs (and sentence x shared-stem cells) aligned at most
ORDER_PERMUTATIONS = 999  # random sentence orders behind `order_pvalue` (p resolution 0.001)
ORDER_FIRST_ROUND = 199  # ...of which drawn first; the rest only when p is near a usable level
ORDER_SEED = 20240917  # fixed: the same texts always get the same p-value
MAX_ORDER_CELLS = 2_000  # similar pairs beyond which the order test is not run (returns None)


def chain_too_large(a: Prepared, b: Prepared) -> bool:
    """True when two texts have too many sentence pairs to align within bounded memory (~100 MB)."""
    return len(a.sent_tokens) * len(b.sent_tokens) > MAX_SENTENCE_CELLS


@dataclass(frozen=True, slots=True)
class Link:
    """Sentence i of a and sentence j of b, chained, with their similarity."""

    i: int
    j: int
    sim: float
    shared: int  # distinct content stems in common
    specific: float = 0.0  # the shared stems counted by specificity (see `SentenceScores`)


@dataclass(frozen=True, slots=True)
class SentenceScores:
    """Every sentence pair of two texts, (sa, sb) arrays.

    * ``sim`` — weighted Dice of the two sentences' content stems.
    * ``shared`` — distinct content stems in common.
    * ``specific`` — the shared stems, each counted by its weight over the weight of a
      stem found in exactly one sentence of each text (1.0): a stem found in most
      sentences of both texts (the topic) counts for little. Never above ``shared``.
    """

    sim: np.ndarray
    shared: np.ndarray
    specific: np.ndarray

    def similar(self, min_sim: float = MIN_SENTENCE_SIM, min_shared: float = MIN_SHARED_STEMS) -> np.ndarray:
        """Sentence pairs alike in wording: enough similarity and shared stems, topic words included."""
        return (self.sim >= min_sim) & (self.shared >= min_shared)

    def linkable(self, min_sim: float = MIN_SENTENCE_SIM, min_shared: float = MIN_SHARED_STEMS,
                 min_specific: float | None = None) -> np.ndarray:
        """Similar pairs whose shared stems are specific enough to be evidence of reuse.

        `min_specific`: None reads `MIN_SPECIFIC_STEMS` at call time.
        """
        floor = MIN_SPECIFIC_STEMS if min_specific is None else min_specific
        return self.similar(min_sim, min_shared) & (self.specific >= floor - 1e-9)


def sentence_scores(a: Prepared, b: Prepared, drop_a: np.ndarray | None = None,
                    drop_b: np.ndarray | None = None) -> SentenceScores:
    """Similarity, shared stems and specific shared stems of every sentence pair of a and b.

    A stem's weight is log(1 + S / sf), S the sentences of both texts and sf those that
    contain it: topic words present everywhere weigh little, specific ones much.
    Tokens marked in `drop_a` / `drop_b` (common phrases) are left out.
    """
    na, nb = len(a.sent_tokens), len(b.sent_tokens)
    sim = np.zeros((na, nb))
    shared = np.zeros((na, nb), dtype=np.int64)
    specific = np.zeros((na, nb))
    a_sent, a_hashes = sentence_stems(a, drop_a)
    b_sent, b_hashes = sentence_stems(b, drop_b)
    if not na or not nb or not len(a_hashes) or not len(b_hashes):
        return SentenceScores(sim, shared, specific)
    allh = np.concatenate([a_hashes, b_hashes])
    uniq, inv, sf = np.unique(allh, return_inverse=True, return_counts=True)
    w = np.log1p((na + nb) / sf)
    ia, ib = inv[: len(a_hashes)], inv[len(a_hashes):]
    wa_tot = np.bincount(a_sent, weights=w[ia], minlength=na)
    wb_tot = np.bincount(b_sent, weights=w[ib], minlength=nb)
    common = np.intersect1d(ia, ib, assume_unique=False)
    if len(common) == 0 or (na + nb) * len(common) > MAX_SENTENCE_CELLS:
        return SentenceScores(sim, shared, specific)
    col = np.full(len(uniq), -1, dtype=np.int64)
    col[common] = np.arange(len(common))
    ma = np.zeros((na, len(common)), dtype=np.float32)
    mb = np.zeros((nb, len(common)), dtype=np.float32)
    sel_a, sel_b = col[ia] >= 0, col[ib] >= 0
    ma[a_sent[sel_a], col[ia[sel_a]]] = 1.0
    mb[b_sent[sel_b], col[ib[sel_b]]] = 1.0
    shared = (ma @ mb.T).astype(np.int64)
    wc = w[common].astype(np.float32)
    num = (ma * wc) @ mb.T
    den = wa_tot[:, None] + wb_tot[None, :]
    np.divide(2.0 * num, den, out=sim, where=den > 0)
    # A shared stem is in >= 2 sentences; in exactly one of each text it weighs log(1 + S / 2).
    specific = num.astype(np.float64) / np.log1p((na + nb) / 2.0)
    return SentenceScores(sim, shared, specific)


def sentence_chain(a: Prepared, b: Prepared, min_sim: float = MIN_SENTENCE_SIM,
                   min_shared: float = MIN_SHARED_STEMS, drop_a: np.ndarray | None = None,
                   drop_b: np.ndarray | None = None, scores: SentenceScores | None = None,
                   min_specific: float | None = None) -> list[Link]:
    """The heaviest chain of linkable sentence pairs increasing on both sides (one-to-one).

    Linkable: similarity at least `min_sim`, at least `min_shared` shared stems, worth at
    least `min_specific` (default `MIN_SPECIFIC_STEMS`; 0 turns the rule off) counted by
    specificity (`SentenceScores.linkable`). Row-by-row LCS recurrence with weights:
    D[i][j] = max(D[i-1][j], D[i][j-1], D[i-1][j-1] + w[i][j]), w the similarity where
    the pair is linkable, else 0. `scores`: from `sentence_scores`, when already computed.
    """
    if chain_too_large(a, b):
        return []
    if scores is None:
        scores = sentence_scores(a, b, drop_a, drop_b)
    w = np.where(scores.linkable(min_sim, min_shared, min_specific), scores.sim, 0.0)
    if not w.size or not w.any():
        return []
    rows, cols = np.flatnonzero(w.any(axis=1)), np.flatnonzero(w.any(axis=0))
    w = w[np.ix_(rows, cols)]  # same best chain, smaller table
    shared, specific = scores.shared[np.ix_(rows, cols)], scores.specific[np.ix_(rows, cols)]
    na, nb = w.shape
    D = np.zeros((na + 1, nb + 1))
    for i in range(1, na + 1):
        row = np.maximum(D[i - 1, 1:], D[i - 1, :-1] + w[i - 1])
        D[i, 1:] = np.maximum.accumulate(row)
    links: list[Link] = []
    i, j = na, nb
    while i > 0 and j > 0:
        if D[i, j] == D[i - 1, j]:
            i -= 1
        elif D[i, j] == D[i, j - 1]:
            j -= 1
        else:
            links.append(Link(int(rows[i - 1]), int(cols[j - 1]), float(w[i - 1, j - 1]),
                              int(shared[i - 1, j - 1]), round(float(specific[i - 1, j - 1]), 4)))
            i, j = i - 1, j - 1
    links.reverse()
    return links


def order_pvalue(scores: SentenceScores, min_sim: float = MIN_SENTENCE_SIM,
                 min_shared: float = MIN_SHARED_STEMS, permutations: int = ORDER_PERMUTATIONS,
                 seed: int = ORDER_SEED) -> float | None:
    """Permutation p-value of the order in which two texts' similar sentences come.

    The statistic is the weight of the heaviest order-consistent chain of similar pairs
    (`SentenceScores.similar`: topic words count here, since the question is order, not
    content). The null: one text's sentences in random order, everything else kept.
    p = (1 + orders chaining at least as heavily) / (1 + draws). Independent texts on
    one topic reach small p only where their subject imposes an order; three similar
    pairs, however alike, are in order by chance one time in six.

    Draws come in two rounds from one seeded stream: `ORDER_FIRST_ROUND` (199), then the
    rest of `permutations` only when the first round leaves p between 0.005 and 0.1
    (near any significance level worth using): a clear answer costs about 0.5 ms.

    The side with more sentences is the one shuffled (equal lengths: a choice made from
    the scores themselves), so the value does not depend on argument order; the seed
    is fixed, so neither on the run. None when more than `MAX_ORDER_CELLS` pairs are
    similar (the test would be slow; such texts are long and alike throughout).
    """
    sim, similar = scores.sim, scores.similar(min_sim, min_shared)
    rows, cols = np.nonzero(similar)
    n_rows, n_cols = sim.shape
    if len(rows) > MAX_ORDER_CELLS:
        return None
    if len(rows) == 0:
        return 1.0
    weights = sim[rows, cols]
    if n_rows > n_cols or (n_rows == n_cols and _transposed_first(similar, sim)):
        rows, cols, n_rows, n_cols = cols, rows, n_cols, n_rows  # shuffle the longer side
    order = np.lexsort((-cols, rows))
    rows, cols, weights = rows[order], cols[order], weights[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    ends = np.r_[starts[1:], len(rows)]
    observed = _chain_weights(cols[None, :], starts, ends, weights)[0]
    rng = np.random.default_rng(seed)
    first = min(ORDER_FIRST_ROUND, permutations)
    hits = drawn = 0
    for size in (first, permutations - first):
        if size <= 0:
            break
        perms = np.argsort(rng.random((size, n_cols)), axis=1)
        hits += int(np.count_nonzero(_chain_weights(perms[:, cols], starts, ends, weights) >= observed - 1e-9))
        drawn += size
        p = (1 + hits) / (1 + drawn)
        if p <= 0.005 or p > 0.1:
            break
    return float((1 + hits) / (1 + drawn))



def _chain_weights(pos: np.ndarray, starts: np.ndarray, ends: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Heaviest increasing chain of cells for each row of `pos` (cells' positions on the shuffled side).

    Cells are sorted by their sentence on the unshuffled side; cells of one sentence
    (`starts`..`ends`) never chain with each other.
    """
    best = np.zeros(pos.shape)
    for s, e in zip(starts, ends):
        if s:
            before = pos[:, None, :s] < pos[:, s:e, None]  # (draws, cells here, earlier cells)
            gain = np.where(before, best[:, None, :s], 0.0).max(axis=2)
        else:
            gain = 0.0
        best[:, s:e] = weights[s:e] + gain
    return best.max(axis=1)


def _transposed_first(similar: np.ndarray, sim: np.ndarray) -> bool:
    """For a square table: whether its transpose comes first in a fixed order (argument-order free)."""
    key = (similar.tobytes(), np.round(sim, 6).tobytes())
    key_t = (np.ascontiguousarray(similar.T).tobytes(), np.ascontiguousarray(np.round(sim, 6).T).tobytes())
    return key_t < key
