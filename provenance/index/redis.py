"""The shared index: datasketch ``MinHashLSH`` on Redis, with the same side channels as SQLite.

Many editors' checks and many writers' adds meet in one Redis database. The whole-
document channel is datasketch's own ``MinHashLSH`` Redis storage (``params=(bands,
rows)``, ``prepickle=False``, document ids as bytes keys, a fixed basename), so a
datasketch user can query the same buckets; fingerprints, signatures, texts and phrase
counts sit beside it. Every answer is computed with the functions `provenance.index`
shares with the SQLite backend, so both give the same candidates and verdicts.

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
  that has it, packed little-endian uint32 (2^16 buckets, see `RedisIndex._posting_keys`).
* ``P g<gen>:cms:<row>`` — count-min rows of phrase document frequencies, the same
  little-endian uint16 bytes as SQLite's.

Nothing is ever unpickled: keys go in as bytes with ``prepickle=False``, so datasketch
never calls ``pickle.loads``; this module reads raw bytes (HMGET, and two read-only Lua
scripts that return set members and packed counts in one round trip) and parses them
itself: ids as UTF-8, numbers as decimal text, signatures in datasketch's LeanMinHash
byte layout, texts with zlib. Each batch of an add or remove is one MULTI/EXEC under
``WATCH meta`` (every write bumps ``version``), so readers never see half a batch and
concurrent writers retry instead of interleaving. ``rebuild`` writes a new generation
beside the old and switches ``gen`` in one transaction. Connections carry socket
timeouts and no automatic retry (a retried EXEC could apply twice): a server that goes
away gives an `IndexError_` naming it within seconds. The write side is `redis_write`.
"""

from __future__ import annotations

import functools
import re
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import parse_qs, unquote, urlsplit

import numpy as np

from provenance.errors import ConfigMismatchError, IndexError_, MissingExtraError
from provenance.index import (
    AddReport,
    Candidate,
    IndexParams,
    IndexStats,
    QueryFeatures,
    content_hash,
    doc_features,
    phrase_key_version,
    rank_candidates,
    require_phrase_keys,
)
from provenance.index import (
    count_min as cms,
)
from provenance.model import Document
from provenance.settings import SketchConfig

SCHEMA_VERSION = "2"  # 2: fingerprint postings in hashes of packed numbers (1: a set each)
DEFAULT_NAME = "default"
FP_BITS = 16  # 65,536 fingerprint hashes: ~10 entries each at 10k documents, 100 (still compact) at 100k
DEFAULT_TIMEOUT = 10.0  # seconds a command may take before the server counts as gone
EXACT_BELOW = 2000  # documents: below, `stats` measures every key; above, it samples
WRITE_RETRIES = 50  # optimistic-lock retries when other writers keep committing
_NAME_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
_DOC_FIELDS = ("id", "hash", "path", "title", "url", "site", "published", "chars", "raw_chars")
_CHUNK = 2000
_SCRIPTS = {
    # KEYS: meta, the LSH bucket sets, then fingerprint hashes; ARGV: the fingerprint of each hash.
    # Reply: fingerprint, gen, n_docs, then per hit: key number and members (sets) or packed numbers.
    "lookup": """
local out = redis.call('HMGET', KEYS[1], 'fingerprint', 'gen', 'n_docs')
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
    # KEYS: one count-min row; ARGV[1]: little-endian uint32 cell numbers. Reply: their uint16 counts, packed.
    "cms": """
local key, cells, out = KEYS[1], ARGV[1], {}
for i = 1, #cells, 4 do
  local c = struct.unpack('<I4', cells, i)
  local v = redis.call('GETRANGE', key, 2 * c, 2 * c + 1)
  if #v < 2 then v = '\\0\\0' end
  out[#out + 1] = v
end
return table.concat(out)
""",
}


def open(spec: str, config: SketchConfig, *, create: bool = False, params: IndexParams | None = None,
         check_config: bool = True) -> RedisIndex:
    """Open (or with `create`, make) the index named by a ``redis://HOST:PORT/DB[?name=NAME]`` URL."""
    return RedisIndex(spec, config, create=create, params=params, check_config=check_config)


def drop(spec: str) -> int:
    """Delete every key of the index named by `spec`, whatever its schema or configuration."""
    ix = RedisIndex.__new__(RedisIndex)
    ix._connect(spec)
    try:
        return ix.drop()
    finally:
        ix.r.close()


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


def _guarded(fn):
    """Turn any Redis client error into an `IndexError_` that names the server and the fix."""

    @functools.wraps(fn)
    def wrapper(self, *args, **kwargs):
        try:
            return fn(self, *args, **kwargs)
        except self._errors as exc:
            raise self._server_error(exc) from exc

    return wrapper


class RedisPhraseStats:
    """Phrase document frequencies from the count-min rows (never undercounts), read server-side.

    The meta hash is read on first use, so a check whose drafts find no candidate costs
    one round trip, not two.
    """

    def __init__(self, index: RedisIndex) -> None:
        self._index, self._state = index, None
        self._errors, self._server_error = index._errors, index._server_error
        self._memo: dict[bytes, np.ndarray] = {}  # a draft's phrases are asked about once per candidate

    @_guarded
    def _load(self) -> tuple[int, int, int]:
        if self._state is None:
            meta = self._index._read_meta()
            require_phrase_keys(meta.get("phrase_keys"))
            self._state = (int(meta["n_docs"]), int(meta["cms_bits"]), int(meta["gen"]))
        return self._state

    @property
    def n_docs(self) -> int:
        return self._load()[0]

    @_guarded
    def doc_freq(self, hashes: np.ndarray) -> np.ndarray:
        hashes = np.asarray(hashes)
        n_docs, bits, gen = self._load()
        if len(hashes) == 0 or n_docs == 0:
            return np.zeros(len(hashes), dtype=np.int64)
        memo = hashes.astype(np.uint64).tobytes()
        if memo in self._memo:
            return self._memo[memo].copy()
        depth = self._index.params.cms_depth
        slots = cms.slots(hashes, depth, bits)
        read = self._index._scripts("cms")
        pipe = self._index.r.pipeline(transaction=False)
        uniq = [np.unique(slots[r], return_inverse=True) for r in range(depth)]
        for r, (u, _) in enumerate(uniq):
            read(keys=[self._index._gkey(f"cms:{r}", gen)], args=[u.astype("<u4").tobytes()], client=pipe)
        out = np.full(len(hashes), np.iinfo(np.int64).max, dtype=np.int64)
        for (_, inverse), counts in zip(uniq, pipe.execute()):
            np.minimum(out, np.frombuffer(counts, dtype="<u2").astype(np.int64)[inverse], out=out)
        out = np.minimum(out, n_docs)
        if len(self._memo) >= 64:
            self._memo.clear()
        self._memo[memo] = out
        return out.copy()


class RedisIndex:
    """A document index in one Redis database under one name (see the module docstring for keys)."""

    def __init__(self, spec: str, config: SketchConfig, *, create: bool = False,
                 params: IndexParams | None = None, check_config: bool = True) -> None:
        self._connect(spec)
        self.config = config
        self._lsh_cache: dict[int, object] = {}
        self._script_cache: dict[str, object] = {}
        try:
            meta = self._read_meta()
            if not meta:
                if not create:
                    raise IndexError_(
                        f"no index named {self.name!r} at {self.location}: build one with "
                        f"`provenance index add PATH... --index {self.location}`"
                    )
                meta = self._create(params or IndexParams())
        except self._errors as exc:
            self.r.close()
            raise self._server_error(exc) from exc
        if meta.get("schema") != SCHEMA_VERSION:
            raise IndexError_(
                f"{self.location} has index schema {meta.get('schema')!r}, this version reads {SCHEMA_VERSION!r}: "
                "drop it (`provenance.index.redis.drop(URL)`) and add the original files again"
            )
        self.stored_fingerprint = meta["fingerprint"]
        if check_config:
            config.require_same(self.stored_fingerprint, what="index")
        self.params = IndexParams.from_meta(meta)
        self.gen = int(meta["gen"])
        self.fp_bits = int(meta["fp_bits"])

    # --- plumbing ---------------------------------------------------------------------

    def _connect(self, spec: str) -> None:
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError as exc:
            raise MissingExtraError("redis", "redis") from exc
        self._errors = (redis.exceptions.RedisError, OSError)
        self._redis_kwargs, self.name, self.location, self.timeout = parse_spec(spec)
        self._redis_kwargs["retry"] = Retry(NoBackoff(), 0)  # never resend a MULTI/EXEC that may have run
        self.prefix = f"provenance:{{{self.name}}}:"
        self.r = redis.Redis(**self._redis_kwargs)

    def _scripts(self, name: str):
        return self._script(name, _SCRIPTS[name])

    def _script(self, name: str, source: str):
        """A Lua script registered once per client (EVALSHA; loaded again if the server forgot it)."""
        if name not in self._script_cache:
            self._script_cache[name] = self.r.register_script(source)
        return self._script_cache[name]

    def _server_error(self, exc: Exception) -> IndexError_:
        kind = "did not answer within %g s" % self.timeout if "imeout" in type(exc).__name__ else "failed"
        return IndexError_(
            f"Redis server {self.location} {kind} ({type(exc).__name__}: {exc}). Check that it is running and "
            "reachable, or point --index elsewhere; an add or remove that was cut off applied whole batches "
            "only: run it again (unchanged documents are skipped)"
        )

    def key(self, suffix: str) -> str:
        return self.prefix + suffix

    def _gkey(self, suffix: str, gen: int | None = None) -> str:
        return f"{self.prefix}g{self.gen if gen is None else gen}:{suffix}"

    def _read_meta(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.r.hgetall(self.key("meta")).items()}

    def lsh(self, gen: int | None = None, config: SketchConfig | None = None):
        """datasketch's ``MinHashLSH`` over this index's Redis buckets (ids as UTF-8 bytes keys)."""
        from datasketch import MinHashLSH

        gen = self.gen if gen is None else gen
        if gen not in self._lsh_cache:
            conn = dict(self._redis_kwargs)
            self._lsh_cache[gen] = MinHashLSH(
                num_perm=(config or self.config).num_perm, params=(self.params.bands, self.params.rows),
                storage_config={"type": "redis", "basename": self._gkey("lsh", gen).encode(), "redis": conn},
                prepickle=False,
            )
        return self._lsh_cache[gen]

    def bucket_keys(self, signature: np.ndarray, gen: int | None = None) -> list[bytes]:
        """The Redis key of each band's bucket in datasketch's layout (``storage.redis_key(lsh._H(band))``).

        Computed here so a check never imports datasketch, whose ``lsh`` module pulls in
        scipy (1-2 s a process); a test holds it equal to datasketch's own keys.
        """
        base = self._gkey("lsh", gen).encode() + b"_bucket_"
        sig, r = np.asarray(signature, dtype=np.uint32), self.params.rows
        return [base + struct.pack(">H", b) + bytes(sig[b * r : (b + 1) * r].byteswap().data)
                for b in range(self.params.bands)]

    def _posting_keys(self, fps: np.ndarray, gen: int) -> tuple[list[str], list[bytes]]:
        """(hash key, field) of each fingerprint: 2^fp_bits hashes of packed document numbers.

        One key per fingerprint would cost ~100 bytes each in Redis (69 a document); small
        hashes of 4-byte fields cost ~15. The bucket is a multiplicative hash of the
        fingerprint, since winnowed minima crowd the low values.
        """
        v = np.asarray(fps).astype(np.int64).astype(np.uint32)
        bucket = (v * np.uint32(0x9E3779B1)) >> np.uint32(32 - self.fp_bits)
        raw = v.astype("<u4").tobytes()
        return ([f"{self.prefix}g{gen}:fp:{b}" for b in bucket.tolist()],
                [raw[4 * j : 4 * j + 4] for j in range(len(v))])

    def _band_hashes(self, lsh, signatures: np.ndarray) -> list[list[bytes]]:
        """datasketch's bucket key of every band of every signature (its own ``_H`` on uint32 values)."""
        sig = np.asarray(signatures, dtype=np.uint32)
        return [[lsh._H(row[a:b]) for a, b in lsh.hashranges] for row in sig]

    def _create(self, params: IndexParams) -> dict[str, str]:
        meta_key = self.key("meta")
        with self.r.pipeline(transaction=True) as pipe:
            pipe.watch(meta_key)
            if not pipe.exists(meta_key):
                pipe.multi()
                pipe.hset(meta_key, mapping={
                    "schema": SCHEMA_VERSION, "fingerprint": self.config.fingerprint, "bands": params.bands,
                    "rows": params.rows, "winnow": params.winnow, "cms_depth": params.cms_depth,
                    "cms_bits": cms.MIN_BITS, "cms_total": 0, "n_docs": 0, "fps": 0, "text_bytes": 0,
                    "next_n": 1, "gen": 1, "version": 0, "phrase_keys": phrase_key_version(),
                    "fp_bits": FP_BITS,
                })
                pipe.set(self.key("gens"), 1)
                for r in range(params.cms_depth):
                    pipe.set(self._gkey(f"cms:{r}", 1), bytes(2 << cms.MIN_BITS))
                try:
                    pipe.execute()
                except self._watch_error:
                    pass  # another process created it first; use theirs
        return self._read_meta()

    @property
    def _watch_error(self):
        import redis

        return redis.exceptions.WatchError

    def close(self) -> None:
        for lsh in self._lsh_cache.values():
            _close_lsh(lsh)
        self._lsh_cache.clear()
        self.r.close()

    def __enter__(self) -> RedisIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading helpers ------------------------------------------------------------------

    def _ns(self, ids: Sequence[str]) -> dict[str, int]:
        """id -> n for the ids present."""
        out: dict[str, int] = {}
        for chunk in _chunks(list(ids), _CHUNK):
            for i, n in zip(chunk, self.r.hmget(self.key("ids"), [_b(i) for i in chunk])):
                if n is not None:
                    out[i] = int(n)
        return out

    def _doc_fields(self, ns: Sequence[int], fields: Sequence[str]) -> list[list[bytes | None]]:
        pipe = self.r.pipeline(transaction=False)
        for n in ns:
            pipe.hmget(self.key(f"d:{n}"), list(fields))
        return pipe.execute()

    def _existing(self, ids: Sequence[str]) -> dict[str, tuple[int, int]]:
        ns = self._ns(ids)
        rows = self._doc_fields(list(ns.values()), ["hash"])
        return {i: (n, int(h)) for (i, n), (h,) in zip(ns.items(), rows) if h is not None}

    def _texts(self, ns: Sequence[int]) -> list[str]:
        return [_unz(z) for (z,) in self._doc_fields(ns, ["z"])]

    def _all_ns(self) -> list[int]:
        return sorted(int(n) for n in self.r.hvals(self.key("ids")))

    def _text_batches(self, batch: int = 2000) -> Iterator[tuple[list[int], list[str]]]:
        for ns in _chunks(self._all_ns(), batch):
            yield list(ns), self._texts(ns)

    # --- writing ----------------------------------------------------------------------------

    @_guarded
    def add(self, docs: Iterable[Document], *, batch_size: int = 500) -> AddReport:
        """Add or replace documents, one MULTI/EXEC per batch; unchanged ones are skipped."""
        counts = [0, 0, 0]  # added, replaced, unchanged
        skipped: list[tuple[str, str]] = []
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                self._add_batch(batch, counts, skipped)
                batch = []
        if batch:
            self._add_batch(batch, counts, skipped)
        return AddReport(*counts, tuple(skipped))

    def _add_batch(self, batch: list[Document], counts: list[int], skipped: list[tuple[str, str]]) -> None:
        from provenance import text as textmod

        by_id: dict[str, Document] = {}
        for d in batch:
            if d.id in by_id:
                skipped.append((d.id, "duplicate id in this batch; the later one was kept"))
            by_id[d.id] = d
        hashes = {i: content_hash(d) for i, d in by_id.items()}
        existing = self._existing(list(by_id))
        todo = []
        for i, d in by_id.items():
            if existing.get(i, (None, None))[1] == hashes[i]:
                counts[2] += 1
            elif textmod.words(d.text):
                todo.append(d)
            else:
                skipped.append((d.id, "no words to index"))
        if not todo:
            return
        feats = doc_features([d.text for d in todo], self.config, self.params)
        n_old = self._write(lambda plan: plan.replace(todo, [hashes[d.id] for d in todo], feats))
        counts[0] += len(todo) - n_old
        counts[1] += n_old

    def _write(self, build):
        from provenance.index.redis_write import write

        return write(self, build)

    @_guarded
    def rebuild(self, config: SketchConfig | None = None, *, batch_size: int = 2000) -> int:
        """Recompute signatures, buckets, fingerprints and phrase counts into a new generation, then switch.

        With `config`, the index moves to that configuration (what a fingerprint mismatch asks for).
        A concurrent add or remove makes the rebuild stop without switching: run it again.
        """
        from provenance.index.redis_write import rebuild

        return rebuild(self, config or self.config, batch_size)

    @_guarded
    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id in one MULTI/EXEC; returns the ids that were present."""
        ids = list(dict.fromkeys(ids))
        present: list[str] = []
        self._write(lambda plan: present.extend(plan.delete(ids)))
        found = set(present)
        return [i for i in ids if i in found]

    def _drop_keys(self, prefix: str) -> int:
        """Unlink every key that starts with `prefix`."""
        dropped = 0
        for keys in _chunks(list(self.r.scan_iter(match=_glob_escape(prefix) + "*", count=1000)), 1000):
            dropped += self.r.unlink(*keys)
        return dropped

    @_guarded
    def drop(self) -> int:
        """Delete the whole index (every key under its name); returns the number of keys removed."""
        return self._drop_keys(self.prefix)

    # --- reading -----------------------------------------------------------------------------

    @property
    def n_docs(self) -> int:
        return int(self.r.hget(self.key("meta"), "n_docs") or 0)

    def _current_meta(self, pipe_reply: list) -> dict[str, str]:
        fingerprint, gen, n_docs = (v.decode() if v is not None else None for v in pipe_reply)
        if fingerprint is None:
            raise IndexError_(f"the index {self.location} is gone: build it again with `provenance index add`")
        if fingerprint != self.config.fingerprint:
            raise ConfigMismatchError(
                f"index built with {fingerprint}; this query uses {self.config.fingerprint}: "
                "rebuild it with `provenance index rebuild`"
            )
        return {"gen": gen, "n_docs": n_docs}

    @_guarded
    def candidates(self, query: QueryFeatures, *, limit: int = 10, max_df: int | None = None) -> list[Candidate]:
        """Stored documents sharing fingerprints or LSH buckets with `query`, best first (as SQLite ranks them)."""
        shingles = np.unique(np.asarray(query.shingles, dtype=np.int64))
        for _ in range(3):  # a rebuild may switch generations between our reads
            gen = self.gen
            # SMEMBERS of every bucket (what datasketch's RedisSetStorage.get does for MinHashLSH.query)
            # and HGET of every shingle's posting, server-side in one script: one round trip
            fp_keys, fields = self._posting_keys(shingles, gen)
            keys = [self.key("meta"), *self.bucket_keys(query.signature, gen), *fp_keys]
            reply = self._scripts("lookup")(keys=keys, args=fields)
            meta = self._current_meta(reply[:3])
            if int(meta["gen"]) == gen:
                break
            self.gen = int(meta["gen"])
        else:
            raise IndexError_(f"{self.location} is being rebuilt: check again when `index rebuild` is done")
        n_docs = int(meta["n_docs"])
        nb = self.params.bands
        bands: list[list[bytes]] = [[] for _ in range(nb)]
        fp_sets: list[np.ndarray] = [np.empty(0, np.uint32)] * len(fp_keys)
        i = 3
        while i < len(reply):  # flat: 1-based key number, then a member count and members, or packed numbers
            k = int(reply[i]) - 2
            if k < nb:
                bands[k] = reply[i + 2 : i + 2 + int(reply[i + 1])]
                i += 2 + int(reply[i + 1])
            else:
                fp_sets[k - nb] = np.frombuffer(reply[i + 1], dtype="<u4")
                i += 2
        band_ids = sorted({m for members in bands for m in members})
        band_n = dict(zip(band_ids, self.r.hmget(self.key("ids"), band_ids))) if band_ids else {}
        bn = np.array([int(band_n[m]) for members in bands for m in members if band_n.get(m) is not None],
                      dtype=np.int64)
        fk = np.repeat(np.arange(len(fp_sets)), [len(m) for m in fp_sets])
        fn = np.concatenate([np.empty(0, np.int64), *fp_sets]).astype(np.int64)
        docs, fcount, bcount, score = rank_candidates(fk, fn, bn, n_docs, limit=limit, max_df=max_df)
        if len(docs) == 0:
            return []
        ids = [row[0] for row in self._doc_fields(docs.tolist(), ["id"])]
        return [
            Candidate(i.decode("utf-8", "surrogatepass"), int(f), int(b), float(sc))
            for f, b, sc, i in zip(fcount, bcount, score, ids)
            if i is not None
        ]

    @_guarded
    def documents(self, ids: Sequence[str]) -> list[Document]:
        """Stored documents by id, in the order asked (missing ids are left out)."""
        ns = self._ns(ids)
        found: dict[str, Document] = {}
        for (i, _), row in zip(ns.items(), self._doc_fields(list(ns.values()), [*_DOC_FIELDS, "z"])):
            if row[0] is None:
                continue
            f = dict(zip(_DOC_FIELDS, (v.decode("utf-8", "surrogatepass") if v is not None else None for v in row)))
            found[i] = Document(
                id=i, text=_unz(row[-1]), path=f["path"] or "", title=f["title"], url=f["url"], site=f["site"],
                published=f["published"], raw_chars=int(f["raw_chars"]),
            )
        return [found[i] for i in ids if i in found]

    @_guarded
    def signatures(self, ids: Sequence[str]) -> dict[str, bytes]:
        """Stored LeanMinHash bytes by id."""
        ns = self._ns(ids)
        sigs = self.r.hmget(self._gkey("sig"), list(ns.values())) if ns else []
        return {i: s for i, s in zip(ns, sigs) if s is not None}

    @_guarded
    def content_hashes(self, ids: Sequence[str]) -> dict[str, int]:
        return {i: h for i, (_, h) in self._existing(list(ids)).items()}

    @_guarded
    def ids(self) -> list[str]:
        return sorted(k.decode("utf-8", "surrogatepass") for k in self.r.hkeys(self.key("ids")))

    def phrase_stats(self) -> RedisPhraseStats:
        """Phrase counts for `verdict.compare` (refuses counts keyed the way this code no longer asks)."""
        return RedisPhraseStats(self)

    @_guarded
    def stats(self) -> IndexStats:
        """Counts from the meta hash; memory from ``MEMORY USAGE`` (see `_memory`)."""
        meta = self._read_meta()
        size, keys, how = self._memory(meta)
        text_bytes = int(meta["text_bytes"])
        policy = self.r.info("memory").get("maxmemory_policy", "unknown")
        return IndexStats(
            location=self.location,
            config_fingerprint=meta["fingerprint"],
            params=self.params,
            documents=int(meta["n_docs"]),
            fingerprints=int(meta["fps"]),
            band_entries=int(meta["n_docs"]) * self.params.bands,
            text_bytes=text_bytes,
            size_bytes=size,
            structure_bytes=max(size - text_bytes, 0),
            extra={"backend": "redis", "keys": str(keys), "memory": how, "generation": meta["gen"],
                   "cms_width": str(1 << int(meta["cms_bits"])), "maxmemory_policy": str(policy)},
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
            for chunk in _chunks(list(self.r.scan_iter(match=_glob_escape(self.prefix) + "*", count=1000)), _CHUNK):
                pipe = self.r.pipeline(transaction=False)
                for k in chunk:
                    pipe.memory_usage(k, samples=0)
                size += sum(v or 0 for v in pipe.execute())
                keys += len(chunk)
            return size, keys, "measured"
        base = self._gkey("lsh", gen).encode()
        registries = [base + b"_bucket_" + struct.pack(">H", b) for b in range(self.params.bands)]
        singles = [self.key(k) for k in ("meta", "ids", "gens")] + [self._gkey("sig", gen), base + b"_keys"]
        singles += [self._gkey(f"cms:{r}", gen) for r in range(self.params.cms_depth)] + registries
        pipe = self.r.pipeline(transaction=False)
        for k in singles:
            pipe.memory_usage(k)
        for k in registries:
            pipe.hlen(k)
        pipe.hrandfield(self.key("ids"), 200, withvalues=True)
        pipe.hrandfield(base + b"_keys", 200, withvalues=True)
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


def _close_lsh(lsh) -> None:
    for storage in [lsh.keys, *lsh.hashtables]:
        storage._redis.close()


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _b(doc_id: str) -> bytes:
    return doc_id.encode("utf-8", "surrogatepass")


def _unz(z: bytes | None) -> str:
    return zlib.decompress(z).decode("utf-8", "surrogatepass") if z is not None else ""


def _glob_escape(text: str) -> str:
    """Escape Redis glob metacharacters (the braces of the hash tag are literal already)."""
    return re.sub(r"([\\*?\[\]])", r"\\\1", text)
