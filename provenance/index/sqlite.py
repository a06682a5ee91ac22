"""The embedded index: one SQLite file, safe to query while another process adds to it.

Schema (every table but ``meta`` keys documents by the integer ``n``):

* ``meta(key, value)`` — schema version, config fingerprint, `IndexParams`, counts.
* ``docs(n, id UNIQUE, hash, path, title, url, site, published, chars, raw_chars, sig)``
  — ``hash`` is xxh3 of text + metadata (unchanged documents are skipped on re-add);
  ``sig`` is datasketch ``LeanMinHash.serialize(buf, byteorder="<")`` bytes.
* ``texts(n, z)`` — the text, zlib-compressed; kept apart so metadata pages stay dense.
* ``bands(bucket, data)`` and ``fps(bucket, data)`` — packed posting lists (`Layout`):
  a row per bucket of keys (fmix32-mixed, so buckets fill evenly) sharing their top
  ``bits`` bits, its blob the bucket's (key, n) postings sorted, each the key's other
  bits and ``n`` in as few little-endian bytes as they need: 5 a posting at 100k
  documents, ~6 on disk with row and page overhead, against ~14 for a WITHOUT ROWID
  (key, n) row of its own (schema 1). ``bits`` widens as a table grows (an in-place
  rewrite, amortised like the phrase sketch's) so a bucket holds 16-64 postings, and
  ``doc_bytes`` as ``n`` grows. An add or remove rewrites only the buckets it touches.
  A query reads its keys' buckets in one indexed ``IN`` lookup: nothing is loaded
  whole, so memory does not grow with the index.
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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from provenance.errors import ConfigMismatchError, IndexError_
from provenance.fingerprint import minhash as sketch
from provenance.index import (
    AddReport,
    Candidate,
    DocFeatures,
    IndexParams,
    IndexStats,
    QueryFeatures,
    content_hash,
    doc_features,
    doc_phrases,
    phrase_key_version,
    rank_candidates,
    require_phrase_keys,
    signature_bytes,
)
from provenance.index import (
    count_min as cms,
)
from provenance.model import Document
from provenance.settings import SketchConfig

SCHEMA_VERSION = "2"  # 1: a (key, n) row per posting; 2: packed posting buckets
EMPTY_VALUE = np.uint32(0xFFFFFFFF)  # sketch's signature value for a text without shingles
_SQL_VARS = 30000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS docs(
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, hash INTEGER NOT NULL,
    path TEXT, title TEXT, url TEXT, site TEXT, published TEXT,
    chars INTEGER NOT NULL, raw_chars INTEGER NOT NULL, sig BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS texts(n INTEGER PRIMARY KEY, z BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bands(bucket INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fps(bucket INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS cms(row INTEGER PRIMARY KEY, counts BLOB NOT NULL);
"""


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- packed posting lists -------------------------------------------------------------------

POSTINGS = ("bands", "fps")
MIN_BITS, MAX_BITS = 8, 24  # bucket bits of a posting table; at least one byte of each key stays in the pair
BUCKET = 32  # postings a bucket holds on average after widening (up to twice that before the next)


@dataclass(frozen=True, slots=True)
class Layout:
    """How a posting table packs its postings: (key, n) pairs, handled as uint64 ``key << 32 | n``.

    Keys are `stored_keys` (mixed, so buckets fill evenly). A row's ``bucket`` is the top
    `bits` bits of its keys; its blob is the postings sorted, each the key's low
    ``32 - bits`` bits in `key_bytes` bytes, then n in `doc_bytes` bytes, little-endian.
    """

    bits: int
    doc_bytes: int

    @property
    def key_bytes(self) -> int:
        return (32 - self.bits + 7) // 8

    @property
    def width(self) -> int:
        return self.key_bytes + self.doc_bytes

    def buckets(self, postings: np.ndarray) -> np.ndarray:
        return (postings >> np.uint64(64 - self.bits)).astype(np.int64)

    def rows(self, postings: np.ndarray) -> list[tuple[int, bytes]]:
        """(bucket, blob) rows holding sorted postings."""
        if len(postings) == 0:
            return []
        le = postings.astype("<u8").view(np.uint8).reshape(-1, 8)  # bytes 0-3: n, 4-7: key
        data = np.concatenate([le[:, 4 : 4 + self.key_bytes], le[:, : self.doc_bytes]], axis=1).tobytes()
        buckets, starts = np.unique(self.buckets(postings), return_index=True)
        bounds = (np.append(starts, len(postings)) * self.width).tolist()
        return [(b, data[s:e]) for b, s, e in zip(buckets.tolist(), bounds[:-1], bounds[1:])]

    def postings(self, rows: Sequence[tuple[int, bytes]]) -> np.ndarray:
        """The sorted postings of rows read in bucket order (inverse of `rows`)."""
        blobs = [r[1] for r in rows]
        counts = np.fromiter(map(len, blobs), np.int64, len(blobs)) // self.width
        packed = np.frombuffer(b"".join(blobs), np.uint8).reshape(-1, self.width)
        le = np.zeros((len(packed), 8), np.uint8)
        le[:, 4 : 4 + self.key_bytes] = packed[:, : self.key_bytes]
        le[:, : self.doc_bytes] = packed[:, self.key_bytes :]
        high = np.repeat(np.fromiter((r[0] for r in rows), np.uint64, len(rows)), counts)
        return le.view("<u8").ravel().astype(np.uint64) | (high << np.uint64(64 - self.bits))


_M32 = np.uint64(0xFFFFFFFF)


def stored_keys(keys: np.ndarray) -> np.ndarray:
    """32-bit keys as the posting tables hold them, as uint64: murmur3's fmix32, a bijection, so
    winnowed fingerprints (minima, crowded at small values) spread evenly over the buckets."""
    return sketch.fmix32_array(np.asarray(keys).astype(np.int64).astype(np.uint32)).astype(np.uint64)


def _postings(keys: np.ndarray, ns: np.ndarray) -> np.ndarray:
    """Distinct sorted postings ``stored_key << 32 | n``."""
    return np.unique((stored_keys(keys) << np.uint64(32)) | np.asarray(ns).astype(np.uint64))


def _merged(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distinct postings of two sorted arrays (a stable sort merges the two runs in linear time)."""
    both = np.sort(np.concatenate([a, b]), kind="stable")
    keep = np.ones(len(both), bool)
    keep[1:] = both[1:] != both[:-1]
    return both[keep]


def _bits_for(entries: int) -> int:
    """Fewest bucket bits holding `entries` postings at `BUCKET` a bucket on average."""
    bits = MIN_BITS
    while entries > BUCKET << bits and bits < MAX_BITS:
        bits += 1
    return bits


def _doc_bytes_for(n: int) -> int:
    if n >= 1 << 32:
        raise IndexError_("document numbers past 2^32: add the documents to a new index")
    return max(1, (int(n).bit_length() + 7) // 8)


def _layout(meta: dict[str, str], table: str) -> Layout:
    return Layout(int(meta[f"{table}_bits"]), int(meta[f"{table}_doc_bytes"]))


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
        # an index of schema 1 (a row per posting) keeps what `rebuild` needs: it may open one to convert it
        self._old_layout = meta.get("schema") == "1"
        if meta.get("schema") != SCHEMA_VERSION and not (self._old_layout and not check_config):
            raise IndexError_(_schema_message(self.path, meta.get("schema")))
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
                    **_empty_postings(1),
                )
                self._reset_cms(params.cms_depth, cms.MIN_BITS)
            self.con.execute("COMMIT")
        except BaseException:
            if self.con.in_transaction:
                self.con.execute("ROLLBACK")
            raise
        return self._read_meta()

    def _require_layout(self) -> None:
        """Refuse to touch the postings of an index opened (for `rebuild`) in the old layout."""
        if self._old_layout:
            raise IndexError_(_schema_message(self.path, "1"))

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
        self._require_layout()
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
        self._post(feats, ns)
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
        self._post(feats, found, remove=True)
        self.con.executemany("DELETE FROM texts WHERE n=?", [(n,) for n in found])
        self.con.executemany("DELETE FROM docs WHERE n=?", [(n,) for n in found])
        self._set_meta(n_docs=int(self._meta("n_docs")) - len(found))
        self._cms_add(feats.phrases, -1)

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id in one transaction; returns the ids that were present."""
        self._require_layout()
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
            for table in POSTINGS:  # dropped, not emptied: an index of schema 1 is converted here
                self.con.execute(f"DROP TABLE IF EXISTS {table}")
                self.con.execute(f"CREATE TABLE {table}(bucket INTEGER PRIMARY KEY, data BLOB NOT NULL)")
            top = self.con.execute("SELECT coalesce(max(n), 0) FROM docs").fetchone()[0]
            self._set_meta(fingerprint=config.fingerprint, phrase_keys=phrase_key_version(),
                           schema=SCHEMA_VERSION, **_empty_postings(top))
            for ns, texts in self._text_batches(batch_size):
                feats = doc_features(texts, config, self.params, phrases=False)
                self.con.executemany(
                    "UPDATE docs SET sig=? WHERE n=?",
                    [(signature_bytes(s, config.seed), n) for s, n in zip(feats.signatures, ns)],
                )
                self._post(feats, ns)
                count += len(ns)
            self._set_meta(n_docs=count)
            self._recount_cms(cms.MIN_BITS)
            bits = cms.bits_for(int(self._meta("cms_total")))
            if bits != cms.MIN_BITS:
                self._recount_cms(bits)
        self.stored_fingerprint = config.fingerprint
        self._old_layout = False
        self._checkpoint()
        self.con.execute("VACUUM")
        return count

    # --- posting tables -----------------------------------------------------------------------

    def _post(self, feats: DocFeatures, ns: Sequence[int], *, remove: bool = False) -> None:
        """Add the band keys and fingerprints of documents `ns` to the posting tables, or take
        them away (inside the caller's transaction)."""
        ns = np.asarray(ns, np.int64)
        lens = [len(f) for f in feats.fingerprints]
        fps = np.concatenate(feats.fingerprints) if lens else np.empty(0, np.int32)
        for table, keys, owners in (("bands", feats.bands.reshape(-1), np.repeat(ns, feats.bands.shape[1])),
                                    ("fps", fps, np.repeat(ns, lens))):
            self._update(table, _postings(keys, owners), ns if remove else None)

    def _update(self, table: str, postings: np.ndarray, removed: np.ndarray | None) -> None:
        """Merge sorted `postings` into the buckets of `table`, or with `removed`, take the postings
        of documents `removed` out of the buckets `postings` fall in. Only the buckets touched are
        read and rewritten, a chunk at a time."""
        meta = self._read_meta()
        lay = _layout(meta, table)
        top = int((postings & _M32).max()) if len(postings) else 0
        if removed is None and _doc_bytes_for(top) > lay.doc_bytes:
            lay = self._relayout(table, Layout(lay.bits, _doc_bytes_for(top)))
        at = lay.buckets(postings)
        change = 0
        for chunk in _chunks(np.unique(at).tolist(), _SQL_VARS):
            old = lay.postings(self._buckets(table, chunk))
            if removed is None:
                new = _merged(old, postings[np.searchsorted(at, chunk[0]) : np.searchsorted(at, chunk[-1], "right")])
            else:
                new = old[~np.isin((old & _M32).astype(np.int64), removed)]
            change += len(new) - len(old)
            rows = lay.rows(new)
            self.con.executemany(f"INSERT OR REPLACE INTO {table}(bucket, data) VALUES(?, ?)", rows)
            if len(rows) < len(chunk):
                gone = set(chunk).difference(r[0] for r in rows)
                self.con.executemany(f"DELETE FROM {table} WHERE bucket=?", [(b,) for b in gone])
        entries = int(meta[f"{table}_entries"]) + change
        self._set_meta(**{f"{table}_entries": entries})
        if entries > 2 * BUCKET << lay.bits and lay.bits < MAX_BITS:
            self._relayout(table, Layout(_bits_for(entries), lay.doc_bytes))

    def _relayout(self, table: str, new: Layout) -> Layout:
        """Rewrite `table` in place with more bucket bits or wider document numbers, streamed from
        the highest bucket down: bucket b's postings move to buckets >= b, whose old rows are
        gone by then (inside the caller's transaction)."""
        old = _layout(self._read_meta(), table)
        if new.bits < old.bits or new.doc_bytes < old.doc_bytes:
            raise ValueError(f"posting layouts only widen: {old} -> {new}")
        below = 1 << 32
        while True:
            rows = self.con.execute(
                f"SELECT bucket, data FROM {table} WHERE bucket < ? ORDER BY bucket DESC LIMIT 4096", (below,)
            ).fetchall()
            if not rows:
                break
            rows.reverse()
            self.con.executemany(f"DELETE FROM {table} WHERE bucket=?", [(r[0],) for r in rows])
            rewritten = new.rows(old.postings(rows))
            self.con.executemany(f"INSERT INTO {table}(bucket, data) VALUES(?, ?)", rewritten)
            below = rows[0][0]
        self._set_meta(**{f"{table}_bits": new.bits, f"{table}_doc_bytes": new.doc_bytes})
        return new

    def _buckets(self, table: str, buckets: Sequence[int]) -> list[tuple[int, bytes]]:
        """The (bucket, blob) rows of `table` for these buckets (at most `_SQL_VARS`), in bucket order."""
        q = f"SELECT bucket, data FROM {table} WHERE bucket IN ({','.join('?' * len(buckets))}) ORDER BY bucket"
        return self.con.execute(q, list(buckets)).fetchall()

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

    def _require_current(self, meta: dict[str, str]) -> None:
        if meta.get("schema") != SCHEMA_VERSION:
            raise IndexError_(_schema_message(self.path, meta.get("schema")))
        stored = meta["fingerprint"]
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
            meta = self._read_meta()
            self._require_current(meta)
            n_docs = int(meta["n_docs"])
            fk, fn = self._lookup("fps", _layout(meta, "fps"), query.shingles)
            _, bn = self._lookup("bands", _layout(meta, "bands"), query.bands)
            docs, fcount, bcount, score = rank_candidates(fk, fn, bn, n_docs, limit=limit, max_df=max_df)
            ids = dict(self._ids(docs.tolist()))
        return [
            Candidate(ids[int(d)], int(f), int(b), float(sc))
            for d, f, b, sc in zip(docs, fcount, bcount, score)
            if int(d) in ids
        ]

    def _lookup(self, table: str, lay: Layout, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(stored key, n) of the postings in `table` whose key is one of `keys`: their buckets, filtered."""
        keys = np.unique(stored_keys(keys))
        rows: list[tuple[int, bytes]] = []
        for chunk in _chunks(np.unique(lay.buckets(keys << np.uint64(32))).tolist(), _SQL_VARS):
            rows += self._buckets(table, chunk)
        postings = lay.postings(rows)
        found = postings >> np.uint64(32)
        at = np.minimum(np.searchsorted(keys, found), len(keys) - 1)  # keys is sorted and far the shorter
        hit = keys[at] == found
        return found[hit].astype(np.int64), (postings[hit] & _M32).astype(np.int64)

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
        self._require_layout()
        with _ReadTxn(self.con):
            meta = self._read_meta()
            n_docs, fps, bands = (int(meta[k]) for k in ("n_docs", "fps_entries", "bands_entries"))
            text_bytes = self.con.execute("SELECT coalesce(sum(length(z)), 0) FROM texts").fetchone()[0]
            try:
                pages = dict(self.con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
            except sqlite3.DatabaseError:
                pages = {}
            bits = meta["cms_bits"]
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
            extra={
                "cms_width": str(1 << int(bits)), **{f"table_{k}": str(v) for k, v in sorted(pages.items())},
                **{f"{t}_layout": f"{lay.bits} bucket bits, {lay.width} bytes a posting"
                   for t, lay in ((t, _layout(meta, t)) for t in POSTINGS)},
            },
        )

    def _files(self) -> list[Path]:
        return [p for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")) if p.exists()]


def _empty_postings(top_n: int) -> dict[str, int]:
    """Meta values of empty posting tables for document numbers up to `top_n`."""
    return {f"{t}_{k}": v for t in POSTINGS
            for k, v in (("bits", MIN_BITS), ("doc_bytes", _doc_bytes_for(top_n)), ("entries", 0))}


def _schema_message(path: Path, schema: str | None) -> str:
    if schema == "1":
        return (f"{path} is an index of schema 1 (a row per posting); this version reads schema "
                f"{SCHEMA_VERSION} (packed postings): convert it with `provenance index rebuild` "
                "(it keeps the stored texts)")
    return (f"{path} has index schema {schema!r}, this version reads {SCHEMA_VERSION!r}: "
            "rebuild it from the original files")


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
