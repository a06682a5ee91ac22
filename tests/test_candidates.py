"""Candidate search: recall on real reuse, and the bucket mechanics."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from provenance import candidates as C
from provenance.fingerprint.features import band_keys, features
from provenance.settings import DEFAULT_CONFIG


def _read(path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _pairs(texts, options=C.CandidateOptions()):
    found = C.find(features(texts, DEFAULT_CONFIG, options), options)
    return {tuple(map(int, p)): ch for p, ch in zip(found.pairs, found.channels)}


def test_news_derivatives_are_candidates_of_their_origin(news_dir):
    files = sorted(news_dir.glob("*.txt"))
    ids = [f.name[:3] for f in files]
    pairs = _pairs([_read(f) for f in files])
    named = {(ids[i], ids[j]) for i, j in pairs}
    assert {("001", "002"), ("000", "001")} <= named
    assert "fingerprints" in pairs[(ids.index("001"), ids.index("002"))]


def test_every_findable_clough_answer_is_paired_with_its_source(clough_dir, clough_labels):
    labels = clough_labels
    names = sorted(labels)
    pairs = _pairs([_read(clough_dir / n) for n in names])
    missed = []
    for i, name in enumerate(names):
        task, category = labels[name]
        if category in ("orig", "non"):
            continue
        src = names.index(f"orig_task{task}.txt")
        if (min(i, src), max(i, src)) not in pairs:
            missed.append(name)
    # The dataset's README: these two were copied from text outside their task's source file.
    assert set(missed) <= {"g4pD_taskb.txt", "g2pE_taskc.txt"}


def test_lifted_paragraphs_are_found_inside_a_longer_text(news_dir):
    source = _read(news_dir / "001_b0abf88ced881903.txt")
    paragraphs = [p for p in source.split("\n") if len(p.split()) > 25]
    filler = " ".join(f"Unrelated sentence number {i} about local weather and sport results." for i in range(80))
    lifted = filler + "\n" + paragraphs[1] + "\n" + paragraphs[3] + "\n" + filler
    pairs = _pairs([source, lifted, filler.replace("weather", "traffic")])
    assert (0, 1) in pairs and "fingerprints" in pairs[(0, 1)]


def test_band_keys_agree_for_equal_bands_only():
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, size=(3, 12), dtype=np.uint32)
    sig[1, :3] = sig[0, :3]
    keys = band_keys(sig, bands=4, rows=3)
    assert keys[0, 0] == keys[1, 0]
    assert keys[0, 1] != keys[1, 1] and keys[0, 0] != keys[2, 0]


def test_large_buckets_give_star_edges_not_all_pairs():
    values = np.zeros(100, dtype=np.uint64)
    docs = np.arange(100, dtype=np.int64)
    pairs = C.group_pairs(values, docs, max_bucket=10)
    assert len(pairs) == 99 and set(pairs[:, 0]) == {0}
    assert len(C.group_pairs(values[:10], docs[:10], max_bucket=10)) == 45


def test_common_values_are_not_evidence():
    values = np.zeros(100, dtype=np.uint64)
    docs = np.arange(100, dtype=np.int64)
    assert len(C.group_pairs(values, docs, max_bucket=10, max_df=50)) == 0


def test_verification_order_is_a_permutation_that_keeps_connected_groups_together():
    rng = np.random.default_rng(5)
    # two groups of 40 documents, interleaved by number, each a random connected graph
    groups = [np.arange(0, 80, 2), np.arange(1, 80, 2)]
    pairs = []
    for g in groups:
        for k in range(1, len(g)):
            pairs.append(sorted((int(g[k]), int(g[rng.integers(0, k)]))))
    pairs = np.array(sorted(pairs), dtype=np.int64)
    order = C.verification_order(pairs, 80)
    assert sorted(order.tolist()) == list(range(len(pairs)))
    parity = pairs[order][:, 0] % 2
    assert np.count_nonzero(parity[1:] != parity[:-1]) == 1
    assert len(C.verification_order(np.empty((0, 2), dtype=np.int64), 5)) == 0


REUTERS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "reuters-21578" / "reuters21578.jsonl"


def _reuters(n: int) -> list[str]:
    if not REUTERS.exists():
        pytest.skip("Reuters-21578 JSONL not present")
    with open(REUTERS, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line, _ in zip(f, range(n))]


def test_spilled_features_give_exactly_the_pairs_of_features_in_memory(tmp_path):
    """Fingerprints and terms spilled to files and grouped a part at a time (as a scan does) give the
    candidate pairs and channels of the arrays held in memory, on 4,000 Reuters records in many parts."""
    texts = _reuters(4000)
    options = dataclasses.replace(C.CandidateOptions(), chunk_items=1 << 14)
    whole = C.find(features(texts, DEFAULT_CONFIG, options), options)
    spilled = features(texts, DEFAULT_CONFIG, options, spill=tmp_path)
    assert spilled.fingerprints.spill.bits >= 4 and spilled.terms.spill.bits >= 4
    assert len(list(tmp_path.iterdir())) > 20  # one file a part
    parts = C.find(spilled, options)
    assert len(whole.pairs) > 1000 and {"fingerprints", "terms"} <= {c for ch in whole.channels for c in ch}
    assert np.array_equal(parts.pairs, whole.pairs) and parts.channels == whole.channels


def test_a_scan_leaves_no_spilled_features_after_success_or_an_error(news_dir, tmp_path, monkeypatch):
    """The temporary folder of the spilled features is gone after a scan, and after a failed one."""
    import tempfile

    from provenance.engines.local import scan

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    real_find, spilled = C.find, []

    def find(found_features, options):
        spilled.extend(found_features.terms.folder.iterdir())
        return real_find(found_features, options)

    monkeypatch.setattr(C, "find", find)
    assert scan([news_dir]).pairs
    assert spilled and not any(p.exists() for p in spilled) and not list(tmp_path.iterdir())

    def failing(found_features, options):
        spilled.extend(found_features.terms.folder.iterdir())
        raise RuntimeError("candidate search failed")

    monkeypatch.setattr(C, "find", failing)
    before = len(spilled)
    with pytest.raises(RuntimeError, match="candidate search failed"):
        scan([news_dir])
    assert len(spilled) > before and not list(tmp_path.iterdir())


def test_spilled_phrase_keys_give_the_counts_of_keys_in_memory(tmp_path, monkeypatch):
    """Phrase keys spilled and counted a range of keys at a time (as a scan does) give the counts of
    all the keys at once, on 4,000 Reuters records in many parts."""
    from provenance.verify import phrases

    texts = _reuters(4000)
    whole = phrases.PhraseStats.from_documents(texts)
    monkeypatch.setattr(phrases, "CANDIDATES", dataclasses.replace(phrases.CANDIDATES, chunk_items=1 << 14))
    spilled = phrases.PhraseStats.from_documents(texts, spill=tmp_path)
    assert len(list(tmp_path.iterdir())) > 20 and len(whole.hashes) > 10_000
    for name in ("n_docs", "hashes", "counts"):
        assert np.array_equal(getattr(spilled, name), getattr(whole, name)), name
