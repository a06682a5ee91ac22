"""No input costs more than linear time: inputs that a quadratic pattern would take hours on.

Each case runs in a subprocess with a deadline far above what linear work needs (well
under a second here) and far below what rescanning from every bracket would take (a
1 MB run of "[" took about two hours before the Markdown patterns were bounded).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

MB = 1_000_000
CASES = {
    "a run of [": "'[' * MB",
    "a run of ![": "'![' * (MB // 2)",
    "open links [a](x": "'[a](x' * (MB // 5)",
    "reference links [a]": "'[a]' * (MB // 3)",
    "backticks before an unclosed <": "'`x' * (MB // 4) + '<' + 'y' * (MB // 2)",
}


@pytest.mark.parametrize("kind", ["txt", "md"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_markup_heavy_text_loads_in_linear_time(case, kind):
    code = (
        "from provenance.ingest.files import load_text\n"
        f"MB = {MB}\n"
        f"doc = load_text('A story begins. ' + {CASES[case]} + ' It ends.', id='x', kind={kind!r})\n"
        "assert 'story' in doc.text and 'ends' in doc.text\n"
    )
    _runs_within_the_deadline(code)


HTML_CASES = {
    "a run of <": "'<' * MB",
    "unclosed links <a": "'<a ' * (MB // 3)",
    "links never closed": "'<a href=\"https://example.com/x\">' * (MB // 32)",
    "unclosed scripts": "'<script>' * (MB // 8)",
    "unclosed comments": "'<!--' * (MB // 4)",
}


@pytest.mark.parametrize("case", sorted(HTML_CASES))
def test_credit_lines_of_a_hostile_page_take_linear_time(case):
    """The credit and platform lines ingest reads from every raw HTML file (its first 4 MB)."""
    code = (
        "from provenance.text.credits import credit_lines\n"
        f"MB = {MB}\n"
        f"lines = credit_lines('<p>Source: <a href=\"https://x.org/a\">X</a></p>' + {HTML_CASES[case]}, markup=True)\n"
        "assert lines[:1] == ('Source: X (https://x.org)',), lines[:2]\n"
    )
    _runs_within_the_deadline(code)


def _runs_within_the_deadline(code: str) -> None:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]


# --- origin: sentence alignment on book-length texts ----------------------------------------------

_CAP = 20  # the bundled long text has ~700 sentences: a cap this low acts on it as 100 acts on a book


def _long_text(clough_dir) -> str:
    """Every Clough-Stevenson answer end to end (80 KB, five topics): a real text whose topic
    words recur in dozens of its sentences, as in a book or a crawl dump."""
    return "\n\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(clough_dir.glob("*.txt")))


@pytest.fixture
def low_cap(monkeypatch):
    from dataclasses import replace

    from provenance.origin import families, profile
    from provenance.settings import ORIGIN

    limits = replace(ORIGIN, max_word_sentences=_CAP)
    monkeypatch.setattr(profile, "ORIGIN", limits)
    monkeypatch.setattr(families, "ORIGIN", limits)
    return _CAP


class _CountingPostings(dict):
    """A postings table that counts the sentence indices alignment reads from it."""

    visited = 0

    def get(self, key, default=None):
        found = super().get(key, default)
        if found:
            self.visited += len(found)
        return found


def test_alignment_reads_a_bounded_share_of_the_postings(clough_dir, low_cap):
    from dataclasses import replace

    from provenance.model import Document
    from provenance.origin import compare
    from provenance.origin.profile import build_profile

    text = _long_text(clough_dir)
    x = build_profile(Document(id="a", text=text))
    cap = low_cap
    assert x.common_words > 0, "the long text should hold words in more than the cap's sentences"
    assert all(len(held) <= cap for held in x.sentences_with.values())
    y = replace(x, sentences_with=_CountingPostings(x.sentences_with))
    alignment = compare.align(x, y)
    words = sum(len(c) for c in x.content)
    assert y.sentences_with.visited <= words * cap
    # without the cap every sentence would read the postings of the common words too
    uncapped: dict[str, int] = {}
    for content in x.content:
        for w in content:
            uncapped[w] = uncapped.get(w, 0) + 1
    full = sum(uncapped[w] for c in x.content if len(c) >= 3 for w in c)
    assert y.sentences_with.visited * 3 < full
    # a copy still finds itself: the rarer words carry the alignment
    every: dict[str, list[int]] = {}
    for i, content in enumerate(x.content):
        for w in content:
            every.setdefault(w, []).append(i)
    unbounded = compare.align(x, replace(x, sentences_with=every))
    matched = sum(map(alignment.matched, range(len(x.sentences))))
    assert matched >= 0.85 * sum(map(unbounded.matched, range(len(x.sentences))))


def test_the_edge_says_where_alignment_left_words_out(clough_dir, low_cap):
    from provenance.model import Document, Pair
    from provenance.origin.families import families

    text = _long_text(clough_dir)
    docs = [Document(id="a", text=text), Document(id="b", text=text + "\n\nA line added by the copy.")]
    pair = Pair(a="a", b="b", verdict="copy", resemblance=0.99, containment_a_in_b=1.0, containment_b_in_a=0.99)
    (family,) = families(docs, [pair])
    (edge,) = family.edges
    limits = [e for e in edge.evidence if e.signal == "alignment_limit"]
    assert limits and all(e.weight == 0.0 for e in limits)
    assert f"words found in more than {low_cap} of a's" in family.explanation[-1]


def test_a_news_story_is_aligned_on_every_word(news_dir):
    from provenance.ingest.files import load_paths
    from provenance.origin.profile import build_profile

    docs, _ = load_paths([news_dir])
    assert docs and all(build_profile(d).common_words == 0 for d in docs)


def test_profile_of_many_short_paragraphs_is_not_quadratic(clough_dir):
    """50,000 one-sentence paragraphs: matching each sentence to its paragraph by a scan took
    minutes (sentences x paragraphs); a bisection takes a second or two."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from provenance.model import Document\n"
        "from provenance.origin.profile import build_profile\n"
        "lines = [f'Sentence number {i} of this long story ends here.' for i in range(50_000)]\n"
        "p = build_profile(Document(id='x', text='\\n'.join(lines)))\n"
        "assert len(p.sentences) == 50_000, len(p.sentences)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_order_vote_compares_a_bounded_number_of_sentence_pairs(clough_dir):
    """The witnesses' order vote held every pair of a member's sentences: 15 copies of a
    488 KB text took 4.3 GB. It now compares pairs at most ORIGIN.order_window apart, and
    every pair of a text no longer than that (so news stories vote as before)."""
    from provenance.model import Document
    from provenance.origin.profile import build_profile
    from provenance.origin.witnesses import Panel
    from provenance.settings import ORIGIN

    long = build_profile(Document(id="long", text=_long_text(clough_dir)))
    first = sorted(clough_dir.glob("*.txt"))[0].read_text(encoding="utf-8", errors="replace")
    short = build_profile(Document(id="short", text=first))
    n, w = len(long.sentences), ORIGIN.order_window
    assert n > 4 * w, "the long text should be several windows long"
    panel = Panel.of([long, short, long])
    m = len(short.sentences)
    assert 1 < m <= w
    assert len(panel.first) == 2 * (n * w - w * (w + 1) // 2) + m * (m - 1) // 2
    assert ((panel.second - panel.first) <= w).all() and (panel.owner[panel.first] == panel.owner[panel.second]).all()


# --- candidate search: memory per document, not per pair of documents sharing one word ---------------

def _tiny_records(n: int, vocabulary: int = 1500, words: int = 12) -> list[str]:
    """`n` texts of `words` words drawn from the first `vocabulary` distinct words of the bundled texts:
    what a crawler's short records (headlines, captions) look like to candidate search. Each word is
    in ~n * words / vocabulary texts, so most pairs of texts share a word and few share five."""
    import re
    from pathlib import Path

    import numpy as np

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    seen: dict[str, None] = {}
    for path in sorted(corpus.rglob("*.txt")):
        for word in re.findall(r"[A-Za-z]{3,}", path.read_text(encoding="utf-8", errors="replace")):
            seen.setdefault(word.lower())
    vocab = list(seen)[:vocabulary]
    assert len(vocab) == vocabulary
    rng = np.random.default_rng(15)
    return [" ".join(vocab[k] for k in rng.integers(0, vocabulary, words)) for _ in range(n)]


def test_candidate_search_memory_is_per_document_not_per_pair_sharing_a_word():
    """tracemalloc counts every numpy buffer, so this is exact and repeatable. 4,000 tiny records:
    the features kept and the peak while computing them, and the peak of `candidates.find` above
    them, each under a few KB a document. Holding every pair that shares one word, as the channels
    did, peaked at ~9.7 KB a document here (~4.6 KB a document in RSS at 300,000 records)."""
    import dataclasses
    import tracemalloc

    import scipy.sparse  # noqa: F401 - imported before measuring: its modules are no document's cost

    from provenance import candidates
    from provenance.fingerprint.features import features
    from provenance.settings import CANDIDATES, DEFAULT_CONFIG

    texts = _tiny_records(4000)
    options = dataclasses.replace(CANDIDATES, chunk_items=16_384)  # blocks well below the corpus, as at 300k
    features([texts[0]], DEFAULT_CONFIG, options)  # first-use caches (stopword hashes) are no document's cost
    tracemalloc.start()
    try:
        feats = features(texts, DEFAULT_CONFIG, options)
        kept, features_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        found = candidates.find(feats, options)
        find_peak = tracemalloc.get_traced_memory()[1] - kept
    finally:
        tracemalloc.stop()
    per_doc = {"kept": kept / len(texts), "features peak": features_peak / len(texts),
               "find peak": find_peak / len(texts)}
    assert per_doc["kept"] < 1024 and per_doc["features peak"] < 2048 and per_doc["find peak"] < 2048, per_doc
    assert found.pairs.shape[1] == 2  # and the answer does not depend on the blocks (next test)


@pytest.mark.parametrize("chunk", [97, 5000])
def test_candidates_do_not_depend_on_how_the_channels_are_cut(news_dir, clough_dir, chunk):
    """Grouping the channels' keys a block at a time finds exactly the pairs and channels of one block."""
    import dataclasses

    from provenance import candidates
    from provenance.engines.local import prepare
    from provenance.fingerprint.features import features
    from provenance.ingest.files import load_paths
    from provenance.settings import CANDIDATES, DEFAULT_CONFIG

    docs, _ = load_paths([news_dir, clough_dir])
    texts = [d.text for d in prepare(docs)[0]] + _tiny_records(600, vocabulary=400)
    feats = features(texts, DEFAULT_CONFIG, CANDIDATES)
    whole = candidates.find(feats, dataclasses.replace(CANDIDATES, chunk_items=1 << 40))
    cut = candidates.find(feats, dataclasses.replace(CANDIDATES, chunk_items=chunk))
    assert len(whole.pairs) > 500 and set(whole.channels) >= {("lsh", "fingerprints", "terms"), ("terms",)}
    assert (cut.pairs == whole.pairs).all() and cut.channels == whole.channels
