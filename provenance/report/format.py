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

    name: what `--format` takes. write(result, fh, **options): the report written to `fh` as it
    is produced, a record, a line or a piece of the page at a time, so a large scan's report is
    never held whole (`render` collects it as one string, for callers that want the text).
    in_hook: the pre-commit hook offers it too (it prints to a commit's output, so
    formats meant for files and programs, such as csv, are left to `provenance check`).
    colour: write takes `color=`; the command line turns it on when stdout is a terminal.
    passage_lines: one `path:line:col` line per passage of each side of a pair; write
    takes `sides=` (`check` reports the draft's side only), and the hook follows the lines
    with a summary of its findings on stderr, as the lines carry no totals.
    takes: the further options write accepts: "top" (`top=N` families and pairs), "verbose"
    (`verbose=True`: every evidence item and warning), "check" (`drafts=`, `fail_on=`: a
    check's verdict per draft).
    """

    name: str
    write: Callable[..., None]
    in_hook: bool = False
    colour: bool = False
    passage_lines: bool = False
    takes: tuple[str, ...] = ()

    def render(self, result: ScanResult, **options) -> str:
        """The report as one string."""
        buf = io.StringIO()
        self.write(result, buf, **options)
        return buf.getvalue()

    def _options(self, of_check: bool, options: dict, result: ScanResult, drafts: list[str] | None,
                 fail_on: str) -> dict:
        if of_check and self.passage_lines:
            options["sides"] = ("a",)
        if of_check and "check" in self.takes:
            options["drafts"] = drafts if drafts is not None else sorted({pair.a for pair in result.pairs})
            options["fail_on"] = fail_on
        return self.accepted(options)

    def accepted(self, options: dict) -> dict:
        """`options` without the optional ones ("top", "verbose") this format does not take."""
        return {key: value for key, value in options.items() if key not in ("top", "verbose") or key in self.takes}

    def render_check(self, result: ScanResult, *, drafts: list[str] | None = None, fail_on: str = "copy",
                     **options) -> str:
        """The report of a check, whose drafts are side a of its pairs: passage lines for the drafts only.

        `drafts` (default: every side a) and `fail_on` give formats that take "check" a verdict per draft.
        """
        return self.render(result, **self._options(True, options, result, drafts, fail_on))

    def write_to(self, result: ScanResult, fh: TextIO, *, of_check: bool = False, drafts: list[str] | None = None,
                 fail_on: str = "copy", **options) -> None:
        """Write the report (of a check when `of_check`) to `fh` as it is produced."""
        self.write(result, fh, **self._options(of_check, options, result, drafts, fail_on))
