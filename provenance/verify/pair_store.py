"""Verified pairs held compactly between verification and the report: `PairStore`.

A scan keeps every reported pair alive until its report is written, at 100,000 news documents about
half a million of them. As `Pair` objects a pair costs about 1.4 KB (the object, three boxed floats, a
`Passage` object with boxed ints for each passage, a string for each reason); here it is a row of typed
arrays and its reasons numbers into a table of reason templates, and the `Pair` is made again each time
it is read. What is read back equals what was stored, field for field (floats are kept as doubles).

A reason is stored as its UTF-8 bytes with the pair's two ids cut out (`_template`): most reasons are
then one of a few thousand texts ("copy: verbatim narration ...", "5 shared phrase(s) common ..."),
held once. On news, reasons kept as text are three quarters of a stored pair's bytes.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import get_args, overload

from provenance.model import VERDICT_ORDER, Pair, Passage, PassageKind

# a verdict is stored as its rank, a passage kind as its place in the model's list
VERDICTS = tuple(sorted(VERDICT_ORDER, key=VERDICT_ORDER.__getitem__))
KINDS: tuple[str, ...] = get_args(PassageKind)
_VERDICT_CODE = VERDICT_ORDER
_KIND_CODE = {k: n for n, k in enumerate(KINDS)}
# bytes that never occur in UTF-8: where a reason's template had the pair's a id and its b id
_A, _B = b"\xff", b"\xfe"


def _id_bytes(doc_id: str) -> bytes:
    return doc_id.encode("utf-8", "surrogatepass")


def _template(reason: str, a: bytes, b: bytes) -> bytes:
    """The reason's UTF-8 bytes with each occurrence of the ids a, then b, replaced by `_A`, `_B`.

    `_filled` gives the reason back exactly: neither marker byte occurs in UTF-8, so the markers
    in a template are exactly its cuts, and the ids put back hold none.
    """
    t = reason.encode("utf-8")
    if a:
        t = t.replace(a, _A)
    if b:
        t = t.replace(b, _B)
    return t


def _filled(template: bytes, a: bytes, b: bytes) -> str:
    return template.replace(_A, a).replace(_B, b).decode("utf-8")


class _Columns:
    """The rows, appended in verification order: row r's passages are
    `passage_end[r - 1]:passage_end[r]`, its reasons `reasons_end[r - 1]:reasons_end[r]` of `reason`."""

    __slots__ = ("ids", "id_number", "ab", "verdict", "measures", "passage_end", "spans", "kind", "score",
                 "reasons_end", "reason", "templates", "template_number")

    def __init__(self) -> None:
        self.ids: list[str] = []  # each document id once; rows hold its number
        self.id_number: dict[str, int] = {}
        self.ab = array("i")  # 2 a row: id numbers of a and b
        self.verdict = array("b")
        self.measures = array("d")  # 3 a row: resemblance, containment a in b, containment b in a
        self.passage_end = array("q")
        self.spans = array("i")  # 4 a passage: a_start, a_end, b_start, b_end ("q" once one passes 2**31)
        self.kind = array("b")
        self.score = array("d")
        self.reasons_end = array("q")  # reasons of the rows so far
        self.reason = array("i")  # each reason's template number
        self.templates: list[bytes] = []  # each reason template once (`_template`)
        self.template_number: dict[bytes, int] = {}

    def number(self, doc_id: str) -> int:
        n = self.id_number.get(doc_id)
        if n is None:
            n = self.id_number[doc_id] = len(self.ids)
            self.ids.append(doc_id)
        return n

    def append(self, pair: Pair) -> None:
        self.ab.append(self.number(pair.a))
        self.ab.append(self.number(pair.b))
        self.verdict.append(_VERDICT_CODE[pair.verdict])
        self.measures.extend((pair.resemblance, pair.containment_a_in_b, pair.containment_b_in_a))
        for p in pair.passages:
            if self.spans.typecode == "i" and max(p.a_start, p.a_end, p.b_start, p.b_end) >= 2**31:  # a 2 GB text
                self.spans = array("q", self.spans)
            self.spans.extend((p.a_start, p.a_end, p.b_start, p.b_end))
            self.kind.append(_KIND_CODE[p.kind])
            self.score.append(p.score)
        self.passage_end.append(len(self.kind))
        a, b = _id_bytes(pair.a), _id_bytes(pair.b)
        for reason in pair.reasons:
            t = _template(reason, a, b)
            n = self.template_number.get(t)
            if n is None:
                n = self.template_number[t] = len(self.templates)
                self.templates.append(t)
            self.reason.append(n)
        self.reasons_end.append(len(self.reason))

    def pair(self, r: int) -> Pair:
        p0 = self.passage_end[r - 1] if r else 0
        p1 = self.passage_end[r]
        spans, kind, score = self.spans, self.kind, self.score
        passages = tuple(
            Passage(spans[4 * k], spans[4 * k + 1], spans[4 * k + 2], spans[4 * k + 3], KINDS[kind[k]], score[k])
            for k in range(p0, p1)
        )
        q0 = self.reasons_end[r - 1] if r else 0
        q1 = self.reasons_end[r]
        a, b = self.ids[self.ab[2 * r]], self.ids[self.ab[2 * r + 1]]
        if q1 > q0:
            a_bytes, b_bytes, templates = _id_bytes(a), _id_bytes(b), self.templates
            reasons = tuple(_filled(templates[self.reason[k]], a_bytes, b_bytes) for k in range(q0, q1))
        else:
            reasons = ()
        m = 3 * r
        return Pair(a, b, VERDICTS[self.verdict[r]],
                    self.measures[m], self.measures[m + 1], self.measures[m + 2], passages, reasons)


class PairStore(Sequence[Pair]):
    """A sequence of verified pairs kept as typed arrays; append as they are verified, read as `Pair`s.

    `sorted_by_ids()` gives a view in (a, b) order, the order a result lists its pairs in, without
    copying the rows; a slice is a view too. Views are read-only: only the store they were taken from
    takes appends.
    """

    __slots__ = ("_columns", "_rows")

    def __init__(self, pairs: Iterable[Pair] = ()) -> None:
        self._columns = _Columns()
        self._rows: array | None = None  # None: every row in the order appended; else a view's rows
        self.extend(pairs)

    def append(self, pair: Pair) -> None:
        if self._rows is not None:
            raise TypeError("a view of a PairStore is read-only; append to the store it was taken from")
        self._columns.append(pair)

    def extend(self, pairs: Iterable[Pair]) -> None:
        for pair in pairs:
            self.append(pair)

    def __len__(self) -> int:
        return len(self._columns.verdict) if self._rows is None else len(self._rows)

    def _row(self, i: int) -> int:
        return i if self._rows is None else self._rows[i]

    @overload
    def __getitem__(self, index: int) -> Pair: ...

    @overload
    def __getitem__(self, index: slice) -> PairStore: ...

    def __getitem__(self, index):
        n = len(self)
        if isinstance(index, slice):
            return self._view(array("q", (self._row(i) for i in range(*index.indices(n)))))
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("PairStore index out of range")
        return self._columns.pair(self._row(index))

    def __iter__(self) -> Iterator[Pair]:
        pair = self._columns.pair
        rows = range(len(self)) if self._rows is None else self._rows
        for r in rows:
            yield pair(r)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        return f"PairStore({len(self)} pairs)"

    def _view(self, rows: array) -> PairStore:
        view = PairStore.__new__(PairStore)
        view._columns, view._rows = self._columns, rows
        return view

    def sorted_by_ids(self, *, independent: bool = True) -> PairStore:
        """A view of the pairs in (a, b) id order; without the pairs judged independent unless
        `independent`."""
        c = self._columns
        rank = [0] * len(c.ids)
        for r, n in enumerate(sorted(range(len(c.ids)), key=c.ids.__getitem__)):
            rank[n] = r
        skip = -1 if independent else _VERDICT_CODE["independent"]
        rows = self._rows if self._rows is not None else range(len(c.verdict))
        ab, verdict = c.ab, c.verdict
        kept = sorted((r for r in rows if verdict[r] != skip), key=lambda r: (rank[ab[2 * r]], rank[ab[2 * r + 1]]))
        return self._view(array("q", kept))

    @property
    def nbytes(self) -> int:
        """Bytes the rows take (the arrays and the reason templates as objects with their table's
        entries; not the ids, which the documents hold)."""
        c = self._columns
        held = (c.ab, c.verdict, c.measures, c.passage_end, c.spans, c.kind, c.score, c.reasons_end, c.reason)
        own = 0 if self._rows is None else self._rows.itemsize * len(self._rows)
        table = sys.getsizeof(c.templates) + sys.getsizeof(c.template_number) + sum(map(sys.getsizeof, c.templates))
        return sum(a.itemsize * len(a) for a in held) + table + own
