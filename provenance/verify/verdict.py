"""Quote-aware verdicts: is what two documents share copying, quotation, or nothing?

`verify_pair(a, b)` aligns the two texts (`verbatim`, `chains`), labels every shared
passage as verbatim narration, paraphrase or quotation, and decides:

* ``copy`` — narration (words outside quotation marks) was reused. Either of two
  independent kinds of evidence is enough, or both at half strength, each measured on
  the side it covers best (which text is derived is not known here; `origin` decides):

  - **verbatim**: at least `VERDICT.verbatim_share` of one text's narration lies in verbatim
    passages of at least `ALIGNMENT.min_tokens_passage` words, or `VERDICT.verbatim_words` such
    words in all (two paragraphs lifted into a long post are copying however long the
    post). Independent writing on one topic shares stock phrases and names, not runs of
    narration.
  - **paraphrase**: at least `VERDICT.chain_links` sentence pairs chained in the same order on
    both sides, covering at least `VERDICT.chain_share` of the content sentences of the text with
    fewer of them, and two tests of chance passed: each link shares words specific to
    the two texts, not only the topic's (`ALIGNMENT.min_specific_stems`), and the similar
    sentences come in an order that a random order of one text's sentences matches in
    at most `VERDICT.order_alpha` of draws (`chains.order_pvalue`). Two answers to one question,
    or two reports of one press conference, write sentences on the same few terms in an
    order the subject suggests; a rewrite follows its source through much of it. The
    price: a rewrite of three sentences or fewer without a verbatim run cannot be told
    from chance, so it is not called a copy.
  - **both at half strength**: verbatim narration of at least half `VERDICT.verbatim_share` and
    a chain of `VERDICT.chain_links` or more links covering two thirds of `VERDICT.chain_share`, with the
    same order test.

* ``quote-only`` — no copying, but verbatim passages inside quotation marks on both
  sides (two reports of one speech), one of them at least `VERDICT.quote_words` words long:
  enough words to mean a common source. Short fragments add up to nothing ("I don't" and
  "are going to" are common speech, and a 3-word scare quote is no relation). Quoted words never count as narration.
* ``independent`` — neither.

Phrases common in a reference collection (`phrases.PhraseCounts`: boilerplate, stock
phrases, templates; common means in many independent documents, the copies of the pair's
texts counted once, `settings.TooCommon.copies`) are never seeds, so they form no passage, and their words leave
sentence matching. Measured effects of these rules are in benchmarks/RESULTS.md.

The thresholds are set by hand, not fitted: a logistic regression over these measures
and a dozen more (benchmarks/fit_verdict.py), fitted on half of a real agency -> paper set
plus Clough-Stevenson, found more rewrites on the held-out half only by calling more
independent same-event reports copy, and fitted on one corpus it called copy pairs of
another that the rules keep apart.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from provenance.arrays import intersection, unique
from provenance.fingerprint.features import kgram_hashes
from provenance.model import Document, Pair, Passage
from provenance.settings import ALIGNMENT, DEFAULT_CONFIG, TOO_COMMON, VERDICT, VerdictRules
from provenance.verify import chains, prepared, verbatim
from provenance.verify.phrases import PhraseCounts, common_threshold


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
    """Everything `verify_pair` measured, for callers that want more than the Pair."""

    pair: Pair
    a: SideStats
    b: SideStats
    links: int
    common_phrases: int
    order_p: float | None = None  # `chains.order_pvalue`, when the verdict needed it (else None)
    longest: int = 0  # words of the longest verbatim narration passage
    longest_quote: int = 0  # words of the longest shared quotation
    mean_sim: float = 0.0  # mean content-word similarity of the chained sentence pairs


def _shingle_set(p: prepared.Prepared, k: int) -> np.ndarray:
    if k == prepared.SHINGLE_K:
        return p.shingles
    return unique(kgram_hashes(p.token_hashes, k))


def set_measures(a: prepared.Prepared, b: prepared.Prepared, k: int) -> tuple[float, float, float]:
    """(resemblance, containment of a in b, containment of b in a) of the word k-shingle sets.

    Whole texts, quotations and common phrases included: the exact values that the
    MinHash signatures of the index estimate.
    """
    sa, sb = _shingle_set(a, k), _shingle_set(b, k)
    if len(sa) == 0 or len(sb) == 0:
        return 0.0, 0.0, 0.0
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    return inter / (len(sa) + len(sb) - inter), inter / len(sa), inter / len(sb)


def _char_span(p: prepared.Prepared, t0: int, t1: int) -> tuple[int, int]:
    return int(p.starts[t0]), int(p.ends[t1 - 1])


def _doc_freq(phrases: PhraseCounts, p: prepared.Prepared) -> tuple[np.ndarray, int, dict]:
    """(document frequency of each seed of p, copies of p's text in the collection, masks by
    threshold), cached on p per collection (`settings.TooCommon.copies`).

    The memo entry holds the collection object, so its id cannot be reused while p lives.
    """
    hit = p.memo.get(id(phrases))
    if hit is not None and hit[0] is phrases:
        return hit[1], hit[2], hit[3]
    df = phrases.doc_freq(p.seeds)
    copies = TOO_COMMON.copies(df)
    if len(p.memo) >= 8:
        p.memo.clear()
    p.memo[id(phrases)] = (phrases, df, copies, {})
    return df, copies, p.memo[id(phrases)][3]


def _common(phrases: PhraseCounts, p: prepared.Prepared, copies: int) -> tuple[np.ndarray, np.ndarray | None]:
    """(common seeds of p, tokens to leave out of sentence matching) for a pair whose texts the
    collection holds in `copies` copies: the copies of one text count once."""
    df, _, masks = _doc_freq(phrases, p)
    threshold = common_threshold(phrases.n_docs, copies)
    if threshold not in masks:
        common = df >= threshold
        masks[threshold] = (common, _phrase_tokens(common, p.n_tokens))
    return masks[threshold]


def _phrase_tokens(common_seeds: np.ndarray, n_tokens: int) -> np.ndarray | None:
    """Tokens covered by a common phrase (a seed at i covers tokens i .. i + SEED_K - 1)."""
    if not common_seeds.any():
        return None
    mask = np.zeros(n_tokens, dtype=bool)
    for offset in range(min(prepared.SEED_K, n_tokens)):
        mask[offset : offset + len(common_seeds)] |= common_seeds[: n_tokens - offset]
    return mask


def _overlaps(spans: list[tuple[int, int]], s: int, e: int) -> bool:
    return any(s < e2 and s2 < e for s2, e2 in spans)


def _pct(x: int, n: int) -> str:
    return f"{round(100 * x / n)}%" if n else "0%"


def _p(p: float) -> str:
    return f"{100 * p:.1f}%"


def verify_prepared(
    a: prepared.Prepared, b: prepared.Prepared, a_id: str = "a", b_id: str = "b", *,
    phrases: PhraseCounts | None = None, k: int = DEFAULT_CONFIG.k, rules: VerdictRules = VERDICT,
) -> Comparison:
    """`verify_pair` on prepared texts, with every measurement behind the verdict."""
    resemblance, c_ab, c_ba = set_measures(a, b, k)

    ignore = None
    common = 0
    drop_a = drop_b = None
    if phrases is not None and phrases.n_docs:
        copies = max(_doc_freq(phrases, a)[1], _doc_freq(phrases, b)[1])
        common_a, drop_a = _common(phrases, a, copies)
        common_b, drop_b = _common(phrases, b, copies)
        shared = intersection(a.seeds[common_a], b.seeds[common_b])
        ignore, common = shared, len(shared)

    passages: list[Passage] = []
    mask_v = [np.zeros(a.n_tokens, bool), np.zeros(b.n_tokens, bool)]
    mask_q = [np.zeros(a.n_tokens, bool), np.zeros(b.n_tokens, bool)]
    quotes: list[str] = []
    longest = longest_quote = 0
    for block in verbatim.verbatim_blocks(a, b, ignore):
        for is_quote, bl in verbatim.split_quotes(block, a, b):
            if bl.matched < (ALIGNMENT.min_tokens_quote if is_quote else ALIGNMENT.min_tokens_passage):
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
                longest_quote = max(longest_quote, bl.matched)
            else:
                longest = max(longest, bl.matched)

    scores = None if chains.chain_too_large(a, b) else chains.sentence_scores(a, b, drop_a, drop_b)
    links = [] if scores is None else chains.sentence_chain(a, b, scores=scores)
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
        content = np.bincount(p.stem_sent, minlength=len(p.sent_tokens)) >= ALIGNMENT.min_shared_stems
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
    order = _OrderTest(scores, rules.order_alpha)
    verdict, reasons = _decide(sa, sb, names, links, longest, quotes, longest_quote, common, order, rules)
    if chains.chain_too_large(a, b):
        reasons.append(f"sentence alignment skipped: {len(a.sent_tokens)} x {len(b.sent_tokens)} "
                       f"sentences is beyond the limit of {ALIGNMENT.max_sentence_cells:,} pairs; "
                       "verbatim evidence only")
    pair = Pair(a=a_id, b=b_id, verdict=verdict, resemblance=round(resemblance, 6),
                containment_a_in_b=round(c_ab, 6), containment_b_in_a=round(c_ba, 6),
                passages=tuple(passages), reasons=tuple(reasons))
    mean_sim = sum(link.sim for link in links) / len(links) if links else 0.0
    return Comparison(pair=pair, a=sa, b=sb, links=len(links), common_phrases=common, order_p=order.p,
                      longest=longest, longest_quote=longest_quote, mean_sim=mean_sim)


class _OrderTest:
    """`chains.order_pvalue` of a pair, computed only if the verdict asks (it costs a few ms)."""

    def __init__(self, scores: chains.SentenceScores | None, alpha: float):
        self.scores = scores
        self.alpha = alpha
        self.asked = False
        self.p: float | None = None

    def passes(self) -> bool:
        """True when the order is unlikely by chance, or too large a table to test (then said)."""
        if not self.asked:
            self.asked = True
            self.p = None if self.scores is None else chains.order_pvalue(self.scores)
        return self.p is None or self.p <= self.alpha


def _decide(sa: SideStats, sb: SideStats, names: tuple[str, str], links: list[chains.Link],
            longest: int, quotes: list[str], longest_quote: int, common: int,
            order: _OrderTest, rules: VerdictRules) -> tuple[str, list[str]]:
    reasons: list[str] = []
    # Verbatim: the side whose narration is most covered.
    vshare = [s.verbatim / s.narration if s.narration else 0.0 for s in (sa, sb)]
    v = int(np.argmax(vshare))
    sv, other = (sa, sb)[v], names[1 - v]
    verbatim_copy = vshare[v] >= rules.verbatim_share or max(sa.verbatim, sb.verbatim) >= rules.verbatim_words
    if sv.verbatim:
        reasons.append(
            f"{sv.verbatim} of {sv.narration} narration words of {names[v]} "
            f"({_pct(sv.verbatim, sv.narration)}) match {other} word for word (longest run {longest} words)"
        )
    # Paraphrase chain: share of the text with fewer chainable sentences.
    c = 0 if sa.sentences <= sb.sentences else 1
    sc = (sa, sb)[c]
    chain_share = len(links) / sc.sentences if sc.sentences else 0.0
    chain_long = len(links) >= rules.chain_links and chain_share >= rules.chain_share
    # Two half-strength signals together: some verbatim narration and a shorter chain.
    combined_long = (not verbatim_copy and not chain_long and len(links) >= rules.chain_links
                     and vshare[v] >= rules.verbatim_share / 2 and chain_share >= rules.chain_share * 2 / 3)
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
            elif order.p <= rules.order_alpha:
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
        reasons.append(f"{len(quotes)} shared quotation(s), {words} words (longest {longest_quote}), "
                       f"e.g. \u201c{example}\u201d")
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
    if longest_quote >= rules.quote_words:
        reasons.insert(0, "quote-only: what they share is quotation, not narration")
        return "quote-only", reasons
    if quotes:
        reasons.append(f"no shared quotation reaches {rules.quote_words} words: short fragments "
                       "(\u201cI don't\u201d, \u201care going to\u201d) are common speech, not a common source")
    reasons.insert(0, "independent: no shared narration beyond chance, no substantial shared quotation")
    return "independent", reasons


def verify_pair(a: Document, b: Document, *, phrases: PhraseCounts | None = None,
                k: int = DEFAULT_CONFIG.k, rules: VerdictRules = VERDICT) -> Pair:
    """The verified relation between two documents: verdict, set measures, passages, reasons.

    * ``resemblance`` — Jaccard of the two word k-shingle sets (whole texts; symmetric).
    * ``containment_a_in_b`` — share of a's k-shingles also in b (and vice versa). Both
      include quotations and common phrases: they are what the index's MinHash
      estimates, and the verdict does not rest on them.
    * ``passages`` — char offsets into a.text and b.text; ``kind`` verbatim (shared word
      run, merged across small edits; score = matched words / span), quote (a shared run
      inside quotation marks on both sides; see `verbatim.split_quotes`) or paraphrase (a chained sentence
      pair not already shown verbatim; score = content-word similarity). Passages never
      overlap on either side.
    * ``reasons`` — the verdict first, then the measurements behind it in plain words.

    ``rules`` are the verdict's thresholds: `settings.VERDICT` unless a desk sets its own
    (`[tool.provenance.thresholds]`, cli/config.py). Per-text preparation is cached by text, so comparing one document with many
    others prepares it once.
    """
    return verify_prepared(prepared.prepare(a.text), prepared.prepare(b.text), a.id, b.id,
                            phrases=phrases, k=k, rules=rules).pair
