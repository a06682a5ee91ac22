"""Verdicts: golden answers (seed articles, Clough-Stevenson), invariants, quotation, common phrases."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.fingerprint import features
from provenance.ingest.files import load_paths
from provenance.model import Document
from provenance.settings import TOO_COMMON, VERDICT
from provenance.text import words
from provenance.verify import prepared, verdict
from provenance.verify.phrases import PhraseStats
from provenance.verify.verdict import verify_pair

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "corpus" / "news"
CLOUGH = ROOT / "corpus" / "clough-stevenson-dev"


@pytest.fixture(scope="module")
def news():
    docs, _ = load_paths([NEWS])
    return {d.id[:3]: d for d in docs}


@pytest.fixture(scope="module")
def news_pairs(news):
    phrases = PhraseStats.from_documents(news.values())
    keys = itertools.combinations(sorted(news), 2)
    return {(x, y): verify_pair(news[x], news[y], phrases=phrases) for x, y in keys}


def test_seed_labels(news_pairs):
    labels = json.loads((NEWS / "labels.json").read_text(encoding="utf-8"))
    for item in labels["pairs_expected"]:
        x, y = (item["derivative"], item["origin"]) if "derivative" in item else (item["a"], item["b"])
        pair = news_pairs[tuple(sorted((x, y)))]
        assert (pair.verdict == "copy") == item["flag"], (x, y, pair.reasons)


def test_seed_golden_verdicts(news_pairs):
    verdicts = {k: p.verdict for k, p in news_pairs.items()}
    assert verdicts[("000", "001")] == "copy"  # heavy paraphrase, found by the sentence chain
    assert verdicts[("001", "002")] == "copy"
    for key, label in verdicts.items():
        if key == ("000", "003"):  # share only "We are ready to" and "so-called new": common speech
            assert label == "independent", (key, news_pairs[key].reasons)
        elif "003" in key or "004" in key:
            assert label == "quote-only", (key, news_pairs[key].reasons)


def test_shared_quotation_is_shown_as_quote(news, news_pairs):
    pair = news_pairs[("001", "004")]
    quotes = [news["001"].text[p.a_start:p.a_end] for p in pair.passages if p.kind == "quote"]
    assert any("significantly more resources of this kind than Ukraine" in q for q in quotes)
    assert not any(p.kind == "verbatim" and p.a_end - p.a_start > 120 for p in pair.passages)


def test_copy_passages_point_at_the_same_words(news, news_pairs):
    pair = news_pairs[("001", "002")]
    longest = max((p for p in pair.passages if p.kind == "verbatim"), key=lambda p: p.a_end - p.a_start)
    a = news["001"].text[longest.a_start:longest.a_end]
    b = news["002"].text[longest.b_start:longest.b_end]
    wa, wb = words(a), words(b)
    assert len(wa) >= 30 and longest.score >= 0.8
    assert wa[:20] == wb[:20] and wa[-1] == wb[-1]  # a merged passage starts and ends on matched words
    assert any("word for word" in r for r in pair.reasons)


@pytest.fixture(scope="module")
def clough():
    docs, _ = load_paths([CLOUGH])
    return {d.id: d for d in docs}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("g0pE_taska.txt", "copy"),  # light revision
        ("g0pB_taskc.txt", "copy"),  # cut
        ("g2pB_taskc.txt", "copy"),  # heavy, found by the sentence chain alone (8% verbatim)
        ("g3pB_taskc.txt", "copy"),  # heavy, chain alone: 3 specific links, order p ~0.02
        ("g3pA_taskb.txt", "copy"),  # heavy, chain alone
        ("g4pE_taska.txt", "copy"),  # heavy, chain alone: four specific links, order p ~0.04
        # Known miss since issue #3 (labelled heavy): its three similar sentences are in
        # order by chance 1 time in 6, exactly what independent answers to one question
        # show. A better rule that finds it should flip this line.
        ("g1pA_taskb.txt", "independent"),
        ("g0pA_taska.txt", "independent"),  # non
        ("g0pB_taskb.txt", "independent"),  # non, the most same-topic chaining of its task
        ("g4pD_taskc.txt", "independent"),  # non
        ("g4pD_taskb.txt", "independent"),  # labelled cut, but its source is not in the corpus
    ],
)
def test_clough_golden(clough, answer, expected):
    task = answer.split("_task")[1][0]
    pair = verify_pair(clough[answer], clough[f"orig_task{task}.txt"])
    assert pair.verdict == expected, pair.reasons


def test_no_pair_of_answers_involving_a_non_answer_is_a_copy(clough):
    """Two students answering one question independently is coincidence, not copying (issue #3).

    Before the specificity and order tests, 9 of these 357 pairs were called copy on
    the sentence chain alone (e.g. g0pB_taskb / g1pB_taskb: the same list of four link
    types, each sentence sharing one specific word plus "links" and "page").
    """
    phrases = PhraseStats.from_documents(clough.values())
    levels = {}
    with open(CLOUGH / "file_information.csv", encoding="utf-8") as fh:
        for line in fh.read().splitlines()[1:]:
            name, task, level = line.split(",")
            levels[name] = (task, level)
    checked, flagged = 0, []
    for x, y in itertools.combinations(sorted(n for n, (_, lv) in levels.items() if lv != "orig"), 2):
        if levels[x][0] != levels[y][0] or "non" not in (levels[x][1], levels[y][1]):
            continue
        checked += 1
        pair = verify_pair(clough[x], clough[y], phrases=phrases)
        if pair.verdict == "copy":
            flagged.append((x, y, pair.reasons))
    assert checked == 357 and not flagged, flagged


def test_sentence_chain_verdicts_say_how_likely_their_order_is(clough, news_pairs):
    pair = verify_pair(clough["g2pB_taskc.txt"], clough["orig_taskc.txt"])
    assert pair.verdict == "copy"
    assert any("random order of the sentences chains as well in" in r for r in pair.reasons), pair.reasons
    assert any("random order" in r for r in news_pairs[("000", "001")].reasons)


def test_a_list_in_the_order_the_question_suggests_is_not_a_rewrite():
    """Each sentence shares one specific word and the topic's two ("links", "page")."""
    a = Document("a", "There are four kinds of link. Inbound links reach this page from other sites. Outbound "
                      "links leave this page for other sites. Dangling links end on a page that has no links "
                      "out. Deep links skip the home page and reach an inner page.")
    b = Document("b", "Links come in four kinds. Inbound: links that come to your page. Outbound: links that go "
                      "from your page. Dangling: links to a page with no links of its own. Deep: links that "
                      "bypass the front page.")
    pair = verify_pair(a, b)
    assert pair.verdict == "independent", pair.reasons
    items = [a.text.index(w) for w in ("Inbound", "Outbound", "Dangling", "Deep")]
    linked = [p for p in pair.passages if p.kind == "paraphrase" and any(p.a_start <= i < p.a_end for i in items)]
    assert not linked, linked


def test_a_short_text_needs_more_than_three_sentences_in_order():
    """Three similar sentences, even a whole short text's, are in order by chance one time in six.

    The price (a known limit): a three-sentence rewrite with no verbatim run is not called
    a copy on the sentence chain alone, however close its sentences.
    """
    a = ["The central bank raised interest rates by half a point on Thursday.",
         "Inflation reached its highest level in twelve years last month.",
         "Mortgage lenders warned monthly repayments would climb for millions of households."]
    b = ["On Thursday the bank's rate setters lifted borrowing costs by a half point.",
         "Last month inflation hit a twelve year high level.",
         "Mortgage lenders warned that households face higher monthly repayments."]
    three = verdict.verify_prepared(prepared.prepare(" ".join(a)), prepared.prepare(" ".join(b)))
    assert three.links == 3 and three.a.verbatim == 0 and three.b.verbatim == 0
    assert three.order_p is not None and three.order_p > VERDICT.order_alpha
    assert three.pair.verdict == "independent", three.pair.reasons
    assert any("order of independent writing" in r for r in three.pair.reasons)


def test_common_phrases_are_not_evidence():
    boiler = ("Sign up for our newsletter to receive the latest stories, exclusive offers and updates "
              "from our partners delivered straight to your inbox every single morning of the week.")
    places = ["Leeds", "Bristol", "Cardiff", "Dundee", "Exeter", "Norwich", "York", "Bath", "Derby", "Hull",
              "Luton", "Perth"]
    topics = [f"{what} in {where}" for where in places for what in ("flooding", "school budgets")]
    assert len(topics) >= TOO_COMMON.phrase_floor
    docs = [Document(id=str(i), text=f"Local news about {t} in the region today. {boiler}")
            for i, t in enumerate(topics)]
    a, b = docs[0], docs[1]
    assert verify_pair(a, b).verdict == "copy"  # alone, the shared footer is a long verbatim run
    phrases = PhraseStats.from_documents(docs)
    pair = verify_pair(a, b, phrases=phrases)
    assert pair.verdict == "independent", pair.reasons
    assert not [p for p in pair.passages if p.kind == "verbatim"]
    assert any("common in the reference collection" in r for r in pair.reasons)


def test_templated_items_are_not_paraphrases_given_a_collection():
    """Templated items (same wording, different names and numbers) are not paraphrases of each other."""
    def item(i: int) -> str:
        return (f"Company{i} Holdings said quarterly net profit rose to {i + 3} mln dlrs from {i + 1} mln "
                f"dlrs. Revenue for the quarter climbed to {i + 40} mln dlrs against {i + 30} mln dlrs a "
                f"year earlier. "
                f"The board of Company{i} declared a dividend of {i} cts per share payable to shareholders. "
                f"Chief executive Person{i} expects demand to improve in the second half of the year.")
    docs = [Document(str(i), item(i)) for i in range(60)]
    assert verify_pair(docs[1], docs[2]).verdict == "copy"  # seen alone, one template filled twice looks copied
    phrases = PhraseStats.from_documents(docs)
    assert verify_pair(docs[1], docs[2], phrases=phrases).verdict == "independent"


def test_short_quoted_fragments_are_not_a_common_source():
    a = Document("a", 'The coach praised his players after the win. "I don\'t know," he said of the injury. '
                      'Fans, he added, "are going to" remember this season.')
    b = Document("b", 'A new bakery opened on the high street this week. "I don\'t think so," said one '
                      'neighbour, asked about parking. Prices "are going to" rise, the owner warned.')
    pair = verify_pair(a, b)
    assert [p.kind for p in pair.passages] == ["quote", "quote"]
    assert pair.verdict == "independent", pair.reasons
    assert any(f"reaches {VERDICT.quote_words} words" in r for r in pair.reasons)


def test_a_quoted_title_inside_copied_narration_stays_narration():
    # A 2-word quoted title is no shared quotation: the copied sentence around it is one verbatim passage
    a = Document("a", 'The studio said on Monday that the comedy "Finding Fanny" earned ten million dollars in '
                      'Japan within three weeks of its release in forty cinemas. Critics were divided.')
    b = Document("b", 'Box office news from Asia. The studio said on Monday that the comedy "Finding Fanny" '
                      'earned ten million dollars in Japan within three weeks of its release in forty cinemas.')
    pair = verify_pair(a, b)
    assert [p.kind for p in pair.passages] == ["verbatim"], pair.passages
    assert pair.verdict == "copy", pair.reasons


def test_quote_only_when_only_quotations_are_shared():
    quote1 = "We will not accept any deal that leaves our farmers worse off than before"
    quote2 = "The negotiations have been difficult but we are close to an agreement now"
    a = Document("a", f'The trade minister spoke to reporters in the capital on Monday. "{quote1}," she '
                      f'said. '
                      f'Talks resume next week. "{quote2}," she added, before leaving for the airport.')
    b = Document("b", f'Farm groups welcomed a firm statement from the government. "{quote1}," the '
                      f'minister told '
                      f'a press conference. Unions remain sceptical. She later said: "{quote2}."')
    pair = verify_pair(a, b)
    assert pair.verdict == "quote-only", pair.reasons
    assert {p.kind for p in pair.passages} == {"quote"}


WORDS = ["the", "minister", "said", "prices", "rose", "sharply", "in", "march", "after", "talks",
         "aluminium", "deal", "ukraine", "russia", "mining", "ready", "to", "offer", "partners", "and"]
sentence_st = st.tuples(st.lists(st.sampled_from(WORDS), min_size=3, max_size=12), st.booleans()).map(
    lambda t: ('"' + " ".join(t[0]) + '," he said.') if t[1] else " ".join(t[0]).capitalize() + ".")
text_st = st.lists(sentence_st, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(text_st, text_st)
def test_passages_inside_both_texts_and_never_overlapping(ta, tb):
    pair = verify_pair(Document("a", ta), Document("b", tb))
    for side in ("a", "b"):
        spans = sorted((getattr(p, f"{side}_start"), getattr(p, f"{side}_end")) for p in pair.passages)
        n = len(ta if side == "a" else tb)
        for (s, e), nxt in zip(spans, spans[1:] + [(n, n)]):
            assert 0 <= s < e <= n
            assert e <= nxt[0]
    assert pair.verdict in ("copy", "quote-only", "independent")
    assert pair.reasons and pair.reasons[0].startswith(pair.verdict)


@settings(max_examples=60, deadline=None)
@given(text_st, text_st)
def test_resemblance_symmetric_and_bounded(ta, tb):
    ab = verify_pair(Document("a", ta), Document("b", tb))
    ba = verify_pair(Document("b", tb), Document("a", ta))
    assert 0.0 <= ab.resemblance <= 1.0
    assert ab.resemblance == ba.resemblance
    assert ab.containment_a_in_b == ba.containment_b_in_a
    assert 0.0 <= ab.containment_a_in_b <= 1.0 and 0.0 <= ab.containment_b_in_a <= 1.0
    assert ab.resemblance <= min(ab.containment_a_in_b, ab.containment_b_in_a) + 1e-9


narration_st = st.lists(st.sampled_from(WORDS), min_size=6, max_size=12).map(
    lambda ws: " ".join(ws).capitalize() + ".")


@settings(max_examples=30, deadline=None)
@given(st.lists(sentence_st, max_size=6), narration_st, st.lists(sentence_st, max_size=6))
def test_a_text_against_itself_is_a_copy(before, middle, after):
    t = " ".join([*before, middle, *after])
    pair = verify_pair(Document("a", t), Document("b", t))
    assert pair.resemblance == 1.0 and pair.containment_a_in_b == 1.0 and pair.containment_b_in_a == 1.0
    assert pair.verdict == "copy", pair.reasons


def test_a_news_article_against_itself_is_a_copy(news):
    pair = verify_pair(news["002"], news["002"])
    assert pair.verdict == "copy"
    assert pair.containment_a_in_b == 1.0 == pair.containment_b_in_a


def test_heavy_paraphrase_is_shown_as_paraphrase_passages_on_sentence_bounds(news, news_pairs):
    pair = news_pairs[("000", "001")]
    para = [p for p in pair.passages if p.kind == "paraphrase"]
    assert len(para) >= 4
    a, b = news["000"].text, news["001"].text
    for p in para:
        assert 0.0 < p.score <= 1.0
        assert a[p.a_start].isupper() or a[p.a_start] in "\"'\u201c"  # starts a sentence
        assert b[p.b_start].isupper() or b[p.b_start] in "\"'\u201c"
    assert any("Krasnoyarsk" in a[p.a_start:p.a_end] and "Krasnoyarsk" in b[p.b_start:p.b_end] for p in para)
    assert any("follow" in r and "in order" in r for r in pair.reasons)


def test_phrase_stats_count_documents_not_occurrences():
    docs = ["alpha beta gamma alpha beta gamma", "alpha beta gamma delta", "delta epsilon zeta"]
    ps = PhraseStats.from_documents(docs, keep_min_df=1)
    assert ps.n_docs == 3
    from provenance.fingerprint import minhash as sketch
    from provenance.verify import prepared

    th, off = sketch.token_hashes(["alpha beta gamma", "delta epsilon zeta", "omega psi chi"])
    keys = [features.kgram_hashes(th[off[i]:off[i + 1]], prepared.SEED_K) for i in range(3)]
    assert ps.doc_freq(keys[0]).tolist() == [2]
    assert ps.doc_freq(keys[1]).tolist() == [1]
    assert ps.doc_freq(keys[2]).tolist() == [0]
    assert PhraseStats.from_documents(docs).doc_freq(keys[1]).tolist() == [0]  # below keep_min_df reads as 0


MESSY = ["the ", "said ", "\u201c", "\u201d", '"', ". ", "\n", "\r\n", "\u00e9t\u00e9 ", "\ufb01", "\u2460",
         "\u0130", "Putin ", "\u2014", "! "]
messy_st = st.lists(st.one_of(st.sampled_from(MESSY), st.text(max_size=3)), max_size=80).map("".join)


@settings(max_examples=60, deadline=None)
@given(messy_st, messy_st)
def test_any_unicode_text_gives_a_valid_pair(ta, tb):
    phrases = PhraseStats.from_documents([ta, tb], keep_min_df=1)
    pair = verify_pair(Document("a", ta), Document("b", tb), phrases=phrases)
    for p in pair.passages:
        assert 0 <= p.a_start < p.a_end <= len(ta) and 0 <= p.b_start < p.b_end <= len(tb)
    assert 0.0 <= pair.resemblance <= 1.0


# --- mass copies (issue #15 item 6): "common" means many independent documents --------------------


def _mass_copy_corpus(n_copies: int) -> tuple[Document, list[Document]]:
    """n copies of the BBC seed article (one id each) among the other seeds and Clough's answers."""
    docs, _ = load_paths([NEWS, CLOUGH])
    original = next(d for d in docs if d.id.startswith("001"))
    others = [d for d in docs if not d.id.startswith("001")]
    copies = [Document(id=f"copy{i:02d}.txt", text=original.text) for i in range(n_copies)]
    return original, copies + others


@pytest.mark.parametrize("n_copies", [20, 50])
def test_mass_copies_are_found_and_not_chrome(n_copies):
    from provenance.engines.local import ScanOptions, scan_documents

    original, docs = _mass_copy_corpus(n_copies)
    result = scan_documents(docs, options=ScanOptions(include_independent=True))
    kept = {d.id: d.text for d in result.documents}
    copies = [d.id for d in docs if d.id.startswith("copy")]
    assert all(kept[c] == original.text for c in copies)  # no line of theirs removed as site chrome
    between = [p for p in result.pairs if p.a.startswith("copy") and p.b.startswith("copy")]
    assert between and all(p.verdict == "copy" for p in between), {p.verdict for p in between}
    # every copy is linked (a large bucket gives star edges, so not every pair is verified)
    assert {x for p in between for x in (p.a, p.b)} == set(copies)
    # the copies make nothing else copied: Clough's `non` answers stay apart from everything
    assert not [p for p in result.pairs if p.verdict == "copy" and "non" in (p.a + p.b)]


def test_copies_count_once_but_a_footer_on_many_stories_is_common():
    boiler = ("Sign up for our newsletter to receive the latest stories, exclusive offers and updates "
              "from our partners delivered straight to your inbox every single morning of the week.")
    story = "Local news about flooding in Leeds in the region today."
    copies = [Document(id=f"c{i}", text=f"{story} {boiler}") for i in range(25)]
    phrases = PhraseStats.from_documents(copies)
    assert TOO_COMMON.copies(phrases.doc_freq(prepared.prepare(copies[0].text).seeds)) == 25
    assert verify_pair(copies[0], copies[1], phrases=phrases).verdict == "copy"
    assert TOO_COMMON.copies([1, 25, 25, 25]) == 1  # a text with words of its own is one text
    assert TOO_COMMON.phrase(100, copies=25) == TOO_COMMON.phrase(100) + 24


def test_index_holding_many_copies_still_blocks_a_verbatim_draft(tmp_path):
    from provenance.engines.check import check_documents
    from provenance.index import open_index

    original, docs = _mass_copy_corpus(25)
    index = open_index(tmp_path / "index.sqlite", create=True)
    try:
        index.add(docs)
        draft = Document(id="draft.txt", text=original.text)
        result = check_documents([draft], index)
        assert result.exit_code == 1
        assert {p.verdict for p in result.findings} == {"copy"}
    finally:
        index.close()


def test_reuse_in_a_script_without_spaces_is_found():
    source = ("东京电力公司周三表示，福岛第一核电站的处理水将于下月开始第二轮排放，总量约七千八百吨。"
              "公司发言人说，排放前将再次检测水中氚的浓度，并向国际原子能机构通报结果。"
              "渔业团体对此表示担忧，要求政府提供更多补偿。")
    copy = "【本报讯】" + source[:70] + "记者了解到，当地居民将举行说明会。"
    other = ("大阪市政府周二宣布，明年春季将在市中心新建三座公园，预计投资约二百亿日元。"
             "市长在记者会上表示，公园将配备儿童游乐设施和防灾仓库。")
    pair = verify_pair(Document("src", source), Document("copy", copy))
    assert pair.verdict == "copy", pair.reasons
    verbatim = [p for p in pair.passages if p.kind == "verbatim"]
    assert verbatim and source[verbatim[0].a_start:verbatim[0].a_end] in copy
    assert verify_pair(Document("src", source), Document("other", other)).verdict == "independent"
