"""Large families cost work linear in their members: near-duplicates are scored as one text and
every member is measured against a bounded number of others (ORIGIN.near_duplicate, max_compared).

The work is counted, not timed: sentence alignments (`compare.align`, what every measurement
between two members starts from) and direction-signal evaluations (`signals.values`, one per
pair scored). The family is real text: a Clough-Stevenson task source, the task's answers that
reuse it (cut, light and heavy revisions) and m near-verbatim copies of the source, each with a
desk's sign-off line, verified by the real verify stage.
"""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest

from provenance.model import Document
from provenance.origin import compare, context, families, signals
from provenance.settings import ORIGIN
from provenance.verify.verdict import verify_pair

SIZES = (16, 32, 64)


@pytest.fixture(scope="module")
def task(clough_dir):
    """The task-a source and the answers derived from it, with every verified pair among them."""
    with open(clough_dir / "file_information.csv", newline="") as fh:
        derived = [r["File"] for r in csv.DictReader(fh) if r["Task"] == "a" and r["Category"] in ("cut", "light", "heavy")]
    source = Document(id="a-source", text=(clough_dir / "orig_taska.txt").read_text(encoding="utf-8",
                                                                                    errors="replace"),
                      published="2024-03-01")
    answers = [Document(id=f"c-{name}", text=(clough_dir / name).read_text(encoding="utf-8", errors="replace"),
                        published="2024-03-03") for name in sorted(derived)]
    docs = [source, *answers]
    pairs = [verify_pair(x, y) for i, x in enumerate(docs) for y in docs[i + 1:]]
    return source, answers, [p for p in pairs if p.verdict == "copy"]


def _copy(source: Document, k: int) -> Document:
    return Document(id=f"b-copy{k:03d}", text=f"{source.text.rstrip()}\n\nFiled for desk {k} of the wire service.",
                    published="2024-03-02")


def _family(task, m: int):
    """The source, its answers and m near-copies of the source, with the pairs a scan verifies:
    every copy pairs with the source, every other copy and every answer the source pairs with (the
    copies differ only by their sign-off, so each such pair is the real verified one, renamed)."""
    source, answers, pairs = task
    copies = [_copy(source, k) for k in range(m)]
    with_source = verify_pair(source, copies[0])
    between = verify_pair(copies[0], copies[1])
    assert with_source.verdict == between.verdict == "copy"
    assert min(with_source.resemblance, between.resemblance) >= ORIGIN.near_duplicate, "near-verbatim copies"
    linked = [p for p in pairs if p.a == source.id]
    made = [replace(with_source, b=c.id) for c in copies]
    made += [replace(between, a=x.id, b=y.id) for i, x in enumerate(copies) for y in copies[i + 1:]]
    made += [replace(p, a=c.id) for c in copies for p in linked]  # "b-copy" < "c-..." keeps a < b
    docs = [source, *answers, *copies]
    return docs, sorted([*pairs, *made], key=lambda p: (p.a, p.b)), copies


class _Work:
    def __init__(self, monkeypatch):
        self.alignments = self.scored = 0
        align, values = compare.align, signals.values

        def counted_align(x, y):
            self.alignments += 1
            return align(x, y)

        def counted_values(pair):
            self.scored += 1
            return values(pair)

        monkeypatch.setattr(compare, "align", counted_align)
        monkeypatch.setattr(signals, "values", counted_values)


def _work(task, m: int, monkeypatch):
    docs, pairs, copies = _family(task, m)
    work = _Work(monkeypatch)
    found = families.families(docs, pairs)
    monkeypatch.undo()
    return found, work, len(pairs), copies


def test_near_duplicates_cost_work_linear_in_their_number(task, monkeypatch):
    counts = {}
    for m in SIZES:
        [family], work, n_pairs, copies = _work(task, m, monkeypatch)
        counts[m] = (work.alignments, work.scored, n_pairs)
        source, answers, _ = task
        # the answers are unchanged: the dated source is the origin, each copy hangs off a
        # near-duplicate of it by an edge that says so
        assert family.origin == source.id and len(family.members) == 1 + len(answers) + m
        near = {e.derivative: e for e in family.edges if any(x.signal == "near_duplicate" for x in e.evidence)}
        assert set(near) == {c.id for c in copies}
        assert all(near[c].source in (source.id, *near) for c in near)
        assert {e.derivative for e in family.edges} | {r for r, _ in family.origins} == set(family.members)
    for small, large in zip(SIZES, SIZES[1:]):
        a_small, s_small, p_small = counts[small]
        a_large, s_large, p_large = counts[large]
        assert p_large > 2.5 * p_small, "the pairs grow with the square of the copies"
        # twice the copies: about twice the work, not four times
        assert a_large <= 2.3 * a_small and s_large <= 2.3 * s_small, counts


def test_a_large_family_without_near_duplicates_measures_each_member_against_a_bounded_number(task, monkeypatch):
    """Near-duplicate collapsing off: each member still meets at most ORIGIN.max_compared others
    per purpose, and where that cuts, the family's explanation says so."""
    limits = replace(ORIGIN, near_duplicate=1.01, max_compared=8)
    counts = {}
    for m in SIZES:
        for module in (families, context):
            monkeypatch.setattr(module, "ORIGIN", limits)
        docs, pairs, _ = _family(task, m)
        work = _Work(monkeypatch)
        [family] = families.families(docs, pairs)
        counts[m] = (work.alignments, work.scored)
        monkeypatch.undo()
        assert not any(x.signal == "near_duplicate" for e in family.edges for x in e.evidence)
        assert any("(ORIGIN.max_compared)" in line for line in family.explanation)
    for small, large in zip(SIZES, SIZES[1:]):
        assert counts[large][0] <= 2.3 * counts[small][0] and counts[large][1] <= 2.3 * counts[small][1], counts


def test_a_family_of_near_duplicates_alone_names_the_dated_source(task):
    """Every member a near-duplicate of the centre: one representative, every other attached to it."""
    source = task[0]
    copies = [_copy(source, k) for k in range(ORIGIN.dense_limit + 3)]
    docs = [source, *copies]
    pairs = [verify_pair(x, y) for i, x in enumerate(docs[:3]) for y in docs[i + 1:3]]
    template = {p.a == source.id: p for p in pairs}
    made = [replace(template[True], b=c.id) for c in copies]
    made += [replace(template[False], a=x.id, b=y.id) for i, x in enumerate(copies) for y in copies[i + 1:]]
    [family] = families.families(docs, sorted(made, key=lambda p: (p.a, p.b)))
    assert family.origin == source.id and family.origin_confidence >= ORIGIN.undecided
    assert {e.derivative for e in family.edges} == {c.id for c in copies}
    assert all(e.source == source.id and e.evidence[0].signal == "near_duplicate" for e in family.edges)
    assert family.explanation[0].startswith(f"Likely origin: {source.id}")


def test_near_duplicate_siblings_derive_from_their_common_source(task):
    """Cuts of one dated source that differ only by their sign-offs are near-duplicates of each other,
    not of the source: their representative derives from the source, and so does each of them (not
    one cut from another)."""
    source, answers, pairs = task
    words = source.text.split(" ")
    cuts = [Document(id=f"b-cut{k}", text=" ".join(words[: int(len(words) * 0.75)])
                     + f"\n\nFiled for desk {k} of the wire service.", published="2024-03-02") for k in range(6)]
    with_source, between = verify_pair(source, cuts[0]), verify_pair(cuts[0], cuts[1])
    assert with_source.verdict == "copy" and with_source.resemblance < ORIGIN.near_duplicate <= between.resemblance
    made = [replace(with_source, b=c.id) for c in cuts]
    made += [replace(between, a=x.id, b=y.id) for i, x in enumerate(cuts) for y in cuts[i + 1:]]
    docs = [source, *answers, *cuts]
    [family] = families.families(docs, sorted([*pairs, *made], key=lambda p: (p.a, p.b)))
    assert len(family.members) > ORIGIN.dense_limit and family.origin == source.id
    first = {}
    for e in family.edges:
        first.setdefault(e.derivative, e)
    assert all(first[c.id].source == source.id for c in cuts), {c.id: first[c.id].source for c in cuts}
    assert sum(first[c.id].evidence[0].signal == "near_duplicate" for c in cuts) == len(cuts) - 1
