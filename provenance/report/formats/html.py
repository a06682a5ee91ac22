"""One self-contained HTML file people can navigate, from the template `templates/report.html.j2`.

Per family, a drawing of its derivation graph (inline SVG); for `check`, PASS or BLOCK per
draft; a pairs table that sorts and filters (a few lines of inline script); each pair's
texts side by side with numbered passages, the same number and colour on both sides and
each number a link to the other side. Evidence carries its sign (for / against the source
being the earlier text) and an origin below `settings.ORIGIN.undecided` is said to be
undecided. Nothing is fetched when the file is opened: no CDN, no external resource.

Python prepares plain values (and the SVG's coordinates); the template lays them out with
Jinja2's autoescaping, so nothing in a document can inject markup. Passage text is escaped
here before it is marked, and handed to the template as markup already safe.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence, Sized
from functools import lru_cache
from html import escape
from itertools import pairwise
from pathlib import Path
from typing import TextIO

from provenance.ingest.stored import documents_by_id
from provenance.model import VERDICT_ORDER, Document, Family, Pair, ScanResult
from provenance.report.format import ReportFormat
from provenance.report.formats.table import common_folder
from provenance.report.summaries import (
    PASSAGE_KINDS,
    edge_weight,
    is_licensed,
    other_roots,
    result_summary,
    reused_shares,
)
from provenance.settings import ORIGIN

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# light colours, one per passage number (cycled), dark enough to read black text on
PALETTE = ("#ffd6d6", "#d6f0ff", "#fff0b3", "#dcf5d0", "#ecdcff", "#ffe0c2", "#d0f5ef", "#f5d0e8")
NODE_W, NODE_H, ROW_H, WIDTH = 150, 30, 80, 760


def _marked(text: str, spans: list[tuple[int, int, str, int]], side: str, pair_no: int) -> str:
    """Escaped text with a numbered, coloured <mark> per passage; the first piece links to the other side."""
    cuts = sorted({0, len(text), *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    other = "b" if side == "a" else "a"
    started: set[int] = set()
    out = []
    for lo, hi in pairwise(cuts):
        covering = [(number, kind) for s, e, kind, number in spans if s <= lo and hi <= e]
        piece = escape(text[lo:hi])
        if not covering:
            out.append(piece)
            continue
        number, kind = min(covering)
        colour = PALETTE[(number - 1) % len(PALETTE)]
        anchor = f"p{pair_no}-{number}{side}"
        if number in started:
            out.append(f'<mark class="{kind}" style="background:{colour}">{piece}</mark>')
        else:
            started.add(number)
            link = f'<sup><a href="#p{pair_no}-{number}{other}">{number}</a></sup>'
            out.append(f'<mark class="{kind}" id="{anchor}" style="background:{colour}" '
                       f'title="passage {number}: {kind}">{link}{piece}</mark>')
    return "".join(out)


def _short(name: str, limit: int = 22) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _layout(family: Family, short) -> dict:
    """SVG coordinates: the origin on top, each text one row below the deepest source it draws on."""
    depth = {family.origin: 0} if family.origin else {}
    for _ in range(len(family.members)):  # edges may come in any order: settle the depths
        for edge in family.edges:
            if edge.source in depth:
                depth[edge.derivative] = max(depth.get(edge.derivative, 0), depth[edge.source] + 1)
    last = max(depth.values(), default=-1) + 1
    rows: dict[int, list[str]] = defaultdict(list)
    for member in family.members:
        rows[depth.get(member, last)].append(member)
    nodes, where = [], {}
    for row, ids in sorted(rows.items()):
        step = WIDTH / len(ids)
        for i, doc_id in enumerate(ids):
            cx, cy = step * (i + 0.5), 20 + row * ROW_H + NODE_H / 2
            where[doc_id] = (cx, cy)
            nodes.append({"id": doc_id, "label": _short(short(doc_id), 19), "x": round(cx - NODE_W / 2, 1),
                          "y": round(cy - NODE_H / 2, 1), "w": NODE_W, "h": NODE_H, "cx": round(cx, 1),
                          "cy": round(cy, 1), "origin": doc_id == family.origin})
    edges = []
    for edge in family.edges:
        (x1, y1), (x2, y2) = where[edge.source], where[edge.derivative]
        y1, y2 = (y1 + NODE_H / 2, y2 - NODE_H / 2) if y2 > y1 else (y1 - NODE_H / 2, y2 + NODE_H / 2)
        edges.append({"x1": round(x1, 1), "y1": round(y1, 1), "x2": round(x2, 1), "y2": round(y2, 1),
                      "lx": round((x1 + x2) / 2, 1), "ly": round((y1 + y2) / 2 - 3, 1), "label": edge_weight(edge),
                      "decided": edge.probability >= ORIGIN.undecided})
    height = 40 + (max(rows) + 1) * ROW_H - (ROW_H - NODE_H) if rows else 60
    return {"nodes": nodes, "edges": edges, "width": WIDTH, "height": round(height)}


def _family(number: int, family: Family) -> dict:
    folder = common_folder(list(family.members))

    def short(doc_id: str | None) -> str:
        return doc_id[len(folder):] if doc_id and doc_id.startswith(folder) else (doc_id or "")

    by_derivative = defaultdict(list)
    for edge in family.edges:
        by_derivative[edge.derivative].append(edge)
    seen: set[str] = set()
    derivations = []
    for derivative, edges in by_derivative.items():
        evidence = []
        for edge in edges:
            for item in sorted(edge.evidence, key=lambda item: -abs(item.weight)):
                if item.detail not in seen:
                    seen.add(item.detail)
                    evidence.append({"sign": "for" if item.weight >= 0 else "against", "detail": item.detail})
        derivations.append({
            "derivative": short(derivative),
            "sources": [{"id": short(e.source), "weight": edge_weight(e), "decided": e.probability >= ORIGIN.undecided}
                        for e in edges],
            "evidence": evidence,
        })
    return {
        "number": number, "origin": short(family.origin), "confidence": family.origin_confidence,
        "other_roots": [{"id": short(root), "confidence": confidence} for root, confidence in other_roots(family)],
        "decided": bool(family.origin) and family.origin_confidence >= ORIGIN.undecided,
        "members": list(family.members), "first": short(min(family.members)), "folder": folder, "svg": _layout(family, short),
        "derivations": derivations, "any_undecided": any(e.probability < ORIGIN.undecided for e in family.edges),
    }


def _counts(pair: Pair) -> str:
    kinds = [passage.kind for passage in pair.passages]
    return ", ".join(f"{kinds.count(kind)} {kind}" for kind in PASSAGE_KINDS if kind in kinds) or "-"


def _checks(result: ScanResult, drafts: list[str], fail_on: str, numbers: dict[tuple[str, str], int]) -> list[dict]:
    bar = VERDICT_ORDER.get(fail_on, VERDICT_ORDER["copy"])
    out = []
    for draft in drafts:
        found = [pair for pair in result.pairs if pair.a == draft]
        blocking = [p for p in found if fail_on != "never" and VERDICT_ORDER[p.verdict] >= bar and not is_licensed(p)]
        word, css, says = ("BLOCK", "block", "reuses") if blocking else ("PASS", "pass", "shares")
        if not blocking and any(is_licensed(p) for p in found):
            says = "reuses licensed copy of"
        out.append({"draft": draft, "word": word, "css": css, "says": says, "sources": [
            {"id": p.b, "verdict": p.verdict, "licensed": is_licensed(p), "pair": numbers[p.a, p.b]} for p in found
        ]})
    return out


class _Made(Sized):
    """`make(number, item)` for each of `items` (or for `items[i]`, i in `picks`), numbered from 1, made as
    the template reads it and then dropped: a large scan's report (every pair's texts, marked up) is never
    held whole, nor are its pairs as objects (a scan keeps them in a compact store)."""

    def __init__(self, items: Sequence, make: Callable[[int, object], dict], picks: Sequence[int] | None = None) -> None:
        self._items, self._make, self._picks = items, make, picks

    def __len__(self) -> int:
        return len(self._items if self._picks is None else self._picks)

    def __iter__(self) -> Iterator[dict]:
        items = self._items if self._picks is None else map(self._items.__getitem__, self._picks)
        for number, item in enumerate(items, 1):
            yield self._make(number, item)


@lru_cache(maxsize=1)
def _template():
    """The report's template, compiled once a process."""
    # jinja2 is imported here: the registry imports every format, and the hook must start without it
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    return env.get_template("report.html.j2")


def _row(number: int, pair: Pair, docs: dict[str, Document]) -> dict:
    a_share, b_share = reused_shares(pair, docs)
    return {"number": number, "a": pair.a, "b": pair.b, "verdict": pair.verdict, "licensed": is_licensed(pair),
            "a_share": round(a_share, 4), "b_share": round(b_share, 4), "counts": _counts(pair),
            "count": len(pair.passages)}


def _section(number: int, pair: Pair, docs: dict[str, Document]) -> dict:
    from markupsafe import Markup

    a, b = docs[pair.a], docs[pair.b]
    spans = list(enumerate(pair.passages, 1))
    return {
        **_row(number, pair, docs), "reasons": list(pair.reasons), "a_title": _title(a), "b_title": _title(b),
        "a_html": Markup(_marked(a.text, [(p.a_start, p.a_end, p.kind, n) for n, p in spans], "a", number)),
        "b_html": Markup(_marked(b.text, [(p.b_start, p.b_end, p.kind, n) for n, p in spans], "b", number)),
    }


def write(result: ScanResult, fh: TextIO, *, drafts: list[str] | None = None, fail_on: str | None = None) -> None:
    """The report, written as the template produces it; with `drafts` and `fail_on` (a check) it opens
    with PASS or BLOCK per draft."""
    docs = documents_by_id(result.documents)
    shown, verdicts = array("q"), set()  # the pairs whose two texts the result holds, by position
    for i, pair in enumerate(result.pairs):
        verdicts.add(pair.verdict)
        if pair.a in docs and pair.b in docs:
            shown.append(i)
    checks = []
    if drafts is not None:
        numbers = {(pair.a, pair.b): n for n, pair in enumerate(map(result.pairs.__getitem__, shown), 1)}
        checks = _checks(result, drafts, fail_on or "copy", numbers)
    for piece in _template().generate(
        summary=result_summary(result),
        checks=checks,
        families=_Made(result.families, _family),
        pairs=_Made(result.pairs, lambda number, pair: _row(number, pair, docs), shown),
        sections=_Made(result.pairs, lambda number, pair: _section(number, pair, docs), shown),
        verdicts=sorted(verdicts, key=VERDICT_ORDER.get, reverse=True),
        problems=[str(problem) for problem in result.problems], config=result.config_fingerprint,
    ):
        fh.write(piece)
    fh.write("\n")


def _title(doc: Document) -> str:
    return f"{doc.title} ({doc.id})" if doc.title else doc.id


FORMAT = ReportFormat("html", write, in_hook=True, takes=("check",))
