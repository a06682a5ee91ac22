"""The shared storage: datasketch ``MinHashLSH`` on Redis, with the same side channels as SQLite.

Many editors' checks and many writers' adds meet in one Redis database. The whole-
document channel is datasketch's own ``MinHashLSH`` Redis storage (``params=(bands,
rows)``, ``prepickle=False``, document ids as bytes keys, a fixed basename; see
`datasketch_lsh`), so a datasketch user can query the same buckets; fingerprints,
signatures, texts and phrase counts sit beside it.

Keys (``P`` = ``provenance:{NAME}:``; the braces are a Redis Cluster hash tag, so one
index lives on one slot and MULTI/EXEC can span all of it):

* ``P meta`` — hash: schema, config fingerprint, `IndexParams`, generation ``gen``,
  counts (n_docs, fps, text_bytes, cms_total), ``next_n`` and a write ``version``.
* ``P ids`` — hash: document id -> number ``n``.
* ``P d:<n>`` — hash: id, content hash, path, title, url, site, published, chars,
  raw_chars and ``z``, the text zlib-compressed.
* ``P g<gen>:sig`` — hash: n -> datasketch ``LeanMinHash`` bytes (byteorder ``<``).
* ``P g<gen>:lsh_bucket_<band>…`` / ``P g<gen>:lsh_keys…`` — datasketch's storage for
  ``MinHashLSH(storage_config={"type": "redis", "basename": b"P g<gen>:lsh", …})``.
* ``P g<gen>:fp:<bucket>`` — hash: winnowed fingerprint (4 bytes) -> the n of every document
  that has it, packed little-endian uint32 (2^16 buckets, see `RedisStorage._posting_keys`).
* ``P g<gen>:cms:<row>`` — count-min rows of phrase document frequencies, the same
  little-endian uint16 bytes as SQLite's.

Nothing is ever unpickled: keys go in as bytes with ``prepickle=False``, so datasketch
never calls ``pickle.loads``; this module reads raw bytes (HMGET, and two read-only Lua
scripts that return set members and packed counts in one round trip) and parses them
itself: ids as UTF-8, numbers as decimal text, signatures in datasketch's LeanMinHash
byte layout, texts with zlib. Each batch of an add or remove is one MULTI/EXEC under
``WATCH meta`` (every write bumps ``version``): its reads run at once while meta is
watched, its writes are queued and sent between MULTI and EXEC, and the whole batch is
tried again when another writer committed first. So readers never see half a batch and
a crash, a killed process or a lost connection leaves each batch applied whole or not
at all. ``rebuild`` writes a new generation beside the old and switches ``gen`` in one
transaction; a generation left by a killed rebuild is dropped by the next one (see
``RedisStorage.drop_abandoned``). Connections carry socket timeouts and no automatic retry (a retried EXEC
could apply twice): a server that goes away gives an `IndexError_` naming it within
seconds. The ``redis`` client is imported only when a Redis index is opened.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np

from provenance.arrays import unique
from provenance.errors import IndexError_, MissingExtraError
from provenance.fingerprint.features import DocFeatures, QueryFeatures
from provenance.index import count_min as cms
from provenance.index import datasketch_lsh
from provenance.index.storage import DECODING_ERRORS, Hits, T, Usage, chunks, decodes
from provenance.index.types import signature_from_bytes
from provenance.model import Document

SCHEMA_VERSION = "2"  # 2: fingerprint postings in hashes of packed numbers (1: a set each)
DEFAULT_NAME = "default"
FP_BITS = 16  # 65,536 fingerprint hashes: ~10 entries each at 10k documents, 100 (still compact) at 100k
DEFAULT_TIMEOUT = 10.0  # seconds a command may take before the server counts as gone
EXACT_BELOW = 2000  # documents: below, `usage` measures every key; above, it samples
WRITE_RETRIES = 50  # optimistic-lock retries when other writers keep committing
# seconds a rebuild's lease on the generation it writes lasts unless a batch renews it: a generation
# without one, neither current nor being written, was left by a killed rebuild and the next drops it
REBUILD_LEASE = 600  # (on this host, a lease whose process is gone is free at once)
_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
# the meta values of a current index that are counts (see logic.initial_meta and RedisStorage._create)
_NUMBERS = ("bands", "rows", "winnow", "cms_depth", "cms_bits", "cms_total", "n_docs", "fps", "text_bytes",
            "next_n", "gen", "version", "fp_bits")
_DOC_FIELDS = ("id", "hash", "path", "title", "url", "site", "published", "chars", "raw_chars")
_CHUNK = 2000
_SCRIPTS = {
    # KEYS: meta, the LSH bucket sets, then fingerprint hashes; ARGV: the fingerprint of each hash.
    # Reply: schema, fingerprint, gen, n_docs, then per hit: key number and members (sets) or packed numbers.
    "lookup": """
local out = redis.call('HMGET', KEYS[1], 'schema', 'fingerprint', 'gen', 'n_docs')
local nb = #KEYS - #ARGV
for i = 2, nb do
  local m = redis.call('SMEMBERS', KEYS[i])
  if #m > 0 then
    out[#out + 1] = i
    out[#out + 1] = #m
    for j = 1, #m do out[#out + 1] = m[j] end
  end
end
for i = nb + 1, #KEYS do
  local v = redis.call('HGET', KEYS[i], ARGV[i - nb])
  if v then
    out[#out + 1] = i
    out[#out + 1] = v
  end
end
return out
""",
    # KEYS: one count-min row; ARGV[1]: little-endian uint32 cell numbers. Reply: their uint16 counts, packed
    # (a row is written whole, so a cell past its end means a damaged row: the reply is then short; no row at
    # all means its generation was replaced by a rebuild since the meta values were read: false).
    "cms": """
local key, cells, out = KEYS[1], ARGV[1], {}
if redis.call('EXISTS', key) == 0 then return false end
for i = 1, #cells, 4 do
  local c = struct.unpack('<I4', cells, i)
  out[#out + 1] = redis.call('GETRANGE', key, 2 * c, 2 * c + 1)
end
return table.concat(out)
""",
    # KEYS: fingerprint hashes; ARGV: add or remove, then per key a fingerprint and a packed document number.
    # Adding a number already there or removing one absent does nothing. Writes: only inside MULTI/EXEC.
    "postings": """
local add = ARGV[1] == 'add'
for i = 1, #KEYS do
  local f, n = ARGV[2 * i], ARGV[2 * i + 1]
  local old = redis.call('HGET', KEYS[i], f) or ''
  local keep, found = {}, false
  for j = 1, #old, 4 do
    local c = string.sub(old, j, j + 3)
    if c == n then found = true else keep[#keep + 1] = c end
  end
  if add and not found then
    redis.call('HSET', KEYS[i], f, old .. n)
  elseif not add and found then
    if #keep == 0 then redis.call('HDEL', KEYS[i], f) else redis.call('HSET', KEYS[i], f, table.concat(keep)) end
  end
end
return #KEYS
""",
}


def drop(spec: str) -> int:
    """Delete every key of the index named by `spec`, whatever its schema or configuration."""
    kwargs, name, location, timeout = parse_spec(spec)
    client, errors, _ = _client(kwargs)
    try:
        return _drop_keys(client, _prefix(name))
    except errors as exc:
        raise _server_error(exc, location, timeout) from exc
    finally:
        client.close()


def parse_spec(spec: str) -> tuple[dict, str, str, float]:
    """URL -> (redis.Redis keyword arguments, index name, printable location, timeout)."""
    parts = urlsplit(spec)
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    allowed = {"name", "timeout", "db"} if parts.scheme == "unix" else {"name", "timeout"}
    unknown = set(query) - allowed
    if unknown:
        raise IndexError_(
            f"unknown option(s) {', '.join(sorted(unknown))} in {spec!r}: only {'=, '.join(sorted(allowed))}="
        )
    name = query.get("name", DEFAULT_NAME)
    if not _NAME_RE.match(name):
        raise IndexError_(f"index name {name!r} in {spec!r}: use letters, digits, '.', '_' or '-'")
    try:
        timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
        if parts.scheme == "unix":
            kwargs: dict = {"unix_socket_path": unquote(parts.path)}
            db = int(query.get("db", 0))
            where = f"unix://{parts.path}?db={db}&"
        else:
            db = int(parts.path.strip("/") or 0)
            kwargs = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 6379}
            if parts.scheme == "rediss":
                kwargs["ssl"] = True
            where = f"{parts.scheme}://{kwargs['host']}:{kwargs['port']}/{db}?"
    except ValueError as exc:
        raise IndexError_(f"cannot read {spec!r} ({exc}): use redis://HOST:PORT/DB[?name=NAME]") from exc
    if timeout <= 0:
        raise IndexError_(f"timeout in {spec!r} must be a positive number of seconds")
    if parts.username:
        kwargs["username"] = unquote(parts.username)
    if parts.password:
        kwargs["password"] = unquote(parts.password)
    kwargs.update(db=db, socket_timeout=timeout, socket_connect_timeout=min(timeout, 5.0), socket_keepalive=True)
    return kwargs, name, f"{where}name={name}", timeout


def _redis():
    """The redis client package, imported when a Redis index is opened (never for SQLite)."""
    try:
        import redis
    except ImportError as exc:
        raise MissingExtraError("redis", "redis") from exc
    return redis


def _client(kwargs: dict):
    """(client, the errors it raises, its connection keywords): no automatic retry, since a resent
    MULTI/EXEC may have run (datasketch's connections get the same keywords)."""
    redis = _redis()
    from redis.backoff import NoBackoff  # the same deferred package
    from redis.retry import Retry

    kwargs = {**kwargs, "retry": Retry(NoBackoff(), 0)}
    return redis.Redis(**kwargs), (redis.exceptions.RedisError, OSError), kwargs


def _prefix(name: str) -> str:
    return f"provenance:{{{name}}}:"


def _server_error(exc: Exception, location: str, timeout: float) -> IndexError_:
    kind = (f"did not answer within {timeout:g} s (it may be pausing writes, as during a failover or "
            "CLIENT PAUSE WRITE)" if "imeout" in type(exc).__name__ else "failed")
    return IndexError_(
        f"Redis server {location} {kind} ({type(exc).__name__}: {exc}). Check that it is running and "
        "reachable, or point --index elsewhere; an add or remove that was cut off applied whole batches "
        "only: run it again (unchanged documents are skipped)"
    )


def _drop_keys(client, prefix: str) -> int:
    """Unlink every key that starts with `prefix`."""
    dropped = 0
    for keys in chunks(list(client.scan_iter(match=_glob_escape(prefix) + "*", count=1000)), 1000):
        dropped += client.unlink(*keys)
    return dropped


class RedisStorage:
    """An index's storage in one Redis database under one name (see the module docstring for keys)."""

    SCHEMA = SCHEMA_VERSION

    def __init__(self, spec: str, *, create: dict[str, object] | None = None) -> None:
        """Open the index a ``redis://HOST:PORT/DB[?name=NAME]`` URL names; with `create`, make it if missing."""
        kwargs, self.name, self.location, self.timeout = parse_spec(spec)
        self.r, self._errors, self._redis_kwargs = _client(kwargs)
        self._watch_error = _redis().exceptions.WatchError
        self.prefix = _prefix(self.name)
        self._lsh_cache: dict[int, object] = {}
        self._script_cache: dict[str, object] = {}
        try:
            self._refuse_eviction()
            meta = self.read_meta()
            if not meta:
                if create is None:
                    raise IndexError_(
                        f"no index named {self.name!r} at {self.location}: build one with "
                        f"`provenance index add PATH... --index {self.location}`"
                    )
                meta = self._create(create)
        except IndexError_:
            self.r.close()
            raise
        except self._errors as exc:
            self.r.close()
            raise self._server_error(exc) from exc
        if meta.get("schema") != SCHEMA_VERSION:  # another key layout: this code cannot even rebuild it
            self.r.close()
            raise IndexError_(self.schema_message(meta.get("schema")))
        self.gen = int(meta["gen"])
        self.fp_bits = int(meta["fp_bits"])
        self.bands, self.rows = int(meta["bands"]), int(meta["rows"])

    def _refuse_eviction(self) -> None:
        """Refuse a server that may evict keys: with a memory limit and any policy but noeviction,
        Redis deletes keys when full, and an index silently loses documents and postings (an add
        reported 10,833 documents added while 1,805 survived; check then passed copies)."""
        try:
            memory = self.r.info("memory")
        except _redis().exceptions.ResponseError:
            return  # INFO refused (a managed server): nothing to tell
        limit, policy = int(memory.get("maxmemory", 0) or 0), str(memory.get("maxmemory_policy", "noeviction"))
        if limit and policy != "noeviction":
            raise IndexError_(
                f"Redis server {self.location} evicts keys when it reaches its memory limit "
                f"(maxmemory {limit} bytes, maxmemory-policy {policy}), which would silently remove "
                "parts of the index: set `CONFIG SET maxmemory-policy noeviction` (or maxmemory 0) on it, "
                "or use a server of its own for the index"
            )

    def _create(self, initial: dict[str, object]) -> dict[str, str]:
        meta_key = self.key("meta")
        with self.r.pipeline(transaction=True) as pipe:
            pipe.watch(meta_key)
            if not pipe.exists(meta_key):
                pipe.multi()
                pipe.hset(meta_key, mapping={
                    "schema": SCHEMA_VERSION, **initial, "fps": 0, "text_bytes": 0, "next_n": 1, "gen": 1,
                    "version": 0, "fp_bits": FP_BITS,
                })
                pipe.set(self.key("gens"), 1)
                for row in range(int(initial["cms_depth"])):
                    pipe.set(self._gkey(f"cms:{row}", 1), bytes(2 << cms.MIN_BITS))
                try:
                    pipe.execute()
                except self._watch_error as exc:
                    self._raise_if_cut_off(exc)  # else another process created it first; use theirs
        return self.read_meta()

    def is_damage(self, exc: BaseException) -> bool:
        """Whether an error while decoding what the server sent means damaged values (not the
        server's own errors, which name the server)."""
        return isinstance(exc, DECODING_ERRORS) and not isinstance(exc, self._errors)

    def damaged(self, exc: BaseException) -> str:
        return (f"the index {self.location} is damaged ({type(exc).__name__}: {str(exc)[:120]}): "
                f"`provenance index rebuild --index {self.location}` recomputes its lookup tables from the "
                "stored texts; if the texts are damaged too, drop it (`provenance.index.redis.drop(URL)`) and "
                "add the files again")

    def schema_message(self, stored: str | None) -> str:
        return (f"{self.location} has index schema {stored!r}, this version reads {SCHEMA_VERSION!r}: "
                "drop it (`provenance.index.redis.drop(URL)`) and add the original files again")

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn any Redis client error into an `IndexError_` that names the server and the fix."""
        try:
            yield
        except self._errors as exc:
            raise self._server_error(exc) from exc

    def _server_error(self, exc: Exception) -> IndexError_:
        return _server_error(exc, self.location, self.timeout)

    def _raise_if_cut_off(self, exc: Exception) -> None:
        """The redis client reports a watched transaction whose connection timed out or dropped as a
        WatchError, as if another writer had committed: raise the timeout instead (retrying would
        wait out every attempt's timeout, then blame other writers)."""
        cause = exc.__context__
        if isinstance(cause, self._errors) and not isinstance(cause, self._watch_error):
            raise self._server_error(cause) from cause

    def snapshot(self) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()  # a lookup is one script: atomic already

    def checkpoint(self) -> None:
        pass

    def close(self) -> None:
        for lsh in self._lsh_cache.values():
            datasketch_lsh.close_lsh(lsh)
        self._lsh_cache.clear()
        self.r.close()

    def drop(self) -> int:
        """Delete the whole index (every key under its name); returns the number of keys removed."""
        with self.guard():
            return _drop_keys(self.r, self.prefix)

    # --- keys ------------------------------------------------------------------------------

    def key(self, suffix: str) -> str:
        return self.prefix + suffix

    def _gkey(self, suffix: str, gen: int | None = None) -> str:
        return f"{self.prefix}g{self.gen if gen is None else gen}:{suffix}"

    def _script(self, name: str):
        """A Lua script registered once per client (EVALSHA; loaded again if the server forgot it)."""
        if name not in self._script_cache:
            self._script_cache[name] = self.r.register_script(_SCRIPTS[name])
        return self._script_cache[name]

    def lsh(self, gen: int | None = None):
        """datasketch's ``MinHashLSH`` over this index's buckets of generation `gen` (default: the current).

        datasketch uses num_perm only to check the length of the MinHashes it is given; this
        storage hands it band hashes, so bands x rows permutations are enough.
        """
        gen = self.gen if gen is None else gen
        if gen not in self._lsh_cache:
            self._lsh_cache[gen] = datasketch_lsh.open_lsh(
                self.bands * self.rows, self.bands, self.rows, self._gkey("lsh", gen).encode(), self._redis_kwargs
            )
        return self._lsh_cache[gen]

    def bucket_keys(self, signature: np.ndarray, gen: int | None = None) -> list[bytes]:
        """The Redis key of each band's bucket in datasketch's layout."""
        return datasketch_lsh.bucket_keys(self._gkey("lsh", gen).encode(), signature, self.bands, self.rows)

    def _posting_keys(self, fps: np.ndarray, gen: int) -> tuple[list[str], list[bytes]]:
        """(hash key, field) of each fingerprint: 2^fp_bits hashes of packed document numbers.

        One key per fingerprint would cost ~100 bytes each in Redis (69 a document); small
        hashes of 4-byte fields cost ~15. The bucket is a multiplicative hash of the
        fingerprint, since winnowed minima crowd the low values.
        """
        values = np.asarray(fps).astype(np.int64).astype(np.uint32)
        bucket = (values * np.uint32(0x9E3779B1)) >> np.uint32(32 - self.fp_bits)
        raw = values.astype("<u4").tobytes()
        return ([f"{self.prefix}g{gen}:fp:{b}" for b in bucket.tolist()],
                [raw[4 * j : 4 * j + 4] for j in range(len(values))])

    def _queue_postings(self, pipe, gen: int, action: str, fps: np.ndarray, ns) -> None:
        """Queue adding or removing (fingerprint, n) postings: a few script calls, not a command each."""
        keys, fields = self._posting_keys(fps, gen)
        packed = np.broadcast_to(np.asarray(ns, dtype="<u4"), (len(fps),)).astype("<u4").tobytes()
        script = self._script("postings")
        for start in range(0, len(keys), 20000):
            args = [action]
            for j in range(start, min(start + 20000, len(keys))):
                args += [fields[j], packed[4 * j : 4 * j + 4]]
            script(keys=keys[start : start + 20000], args=args, client=pipe)

    def _queue_features(self, pipe, gen: int, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> int:
        """Queue the datasketch bucket entries and fingerprint postings of documents `ns`; returns
        how many fingerprints that was."""
        lsh = self.lsh(gen)
        for doc_id, hashes in zip(ids, datasketch_lsh.band_hashes(lsh, features.signatures)):
            datasketch_lsh.queue_insert(lsh, pipe, _b(doc_id), hashes)
        if not len(ns):
            return 0
        fps = np.concatenate(features.fingerprints)
        self._queue_postings(pipe, gen, "add", fps, np.repeat(np.asarray(ns), [len(f) for f in features.fingerprints]))
        return len(fps)

    # --- reads ------------------------------------------------------------------------------

    @decodes
    def read_meta(self) -> dict[str, str]:
        meta = {k.decode(): v.decode() for k, v in self.r.hgetall(self.key("meta")).items()}
        if meta.get("schema") == SCHEMA_VERSION:  # a current index: every count is there, and a number
            bad = [key for key in _NUMBERS if not meta.get(key, "").removeprefix("-").isdigit()]
            if bad:
                raise ValueError(f"meta {', '.join(bad)} missing or not a number")
        return meta

    def _ns(self, ids: Sequence[str]) -> dict[str, int]:
        """id -> n for the ids present."""
        out: dict[str, int] = {}
        for chunk in chunks(list(ids), _CHUNK):
            for doc_id, n in zip(chunk, self.r.hmget(self.key("ids"), [_b(i) for i in chunk])):
                if n is not None:
                    out[doc_id] = int(n)
        return out

    def _doc_fields(self, ns: Sequence[int], fields: Sequence[str]) -> list[list[bytes | None]]:
        pipe = self.r.pipeline(transaction=False)
        for n in ns:
            pipe.hmget(self.key(f"d:{n}"), list(fields))
        return pipe.execute()

    @decodes
    def numbers(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        ns = self._ns(ids)
        rows = self._doc_fields(list(ns.values()), ["hash"])
        return {doc_id: (n, int(h)) for (doc_id, n), (h,) in zip(ns.items(), rows) if h is not None}

    @decodes
    def texts(self, ns: Sequence[int]) -> list[str]:
        return [_unz(z) for (z,) in self._doc_fields(ns, ["z"])]

    def text_batches(self, size: int) -> Iterator[tuple[list[int], list[str]]]:
        for ns in chunks(sorted(int(n) for n in self.r.hvals(self.key("ids"))), size):
            yield list(ns), self.texts(ns)

    @decodes
    def doc_ids(self, ns: Sequence[int]) -> dict[int, str]:
        rows = self._doc_fields(list(ns), ["id"])
        return {n: doc_id.decode("utf-8", "surrogatepass") for n, (doc_id,) in zip(ns, rows) if doc_id is not None}

    @decodes
    def documents(self, ids: Sequence[str]) -> list[Document]:
        ns = self._ns(ids)
        found: dict[str, Document] = {}
        for doc_id, row in zip(ns, self._doc_fields(list(ns.values()), [*_DOC_FIELDS, "z"])):
            if row[0] is None:
                continue
            f = dict(zip(_DOC_FIELDS, (v.decode("utf-8", "surrogatepass") if v is not None else None for v in row)))
            found[doc_id] = Document(
                id=doc_id, text=_unz(row[-1]), path=f["path"] or "", title=f["title"], url=f["url"], site=f["site"],
                published=f["published"], raw_chars=int(f["raw_chars"]),
            )
        return [found[doc_id] for doc_id in ids if doc_id in found]

    @decodes
    def signatures(self, ids: Sequence[str]) -> dict[str, bytes]:
        ns = self._ns(ids)
        sigs = self.r.hmget(self._gkey("sig"), list(ns.values())) if ns else []
        found = {doc_id: s for doc_id, s in zip(ns, sigs) if s is not None}
        for doc_id, data in found.items():
            try:
                signature_from_bytes(data)
            except IndexError_ as exc:  # short, or no LeanMinHash header
                raise ValueError(f"the signature of {doc_id!r} ({len(data)} bytes): {exc}") from None
        return found

    @decodes
    def ids(self) -> list[str]:
        return sorted(k.decode("utf-8", "surrogatepass") for k in self.r.hkeys(self.key("ids")))

    @decodes
    def lookup(self, query: QueryFeatures) -> Hits:
        """Every bucket set and fingerprint posting of the query, with the meta values, in one script call.

        The bucket sets are read with SMEMBERS, what datasketch's ``RedisSetStorage.get`` does for
        ``MinHashLSH.query``; a rebuild may switch generations between our reads, hence the retries.
        """
        shingles = unique(np.asarray(query.shingles, dtype=np.int64))
        for _ in range(3):
            gen = self.gen
            fp_keys, fields = self._posting_keys(shingles, gen)
            reply = self._script("lookup")(keys=[self.key("meta"), *self.bucket_keys(query.signature, gen), *fp_keys],
                                           args=fields)
            schema, fingerprint, reply_gen, n_docs = (v.decode() if v is not None else None for v in reply[:4])
            if fingerprint is None:
                raise IndexError_(f"the index {self.location} is gone: build it again with `provenance index add`")
            if int(reply_gen) == gen:
                break
            self.gen = int(reply_gen)
        else:
            raise IndexError_(f"{self.location} is being rebuilt: check again when `index rebuild` is done")
        bands: list[list[bytes]] = [[] for _ in range(self.bands)]
        fp_sets: list[np.ndarray] = [np.empty(0, np.uint32)] * len(fp_keys)
        i = 4
        while i < len(reply):  # flat: 1-based key number, then a member count and members, or packed numbers
            k = int(reply[i]) - 2
            if k < self.bands:
                bands[k] = reply[i + 2 : i + 2 + int(reply[i + 1])]
                i += 2 + int(reply[i + 1])
            else:
                fp_sets[k - self.bands] = np.frombuffer(reply[i + 1], dtype="<u4")
                i += 2
        band_ids = sorted({m for members in bands for m in members})
        band_n = dict(zip(band_ids, self.r.hmget(self.key("ids"), band_ids))) if band_ids else {}
        band_docs = np.array([int(band_n[m]) for members in bands for m in members if band_n.get(m) is not None],
                             dtype=np.int64)
        fp_of = np.repeat(np.arange(len(fp_sets)), [len(m) for m in fp_sets])
        fp_docs = np.concatenate([np.empty(0, np.int64), *fp_sets]).astype(np.int64)
        meta = {"schema": schema, "fingerprint": fingerprint, "gen": reply_gen, "n_docs": n_docs}
        return Hits(meta, fp_of, fp_docs, band_docs)

    @decodes
    def phrase_cells(self, meta: dict[str, str], cells: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Count-min cells read server-side, every row in one round trip."""
        read = self._script("cms")
        pipe = self.r.pipeline(transaction=False)
        for row, positions in enumerate(cells):
            read(keys=[self._gkey(f"cms:{row}", int(meta["gen"]))], args=[positions.astype("<u4").tobytes()],
                 client=pipe)
        rows = pipe.execute()
        for row, (positions, counts) in enumerate(zip(cells, rows)):
            if counts is None:
                raise IndexError_(f"{self.location} was rebuilt during the check: check again")
            if len(counts) != 2 * len(positions):
                raise ValueError(f"count-min row {row} is shorter than its width")
        return [np.frombuffer(counts, dtype="<u2").astype(np.int64) for counts in rows]

    @decodes
    def usage(self) -> Usage:
        """Counts from the meta hash; memory from ``MEMORY USAGE`` (see `_memory`)."""
        meta = self.read_meta()
        size, keys, how = self._memory(meta)
        text_bytes = int(meta["text_bytes"])
        policy = self.r.info("memory").get("maxmemory_policy", "unknown")
        return Usage(
            meta=meta,
            fingerprints=int(meta["fps"]),
            band_entries=int(meta["n_docs"]) * self.bands,
            text_bytes=text_bytes,
            text_footprint=text_bytes,
            size_bytes=size,
            extra={"backend": "redis", "keys": str(keys), "memory": how, "generation": meta["gen"],
                   "maxmemory_policy": str(policy)},
        )

    def _memory(self, meta: dict[str, str]) -> tuple[int, int, str]:
        """(bytes, keys, how): every key measured while the index is small, else estimated from samples.

        `index add` prints stats after every run, so this must not scan a large index: past
        EXACT_BELOW documents, each family of small keys (documents, datasketch key lists and
        bucket sets, fingerprint hashes) is measured on a random sample of ~200 and scaled
        by its count, which the index knows; the few big keys are measured directly.
        """
        n_docs, gen = int(meta["n_docs"]), int(meta["gen"])
        if n_docs < EXACT_BELOW:
            size = keys = 0
            for chunk in chunks(list(self.r.scan_iter(match=_glob_escape(self.prefix) + "*", count=1000)), _CHUNK):
                pipe = self.r.pipeline(transaction=False)
                for k in chunk:
                    pipe.memory_usage(k, samples=0)
                size += sum(v or 0 for v in pipe.execute())
                keys += len(chunk)
            return size, keys, "measured"
        base = self._gkey("lsh", gen).encode()
        *registries, keys_hash = datasketch_lsh.registry_keys(base, self.bands)
        singles = [self.key(k) for k in ("meta", "ids", "gens")] + [self._gkey("sig", gen), keys_hash]
        singles += [self._gkey(f"cms:{r}", gen) for r in range(int(meta["cms_depth"]))] + registries
        pipe = self.r.pipeline(transaction=False)
        for k in singles:
            pipe.memory_usage(k)
        for k in registries:
            pipe.hlen(k)
        pipe.hrandfield(self.key("ids"), 200, withvalues=True)
        pipe.hrandfield(keys_hash, 200, withvalues=True)
        for k in registries:
            pipe.hrandfield(k, 20, withvalues=True)
        got = pipe.execute()
        size = sum(v or 0 for v in got[: len(singles)])
        n_sets = sum(got[len(singles) : len(singles) + len(registries)])
        samples = got[len(singles) + len(registries) :]
        fp_buckets = np.random.default_rng(0).choice(1 << self.fp_bits, 200, replace=False)
        families = [  # (sampled keys, how many such keys the index has)
            ([self.key(f"d:{int(n)}") for n in samples[0][1::2]], n_docs),
            (samples[1][1::2], n_docs),
            ([k for reply in samples[2:] for k in reply[1::2]], n_sets),
            ([self._gkey(f"fp:{b}", gen) for b in fp_buckets.tolist()], 1 << self.fp_bits),
        ]
        pipe = self.r.pipeline(transaction=False)
        for sample, _ in families:
            for k in sample:
                pipe.memory_usage(k, samples=0)
        sizes = iter(pipe.execute())
        keys = len(singles)
        for sample, count in families:
            measured = [next(sizes) for _ in sample]
            if measured:
                size += int(count * np.mean([m or 0 for m in measured]))
                keys += int(count * np.mean([m is not None for m in measured]))
        return size, keys, "estimated from samples"


    # --- writes ------------------------------------------------------------------------------

    def write(self, fn: Callable[[_WriteBatch], T]) -> T:
        """``fn(batch)`` under WATCH meta, its writes committed in one MULTI/EXEC; run again on conflict."""
        for attempt in range(WRITE_RETRIES):
            with self.r.pipeline(transaction=True) as pipe:
                pipe.watch(self.key("meta"))
                batch = _WriteBatch(self, pipe)
                result = fn(batch)
                batch.commit()
                try:
                    pipe.execute()
                    return result
                except self._watch_error as exc:
                    self._raise_if_cut_off(exc)
                    time.sleep(min(0.005 * 2**attempt, 0.5))
        raise IndexError_(f"{self.location}: other writers kept changing the index; try the add or remove again")

    def rebuild(self, fn: Callable[[_Rebuild], T]) -> T:
        """``fn(target)`` writing a new generation beside the old, then ``gen`` switched in one transaction.

        A concurrent add or remove makes the rebuild stop without switching: run it again.
        """
        meta = self.read_meta()
        old, new = int(meta["gen"]), int(self.r.incr(self.key("gens")))  # generations are never reused
        self.r.set(self._rebuilding_key(new), _holder(), ex=REBUILD_LEASE)
        self.drop_abandoned(keep=(old, new))
        target = _Rebuild(self, new)
        try:
            result = fn(target)
            self._switch(meta["version"], new, target)
        except BaseException:
            _drop_keys(self.r, f"{self.prefix}g{new}:")
            self.r.delete(self._rebuilding_key(new))
            raise
        self.gen = new
        _drop_keys(self.r, f"{self.prefix}g{old}:")
        self.r.delete(self._rebuilding_key(new))
        stale = self._lsh_cache.pop(old, None)
        if stale is not None:
            datasketch_lsh.close_lsh(stale)
        return result

    def _rebuilding_key(self, gen: int) -> str:
        return self.key(f"rebuilding:{gen}")

    def generations(self) -> dict[int, int]:
        """Generation -> number of its keys, for every generation that has keys (one scan)."""
        found: dict[int, int] = {}
        pattern = re.compile(re.escape(self.prefix) + r"g(\d+):")
        for key in self.r.scan_iter(match=_glob_escape(self.prefix) + "g*", count=1000):
            m = pattern.match(key.decode("utf-8", "replace"))
            if m:
                found[int(m.group(1))] = found.get(int(m.group(1)), 0) + 1
        return found

    def drop_abandoned(self, keep: Sequence[int]) -> int:
        """Delete the generations a killed rebuild left behind: not in `keep` (the current one and
        the one being written), and with no live rebuild lease (`REBUILD_LEASE`, renewed by each
        batch a rebuild writes), so a rebuild running in another process is not cut short."""
        dropped = 0
        leases = {int(key.rsplit(b":", 1)[1]) for key in
                  self.r.scan_iter(match=_glob_escape(self.key("rebuilding:")) + "*", count=1000)}
        for gen in sorted((set(self.generations()) | leases) - set(keep)):
            if not _alive(self.r.get(self._rebuilding_key(gen))):
                dropped += _drop_keys(self.r, f"{self.prefix}g{gen}:")
                self.r.delete(self._rebuilding_key(gen))
        return dropped

    def _switch(self, version: str, new: int, target: _Rebuild) -> None:
        with self.r.pipeline(transaction=True) as pipe:
            pipe.watch(self.key("meta"))
            if pipe.hget(self.key("meta"), "version").decode() != version:
                pipe.reset()
                raise IndexError_(f"{self.location} changed during the rebuild: run `provenance index rebuild` again")
            pipe.multi()
            for row, counts in enumerate(target.rows):
                pipe.set(self._gkey(f"cms:{row}", new), counts.astype("<u2").tobytes())
            pipe.hset(self.key("meta"), mapping={**target.updates, "gen": new, "fps": target.fps})
            pipe.hincrby(self.key("meta"), "version", 1)
            pipe.execute()


class _Reads:
    """Reads of committed state, passed through to the storage (a batch's own writes are not visible)."""

    def __init__(self, storage: RedisStorage) -> None:
        self.storage = storage

    def is_damage(self, exc: BaseException) -> bool:
        return self.storage.is_damage(exc)

    def damaged(self, exc: BaseException) -> str:
        return self.storage.damaged(exc)

    def numbers(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        return self.storage.numbers(ids)

    def texts(self, ns: Sequence[int]) -> list[str]:
        return self.storage.texts(ns)

    def text_batches(self, size: int) -> Iterator[tuple[list[int], list[str]]]:
        return self.storage.text_batches(size)

    def doc_ids(self, ns: Sequence[int]) -> dict[int, str]:
        return self.storage.doc_ids(ns)


class _WriteBatch(_Reads):
    """One write transaction being prepared: reads run now (under WATCH), writes are queued for EXEC."""

    def __init__(self, storage: RedisStorage, pipe) -> None:
        super().__init__(storage)
        self.pipe = pipe
        self.meta = storage.read_meta()
        storage.gen = self.gen = int(self.meta["gen"])
        self.ops: list[Callable[[object], None]] = []  # each queues its commands on the MULTI pipeline
        self.rows: Sequence[np.ndarray] | None = None  # count-min rows, when they change
        self.updates: dict[str, object] = {}
        self.fps, self.text_bytes, self.next_n = (int(self.meta[k]) for k in ("fps", "text_bytes", "next_n"))

    def read_meta(self) -> dict[str, str]:
        return dict(self.meta)

    def set_meta(self, **values: object) -> None:
        self.updates.update(values)

    @decodes
    def cms_rows(self, depth: int, bits: int) -> list[np.ndarray]:
        raw = self.storage.r.mget([self.storage._gkey(f"cms:{row}", self.gen) for row in range(depth)])
        return [np.frombuffer(b or bytes(2 << bits), dtype="<u2").astype(np.int64) for b in raw]

    def put_cms_rows(self, rows: Sequence[np.ndarray]) -> None:
        self.rows = rows

    def put_documents(self, docs: Sequence[Document], hashes: Sequence[int], signatures: Sequence[bytes]) -> list[int]:
        ns = list(range(self.next_n, self.next_n + len(docs)))
        self.next_n += len(docs)
        key = self.storage.key
        for doc, digest, n in zip(docs, hashes, ns):
            z = zlib.compress(doc.text.encode("utf-8", "surrogatepass"), 6)
            fields = {"id": doc.id, "hash": digest, "path": doc.path, "title": doc.title, "url": doc.url,
                      "site": doc.site, "published": doc.published, "chars": len(doc.text),
                      "raw_chars": doc.raw_chars or len(doc.text)}
            mapping = {k: (v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v)
                       for k, v in fields.items() if v is not None}
            self._queue("hset", key(f"d:{n}"), None, None, {**mapping, "z": z})
            self._queue("hset", key("ids"), _b(doc.id), n)
            self.text_bytes += len(z)
        self._queue("hset", self.storage._gkey("sig", self.gen), None, None, dict(zip(ns, signatures)))
        return ns

    def delete_documents(self, ns: Sequence[int], ids: Sequence[str]) -> None:
        self.text_bytes -= sum(len(z) for (z,) in self.storage._doc_fields(ns, ["z"]) if z is not None)
        for n, doc_id in zip(ns, ids):
            self._queue("hdel", self.storage._gkey("sig", self.gen), n)
            self._queue("hdel", self.storage.key("ids"), _b(doc_id))
            self._queue("delete", self.storage.key(f"d:{n}"))

    def add_postings(self, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> None:
        self.ops.append(lambda pipe: self.storage._queue_features(pipe, self.gen, ns, ids, features))
        self.fps += sum(len(f) for f in features.fingerprints)

    def remove_postings(self, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> None:
        """Queue taking the documents out of datasketch's buckets and the fingerprint postings.

        A bucket's registry entry goes when its set empties (what datasketch's remove does), so
        the sets are read now to find the buckets this batch empties.
        """
        lsh = self.storage.lsh(self.gen)
        keys = [_b(doc_id) for doc_id in ids]
        hashes = datasketch_lsh.band_hashes(lsh, features.signatures)
        members: dict[tuple[int, bytes], set[bytes]] = {}
        for key, doc_hashes in zip(keys, hashes):
            for band, h in enumerate(doc_hashes):
                members.setdefault((band, h), set()).add(key)
        pipe = self.storage.r.pipeline(transaction=False)
        for band, h in members:
            pipe.smembers(datasketch_lsh.bucket_set(lsh, band, h))
        empties = [bucket for bucket, now in zip(members, pipe.execute()) if not (set(now) - members[bucket])]
        for key, n, doc_hashes, fps in zip(keys, ns, hashes, features.fingerprints):
            self.ops.append(lambda pipe, key=key, doc_hashes=doc_hashes: datasketch_lsh.queue_remove(
                lsh, pipe, key, doc_hashes))
            self.ops.append(lambda pipe, n=n, fps=fps: self.storage._queue_postings(pipe, self.gen, "remove", fps, n))
        for band, h in empties:
            self.ops.append(lambda pipe, band=band, h=h: datasketch_lsh.queue_forget(lsh, pipe, band, h))
        self.fps -= sum(len(f) for f in features.fingerprints)

    def _queue(self, command: str, *args: object) -> None:
        self.ops.append(lambda pipe: getattr(pipe, command)(*args))

    def commit(self) -> None:
        """MULTI, then every queued write, the counts and a version bump (EXEC is the caller's)."""
        pipe = self.pipe
        pipe.multi()
        for op in self.ops:
            op(pipe)
        if self.rows is not None:
            for row, counts in enumerate(self.rows):
                pipe.set(self.storage._gkey(f"cms:{row}", self.gen), counts.astype("<u2").tobytes())
        pipe.hset(self.storage.key("meta"), mapping={
            "fps": self.fps, "text_bytes": self.text_bytes, "next_n": self.next_n, **self.updates,
        })
        pipe.hincrby(self.storage.key("meta"), "version", 1)


class _Rebuild(_Reads):
    """A new generation being written: invisible to readers until `RedisStorage._switch`."""

    def __init__(self, storage: RedisStorage, gen: int) -> None:
        super().__init__(storage)
        self.gen = gen
        self.rows: Sequence[np.ndarray] = []
        self.updates: dict[str, object] = {}
        self.fps = 0

    def read_meta(self) -> dict[str, str]:
        return self.storage.read_meta()

    def set_meta(self, **values: object) -> None:
        self.updates.update(values)

    def put_cms_rows(self, rows: Sequence[np.ndarray]) -> None:
        self.rows = rows

    def put_signatures(self, ns: Sequence[int], signatures: Sequence[bytes]) -> None:
        if len(ns):
            self.storage.r.hset(self.storage._gkey("sig", self.gen), mapping=dict(zip(ns, signatures)))

    def add_postings(self, ns: Sequence[int], ids: Sequence[str], features: DocFeatures) -> None:
        pipe = self.storage.r.pipeline(transaction=False)
        self.fps += self.storage._queue_features(pipe, self.gen, ns, ids, features)
        pipe.set(self.storage._rebuilding_key(self.gen), _holder(), ex=REBUILD_LEASE)  # still alive
        pipe.execute()


def _holder() -> str:
    """Who holds a rebuild lease: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(holder: bytes | None) -> bool:
    """Whether a rebuild lease is held: it has not expired and, when its process is on this
    host, that process still runs (a rebuild killed here frees its generation at once)."""
    if holder is None:
        return False
    host, _, pid = holder.decode("utf-8", "replace").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _b(doc_id: str) -> bytes:
    return doc_id.encode("utf-8", "surrogatepass")


def _unz(z: bytes | None) -> str:
    return zlib.decompress(z).decode("utf-8", "surrogatepass") if z is not None else ""


def _glob_escape(text: str) -> str:
    """Escape Redis glob metacharacters (the braces of the hash tag are literal already)."""
    return re.sub(r"([\\*?\[\]])", r"\\\1", text)
