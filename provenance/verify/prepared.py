"""Everything verification needs from one text, computed once and cached: `Prepared`.

Tokens with character offsets, their 64-bit hashes (the hashing core's), phrase seeds,
the quotation mask, sentences and each sentence's content stems (stopwords, quoted
words and words outside sentences left out). Offsets point into the text itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from provenance import text as textmod
from provenance.arrays import positions_in, unique
from provenance.fingerprint import minhash as sketch
from provenance.fingerprint.features import PHRASE_K, kgram_hashes
from provenance.settings import DEFAULT_CONFIG
from provenance.text import wordlists
from provenance.text.stems import stem

SHINGLE_K = DEFAULT_CONFIG.k  # k of the shingle sets behind resemblance and containment
SEED_K = PHRASE_K  # tokens per seed: short enough to catch a 3-word shared quotation


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
    uniq, first, inv = unique(th, return_index=True, return_inverse=True)
    if len(_STEM_BY_TOKEN) > 1 << 18:
        _STEM_BY_TOKEN.clear()
    stems = np.empty(len(uniq), dtype=np.uint64)
    for u, (h, f) in enumerate(zip(uniq.tolist(), first.tolist())):
        got = _STEM_BY_TOKEN.get(h)
        if got is None:
            word = words[f] if words is not None else text[starts[f] : ends[f]].lower()
            got = _STEM_BY_TOKEN[h] = _stem_hash(word)
        stems[u] = got
    stems[_other_language_stopwords(uniq, np.bincount(inv.reshape(-1), minlength=len(uniq)))] = 0
    return starts, ends, th, stems[inv.reshape(-1)]


@lru_cache(maxsize=1)
def _function_word_hashes() -> np.ndarray:
    return np.array(sorted(sketch.token_hash(w) for w in wordlists.FUNCTION_WORDS), dtype=np.uint64)


@lru_cache(maxsize=1)
def _latin_table() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(languages, sorted token hashes of their stopwords, each hash's languages as a bit mask):
    `wordlists.latin_stopword_masks` by token hash."""
    languages, masks = wordlists.latin_stopword_masks()
    bits = {sketch.token_hash(word): mask for word, mask in masks.items()}
    hashes = np.array(sorted(bits), dtype=np.uint64)
    return languages, hashes, np.array([bits[h] for h in hashes.tolist()], dtype=np.uint64)


def _other_language_stopwords(uniq: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Which of a text's distinct tokens (`uniq`, each seen `counts` times) are stopwords of the
    Latin-script language other than English the text is written in (`wordlists.other_latin_language`,
    from the share of its tokens on each language's list); none for English and other scripts."""
    drop = np.zeros(len(uniq), dtype=bool)
    if counts[positions_in(uniq, _function_word_hashes())[0]].sum() >= wordlists.ENGLISH_SHARE * counts.sum():
        return drop  # English (and the lists of the other languages are never loaded for it)
    languages, hashes, masks = _latin_table()
    found, at = positions_in(uniq, hashes)
    found = np.flatnonzero(found)
    if not len(found):
        return drop
    mine = masks[at[found]]
    per_mask: dict[int, int] = {}
    for mask, n in zip(mine.tolist(), counts[found].tolist()):
        per_mask[mask] = per_mask.get(mask, 0) + n
    language = wordlists.other_latin_language(per_mask, int(counts.sum()))
    if language is not None:
        drop[found[(mine >> np.uint64(languages.index(language))) & np.uint64(1) == 1]] = True
    return drop


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
        shingles=unique(kgram_hashes(th, SHINGLE_K)),
    )
