"""Short phrases about a pair that several reports print the same way."""

from __future__ import annotations

from collections import defaultdict

from provenance.model import Document, Edge, Family, Pair, Problem, ScanResult

PASSAGE_KINDS = ("verbatim", "paraphrase", "quote")
LICENSED = "licensed source"  # a check's first reason for a pair whose source the desk may reuse


def is_licensed(pair: Pair) -> bool:
    """Whether a check marked the pair's source as licensed (the newsroom's allow-list)."""
    return bool(pair.reasons) and pair.reasons[0].startswith(LICENSED)


def passage_summary(pair: Pair) -> str:
    """'2 verbatim (340 chars), 1 quote (80 chars)': passages by kind, lengths on side a; '-' for none."""
    parts = []
    for kind in PASSAGE_KINDS:
        spans = [passage for passage in pair.passages if passage.kind == kind]
        if spans:
            chars = sum(passage.a_end - passage.a_start for passage in spans)
            parts.append(f"{len(spans)} {kind} ({chars} chars)")
    return ", ".join(parts) or "-"


def _covered(spans: list[tuple[int, int]]) -> int:
    total, end = 0, -1
    for start, stop in sorted(spans):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def reused_shares(pair: Pair, docs: dict[str, Document]) -> tuple[float, float]:
    """(share of a's text, share of b's text) inside the pair's passages, quotation left out.

    What a reader asks of a copy ("how much of it is lifted?"); a whole-text resemblance
    of 0.017 reads as harmless for a paragraph lifted into a long page.
    """
    kept = [p for p in pair.passages if p.kind != "quote"]
    shares = []
    for doc_id, spans in ((pair.a, [(p.a_start, p.a_end) for p in kept]), (pair.b, [(p.b_start, p.b_end) for p in kept])):
        doc = docs.get(doc_id)
        shares.append(_covered(spans) / len(doc.text) if doc is not None and doc.text else 0.0)
    return shares[0], shares[1]


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def result_summary(result: ScanResult) -> str:
    """The report's first line: documents, families, copy and quote-only pairs."""
    verdicts = [pair.verdict for pair in result.pairs]
    return (f"{_count(len(result.documents), 'document', 'documents')}: "
            f"{_count(len(result.families), 'family of copies', 'families of copies')}, "
            f"{_count(verdicts.count('copy'), 'copy pair', 'copy pairs')}, "
            f"{_count(verdicts.count('quote-only'), 'quote-only pair', 'quote-only pairs')}")


def problems_summary(problems: list[Problem]) -> str:
    """'11 inputs read with warnings (11 decoded as cp1252)', or ''."""
    if not problems:
        return ""
    actions: dict[str, int] = defaultdict(int)
    for problem in problems:
        actions[problem.action.split(" (")[0]] += 1
    kinds = ", ".join(f"{count} {action}" for action, count in sorted(actions.items(), key=lambda x: -x[1]))
    return f"{len(problems)} inputs with warnings ({kinds})"


def edge_weight(edge: Edge) -> str:
    """How much a derivative owes its source, in words: the share of its prose the copy model
    gave that source ("60%"), else the edge's probability ("p 0.96") where no share was measured."""
    return f"{edge.share:.0%}" if edge.share is not None else f"p {edge.probability:.2f}"


def other_roots(family: Family) -> list[tuple[str, float]]:
    """The family's roots besides its likeliest origin (two stories joined by a mash-up are both roots)."""
    return [(root, confidence) for root, confidence in family.origins if root != family.origin]
