"""How a run ends, the same for `provenance` and the pre-commit hook: exit codes and stderr lines.

Exit codes: 0 nothing at or above --fail-on (or --exit-zero), 1 findings at or above it,
2 an unusable invocation, input or index, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable

from provenance.model import VERDICT_ORDER, Pair, Problem
from provenance.report.summaries import is_licensed, problems_summary

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2
EXIT_INTERRUPTED = 130


def exit_code(pairs: Iterable[Pair], fail_on: str, exit_zero: bool) -> int:
    """1 when a pair's verdict is `fail_on` or stronger, else 0; 0 always for --exit-zero or `never`.

    A pair whose source is licensed (`config.mark_licensed`) never fails a run.
    """
    if exit_zero or fail_on == "never":
        return EXIT_CLEAN
    bar = VERDICT_ORDER[fail_on]
    failing = (pair for pair in pairs if not is_licensed(pair))
    return EXIT_FINDINGS if any(VERDICT_ORDER[pair.verdict] >= bar for pair in failing) else EXIT_CLEAN


def findings_level(fail_on: str) -> str:
    """The verdict the library's check counts as a finding: --fail-on, or copy for `never` (report only)."""
    return "copy" if fail_on == "never" else fail_on


# a draft skipped for one of these holds nothing to check: a warning, not a failure
NOTHING_TO_CHECK = ("empty file", "only whitespace", "no words to check", "no article text left")


def unusable_drafts(problems: Iterable[Problem]) -> list[Problem]:
    """Drafts that could not be read at all (unsupported type, binary, unreadable): a check of them is no pass."""
    return [p for p in problems if p.action == "skipped" and not p.reason.startswith(NOTHING_TO_CHECK)]


def unusable_message(unusable: list[Problem]) -> str:
    """The exit-2 message for `unusable_drafts`, naming each file, its reason and the fix."""
    named = "; ".join(f"{p.path}: {p.reason}" for p in unusable)
    return f"cannot check {named}: give drafts as .txt, .md, .rst or .html (save a .docx or .pdf as text first)"


def warn(message: object) -> None:
    print(f"provenance: warning: {message}", file=sys.stderr)


def warn_problems(problems: list[Problem], verbose: bool = True, *, in_report: bool = False) -> None:
    """One stderr line per problem with `verbose` (or when there is one), else one summary line.

    `in_report`: the report itself names them where the reader is looking (the table on a terminal),
    so stderr says nothing more.
    """
    if in_report:
        return
    if verbose or len(problems) <= 1:
        for problem in problems:
            warn(problem)
    else:
        warn(f"{problems_summary(problems)}: -v lists them")


def table_on_terminal(fmt: str, output) -> bool:
    """Whether the report is the table, written to the terminal the user reads."""
    return fmt == "table" and output is None and sys.stdout.isatty()


def error(message: object) -> None:
    print(f"provenance: error: {message}", file=sys.stderr)


class Interrupted(BaseException):
    """Ctrl-C, raised from the signal handler: past any framework's own handler (click's exits 1)."""


def _raise_interrupted(signum, frame) -> None:
    raise Interrupted


DEBUG_VARIABLE = "PROVENANCE_DEBUG"  # set (to anything) to see the traceback of an unexpected error


def interruptible(main: Callable[[], int | None]) -> int | None:
    """main()'s exit code; 130 with a line on stderr when Ctrl-C stops it (before any report is
    written); 2 with a line on stderr for an error nobody expected, so that a crash never exits
    1, the findings code, and never prints a traceback (unless PROVENANCE_DEBUG is set)."""
    signal.signal(signal.SIGINT, _raise_interrupted)
    try:
        return main()
    except (Interrupted, KeyboardInterrupt):
        print("provenance: interrupted; no report was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        error(f"unexpected {type(exc).__name__}: {str(exc)[:200]}. This is a bug or a damaged input or "
              f"index: run again with {DEBUG_VARIABLE}=1 for the traceback and report it")
        return EXIT_UNUSABLE
