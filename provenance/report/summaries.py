"""Short phrases about a pair that several reports print the same way."""

from __future__ import annotations

from provenance.model import Pair

PASSAGE_KINDS = ("verbatim", "paraphrase", "quote")


def passage_summary(pair: Pair) -> str:
    """'2 verbatim (340 chars), 1 quote (80 chars)': passages by kind, lengths on side a; '-' for none."""
    parts = []
    for kind in PASSAGE_KINDS:
        spans = [passage for passage in pair.passages if passage.kind == kind]
        if spans:
            chars = sum(passage.a_end - passage.a_start for passage in spans)
            parts.append(f"{len(spans)} {kind} ({chars} chars)")
    return ", ".join(parts) or "-"
