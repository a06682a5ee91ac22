"""datasketch's ``MinHashLSH`` Redis layout, and the one place this package uses datasketch internals.

The Redis storage keeps its whole-document channel in datasketch's own layout
(``MinHashLSH(storage_config={"type": "redis", "basename": ...}, prepickle=False)``), so a
datasketch user can query the same buckets. Its public API cannot do what an index
batch needs: ``MinHashLSH.insert`` and ``remove`` send their commands on their own
connection, but a batch must go into our MULTI/EXEC (all of a batch or none of it, retried
under WATCH). So these functions call datasketch's private storage methods
(``_insert``/``_remove`` on our pipeline, ``_H`` for a band's bucket name, ``_name`` and
``_redis``) — which is why datasketch is pinned below its next major version and a test
holds a plain ``MinHashLSH`` to what we write. Everything else in the package goes through here.

``datasketch`` is imported only when a Redis index is opened: its ``lsh`` module pulls in
scipy (1-2 s a process), and a check never needs it (`bucket_keys` computes the key names).
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np


def open_lsh(num_perm: int, bands: int, rows: int, basename: bytes, redis_kwargs: dict):
    """datasketch's ``MinHashLSH`` over the buckets under `basename` (ids as UTF-8 bytes keys)."""
    from datasketch import MinHashLSH  # deferred: scipy, see the module docstring

    return MinHashLSH(num_perm=num_perm, params=(bands, rows), prepickle=False,
                      storage_config={"type": "redis", "basename": basename, "redis": dict(redis_kwargs)})


def close_lsh(lsh) -> None:
    """Close the connections datasketch opened for each of its storages."""
    for storage in [lsh.keys, *lsh.hashtables]:
        storage._redis.close()


def band_hashes(lsh, signatures: np.ndarray) -> list[list[bytes]]:
    """datasketch's bucket name of every band of every signature (its own ``_H`` on uint32 values)."""
    values = np.asarray(signatures, dtype=np.uint32)
    return [[lsh._H(row[start:end]) for start, end in lsh.hashranges] for row in values]


def bucket_keys(basename: bytes, signature: np.ndarray, bands: int, rows: int) -> list[bytes]:
    """The Redis key of each band's bucket set, as ``storage.redis_key(lsh._H(band))`` names it.

    Computed without datasketch, so a check never imports it; a test holds it equal to datasketch's keys.
    """
    base = basename + b"_bucket_"
    values = np.asarray(signature, dtype=np.uint32)
    return [base + struct.pack(">H", band) + bytes(values[band * rows : (band + 1) * rows].byteswap().data)
            for band in range(bands)]


def registry_keys(basename: bytes, bands: int) -> list[bytes]:
    """The hash of each band that lists its bucket sets, and the hash of document keys."""
    return [basename + b"_bucket_" + struct.pack(">H", band) for band in range(bands)] + [basename + b"_keys"]


def bucket_set(lsh, band: int, h: bytes) -> bytes:
    """The Redis key of the set of documents in band `band`'s bucket `h`."""
    return lsh.hashtables[band].redis_key(h)


def queue_insert(lsh, pipe, key: bytes, hashes: Sequence[bytes]) -> None:
    """Queue what ``MinHashLSH.insert(key, ...)`` writes, on our pipeline."""
    lsh.keys._insert(pipe, key, *hashes)  # HSET keys registry + RPUSH the key's band hashes
    for h, table in zip(hashes, lsh.hashtables):
        table._insert(pipe, h, key)  # HSET bucket registry + SADD key to the bucket set


def queue_remove(lsh, pipe, key: bytes, hashes: Sequence[bytes]) -> None:
    """Queue what ``MinHashLSH.remove(key)`` writes for one key (emptied buckets: `queue_forget`)."""
    for h, table in zip(hashes, lsh.hashtables):
        pipe.srem(table.redis_key(h), key)
    lsh.keys._remove(pipe, key)  # HDEL keys registry + DEL the key's list


def queue_forget(lsh, pipe, band: int, h: bytes) -> None:
    """Queue dropping an emptied bucket from its band's registry (what datasketch's remove does)."""
    pipe.hdel(lsh.hashtables[band]._name, h)
