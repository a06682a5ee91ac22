"""Where a report goes, without a command-line framework: stdout, or a file written whole.

Shared by the typer app (app.py) and the fast `check` path (main.py), so `provenance check`
can write its report without paying for typer's start-up. Checks of an output path return
the message of the exit-2 error (None when the path is fine); the caller prints and exits.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from provenance.errors import ProvenanceError
from provenance.model import ScanResult
from provenance.report import report_format


def emit(write: Callable[[TextIO], None], output: Path | None) -> None:
    """Write a report with `write(fh)`: to stdout, or to `output`. Streamed formats pass through
    as they are made.

    A new or regular file is written to a temporary file beside it and renamed over it when
    complete, so no reader ever sees half a report; it gets the mode a plain open() would give
    (0666 less the umask for a new file, the old file's mode otherwise), not mkstemp's 0600. A
    symlink is written through: its target is what gets replaced, and the link stays. Anything
    else that is not a folder (a device such as /dev/null, a FIFO) is written to in place, never
    replaced by a regular file. A lone surrogate that got past ingest is written as a backslash
    escape rather than ending the run at the last step. Raises OSError when it cannot write.
    """
    if output is None:
        if hasattr(sys.stdout, "reconfigure"):
            sys.stdout.reconfigure(errors="backslashreplace")
        write(sys.stdout)
        sys.stdout.flush()
        return
    target = Path(os.path.realpath(output))
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, "it is a folder", str(output))
        with open(target, "w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
            write(fh)  # a device or FIFO: written in place
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
            write(fh)
            os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def report(result: ScanResult, fmt: str, output: Path | None, *, check: dict | None = None,
           top: int | None = None, verbose: bool = False) -> None:
    """Write `result` in format `fmt` (in colour when a colour format goes to a terminal), as it is
    produced.

    `check` (drafts=, fail_on=) writes it as a check's report; `top` and `verbose` reach the
    formats that take them.
    """
    chosen = report_format(fmt)
    extra: dict = {"top": top, "verbose": verbose, **(check or {})}
    if chosen.colour:
        extra["color"] = output is None and sys.stdout.isatty()
    try:
        emit(lambda fh: chosen.write_to(result, fh, of_check=check is not None, **extra), output)
    except BrokenPipeError:
        if output is not None:
            raise
        # the reader stopped early (`provenance scan corpus | head`): what it read is the answer,
        # so the run ends as usual; stdout goes to devnull so the final flush cannot fail
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        raise ProvenanceError(f"cannot write the report to {output or 'standard output'}: "
                              f"{exc.strerror or exc}: free some space or choose another place with --output") from exc


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
