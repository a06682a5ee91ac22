"""Every command-line argument and option, defined once as plain data: names, help, default, choices.

Both faces read these definitions: the typer app (`provenance`, app.py) builds its options
from them and the pre-commit hook (hook.py) builds its argparse parser from the same ones,
so a name, a help text, a default or a list of choices cannot drift apart between them.
No command-line framework is imported here: the hook must start without one.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, replace

from provenance.engines.check import DEFAULT_CANDIDATES
from provenance.engines.check import FAIL_ON as CHECK_LEVELS
from provenance.index import IndexParams
from provenance.report import FORMATS, HOOK_FORMATS
from provenance.settings import DEFAULT_CONFIG, INGEST


@dataclass(frozen=True, slots=True)
class Option:
    """One argument or option as both faces spell it.

    flags: the option's names, long first (`("--format", "-f")`); a positional argument has
    one name without dashes. kind: str, int, or bool for a flag that takes no value (file
    names are str here; the typer app reads its types from its annotations). default: the
    value when not given (None: not given). choices: the values it accepts, when they are a
    fixed list. low, high: bounds of an int value, inclusive (None: unbounded). many: a
    positional argument that takes several values; required: at least one.
    """

    flags: tuple[str, ...]
    help: str
    kind: type = str
    default: object = None
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    many: bool = False
    required: bool = True

    @property
    def name(self) -> str:
        """The long name (`--format`), or a positional argument's name."""
        return self.flags[0]

    @property
    def positional(self) -> bool:
        return not self.name.startswith("-")


INPUT_PATHS = Option(("paths",), "Files and folders (.txt .md .html .jsonl), recursively.", many=True)
FIRST = Option(("first",), "A document (.txt .md .html).")
SECOND = Option(("second",), "Another document.")
DRAFTS = Option(("drafts",), "Draft files (.txt .md .rst .html) to check.", many=True)
IDS = Option(("ids",), "Document ids, as `index add` printed or stored them.", many=True)

VERSION = Option(("--version",), "Show the version and exit.", kind=bool, default=False)

# Reporting: every command that writes a report takes these.
FORMAT = Option(("--format", "-f"), "Report format.", default="table", choices=FORMATS)
HOOK_FORMAT = replace(FORMAT, default="line", choices=HOOK_FORMATS)  # what a commit's output can show
OUTPUT = Option(("--output", "-o"), "Write the report to this file instead of stdout.")
FAIL_ON = Option(
    ("--fail-on",), "Exit 1 when a pair has this verdict or a stronger one.", default="never",
    choices=(*CHECK_LEVELS, "never"),  # never: report, whatever is found
)
CHECK_FAIL_ON = replace(FAIL_ON, default="copy")  # a check exists to stop copies
TOP = Option(("--top",), "Table: list only the N first families and pairs.", kind=int, low=1)
VERBOSE = Option(
    ("--verbose", "-v"), "List every input warning (not one summary line) and, in the table, all evidence.",
    kind=bool, default=False,
)
EXIT_ZERO = Option(("--exit-zero",), "Exit 0 even when there are findings.", kind=bool, default=False)

# scan
K = Option(("--k",), "Words per shingle.", kind=int, default=DEFAULT_CONFIG.k, low=1, high=64)
NUM_PERM = Option(
    ("--num-perm",), "MinHash permutations.", kind=int, default=DEFAULT_CONFIG.num_perm, low=16, high=1024
)
ENGINE = Option(("--engine",), "Where the work runs: 'local' or 'dask'.", default="local", choices=("local", "dask"))
SCHEDULER = Option(("--scheduler",), "Dask scheduler address; default: a local cluster on 127.0.0.1.")
WORK_DIR = Option(
    ("--work-dir",),
    "Dask engine: keep Parquet intermediates in this folder (written by the workers) so a rerun reuses them.",
)
MAX_FILE_SIZE = Option(
    ("--max-file-size",),
    f"Read at most this many bytes of an input file, cut at a line break (default {INGEST.max_file_bytes >> 20} MB); "
    "a JSONL record longer than this is skipped.",
    kind=int, low=1,
)
INCLUDE_INDEPENDENT = Option(
    ("--include-independent",), "Also report candidate pairs that verification found independent.",
    kind=bool, default=False,
)

# check and index
INDEX = Option(("--index",), "Index file (default .provenance/index.sqlite) or redis://HOST:PORT/DB.")
MAX_CANDIDATES = Option(
    ("--max-candidates",), "Most similar indexed documents verified per draft.", kind=int,
    default=DEFAULT_CANDIDATES, low=1,
)
BATCH_SIZE = Option(("--batch-size",), "Documents per transaction.", kind=int, default=500, low=1)
_NEW_INDEX = IndexParams()
WINNOW = Option(
    ("--winnow",),
    f"New index only: fingerprint window in shingles (default {_NEW_INDEX.winnow}; larger is smaller on disk, "
    "guarantees only longer shared runs).",
    kind=int, low=2, high=200,
)
BANDS = Option(
    ("--bands",), f"New index only: LSH bands of {_NEW_INDEX.rows} rows (default {_NEW_INDEX.bands}).",
    kind=int, low=1, high=64,
)
STATS_JSON = Option(("--json",), "Print the statistics as JSON.", kind=bool, default=False)
NAMESPACE = Option(
    ("--as",),
    "Name the documents NAME/<path inside the folder given> instead of their path from the index's root "
    "(the same ids on every machine that shares the index).",
)
REPLACE = Option(
    ("--replace",), "Let a document replace one of the same id that came from another path (refused otherwise).",
    kind=bool, default=False,
)
PROGRESS = Option(
    ("--progress",), "Show progress on stderr even when it is not a terminal (it is shown on a terminal anyway).",
    kind=bool, default=False,
)
DOC_ID = Option(("id",), "A document id, as `provenance index list` prints it.")
LIST_JSON = Option(("--json",), "Print one JSON object per document.", kind=bool, default=False)

# The pre-commit hook: `provenance check` without --output (the report goes to the commit's output).
HOOK_DRAFTS = replace(DRAFTS, help="Draft files (pre-commit passes the staged ones).", required=False)
HOOK_OPTIONS = (HOOK_DRAFTS, INDEX, CHECK_FAIL_ON, EXIT_ZERO, HOOK_FORMAT, MAX_CANDIDATES, TOP, VERBOSE)


def unset(option: Option) -> Option:
    """`option` parsed with no default, so a value not given can come from the settings file (config.py)."""
    return replace(option, default=None)


def check_defaults(fmt: Option = FORMAT) -> dict:
    """The built-in values of a check's options that a settings file may set (`config.check_choices`)."""
    return {"index": None, "format": fmt.default, "fail_on": CHECK_FAIL_ON.default,
            "max_candidates": MAX_CANDIDATES.default}


def _bounded_int(option: Option) -> Callable[[str], int]:
    """argparse's type for an int option: the value, or an error naming the bounds."""

    def parse(text: str) -> int:
        value = int(text)
        if (option.low is not None and value < option.low) or (option.high is not None and value > option.high):
            bounds = f"{'' if option.low is None else option.low}..{'' if option.high is None else option.high}"
            raise argparse.ArgumentTypeError(f"{value} is not in the range {bounds}")
        return value

    parse.__name__ = "int"  # argparse names the type in its message for a value that is no number
    return parse


def add_option(parser: argparse.ArgumentParser, option: Option) -> None:
    """Add an option of this module to an argparse parser (the hook's, and `provenance check`'s fast path)."""
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
