"""The pre-commit entry point: `provenance check` without the CLI framework's start-up cost.

pre-commit runs the hook on every commit, so start-up is most of its latency; this face
builds an argparse parser from the options `provenance check` has (options.py) and imports
no command-line framework (nor rich, unless the report is a table). Same exit codes as
`provenance check` (exits.py). Run as ``python -m provenance.cli.hook [options] FILE...``
(what `.pre-commit-hooks.yaml` does).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

if __name__ == "__main__":
    # Ctrl-C while the imports below load (most of a hook's run) ends it with one line, not a
    # KeyboardInterrupt traceback; once main() runs, `interruptible` handles it the same way.
    def _quit(signum, frame) -> None:
        os.write(2, b"provenance: interrupted; no report was written\n")
        os._exit(130)

    signal.signal(signal.SIGINT, _quit)

from provenance.cli import config, options
from provenance.cli.exits import (
    EXIT_CLEAN,
    EXIT_UNUSABLE,
    error,
    exit_code,
    findings_level,
    interruptible,
    unusable_drafts,
    unusable_message,
    warn,
    warn_problems,
)
from provenance.engines.check import check
from provenance.errors import ProvenanceError
from provenance.ingest.files import SUFFIXES
from provenance.model import VERDICT_ORDER
from provenance.report import report_format
from provenance.report.summaries import is_licensed


def _bounded_int(option: options.Option) -> Callable[[str], int]:
    """argparse's type for an int option: the value, or an error naming the bounds."""

    def parse(text: str) -> int:
        value = int(text)
        if (option.low is not None and value < option.low) or (option.high is not None and value > option.high):
            bounds = f"{'' if option.low is None else option.low}..{'' if option.high is None else option.high}"
            raise argparse.ArgumentTypeError(f"{value} is not in the range {bounds}")
        return value

    parse.__name__ = "int"  # argparse names the type in its message for a value that is no number
    return parse


def add_option(parser: argparse.ArgumentParser, option: options.Option) -> None:
    """Add an option of options.py to an argparse parser (the hook's, and `provenance check`'s fast path)."""
    if option.positional:
        nargs = ("+" if option.required else "*") if option.many else None
        parser.add_argument(option.name, nargs=nargs, help=option.help)
    elif option.kind is bool:
        parser.add_argument(*option.flags, action="store_true", help=option.help)
    else:
        parser.add_argument(
            *option.flags,
            type=_bounded_int(option) if option.kind is int else option.kind,
            default=option.default,
            choices=option.choices or None,
            help=option.help,
        )


SETTABLE = (options.CHECK_FAIL_ON, options.HOOK_FORMAT, options.MAX_CANDIDATES)


def build_parser() -> argparse.ArgumentParser:
    """The hook's parser: the options of `provenance check` it has (options.HOOK_OPTIONS)."""
    parser = argparse.ArgumentParser(
        prog="provenance-check",
        description="Check drafts against the index of published and wire copy before publication.",
    )
    for option in options.HOOK_OPTIONS:  # what the settings file may set parses to None when not given
        add_option(parser, options.unset(option) if option in SETTABLE else option)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # pre-commit's plain-text type also passes files without a known suffix (LICENSE, Makefile):
    # they are not drafts, so they are named and passed over, where `provenance check` exits 2
    drafts = [d for d in args.drafts if Path(d).suffix.lower() in SUFFIXES]
    for other in sorted(set(args.drafts) - set(drafts)):
        warn(f"{other}: not a draft type provenance reads (.txt .md .rst .html); not checked")
    if not drafts:
        return EXIT_CLEAN  # nothing staged of the hooked file types
    try:
        chosen = config.check_choices(args.index, args.format, args.fail_on, args.max_candidates,
                                      formats=options.HOOK_FORMAT.choices,
                                      defaults=config.CheckChoices(**options.check_defaults(options.HOOK_FORMAT)))
        fmt = report_format(chosen.format)
        checked = check(
            drafts,
            index_spec=chosen.index,
            fail_on=findings_level(chosen.fail_on),
            max_candidates=chosen.max_candidates,
        )
        result = config.mark_licensed(checked.result, chosen.settings)
        report = fmt.render_check(result, drafts=checked.drafts, fail_on=chosen.fail_on,
                                  top=args.top, verbose=args.verbose)
    except ProvenanceError as exc:
        error(exc)
        return EXIT_UNUSABLE
    warn_problems(checked.result.problems, args.verbose)
    unusable = unusable_drafts(checked.result.problems)
    if unusable:
        error(unusable_message(unusable))
        return EXIT_UNUSABLE
    sys.stdout.write(report)
    bar = VERDICT_ORDER[findings_level(chosen.fail_on)]
    findings = [pair for pair in result.pairs if VERDICT_ORDER[pair.verdict] >= bar]
    if findings and fmt.passage_lines:
        licensed = sorted({pair.b for pair in findings if is_licensed(pair)})
        sources = sorted({pair.b for pair in findings if not is_licensed(pair)})
        said = [f"sources: {', '.join(sources)}"] if sources else []
        said += [f"licensed: {', '.join(licensed)}"] if licensed else []
        print(f"provenance: {len(findings)} finding(s); {'; '.join(said)}", file=sys.stderr)
    return exit_code(result.pairs, chosen.fail_on, args.exit_zero)


if __name__ == "__main__":
    sys.exit(interruptible(main))
