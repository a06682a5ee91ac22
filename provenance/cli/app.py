"""The command line: parses options, calls the library, maps errors to exit codes.

Exit codes: 0 done (nothing at or above --fail-on), 1 findings at or above --fail-on,
2 unusable invocation or index, 130 interrupted. Only this module prints or exits.
"""

from __future__ import annotations

import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="provenance",
    help="Find text reuse in news-like prose and say which text is the likely origin.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class Format(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"
    line = "line"


class FailOn(str, Enum):
    copy = "copy"
    quote_only = "quote-only"
    never = "never"


# Output options, defined once and shared by every command that reports.
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Report format.")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to this file instead of stdout.")
]
FailOnOption = Annotated[
    FailOn, typer.Option("--fail-on", help="Exit 1 when a pair has this verdict or a stronger one.")
]
ExitZeroOption = Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when there are findings.")]
KOption = Annotated[int, typer.Option("--k", help="Words per shingle.", min=1, max=64)]
NumPermOption = Annotated[int, typer.Option("--num-perm", help="MinHash permutations.", min=16, max=1024)]


def _version(value: bool) -> None:
    if value:
        from provenance import __version__

        typer.echo(f"provenance {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Find text reuse in news-like prose and say which text is the likely origin."""


def fail(message: str, code: int = EXIT_USAGE) -> None:
    typer.echo(f"provenance: error: {message}", err=True)
    raise typer.Exit(code)


def warn_problems(problems) -> None:
    for p in problems:
        typer.echo(f"provenance: warning: {p}", err=True)


def emit(text: str, output: Path | None) -> None:
    """Write a report; files are written to a temporary name then renamed, never left half-written."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(result, fmt: Format, output: Path | None, **options) -> str:
    from provenance.report import render as render_report

    if fmt is Format.table:
        options.setdefault("color", output is None and sys.stdout.isatty())
    return render_report(result, fmt.value, **options)


def exit_code(result, fail_on: FailOn, exit_zero: bool) -> int:
    from provenance.model import VERDICT_ORDER

    if exit_zero or fail_on is FailOn.never:
        return 0
    bar = VERDICT_ORDER[fail_on.value]
    return EXIT_FINDINGS if any(VERDICT_ORDER[p.verdict] >= bar for p in result.pairs) else 0


class _ProgressBar:
    """A rich progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.progress = None
        self.tasks: dict[str, int] = {}
        if enabled:
            from rich.console import Console
            from rich.progress import Progress

            self.progress = Progress(console=Console(stderr=True), transient=True)

    def __enter__(self):
        if self.progress:
            self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress:
            self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.progress:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=max(total, 1))
        self.progress.update(self.tasks[stage], completed=done, total=max(total, 1))


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (.txt .md .html .jsonl), recursively.")],
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    fail_on: FailOnOption = FailOn.never,
    exit_zero: ExitZeroOption = False,
    k: KOption = 5,
    num_perm: NumPermOption = 128,
    engine: Annotated[str, typer.Option(help="Where the work runs: 'local' or 'dask'.")] = "local",
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address; default: a local cluster on 127.0.0.1.")
    ] = None,
    work_dir: Annotated[
        Path | None,
        typer.Option(
            "--work-dir",
            help="Dask engine: keep Parquet intermediates in this folder (written by the workers) so a "
            "rerun reuses them.",
        ),
    ] = None,
    max_file_size: Annotated[
        int | None,
        typer.Option(
            help="Read at most this many bytes of an input file, cut at a line break (default 20 MB); "
            "a JSONL record longer than this is skipped.",
            min=1,
        ),
    ] = None,
    include_independent: Annotated[
        bool,
        typer.Option(
            "--include-independent", help="Also report candidate pairs that verification found independent."
        ),
    ] = False,
) -> None:
    """Scan a corpus for reuse between its documents: pairs, passages, verdicts, families."""
    from provenance.engines.local import ScanOptions
    from provenance.errors import ProvenanceError
    from provenance.settings import SketchConfig

    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        fail(f"no such file or folder: {', '.join(missing)}")
    if engine not in ("local", "dask"):
        fail(f"unknown engine {engine!r}: use 'local' or 'dask'")
    if work_dir is not None:
        if engine != "dask":
            fail("--work-dir keeps the Dask engine's intermediates; the local engine has none: "
                 "add --engine dask or leave out --work-dir")
        if work_dir.exists() and not work_dir.is_dir():
            fail(f"--work-dir {work_dir} is not a folder: give a folder (it is created if missing)")
        work_dir = work_dir.absolute()  # workers resolve it, not from this process's current folder
    try:
        options = ScanOptions(
            config=SketchConfig(k=k, num_perm=num_perm),
            max_bytes=max_file_size,
            include_independent=include_independent,
        )
        with _ProgressBar(sys.stderr.isatty()) as progress:
            if engine == "dask":
                from provenance.engines.dask import scan_dask

                result = scan_dask(
                    paths, options=options, scheduler=scheduler, progress=progress, work_dir=work_dir
                )
            else:
                from provenance.engines.local import scan as run_scan

                result = run_scan(paths, options=options, progress=progress)
        warn_problems(result.problems)
        emit(render(result, fmt, output), output)
    except ProvenanceError as exc:
        fail(str(exc))
    raise typer.Exit(exit_code(result, fail_on, exit_zero))


@app.command()
def compare(
    first: Annotated[Path, typer.Argument(help="A document (.txt .md .html).")],
    second: Annotated[Path, typer.Argument(help="Another document.")],
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    fail_on: FailOnOption = FailOn.never,
    exit_zero: ExitZeroOption = False,
) -> None:
    """Compare two documents directly: shared passages, verdict and, for a copy, who came first."""
    from provenance.engines.local import compare_documents
    from provenance.errors import ProvenanceError
    from provenance.ingest import files as documents

    missing = [str(p) for p in (first, second) if not p.exists()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    try:
        docs, problems = documents.load_paths([first, second])
        if len(docs) != 2:
            warn_problems(problems)
            fail("compare needs two readable documents")
        result = compare_documents(docs[0], docs[1], problems=problems)
        warn_problems(result.problems)
        emit(render(result, fmt, output), output)
    except ProvenanceError as exc:
        fail(str(exc))
    raise typer.Exit(exit_code(result, fail_on, exit_zero))


# --- index and check commands ------------------------------------------------------------
# Thin like the rest: parse, call provenance.index / provenance.check, map errors to exit 2.

IndexOption = Annotated[
    str | None,
    typer.Option("--index", help="Index file (default .provenance/index.sqlite) or redis://HOST:PORT/DB."),
]

index_app = typer.Typer(
    help="Build and inspect the index that `provenance check` searches.", no_args_is_help=True
)
app.add_typer(index_app, name="index")


@app.command()
def check(
    drafts: Annotated[list[Path], typer.Argument(help="Draft files (.txt .md .rst .html) to check.")],
    index: IndexOption = None,
    fmt: FormatOption = Format.table,
    output: OutputOption = None,
    fail_on: FailOnOption = FailOn.copy,
    exit_zero: ExitZeroOption = False,
    max_candidates: Annotated[
        int, typer.Option(help="Most similar indexed documents verified per draft.", min=1)
    ] = 10,
) -> None:
    """Check drafts against the index before publication: sources, passages, copy or quotation.

    Exit 0 when no draft reaches --fail-on, 1 when one does, 2 when the drafts or the index are unusable.
    """
    from provenance.engines.check import check as run_check
    from provenance.errors import ProvenanceError

    missing = [str(p) for p in drafts if not p.exists()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    try:
        lib_fail_on = "copy" if fail_on is FailOn.never else fail_on.value
        checked = run_check(drafts, index_spec=index, fail_on=lib_fail_on, max_candidates=max_candidates)
        warn_problems(checked.result.problems)
        options = {"sides": ("a",)} if fmt is Format.line else {}  # the draft's side only: it is pair.a
        emit(render(checked.result, fmt, output, **options), output)
    except ProvenanceError as exc:
        fail(str(exc))
    raise typer.Exit(exit_code(checked.result, fail_on, exit_zero))


@index_app.command("add")
def index_add(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (.txt .md .html .jsonl), recursively.")],
    index: IndexOption = None,
    batch_size: Annotated[int, typer.Option(help="Documents per transaction.", min=1)] = 500,
    winnow: Annotated[
        int | None,
        typer.Option(help="New index only: fingerprint window in shingles (default 16; larger is smaller "
                     "on disk, guarantees only longer shared runs).", min=2, max=200),
    ] = None,
    bands: Annotated[
        int | None, typer.Option(help="New index only: LSH bands of 2 rows (default 10).", min=1, max=64)
    ] = None,
) -> None:
    """Add documents to the index (creating it); unchanged documents are skipped, changed ones replaced."""
    from provenance.errors import ProvenanceError
    from provenance.index import IndexParams, open_index
    from provenance.ingest import files as documents

    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        fail(f"no such file or folder: {', '.join(missing)}")
    defaults = IndexParams()
    params = IndexParams(bands=bands or defaults.bands, winnow=winnow or defaults.winnow)
    try:
        docs, problems = documents.load_paths(paths)
        warn_problems(problems)
        with open_index(index, create=True, params=params) as ix:
            if (winnow or bands) and ix.params != params:
                fail(f"the index at {ix.location} was created with {ix.params}; --winnow and --bands "
                     "apply only to a new index")
            report = ix.add(docs, batch_size=batch_size)
            total = ix.stats().documents
    except ProvenanceError as exc:
        fail(str(exc))
    for doc_id, reason in report.skipped:
        typer.echo(f"provenance: warning: {doc_id}: {reason} (skipped)", err=True)
    typer.echo(
        f"added {report.added}, replaced {report.replaced}, unchanged {report.unchanged}, "
        f"skipped {len(report.skipped)}; {total} documents in the index"
    )


@index_app.command("remove")
def index_remove(
    ids: Annotated[list[str], typer.Argument(help="Document ids, as `index add` printed or stored them.")],
    index: IndexOption = None,
) -> None:
    """Remove documents from the index by id."""
    from provenance.errors import ProvenanceError
    from provenance.index import open_index

    try:
        with open_index(index) as ix:
            removed = ix.remove(ids)
    except ProvenanceError as exc:
        fail(str(exc))
    for doc_id in sorted(set(ids) - set(removed)):
        typer.echo(f"provenance: warning: {doc_id}: not in the index", err=True)
    typer.echo(f"removed {len(removed)}")


@index_app.command("stats")
def index_stats(
    index: IndexOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the statistics as JSON.")] = False,
) -> None:
    """Show what the index holds and what it costs on disk."""
    import dataclasses
    import json

    from provenance.errors import ProvenanceError
    from provenance.index import open_index

    try:
        with open_index(index) as ix:
            st = ix.stats()
    except ProvenanceError as exc:
        fail(str(exc))
    data = dataclasses.asdict(st)
    if json_out:
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    per_doc = st.structure_bytes / st.documents if st.documents else 0.0
    typer.echo(
        f"index:        {st.location}\n"
        f"config:       {st.config_fingerprint}\n"
        f"documents:    {st.documents}\n"
        f"bands:        {st.params.bands} x {st.params.rows} rows ({st.band_entries} entries)\n"
        f"fingerprints: {st.fingerprints} (winnow window {st.params.winnow})\n"
        f"size:         {st.size_bytes} bytes; structures {per_doc:.0f} bytes/document "
        f"+ compressed text {st.text_bytes} bytes"
    )


@index_app.command("rebuild")
def index_rebuild(index: IndexOption = None) -> None:
    """Recompute every signature and lookup key from the stored texts with this version's settings."""
    from provenance.errors import ProvenanceError
    from provenance.index import open_index
    from provenance.settings import DEFAULT_CONFIG

    try:
        with open_index(index, DEFAULT_CONFIG, check_config=False) as ix:
            n = ix.rebuild(DEFAULT_CONFIG)
    except ProvenanceError as exc:
        fail(str(exc))
    typer.echo(f"rebuilt {n} documents with {DEFAULT_CONFIG.fingerprint}")


class Interrupted(BaseException):
    """Ctrl-C, raised past click's own handler (which would exit 1) so we can exit 130."""


def _on_sigint(signum, frame) -> None:
    raise Interrupted


def main() -> None:
    import signal

    signal.signal(signal.SIGINT, _on_sigint)
    try:
        app()
    except Interrupted:
        typer.echo("provenance: interrupted; no report was written", err=True)
        sys.exit(EXIT_INTERRUPTED)
