"""Terminal report (rich), answers first: each family's origin, who draws on whom, then the pairs.

Read top-down, a terminal's first screen holds the answer: one line per family with its
origin (or "undecided", said plainly: a confidence below `settings.ORIGIN.undecided` does
not hold on real data), then each family's derivation (one line per text: what it draws
on), then one line per pair with the share of each side that is reused, then input
warnings summarised in one line. Evidence is printed once, under the edge it bears on,
with its sign (for: favours the source as the earlier text; against: favours the other).
The width follows the terminal (or COLUMNS); ids are shortened to the folder they share.
For `check` (`fail_on` given) each draft leads with PASS or BLOCK.
"""

from __future__ import annotations

import heapq
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from provenance.ingest.stored import documents_by_id
from provenance.model import VERDICT_ORDER, Document, Edge, Family, Pair, ScanResult
from provenance.report.format import ReportFormat
from provenance.report.safe import console as safe
from provenance.report.summaries import (
    PASSAGE_KINDS,
    edge_weight,
    is_licensed,
    other_roots,
    problems_summary,
    result_summary,
    reused_shares,
)
from provenance.settings import ORIGIN

if TYPE_CHECKING:
    from rich.console import Console

VERDICT_STYLE = {"copy": "bold red", "quote-only": "yellow", "independent": "green"}
_LIST = re.compile(r" \((?:[^()]*: [^()]*, )+[^()]*\)$|\s\([^()]*: \d+% in [^()]*\)$")
EVIDENCE_SHOWN = 3  # evidence items per edge without --verbose, strongest first
FALLBACK_WIDTH = 100  # when neither a terminal nor COLUMNS gives one


def _width(width: int | None) -> int:
    if width:
        return width
    return max(40, shutil.get_terminal_size((FALLBACK_WIDTH, 24)).columns)


def common_folder(ids: list[str]) -> str:
    """The folder prefix ('clough-stevenson-dev/') every id shares, or ''."""
    if len(ids) < 2:
        return ""
    prefix = os.path.commonprefix(ids)
    return prefix[: prefix.rfind("/") + 1]


class _Names:
    """Ids as one family prints them: without the folder its members share."""

    def __init__(self, family: Family) -> None:
        self.folder = common_folder(list(family.members))
        self.ids = sorted(family.members, key=len, reverse=True)

    def __call__(self, doc_id: str | None) -> str:
        return doc_id[len(self.folder):] if doc_id and doc_id.startswith(self.folder) else (doc_id or "")

    def words(self, text: str) -> str:
        """Evidence text with the family's ids shortened the same way."""
        if not self.folder:
            return text
        for doc_id in self.ids:
            text = text.replace(doc_id, self(doc_id))
        return text


def _decided(confidence: float) -> bool:
    return confidence >= ORIGIN.undecided


def _origin_words(family: Family, name: _Names) -> str:
    also = "".join(f"; also a root: {safe(name(root))} ({confidence:.2f})" for root, confidence in other_roots(family))
    if family.origin and _decided(family.origin_confidence):
        return (f"origin [bold]{safe(name(family.origin), tag_follows=True)}[/] "
                f"({family.origin_confidence:.2f}){also}")
    lead = f"; best candidate {safe(name(family.origin))}" if family.origin else ""
    return f"origin [bold]undecided[/] (the texts do not decide{lead}){also}"


def _source_words(edge: Edge, name: _Names) -> str:
    direction = "" if _decided(edge.probability) else ", direction undecided"
    return f"{safe(name(edge.source))} ({edge_weight(edge)}{direction})"


def _derivations(family: Family, name: _Names) -> list[tuple[str, list[Edge]]]:
    """(line, edges) per derivative: 'X draws on A (60%) and B (30%)', in the family's edge order."""
    by_derivative: dict[str, list[Edge]] = defaultdict(list)
    for edge in family.edges:
        by_derivative[edge.derivative].append(edge)
    out = []
    for derivative, edges in by_derivative.items():
        sources = " and ".join(_source_words(edge, name) for edge in edges)
        out.append((f"{safe(name(derivative))} draws on {sources}", edges))
    return out


def _evidence_lines(edges: list[Edge], name: _Names, seen: set[str], verbose: bool) -> list[str]:
    """Each edge's evidence once per family, strongest first, as 'for:' / 'against:' lines."""
    lines, hidden = [], 0
    for edge in edges:
        items = sorted(edge.evidence, key=lambda item: -abs(item.weight))
        shown = 0
        for item in items:
            if item.detail in seen:
                continue
            if not verbose and shown >= EVIDENCE_SHOWN:
                hidden += 1
                continue
            seen.add(item.detail)
            shown += 1
            sign = "[green]for[/]" if item.weight >= 0 else "[red]against[/]"
            detail = name.words(item.detail)
            if not verbose:  # one line each: the per-member figures in brackets are -v's
                detail = _LIST.sub("", detail)
            lines.append(f"{sign}: {safe(detail)}")
    if hidden:
        lines.append(f"[dim]{hidden} more item(s) of evidence with -v[/]")
    return lines


def _indented(console: Console, markup: str, indent: int) -> None:
    """`markup` wrapped to the console's width, every line `indent` spaces in, no trailing spaces."""
    from rich.text import Text

    for line in Text.from_markup(markup).wrap(console, max(20, console.width - indent)):
        line.rstrip()
        console.print(Text(" " * indent) + line, soft_wrap=True)


def _print_families(console: Console, families: list[Family], verbose: bool) -> None:
    console.print("[bold]Families[/] (origin first; who draws on whom below)")
    for number, family in enumerate(families, 1):
        name = _Names(family)
        where = f" in {safe(name.folder)}" if name.folder else ""
        console.print(f"  {number}. {_origin_words(family, name)}; {len(family.members)} texts{where}",
                      overflow="ellipsis", no_wrap=True)
    for number, family in enumerate(families, 1):
        name = _Names(family)
        where = f" [dim](ids in {safe(name.folder)})[/]" if name.folder else ""
        console.print(f"\n[bold]Family {number}[/]: {_origin_words(family, name)}{where}")
        seen: set[str] = set()
        for line, edges in _derivations(family, name):
            _indented(console, line, 2)
            for evidence in _evidence_lines(edges, name, seen, verbose):
                _indented(console, evidence, 6)


def _pair_order(pair: Pair, docs: dict[str, Document]) -> tuple:
    shares = reused_shares(pair, docs)
    return (-VERDICT_ORDER[pair.verdict], -max(shares), pair.a, pair.b)


def _passage_counts(pair: Pair) -> str:
    """'17 verbatim, 1 paraphrase, 3 quote' (their lengths are in the json report)."""
    kinds = [passage.kind for passage in pair.passages]
    return ", ".join(f"{kinds.count(kind)} {kind}" for kind in PASSAGE_KINDS if kind in kinds) or "-"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _print_pairs(console: Console, pairs: Sequence[Pair], docs: dict[str, Document], top: int | None) -> None:
    """One line per pair, copies first and the most reused first, grouped by the folder a pair's ids share.

    Columns are sized here, not by rich: the ids get what they need up to a share of the
    width, the passages what is left, and a line never runs past the width.
    """
    # ranked by key and position, so that the pairs themselves (a compact store's) are read only to print
    ranked = ((_pair_order(pair, docs), i) for i, pair in enumerate(pairs))
    shown = sorted(ranked) if top is None else heapq.nsmallest(top, ranked)
    groups: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for (*_, a, b), i in shown:
        groups[common_folder([a, b])].append((a, b, i))
    del shown
    console.print("\n[bold]Pairs[/] (reused: share of each text inside the passages it shares, quotes aside)")
    fixed = 10 + 9 + 4 * 2  # verdict, reused and the gaps between five columns
    for folder, members in groups.items():
        longest = max(len(doc_id) - len(folder) for a, b, _ in members for doc_id in (a, b))
        id_width = max(8, min(longest, (console.width - fixed - 16) // 2))
        rest = max(console.width - fixed - 2 * id_width, 8)
        if folder:
            console.print(f"in {safe(folder)}")
        console.print(f"[dim]{'text':<{id_width}}  {'other':<{id_width}}  {'verdict':<10}  {'reused a/b':>9}  passages[/]")
        for pair in (pairs[i] for _, _, i in members):
            a_share, b_share = reused_shares(pair, docs)
            a, b = (_cut(doc_id[len(folder):], id_width) for doc_id in (pair.a, pair.b))
            verdict = (f"[green]{'licensed':<10}[/]" if is_licensed(pair)
                       else f"[{VERDICT_STYLE.get(pair.verdict, '')}]{pair.verdict:<10}[/]")
            shares = f"{a_share:.0%}/{b_share:.0%}"
            console.print(f"{safe(a):<{id_width}}  {safe(b):<{id_width}}  {verdict}  {shares:>9}  "
                          f"{_cut(_passage_counts(pair), rest)}".rstrip(), no_wrap=True, overflow="ellipsis")
    if top is not None and len(pairs) > top:
        console.print(f"[dim]{len(pairs) - top} more pair(s): --top {len(pairs)} or -f json lists them[/]")


def _print_check(console: Console, result: ScanResult, drafts: list[str], fail_on: str) -> None:
    """PASS or BLOCK per draft, with its sources, before anything else."""
    bar = VERDICT_ORDER.get(fail_on, VERDICT_ORDER["copy"])
    for draft in drafts:
        found = [pair for pair in result.pairs if pair.a == draft]
        blocking = [pair for pair in found if fail_on != "never" and VERDICT_ORDER[pair.verdict] >= bar
                    and not is_licensed(pair)]
        licensed = [pair for pair in found if is_licensed(pair)]
        if blocking:
            sources = ", ".join(f"{safe(pair.b)} ({pair.verdict})" for pair in blocking)
            console.print(f"[bold red]BLOCK[/] {safe(draft)}: reuses {sources}")
        elif licensed:
            sources = ", ".join(f"{safe(pair.b)} ({pair.verdict})" for pair in licensed)
            console.print(f"[bold green]PASS[/]  {safe(draft)}: reuses licensed {sources}")
        elif found:
            sources = ", ".join(f"{safe(pair.b)} ({pair.verdict})" for pair in found)
            console.print(f"[bold green]PASS[/]  {safe(draft)}: shares {sources}")
        else:
            console.print(f"[bold green]PASS[/]  {safe(draft)}: nothing shared with the index")


def write(
    result: ScanResult, fh: TextIO, *, color: bool = False, width: int | None = None, top: int | None = None,
    verbose: bool = False, drafts: list[str] | None = None, fail_on: str | None = None,
) -> None:
    """The report, printed to `fh` line by line; `top` limits the families and pairs listed, `verbose`
    lists all evidence and warnings.

    With `drafts` and `fail_on` (a check), each draft's PASS or BLOCK comes first.
    """
    # rich is imported here, not above: the registry imports every format, and the pre-commit
    # hook (whose default format is line) must start without it.
    from rich.console import Console

    console = Console(file=fh, force_terminal=color, no_color=not color, width=_width(width), highlight=False)
    if drafts is not None:
        _print_check(console, result, drafts, fail_on or "copy")
    documents, counts = result_summary(result).split(": ", 1)
    console.print(f"[bold]{documents}[/]: {counts}")
    warnings = problems_summary(result.problems)
    if warnings:
        console.print(warnings + ("" if verbose else " [dim](-v lists them)[/]"))
    families = result.families if top is None else result.families[:top]
    if families:
        console.print()
        _print_families(console, families, verbose)
        if top is not None and len(result.families) > top:
            console.print(f"[dim]{len(result.families) - top} more famil(ies) with --top {len(result.families)}[/]")
    if result.pairs:
        _print_pairs(console, result.pairs, documents_by_id(result.documents), top)
    if verbose and result.problems:
        console.print("\n[bold]Input warnings[/]")
        for problem in result.problems:
            console.print(f"  {safe(str(problem))}")


FORMAT = ReportFormat("table", write, in_hook=True, colour=True, takes=("top", "verbose", "check"))
