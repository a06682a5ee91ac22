"""Terminal table (rich): pairs, families and their evidence, readable at a glance."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from provenance.model import Family, ScanResult
from provenance.report.format import ReportFormat
from provenance.report.safe import console as safe
from provenance.report.summaries import passage_summary

if TYPE_CHECKING:
    from rich.console import Console

VERDICT_STYLE = {"copy": "bold red", "quote-only": "yellow", "independent": "green"}


COLUMNS = (("a", "left"), ("b", "left"), ("verdict", "left"), ("resemblance", "right"), ("a in b", "right"),
           ("b in a", "right"), ("shared passages", "left"), ("why", "left"))


def _print_family(console: Console, number: int, family: Family) -> None:
    origin = safe(family.origin, tag_follows=True) if family.origin else "undecided"
    console.print(
        f"\n[bold]Family {number}[/]: {', '.join(map(safe, family.members))}\n"
        f"  likely origin: [bold]{origin}[/] (confidence {family.origin_confidence:.2f})"
    )
    for edge in family.edges:
        console.print(f"  {safe(edge.source)} → {safe(edge.derivative)}  (p={edge.probability:.2f})")
        for item in edge.evidence:
            console.print(f"      {'+' if item.weight >= 0 else '-'} {safe(item.detail)}")
    for line in family.explanation:
        console.print(f"  {safe(line)}")


def render(result: ScanResult, *, color: bool = False, width: int = 120) -> str:
    # rich is imported here, not above: the registry imports every format, and the pre-commit
    # hook (whose default format is line) must start without it.
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    verdicts = [pair.verdict for pair in result.pairs]
    console.print(
        f"[bold]{len(result.documents)} documents[/], {verdicts.count('copy')} copy pairs, "
        f"{verdicts.count('quote-only')} quote-only pairs"
        + (f", {len(result.problems)} inputs with problems" if result.problems else "")
    )
    if result.pairs:
        table = Table(show_lines=False, expand=False)
        for column, justify in COLUMNS:
            table.add_column(column, justify=justify, overflow="fold")
        for pair in result.pairs:
            table.add_row(
                safe(pair.a), safe(pair.b), f"[{VERDICT_STYLE.get(pair.verdict, '')}]{pair.verdict}[/]",
                f"{pair.resemblance:.3f}", f"{pair.containment_a_in_b:.3f}", f"{pair.containment_b_in_a:.3f}",
                passage_summary(pair), safe(pair.reasons[0]) if pair.reasons else "",
            )
        console.print(table)
    for number, family in enumerate(result.families, 1):
        _print_family(console, number, family)
    return buf.getvalue()


FORMAT = ReportFormat("table", render, in_hook=True, colour=True)
