"""Every tunable of the pipeline, in frozen dataclasses, each value with its reason.

`SketchConfig` determines every signature: its string form is a fingerprint stored with
everything produced under it, so an index built with one configuration refuses queries
made with another. The other settings change answers but not signatures; their measured
effects are in benchmarks/RESULTS.md. Stages read them from the module-level instances
below (`CANDIDATES`, `VERDICT`, `ALIGNMENT`, `TOO_COMMON`, `ORIGIN`, `INGEST`, `CHECK`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from provenance.errors import ConfigMismatchError

NORMALIZER_VERSION = "nfkc-casefold-2"  # 2: one token per character of scripts written without spaces
"""Bumped whenever text normalisation or tokenisation changes what a token is."""

TOKEN_HASH_VERSION = "chunk64-fmix-1"
"""Bumped whenever the token or shingle hash changes."""


@dataclass(frozen=True, slots=True)
class SketchConfig:
    """How texts become MinHash signatures.

    k: words per shingle. num_perm: permutations per signature. seed: datasketch's
    permutation seed. scheme: datasketch's permutation scheme (only affine32).
    """

    k: int = 5
    num_perm: int = 128
    seed: int = 1
    scheme: str = "affine32"
    normalizer: str = NORMALIZER_VERSION
    token_hash: str = TOKEN_HASH_VERSION

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 64:
            raise ValueError(f"k must be between 1 and 64, got {self.k}")
        if not 1 <= self.num_perm <= 4096:
            raise ValueError(f"num_perm must be between 1 and 4096, got {self.num_perm}")
        if not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be a 32-bit unsigned integer, got {self.seed}")
        if self.scheme != "affine32":
            raise ValueError(f"only the datasketch 'affine32' scheme is supported, got {self.scheme!r}")

    @property
    def fingerprint(self) -> str:
        """Every field that changes a signature, so equal fingerprints mean comparable signatures."""
        return (
            f"k={self.k};num_perm={self.num_perm};seed={self.seed};scheme={self.scheme};"
            f"normalizer={self.normalizer};token_hash={self.token_hash}"
        )

    def __str__(self) -> str:
        return self.fingerprint

    def require_same(self, stored: str, what: str = "index") -> None:
        """Raise unless `stored` is this configuration's fingerprint."""
        if stored != self.fingerprint:
            raise ConfigMismatchError(
                f"{what} built with {stored}; this query uses {self.fingerprint}: "
                f"rebuild it with `provenance index rebuild` or query with the {what}'s settings"
            )


DEFAULT_CONFIG = SketchConfig()


@dataclass(frozen=True, slots=True)
class CandidateOptions:
    """Candidate search (`candidates`): which pairs are worth verifying. Tuned for recall:
    verification decides, and a candidate is cheap."""

    bands: int = 42  # 42 LSH bands of 3 rows: P(candidate) = 0.5 at Jaccard ~0.27, 0.99 at 0.5
    rows: int = 3
    winnow: int = 6  # a shared run of winnow + k - 1 = 10 words yields a shared fingerprint
    min_fingerprints: int = 2  # one shared 10-word run is often a stock phrase; two are not
    min_terms: int = 5  # shared rare content words for the terms channel (heavy paraphrase keeps facts)...
    term_share: float = 0.2  # ...and this share of the smaller document's content words
    max_bucket: int = 64  # a larger bucket gives star edges (each member to its first), not all pairs
    chunk_items: int = 1 << 20  # (key, document) items grouped at once: bounds memory, never changes an answer


@dataclass(frozen=True, slots=True)
class VerdictRules:
    """What verification calls copying (`verify.verdict`)."""

    verbatim_share: float = 0.15  # of one text's narration in verbatim passages: copying
    verbatim_words: int = 50  # ...or this many such words in all (paragraphs lifted into a long post)
    chain_links: int = 3  # sentence pairs chained in order, at least...
    chain_share: float = 0.30  # ...covering this share of the content sentences of the shorter text
    order_alpha: float = 0.05  # the chained sentences' order must be this unlikely under a random order
    quote_words: int = 6  # words of the longest shared quotation that make a pair quote-only: a common
    # source; shorter fragments ("I don't", "are going to", a 3-word scare quote) do not add up to one


@dataclass(frozen=True, slots=True)
class AlignmentSettings:
    """How two texts are aligned (`verify.verbatim`, `verify.chains`)."""

    min_tokens_passage: int = 6  # matched tokens a narration passage needs to be reported
    min_tokens_quote: int = 3  # a shared quotation can be shorter: the marks themselves are evidence
    max_gap: int = 4  # tokens of edit between tiles that still merge into one passage
    min_sentence_sim: float = 0.3  # weighted Dice of content stems for a sentence pair to be chainable
    min_shared_stems: int = 3  # ...and at least this many distinct content stems in common
    min_specific_stems: float = 2.0  # ...worth this many once counted by specificity
    max_sentence_cells: int = 4_000_000  # sentence pairs aligned at most (~100 MB); beyond, verbatim only
    order_permutations: int = 999  # random sentence orders behind the order test (p resolution 0.001)
    order_first_round: int = 199  # ...of which drawn first; the rest only when p is near a usable level
    order_seed: int = 20240917  # fixed: the same texts always get the same p-value
    max_order_cells: int = 2_000  # similar sentence pairs beyond which the order test is not run


@dataclass(frozen=True, slots=True)
class TooCommon:
    """When something is shared by so many documents that it is no evidence of copying.

    "Common" means shared by many *independent* documents. Every rule has an absolute
    floor, so a share of the collection only counts above it; and the copies of one text
    count once: a text nearly all of whose phrases (or lines) are each found in m documents
    circulates in m copies (`copies`), and every threshold it is judged by rises by m - 1.
    Twenty, fifty or a thousand copies of one story are a story, not a stock phrase or site
    chrome; a footer on many different stories, or a template filled with different names
    and numbers, is still common, since each of those documents also holds text of its own.
    """

    phrase_floor: int = 20  # verification: a 3-word phrase in this many documents or more...
    phrase_share: float = 0.01  # ...and in this share of the collection is a stock phrase, not a seed
    phrase_keep: int = 2  # phrase counts below this are not kept: such a phrase can never be common
    candidate_key_floor: int = 50  # candidate search: a fingerprint or term in more documents than this...
    candidate_key_share: float = 0.02  # ...and than this share proposes no pairs
    index_key_floor: int = 50  # check: a fingerprint in more indexed documents than this...
    index_key_divisor: int = 500  # ...and than 1/divisor of the index is stock phrasing, not evidence
    corpus_line_floor: int = 3  # ingest: a line in this many documents or more (never 2: that is reuse)...
    corpus_line_share: float = 0.01  # ...and this share of the corpus is site chrome
    corpus_prose_floor: int = 50  # ...but a line of 8+ words (wire copy reprinted) only at this many
    site_line_floor: int = 3  # ...while a line on this many pages of one site is its boilerplate, any length
    seed_repeats: int = 16  # alignment: a phrase repeated more often in one text anchors nothing
    copy_quantile: float = 0.05  # a text with 95% of its phrases (words) in m documents or more: m copies

    def copies(self, doc_freqs: np.ndarray, weights: np.ndarray | None = None) -> int:
        """How many copies of one text a collection holds, from the document frequencies of its
        phrases (or lines, `weights` their words): the frequency that all but `copy_quantile` of
        the text reaches. A text of its own has some distinctive words (1); a copy of a text that
        m documents hold has nearly all its words in m documents; a story under a long footer or
        a filled-in template has its own names and numbers, so its count stays low."""
        df = np.asarray(doc_freqs, dtype=np.int64)
        if len(df) == 0:
            return 1
        if weights is None:
            return max(1, int(np.quantile(df, self.copy_quantile, method="lower")))
        order = np.argsort(df, kind="stable")
        cum = np.cumsum(np.asarray(weights, dtype=np.float64)[order])
        if cum[-1] <= 0:
            return 1
        at = int(np.searchsorted(cum, self.copy_quantile * cum[-1], side="right"))
        return max(1, int(df[order[min(at, len(df) - 1)]]))

    def phrase(self, n_docs: int, copies: int = 1) -> int:
        """Documents a phrase must appear in to count as common in a collection of `n_docs`,
        for texts held in `copies` copies (`copies`)."""
        return max(self.phrase_floor, math.ceil(self.phrase_share * n_docs)) + max(copies, 1) - 1

    def candidate_key(self, n_docs: int) -> int:
        """Document frequency above which a fingerprint or term proposes no candidate pairs."""
        return max(self.candidate_key_floor, int(self.candidate_key_share * n_docs))

    def index_key(self, n_docs: int) -> int:
        """Document frequency above which an indexed fingerprint does not rank candidates."""
        return max(self.index_key_floor, n_docs // self.index_key_divisor)

    def corpus_line(self, n_docs: int, copies: int = 1) -> int:
        """Documents a line must repeat in to be removed as site chrome, from a text held in
        `copies` copies (`copies`)."""
        return max(self.corpus_line_floor, math.ceil(self.corpus_line_share * n_docs)) + max(copies, 1) - 1


@dataclass(frozen=True, slots=True)
class OriginLimits:
    """Limits of origin estimation that were chosen, not fitted (the fitted weights and
    temperatures are in origin/weights.json, written by benchmarks/fit_lineage.py)."""

    counterpart: float = 0.5  # a sentence has a counterpart when this share of its content words is covered
    max_others: int = 16  # family members consulted for the "others", "unique" and witness signals of a pair
    dense_limit: int = 12  # families up to this size compare every pair; larger ones only copy-linked pairs
    max_links: int = 8  # above dense_limit, the copy links scored per member (its strongest)
    # above dense_limit, members whose verified pair has at least this resemblance (Jaccard of the
    # word 5-shingle sets: verbatim or near-verbatim copies, a dateline or a sentence apart) are scored
    # as one text, their representative, and attached to it by the pair's own evidence: hundreds of
    # near-identical wire items otherwise cost the square of their number (every link a copy link)
    near_duplicate: float = 0.9
    # above dense_limit, the most earlier members one member is measured against for each purpose: those
    # checked before it is called a root, its parent candidates, its sources. The highest-ranked are kept;
    # where the limit cuts, the member's line in the family's explanation says so. No family of the news,
    # Clough or real-reuse sets is large enough to reach it
    max_compared: int = 32
    max_variants: int = 4  # spelling variants counted against one parent candidate
    undecided: float = 0.6  # an origin confidence below this is reported as undecided
    # the copy model of several sources (origin/sources.py)
    switch_cost: float = 0.5  # cost of changing source between two sentences (claims are covers in [0.5, 1])
    # cost of a passage of another member than the parent starting after d's own material or after a
    # passage that has ended: a sentence starts one only when its cover beats own_claim by this, i.e.
    # above 0.7 (parent_holds: a member holding it); a weaker lone counterpart stays d's own
    passage_cost: float = 0.3
    own_claim: float = 0.4  # a sentence's claim to be the derivative's own material (below any counterpart)
    parent_holds: float = 0.7  # a parent holds a sentence whose content words it has this share of, anywhere
    min_share: float = 0.15  # share of a derivative's prose words a member must supply to be named a source
    min_passage_sentences: int = 2  # and in at least this many sentences (one leftover teaser is not a source)
    # alignment finds a sentence's counterparts through its content words; a word in more sentences
    # of one text than this is not used (no news story has one; in a book-length text it would make
    # alignment sentences x sentences: two 680 KB copies took minutes). Said in the edge's evidence.
    max_word_sentences: int = 100
    # the witnesses' order vote compares each pair of a member's sentences; pairs further apart
    # than this many sentences are not compared (every news story is shorter, so nothing changes
    # there; 15 copies of a 488 KB text otherwise held every pair of ~4,000 sentences: 4.3 GB)
    order_window: int = 100


@dataclass(frozen=True, slots=True)
class IngestSettings:
    max_file_bytes: int = 20 * 1024 * 1024  # larger files are cut at a line break and reported


@dataclass(frozen=True, slots=True)
class CheckSettings:
    max_candidates: int = 10  # indexed documents verified per draft (verification is most of a check's time)


CANDIDATES = CandidateOptions()
VERDICT = VerdictRules()
ALIGNMENT = AlignmentSettings()
TOO_COMMON = TooCommon()
ORIGIN = OriginLimits()
INGEST = IngestSettings()
CHECK = CheckSettings()
