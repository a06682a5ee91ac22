"""What a report format is: a name for `--format`, the function that writes it, and how it is used."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from provenance.model import ScanResult


@dataclass(frozen=True, slots=True)
class ReportFormat:
    """One output format, declared by its module in `provenance.report.formats` as `FORMAT`.

    name: what `--format` takes. render(result, **options): the report as text.
    in_hook: the pre-commit hook offers it too (it prints to a commit's output, so
    formats meant for files and programs, such as csv, are left to `provenance check`).
    colour: render takes `color=`; the command line turns it on when stdout is a terminal.
    passage_lines: one `path:line:col` line per passage of each side of a pair; render
    takes `sides=` (`check` reports the draft's side only), and the hook follows the lines
    with a summary of its findings on stderr, as the lines carry no totals.
    """

    name: str
    render: Callable[..., str]
    in_hook: bool = False
    colour: bool = False
    passage_lines: bool = False

    def render_check(self, result: ScanResult, **options) -> str:
        """The report of a check, whose drafts are side a of its pairs: passage lines for the drafts only."""
        if self.passage_lines:
            options["sides"] = ("a",)
        return self.render(result, **options)
