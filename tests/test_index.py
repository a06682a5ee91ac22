"""The SQLite index: storage, incremental add/remove, candidates, phrase counts, config checks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from datasketch import LeanMinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.errors import IndexError_
from provenance.fingerprint import minhash as sketch
from provenance.fingerprint.features import doc_features, doc_phrases, query_features
from provenance.fingerprint.features import stored_band_keys as band_keys
from provenance.index import IndexParams, open_index
from provenance.index.types import signature_bytes, signature_from_bytes
from provenance.model import Document
from provenance.settings import DEFAULT_CONFIG

ROOT = Path(__file__).resolve().parents[1]
CLOUGH = ROOT / "corpus" / "clough-stevenson-dev"
VOCAB = [f"w{i}" for i in range(5000)]


def prose(seed: int, n_words: int) -> str:
    rng = np.random.RandomState(seed)
    return " ".join(VOCAB[i] for i in rng.randint(0, len(VOCAB), n_words))


def docs(n: int, words: int = 300, start: int = 0) -> list[Document]:
    return [Document(id=f"d{i:04d}", text=prose(i, words), title=f"Story {i}") for i in range(start, start + n)]


@pytest.fixture
def index(tmp_path):
    ix = open_index(tmp_path / "ix" / "index.sqlite", create=True)
    yield ix
    ix.close()


def test_signature_bytes_are_datasketch_leanminhash_bytes():
    texts = [CLOUGH.joinpath("orig_taska.txt").read_text(), "a short text of words", prose(1, 50)]
    for text, row in zip(texts, sketch.signature_matrix(texts)):
        lean = sketch.minhash(text)
        buf = bytearray(lean.bytesize(byteorder="<"))
        lean.serialize(buf, byteorder="<")
        data = signature_bytes(row, DEFAULT_CONFIG.seed)
        assert data == bytes(buf)
        back = LeanMinHash.deserialize(data, byteorder="<")
        assert back == lean and back.scheme == "affine32"
        assert np.array_equal(signature_from_bytes(data), lean.hashvalues)


def test_stored_signature_is_the_documents_minhash(index):
    d = docs(3)
    index.add(d)
    stored = index.signatures([x.id for x in d])
    for x in d:
        assert LeanMinHash.deserialize(stored[x.id], byteorder="<") == sketch.minhash(x.text)


def test_a_file_that_is_not_an_index_is_refused(tmp_path):
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(IndexError_):
        open_index(bogus)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.commit()
    with pytest.raises(IndexError_, match="not a provenance index"):
        open_index(other)
    with pytest.raises(IndexError_, match="not a provenance index"):
        open_index(other, create=True)  # never writes its tables into someone else's database
    assert [r[0] for r in sqlite3.connect(other).execute("SELECT name FROM sqlite_schema")] == ["t"]


def test_two_paragraphs_lifted_from_a_long_article_are_found(index):
    long_source = Document(id="long", text=prose(7, 3000))
    index.add([long_source] + docs(200, words=400, start=100))
    words = long_source.text.split()
    lifted = " ".join(words[1200:1260]) + " " + " ".join(words[2500:2540])
    draft = prose(12345, 150) + " " + lifted + " " + prose(54321, 150)
    cands = index.candidates(query_features(draft, DEFAULT_CONFIG, index.params))
    assert cands and cands[0].id == "long"
    assert cands[0].shared_fingerprints >= 2


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    start=st.integers(0, 500),
    extra=st.integers(0, 30),
)
def test_any_run_of_winnow_plus_k_minus_1_words_is_found(tmp_path_factory, seed, start, extra):
    """The winnowing guarantee, end to end through the SQLite postings."""
    params = IndexParams()
    run = params.winnow + DEFAULT_CONFIG.k - 1 + extra
    source = prose(seed, 600)
    shared = " ".join(source.split()[start : start + run])
    draft = prose(seed + 1, 80) + " " + shared + " " + prose(seed + 2, 80)
    ix = open_index(tmp_path_factory.mktemp("w") / "i.sqlite", create=True)
    try:
        ix.add([Document(id="src", text=source), Document(id="other", text=prose(seed + 3, 600))])
        found = [c.id for c in ix.candidates(query_features(draft, DEFAULT_CONFIG, ix.params))]
        assert "src" in found
    finally:
        ix.close()


def test_band_probability_is_well_below_the_reporting_threshold():
    p = IndexParams()
    assert p.lsh_probability(0.5) > 0.9 and p.lsh_probability(0.7) > 0.99
    sig = sketch.signature_matrix([prose(1, 100), prose(1, 100)])
    keys = band_keys(sig, p)
    assert keys.shape == (2, p.bands) and keys.dtype == np.int32 and (keys[0] == keys[1]).all()


def test_near_copy_without_long_runs_is_found(index):
    """A rewrite that changes every 9th word keeps no 20-word run; it is still found first."""
    src = prose(42, 400)
    index.add([Document(id="src", text=src)] + docs(100, start=500))
    words = src.split()
    edited = " ".join("changed" if i % 9 == 4 else w for i, w in enumerate(words))
    cands = index.candidates(query_features(edited, DEFAULT_CONFIG, index.params))
    assert cands and cands[0].id == "src"
    assert cands[0].shared_fingerprints > 0 or cands[0].shared_bands > 0


def test_clough_copies_find_their_source_and_independent_answers_find_nothing(index):
    origs = sorted(CLOUGH.glob("orig_task*.txt"))
    index.add([Document(id=p.stem, text=p.read_text(encoding="utf-8", errors="replace")) for p in origs])
    rows = [line.split(",") for line in CLOUGH.joinpath("file_information.csv").read_text().split()[1:]]
    found = {}
    for name, task, category in rows:
        text = CLOUGH.joinpath(name).read_text(encoding="utf-8", errors="replace")
        cands = index.candidates(query_features(text, DEFAULT_CONFIG, index.params))
        if category == "non":
            assert cands == [], name
        elif category in ("cut", "light"):
            # two 'cut' answers were cut from text the shipped original lacks: they share no 5-gram with it
            th, to = sketch.token_hashes([text, CLOUGH.joinpath(f"orig_task{task}.txt").read_text(errors="replace")])
            sv, so = sketch.shingle_hashes(th, to, DEFAULT_CONFIG.k)
            if np.intersect1d(sv[so[0] : so[1]], sv[so[1] : so[2]]).size:
                assert cands and cands[0].id == f"orig_task{task}", name
        found.setdefault(category, []).append(bool(cands))
    assert sum(found["heavy"]) >= len(found["heavy"]) * 2 // 3


def test_phrase_stats_never_undercount(index):
    d = docs(60, words=200)
    shared_phrase = "according to a statement released by the company on monday"
    d = [Document(id=x.id, text=x.text + (" " + shared_phrase if i % 3 == 0 else "")) for i, x in enumerate(d)]
    index.add(d)
    ps = index.phrase_stats()
    assert ps.n_docs == 60
    per_doc = [set(p.tolist()) for p in doc_phrases([x.text for x in d])]
    probe = np.array(sorted(set().union(*per_doc[:5])), dtype=np.uint64)
    true = np.array([sum(h in s for s in per_doc) for h in probe.tolist()])
    est = ps.doc_freq(probe)
    assert (est >= true).all() and (est <= 60).all()
    assert (ps.doc_freq(doc_phrases([shared_phrase])[0]) >= 20).all()


def test_phrase_stats_agree_with_the_verdicts_own_counts(index):
    """Same keys as `PhraseStats`: the index can stand in for an in-memory collection."""
    from provenance.verify.phrases import PhraseStats

    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CLOUGH.glob("g0p*.txt"))]
    index.add([Document(id=str(i), text=t) for i, t in enumerate(texts)])
    exact = PhraseStats.from_documents(texts, keep_min_df=1)
    est = index.phrase_stats().doc_freq(exact.hashes)
    assert (est >= exact.counts).all()
    assert np.mean(est == exact.counts) > 0.95


def test_stats_report_sizes(index):
    index.add(docs(50))
    s = index.stats()
    assert s.documents == 50 and s.size_bytes > s.structure_bytes > 0 and s.text_bytes > 0
    assert s.fingerprints > 50 and s.band_entries == 50 * s.params.bands


# --- the packed posting layout --------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(bits=st.integers(8, 24), doc_bytes=st.integers(1, 4), seed=st.integers(0, 2**31 - 1),
       n=st.integers(0, 300))
def test_posting_rows_round_trip(bits, doc_bytes, seed, n):
    from provenance.index.sqlite import Layout, _postings, stored_keys

    rng = np.random.RandomState(seed)
    keys = rng.randint(-(2**31), 2**31, n).astype(np.int32)
    keys[: n // 3] = keys[n // 3 : 2 * (n // 3)]  # keys shared by several documents
    ns = rng.randint(0, 1 << (8 * doc_bytes), n, dtype=np.uint64)
    postings = _postings(keys, ns)
    assert len(np.unique(stored_keys(keys))) == len(np.unique(keys))  # the mixing is a bijection
    lay = Layout(bits, doc_bytes)
    rows = lay.rows(postings)
    assert all(blob and len(blob) % lay.width == 0 for _, blob in rows)
    assert [b for b, _ in rows] == sorted({int(k) >> (32 - bits) for k in stored_keys(keys)})
    assert np.array_equal(lay.postings(rows), postings)


def _meta(path: Path) -> dict[str, str]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT key, value FROM meta"))
    finally:
        con.close()


def test_postings_widen_as_the_index_grows_and_answers_stay_the_same(tmp_path, monkeypatch):
    """Buckets split and document numbers widen as the index grows (here forced early by a tiny
    bucket size), through adds and removes; the candidates are those of the same texts laid out
    again from scratch by `rebuild`."""
    from provenance.index import sqlite as backend

    monkeypatch.setattr(backend, "BUCKET", 2)
    path = tmp_path / "ix.sqlite"
    stored = docs(320, words=120)
    with open_index(path, create=True, params=IndexParams(winnow=4)) as ix:
        ix.add(stored[:40])
        early = _meta(path)
        ix.add(stored[40:], batch_size=45)
        ix.remove(["d0007", "d0300"])
        late = _meta(path)
        texts = [prose(i, 120) for i in (3, 7, 150, 299, 300, 319)]
        texts.append(prose(11, 120)[:300] + " " + prose(12, 120)[-300:])  # half of each of two stored texts
        queries = [query_features(t, DEFAULT_CONFIG, ix.params) for t in texts]
        answers = [ix.candidates(q) for q in queries]
        stats = ix.stats()
        assert ix.rebuild() == 318
        assert [ix.candidates(q) for q in queries] == answers
        assert (ix.stats().fingerprints, ix.stats().band_entries) == (stats.fingerprints, stats.band_entries)
    for table in ("fps", "bands"):
        assert int(late[f"{table}_bits"]) > int(early[f"{table}_bits"]), table
        assert (early[f"{table}_doc_bytes"], late[f"{table}_doc_bytes"]) == ("1", "2"), table
    firsts = [a[0].id if a else None for a in answers]
    assert firsts == ["d0003", None, "d0150", "d0299", None, "d0319", "d0011"]
    assert {c.id for c in answers[-1][:2]} == {"d0011", "d0012"}
    kept = [d.text for d in stored if d.id not in ("d0007", "d0300")]
    expected = sum(len(f) for f in doc_features(kept, DEFAULT_CONFIG, ix.params).fingerprints)
    assert stats.fingerprints == expected and stats.band_entries == 318 * ix.params.bands


def test_postings_cost_well_under_the_old_row_per_posting(index):
    """A (key, n) row of its own cost ~13 bytes on disk; packed, a posting costs about 6."""
    index.add(docs(1500, words=300), batch_size=400)
    st = index.stats()
    pages = int(st.extra["table_fps"]) + int(st.extra["table_bands"])
    assert pages / (st.fingerprints + st.band_entries) < 8


def _to_schema_1(path: Path) -> None:
    """Turn a current index into one of another layout: schema 1, a WITHOUT ROWID (key, n) row per posting."""
    con = sqlite3.connect(path, isolation_level=None)
    con.executescript(
        """BEGIN;
        DROP TABLE bands; DROP TABLE fps;
        CREATE TABLE bands(key INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(key, n)) WITHOUT ROWID;
        CREATE TABLE fps(key INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(key, n)) WITHOUT ROWID;
        DELETE FROM meta WHERE key LIKE 'fps\\_%' ESCAPE '\\' OR key LIKE 'bands\\_%' ESCAPE '\\';
        UPDATE meta SET value='1' WHERE key='schema';
        COMMIT;"""
    )
    con.close()


def test_an_index_of_another_schema_is_refused_naming_rebuild_and_rebuild_rewrites_it(tmp_path):
    """Only `rebuild` may open an index of another layout: it rewrites all but the stored documents."""
    path = tmp_path / "old.sqlite"
    stored = docs(30)
    with open_index(path, create=True) as ix:
        ix.add(stored)
    _to_schema_1(path)
    with pytest.raises(IndexError_, match=r"schema 1 .*provenance index rebuild"):
        open_index(path)
    with open_index(path, check_config=False) as ix:  # what `provenance index rebuild` opens
        for refused in (lambda: ix.add(docs(1, start=99)), lambda: ix.remove(["d0001"]), ix.stats,
                        lambda: ix.candidates(query_features(stored[0].text, DEFAULT_CONFIG, ix.params))):
            with pytest.raises(IndexError_, match="provenance index rebuild"):
                refused()
        assert ix.rebuild() == 30
    with open_index(path) as ix:
        assert _meta(path)["schema"] == "2" and ix.stats().documents == 30
        assert ix.candidates(query_features(stored[4].text, DEFAULT_CONFIG, ix.params))[0].id == "d0004"
