"""The embedded storage: one SQLite file, safe to query while another process adds to it.

Schema (every table but ``meta`` keys documents by the integer ``n``):

* ``meta(key, value)`` — schema version, config fingerprint, `IndexParams`, counts and
  the posting tables' layouts.
* ``docs(n, id UNIQUE, hash, path, title, url, site, published, chars, raw_chars, sig)``
  — ``hash`` is xxh3 of text + metadata (unchanged documents are skipped on re-add);
  ``sig`` is datasketch ``LeanMinHash.serialize(buf, byteorder="<")`` bytes.
* ``texts(n, z)`` — the text, zlib-compressed; kept apart so metadata pages stay dense.
* ``bands(bucket, data)`` and ``fps(bucket, data)`` — packed posting lists (`Layout`):
  a row per bucket of keys (fmix32-mixed, so buckets fill evenly) sharing their top
  ``bits`` bits, its blob the bucket's (key, n) postings sorted, each the key's other
  bits and ``n`` in as few little-endian bytes as they need: 5 a posting at 100k
  documents, ~6 on disk with row and page overhead. ``bits`` widens as a table grows (an
  in-place rewrite, amortised like the phrase sketch's) so a bucket holds 16-64
  postings, and ``doc_bytes`` as ``n`` grows. An add or remove rewrites only the buckets
  it touches. A query reads its keys' buckets in one indexed ``IN`` lookup: nothing is
  loaded whole, so memory does not grow with the index.
* ``cms(row, counts)`` — the count-min sketch of phrase document frequencies, one
  little-endian uint16 blob per row, read by random access (``blobopen``) at query time.

Writes happen in WAL mode, one transaction per batch (``BEGIN IMMEDIATE``): a killed
``add`` loses at most its current batch and readers never see a half-written one.
``rebuild`` drops and rewrites the derived tables in one transaction, so it also turns an
index of another posting layout into the current one. Deleted documents' postings are
found again by recomputing them from the stored text, so no secondary index by document
is needed.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import numpy as np

from provenance.arrays import unique
from provenance.errors import IndexError_
from provenance.fingerprint import minhash as sketch
from provenance.fingerprint.features import DocFeatures, QueryFeatures
from provenance.index import count_min as cms
from provenance.index.storage import DECODING_ERRORS, Hits, T, Usage, chunks, decodes
from provenance.model import Document

SCHEMA_VERSION = "2"  # packed posting buckets
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
        buckets, starts = unique(self.buckets(postings), return_index=True)
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
    return unique((stored_keys(keys) << np.uint64(32)) | np.asarray(ns).astype(np.uint64))


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


# what a damaged file raises while its rows are decoded: bad zlib text, short or misaligned
# blobs, meta values that are missing or no number, pages SQLite finds malformed
_DAMAGE = (*DECODING_ERRORS, sqlite3.DatabaseError)


_SURROGATE = re.compile("[\ud800-\udfff]")

# the meta values of a current index that are counts (see logic.initial_meta and _empty_postings)
_NUMBERS = ("bands", "rows", "winnow", "cms_depth", "cms_bits", "cms_total", "n_docs",
            *(f"{table}_{key}" for table in ("bands", "fps") for key in ("bits", "doc_bytes", "entries")))
_NOT_DAMAGE = ("locked", "readonly", "read-only", "unable to open", "disk i/o", "full", "interrupted")


def _is_damage(exc: BaseException) -> bool:
    """Whether a decoding error means a damaged file; a locked, read-only, full or unreadable
    one is not damage (rebuilding would not help) and keeps SQLite's own message."""
    if isinstance(exc, sqlite3.OperationalError):
        return not any(word in str(exc).lower() for word in _NOT_DAMAGE)
    return isinstance(exc, _DAMAGE)


def _layout(meta: dict[str, str], table: str) -> Layout:
    return Layout(int(meta[f"{table}_bits"]), int(meta[f"{table}_doc_bytes"]))




class SQLiteStorage:
    """An index's storage in one SQLite file (see the module docstring for the schema)."""

    SCHEMA = SCHEMA_VERSION

    def __init__(self, path: Path, *, create: dict[str, object] | None = None) -> None:
        """Open the index at `path`; with `create` (its initial meta values), make it if missing."""
        self.path = Path(path)
        self.location = str(self.path)
        if self.path.is_dir():
            raise IndexError_(f"--index {self.path} is a folder: give the index's file (e.g. {self.path / 'index.db'})")
        if not self.path.exists():
            if create is None:
                raise IndexError_(
                    f"no index at {self.path}: build one with `provenance index add PATH...` "
                    f"(or point to it with --index PATH)"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.read_only = False
        try:
            try:
                self.con = self._connect(str(self.path))
                meta = self.read_meta()
            except sqlite3.OperationalError as exc:
                if create is not None or _is_damage(exc):
                    raise
                meta = self._open_read_only()
            if not meta:
                foreign = self.con.execute("SELECT count(*) FROM sqlite_schema WHERE name <> 'meta'").fetchone()[0]
                if create is None or foreign:
                    raise IndexError_(
                        f"{self.path} is not a provenance index: give --index a new file name, "
                        "or build one with `provenance index add`"
                    )
                self._create(create)
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                raise IndexError_(self.damaged(exc)) from exc
            raise IndexError_(f"cannot open index {self.path}: {exc}: {self._fix(exc)}") from exc
        if not self.read_only:
            self.con.execute("PRAGMA synchronous=NORMAL")
        self.con.execute("PRAGMA cache_size=-65536")

    def _fix(self, exc: sqlite3.OperationalError) -> str:
        """What to do about an error that is not damage (see `_is_damage`)."""
        text = str(exc).lower()
        if "full" in text:
            return "free some space on its disk, or point --index elsewhere"
        if "locked" in text:
            return "another process holds it: try again when it is done"
        return (f"SQLite needs to write the file and, beside it, {self.path.name}-wal and {self.path.name}-shm: "
                "check the permissions of the file and its folder, or point --index elsewhere")

    @staticmethod
    def _connect(target: str, uri: bool = False) -> sqlite3.Connection:
        con = sqlite3.connect(target, isolation_level=None, timeout=60, check_same_thread=False, uri=uri)
        con.execute("PRAGMA busy_timeout=60000")
        return con

    def _open_read_only(self) -> dict[str, str]:
        """Open an index this process may read but not write (a read-only mount or folder, another
        user's file): read-only, and when SQLite cannot even make the shared-memory file beside it,
        as immutable, which is safe only because nobody can be writing there. Queries never write."""
        self.con.close()
        url = "file:" + quote(str(self.path.absolute()))
        try:
            self.con = self._connect(f"{url}?mode=ro", uri=True)
            meta = self.read_meta()
        except sqlite3.OperationalError:
            self.con.close()
            wal = Path(f"{self.path}-wal")
            if wal.exists() and wal.stat().st_size:
                raise IndexError_(
                    f"the index {self.path} is read-only here and its latest changes are still in {wal.name}, "
                    "which SQLite folds into the file when a writer closes it: ask its owner to open it once "
                    "(`provenance index stats --index ...`), or copy both files somewhere writable"
                ) from None
            self.con = self._connect(f"{url}?immutable=1", uri=True)
            meta = self.read_meta()
        self.read_only = True
        return meta

    def _create(self, initial: dict[str, object]) -> None:
        self.con.execute("PRAGMA journal_mode=WAL")
        with _WriteTxn(self.con):
            for statement in filter(str.strip, _SCHEMA.split(";")):  # executescript would commit
                self.con.execute(statement)
            if not self.con.execute("SELECT 1 FROM meta WHERE key='schema'").fetchone():
                self.set_meta(schema=SCHEMA_VERSION, **initial, **_empty_postings(1))
                self.con.executemany(
                    "INSERT INTO cms(row, counts) VALUES(?, zeroblob(?))",
                    [(row, 2 << cms.MIN_BITS) for row in range(int(initial["cms_depth"]))],
                )

    def schema_message(self, stored: str | None) -> str:
        return (f"{self.path} is an index of schema {stored} (this version reads schema {SCHEMA_VERSION}): "
                "rebuild it with `provenance index rebuild` (it keeps the stored texts)")

    is_damage = staticmethod(_is_damage)

    def damaged(self, exc: BaseException) -> str:
        return (f"the index {self.path} is damaged ({type(exc).__name__}: {str(exc)[:120]}): "
                "`provenance index rebuild` recomputes its lookup tables from the stored texts; if the texts "
                "are damaged too, build a new index with `provenance index add` or restore a copy")

    def guard(self) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def snapshot(self) -> _ReadTxn:
        return _ReadTxn(self.con)

    def close(self) -> None:
        self.con.close()

    # --- meta and documents ------------------------------------------------------------

    def read_meta(self) -> dict[str, str]:
        try:
            meta = dict(self.con.execute("SELECT key, value FROM meta"))
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return {}
            raise
        if meta.get("schema") == SCHEMA_VERSION:  # a current index: every count is there, and a number
            bad = [key for key in _NUMBERS if not meta.get(key, "").isdigit()]
            if bad:
                raise IndexError_(self.damaged(ValueError(f"meta {', '.join(bad)} missing or not a number")))
        return meta

    def set_meta(self, **values: object) -> None:
        self.con.executemany(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            [(key, str(value)) for key, value in values.items()],
        )

    def _select_in(self, select: str, column: str, values: Sequence) -> Iterator[tuple]:
        """The rows of ``{select} WHERE {column} IN values``, a bounded number of values a statement.

        An id with a lone surrogate (a command-line argument that is not UTF-8) cannot be stored
        in SQLite, so it is in no row: it is left out rather than failing the query."""
        values = [v for v in values if not (isinstance(v, str) and _SURROGATE.search(v))]
        for chunk in chunks(values, _SQL_VARS):
            yield from self.con.execute(f"{select} WHERE {column} IN ({','.join('?' * len(chunk))})", list(chunk))

    @decodes
    def numbers(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        return {doc_id: (n, digest) for doc_id, n, digest in self._select_in("SELECT id, n, hash FROM docs", "id", ids)}

    @decodes
    def texts(self, ns: Sequence[int]) -> list[str]:
        found = dict(list(self._select_in("SELECT n, z FROM texts", "n", ns)))
        return [_unzip(found[n]) for n in ns]

    def text_batches(self, size: int) -> Iterator[tuple[list[int], list[str]]]:
        last = 0
        while True:
            rows = self.con.execute("SELECT n, z FROM texts WHERE n > ? ORDER BY n LIMIT ?", (last, size)).fetchall()
            if not rows:
                return
            try:
                texts = [_unzip(z) for _, z in rows]
            except _DAMAGE as exc:
                raise IndexError_(self.damaged(exc)) from exc
            yield [n for n, _ in rows], texts
            last = rows[-1][0]

    @decodes
    def doc_ids(self, ns: Sequence[int]) -> dict[int, str]:
        return dict(self._select_in("SELECT n, id FROM docs", "n", ns))

    @decodes
    def documents(self, ids: Sequence[str]) -> list[Document]:
        select = ("SELECT d.id, d.path, d.title, d.url, d.site, d.published, d.raw_chars, t.z "
                  "FROM docs d JOIN texts t ON t.n = d.n")
        rows = list(self._select_in(select, "d.id", ids))  # read whole before decoding: no open cursor on error
        found = {
            doc_id: Document(id=doc_id, text=_unzip(z), path=path or "", title=title, url=url, site=site,
                             published=published, raw_chars=raw_chars)
            for doc_id, path, title, url, site, published, raw_chars, z in rows
        }
        return [found[doc_id] for doc_id in ids if doc_id in found]

    @decodes
    def signatures(self, ids: Sequence[str]) -> dict[str, bytes]:
        return dict(self._select_in("SELECT id, sig FROM docs", "id", ids))

    @decodes
    def ids(self) -> list[str]:
        return [row[0] for row in self.con.execute("SELECT id FROM docs ORDER BY id")]

    # --- writing ----------------------------------------------------------------------------

    def write(self, fn: Callable[[SQLiteStorage], T]) -> T:
        """``fn(self)`` in one ``BEGIN IMMEDIATE`` transaction (writers queue on the file lock)."""
        with self._writing(), _WriteTxn(self.con):
            return fn(self)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A write that SQLite refuses (disk full, read-only, locked past the timeout) as an
        `IndexError_` naming the fix; the transaction was rolled back, earlier ones kept."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if _is_damage(exc):
                raise IndexError_(self.damaged(exc)) from exc
            raise IndexError_(
                f"cannot write to the index {self.path}: {exc}: {self._fix(exc)} (the batch being written was rolled "
                "back; batches written before it are in the index, and adding again skips them)"
            ) from exc

    def put_documents(self, docs: Sequence[Document], hashes: Sequence[int], signatures: Sequence[bytes]) -> list[int]:
        cursor = self.con.cursor()
        ns: list[int] = []
        for doc, digest, signature in zip(docs, hashes, signatures):
            cursor.execute(
                "INSERT INTO docs(id, hash, path, title, url, site, published, chars, raw_chars, sig) "
                "VALUES(?,?,?,?,?,?,?,?,?,?)",
                (doc.id, digest, doc.path, doc.title, doc.url, doc.site, doc.published, len(doc.text),
                 doc.raw_chars or len(doc.text), signature),
            )
            ns.append(cursor.lastrowid)
        cursor.executemany(
            "INSERT INTO texts(n, z) VALUES(?, ?)",
            [(n, zlib.compress(doc.text.encode("utf-8", "surrogatepass"), 6)) for n, doc in zip(ns, docs)],
        )
        return ns

    def delete_documents(self, ns: Sequence[int], ids: Sequence[str]) -> None:
        self.con.executemany("DELETE FROM texts WHERE n=?", [(n,) for n in ns])
        self.con.executemany("DELETE FROM docs WHERE n=?", [(n,) for n in ns])

    def put_signatures(self, ns: Sequence[int], signatures: Sequence[bytes]) -> None:
        self.con.executemany("UPDATE docs SET sig=? WHERE n=?", list(zip(signatures, ns)))

    @decodes
    def cms_rows(self, depth: int, bits: int) -> list[np.ndarray]:
        return [
            np.frombuffer(self.con.execute("SELECT counts FROM cms WHERE row=?", (row,)).fetchone()[0], dtype="<u2")
            .astype(np.int64)
            for row in range(depth)
        ]

    def put_cms_rows(self, rows: Sequence[np.ndarray]) -> None:
        self.con.executemany(
            "INSERT INTO cms(row, counts) VALUES(?, ?) ON CONFLICT(row) DO UPDATE SET counts=excluded.counts",
            [(row, counts.astype("<u2").tobytes()) for row, counts in enumerate(rows)],
        )

    def rebuild(self, fn: Callable[[SQLiteStorage], T]) -> T:
        """``fn(self)`` over emptied posting tables, in one transaction; then the file is compacted.

        The tables are dropped, not emptied, so an index of another posting layout comes out current.
        """
        with self._writing(), _WriteTxn(self.con):
            for table in POSTINGS:
                self.con.execute(f"DROP TABLE IF EXISTS {table}")
                self.con.execute(f"CREATE TABLE {table}(bucket INTEGER PRIMARY KEY, data BLOB NOT NULL)")
            top = self.con.execute("SELECT coalesce(max(n), 0) FROM docs").fetchone()[0]
            self.set_meta(schema=SCHEMA_VERSION, **_empty_postings(top))
            result = fn(self)
        self.checkpoint()
        with self._writing():
            self.con.execute("VACUUM")
        return result

    def checkpoint(self) -> None:
        """Fold the WAL back into the file and truncate it, unless readers keep it busy."""
        try:
            self.con.execute("PRAGMA busy_timeout=2000")
            self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:
            pass  # a busy reader: a later writer checkpoints
        finally:
            self.con.execute("PRAGMA busy_timeout=60000")

    # --- posting tables -----------------------------------------------------------------------

    def add_postings(self, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> None:
        self._post(features, ns, remove=False)

    def remove_postings(self, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> None:
        self._post(features, ns, remove=True)

    def _post(self, features: DocFeatures, ns: Sequence[int], *, remove: bool) -> None:
        """Add the band keys and fingerprints of documents `ns` to the posting tables, or take
        them away (inside the caller's transaction)."""
        ns = np.asarray(ns, np.int64)
        lengths = [len(f) for f in features.fingerprints]
        fps = np.concatenate(features.fingerprints) if lengths else np.empty(0, np.int32)
        bands = features.bands
        for table, keys, owners in (("bands", bands.reshape(-1), np.repeat(ns, bands.shape[1])),
                                    ("fps", fps, np.repeat(ns, lengths))):
            self._update(table, _postings(keys, owners), ns if remove else None)

    def _update(self, table: str, postings: np.ndarray, removed: np.ndarray | None) -> None:
        """Merge sorted `postings` into the buckets of `table`, or with `removed`, take the postings
        of documents `removed` out of the buckets `postings` fall in. Only the buckets touched are
        read and rewritten, a chunk at a time."""
        meta = self.read_meta()
        layout = _layout(meta, table)
        top = int((postings & _M32).max()) if len(postings) else 0
        if removed is None and _doc_bytes_for(top) > layout.doc_bytes:
            layout = self._relayout(table, Layout(layout.bits, _doc_bytes_for(top)))
        at = layout.buckets(postings)
        change = 0
        for chunk in chunks(unique(at).tolist(), _SQL_VARS):
            old = layout.postings(self._buckets(table, chunk))
            if removed is None:
                batch = postings[np.searchsorted(at, chunk[0]) : np.searchsorted(at, chunk[-1], "right")]
                new = _merged(old, batch)
            else:
                new = old[~np.isin((old & _M32).astype(np.int64), removed)]
            change += len(new) - len(old)
            rows = layout.rows(new)
            self.con.executemany(f"INSERT OR REPLACE INTO {table}(bucket, data) VALUES(?, ?)", rows)
            if len(rows) < len(chunk):
                gone = set(chunk).difference(bucket for bucket, _ in rows)
                self.con.executemany(f"DELETE FROM {table} WHERE bucket=?", [(bucket,) for bucket in gone])
        entries = int(meta[f"{table}_entries"]) + change
        self.set_meta(**{f"{table}_entries": entries})
        if entries > 2 * BUCKET << layout.bits and layout.bits < MAX_BITS:
            self._relayout(table, Layout(_bits_for(entries), layout.doc_bytes))

    def _relayout(self, table: str, new: Layout) -> Layout:
        """Rewrite `table` in place with more bucket bits or wider document numbers, streamed from
        the highest bucket down: bucket b's postings move to buckets >= b, whose old rows are
        gone by then (inside the caller's transaction)."""
        old = _layout(self.read_meta(), table)
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
            self.con.executemany(f"DELETE FROM {table} WHERE bucket=?", [(bucket,) for bucket, _ in rows])
            self.con.executemany(f"INSERT INTO {table}(bucket, data) VALUES(?, ?)", new.rows(old.postings(rows)))
            below = rows[0][0]
        self.set_meta(**{f"{table}_bits": new.bits, f"{table}_doc_bytes": new.doc_bytes})
        return new

    def _buckets(self, table: str, buckets: Sequence[int]) -> list[tuple[int, bytes]]:
        """The (bucket, blob) rows of `table` for these buckets (at most `_SQL_VARS`), in bucket order."""
        query = f"SELECT bucket, data FROM {table} WHERE bucket IN ({','.join('?' * len(buckets))}) ORDER BY bucket"
        return self.con.execute(query, list(buckets)).fetchall()

    # --- reading ---------------------------------------------------------------------------

    @decodes
    def lookup(self, query: QueryFeatures) -> Hits:
        """The postings of the query's shingles and band keys (none from a layout this code cannot read)."""
        meta = self.read_meta()
        if meta.get("schema") != SCHEMA_VERSION:
            none = np.empty(0, np.int64)
            return Hits(meta, none, none, none)
        fp_keys, fp_docs = self._lookup("fps", _layout(meta, "fps"), query.shingles)
        _, band_docs = self._lookup("bands", _layout(meta, "bands"), query.bands)
        return Hits(meta, fp_keys, fp_docs, band_docs)

    def _lookup(self, table: str, layout: Layout, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(stored key, n) of the postings in `table` whose key is one of `keys`: their buckets, filtered."""
        keys = unique(stored_keys(keys))
        rows: list[tuple[int, bytes]] = []
        for chunk in chunks(unique(layout.buckets(keys << np.uint64(32))).tolist(), _SQL_VARS):
            rows += self._buckets(table, chunk)
        postings = layout.postings(rows)
        found = postings >> np.uint64(32)
        at = np.minimum(np.searchsorted(keys, found), len(keys) - 1)  # keys is sorted and far the shorter
        hit = keys[at] == found
        return found[hit].astype(np.int64), (postings[hit] & _M32).astype(np.int64)

    @decodes
    def phrase_cells(self, meta: dict[str, str], cells: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Count-min cells read by random access into each row's blob (the row is never loaded whole)."""
        out = []
        for row, positions in enumerate(cells):
            values = np.empty(len(positions), dtype=np.int64)
            with self.con.blobopen("cms", "counts", row, readonly=True) as blob:
                for i, position in enumerate(positions.tolist()):
                    blob.seek(2 * position)
                    values[i] = int.from_bytes(blob.read(2), "little")
            out.append(values)
        return out

    @decodes
    def usage(self) -> Usage:
        with _ReadTxn(self.con):
            meta = self.read_meta()
            text_bytes = self.con.execute("SELECT coalesce(sum(length(z)), 0) FROM texts").fetchone()[0]
            try:
                pages = dict(self.con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
            except sqlite3.DatabaseError:
                pages = {}
        files = (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
        layouts = {table: _layout(meta, table) for table in POSTINGS}
        return Usage(
            meta=meta,
            fingerprints=int(meta["fps_entries"]),
            band_entries=int(meta["bands_entries"]),
            text_bytes=text_bytes,
            text_footprint=pages.get("texts", text_bytes),
            size_bytes=sum(p.stat().st_size for p in files if p.exists()),
            extra={
                **{f"table_{name}": str(size) for name, size in sorted(pages.items())},
                **{f"{table}_layout": f"{layout.bits} bucket bits, {layout.width} bytes a posting"
                   for table, layout in layouts.items()},
            },
        )


def _unzip(z: bytes) -> str:
    return zlib.decompress(z).decode("utf-8", "surrogatepass")


def _empty_postings(top_n: int) -> dict[str, int]:
    """Meta values of empty posting tables for document numbers up to `top_n`."""
    return {f"{table}_{key}": value for table in POSTINGS
            for key, value in (("bits", MIN_BITS), ("doc_bytes", _doc_bytes_for(top_n)), ("entries", 0))}


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

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.own and self.con.in_transaction:
            try:
                self.con.execute("COMMIT")
            except sqlite3.DatabaseError:
                if exc_type is None:
                    raise
                # the read already failed (a damaged page, say): its error is the one to report
