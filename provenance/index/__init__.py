"""Persistent indexes of published documents: one index logic over small storage backends.

An index answers one question fast: which stored documents might share text with
this draft? It keeps, per document, what candidate search needs (LSH band keys of
the whole-document MinHash signature and winnowed shingle fingerprints), what
verification needs (the text, zlib-compressed, and its metadata) and the signature
itself as datasketch ``LeanMinHash`` bytes. It also keeps a count-min sketch of phrase
document frequencies (the verdict stage's phrase keys), so verification can tell a
stock phrase from a rare one without a corpus in memory.

Two candidate channels, because news reuse is local:

* **fingerprints** — the minimum shingle hash of every window of ``winnow`` (16)
  consecutive shingles (winnowing, Schleimer et al. 2003). A draft is looked up with
  *all* its shingles, so any run of ``winnow + k - 1`` (20) words it shares with a
  stored document is found with certainty, however long that document is and whatever
  surrounds the run: two paragraphs lifted from a long article are found even though
  whole-document similarity is tiny. Shorter shared runs are found by chance (each
  shared shingle that is a stored minimum is a hit), which is what catches light and
  most heavy rewrites: on the Clough-Stevenson data every light and 9 of 12 heavy
  revisions, and no independent answer.
* **bands** — ``bands`` x ``rows`` (10 x 2) LSH over the whole signature, banded well
  below any reporting threshold (a pair at Jaccard 0.5 is found 94% of the time; the
  threshold datasketch would pick for 0.5 finds only ~73% there). With every draft
  shingle looked up, fingerprints already catch near-copies; bands are the whole-
  document channel a datasketch ``MinHashLSH`` backend (``params=(bands, rows)``)
  shares with this one, kept small because the size budget is per document.

Sizes (SQLite, measured at 100k news articles): ~590 bytes a document of metadata and
signature (525 of them the LeanMinHash bytes), ~20 of id index, ~60 of bands and
~6 per fingerprint (2/(winnow+1) of the shingles: ~0.7 bytes a word), the postings
packed into buckets; and the phrase sketch (1 MB at most).

The layers: `logic.Index` does everything that decides an answer, once, over the
`storage.Storage` interface; `sqlite`, `redis` and `memory` are storages only, and
`datasketch_lsh` is the one place that touches datasketch's internals.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from provenance.errors import IndexError_
from provenance.index.logic import Index, initial_meta
from provenance.index.sqlite import SQLiteStorage
from provenance.index.storage import Storage
from provenance.index.types import (
    DEFAULT_INDEX_PATH,
    AddReport,
    Candidate,
    IndexParams,
    IndexStats,
    PhraseStats,
    content_hash,
    signature_bytes,
    signature_from_bytes,
)
from provenance.settings import DEFAULT_CONFIG, SketchConfig

# URL scheme -> the module and class of the storage it names; anything else is a file path
# (SQLite). Loaded when an index of that scheme is opened: Redis is an optional dependency, and
# the pre-commit hook on an SQLite index should not pay for the other storages' start-up.
STORAGES = {
    "redis://": ("provenance.index.redis", "RedisStorage"),
    "rediss://": ("provenance.index.redis", "RedisStorage"),
    "unix://": ("provenance.index.redis", "RedisStorage"),
    "memory://": ("provenance.index.memory", "MemoryStorage"),
}


def open_storage(spec: str, initial: dict[str, object] | None) -> Storage:
    """The storage named by `spec`: a URL of a scheme in `STORAGES`, or else a file path (SQLite).

    With `initial` (a new index's meta values), a missing index is created.
    """
    for scheme, (module, name) in STORAGES.items():
        if spec.startswith(scheme):
            return getattr(import_module(module), name)(spec, create=initial)
    if "://" in spec:
        raise IndexError_(f"unknown index location {spec!r}: give a file path or redis://HOST:PORT/DB")
    return SQLiteStorage(Path(spec), create=initial)


def open_index(
    spec: str | Path | None = None,
    config: SketchConfig = DEFAULT_CONFIG,
    *,
    create: bool = False,
    params: IndexParams | None = None,
    check_config: bool = True,
) -> Index:
    """Open the index named by `spec`: a file path (SQLite, the default) or a backend URL.

    `create` makes a missing index (for `add`), with `params`; a query on a missing index
    fails with a message naming the command that builds one. `check_config=False` opens an
    index of another schema or configuration, for `rebuild` only.
    """
    spec = str(DEFAULT_INDEX_PATH if spec is None or spec == "" else spec)
    initial = initial_meta(config, params or IndexParams()) if create else None
    storage = open_storage(spec, initial)
    try:
        return Index(storage, config, check_config=check_config)
    except BaseException:
        storage.close()
        raise


__all__ = [
    "DEFAULT_INDEX_PATH",
    "AddReport",
    "Candidate",
    "Index",
    "IndexParams",
    "IndexStats",
    "PhraseStats",
    "content_hash",
    "open_index",
    "open_storage",
    "signature_bytes",
    "signature_from_bytes",
]
