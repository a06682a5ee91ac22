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
from pathlib import Path

if __name__ == "__main__":
    # Ctrl-C while the imports below load (most of a hook's run) ends it with one line, not a
    # KeyboardInterrupt traceback; once main() runs, `interruptible` handles it the same way.
    def _quit(signum, frame) -> None:
        os.write(2, b"provenance: interrupted; no report was written\n")
        os._exit(130)

    signal.signal(signal.SIGINT, _quit)

from provenance.cli import options
from provenance.cli.exits import EXIT_CLEAN, interruptible, warn
from provenance.cli.main import check_command
from provenance.ingest.files import SUFFIXES

SETTABLE = (options.CHECK_FAIL_ON, options.HOOK_FORMAT, options.MAX_CANDIDATES)


def build_parser() -> argparse.ArgumentParser:
    """The hook's parser: the options of `provenance check` it has (options.HOOK_OPTIONS)."""
    parser = argparse.ArgumentParser(
        prog="provenance-check",
        description="Check drafts against the index of published and wire copy before publication.",
    )
    for option in options.HOOK_OPTIONS:  # what the settings file may set parses to None when not given
        options.add_option(parser, options.unset(option) if option in SETTABLE else option)
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
    return check_command(
        [Path(d) for d in drafts], index=args.index, fmt=args.format, output=None, fail_on=args.fail_on,
        exit_zero=args.exit_zero, max_candidates=args.max_candidates, top=args.top, verbose=args.verbose,
        format_option=options.HOOK_FORMAT, summary=True,
    )


if __name__ == "__main__":
    sys.exit(interruptible(main))
