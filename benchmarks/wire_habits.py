"""How agencies mark their copy and what papers do with the marks, counted on real reuse.

    python benchmarks/wire_habits.py

Reads the real labelled sets (`realreuse`: METER showbiz, COUNTER dev WD/PD pairs) when
present and prints two tables: the agency texts by the marks they carry (a dated dateline
with the agency's tag, an undated tag, a byline naming the agency), and the papers written
from them by what they did with the mark (kept the tag, kept it dated, named the agency in a
credit line, opened with a dateline of their own, a bare place, or nothing). Marks are the
package's (`provenance.origin.wire`, data in wire_markers.json); the only thing decided here
is where a paper's story opens. The counts are the ones `lineagegen` draws its wire families
from (its AGENCY_MARKS and PAPER_HANDLING); `--check` exits non-zero when they differ.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import realreuse
from provenance.origin.wire import wire_marks

# A dateline the paper writes itself: a place (up to five words, in capitals where the script has
# case) and a credit in brackets that names no agency ("LAHORE (Sports Desk)", "MUMBAI (Waqt
# News)", or the credit alone), or a bare place and a dash, colon or run of full stops ("LAHORE -",
# "LAHORE:", "لاہور۔۔۔۔").
_PLACE_WORD = r"[^\s()a-z]+"
_OWN = re.compile(rf"\A\W{{0,3}}(?:{_PLACE_WORD}\s*){{0,5}}?\(\s*[^()\n]{{2,60}}\)")
_PLACE = re.compile(rf"\A\W{{0,3}}(?:{_PLACE_WORD}\s+){{0,4}}?{_PLACE_WORD}?(?:\s+[-–—]+\s|:\s|\s*۔{{2,}})")
_OPENING = 160  # a dateline sits in the opening characters of a story's first line


def agency_mark(text: str) -> str:
    """"dated" (a dated dateline with the agency's tag), "tag" (an undated tag) or "none"."""
    marks = wire_marks(text)
    return "dated" if marks.dated else "tag" if marks.tagged else "none"


def paper_handling(body: str) -> str:
    """What a paper's story shows of the agency: "dated" (the agency's dated dateline kept), "tag"
    (the tag kept in its dateline), "credit" (the agency named in a line of its own or a sign-off,
    not in the dateline), "own" (a dateline with its own credit), "place" (a bare place), "none"."""
    lines = body.lstrip().splitlines()
    opening = lines[0][:_OPENING] if lines else ""
    head = wire_marks(opening)
    if head.dated:
        return "dated"
    if head.tagged:
        return "tag"
    if wire_marks(body).tagged:
        return "credit"
    if _PLACE.match(opening):
        return "place"
    if _OWN.match(opening):
        return "own"
    return "none"


def _body(doc, headline: bool) -> str:
    """A story without its headline (COUNTER's texts are headline, blank line, body)."""
    return doc.text.split("\n\n", 1)[-1] if headline else doc.text


def measure() -> dict[str, tuple[Counter, Counter, Counter]]:
    """Per set: agency texts by (mark, byline), papers by handling given the mark of the agency
    text they were written from, and the papers' own bylines naming an agency."""
    out = {}
    for name, stories, headline in (("meter", realreuse.meter_stories(), False),
                                    ("counter", realreuse.counter_stories(classes=("WD", "PD")), True)):
        if not stories:
            continue
        agencies, papers, bylines = Counter(), Counter(), Counter()
        for story in stories:
            marks = []
            for doc in story.docs:
                if doc.id in story.sources:
                    mark = agency_mark(doc.text)
                    marks.append(mark)
                    agencies[mark, "byline" in wire_marks(doc.text).found] += 1
            # a METER paper draws on every PA text of its folder: its agency mark is theirs, when they agree
            mark = marks[0] if len(set(marks)) == 1 else "mixed"
            for doc in story.docs:
                if doc.id not in story.sources:
                    papers[mark, paper_handling(_body(doc, headline))] += 1
                    bylines["byline" in wire_marks(doc.text).found] += 1
        out[name] = (agencies, papers, bylines)
    return out


def _table(rows: list[tuple[str, ...]]) -> str:
    head, *body = rows
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
                     + ["| " + " | ".join(r) + " |" for r in body])


def main(argv: list[str] | None = None) -> int:
    measured = measure()
    if not measured:
        print("skipped: ../shared/data/meter-showbiz and counter-dev not present")
        return 0
    marks, handlings = ("dated", "tag", "none"), ("dated", "tag", "credit", "own", "place", "none")
    rows = [("set", "agency texts", "dated dateline + tag", "undated tag", "no tag", "byline naming the agency")]
    for name, (agencies, _, _) in measured.items():
        by_mark = [sum(n for (m, _), n in agencies.items() if m == mark) for mark in marks]
        bylines = sum(n for (_, byline), n in agencies.items() if byline)
        rows.append((name, str(sum(agencies.values())), *map(str, by_mark), str(bylines)))
    print(_table(rows) + "\n")
    rows = [("set", "agency text's mark", "papers", *handlings)]
    for name, (_, papers, _) in measured.items():
        for mark in sorted({m for m, _ in papers}):
            counts = [papers[mark, h] for h in handlings]
            rows.append((name, mark, str(sum(counts)), *map(str, counts)))
    print(_table(rows) + "\n")
    for name, (_, _, bylines) in measured.items():
        print(f"{name}: {bylines[True]} of {sum(bylines.values())} papers carry a byline naming an agency")
    if "--check" in (argv if argv is not None else sys.argv[1:]):
        from benchmarks import lineagegen

        found = {name: {"agencies": dict(a), "papers": dict(p)} for name, (a, p, _) in measured.items()}
        if found != lineagegen.MEASURED:
            print("lineagegen.MEASURED differs from these counts:", found, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
