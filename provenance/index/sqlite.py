"""The embedded index: one SQLite file, safe to query while another process adds to it.

Schema (every table but ``meta`` keys documents by the integer ``n``):

* ``meta(key, value)`` — schema version, config fingerprint, `IndexParams`, counts.
* ``docs(n, id UNIQUE, hash, path, title, url, site, published, chars, raw_chars, sig)``
  — ``hash`` is xxh3 of text + metadata (unchanged documents are skipped on re-add);
  ``sig`` is datasketch ``LeanMinHash.serialize(buf, byteorder="<")`` bytes.
* ``texts(n, z)`` — the text, zlib-compressed; kept apart so metadata pages stay dense.
* ``bands(key, n)`` and ``fps(key, n)`` — WITHOUT ROWID posting tables keyed by 32-bit
  hashes stored as signed integers (4 bytes a key). A query is a handful of indexed
  ``IN`` lookups: nothing is loaded whole, so memory does not grow with the index.
* ``cms(row, counts)`` — the count-min sketch of phrase document frequencies (`cms`),
  one little-endian uint16 blob per row, read by random access (``blobopen``) at query
  time. Counts saturate at 65535 (an index of 6.5M documents would need wider counters).

Writes happen in WAL mode, one transaction per batch (``BEGIN IMMEDIATE``): a killed
``add`` loses at most its current batch and readers never see a half-written one.
Deleted documents' postings are found again by recomputing them from the stored
text, so no secondary index by document is needed.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from ..config import SketchConfig
from ..errors import ConfigMismatchError, IndexError_
from ..model import Document
from . import (
    AddReport,
    Candidate,
    DocFeatures,
    IndexParams,
    IndexStats,
    QueryFeatures,
    cms,
    content_hash,
    doc_features,
    doc_phrases,
    phrase_key_version,
    rank_candidates,
    require_phrase_keys,
    signature_bytes,
)

SCHEMA_VERSION = "1"
EMPTY_VALUE = np.uint32(0xFFFFFFFF)  # sketch's signature value for a text without shingles
_SQL_VARS = 30000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS docs(
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, hash INTEGER NOT NULL,
    path TEXT, title TEXT, url TEXT, site TEXT, published TEXT,
    chars INTEGER NOT NULL, raw_chars INTEGER NOT NULL, sig BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS texts(n INTEGER PRIMARY KEY, z BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bands(key INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(key, n)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fps(key INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(key, n)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cms(row INTEGER PRIMARY KEY, counts BLOB NOT NULL);
"""


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class SQLitePhraseStats:
    """Phrase document frequencies from the index's count-min sketch (never undercounts)."""

    def __init__(self, con: sqlite3.Connection, n_docs: int, depth: int, bits: int) -> None:
        self._con, self.n_docs, self._depth, self._bits = con, n_docs, depth, bits

    def doc_freq(self, hashes: np.ndarray) -> np.ndarray:
        """Estimated number of indexed documents containing each phrase key (`index.phrase_keys`)."""
        hashes = np.asarray(hashes)
        out = np.full(len(hashes), np.iinfo(np.int64).max, dtype=np.int64)
        if len(hashes) == 0 or self.n_docs == 0:
            return np.zeros(len(hashes), dtype=np.int64)
        slots = cms.slots(hashes, self._depth, self._bits)
        for r in range(self._depth):
            uniq, inverse = np.unique(slots[r], return_inverse=True)
            vals = np.empty(len(uniq), dtype=np.int64)
            with self._con.blobopen("cms", "counts", r, readonly=True) as blob:
                for i, s in enumerate(uniq.tolist()):
                    blob.seek(2 * s)
                    vals[i] = int.from_bytes(blob.read(2), "little")
            np.minimum(out, vals[inverse], out=out)
        return np.minimum(out, self.n_docs)


class SQLiteIndex:
    """A document index in one SQLite file (see the module docstring for the schema)."""

    def __init__(
        self,
        path: Path,
        config: SketchConfig,
        *,
        create: bool = False,
        params: IndexParams | None = None,
        check_config: bool = True,
    ) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.config = config
        if not self.path.exists():
            if not create:
                raise IndexError_(
                    f"no index at {self.path}: build one with `provenance index add PATH...` "
                    f"(or point to it with --index PATH)"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = sqlite3.connect(self.path, isolation_level=None, timeout=60, check_same_thread=False)
            self.con.execute("PRAGMA busy_timeout=60000")
            meta = self._read_meta()
            if not meta:
                foreign = self.con.execute("SELECT count(*) FROM sqlite_schema WHERE name <> 'meta'").fetchone()[0]
                if not create or foreign:
                    raise IndexError_(
                        f"{self.path} is not a provenance index: give --index a new file name, "
                        "or build one with `provenance index add`"
                    )
                meta = self._create(params or IndexParams())
        except sqlite3.DatabaseError as exc:
            raise IndexError_(f"cannot open index {self.path}: {exc} (rebuild it or point --index elsewhere)") from exc
        if meta.get("schema") != SCHEMA_VERSION:
            raise IndexError_(
                f"{self.path} has index schema {meta.get('schema')!r}, this version reads {SCHEMA_VERSION!r}: "
                "rebuild it from the original files"
            )
        self.stored_fingerprint = meta["fingerprint"]
        if check_config:
            config.require_same(self.stored_fingerprint, what="index")
        self.params = IndexParams.from_meta(meta)
        self.con.execute("PRAGMA synchronous=NORMAL")
        self.con.execute("PRAGMA cache_size=-65536")

    # --- plumbing ---------------------------------------------------------------------

    def _read_meta(self) -> dict[str, str]:
        try:
            return dict(self.con.execute("SELECT key, value FROM meta"))
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return {}
            raise

    def _meta(self, key: str) -> str:
        return self.con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()[0]

    def _set_meta(self, **values: object) -> None:
        self.con.executemany(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            [(k, str(v)) for k, v in values.items()],
        )

    def _create(self, params: IndexParams) -> dict[str, str]:
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("BEGIN IMMEDIATE")
        try:
            for statement in filter(str.strip, _SCHEMA.split(";")):  # executescript would commit
                self.con.execute(statement)
            if not self.con.execute("SELECT 1 FROM meta WHERE key='schema'").fetchone():
                self._set_meta(
                    schema=SCHEMA_VERSION, fingerprint=self.config.fingerprint, bands=params.bands,
                    rows=params.rows, winnow=params.winnow, cms_depth=params.cms_depth,
                    cms_bits=cms.MIN_BITS, cms_total=0, n_docs=0, phrase_keys=phrase_key_version(),
                )
                self._reset_cms(params.cms_depth, cms.MIN_BITS)
            self.con.execute("COMMIT")
        except BaseException:
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            raise
        return self._read_meta()

    def _write(self):
        return _WriteTxn(self.con)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> SQLiteIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- count-min sketch ---------------------------------------------------------------

    def _reset_cms(self, depth: int, bits: int) -> None:
        self.con.execute("DELETE FROM cms")
        self.con.executemany(
            "INSERT INTO cms(row, counts) VALUES(?, zeroblob(?))", [(r, 2 << bits) for r in range(depth)]
        )

    def _cms_add(self, phrase_sets: Sequence[np.ndarray], sign: int) -> None:
        if not phrase_sets:
            return
        bits = int(self._meta("cms_bits"))
        rows = [
            np.frombuffer(self.con.execute("SELECT counts FROM cms WHERE row=?", (r,)).fetchone()[0], dtype="<u2")
            .astype(np.int64)
            for r in range(self.params.cms_depth)
        ]
        added = cms.add(rows, phrase_sets, sign, bits)
        self.con.executemany(
            "UPDATE cms SET counts=? WHERE row=?", [(row.astype("<u2").tobytes(), r) for r, row in enumerate(rows)]
        )
        total = max(0, int(self._meta("cms_total")) + sign * added)
        self._set_meta(cms_total=total)
        if sign > 0 and cms.should_widen(total, bits):
            self._recount_cms(cms.bits_for(total))

    def _recount_cms(self, bits: int) -> None:
        """Rebuild the sketch at `bits` width from every stored text (inside the caller's txn)."""
        depth = self.params.cms_depth
        counts = np.zeros((depth, 1 << bits), dtype=np.int64)
        total = 0
        for _, texts in self._text_batches():
            total += cms.count_into(counts, doc_phrases(texts), bits)
        np.clip(counts, 0, 0xFFFF, out=counts)
        self.con.execute("DELETE FROM cms")
        self.con.executemany(
            "INSERT INTO cms(row, counts) VALUES(?, ?)",
            [(r, counts[r].astype("<u2").tobytes()) for r in range(depth)],
        )
        self._set_meta(cms_bits=bits, cms_total=total)

    def _text_batches(self, batch: int = 2000) -> Iterator[tuple[list[int], list[str]]]:
        last = 0
        while True:
            rows = self.con.execute(
                "SELECT n, z FROM texts WHERE n > ? ORDER BY n LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            yield [r[0] for r in rows], [zlib.decompress(r[1]).decode("utf-8", "surrogatepass") for r in rows]
            last = rows[-1][0]

    # --- writing --------------------------------------------------------------------------

    def add(self, docs: Iterable[Document], *, batch_size: int = 500) -> AddReport:
        """Add or replace documents, one transaction per batch; unchanged ones are skipped."""
        added = replaced = unchanged = 0
        skipped: list[tuple[str, str]] = []
        batch: list[Document] = []

        def flush() -> None:
            nonlocal added, replaced, unchanged
            a, r, u, s = self._add_batch(batch)
            added, replaced, unchanged = added + a, replaced + r, unchanged + u
            skipped.extend(s)
            batch.clear()

        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        self._checkpoint()
        return AddReport(added, replaced, unchanged, tuple(skipped))

    def _add_batch(self, batch: list[Document]) -> tuple[int, int, int, list[tuple[str, str]]]:
        skipped: list[tuple[str, str]] = []
        by_id: dict[str, Document] = {}
        for d in batch:
            if d.id in by_id:
                skipped.append((d.id, "duplicate id in this batch; the later one was kept"))
            by_id[d.id] = d
        hashes = {i: content_hash(d) for i, d in by_id.items()}
        existing = self._existing(list(by_id))
        todo = [d for i, d in by_id.items() if existing.get(i, (None, None))[1] != hashes[i]]
        unchanged = len(by_id) - len(todo)
        if not todo:
            return 0, 0, unchanged, skipped
        feats = doc_features([d.text for d in todo], self.config, self.params)
        empty = (feats.signatures == EMPTY_VALUE).all(axis=1)  # no word token at all
        if empty.any():
            skipped.extend((d.id, "no words to index") for d, e in zip(todo, empty) if e)
            todo, feats = [d for d, e in zip(todo, empty) if not e], feats.subset(~empty)
            if not todo:
                return 0, 0, unchanged, skipped
        with self._write():
            existing = self._existing([d.id for d in todo])  # again, inside the transaction
            old = [n for i, (n, h) in existing.items()]
            if old:
                self._delete(old)
            self._insert(todo, [hashes[d.id] for d in todo], feats)
        replaced = len(existing)
        return len(todo) - replaced, replaced, unchanged, skipped

    def _existing(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for chunk in _chunks(ids, _SQL_VARS):
            q = f"SELECT id, n, hash FROM docs WHERE id IN ({','.join('?' * len(chunk))})"
            out.update((i, (n, h)) for i, n, h in self.con.execute(q, list(chunk)))
        return out

    def _insert(self, docs: Sequence[Document], hashes: Sequence[int], feats) -> None:
        seed = self.config.seed
        cur = self.con.cursor()
        ns: list[int] = []
        for d, h, sig in zip(docs, hashes, feats.signatures):
            cur.execute(
                "INSERT INTO docs(id, hash, path, title, url, site, published, chars, raw_chars, sig) "
                "VALUES(?,?,?,?,?,?,?,?,?,?)",
                (d.id, h, d.path, d.title, d.url, d.site, d.published, len(d.text),
                 d.raw_chars or len(d.text), signature_bytes(sig, seed)),
            )
            ns.append(cur.lastrowid)
        cur.executemany(
            "INSERT INTO texts(n, z) VALUES(?, ?)",
            [(n, zlib.compress(d.text.encode("utf-8", "surrogatepass"), 6)) for n, d in zip(ns, docs)],
        )
        band_rows, fp_rows = _posting_rows(feats, ns)
        cur.executemany("INSERT OR IGNORE INTO bands(key, n) VALUES(?, ?)", band_rows)
        cur.executemany("INSERT OR IGNORE INTO fps(key, n) VALUES(?, ?)", fp_rows)
        self._set_meta(n_docs=int(self._meta("n_docs")) + len(ns))
        self._cms_add(feats.phrases, +1)

    def _delete(self, ns: Sequence[int]) -> None:
        """Remove documents by number, with their postings and phrase counts (inside a txn)."""
        rows = []
        for chunk in _chunks(list(ns), _SQL_VARS):
            q = f"SELECT n, z FROM texts WHERE n IN ({','.join('?' * len(chunk))})"
            rows.extend(self.con.execute(q, list(chunk)).fetchall())
        if not rows:
            return
        found = [r[0] for r in rows]
        feats = doc_features(
            [zlib.decompress(r[1]).decode("utf-8", "surrogatepass") for r in rows], self.config, self.params
        )
        band_rows, fp_rows = _posting_rows(feats, found)
        self.con.executemany("DELETE FROM bands WHERE key=? AND n=?", band_rows)
        self.con.executemany("DELETE FROM fps WHERE key=? AND n=?", fp_rows)
        self.con.executemany("DELETE FROM texts WHERE n=?", [(n,) for n in found])
        self.con.executemany("DELETE FROM docs WHERE n=?", [(n,) for n in found])
        self._set_meta(n_docs=int(self._meta("n_docs")) - len(found))
        self._cms_add(feats.phrases, -1)

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id in one transaction; returns the ids that were present."""
        ids = list(dict.fromkeys(ids))
        with self._write():
            existing = self._existing(ids)
            self._delete([n for n, _ in existing.values()])
        self._checkpoint()
        return [i for i in ids if i in existing]

    def rebuild(self, config: SketchConfig | None = None, *, batch_size: int = 2000) -> int:
        """Recompute signatures, postings and phrase counts from the stored texts, atomically.

        With `config`, the index moves to that configuration (what a fingerprint mismatch asks for).
        """
        config = config or self.config
        self.config = config
        count = 0
        with self._write():
            self.con.execute("DELETE FROM bands")
            self.con.execute("DELETE FROM fps")
            self._set_meta(fingerprint=config.fingerprint, phrase_keys=phrase_key_version())
            for ns, texts in self._text_batches(batch_size):
                feats = doc_features(texts, config, self.params, phrases=False)
                self.con.executemany(
                    "UPDATE docs SET sig=? WHERE n=?",
                    [(signature_bytes(s, config.seed), n) for s, n in zip(feats.signatures, ns)],
                )
                band_rows, fp_rows = _posting_rows(feats, ns)
                self.con.executemany("INSERT OR IGNORE INTO bands(key, n) VALUES(?, ?)", band_rows)
                self.con.executemany("INSERT OR IGNORE INTO fps(key, n) VALUES(?, ?)", fp_rows)
                count += len(ns)
            self._set_meta(n_docs=count)
            self._recount_cms(cms.MIN_BITS)
            bits = cms.bits_for(int(self._meta("cms_total")))
            if bits != cms.MIN_BITS:
                self._recount_cms(bits)
        self.stored_fingerprint = config.fingerprint
        self._checkpoint()
        self.con.execute("VACUUM")
        return count

    def _checkpoint(self) -> None:
        """Fold the WAL back into the file and truncate it, unless readers keep it busy."""
        try:
            self.con.execute("PRAGMA busy_timeout=2000")
            self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # a busy reader: a later writer checkpoints
        finally:
            self.con.execute("PRAGMA busy_timeout=60000")

    # --- reading ---------------------------------------------------------------------------

    def _require_current(self) -> None:
        stored = self._meta("fingerprint")
        if stored != self.config.fingerprint:
            raise ConfigMismatchError(
                f"index built with {stored}; this query uses {self.config.fingerprint}: "
                "rebuild it with `provenance index rebuild`"
            )

    @property
    def n_docs(self) -> int:
        return int(self._meta("n_docs"))

    def candidates(self, query: QueryFeatures, *, limit: int = 10, max_df: int | None = None) -> list[Candidate]:
        """Stored documents sharing fingerprints or LSH bands with `query`, best first (see `rank_candidates`)."""
        with _ReadTxn(self.con):
            self._require_current()
            n_docs = self.n_docs
            fk, fn = self._lookup("fps", query.shingles)
            _, bn = self._lookup("bands", query.bands)
            docs, fcount, bcount, score = rank_candidates(fk, fn, bn, n_docs, limit=limit, max_df=max_df)
            ids = dict(self._ids(docs.tolist()))
        return [
            Candidate(ids[int(d)], int(f), int(b), float(sc))
            for d, f, b, sc in zip(docs, fcount, bcount, score)
            if int(d) in ids
        ]

    def _lookup(self, table: str, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ks, ns = [], []
        keys = np.unique(np.asarray(keys, dtype=np.int64))
        for chunk in _chunks(keys.tolist(), _SQL_VARS):
            q = f"SELECT key, n FROM {table} WHERE key IN ({','.join('?' * len(chunk))})"
            rows = self.con.execute(q, chunk).fetchall()
            if rows:
                arr = np.array(rows, dtype=np.int64)
                ks.append(arr[:, 0])
                ns.append(arr[:, 1])
        if not ks:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(ks), np.concatenate(ns)

    def _ids(self, ns: list[int]) -> list[tuple[int, str]]:
        if not ns:
            return []
        q = f"SELECT n, id FROM docs WHERE n IN ({','.join('?' * len(ns))})"
        return self.con.execute(q, ns).fetchall()

    def documents(self, ids: Sequence[str]) -> list[Document]:
        """Stored documents by id, in the order asked (missing ids are left out)."""
        found: dict[str, Document] = {}
        for chunk in _chunks(list(ids), _SQL_VARS):
            q = (
                "SELECT d.id, d.path, d.title, d.url, d.site, d.published, d.raw_chars, t.z "
                f"FROM docs d JOIN texts t ON t.n = d.n WHERE d.id IN ({','.join('?' * len(chunk))})"
            )
            for i, path, title, url, site, published, raw_chars, z in self.con.execute(q, list(chunk)):
                text = zlib.decompress(z).decode("utf-8", "surrogatepass")
                found[i] = Document(
                    id=i, text=text, path=path or "", title=title, url=url, site=site,
                    published=published, raw_chars=raw_chars,
                )
        return [found[i] for i in ids if i in found]

    def signatures(self, ids: Sequence[str]) -> dict[str, bytes]:
        """Stored LeanMinHash bytes by id."""
        out: dict[str, bytes] = {}
        for chunk in _chunks(list(ids), _SQL_VARS):
            q = f"SELECT id, sig FROM docs WHERE id IN ({','.join('?' * len(chunk))})"
            out.update(self.con.execute(q, list(chunk)))
        return out

    def content_hashes(self, ids: Sequence[str]) -> dict[str, int]:
        return {i: h for i, (_, h) in self._existing(list(ids)).items()}

    def ids(self) -> list[str]:
        return [r[0] for r in self.con.execute("SELECT id FROM docs ORDER BY id")]

    def phrase_stats(self) -> SQLitePhraseStats:
        """Phrase counts for `verdict.compare`; refuses counts keyed the way this code no longer asks."""
        require_phrase_keys(self._meta("phrase_keys"))
        return SQLitePhraseStats(self.con, self.n_docs, self.params.cms_depth, int(self._meta("cms_bits")))

    def stats(self) -> IndexStats:
        with _ReadTxn(self.con):
            n_docs = self.n_docs
            fps = self.con.execute("SELECT count(*) FROM fps").fetchone()[0]
            bands = self.con.execute("SELECT count(*) FROM bands").fetchone()[0]
            text_bytes = self.con.execute("SELECT coalesce(sum(length(z)), 0) FROM texts").fetchone()[0]
            try:
                pages = dict(self.con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
            except sqlite3.DatabaseError:
                pages = {}
            bits = self._meta("cms_bits")
        size = sum(p.stat().st_size for p in self._files())
        text_pages = pages.get("texts", text_bytes)
        return IndexStats(
            location=self.location,
            config_fingerprint=self.stored_fingerprint,
            params=self.params,
            documents=n_docs,
            fingerprints=fps,
            band_entries=bands,
            text_bytes=text_bytes,
            size_bytes=size,
            structure_bytes=max(size - text_pages, 0),
            extra={"cms_width": str(1 << int(bits)), **{f"table_{k}": str(v) for k, v in sorted(pages.items())}},
        )

    def _files(self) -> list[Path]:
        return [p for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")) if p.exists()]


def _posting_rows(feats: DocFeatures, ns: Sequence[int]) -> tuple[list[list[int]], list[list[int]]]:
    """The (key, n) rows of the bands and fps tables for documents numbered `ns`, each sorted."""
    nb = feats.bands.shape[1]
    band_rows = np.stack([feats.bands.reshape(-1).astype(np.int64), np.repeat(ns, nb)], axis=1)
    fp_rows = np.concatenate(
        [np.stack([f.astype(np.int64), np.full(len(f), n)], axis=1) for f, n in zip(feats.fingerprints, ns)]
    )
    return _sorted_pairs(band_rows), _sorted_pairs(fp_rows)


def _sorted_pairs(rows: np.ndarray) -> list[list[int]]:
    """(key, n) rows sorted by key: b-tree inserts in key order touch each page once."""
    if len(rows) == 0:
        return []
    return rows[np.lexsort((rows[:, 1], rows[:, 0]))].tolist()


class _WriteTxn:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (including KeyboardInterrupt)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> None:
        self.con.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.con.execute("COMMIT")
        elif self.con.in_transaction:
            self.con.execute("ROLLBACK")


class _ReadTxn:
    """One consistent snapshot for a multi-statement read."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self.own = False

    def __enter__(self) -> None:
        if not self.con.in_transaction:
            self.con.execute("BEGIN")
            self.own = True

    def __exit__(self, *exc: object) -> None:
        if self.own and self.con.in_transaction:
            self.con.execute("COMMIT")
