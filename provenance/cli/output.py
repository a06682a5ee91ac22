"""Where a report goes, without a command-line framework: stdout, or a file written whole.

Shared by the typer app (app.py) and the fast `check` path (main.py), so `provenance check`
can write its report without paying for typer's start-up. Checks of an output path return
the message of the exit-2 error (None when the path is fine); the caller prints and exits.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from provenance.model import ScanResult
from provenance.report import report_format


def emit(write: Callable[[TextIO], None], output: Path | None) -> None:
    """Write a report with `write(fh)`: to stdout, or to a temporary name renamed over `output` when
    complete, so a file is never left half-written. Streamed formats pass through as they are made."""
    if output is None:
        write(sys.stdout)
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def report(result: ScanResult, fmt: str, output: Path | None, *, check: dict | None = None,
           top: int | None = None, verbose: bool = False) -> None:
    """Write `result` in format `fmt` (in colour when a colour format goes to a terminal), streamed
    when the format can be.

    `check` (drafts=, fail_on=) writes it as a check's report; `top` and `verbose` reach the
    formats that take them.
    """
    chosen = report_format(fmt)
    extra: dict = {"top": top, "verbose": verbose, **(check or {})}
    if chosen.colour:
        extra["color"] = output is None and sys.stdout.isatty()
    emit(lambda fh: chosen.write_to(result, fh, of_check=check is not None, **extra), output)


def unwritable(output: Path | None) -> str | None:
    """Why the report could not be written where --output says (checked before any work), or None."""
    if output is None:
        return None
    if output.is_dir():
        return f"--output {output} is a folder: give a file name"
    folder = next((p for p in (output.parent, *output.parent.parents) if p.exists()), Path("."))
    if not folder.is_dir():
        return f"--output {output}: {folder} is not a folder: give a path inside a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"--output {output}: {folder} is not writable: choose another place for the report"
    return None


def missing(paths: list[Path], what: str, *, broken_links_ok: bool = False) -> str | None:
    """The exit-2 message naming the paths that do not exist (`scan` reports a broken link as a problem)."""
    gone = [str(p) for p in paths if not p.exists() and not (broken_links_ok and p.is_symlink())]
    return f"no such {what}: {', '.join(gone)}" if gone else None
