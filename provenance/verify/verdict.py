"""Quote-aware verdicts: is what two documents share copying, quotation, or nothing?

`verify_pair(a, b)` aligns the two texts (`align`), labels every shared passage as
verbatim narration, paraphrase or quotation, and decides:

* ``copy`` — narration was reused. Either of two independent kinds of evidence is
  enough, or both at half strength, each measured on the side it covers best (the derived text is not known
  here; `lineage` decides direction):

  - **verbatim**: at least `VERBATIM_SHARE` (15%) of one text's own narration
    (words outside quotation marks) lies in verbatim passages of at least
    `align.MIN_TOKENS_PASSAGE` words, or at least `VERBATIM_WORDS` (50) such words in
    all (two paragraphs lifted into a long post are copying however long the post).
    Independent writing on one topic shares stock phrases and names, not 6-word runs
    of narration: on the development data unrelated pairs stay at or below 4% while
    the weakest answer found this way (a light revision) is at 22%.
  - **paraphrase**: at least `CHAIN_LINKS` (3) sentence pairs chained in the same order
    on both sides, covering at least `CHAIN_SHARE` (30%) of the content sentences
    (3+ content words) of the text with fewer of them, and two tests of chance passed:
    each chained pair shares specific words, not only the topic's (`align`: shared
    stems counted by how few sentences of the two texts hold them, 2 at least), and
    the similar sentences of the two texts come in an order a random order of one
    text's sentences matches in at most `ORDER_ALPHA` (5%) of 999 draws
    (`align.order_pvalue`). One or two similar sentences happen between any two texts
    on a topic; a rewrite follows its source through much of it, in its order.
    Why both tests: two students answering one question, or two reporters at one
    press conference, write sentences on the same few terms ("links ... page",
    "class ... subclass") in an order the subject suggests. Before them, 9 of the 357
    pairs of Clough answers to one question that involve a `non` answer (written
    without the source) chained 30-75% of the shorter answer, as much as heavy
    rewrites do against their source; their links shared one or two specific words
    plus the topic's, and their order was one a random order reaches in 4-50% of
    draws (three links are in order by chance one time in six). With the tests, none
    is a copy; the four heavy rewrites found on this signal alone chain 33-78% with
    p <= 0.02, and a fifth (g4pE_taska) at p 0.044. The price: a heavy rewrite whose
    three similar sentences a random order matches 1 time in 6 (g1pA_taskb) is no
    longer found, nor is any rewrite of three sentences or fewer without a verbatim
    run (its order cannot beat chance).
    Quoted words and common phrases stay out of sentence matching.
  - **both at half strength**: verbatim narration at least half `VERBATIM_SHARE` and a
    chain of three or more links covering at least two thirds of `CHAIN_SHARE`, with
    the same order test. No unrelated pair of the development data has both (the
    seed 004 against 001: 4% verbatim, 27% chained). On 2,000 Reuters articles the
    order test leaves 6 copies that rest on the chain (alone or so combined), from 43:
    the others were templated items (bond issues, earnings tables) and stories on one
    event sharing a background sentence, whose verbatim passages are still reported.

* ``quote-only`` — no copying, but the two share quotation: verbatim passages that
  lie inside quotation marks on both sides (two reports of one press
  conference), `QUOTE_WORDS` (6) words or more in all, so that one shared 3-word
  scare quote does not make a relation. Quoted words never count as narration, on
  either signal.
* ``independent`` — neither.

Common phrases: a `SEED_K`-word phrase found in at least max(`COMMON_MIN_DF` (20),
`COMMON_FRACTION` (1%) of n) documents of a reference collection (`PhraseStats`:
boilerplate, stock phrases, templates) is never a seed, so it forms no passage, and
its words leave sentence matching. The floor of 20 keeps a family of copies from
making its own phrases "common" in a small scan. With word counts (`PhraseStats`
``words=True``), single words in at least max(50, 5% of n) documents also leave
sentence matching: on 2,000 Reuters articles this cut copies resting on
paraphrase evidence alone (mostly templated earnings and bond items) from 39 to 24.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provenance.fingerprint.features import kgram_hashes
from provenance.model import Document, Pair, Passage
from provenance.settings import DEFAULT_CONFIG
from provenance.verify import align
from provenance.verify.phrases import PhraseCounts, common_threshold

VERBATIM_SHARE = 0.15
VERBATIM_WORDS = 50
CHAIN_LINKS = 3
CHAIN_SHARE = 0.30
ORDER_ALPHA = 0.05  # the chained sentences' order must be this unlikely under a random order
QUOTE_WORDS = 6  # shared quoted words that make a pair quote-only (a 3-word scare quote does not)
@dataclass(frozen=True, slots=True)
class SideStats:
    """What one text shares with the other (narration = words outside quotation marks)."""

    words: int
    narration: int
    verbatim: int  # narration words in verbatim passages
    quoted_shared: int  # words in quote passages
    sentences: int  # sentences with enough content words to be chained
    chained: int  # sentences in the paraphrase chain


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything `compare` measured, for callers that want more than the Pair."""

    pair: Pair
    a: SideStats
    b: SideStats
    links: int
    common_phrases: int
    order_p: float | None = None  # `align.order_pvalue`, when the verdict needed it (else None)


def _shingle_set(p: align.Prepared, k: int) -> np.ndarray:
    if k == align.SHINGLE_K:
        return p.shingles
    return np.unique(kgram_hashes(p.token_hashes, k))


def set_measures(a: align.Prepared, b: align.Prepared, k: int) -> tuple[float, float, float]:
    """(resemblance, containment of a in b, containment of b in a) of the word k-shingle sets.

    Whole texts, quotations and common phrases included: the exact values that the
    MinHash signatures of the index estimate.
    """
    sa, sb = _shingle_set(a, k), _shingle_set(b, k)
    if len(sa) == 0 or len(sb) == 0:
        return 0.0, 0.0, 0.0
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    return inter / (len(sa) + len(sb) - inter), inter / len(sa), inter / len(sb)


def _char_span(p: align.Prepared, t0: int, t1: int) -> tuple[int, int]:
    return int(p.starts[t0]), int(p.ends[t1 - 1])


def _common(phrases: PhraseCounts, p: align.Prepared) -> tuple[np.ndarray, np.ndarray | None]:
    """(common seeds of p, tokens to leave out of sentence matching), cached on p per collection.

    The memo entry holds the collection object, so its id cannot be reused while p lives.
    """
    hit = p.memo.get(id(phrases))
    if hit is not None and hit[0] is phrases:
        return hit[1], hit[2]
    common = phrases.doc_freq(p.seeds) >= common_threshold(phrases.n_docs)
    drop = _phrase_tokens(common, p.n_tokens)
    if len(p.memo) >= 8:
        p.memo.clear()
    p.memo[id(phrases)] = (phrases, common, drop)
    return common, drop


def _phrase_tokens(common_seeds: np.ndarray, n_tokens: int) -> np.ndarray | None:
    """Tokens covered by a common phrase (a seed at i covers tokens i .. i + SEED_K - 1)."""
    if not common_seeds.any():
        return None
    mask = np.zeros(n_tokens, dtype=bool)
    for offset in range(min(align.SEED_K, n_tokens)):
        mask[offset : offset + len(common_seeds)] |= common_seeds[: n_tokens - offset]
    return mask


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(s < e2 and s2 < e for s2, e2 in spans)


def _pct(x: int, n: int) -> str:
    return f"{round(100 * x / n)}%" if n else "0%"


def _p(p: float) -> str:
    return f"{100 * p:.1f}%"


def compare_prepared(
    a: align.Prepared, b: align.Prepared, a_id: str = "a", b_id: str = "b", *,
    phrases: PhraseCounts | None = None, k: int = DEFAULT_CONFIG.k,
) -> Comparison:
    """`compare` on prepared texts, with every measurement behind the verdict."""
    resemblance, c_ab, c_ba = set_measures(a, b, k)

    ignore = None
    common = 0
    drop_a = drop_b = None
    if phrases is not None and phrases.n_docs:
        common_a, drop_a = _common(phrases, a)
        common_b, drop_b = _common(phrases, b)
        shared = np.intersect1d(a.seeds[common_a], b.seeds[common_b])
        ignore, common = shared, len(shared)

    passages: list[Passage] = []
    mask_v = [np.zeros(a.n_tokens, bool), np.zeros(b.n_tokens, bool)]
    mask_q = [np.zeros(a.n_tokens, bool), np.zeros(b.n_tokens, bool)]
    quotes: list[str] = []
    longest = 0
    for block in align.verbatim_blocks(a, b, ignore):
        for is_quote, bl in align.split_quotes(block, a, b):
            if bl.matched < (align.MIN_TOKENS_QUOTE if is_quote else align.MIN_TOKENS_PASSAGE):
                continue
            a0, a1 = _char_span(a, bl.a0, bl.a1)
            b0, b1 = _char_span(b, bl.b0, bl.b1)
            score = bl.matched / max(bl.a1 - bl.a0, bl.b1 - bl.b0)
            passages.append(Passage(a0, a1, b0, b1, "quote" if is_quote else "verbatim", round(score, 4)))
            target = mask_q if is_quote else mask_v
            for t in bl.tiles:
                target[0][t.i : t.i + t.length] = True
                target[1][t.j : t.j + t.length] = True
            if is_quote:
                quotes.append(a.text[a0:a1])
            else:
                longest = max(longest, bl.matched)

    scores = None if align.chain_too_large(a, b) else align.sentence_scores(a, b, drop_a, drop_b)
    links = [] if scores is None else align.sentence_chain(a, b, scores=scores)
    spans_a = [(p.a_start, p.a_end) for p in passages]
    spans_b = [(p.b_start, p.b_end) for p in passages]
    for link in links:
        (a0, a1), (b0, b1) = a.sent_chars[link.i], b.sent_chars[link.j]
        if _overlaps(spans_a, a0, a1) or _overlaps(spans_b, b0, b1):
            continue  # already shown as a verbatim or quote passage
        passages.append(Passage(int(a0), int(a1), int(b0), int(b1), "paraphrase", round(link.sim, 4)))
        spans_a.append((a0, a1))
        spans_b.append((b0, b1))
    passages.sort(key=lambda p: (p.a_start, p.b_start))

    sides = []
    for side, p in enumerate((a, b)):
        content = np.bincount(p.stem_sent, minlength=len(p.sent_tokens)) >= align.MIN_SHARED_STEMS
        sides.append(SideStats(
            words=p.n_tokens,
            narration=int((~p.quoted).sum()),
            verbatim=int((mask_v[side] & ~p.quoted).sum()),
            quoted_shared=int(mask_q[side].sum()),
            sentences=int(content.sum()),
            chained=len(links),
        ))
    sa, sb = sides
    names = (a_id, b_id)
    order = _OrderTest(scores)
    verdict, reasons = _decide(sa, sb, names, links, longest, quotes, common, order)
    if align.chain_too_large(a, b):
        reasons.append(f"sentence alignment skipped: {len(a.sent_tokens)} x {len(b.sent_tokens)} "
                       f"sentences is beyond the limit of {align.MAX_SENTENCE_CELLS:,} pairs; "
                       "verbatim evidence only")
    pair = Pair(a=a_id, b=b_id, verdict=verdict, resemblance=round(resemblance, 6),
                containment_a_in_b=round(c_ab, 6), containment_b_in_a=round(c_ba, 6),
                passages=tuple(passages), reasons=tuple(reasons))
    return Comparison(pair=pair, a=sa, b=sb, links=len(links), common_phrases=common, order_p=order.p)


class _OrderTest:
    """`align.order_pvalue` of a pair, computed only if the verdict asks (it costs a few ms)."""

    def __init__(self, scores: align.SentenceScores | None):
        self.scores = scores
        self.asked = False
        self.p: float | None = None

    def passes(self) -> bool:
        """True when the order is unlikely by chance, or too large a table to test (then said)."""
        if not self.asked:
            self.asked = True
            self.p = None if self.scores is None else align.order_pvalue(self.scores)
        return self.p is None or self.p <= ORDER_ALPHA


def _decide(sa: SideStats, sb: SideStats, names: tuple[str, str], links: list[align.Link],
            longest: int, quotes: list[str], common: int, order: _OrderTest) -> tuple[str, list[str]]:
    reasons: list[str] = []
    # Verbatim: the side whose narration is most covered.
    vshare = [s.verbatim / s.narration if s.narration else 0.0 for s in (sa, sb)]
    v = int(np.argmax(vshare))
    sv, other = (sa, sb)[v], names[1 - v]
    verbatim_copy = vshare[v] >= VERBATIM_SHARE or max(sa.verbatim, sb.verbatim) >= VERBATIM_WORDS
    if sv.verbatim:
        reasons.append(
            f"{sv.verbatim} of {sv.narration} narration words of {names[v]} "
            f"({_pct(sv.verbatim, sv.narration)}) match {other} word for word (longest run {longest} words)"
        )
    # Paraphrase chain: share of the text with fewer chainable sentences.
    c = 0 if sa.sentences <= sb.sentences else 1
    sc = (sa, sb)[c]
    chain_share = len(links) / sc.sentences if sc.sentences else 0.0
    chain_long = len(links) >= CHAIN_LINKS and chain_share >= CHAIN_SHARE
    # Two half-strength signals together: some verbatim narration and a shorter chain.
    combined_long = (not verbatim_copy and not chain_long and len(links) >= CHAIN_LINKS
                     and vshare[v] >= VERBATIM_SHARE / 2 and chain_share >= CHAIN_SHARE * 2 / 3)
    # The order test only where it decides (a verbatim copy needs no chain).
    ordered = (chain_long or combined_long) and not verbatim_copy and order.passes()
    chain_copy, combined_copy = chain_long and ordered, combined_long and ordered
    if links:
        mean_sim = sum(link.sim for link in links) / len(links)
        line = (f"{len(links)} of {sc.sentences} sentences of {names[c]} ({_pct(len(links), sc.sentences)}) "
                f"follow {names[1 - c]}'s sentences in order (mean content-word similarity {mean_sim:.2f})")
        if order.asked:
            if order.p is None:
                line += "; too many similar sentence pairs to test their order against chance"
            elif order.p <= ORDER_ALPHA:
                line += f"; a random order of the sentences chains as well in {_p(order.p)} of draws"
            else:
                line += (f", but a random order of the sentences chains as well in {_p(order.p)} of draws: "
                         "the order of independent writing on one topic")
        reasons.append(line)
    if quotes:
        words = max(sa.quoted_shared, sb.quoted_shared)
        example = max(quotes, key=len)
        if len(example) > 80:
            example = example[:77].rstrip() + "..."
        reasons.append(f"{len(quotes)} shared quotation(s), {words} words, e.g. \u201c{example}\u201d")
    if common:
        reasons.append(f"{common} shared phrase(s) common in the reference collection not counted")

    if combined_copy:
        reasons.insert(0, "copy: some verbatim narration and sentences that follow the other text in order, "
                          "together beyond what independent texts share")
        return "copy", reasons
    if verbatim_copy or chain_copy:
        why = []
        if verbatim_copy:
            why.append("verbatim narration")
        if chain_copy:
            why.append("sentence-by-sentence paraphrase")
        reasons.insert(0, "copy: " + " and ".join(why) + " beyond what independent texts share")
        return "copy", reasons
    if max(sa.quoted_shared, sb.quoted_shared) >= QUOTE_WORDS:
        reasons.insert(0, "quote-only: what they share is quotation, not narration")
        return "quote-only", reasons
    reasons.insert(0, "independent: no shared narration beyond chance, no substantial shared quotation")
    return "independent", reasons


def verify_pair(a: Document, b: Document, *, phrases: PhraseCounts | None = None,
            k: int = DEFAULT_CONFIG.k) -> Pair:
    """The verified relation between two documents: verdict, set measures, passages, reasons.

    * ``resemblance`` — Jaccard of the two word k-shingle sets (whole texts; symmetric).
    * ``containment_a_in_b`` — share of a's k-shingles also in b (and vice versa). Both
      include quotations and common phrases: they are what the index's MinHash
      estimates, and the verdict does not rest on them.
    * ``passages`` — char offsets into a.text and b.text; ``kind`` verbatim (shared word
      run, merged across small edits; score = matched words / span), quote (a shared run
      inside quotation marks on both sides; see `align.split_quotes`) or paraphrase (a chained sentence
      pair not already shown verbatim; score = content-word similarity). Passages never
      overlap on either side.
    * ``reasons`` — the verdict first, then the measurements behind it in plain words.

    Per-text preparation is cached by text, so comparing one document with many
    others prepares it once.
    """
    return compare_prepared(align.prepare(a.text), align.prepare(b.text), a.id, b.id,
                            phrases=phrases, k=k).pair
