"""Verified pairs held compactly between verification and the report: `PairStore`.

A scan keeps every reported pair alive until its report is written, at 100,000 news documents about
half a million of them. As `Pair` objects a pair costs about 1.4 KB (the object, three boxed floats, a
`Passage` object with boxed ints for each passage, a string for each reason); here it is a row of typed
arrays and its reasons one run of UTF-8 bytes, about a third of that, and the `Pair` is made again each
time it is read. What is read back equals what was stored, field for field (floats are kept as
doubles).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import get_args, overload

from provenance.model import VERDICT_ORDER, Pair, Passage, PassageKind

# a verdict is stored as its rank, a passage kind as its place in the model's list
VERDICTS = tuple(sorted(VERDICT_ORDER, key=VERDICT_ORDER.__getitem__))
KINDS: tuple[str, ...] = get_args(PassageKind)
_VERDICT_CODE = VERDICT_ORDER
_KIND_CODE = {k: n for n, k in enumerate(KINDS)}


class _Columns:
    """The rows, appended in verification order: row r's passages are
    `passage_end[r - 1]:passage_end[r]`, its reasons `reasons_end[r - 1]:reasons_end[r]`."""

    __slots__ = ("ids", "id_number", "ab", "verdict", "measures", "passage_end", "spans", "kind", "score",
                 "reasons_end", "reason_end", "reason_bytes")

    def __init__(self) -> None:
        self.ids: list[str] = []  # each document id once; rows hold its number
        self.id_number: dict[str, int] = {}
        self.ab = array("i")  # 2 a row: id numbers of a and b
        self.verdict = array("b")
        self.measures = array("d")  # 3 a row: resemblance, containment a in b, containment b in a
        self.passage_end = array("q")
        self.spans = array("q")  # 4 a passage: a_start, a_end, b_start, b_end
        self.kind = array("b")
        self.score = array("d")
        self.reasons_end = array("q")  # reasons of the rows so far
        self.reason_end = array("q")  # bytes of the reasons so far
        self.reason_bytes = bytearray()

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
            self.spans.extend((p.a_start, p.a_end, p.b_start, p.b_end))
            self.kind.append(_KIND_CODE[p.kind])
            self.score.append(p.score)
        self.passage_end.append(len(self.kind))
        for reason in pair.reasons:
            self.reason_bytes += reason.encode("utf-8")
            self.reason_end.append(len(self.reason_bytes))
        self.reasons_end.append(len(self.reason_end))

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
        ends, text = self.reason_end, self.reason_bytes
        reasons = tuple(
            text[(ends[k - 1] if k else 0) : ends[k]].decode("utf-8") for k in range(q0, q1)
        )
        m = 3 * r
        return Pair(self.ids[self.ab[2 * r]], self.ids[self.ab[2 * r + 1]], VERDICTS[self.verdict[r]],
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
        """Bytes the rows take (the arrays and the reasons' text; not the ids, which the documents hold)."""
        c = self._columns
        held = (c.ab, c.verdict, c.measures, c.passage_end, c.spans, c.kind, c.score, c.reasons_end, c.reason_end)
        own = 0 if self._rows is None else self._rows.itemsize * len(self._rows)
        return sum(a.itemsize * len(a) for a in held) + len(c.reason_bytes) + own
