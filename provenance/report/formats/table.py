"""Terminal table (rich): pairs, families and their evidence, readable at a glance."""

from __future__ import annotations

import io

from provenance.model import ScanResult
from provenance.report.format import ReportFormat
from provenance.report.summaries import passage_summary

VERDICT_STYLE = {"copy": "bold red", "quote-only": "yellow", "independent": "green"}


def render(result: ScanResult, *, color: bool = False, width: int = 120) -> str:
    # rich is imported here, not above: the registry imports every format, and the pre-commit
    # hook (whose default format is line) must start without it.
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width, highlight=False)
    verdicts = [p.verdict for p in result.pairs]
    console.print(
        f"[bold]{len(result.documents)} documents[/], {verdicts.count('copy')} copy pairs, "
        f"{verdicts.count('quote-only')} quote-only pairs"
        + (f", {len(result.problems)} inputs with problems" if result.problems else "")
    )
    if result.pairs:
        table = Table(show_lines=False, expand=False)
        for col, justify in (("a", "left"), ("b", "left"), ("verdict", "left"), ("resemblance", "right"),
                             ("a in b", "right"), ("b in a", "right"), ("shared passages", "left"),
                             ("why", "left")):
            table.add_column(col, justify=justify, overflow="fold")
        for p in result.pairs:
            table.add_row(
                p.a, p.b, f"[{VERDICT_STYLE.get(p.verdict, '')}]{p.verdict}[/]", f"{p.resemblance:.3f}",
                f"{p.containment_a_in_b:.3f}", f"{p.containment_b_in_a:.3f}", passage_summary(p),
                p.reasons[0] if p.reasons else "",
            )
        console.print(table)
    for i, fam in enumerate(result.families, 1):
        origin = fam.origin or "undecided"
        console.print(
            f"\n[bold]Family {i}[/]: {', '.join(fam.members)}\n"
            f"  likely origin: [bold]{origin}[/] (confidence {fam.origin_confidence:.2f})"
        )
        for edge in fam.edges:
            console.print(f"  {edge.source} → {edge.derivative}  (p={edge.probability:.2f})")
            for ev in edge.evidence:
                console.print(f"      {'+' if ev.weight >= 0 else '-'} {ev.detail}")
        for line in fam.explanation:
            console.print(f"  {line}")
    return buf.getvalue()


FORMAT = ReportFormat("table", render, in_hook=True, colour=True)
