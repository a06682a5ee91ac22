"""The `provenance` entry point: `check` starts without the command-line framework, the rest through typer.

An editor waits for `provenance check` before every publication, and typer with its
dependencies costs about a tenth of a second to import, more than the check itself on a
warm index. So a `check` whose arguments argparse accepts as they are (built from the same
options.py definitions as the typer command) runs here directly; anything else — another
command, --help, an argument typer would refuse or word differently — goes to the typer app
(app.py, loaded only then), so its messages and help stay the one source of truth.
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module
from pathlib import Path

import provenance
from provenance.cli import config, options
from provenance.cli import output as output_to
from provenance.cli.exits import (
    EXIT_UNUSABLE,
    error,
    exit_code,
    findings_level,
    interruptible,
    table_on_terminal,
    unusable_drafts,
    unusable_message,
    warn,
    warn_problems,
)
from provenance.errors import ProvenanceError
from provenance.model import VERDICT_ORDER, ScanResult
from provenance.report import report_format
from provenance.report.summaries import is_licensed

# --format, --fail-on and --max-candidates parse to None when not given: the settings file may set them
CHECK_OPTIONS = (
    options.DRAFTS, options.INDEX, options.unset(options.FORMAT), options.OUTPUT, options.unset(options.CHECK_FAIL_ON),
    options.EXIT_ZERO, options.unset(options.MAX_CANDIDATES), options.TOP, options.VERBOSE,
)


def check_command(
    drafts: list[Path],
    *,
    index: str | None,
    fmt: str | None,
    output: Path | None,
    fail_on: str | None,
    exit_zero: bool,
    max_candidates: int | None,
    top: int | None = None,
    verbose: bool = False,
    format_option: options.Option = options.FORMAT,
    summary: bool = False,
) -> int:
    """`provenance check` and the pre-commit hook: report the drafts' findings and return the exit
    code (2, with a message, on failure).

    Options given as None come from the settings file (config.py), else the built-in defaults of
    `format_option` (the hook's formats are fewer). `summary` adds the hook's one stderr line
    naming the sources of the findings, beside a format of passage lines.
    """
    message = output_to.missing(drafts, "file") or output_to.unwritable(output)
    if message:
        error(message)
        return EXIT_UNUSABLE
    try:
        chosen = config.check_choices(index, fmt, fail_on, max_candidates, formats=format_option.choices,
                                      defaults=config.CheckChoices(**options.check_defaults(format_option)))
        fmt, fail_on = chosen.format, chosen.fail_on
        checked = provenance.check(
            drafts, index_spec=chosen.index, fail_on=findings_level(fail_on), max_candidates=chosen.max_candidates,
            rules=config.verdict_rules(chosen.settings, warn),
        )
        warn_problems(checked.result.problems, verbose, in_report=table_on_terminal(fmt, output))
        unusable = unusable_drafts(checked.result.problems)
        if unusable:
            error(unusable_message(unusable))
            return EXIT_UNUSABLE
        result = config.mark_licensed(checked.result, chosen.settings)
        output_to.report(result, fmt, output, check={"drafts": checked.drafts, "fail_on": fail_on},
                         top=top, verbose=verbose)
    except ProvenanceError as exc:
        error(exc)
        return EXIT_UNUSABLE
    if summary and report_format(fmt).passage_lines:
        _summarise_findings(result, fail_on)
    return exit_code(result.pairs, fail_on, exit_zero)


def _summarise_findings(result: ScanResult, fail_on: str) -> None:
    """One stderr line after the findings: how many, and their sources (licensed ones apart)."""
    bar = VERDICT_ORDER[findings_level(fail_on)]
    findings = [pair for pair in result.pairs if VERDICT_ORDER[pair.verdict] >= bar]
    if not findings:
        return
    licensed = sorted({pair.b for pair in findings if is_licensed(pair)})
    sources = sorted({pair.b for pair in findings if not is_licensed(pair)})
    said = [f"sources: {', '.join(sources)}"] if sources else []
    said += [f"licensed: {', '.join(licensed)}"] if licensed else []
    print(f"provenance: {len(findings)} finding(s); {'; '.join(said)}", file=sys.stderr)


class _NotFast(Exception):
    """argparse would refuse the arguments: typer parses them again and says why in its own words."""


class _CheckParser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own would print usage and exit
        raise _NotFast(message)


def _check_parser() -> argparse.ArgumentParser:
    # no -h (typer prints the help) and no abbreviated options (typer accepts none)
    parser = _CheckParser(prog="provenance check", add_help=False, allow_abbrev=False, exit_on_error=False)
    for option in CHECK_OPTIONS:
        options.add_option(parser, option)
    return parser


def fast_check(argv: list[str]) -> int | None:
    """The exit code of `provenance check ARGV...` run without typer, or None when typer must parse ARGV."""
    try:
        args = _check_parser().parse_args(argv)
    except (_NotFast, argparse.ArgumentError, ValueError):
        return None
    return check_command(
        [Path(p) for p in args.drafts], index=args.index, fmt=args.format,
        output=None if args.output is None else Path(args.output), fail_on=args.fail_on,
        exit_zero=args.exit_zero, max_candidates=args.max_candidates, top=args.top, verbose=args.verbose,
    )


def _run(argv: list[str]) -> int | None:
    if argv[:1] == ["check"]:
        code = fast_check(argv[1:])
        if code is not None:
            return code
    return import_module("provenance.cli.app").app(argv)


def main() -> None:
    sys.exit(interruptible(lambda: _run(sys.argv[1:])))
