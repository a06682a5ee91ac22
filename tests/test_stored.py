"""A scan's documents keep their texts in a temporary file (`ingest.stored.StoredDocuments`): every text
reads back exactly, the file is never visible in the temporary folder, and it is closed with the result."""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path

import pytest

from provenance.engines.local import scan, scan_documents
from provenance.ingest import stored
from provenance.ingest.files import load_paths
from provenance.ingest.stored import StoredDocuments, documents_by_id, metadata_of, texts_of
from provenance.model import Document

NEWS = Path(__file__).resolve().parents[1] / "corpus" / "news"

ODD_TEXTS = [
    "Plain ASCII text of a short article.",
    "Accents, é and ü, a euro sign € and an emoji 📰.",
    "Urdu: وزیر اعظم نے کہا۔ Chinese: 新华社北京电。",
    "A lone surrogate \udc80 kept as it was decoded.",
    "",
]


@pytest.fixture
def small_flushes(monkeypatch):
    """Texts written to the file every few bytes, so reads cross the written and pending parts."""
    monkeypatch.setattr(stored, "_FLUSH_BYTES", 40)


def _docs() -> list[Document]:
    real, _ = load_paths([NEWS])
    odd = [Document(id=f"odd-{i}", text=t, path="odd.jsonl", line=i + 1) for i, t in enumerate(ODD_TEXTS)]
    return [*real, *odd]


def test_every_text_reads_back_exactly(small_flushes):
    docs = _docs()
    kept = StoredDocuments.of(iter(docs))
    assert len(kept) == len(docs) and kept == docs and list(kept) == docs
    assert [kept[i] for i in range(-len(docs), 0)] == docs
    assert kept[2:5] == docs[2:5] and kept[::-3] == docs[::-3]
    assert list(texts_of(kept)) == [d.text for d in docs] and texts_of(kept)[-1] == docs[-1].text
    assert [m.id for m in metadata_of(kept)] == [d.id for d in docs]
    assert all(m.text == "" for m in metadata_of(kept))


def test_subsets_and_replacements_share_the_file_and_leave_the_original(small_flushes):
    docs = _docs()
    kept = StoredDocuments.of(docs)
    order = list(range(len(docs)))[::-2]
    assert kept.subset(order) == [docs[i] for i in order]
    edited = Document(id=docs[1].id, text="Only this line is left.", path=docs[1].path)
    changed = kept.replaced(iter([(1, edited)]))
    assert changed[1] == edited and changed[0] == docs[0] and changed[len(docs) - 1] == docs[-1]
    assert kept == docs  # the original still reads its own texts
    by_id = documents_by_id(changed)
    assert by_id[docs[1].id] == edited and docs[0].id in by_id and "no such id" not in by_id
    assert sorted(by_id) == sorted(d.id for d in docs)


def _open_files_under(folder: Path) -> int:
    """Descriptors of this process open on files that are or were under `folder`."""
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        n += target.startswith(str(folder))
    return n


def test_a_scan_keeps_its_texts_out_of_sight_and_closes_them_with_its_result(tmp_path, monkeypatch):
    """While a scan's result is alive its texts are in a file nobody can open (nothing is listed in the
    temporary folder); freeing the result closes it, so nothing is left even if the process ran on."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    before = _open_files_under(folder)
    result = scan([NEWS])
    assert isinstance(result.documents, StoredDocuments) and len(result.documents) == 5
    assert not list(folder.iterdir())
    assert _open_files_under(folder) == before + 1
    docs, _ = load_paths([NEWS])
    assert {d.id: d.text for d in result.documents} == {d.id: d.text for d in docs}  # no chrome in five files
    del result
    gc.collect()
    assert _open_files_under(folder) == before and not list(folder.iterdir())


def test_scanning_loaded_documents_or_their_files_gives_the_same_result():
    docs, problems = load_paths([NEWS])
    from_files = scan([NEWS])
    given = scan_documents(docs, problems=problems)
    assert from_files.documents == given.documents and list(from_files.pairs) == list(given.pairs)
    assert from_files.families == given.families


def test_the_steps_read_the_texts_one_at_a_time(monkeypatch):
    """Fingerprints and phrase counts take the texts as a lazy sequence: none of them makes a list of them."""
    kept = StoredDocuments.of(_docs())
    lazy = texts_of(kept)
    assert texts_of(lazy) is lazy and not isinstance(lazy, list)
    from provenance.verify.phrases import PhraseStats

    stored_counts, listed = PhraseStats.from_documents(kept, keep_min_df=1), PhraseStats.from_documents(_docs(), keep_min_df=1)
    assert stored_counts.n_docs == listed.n_docs == len(kept) and len(listed.hashes) > 1000
    assert (stored_counts.hashes == listed.hashes).all() and (stored_counts.counts == listed.counts).all()
