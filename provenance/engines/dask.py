"""The corpus run on Dask: the steps of `scan.scan_documents`, spread over workers.

The answer is the single-process scan's, byte for byte; only where the work runs
changes. Documents (sorted by id, as the scan sorts them) are cut into partitions of
`partition_size`; a document's global index is its partition's offset plus its place
in it, so every pair code means the same as in one process.

* **fingerprint** — one task per partition: `candidates.features` (signatures,
  winnowed fingerprints, content terms) and the partition's share of the phrase
  statistics (`PhraseStats.from_documents` with no minimum, so counts can be summed).
* **candidates** — every channel is a hash-partitioned shuffle of (key, doc) items:
  each key (band key, fingerprint, term) lands in exactly one reducer, which groups
  with `candidates.group_pairs` (star edges above `max_bucket`, never all pairs of a
  big bucket) and counts shared keys per pair. Pair counts are shuffled again by pair
  so each pair's counts meet in one reducer, summed, and the channel's thresholds
  applied there. What reaches the client is only the accepted pairs.
* **phrase statistics** — the partitions' phrase counts, shuffled by phrase and
  summed; the kept phrases (in two documents or more) form one `PhraseStats`.
* **verify** — candidate pairs in chunks through `scan.verify` itself, one connected
  group of the candidate graph after another (so a worker prepares a document once
  for all its pairs); each task gets the documents of its chunk.
* **families** — `lineage.families`, one task per group of whole components with the
  pairs inside them (a family depends on nothing else; never all pairs per family).

With a `work_dir`, each partition's features and phrase counts and each verified
chunk go to Parquet, named by a content hash of what they depend on (config,
candidate options, the documents' ids and texts), each with a digest beside it of its
name, its bytes and the code and settings that wrote it. A rerun reuses a file only
when its digest matches (another version, other settings, a damaged or planted file
is recomputed); files are written under a temporary name and renamed, so a killed run
never leaves a file that looks complete.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

import numpy as np

from provenance import candidates as cand
from provenance import settings
from provenance.arrays import unique
from provenance.engines.local import Progress, ScanOptions, no_progress, prepare, reported, verify
from provenance.errors import MissingExtraError, ProvenanceError
from provenance.fingerprint import features as fingerprint_features
from provenance.fingerprint.items import DOC_NUMBER, KeyItems
from provenance.ingest import files as documents
from provenance.ingest.stored import documents_by_id
from provenance.model import Document, Pair, Problem, ScanResult
from provenance.origin.families import components, families
from provenance.settings import TOO_COMMON, VerdictRules
from provenance.verify.pair_store import PairStore
from provenance.verify.phrases import PhraseStats, count_dtype
from provenance.version import package_version

PARTITION_SIZE = 2000  # documents per partition: a few MB of features, seconds of work
VERIFY_CHUNK = 400  # candidate pairs per verification task
FAMILY_CHUNK = 200  # family members per family-building task
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


# --- running on a cluster -------------------------------------------------------------------


def _distributed():
    try:
        import dask  # noqa: F401
        import distributed
    except ImportError as exc:
        raise MissingExtraError("dask", "dask") from exc
    return distributed


@contextmanager
def _client(scheduler: str | None):
    """A Client on `scheduler`, or on a local cluster started (and closed) here."""

    distributed = _distributed()
    if scheduler:
        client_tls = distributed.Security().get_connection_args("client")["ssl_context"]
        if scheduler.startswith("tls://") and client_tls is None:
            # Client() would fail on it, then hang closing itself: say what is missing instead
            raise ProvenanceError(
                f"{scheduler} needs TLS, but no client certificate is configured: set "
                "DASK_DISTRIBUTED__COMM__TLS__CA_FILE, DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT "
                "and DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY"
            )
        try:
            client = distributed.Client(scheduler, set_as_default=False)
        except OSError as exc:
            raise ProvenanceError(
                f"cannot reach the Dask scheduler at {scheduler}: start one with `dask scheduler` "
                "or leave out --scheduler to run on a local cluster"
            ) from exc
        with client:
            yield client
        return
    cluster = distributed.LocalCluster(
        n_workers=os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # no dashboard; the scheduler's health pages on a free port, not a fixed 8787 that may be taken
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    with cluster, distributed.Client(cluster, set_as_default=False) as client:
        yield client


# --- content keys and Parquet files ---------------------------------------------------------


def _hasher():
    import xxhash

    return xxhash.xxh3_128()


def partition_key(docs: Sequence[Document], options: ScanOptions) -> str:
    """What a partition's features depend on: config, candidate options, ids and texts."""
    h = _hasher()
    h.update(f"{options.config.fingerprint}|{options.candidates!r}\0".encode())
    for d in docs:
        h.update(d.id.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
        h.update(d.text.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


def _pq():
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingExtraError("pyarrow", "dask") from exc
    return pa, pq


def _write(table, path: Path) -> None:
    """Write then rename, and beside it its digest (`_digest`), also renamed into place: a file
    under its final name is complete, and only a file with a matching digest is ever read."""
    _, pq = _pq()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        pq.write_table(table, tmp)
        digest = _digest(path.name, tmp.read_bytes())
        os.replace(tmp, path)
        tmp.write_text(digest, encoding="ascii")
        os.replace(tmp, _digest_path(path))
    finally:
        tmp.unlink(missing_ok=True)


def _read(path: Path):
    """The table at `path`, or None when there is none, it cannot be read, or its digest does not
    match what this code, these settings and the file's inputs would have written: redo it."""
    pa, pq = _pq()
    try:
        data = path.read_bytes()
        stored = _digest_path(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if stored != _digest(path.name, data):
        return None  # written by another version or settings, damaged, or planted: never trusted
    try:
        return pq.read_table(pa.BufferReader(data))
    except Exception:  # a damaged file is recomputed, never trusted
        return None


def _digest_path(path: Path) -> Path:
    return path.with_name(path.name + ".digest")


def _digest(name: str, data: bytes) -> str:
    """What a work-dir file vouches for: its name (the content key of its inputs, `partition_key`),
    its bytes, and the code that wrote it (`_code_digest`)."""
    h = _hasher()
    h.update(f"{_code_digest()}\0{name}\0".encode())
    h.update(data)
    return h.hexdigest()


@functools.cache
def _code_digest() -> str:
    """The version, every setting as it is in this process, and the package's source: a result
    written by other code or under other settings is recomputed, not reused."""
    h = _hasher()
    h.update(package_version().encode())
    h.update(repr([v for _, v in sorted(vars(settings).items()) if is_dataclass(v) and not isinstance(v, type)])
             .encode())
    root = Path(__file__).resolve().parents[1]
    for source in sorted(root.rglob("*")):
        if source.suffix in (".py", ".json") and "__pycache__" not in source.parts:
            h.update(source.relative_to(root).as_posix().encode())
            h.update(source.read_bytes())
    return h.hexdigest()


def _list_array(pa, values: np.ndarray, offsets: np.ndarray):
    return pa.LargeListArray.from_arrays(pa.array(offsets.astype(np.int64)), pa.array(values))


def _flat(column) -> tuple[np.ndarray, np.ndarray]:
    arr = column.combine_chunks()
    return arr.values.to_numpy(zero_copy_only=False), arr.offsets.to_numpy().astype(np.int64)


def _features_table(feats: fingerprint_features.Features, n: int):
    pa, _ = _pq()
    order = np.argsort(feats.fingerprints.docs, kind="stable")
    fp_off = np.r_[0, np.cumsum(np.bincount(feats.fingerprints.docs, minlength=n))]
    t_off = np.r_[0, np.cumsum(feats.term_counts)]
    sig = feats.signatures
    return pa.table(
        {
            "signature": pa.FixedSizeListArray.from_arrays(pa.array(sig.ravel()), sig.shape[1]),
            "fingerprints": _list_array(pa, feats.fingerprints.values[order], fp_off),
            "terms": _list_array(pa, feats.terms.values, t_off),
        }
    )


def _features_from_table(table, num_perm: int) -> fingerprint_features.Features:
    n = table.num_rows
    sig = table.column("signature").combine_chunks().values.to_numpy(zero_copy_only=False)
    fps, fp_off = _flat(table.column("fingerprints"))
    terms, t_off = _flat(table.column("terms"))
    docs = np.arange(n, dtype=DOC_NUMBER)
    return fingerprint_features.Features(
        signatures=sig.astype(np.uint32).reshape(n, num_perm),
        fingerprints=KeyItems(fps.astype(np.uint32), np.repeat(docs, np.diff(fp_off))),
        terms=KeyItems(terms.astype(np.uint64), np.repeat(docs, np.diff(t_off))),
        term_counts=np.diff(t_off),
    )


def _field_types(cls) -> dict:
    import typing

    return typing.get_type_hints(cls)


def _arrow_type(pa, tp):
    import typing

    if tp is str:
        return pa.string()
    if tp is float:
        return pa.float64()
    if tp is int:
        return pa.int64()
    if tp is bool:
        return pa.bool_()
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        return pa.list_(_arrow_type(pa, args[0]))
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        inner = [a for a in args if a is not type(None)]
        return _arrow_type(pa, inner[0])
    if origin is typing.Literal:
        return pa.string()
    if is_dataclass(tp):
        return pa.struct([(f.name, _arrow_type(pa, t)) for f, t in zip(fields(tp), _field_types(tp).values())])
    raise TypeError(f"no Parquet type for {tp!r}")


def _pairs_table(pairs: list[Pair]):
    """Verified pairs as a typed table (types from `Pair`'s annotations, so floats stay floats)."""
    from dataclasses import asdict

    pa, _ = _pq()
    schema = pa.schema([(name, _arrow_type(pa, tp)) for name, tp in _field_types(Pair).items()])
    return pa.Table.from_pylist([asdict(p) for p in pairs], schema=schema)


def _rebuild(tp, value):
    import typing

    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is tuple:
        return tuple(_rebuild(args[0], v) for v in value)
    if origin is typing.Union or (args and type(None) in args):
        return _rebuild([a for a in args if a is not type(None)][0], value)
    if is_dataclass(tp):
        return tp(**{k: _rebuild(t, value[k]) for k, t in _field_types(tp).items()})
    return value


def _pairs_from_table(table) -> list[Pair]:
    return [_rebuild(Pair, row) for row in table.to_pylist()]


# --- tasks (module-level functions: workers import them by name) -------------------------------


def _split(values: np.ndarray, docs: np.ndarray, parts: int, mix: bool = False) -> list[tuple]:
    """(values, docs) cut by `hash(value) % parts`: each value goes to exactly one part."""
    if parts == 1:
        return [(values, docs)]
    h = values.astype(np.uint64)
    if mix:  # pair codes are i * n + j: spread them before taking the remainder
        h = (h * _GOLDEN) >> np.uint64(29)
    part = (h % np.uint64(parts)).astype(np.int64)
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(parts + 1))
    v, d = values[order], docs[order]
    return [(v[a:b], d[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def features_task(
    docs: list[Document], offset: int, options: ScanOptions, reducers: int, path: str | None
) -> dict:
    """One partition's features, as shuffle pieces by key, and whether a stored copy was used."""
    table = _read(Path(path)) if path else None
    reused = table is not None and table.num_rows == len(docs)
    if reused:
        feats = _features_from_table(table, options.config.num_perm)
    else:
        feats = fingerprint_features.features([d.text for d in docs], options.config, options.candidates)
        if path:
            _write(_features_table(feats, len(docs)), Path(path))
    channels = cand.channel_items(feats, options.candidates, first=offset)
    split = {name: _split(v, d, reducers) for name, (v, d) in channels.items()}
    return {
        "reused": reused,
        "term_counts": feats.term_counts,
        "pieces": [{name: split[name][r] for name in cand.CHANNELS} for r in range(reducers)],
    }


def phrases_task(docs: list[Document], reducers: int, path: str | None) -> dict:
    """One partition's phrase document counts, no minimum, as shuffle pieces by phrase key."""
    table = _read(Path(path)) if path else None
    if table is not None:
        keys = table.column("hash").to_numpy().astype(np.uint64)
        counts = table.column("count").to_numpy().astype(np.int64)
    else:
        part = PhraseStats.from_documents(docs, keep_min_df=1)
        keys, counts = part.hashes, part.counts
        if path:
            pa, _ = _pq()
            _write(pa.table({"hash": pa.array(keys.astype(np.uint64)), "count": pa.array(counts)}), Path(path))
    return {"pieces": _split(keys, counts, reducers)}


def _sum_counts(values: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if len(values) == 0:
        return values, counts.astype(np.int64)
    order = np.argsort(values, kind="stable")
    v, c = values[order], counts[order].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])
    return v[starts], np.add.reduceat(c, starts)


def phrases_reduce_task(*pieces) -> tuple[np.ndarray, np.ndarray]:
    """One key range's phrase counts summed over partitions; those below `TOO_COMMON.phrase_keep` dropped."""
    keys, counts = _sum_counts(
        np.concatenate([p[0] for p in pieces]).astype(np.uint64), np.concatenate([p[1] for p in pieces])
    )
    keep = counts >= TOO_COMMON.phrase_keep
    return keys[keep], counts[keep]


def phrases_final_task(n_docs: int, *reduced) -> PhraseStats:
    """One PhraseStats, as `PhraseStats.from_documents` over all documents would give it."""
    keys = np.concatenate([r[0] for r in reduced]).astype(np.uint64)
    counts = np.concatenate([r[1] for r in reduced]).astype(count_dtype(n_docs))
    order = np.argsort(keys)
    return PhraseStats(n_docs=n_docs, hashes=keys[order], counts=counts[order])


def group_task(n: int, options: cand.CandidateOptions, reducers: int, *pieces) -> list[dict]:
    """Pairs sharing keys of one key range, counted per pair, cut again by pair for summing."""
    out: list[dict] = [{} for _ in range(reducers)]
    for name in cand.CHANNELS:
        values = np.concatenate([p[name][0] for p in pieces])
        docs = np.concatenate([p[name][1] for p in pieces]).astype(np.int64)
        codes, counts = cand.shared_keys(name, values, docs, n, options)
        for r, piece in enumerate(_split(codes, counts, reducers, mix=True)):
            out[r][name] = piece
    return out


def accept_task(n: int, options: cand.CandidateOptions, term_counts: np.ndarray, *pieces) -> dict:
    """Each pair's counts summed over all key ranges, then the channel thresholds of `find`."""
    accepted = {}
    for name in cand.CHANNELS:
        codes, counts = _sum_counts(
            np.concatenate([p[name][0] for p in pieces]).astype(np.int64),
            np.concatenate([p[name][1] for p in pieces]),
        )
        accepted[name] = cand.accept(name, codes, counts, n, term_counts, options)
    return accepted


def concat_task(*arrays) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, np.int64)


def verify_task(docs: list[Document], pairs: list[tuple[int, int]], phrases, rules: VerdictRules, path: str | None):
    """Verify a chunk of pairs (indices into `docs`) exactly as `scan.verify` does.

    Returns (pairs, whether they were read back from the work directory).
    """

    table = _read(Path(path)) if path else None
    if table is not None and table.num_rows == len(pairs):
        return _pairs_from_table(table), True
    result = verify(docs, pairs, phrases, rules=rules)
    if path:
        _write(_pairs_table(result), Path(path))
    return result, False


def families_task(docs: list[Document], pairs: list[Pair]):
    """Families of some whole components: `origin.families` sees only their documents and pairs."""
    return families(docs, pairs)


# --- the run ----------------------------------------------------------------------------------


def _reducers(n: int, parts: int, workers: int) -> int:
    return max(1, min(parts, max(2 * workers, -(-n // 10_000))))


@dataclass(slots=True)
class Stats:
    """What a run did: partitions and verification chunks, and how many were read back from work_dir."""

    partitions: int = 0
    partitions_reused: int = 0
    chunks: int = 0
    chunks_reused: int = 0


def scan_dask(
    paths: Sequence[str | Path],
    *,
    options: ScanOptions = ScanOptions(),
    scheduler: str | None = None,
    progress: Progress = no_progress,
    work_dir: str | Path | None = None,
    partition_size: int = PARTITION_SIZE,
    stats: Stats | None = None,
) -> ScanResult:
    """`scan.scan` on Dask: a local cluster on 127.0.0.1, or the scheduler at `scheduler`."""
    _distributed()  # fail before reading a large corpus
    kwargs = {} if options.max_bytes is None else {"max_bytes": options.max_bytes}
    docs, problems = documents.load_paths(list(paths), **kwargs)
    progress("load", len(docs), len(docs))
    return scan_documents_dask(
        docs,
        problems=problems,
        options=options,
        scheduler=scheduler,
        progress=progress,
        work_dir=work_dir,
        partition_size=partition_size,
        stats=stats,
    )


def scan_documents_dask(
    docs: Sequence[Document],
    *,
    problems: Sequence[Problem] = (),
    options: ScanOptions = ScanOptions(),
    scheduler: str | None = None,
    progress: Progress = no_progress,
    work_dir: str | Path | None = None,
    partition_size: int = PARTITION_SIZE,
    stats: Stats | None = None,
) -> ScanResult:
    """`scan.scan_documents` on Dask; the same result, pair for pair and byte for byte."""
    _distributed()
    if partition_size < 1:
        raise ValueError(f"partition_size must be at least 1, got {partition_size}")
    if work_dir is not None:
        _pq()
    stats = stats if stats is not None else Stats()
    docs, empty = prepare(docs)
    with _client(scheduler) as client:
        pairs, families = _run(client, docs, options, progress, work_dir, partition_size, stats)
    return ScanResult(
        config_fingerprint=options.config.fingerprint,
        documents=docs,
        pairs=pairs,
        families=families,
        problems=[*problems, *empty],
    )


def _run(client, docs, options, progress, work_dir, partition_size, stats):
    from distributed import as_completed

    n = len(docs)
    if n == 0:
        return [], []
    starts = list(range(0, n, partition_size))
    parts = [list(docs[s : s + partition_size]) for s in starts]
    keys = [partition_key(p, options) for p in parts]
    run_key = _hasher()
    for k in keys:
        run_key.update(k.encode())
    run_key = run_key.hexdigest()
    root = Path(work_dir) if work_dir is not None else None
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    reducers = _reducers(n, len(parts), workers)
    stats.partitions = len(parts)

    def file(kind: str, key: str) -> str | None:
        return str(root / kind / f"{key}.parquet") if root is not None else None

    doc_futs = client.scatter(parts)
    feat = [
        client.submit(features_task, d, s, options, reducers, file("features", k), pure=False)
        for d, s, k in zip(doc_futs, starts, keys)
    ]
    phr = [
        client.submit(phrases_task, d, reducers, file("phrases", k), pure=False) for d, k in zip(doc_futs, keys)
    ]

    # Phrase statistics: shuffle by phrase, sum, keep those in `TOO_COMMON.phrase_keep` documents or more.
    phr_pieces = [[client.submit(_piece, f, r) for f in phr] for r in range(reducers)]
    phr_reduced = [client.submit(phrases_reduce_task, *ps) for ps in phr_pieces]
    phrases = client.submit(phrases_final_task, n, *phr_reduced)

    # Candidates: shuffle (key, doc) by key, group, then shuffle pair counts by pair and sum.
    term_counts = client.submit(concat_task, *[client.submit(_get, f, "term_counts") for f in feat])
    feat_pieces = [[client.submit(_piece, f, r) for f in feat] for r in range(reducers)]
    grouped = [
        client.submit(group_task, n, options.candidates, reducers, *ps) for ps in feat_pieces
    ]
    accepted = [
        client.submit(accept_task, n, options.candidates, term_counts, *[client.submit(_piece, g, r) for g in grouped])
        for r in range(reducers)
    ]

    done = 0
    for fut in as_completed(feat, loop=client.loop):
        done += 1
        progress("fingerprint", min(done * partition_size, n), n)
    stats.partitions_reused = sum(client.gather([client.submit(_get, f, "reused") for f in feat]))

    found = client.gather(accepted)
    del feat_pieces, grouped, accepted, phr_pieces
    if n < 2:
        candidates = cand.Candidates(np.empty((0, 2), dtype=np.int64), ())
    else:
        candidates = cand.merge(
            {name: np.sort(np.concatenate([f[name] for f in found])) for name in cand.CHANNELS}, n
        )
    del found, feat

    # Verification: chunks of pairs in `verification_order`, so a worker prepares a document
    # (tokens, sentences) about once for all its pairs, as one process does.
    cpairs = candidates.pairs[cand.verification_order(candidates.pairs, n)]
    chunks = [cpairs[s : s + VERIFY_CHUNK] for s in range(0, len(cpairs), VERIFY_CHUNK)]
    stats.chunks = len(chunks)
    verified = []
    for chunk in chunks:
        h = _hasher()
        h.update(f"{run_key}|{options.rules!r}".encode())
        h.update(np.ascontiguousarray(chunk, dtype=np.int64).tobytes())
        needed, local = unique(chunk, return_inverse=True)
        local_pairs = [(int(i), int(j)) for i, j in local.reshape(-1, 2)]
        chunk_docs = [docs[i] for i in needed]
        verified.append(
            client.submit(
                verify_task, chunk_docs, local_pairs, phrases, options.rules, file("verified", h.hexdigest()),
                pure=False,
            )
        )
    total, done_pairs = len(cpairs), 0
    size = {f.key: len(c) for f, c in zip(verified, chunks)}
    store = PairStore()  # filled as chunks finish, so only one chunk's Pair objects are alive here
    for fut in as_completed(verified, loop=client.loop):
        chunk_pairs, reused = fut.result()
        store.extend(chunk_pairs)
        stats.chunks_reused += reused
        done_pairs += size[fut.key]
        progress("verify", done_pairs, total)
    del verified
    pairs = reported(store, options)
    return pairs, _families(client, docs, pairs)


def _families(client, docs: Sequence[Document], pairs: Sequence[Pair]) -> list:
    """`lineage.families`, a task per group of whole components.

    A family depends only on its members and the pairs between them, and families come
    out in order of their first id; so groups of consecutive components, each built
    apart and concatenated in order, give the single call's answer.
    """

    comps = components([d.id for d in docs], pairs)
    if not comps:
        return []
    by_id = documents_by_id(docs)
    groups: list[list[tuple[str, ...]]] = [[]]
    size = 0
    for comp in comps:
        if size >= FAMILY_CHUNK:
            groups.append([])
            size = 0
        groups[-1].append(comp)
        size += len(comp)
    group_of = {m: g for g, group in enumerate(groups) for comp in group for m in comp}
    group_pairs: list[list[Pair]] = [[] for _ in groups]
    for p in pairs:
        g = group_of.get(p.a)
        if g is not None and group_of.get(p.b) == g:
            group_pairs[g].append(p)
    futures = []
    for group, gp in zip(groups, group_pairs):
        group_docs = [by_id[m] for comp in group for m in comp]
        futures.append(client.submit(families_task, group_docs, gp, pure=False))
    return [f for part in client.gather(futures) for f in part]


def _get(result: dict, name: str):
    return result[name]


def _piece(result, r: int):
    return result["pieces"][r] if isinstance(result, dict) else result[r]
