"""The index logic, written once over a `Storage`: adding, removing, rebuilding, candidates, counts.

Every backend answers alike because everything that decides an answer happens here:
the unchanged-document skip (a content hash per document), replacing a changed
document (its old postings and phrase counts taken away in the same transaction),
the count-min sketch of phrase document frequencies and its widening, the checks that
the stored configuration and phrase keys are the ones this code asks about, and the
ranking of candidates. A storage keeps rows; it never decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np

from provenance.arrays import unique
from provenance.errors import IndexError_
from provenance.fingerprint.features import (
    DocFeatures,
    QueryFeatures,
    doc_features,
    doc_phrases,
    phrase_key_version,
)
from provenance.index import count_min as cms
from provenance.index.ids import same_path
from provenance.index.storage import Reads, RebuildBatch, Storage, WriteBatch
from provenance.index.types import (
    AddReport,
    Candidate,
    IndexParams,
    IndexStats,
    content_hash,
    signature_bytes,
)
from provenance.model import Document
from provenance.settings import TOO_COMMON, SketchConfig

EMPTY_VALUE = np.uint32(0xFFFFFFFF)  # sketch's signature value for a text without shingles
REBUILD_BATCH = 2000


def initial_meta(config: SketchConfig, params: IndexParams) -> dict[str, object]:
    """The meta values every new index starts with (a storage adds its own layout's)."""
    return {
        "fingerprint": config.fingerprint, "bands": params.bands, "rows": params.rows, "winnow": params.winnow,
        "cms_depth": params.cms_depth, "cms_bits": cms.MIN_BITS, "cms_total": 0, "n_docs": 0,
        "phrase_keys": phrase_key_version(),
    }


def require_phrase_keys(stored: str | None) -> None:
    """Refuse phrase counts keyed another way than `phrase_key_version` (they would answer wrongly)."""
    if stored != phrase_key_version():
        raise IndexError_(
            f"index counts phrases as {stored!r}, this version asks for {phrase_key_version()!r}: "
            "rebuild it with `provenance index rebuild`"
        )


def rank_candidates(
    fp_keys: np.ndarray, fp_docs: np.ndarray, band_docs: np.ndarray, n_docs: int, *, limit: int,
    max_df: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Order stored documents by the evidence a query's lookups returned, best first.

    fp_keys/fp_docs: one row per (fingerprint hit, stored document number); band_docs: one
    entry per shared band. A fingerprint found in more than `max_df` documents (default:
    `settings.TooCommon.index_key`) is stock phrasing, not evidence. Each shared fingerprint
    counts 1/df, each shared band 1. Returns (docs, fingerprint counts, band counts, scores),
    at most `limit` long.
    """
    cap = max_df if max_df is not None else TOO_COMMON.index_key(n_docs)
    if len(fp_keys):
        _, inverse, df = unique(fp_keys, return_inverse=True, return_counts=True)
        kept = df[inverse] <= cap
        fp_docs, weights = fp_docs[kept], 1.0 / df[inverse][kept]
    else:
        weights = np.empty(0)
    docs = unique(np.concatenate([fp_docs, band_docs]))
    if len(docs) == 0:
        return docs, docs, docs, np.empty(0)
    fp_at = np.searchsorted(docs, fp_docs)
    fp_count = np.bincount(fp_at, minlength=len(docs))
    score = np.bincount(fp_at, weights=weights, minlength=len(docs))
    band_count = np.bincount(np.searchsorted(docs, band_docs), minlength=len(docs))
    score = score + band_count
    order = np.lexsort((docs, -fp_count, -score))[:limit]
    return docs[order], fp_count[order], band_count[order], score[order]


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True, slots=True)
class _Removal:
    """Stored documents a write takes away, with the features their postings and counts came from."""

    ids: list[str]
    ns: list[int]
    features: DocFeatures | None


class Index:
    """A persistent document index over one `Storage`. Library code only; it never prints."""

    def __init__(self, storage: Storage, config: SketchConfig, *, check_config: bool = True) -> None:
        self.storage = storage
        self.location = storage.location
        self.config = config
        with storage.guard():
            meta = storage.read_meta()
        if check_config:
            self._require_current(meta)
        self.params = IndexParams.from_meta(meta)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.storage.close()

    # --- checks ---------------------------------------------------------------------------

    def _require_schema(self, meta: dict[str, str]) -> None:
        if meta.get("schema") != self.storage.SCHEMA:
            raise IndexError_(self.storage.schema_message(meta.get("schema")))

    def _require_current(self, meta: dict[str, str]) -> None:
        """Refuse an index of another schema or built under another configuration."""
        self._require_schema(meta)
        self.config.require_same(meta["fingerprint"], what="index")

    # --- writing --------------------------------------------------------------------------

    def add(self, docs: Iterable[Document], *, batch_size: int = 500, replace_other_paths: bool = False,
            progress: Callable[[int], None] | None = None) -> AddReport:
        """Add or replace documents, one transaction per batch; unchanged ones are skipped.

        A changed document whose id is held by a document from another path is refused
        (`AddReport.refused`) unless `replace_other_paths`: two files that happen to get one
        id must not silently become one. `progress(n)` is told the documents done so far.
        """
        added = replaced = unchanged = done = 0
        skipped: list[tuple[str, str]] = []
        refused: list[tuple[str, str, str]] = []
        with self.storage.guard():
            for some in _batches(docs, batch_size):
                new, old, same = self._add_batch(some, skipped, None if replace_other_paths else refused)
                added, replaced, unchanged = added + new, replaced + old, unchanged + same
                done += len(some)
                if progress is not None:
                    progress(done)
            self.storage.checkpoint()
        return AddReport(added, replaced, unchanged, tuple(skipped), tuple(refused))

    def _refuse_other_paths(self, todo: list[Document], stored: dict[str, tuple[int, int]],
                            refused: list[tuple[str, str, str]]) -> list[Document]:
        """`todo` without the documents whose id is stored for a file at another path (noted in `refused`)."""
        held = {doc.id: doc.path for doc in self.storage.documents([doc.id for doc in todo if doc.id in stored])}
        clash = {doc.id for doc in todo if doc.id in held and not same_path(held[doc.id], doc.path)}
        refused.extend((doc.id, doc.path, held[doc.id]) for doc in todo if doc.id in clash)
        return [doc for doc in todo if doc.id not in clash]

    def _add_batch(self, docs: list[Document], skipped: list[tuple[str, str]],
                   refused: list[tuple[str, str, str]] | None) -> tuple[int, int, int]:
        """(added, replaced, unchanged) for one batch; the later of two documents with one id wins."""
        by_id: dict[str, Document] = {}
        for doc in docs:
            if doc.id in by_id:
                skipped.append((doc.id, "duplicate id in this batch; the later one was kept"))
            by_id[doc.id] = doc
        hashes = {doc_id: content_hash(doc) for doc_id, doc in by_id.items()}
        stored = self.storage.numbers(list(by_id))
        todo = [doc for doc_id, doc in by_id.items() if stored.get(doc_id, (None, None))[1] != hashes[doc_id]]
        unchanged = len(by_id) - len(todo)
        if refused is not None and todo:
            todo = self._refuse_other_paths(todo, stored, refused)
        if not todo:
            return 0, 0, unchanged
        features = doc_features([doc.text for doc in todo], self.config, self.params)
        empty = (features.signatures == EMPTY_VALUE).all(axis=1)  # no word token at all
        if empty.any():
            skipped.extend((doc.id, "no words to index") for doc, is_empty in zip(todo, empty) if is_empty)
            todo, features = [doc for doc, is_empty in zip(todo, empty) if not is_empty], features.subset(~empty)
            if not todo:
                return 0, 0, unchanged
        replaced = self.storage.write(lambda batch: self._replace(batch, todo, hashes, features))
        return len(todo) - replaced, replaced, unchanged

    def _replace(self, batch: WriteBatch, docs: list[Document], hashes: dict[str, int],
                 features: DocFeatures) -> int:
        """Store `docs`, taking away any stored version of them first; returns how many that replaced."""
        meta = batch.read_meta()
        self._require_current(meta)
        removal = self._removal(batch, [doc.id for doc in docs])
        self._count_phrases(batch, meta, removal, features.phrases)
        self._take_away(batch, removal)
        ns = batch.put_documents(docs, [hashes[doc.id] for doc in docs],
                                 [signature_bytes(sig, self.config.seed) for sig in features.signatures])
        batch.add_postings(ns, [doc.id for doc in docs], features)
        batch.set_meta(n_docs=int(meta["n_docs"]) - len(removal.ns) + len(ns))
        return len(removal.ns)

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id in one transaction; returns the ids that were present."""
        ids = list(dict.fromkeys(ids))
        with self.storage.guard():
            present = set(self.storage.write(lambda batch: self._remove_ids(batch, ids)))
            self.storage.checkpoint()
        return [doc_id for doc_id in ids if doc_id in present]

    def _remove_ids(self, batch: WriteBatch, ids: list[str]) -> list[str]:
        meta = batch.read_meta()
        self._require_current(meta)
        removal = self._removal(batch, ids)
        if removal.ns:
            self._count_phrases(batch, meta, removal, [])
            self._take_away(batch, removal)
            batch.set_meta(n_docs=int(meta["n_docs"]) - len(removal.ns))
        return removal.ids

    def _removal(self, batch: WriteBatch, ids: Sequence[str]) -> _Removal:
        """The stored documents among `ids`, with the features of their stored texts."""
        stored = batch.numbers(ids)
        ns = [n for n, _ in stored.values()]
        features = doc_features(batch.texts(ns), self.config, self.params) if ns else None
        return _Removal(list(stored), ns, features)

    @staticmethod
    def _take_away(batch: WriteBatch, removal: _Removal) -> None:
        if removal.ns:
            batch.remove_postings(removal.ns, removal.ids, removal.features)
            batch.delete_documents(removal.ns, removal.ids)

    # --- phrase counts --------------------------------------------------------------------

    def _count_phrases(self, batch: WriteBatch, meta: dict[str, str], removal: _Removal,
                       added: Sequence[np.ndarray]) -> None:
        """Take the removed documents' phrases out of the count-min rows and add the new ones'.

        Counts saturate at 0 and 65535. When the new total overloads the sketch it is
        recounted wider from the stored texts (those not removed) plus the new phrases.
        """
        removed = removal.features.phrases if removal.features is not None else []
        if not removed and not added:
            return
        depth, bits, total = self.params.cms_depth, int(meta["cms_bits"]), int(meta["cms_total"])
        rows = batch.cms_rows(depth, bits)
        if removed:
            total = max(0, total - cms.add(rows, removed, -1, bits))
        if added:
            total += cms.add(rows, added, +1, bits)
            if cms.should_widen(total, bits):
                bits = cms.bits_for(total)
                rows, total = self._recount(batch, bits, set(removal.ns), added)
        batch.put_cms_rows(rows)
        batch.set_meta(cms_bits=bits, cms_total=total)

    def _recount(self, reads: Reads, bits: int, left_out: set[int],
                 added: Sequence[np.ndarray]) -> tuple[list[np.ndarray], int]:
        """Count-min rows `bits` wide of every stored text but `left_out`, plus `added`; and their total."""
        counts = np.zeros((self.params.cms_depth, 1 << cms.MAX_BITS), dtype=np.int64)
        total = 0
        for ns, texts in reads.text_batches(REBUILD_BATCH):
            kept = [text for n, text in zip(ns, texts) if n not in left_out]
            total += cms.count_into(counts, doc_phrases(kept), cms.MAX_BITS)
        total += cms.count_into(counts, added, cms.MAX_BITS)
        return list(cms.fold(counts, bits)), total

    # --- rebuilding -----------------------------------------------------------------------

    def rebuild(self, config: SketchConfig | None = None, *, batch_size: int = REBUILD_BATCH) -> int:
        """Recompute signatures, postings and phrase counts from the stored texts, switching at once.

        With `config`, the index moves to that configuration (what a fingerprint mismatch asks for).
        Returns the number of documents.
        """
        config = config or self.config
        with self.storage.guard():
            count = self.storage.rebuild(lambda target: self._rebuild_into(target, config, batch_size))
        self.config = config
        return count

    def _rebuild_into(self, target: RebuildBatch, config: SketchConfig, batch_size: int) -> int:
        counts = np.zeros((self.params.cms_depth, 1 << cms.MAX_BITS), dtype=np.int64)
        count = total = 0
        for ns, texts in target.text_batches(batch_size):
            features = doc_features(texts, config, self.params)
            target.put_signatures(ns, [signature_bytes(sig, config.seed) for sig in features.signatures])
            ids = target.doc_ids(ns)
            target.add_postings(ns, [ids[n] for n in ns], features)
            total += cms.count_into(counts, features.phrases, cms.MAX_BITS)
            count += len(ns)
        bits = cms.bits_for(total)
        target.put_cms_rows(list(cms.fold(counts, bits)))
        target.set_meta(fingerprint=config.fingerprint, phrase_keys=phrase_key_version(), cms_bits=bits,
                        cms_total=total, n_docs=count)
        return count

    # --- reading --------------------------------------------------------------------------

    @property
    def n_docs(self) -> int:
        with self.storage.guard():
            return int(self.storage.read_meta().get("n_docs") or 0)

    def candidates(self, query: QueryFeatures, *, limit: int = 10, max_df: int | None = None) -> list[Candidate]:
        """Stored documents sharing fingerprints or LSH bands with `query`, best first (see `rank_candidates`)."""
        with self.storage.guard(), self.storage.snapshot():
            hits = self.storage.lookup(query)
            self._require_current(hits.meta)
            docs, fp_count, band_count, score = rank_candidates(
                hits.fingerprint_keys, hits.fingerprint_docs, hits.band_docs, int(hits.meta["n_docs"]),
                limit=limit, max_df=max_df,
            )
            ids = self.storage.doc_ids(docs.tolist()) if len(docs) else {}
        return [
            Candidate(ids[int(n)], int(fps), int(bands), float(points))
            for n, fps, bands, points in zip(docs, fp_count, band_count, score)
            if int(n) in ids
        ]

    def documents(self, ids: Sequence[str]) -> list[Document]:
        """Stored documents by id, in the order asked (missing ids are left out)."""
        with self.storage.guard():
            return self.storage.documents(ids)

    def signatures(self, ids: Sequence[str]) -> dict[str, bytes]:
        """Stored LeanMinHash bytes by id."""
        with self.storage.guard():
            return self.storage.signatures(ids)

    def content_hashes(self, ids: Sequence[str]) -> dict[str, int]:
        with self.storage.guard():
            return {doc_id: digest for doc_id, (_, digest) in self.storage.numbers(list(ids)).items()}

    def ids(self) -> list[str]:
        with self.storage.guard():
            return self.storage.ids()

    @property
    def root(self) -> str | None:
        """The folder `index add` names documents from (`ids.id_prefix`); None until the first add."""
        with self.storage.guard():
            return self.storage.read_meta().get("root") or None

    def set_root(self, root: str) -> None:
        """Record the folder ids are relative to (once: ids already stored depend on it)."""
        with self.storage.guard():
            self.storage.write(lambda batch: batch.set_meta(root=root))

    def phrase_stats(self) -> StoredPhraseStats:
        """Phrase counts for `verdict.compare` (refuses counts keyed the way this code no longer asks)."""
        return StoredPhraseStats(self.storage, self.params.cms_depth)

    def stats(self) -> IndexStats:
        with self.storage.guard():
            self._require_schema(self.storage.read_meta())
            usage = self.storage.usage()
        return IndexStats(
            location=self.location,
            config_fingerprint=usage.meta["fingerprint"],
            params=self.params,
            documents=int(usage.meta["n_docs"]),
            fingerprints=usage.fingerprints,
            band_entries=usage.band_entries,
            text_bytes=usage.text_bytes,
            size_bytes=usage.size_bytes,
            structure_bytes=max(usage.size_bytes - usage.text_footprint, 0),
            extra={"cms_width": str(1 << int(usage.meta["cms_bits"])), **usage.extra},
        )


class StoredPhraseStats:
    """Phrase document frequencies from an index's count-min rows (never undercounts).

    The meta values are read on first use, so a check whose drafts find no candidate
    costs no read of them; a draft's phrases are asked about once per candidate, so
    recent answers are kept.
    """

    MEMO = 64

    def __init__(self, storage: Storage, depth: int) -> None:
        self._storage, self._depth = storage, depth
        self._meta: dict[str, str] | None = None
        self._memo: dict[bytes, np.ndarray] = {}

    def _load(self) -> dict[str, str]:
        if self._meta is None:
            with self._storage.guard():
                meta = self._storage.read_meta()
            require_phrase_keys(meta.get("phrase_keys"))
            self._meta = meta
        return self._meta

    @property
    def n_docs(self) -> int:
        return int(self._load()["n_docs"])

    def doc_freq(self, hashes: np.ndarray) -> np.ndarray:
        """Estimated number of indexed documents containing each phrase key."""
        hashes = np.asarray(hashes)
        meta = self._load()
        n_docs = int(meta["n_docs"])
        if len(hashes) == 0 or n_docs == 0:
            return np.zeros(len(hashes), dtype=np.int64)
        memo = hashes.astype(np.uint64).tobytes()
        if memo not in self._memo:
            self._memo = self._memo if len(self._memo) < self.MEMO else {}
            self._memo[memo] = self._estimate(meta, hashes, n_docs)
        return self._memo[memo].copy()

    def _estimate(self, meta: dict[str, str], hashes: np.ndarray, n_docs: int) -> np.ndarray:
        slots = cms.slots(hashes, self._depth, int(meta["cms_bits"]))
        cells = [unique(row, return_inverse=True) for row in slots]
        with self._storage.guard():
            counts = self._storage.phrase_cells(meta, [distinct for distinct, _ in cells])
        out = np.full(len(hashes), np.iinfo(np.int64).max, dtype=np.int64)
        for (_, inverse), row_counts in zip(cells, counts):
            np.minimum(out, row_counts[inverse], out=out)
        return np.minimum(out, n_docs)
