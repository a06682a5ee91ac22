"""What a report format is: a name for `--format`, the function that writes it, and how it is used."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from provenance.model import ScanResult


@dataclass(frozen=True, slots=True)
class ReportFormat:
    """One output format, declared by its module in `provenance.report.formats` as `FORMAT`.

    name: what `--format` takes. render(result, **options): the report as text.
    write(result, fh, **options): the same text written to `fh` as it is produced, for formats
    whose reports grow with the result (json, jsonl, csv): a large scan's report is then never
    held whole; None: the format is rendered whole and written at once.
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
    write: Callable[..., None] | None = None

    @classmethod
    def streamed(cls, name: str, write: Callable[..., None], **flags) -> ReportFormat:
        """A format defined by its writer; its render is the writer's output collected."""

        def render(result: ScanResult, **options) -> str:
            buf = io.StringIO()
            write(result, buf, **options)
            return buf.getvalue()

        return cls(name, render, write=write, **flags)

    def _options(self, of_check: bool, options: dict) -> dict:
        if of_check and self.passage_lines:
            options["sides"] = ("a",)
        return options

    def render_check(self, result: ScanResult, **options) -> str:
        """The report of a check, whose drafts are side a of its pairs: passage lines for the drafts only."""
        return self.render(result, **self._options(True, options))

    def write_to(self, result: ScanResult, fh: TextIO, *, of_check: bool = False, **options) -> None:
        """Write the report (of a check when `of_check`) to `fh`, streamed when the format can."""
        options = self._options(of_check, options)
        if self.write is None:
            fh.write(self.render(result, **options))
        else:
            self.write(result, fh, **options)
