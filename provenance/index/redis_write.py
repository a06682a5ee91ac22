"""The Redis index's writes: each batch one MULTI/EXEC under ``WATCH meta``, and rebuilds.

A `WritePlan` reads what a batch needs right away (stored texts of replaced documents,
the count-min rows, bucket contents) while the meta hash is watched, and queues every
write; `write` sends them between MULTI and EXEC and retries from the start when
another writer committed first (every write bumps ``meta.version``). So a crash, a
killed process or a lost connection leaves each batch applied whole or not at all.
Postings of the whole-document channel go through datasketch's own storage methods
(``RedisListStorage._insert``/``_remove``, ``RedisSetStorage._insert``) on our pipeline.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from provenance.errors import IndexError_
from provenance.index import count_min as cms
from provenance.index import doc_features, doc_phrases, phrase_key_version, signature_bytes
from provenance.index.redis import WRITE_RETRIES, _b, _close_lsh
from provenance.model import Document
from provenance.settings import SketchConfig

if TYPE_CHECKING:
    from provenance.index.redis import RedisIndex

# KEYS: fingerprint hashes; ARGV: add or remove, then per key a fingerprint and a packed document number.
# Adding a number already there or removing one absent does nothing. Writes: only inside MULTI/EXEC.
POSTINGS_LUA = """
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
"""


def write(ix: RedisIndex, build):
    """Run `build(plan)` under WATCH meta and commit its writes in one MULTI/EXEC, retrying on conflict."""
    for attempt in range(WRITE_RETRIES):
        with ix.r.pipeline(transaction=True) as pipe:
            pipe.watch(ix.key("meta"))
            plan = WritePlan(ix, pipe)
            result = build(plan)
            plan.commit()
            try:
                pipe.execute()
                return result
            except ix._watch_error:
                time.sleep(min(0.005 * 2**attempt, 0.5))
    raise IndexError_(f"{ix.location}: other writers kept changing the index; try the add or remove again")


def rebuild(ix: RedisIndex, config: SketchConfig, batch_size: int) -> int:
    """`RedisIndex.rebuild`: a new generation written beside the old, switched in one transaction."""
    meta = ix._read_meta()
    old, new = int(meta["gen"]), int(ix.r.incr(ix.key("gens")))  # generations are never reused
    ix._drop_keys(f"{ix.prefix}g{new}:")
    lsh = ix.lsh(new, config)
    counts = np.zeros((ix.params.cms_depth, 1 << cms.MAX_BITS), dtype=np.int64)
    count = fps = total = 0
    for ns, texts in ix._text_batches(batch_size):
        feats = doc_features(texts, config, ix.params)
        ids = [row[0].decode("utf-8", "surrogatepass") for row in ix._doc_fields(ns, ["id"])]
        pipe = ix.r.pipeline(transaction=False)  # invisible until `gen` switches
        put_postings(ix, pipe, new, lsh, ids, ns, feats, config.seed)
        pipe.execute()
        fps += sum(len(f) for f in feats.fingerprints)
        total += cms.count_into(counts, feats.phrases, cms.MAX_BITS)
        count += len(ns)
    bits = cms.bits_for(total)
    with ix.r.pipeline(transaction=True) as pipe:
        pipe.watch(ix.key("meta"))
        if pipe.hget(ix.key("meta"), "version").decode() != meta["version"]:
            pipe.reset()
            ix._drop_keys(f"{ix.prefix}g{new}:")
            raise IndexError_(f"{ix.location} changed during the rebuild: run `provenance index rebuild` again")
        pipe.multi()
        for r, row in enumerate(cms.fold(counts, bits)):
            pipe.set(ix._gkey(f"cms:{r}", new), row.astype("<u2").tobytes())
        pipe.hset(ix.key("meta"), mapping={
            "gen": new, "fingerprint": config.fingerprint, "phrase_keys": phrase_key_version(),
            "cms_bits": bits, "cms_total": total, "n_docs": count, "fps": fps,
        })
        pipe.hincrby(ix.key("meta"), "version", 1)
        pipe.execute()
    ix.config, ix.stored_fingerprint, ix.gen = config, config.fingerprint, new
    ix._drop_keys(f"{ix.prefix}g{old}:")
    stale = ix._lsh_cache.pop(old, None)
    if stale is not None:
        _close_lsh(stale)
    return count


class WritePlan:
    """One write transaction being prepared: reads run now (under WATCH), writes are queued for EXEC."""

    def __init__(self, index: RedisIndex, pipe) -> None:
        self.ix, self.pipe = index, pipe
        self.meta = index._read_meta()
        if self.meta.get("fingerprint") != index.config.fingerprint:
            index.config.require_same(self.meta.get("fingerprint", "(no index)"), what="index")
        index.gen = self.gen = int(self.meta["gen"])
        self.lsh = index.lsh(self.gen)
        self.ops: list = []  # (method, args) queued after MULTI
        self.rows: list[np.ndarray] | None = None  # cms rows, read once if counts change
        self.n_docs, self.fps, self.text_bytes = (int(self.meta[k]) for k in ("n_docs", "fps", "text_bytes"))
        self.cms_total, self.cms_bits = int(self.meta["cms_total"]), int(self.meta["cms_bits"])
        self.next_n = int(self.meta["next_n"])
        self.deleted_ns: list[int] = []  # documents this transaction removes
        self.new_phrases: list[np.ndarray] = []  # phrase keys of the documents it adds

    def _cms(self, phrase_sets: Sequence[np.ndarray], sign: int) -> None:
        """SQLite's `_cms_add`, exactly: add counts, saturate at 0 and 65535, widen by recounting."""
        if not phrase_sets:
            return
        depth = self.ix.params.cms_depth
        if self.rows is None:
            raw = self.ix.r.mget([self.ix._gkey(f"cms:{r}", self.gen) for r in range(depth)])
            self.rows = [np.frombuffer(b or bytes(2 << self.cms_bits), dtype="<u2").astype(np.int64) for b in raw]
        added = cms.add(self.rows, phrase_sets, sign, self.cms_bits)
        self.cms_total = max(0, self.cms_total + sign * added)
        if sign > 0 and cms.should_widen(self.cms_total, self.cms_bits):
            self._recount(cms.bits_for(self.cms_total))

    def _recount(self, bits: int) -> None:
        """Count every document's phrases again at `bits` width: the stored ones plus this batch's."""
        counts = np.zeros((self.ix.params.cms_depth, 1 << cms.MAX_BITS), dtype=np.int64)
        gone = set(self.deleted_ns)
        total = 0
        for ns, texts in self.ix._text_batches():
            total += cms.count_into(counts, doc_phrases([t for n, t in zip(ns, texts) if n not in gone]), cms.MAX_BITS)
        total += cms.count_into(counts, self.new_phrases, cms.MAX_BITS)
        self.rows = list(np.clip(cms.fold(counts, bits), 0, 0xFFFF))
        self.cms_bits, self.cms_total = bits, total

    def delete(self, ids: Sequence[str]) -> list[str]:
        """Queue the removal of these documents (and all their postings); returns those present."""
        existing = self.ix._ns(ids)
        self.deleted_ns = list(existing.values())
        if not existing:
            return []
        ns = list(existing.values())
        feats = doc_features(self.ix._texts(ns), self.ix.config, self.ix.params)
        keys = [_b(i) for i in existing]
        hashes = self.ix._band_hashes(self.lsh, feats.signatures)
        # a bucket's registry entry goes when its set empties (what datasketch's remove does, in one EXEC)
        members: dict[tuple[int, bytes], set[bytes]] = {}
        for key, hs in zip(keys, hashes):
            for b, h in enumerate(hs):
                members.setdefault((b, h), set()).add(key)
        pipe = self.ix.r.pipeline(transaction=False)
        for b, h in members:
            pipe.smembers(self.lsh.hashtables[b].redis_key(h))
        empties = [bh for bh, now in zip(members, pipe.execute()) if not (set(now) - members[bh])]
        for key, n, hs, fp in zip(keys, ns, hashes, feats.fingerprints):
            for h, storage in zip(hs, self.lsh.hashtables):
                self.ops.append(("srem", storage.redis_key(h), key))
            self.ops.append(("_ds_remove_key", key))
            self.ops.append(("_postings", "remove", fp, n))
            self.ops.append(("hdel", self.ix._gkey("sig", self.gen), n))
            self.ops.append(("hdel", self.ix.key("ids"), key))
            self.ops.append(("delete", self.ix.key(f"d:{n}")))
        for b, h in empties:
            self.ops.append(("hdel", self.lsh.hashtables[b]._name, h))
        zs = self.ix._doc_fields(ns, ["z"])
        self.text_bytes -= sum(len(z) for (z,) in zs if z is not None)
        self.n_docs -= len(ns)
        self.fps -= sum(len(f) for f in feats.fingerprints)
        self._cms(feats.phrases, -1)
        return list(existing)

    def replace(self, docs: Sequence[Document], hashes: Sequence[int], feats) -> int:
        """Queue the insertion of `docs`, replacing stored versions; returns how many were replaced."""
        replaced = len(self.delete([d.id for d in docs]))
        self.new_phrases = feats.phrases
        ns = list(range(self.next_n, self.next_n + len(docs)))
        self.next_n += len(docs)
        for d, h, n in zip(docs, hashes, ns):
            z = zlib.compress(d.text.encode("utf-8", "surrogatepass"), 6)
            fields = {"id": d.id, "hash": h, "path": d.path, "title": d.title, "url": d.url, "site": d.site,
                      "published": d.published, "chars": len(d.text), "raw_chars": d.raw_chars or len(d.text)}
            mapping = {k: (v.encode("utf-8", "surrogatepass") if isinstance(v, str) else v)
                       for k, v in fields.items() if v is not None}
            self.ops.append(("hset", self.ix.key(f"d:{n}"), None, None, {**mapping, "z": z}))
            self.ops.append(("hset", self.ix.key("ids"), _b(d.id), n))
            self.text_bytes += len(z)
        self.ops.append(("_put", [d.id for d in docs], ns, feats))
        self.n_docs += len(docs)
        self.fps += sum(len(f) for f in feats.fingerprints)
        self._cms(feats.phrases, +1)
        return replaced

    def commit(self) -> None:
        """MULTI, then every queued write, the counts and a version bump (EXEC is the caller's)."""
        pipe, ix = self.pipe, self.ix
        pipe.multi()
        for op, *args in self.ops:
            if op == "_ds_remove_key":
                self.lsh.keys._remove(pipe, args[0])  # datasketch: HDEL keys registry + DEL the key's list
            elif op == "_postings":
                postings(ix, pipe, self.gen, *args)
            elif op == "_put":
                put_postings(ix, pipe, self.gen, self.lsh, *args, ix.config.seed)
            else:
                getattr(pipe, op)(*args)
        if self.rows is not None:
            for r, row in enumerate(self.rows):
                pipe.set(ix._gkey(f"cms:{r}", self.gen), row.astype("<u2").tobytes())
        pipe.hset(ix.key("meta"), mapping={
            "n_docs": self.n_docs, "fps": self.fps, "text_bytes": self.text_bytes, "cms_total": self.cms_total,
            "cms_bits": self.cms_bits, "next_n": self.next_n,
        })
        pipe.hincrby(ix.key("meta"), "version", 1)


def put_postings(ix: RedisIndex, pipe, gen: int, lsh, ids: Sequence[str], ns: Sequence[int], feats,
                 seed: int) -> None:
    """Queue signatures, datasketch bucket entries and fingerprint sets of documents `ns`."""
    hashes = ix._band_hashes(lsh, feats.signatures)
    if len(ns):
        pipe.hset(ix._gkey("sig", gen), mapping={n: signature_bytes(s, seed) for n, s in zip(ns, feats.signatures)})
    for i, hs in zip(ids, hashes):
        key = _b(i)
        lsh.keys._insert(pipe, key, *hs)  # datasketch: HSET keys registry + RPUSH the key's band hashes
        for h, storage in zip(hs, lsh.hashtables):
            storage._insert(pipe, h, key)  # datasketch: HSET bucket registry + SADD key to the bucket set
    if len(ns):
        fps = np.concatenate(feats.fingerprints)
        postings(ix, pipe, gen, "add", fps, np.repeat(np.asarray(ns), [len(f) for f in feats.fingerprints]))


def postings(ix: RedisIndex, pipe, gen: int, action: str, fps: np.ndarray, ns) -> None:
    """Queue adding or removing (fingerprint, n) postings: a few script calls, not a command each."""
    keys, fields = ix._posting_keys(fps, gen)
    packed = np.broadcast_to(np.asarray(ns, dtype="<u4"), (len(fps),)).astype("<u4").tobytes()
    script = ix._script("postings", POSTINGS_LUA)
    for a in range(0, len(keys), 20000):
        args = [action]
        for j in range(a, min(a + 20000, len(keys))):
            args += [fields[j], packed[4 * j : 4 * j + 4]]
        script(keys=keys[a : a + 20000], args=args, client=pipe)
