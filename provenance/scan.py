"""The corpus run: load → fingerprint → candidates → verify → families.

One function per step so the Dask engine can run the same steps on partitions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import candidates as cand
from . import documents
from .config import DEFAULT_CONFIG, SketchConfig
from .model import Document, Pair, Problem, ScanResult

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): called as work completes; stages are load, fingerprint, verify."""


@dataclass(frozen=True, slots=True)
class ScanOptions:
    config: SketchConfig = DEFAULT_CONFIG
    candidates: cand.CandidateOptions = field(default_factory=cand.CandidateOptions)
    max_bytes: int | None = None  # per input file; None: the loader's default
    include_independent: bool = False  # keep verified pairs judged independent in the result


def _noop(stage: str, done: int, total: int) -> None:
    pass


def scan(paths: Sequence[str | Path], options: ScanOptions = ScanOptions(), progress: Progress = _noop) -> ScanResult:
    """Scan files and folders for reuse between their documents."""
    kwargs = {} if options.max_bytes is None else {"max_bytes": options.max_bytes}
    docs, problems = documents.load_paths(list(paths), **kwargs)
    progress("load", len(docs), len(docs))
    return scan_documents(docs, problems=problems, options=options, progress=progress)


def usable(docs: Sequence[Document], config: SketchConfig) -> tuple[list[Document], list[Problem]]:
    """Documents sorted by id, without those that have no words after extraction."""
    from .text import words

    kept, problems = [], []
    for d in sorted(docs, key=lambda d: d.id):
        if words(d.text):
            kept.append(d)
        else:
            problems.append(Problem(d.path or d.id, "no words left after extraction", "skipped"))
    return kept, problems


def verify(
    docs: Sequence[Document], pairs: Sequence[tuple[int, int]], phrases=None, progress: Progress = _noop
) -> list[Pair]:
    """Compare each candidate pair exactly; pairs are index pairs into `docs`."""
    from .verdict import compare

    out = []
    total = len(pairs)
    for n, (i, j) in enumerate(pairs, 1):
        out.append(compare(docs[i], docs[j], phrases=phrases))
        if n % 200 == 0 or n == total:
            progress("verify", n, total)
    return out


def scan_documents(
    docs: Sequence[Document],
    *,
    problems: Sequence[Problem] = (),
    options: ScanOptions = ScanOptions(),
    progress: Progress = _noop,
) -> ScanResult:
    """Scan documents already loaded (e.g. from a database or a crawler)."""
    from .lineage import families
    from .verdict import PhraseStats

    docs = documents.remove_repeated_lines(list(docs))
    docs, empty = usable(docs, options.config)
    features = cand.features([d.text for d in docs], options.config, options.candidates)
    progress("fingerprint", len(docs), len(docs))
    found = cand.find(features, options.candidates)
    phrases = PhraseStats.from_documents(docs)
    pairs = verify(docs, [tuple(map(int, p)) for p in found.pairs], phrases, progress)
    if not options.include_independent:
        pairs = [p for p in pairs if p.verdict != "independent"]
    pairs.sort(key=lambda p: (p.a, p.b))
    return ScanResult(
        config_fingerprint=options.config.fingerprint,
        documents=list(docs),
        pairs=pairs,
        families=families(list(docs), pairs, phrases=phrases),
        problems=[*problems, *empty],
    )


def compare_documents(
    a: Document, b: Document, *, problems: Sequence[Problem] = (), config: SketchConfig = DEFAULT_CONFIG
) -> ScanResult:
    """Verify one pair directly, without candidate search; a copy gets its family and direction."""
    from .lineage import families
    from .verdict import compare

    if a.id == b.id:
        b = replace(b, id=f"{b.id} (2)")
    a, b = sorted((a, b), key=lambda d: d.id)
    pair = compare(a, b)
    return ScanResult(
        config_fingerprint=config.fingerprint,
        documents=[a, b],
        pairs=[pair],
        families=families([a, b], [pair]),
        problems=list(problems),
    )
