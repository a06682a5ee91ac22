"""The corpus run: load → fingerprint → candidates → verify → families.

One function per step so the Dask engine can run the same steps on partitions.
"""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from provenance import candidates as cand
from provenance.errors import InputError, SpillError
from provenance.fingerprint import features as fingerprint_features
from provenance.ingest import files as documents
from provenance.ingest.corpus_chrome import repeated_line_edits
from provenance.ingest.stored import StoredDocuments, texts_of
from provenance.model import Document, Pair, Problem, ScanResult
from provenance.origin.families import families
from provenance.settings import DEFAULT_CONFIG, VERDICT, SketchConfig, VerdictRules
from provenance.text import byte_tokens
from provenance.verify.pair_store import PairStore
from provenance.verify.phrases import PhraseStats
from provenance.verify.verdict import verify_pair

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as work completes; stages are load, fingerprint, verify."""


@dataclass(frozen=True, slots=True)
class ScanOptions:
    config: SketchConfig = DEFAULT_CONFIG
    candidates: cand.CandidateOptions = field(default_factory=cand.CandidateOptions)
    max_bytes: int | None = None  # per input file; None: the loader's default
    include_independent: bool = False  # keep verified pairs judged independent in the result
    rules: VerdictRules = VERDICT  # the verdict's thresholds


def no_progress(stage: str, done: int, total: int) -> None:
    """The default `Progress`: report nothing."""


def scan(paths: Sequence[str | Path], options: ScanOptions = ScanOptions(), progress: Progress = no_progress) -> ScanResult:
    """Scan files and folders for reuse between their documents."""
    kwargs = {} if options.max_bytes is None else {"max_bytes": options.max_bytes}
    problems: list[Problem] = []
    docs = StoredDocuments.of(documents.iter_documents(list(paths), problems, **kwargs))
    progress("load", len(docs), len(docs))
    return scan_documents(docs, problems=problems, options=options, progress=progress)


def usable(docs: StoredDocuments) -> tuple[StoredDocuments, list[Problem]]:
    """Documents sorted by id, without those that have no words after extraction (`text.words`, through
    the byte path: the same tokens, several times faster on non-ASCII text)."""
    kept, problems = [], []
    for i in sorted(range(len(docs)), key=lambda i: docs.metadata(i).id):
        if byte_tokens.words(docs.text(i)):
            kept.append(i)
        else:
            d = docs.metadata(i)
            problems.append(Problem(d.path or d.id, "no words left after extraction", "skipped"))
    return docs.subset(kept), problems


def prepare(docs: Sequence[Document]) -> tuple[StoredDocuments, list[Problem]]:
    """What every engine scans: lines repeated across the corpus removed, empty texts set aside.

    The texts wait on disk (`StoredDocuments`) and are read as each step reaches them."""
    stored = docs if isinstance(docs, StoredDocuments) else StoredDocuments.of(docs)
    return usable(stored.replaced(repeated_line_edits(stored)))


def verify(
    docs: Sequence[Document], pairs: Sequence[tuple[int, int]], phrases=None, progress: Progress = no_progress,
    rules: VerdictRules = VERDICT,
) -> PairStore:
    """Compare each candidate pair exactly; pairs are index pairs into `docs`."""
    out = PairStore()
    total = len(pairs)
    for n, (i, j) in enumerate(pairs, 1):
        out.append(verify_pair(docs[i], docs[j], phrases=phrases, rules=rules))
        if n % 200 == 0 or n == total:
            progress("verify", n, total)
    return out


def reported(pairs: Sequence[Pair], options: ScanOptions) -> PairStore:
    """The verified pairs a result lists, in (a, b) order whatever order they were verified in."""
    store = pairs if isinstance(pairs, PairStore) else PairStore(pairs)
    return store.sorted_by_ids(independent=options.include_independent)


@contextmanager
def sparing_collector():
    """Let the cyclic garbage collector skip what is alive so far (and `spare()` later).

    A scan keeps the corpus and the verified pairs alive while verification and family
    building allocate: the collector kept walking them, a cost that grew with the corpus.
    Frozen objects are still freed
    by reference counting; `unfreeze` on exit hands them back to the collector.
    """
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


@contextmanager
def spill_folder() -> Iterator[Path]:
    """A temporary folder for one step's spilled keys (`fingerprint.items.Spill`), removed after
    the step, or on an error. The keys of a whole corpus are several times its text, most of them
    seen once or too often to count: written there as they are made, counted a part at a time."""
    try:
        made = tempfile.TemporaryDirectory(prefix="provenance-spill-")
    except OSError as exc:  # no writable temporary folder at all
        raise SpillError(None, exc) from exc
    with made as folder:
        yield Path(folder)


def find_candidates(docs: Sequence[Document], options: ScanOptions, progress: Progress = no_progress
                    ) -> cand.Candidates:
    """Features of every document, their fingerprints and terms spilled (`spill_folder`), then
    candidate pairs from them."""
    with spill_folder() as folder:
        features = fingerprint_features.features(texts_of(docs), options.config, options.candidates,
                                                 spill=folder)
        progress("fingerprint", len(docs), len(docs))
        return cand.find(features, options.candidates)


def phrase_stats(docs: Sequence[Document]) -> PhraseStats:
    """The corpus's phrase counts, its phrase keys spilled (`spill_folder`)."""
    with spill_folder() as folder:
        return PhraseStats.from_documents(docs, spill=folder)


def scan_documents(
    docs: Sequence[Document],
    *,
    problems: Sequence[Problem] = (),
    options: ScanOptions = ScanOptions(),
    progress: Progress = no_progress,
) -> ScanResult:
    """Scan documents already loaded (e.g. from a database or a crawler)."""
    docs, empty = prepare(docs)
    with sparing_collector() as spare:
        found = find_candidates(docs, options, progress)
        phrases = phrase_stats(docs)
        ordered = found.pairs[cand.verification_order(found.pairs, len(docs))]
        pairs = reported(verify(docs, ordered.tolist(), phrases, progress, options.rules), options)
        spare()
        fams = families(docs, pairs)
    return ScanResult(
        config_fingerprint=options.config.fingerprint,
        documents=docs,
        pairs=pairs,
        families=fams,
        problems=[*problems, *empty],
    )


def compare_documents(
    a: Document, b: Document, *, problems: Sequence[Problem] = (), config: SketchConfig = DEFAULT_CONFIG,
    rules: VerdictRules = VERDICT,
) -> ScanResult:
    """Verify one pair directly, without candidate search; a copy gets its family and direction."""
    if a.id == b.id:
        b = replace(b, id=f"{b.id} (2)")
    a, b = sorted((a, b), key=lambda d: d.id)
    pair = verify_pair(a, b, rules=rules)
    return ScanResult(
        config_fingerprint=config.fingerprint,
        documents=[a, b],
        pairs=[pair],
        families=families([a, b], [pair]),
        problems=list(problems),
    )


def compare(first: str | Path, second: str | Path, *, config: SketchConfig = DEFAULT_CONFIG,
            rules: VerdictRules = VERDICT) -> ScanResult:
    """Compare two files directly: their verified pair and, for a copy, which came first.

    Raises InputError unless both files give a document (the problems name why not).
    """
    docs, problems = documents.load_paths([Path(first), Path(second)])
    if len(docs) != 2:
        why = "; ".join(map(str, problems)) or "they hold one document"
        raise InputError(f"compare needs two readable documents: {why}")
    return compare_documents(docs[0], docs[1], problems=problems, config=config, rules=rules)
