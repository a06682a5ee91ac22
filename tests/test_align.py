"""Alignment: exact tiles, merged passages, sentence chains."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import text
from provenance.fingerprint import features
from provenance.fingerprint import minhash as sketch
from provenance.settings import ALIGNMENT
from provenance.text import stems
from provenance.text.wordlists import language_stopwords
from provenance.verify import chains, prepared, verbatim

WORDS = ["the", "minister", "said", "prices", "rose", "sharply", "in", "march", "after", "talks",
         "aluminium", "deal", "ukraine", "russia", "mining", "ready", "to", "offer", "partners", "and"]

sentence_st = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(
    lambda ws: " ".join(ws).capitalize() + ".")
text_st = st.lists(sentence_st, min_size=1, max_size=8).map(" ".join)


def test_prepare_matches_the_tokenizer_and_core():
    t = "Putin said he was \u201cready to offer\u201d resources. The deal, he added, was near."
    p = prepared.prepare(t)
    toks = text.tokenize(t)
    assert p.n_tokens == len(toks)
    assert [t[s:e].lower() for s, e in zip(p.starts, p.ends)] == toks.words
    assert np.array_equal(p.token_hashes, sketch.token_hashes([t])[0])
    quoted_words = [w for w, q in zip(toks.words, p.quoted) if q]
    assert quoted_words == ["ready", "to", "offer"]
    assert len(p.sent_tokens) == 2
    assert prepared.prepare(t) is p  # cached


def test_kgram_hashes_identify_equal_windows():
    th = np.array([sketch.token_hash(w) for w in "a b c a b c d".split()], dtype=np.uint64)
    h = features.kgram_hashes(th, 3)
    assert len(h) == 5
    assert h[0] == h[3] and len(set(h.tolist())) == 4
    # a text shorter than k has one k-gram of all its tokens
    assert len(features.kgram_hashes(th[:2], 3)) == 1
    assert len(features.kgram_hashes(th[:0], 3)) == 0


def test_stems_conflate_inflections_and_spellings():
    assert stems.stem("stabilise") == stems.stem("stabilize")
    assert stems.stem("aluminium") == stems.stem("aluminum")
    assert stems.stem("minerals") == stems.stem("mineral")
    for plural, singular in (("pages", "page"), ("uses", "use"), ("articles", "article"), ("boxes", "box"),
                             ("classes", "class"), ("watches", "watch"), ("policies", "policy")):
        assert stems.stem(plural) == stems.stem(singular), plural
    assert stems.stem("the") is None and stems.stem("said") is None
    assert stems.stem("2017") == "2017"


def test_verbatim_passage_found_with_offsets_and_small_edits_merged():
    source = ("Officials met on Tuesday. The committee approved a plan to rebuild the northern bridge "
              "before the winter storms arrive in the valley. Nobody objected.")
    copy = ("In other news, the committee approved a plan to rebuild the old northern bridge "
            "before the winter storms arrive in the valley, sources say.")
    a, b = prepared.prepare(source), prepared.prepare(copy)
    blocks = verbatim.verbatim_blocks(a, b)
    assert len(blocks) == 1
    bl = blocks[0]
    assert source[a.starts[bl.a0]:a.ends[bl.a1 - 1]].lower().startswith("the committee approved")
    assert copy[b.starts[bl.b0]:b.ends[bl.b1 - 1]].endswith("in the valley")
    assert len(bl.tiles) == 2 and bl.matched == (bl.a1 - bl.a0)  # "old" inserted on b's side only


def test_tiling_is_one_to_one_when_a_paragraph_is_repeated():
    para = "The minister said the deal was ready to be signed after long talks with partners."
    a = prepared.prepare(para)
    b = prepared.prepare(para + " " + para)
    blocks = verbatim.verbatim_blocks(a, b)
    used_b = sum(bl.b1 - bl.b0 for bl in blocks)
    assert sum(bl.matched for bl in blocks) == a.n_tokens
    assert used_b == a.n_tokens  # the second copy is not matched a second time


@settings(max_examples=60, deadline=None)
@given(text_st, text_st)
def test_tiles_are_exact_and_one_to_one(ta, tb):
    a, b = prepared.prepare(ta), prepared.prepare(tb)
    wa, wb = text.tokenize(ta).words, text.tokenize(tb).words
    used_a, used_b = set(), set()
    for bl in verbatim.verbatim_blocks(a, b):
        assert 0 <= bl.a0 < bl.a1 <= a.n_tokens and 0 <= bl.b0 < bl.b1 <= b.n_tokens
        for t in bl.tiles:
            assert wa[t.i:t.i + t.length] == wb[t.j:t.j + t.length]
            ra, rb = set(range(t.i, t.i + t.length)), set(range(t.j, t.j + t.length))
            assert not (ra & used_a) and not (rb & used_b)
            used_a |= ra
            used_b |= rb


SOURCE_SENTENCES = [
    "The central bank raised interest rates by half a point on Thursday.",
    "Inflation reached its highest level in twelve years last month.",
    "Economists had expected a smaller increase from the governor.",
    "Mortgage lenders said monthly repayments would climb for millions of households.",
    "The currency strengthened against the dollar after the announcement.",
    "Opposition politicians blamed the government for rising energy bills.",
]
REWRITE_SENTENCES = [
    "On Thursday the central bank lifted interest rates by a half point.",
    "Last month inflation hit its highest level for twelve years.",
    "The governor's increase was larger than economists had expected.",
    "Households with mortgages face higher monthly repayments, lenders said.",
    "After the announcement the currency rose against the dollar.",
    "Energy bills, opposition politicians said, are the government's fault.",
]


def test_sentence_chain_follows_a_rewrite_in_order_but_not_shuffled():
    a = prepared.prepare(" ".join(SOURCE_SENTENCES))
    b = prepared.prepare(" ".join(REWRITE_SENTENCES))
    chain = chains.sentence_chain(a, b)
    assert len(chain) >= 5
    assert all(link.i == link.j for link in chain)
    shuffled = prepared.prepare(" ".join(reversed(REWRITE_SENTENCES)))
    assert len(chains.sentence_chain(a, shuffled)) <= 1


# Two independent answers to "what kinds of link are there?": the same list in the order the
# question suggests, each sentence sharing one specific word with its counterpart and the
# topic's two words ("links", "page") that every sentence of both has.
LINK_TYPES_A = ["Inbound links reach this page from other sites.", "Outbound links leave this page for other sites.",
                "Dangling links end on a page that has no links out.",
                "Deep links skip the home page and reach an inner page."]
LINK_TYPES_B = ["Inbound: links that come to your page.", "Outbound: links that go from your page.",
                "Dangling: links to a page with no links of its own.", "Deep: links that bypass the front page."]


def test_sentences_sharing_only_the_topics_words_do_not_link():
    a, b = prepared.prepare(" ".join(LINK_TYPES_A)), prepared.prepare(" ".join(LINK_TYPES_B))
    scores = chains.sentence_scores(a, b)
    assert scores.similar().diagonal().all()  # alike by the old measure: 3 shared stems, sim >= 0.3
    assert (scores.specific <= scores.shared).all()
    assert scores.specific.max() < ALIGNMENT.min_specific_stems  # one specific word + two topic words each
    assert chains.sentence_chain(a, b) == []
    assert len(chains.sentence_chain(a, b, min_specific=0)) == 4  # without the rule: a "rewrite" of 4 of 4


def test_a_rewrites_links_share_specific_words():
    a = prepared.prepare(" ".join(SOURCE_SENTENCES))
    b = prepared.prepare(" ".join(REWRITE_SENTENCES))
    for link in chains.sentence_chain(a, b):
        assert ALIGNMENT.min_specific_stems <= link.specific <= link.shared


def test_order_pvalue_small_for_a_rewrite_not_for_three_pairs_or_a_shuffle():
    a = prepared.prepare(" ".join(SOURCE_SENTENCES))
    rewrite = chains.sentence_scores(a, prepared.prepare(" ".join(REWRITE_SENTENCES)))
    assert rewrite.similar().sum() >= 5 and chains.order_pvalue(rewrite) <= 0.01
    # Three similar pairs in order: a random order puts them so one time in six.
    three = chains.sentence_scores(prepared.prepare(" ".join(SOURCE_SENTENCES[:3])),
                                  prepared.prepare(" ".join(REWRITE_SENTENCES[:3])))
    assert three.similar().sum() == 3 and 0.1 <= chains.order_pvalue(three) <= 0.25
    shuffled = chains.sentence_scores(a, prepared.prepare(" ".join(REWRITE_SENTENCES[i] for i in (3, 0, 5, 2, 4, 1))))
    assert chains.order_pvalue(shuffled) > 0.2
    none = chains.sentence_scores(a, prepared.prepare("Nothing in common here at all."))
    assert chains.order_pvalue(none) == 1.0


def test_order_pvalue_is_the_same_either_way_round_and_every_run():
    for n in (6, 5):  # unequal and equal sentence counts
        a = prepared.prepare(" ".join(SOURCE_SENTENCES[:n]))
        b = prepared.prepare(" ".join([REWRITE_SENTENCES[i] for i in (1, 0, 2, 4, 3)]))
        p_ab = chains.order_pvalue(chains.sentence_scores(a, b))
        assert p_ab == chains.order_pvalue(chains.sentence_scores(b, a))
        assert p_ab == chains.order_pvalue(chains.sentence_scores(a, b))


def test_order_test_declines_tables_too_large(monkeypatch):
    scores = chains.sentence_scores(prepared.prepare(" ".join(SOURCE_SENTENCES)),
                                   prepared.prepare(" ".join(REWRITE_SENTENCES)))
    monkeypatch.setattr(chains, "ALIGNMENT", replace(chains.ALIGNMENT, max_order_cells=2))
    assert chains.order_pvalue(scores) is None


def test_quoted_words_do_not_feed_sentence_similarity():
    a = prepared.prepare('He said: "interest rates inflation mortgage repayments currency".')
    b = prepared.prepare('She said: "interest rates inflation mortgage repayments currency".')
    assert len(a.stem_hashes) == 0 and chains.sentence_chain(a, b) == []


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127), max_size=120),
                 st.text(max_size=60)))
def test_prepared_tokens_are_the_tokenizers(t):
    p = prepared.prepare(t)
    toks = text.tokenize(t)
    assert p.starts.tolist() == toks.starts and p.ends.tolist() == toks.ends
    assert len(p.token_hashes) == len(toks)
    content = ~p.quoted & (p.sent_of >= 0)
    own_stopwords = language_stopwords(toks.words)  # a text in another Latin-script language: its own list
    expected = [0 if w in own_stopwords else prepared._stem_hash(w) for w, keep in zip(toks.words, content) if keep]
    assert p.stem_tok[content].tolist() == expected


def test_sentence_alignment_is_bounded_for_huge_texts(monkeypatch):
    a = prepared.prepare(" ".join(SOURCE_SENTENCES))
    b = prepared.prepare(" ".join(REWRITE_SENTENCES))
    assert chains.sentence_chain(a, b)
    monkeypatch.setattr(chains, "ALIGNMENT", replace(chains.ALIGNMENT, max_sentence_cells=10))
    assert chains.chain_too_large(a, b) and chains.sentence_chain(a, b) == []
