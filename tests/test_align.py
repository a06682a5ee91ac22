"""Alignment: exact tiles, merged passages, sentence chains."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance import align, sketch, text

WORDS = ["the", "minister", "said", "prices", "rose", "sharply", "in", "march", "after", "talks",
         "aluminium", "deal", "ukraine", "russia", "mining", "ready", "to", "offer", "partners", "and"]

sentence_st = st.lists(st.sampled_from(WORDS), min_size=3, max_size=12).map(
    lambda ws: " ".join(ws).capitalize() + ".")
text_st = st.lists(sentence_st, min_size=1, max_size=8).map(" ".join)


def test_prepare_matches_the_tokenizer_and_core():
    t = "Putin said he was \u201cready to offer\u201d resources. The deal, he added, was near."
    p = align.prepare(t)
    toks = text.tokenize(t)
    assert p.n_tokens == len(toks)
    assert [t[s:e].lower() for s, e in zip(p.starts, p.ends)] == toks.words
    assert np.array_equal(p.token_hashes, sketch.token_hashes([t])[0])
    quoted_words = [w for w, q in zip(toks.words, p.quoted) if q]
    assert quoted_words == ["ready", "to", "offer"]
    assert len(p.sent_tokens) == 2
    assert align.prepare(t) is p  # cached


def test_kgram_hashes_identify_equal_windows():
    th = np.array([sketch.token_hash(w) for w in "a b c a b c d".split()], dtype=np.uint64)
    h = align.kgram_hashes(th, 3)
    assert len(h) == 5
    assert h[0] == h[3] and len(set(h.tolist())) == 4
    # a text shorter than k has one k-gram of all its tokens
    assert len(align.kgram_hashes(th[:2], 3)) == 1
    assert len(align.kgram_hashes(th[:0], 3)) == 0


def test_stems_conflate_inflections_and_spellings():
    assert align.stem("stabilise") == align.stem("stabilize")
    assert align.stem("aluminium") == align.stem("aluminum")
    assert align.stem("minerals") == align.stem("mineral")
    assert align.stem("the") is None and align.stem("said") is None
    assert align.stem("2017") == "2017"


def test_verbatim_passage_found_with_offsets_and_small_edits_merged():
    source = ("Officials met on Tuesday. The committee approved a plan to rebuild the northern bridge "
              "before the winter storms arrive in the valley. Nobody objected.")
    copy = ("In other news, the committee approved a plan to rebuild the old northern bridge "
            "before the winter storms arrive in the valley, sources say.")
    a, b = align.prepare(source), align.prepare(copy)
    blocks = align.verbatim_blocks(a, b)
    assert len(blocks) == 1
    bl = blocks[0]
    assert source[a.starts[bl.a0]:a.ends[bl.a1 - 1]].lower().startswith("the committee approved")
    assert copy[b.starts[bl.b0]:b.ends[bl.b1 - 1]].endswith("in the valley")
    assert len(bl.tiles) == 2 and bl.matched == (bl.a1 - bl.a0)  # "old" inserted on b's side only


def test_tiling_is_one_to_one_when_a_paragraph_is_repeated():
    para = "The minister said the deal was ready to be signed after long talks with partners."
    a = align.prepare(para)
    b = align.prepare(para + " " + para)
    blocks = align.verbatim_blocks(a, b)
    used_b = sum(bl.b1 - bl.b0 for bl in blocks)
    assert sum(bl.matched for bl in blocks) == a.n_tokens
    assert used_b == a.n_tokens  # the second copy is not matched a second time


@settings(max_examples=60, deadline=None)
@given(text_st, text_st)
def test_tiles_are_exact_and_one_to_one(ta, tb):
    a, b = align.prepare(ta), align.prepare(tb)
    wa, wb = text.tokenize(ta).words, text.tokenize(tb).words
    used_a, used_b = set(), set()
    for bl in align.verbatim_blocks(a, b):
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
    a = align.prepare(" ".join(SOURCE_SENTENCES))
    b = align.prepare(" ".join(REWRITE_SENTENCES))
    chain = align.sentence_chain(a, b)
    assert len(chain) >= 5
    assert all(link.i == link.j for link in chain)
    shuffled = align.prepare(" ".join(reversed(REWRITE_SENTENCES)))
    assert len(align.sentence_chain(a, shuffled)) <= 1


def test_quoted_words_do_not_feed_sentence_similarity():
    a = align.prepare('He said: "interest rates inflation mortgage repayments currency".')
    b = align.prepare('She said: "interest rates inflation mortgage repayments currency".')
    assert len(a.stem_hashes) == 0 and align.sentence_chain(a, b) == []


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127), max_size=120),
                 st.text(max_size=60)))
def test_prepared_tokens_are_the_tokenizers(t):
    p = align.prepare(t)
    toks = text.tokenize(t)
    assert p.starts.tolist() == toks.starts and p.ends.tolist() == toks.ends
    assert len(p.token_hashes) == len(toks)
    content = ~p.quoted & (p.sent_of >= 0)
    expected = [align._stem_hash(w) for w, keep in zip(toks.words, content) if keep]
    assert p.stem_tok[content].tolist() == expected


def test_sentence_alignment_is_bounded_for_huge_texts(monkeypatch):
    a = align.prepare(" ".join(SOURCE_SENTENCES))
    b = align.prepare(" ".join(REWRITE_SENTENCES))
    assert align.sentence_chain(a, b)
    monkeypatch.setattr(align, "MAX_SENTENCE_CELLS", 10)
    assert align.chain_too_large(a, b) and align.sentence_chain(a, b) == []
