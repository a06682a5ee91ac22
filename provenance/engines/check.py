"""The pre-publication check: drafts against an index of published and wire copy.

For each draft: look up candidates in the index (indexed lookups, nothing loaded
whole), fetch the few best, and verify each pair with the scan's quote-aware
verdict, using the index's phrase counts so stock phrases are not evidence. The
answer is a `ScanResult` (drafts plus the sources they share text with, one `Pair`
per draft and source, draft first) so every report format renders it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from provenance import text as textmod
from provenance.arrays import unique
from provenance.errors import IndexError_, InputError
from provenance.fingerprint.features import hashed_batches, query_features
from provenance.index import content_hash, open_index
from provenance.index.ids import same_path
from provenance.ingest import files as documents
from provenance.model import VERDICT_ORDER, Document, Pair, Problem, ScanResult
from provenance.settings import CHECK, DEFAULT_CONFIG, VERDICT, SketchConfig, VerdictRules
from provenance.verify import verdict

FAIL_ON = ("copy", "quote-only")
DEFAULT_CANDIDATES = CHECK.max_candidates


@dataclass(slots=True)
class CheckResult:
    """A check's answer: the renderable result and which of its pairs fail the check."""

    result: ScanResult
    drafts: list[str]  # ids of the drafts, in input order
    fail_on: str = "copy"
    candidates_seen: dict[str, int] = field(default_factory=dict)  # draft id -> candidates verified

    @property
    def findings(self) -> list[Pair]:
        level = VERDICT_ORDER[self.fail_on]
        return [p for p in self.result.pairs if VERDICT_ORDER[p.verdict] >= level]

    @property
    def exit_code(self) -> int:
        """0 when nothing reaches `fail_on`, 1 otherwise (2 is for errors, raised instead)."""
        return 1 if self.findings else 0


def check(
    paths: Sequence[str | Path],
    index=None,
    *,
    index_spec: str | Path | None = None,
    config: SketchConfig = DEFAULT_CONFIG,
    fail_on: str = "copy",
    max_candidates: int = DEFAULT_CANDIDATES,
    rules: VerdictRules = VERDICT,
) -> CheckResult:
    """Check the drafts at `paths` against `index` (or the index at `index_spec`).

    Raises InputError when `paths` hold no draft at all, IndexError_/ConfigMismatchError
    when the index cannot answer. Drafts the loader skips (empty, unreadable) become
    Problems and the check goes on: an empty file is nothing to check, not a failure.
    """
    if fail_on not in FAIL_ON:
        raise InputError(f"--fail-on must be one of {', '.join(FAIL_ON)}, got {fail_on!r}")
    drafts, problems = documents.load_paths([Path(p) for p in paths])
    if not drafts and not problems:
        where = ", ".join(map(str, paths)) or "(nothing given)"
        raise InputError(f"no draft found in {where}: give .txt, .md, .rst or .html files")
    own = index is None
    if own:
        index = open_index(index_spec, config)
    try:
        return check_documents(drafts, index, problems=problems, fail_on=fail_on, max_candidates=max_candidates,
                               rules=rules)
    finally:
        if own:
            index.close()


def check_documents(
    drafts: Sequence[Document],
    index,
    *,
    problems: Sequence[Problem] = (),
    fail_on: str = "copy",
    max_candidates: int = DEFAULT_CANDIDATES,
    rules: VerdictRules = VERDICT,
) -> CheckResult:
    """`check` for documents already loaded (e.g. text from an editor, not a file).

    Raises IndexError_ for an index that holds no documents: a draft checked against nothing
    would pass, and a pass that means nothing is worse than an error.
    """
    if drafts and not index.n_docs:
        raise IndexError_(f"the index at {index.location} holds no documents, so nothing can be checked "
                          "against it: add the published and wire copy with `provenance index add PATH`")
    problems = list(problems)
    phrases = index.phrase_stats()
    sources: dict[str, Document] = {}
    pairs: list[Pair] = []
    kept: list[Document] = []
    seen: dict[str, int] = {}
    for draft in drafts:
        if not textmod.words(draft.text):
            problems.append(Problem(draft.path or draft.id, "no words to check", "skipped"))
            continue
        cands = index.candidates(query_features(draft.text, index.config, index.params), limit=max_candidates)
        found = index.documents([c.id for c in cands])
        itself = [s for s in found if _same_file(s, draft) and content_hash(s) == content_hash(draft)]
        found = [s for s in found if s not in itself]  # the draft itself, already indexed
        if any(s.id == draft.id for s in found):
            draft = replace(draft, id=f"{draft.id} (draft)")
        kept.append(draft)
        found = _worth_verifying(draft, found, {c.id: c for c in cands}, index.config.k, rules)
        seen[draft.id] = len(found)
        for src in found:
            pair = verdict.verify_pair(draft, src, phrases=phrases, k=index.config.k, rules=rules)
            if pair.verdict == "independent":
                continue
            pairs.append(pair)
            sources.setdefault(src.id, src)
    pairs.sort(key=lambda p: (p.a, -VERDICT_ORDER[p.verdict], -p.containment_a_in_b, p.b))
    draft_ids = {d.id for d in kept}
    result = ScanResult(
        config_fingerprint=index.config.fingerprint,
        documents=kept + [s for i, s in sources.items() if i not in draft_ids],
        pairs=pairs,
        problems=problems,
    )
    return CheckResult(result=result, drafts=[d.id for d in kept], fail_on=fail_on, candidates_seen=seen)


def _same_file(stored: Document, draft: Document) -> bool:
    """Whether an indexed document is the draft's own file (index ids are root-relative, a draft's its name)."""
    return stored.id == draft.id or bool(stored.path and draft.path and same_path(stored.path, draft.path))


def _worth_verifying(draft: Document, found: list[Document], cands: dict, k: int,
                     rules: VerdictRules) -> list[Document]:
    """Drop weak candidates (one shared fingerprint, no shared band) that cannot be copies.

    Verification costs ~10-20 ms a pair, most of a check's work; a stock phrase shared
    with a handful of stored articles would otherwise be verified every time. A weak
    candidate is kept when its exact shared word k-shingles could cover the verdict's
    verbatim bar (each run of m shared words is m - k + 1 shingles, so s shingles cover
    at most k * s words); paraphrase found through one fingerprint only is not verified.
    """
    weak = [i for i, s in enumerate(found) if cands[s.id].shared_fingerprints <= 1 and not cands[s.id].shared_bands]
    if not weak:
        return found
    shingles, words = [], []
    for batch in hashed_batches([draft.text] + [found[i].text for i in weak], k):
        shingles += [unique(batch.shingles(i)) for i in range(batch.size)]
        words += np.diff(batch.token_offsets).tolist()
    drop = set()
    for j, i in enumerate(weak, start=1):
        shared = np.intersect1d(shingles[0], shingles[j], assume_unique=True).size
        bar = min(rules.verbatim_words, rules.verbatim_share * min(words[0], words[j]))
        if k * shared < bar:
            drop.add(i)
    return [s for i, s in enumerate(found) if i not in drop]
