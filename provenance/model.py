"""Plain data passed between pipeline stages.

Offsets are character offsets into `Document.text`; `Document.raw_offset` maps them
back into the file the document came from (for a JSONL record, into its `text` value,
on line `Document.line` of the file), which is what reports point at.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Verdict = Literal["copy", "quote-only", "independent"]
PassageKind = Literal["verbatim", "paraphrase", "quote"]
VERDICT_ORDER: dict[str, int] = {"independent": 0, "quote-only": 1, "copy": 2}


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of `length` characters kept from the raw input: text[start:] came from raw[raw_start:]."""

    start: int
    raw_start: int
    length: int


@dataclass(frozen=True, slots=True)
class Document:
    """One article: the main text kept after extraction, with its metadata."""

    id: str
    text: str
    path: str = ""
    title: str | None = None
    url: str | None = None
    site: str | None = None
    published: str | None = None  # ISO 8601 date (YYYY-MM-DD) when known
    segments: tuple[Segment, ...] = ()  # empty: text is the raw input unchanged
    raw_chars: int = 0  # characters in the raw input before extraction
    line: int | None = None  # a JSONL record: its 1-based line in `path` (raw offsets are into its text)
    # lines of the raw file that credit a publication or are blog-platform text (`text.credits`),
    # kept for origin estimation because extraction drops many of them
    credit_lines: tuple[str, ...] = ()

    def raw_offset(self, offset: int) -> int:
        """Map a character offset in `text` to the matching offset in the raw input."""
        if not self.segments:
            return offset
        starts = [s.start for s in self.segments]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        seg = self.segments[i]
        return seg.raw_start + min(max(offset - seg.start, 0), seg.length)


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that was skipped or read in a degraded way; the run went on."""

    path: str
    reason: str
    action: str = "skipped"  # skipped | decoded as cp1252 | truncated at N bytes | ...

    def __str__(self) -> str:
        return f"{self.path}: {self.reason} ({self.action})"


@dataclass(frozen=True, slots=True)
class Passage:
    """A stretch of text that two documents share, with offsets into both texts."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    kind: PassageKind
    score: float = 1.0  # 1.0 for verbatim; similarity for paraphrase


@dataclass(frozen=True, slots=True)
class Pair:
    """The verified relation between two documents (a < b by id)."""

    a: str
    b: str
    verdict: Verdict
    resemblance: float
    containment_a_in_b: float
    containment_b_in_a: float
    passages: tuple[Passage, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """One signal about who copied whom: positive weight favours `source` as the origin."""

    signal: str
    detail: str
    weight: float


@dataclass(frozen=True, slots=True)
class Edge:
    """A source link in a derivation graph: `derivative` draws on `source`.

    A derivative may have several sources (one edge each): `share` is the share of the
    derivative's prose that the copy model attributes to this source (None when not
    measured, as for the pairwise directions), and `passages` are those stretches as
    character spans (start, end) of the derivative's text.

    `probability` is that `source` came before `derivative` (the direction, which dates and
    labelled reuse can check). `parent_probability`, on the edge from the member chosen as the
    derivative's parent (None on other edges), is that this member is the text it was made from:
    that it came first and that the derivative was made from it rather than another earlier one.
    Two near-identical wire versions split the choice while the direction stays sure."""

    source: str
    derivative: str
    probability: float
    evidence: tuple[Evidence, ...] = ()
    share: float | None = None
    passages: tuple[tuple[int, int], ...] = ()
    parent_probability: float | None = None


@dataclass(frozen=True, slots=True)
class Family:
    """Documents joined by copy pairs, with the likely origin and how each derives."""

    members: tuple[str, ...]
    origin: str | None
    origin_confidence: float
    edges: tuple[Edge, ...] = ()
    explanation: tuple[str, ...] = ()
    # every root with its confidence, the likeliest first (`origin`); two independent stories
    # joined by a mash-up are both roots
    origins: tuple[tuple[str, float], ...] = ()


@dataclass(slots=True)
class ScanResult:
    """Everything one scan produced."""

    config_fingerprint: str
    documents: Sequence[Document]  # a scan's are `ingest.stored.StoredDocuments`: texts read from disk
    pairs: Sequence[Pair]  # a scan's are a `verify.pair_store.PairStore`: compact, read as `Pair`s
    families: list[Family] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
