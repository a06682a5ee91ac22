"""The command line `provenance`: parses options, calls the library, maps errors to exit codes.

It calls the product's API (`import provenance`), whose engines load on first use, so each
command pays only for the stages it runs (`check` never loads the scan engines).

Every option is defined in options.py (the pre-commit hook reads the same definitions) and the
exit codes and their rule in exits.py. Only the cli package prints or exits.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

import provenance
from provenance.cli import config, options
from provenance.cli import output as output_to
from provenance.cli.exits import (
    EXIT_UNUSABLE,
    error,
    exit_code,
    interruptible,
    table_on_terminal,
    warn,
    warn_problems,
)
from provenance.cli.main import check_command
from provenance.errors import ProvenanceError
from provenance.index import IndexParams, open_index
from provenance.index.ids import id_prefix, scoped
from provenance.ingest import files as documents
from provenance.model import Problem, ScanResult
from provenance.report.safe import one_line
from provenance.settings import DEFAULT_CONFIG, SketchConfig
from provenance.version import package_version

app = typer.Typer(
    name="provenance",
    help="Find text reuse in news-like prose and say which text is the likely origin.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(
    help="Build and inspect the index that `provenance check` searches.", no_args_is_help=True
)
app.add_typer(index_app, name="index")


# --- typer's view of options.py -----------------------------------------------------------

def _choices(option: options.Option) -> type[Enum]:
    """The option's choices as the Enum typer offers and checks (`--fail-on` -> FailOn)."""
    name = "".join(part.title() for part in option.name.strip("-").split("-"))
    return Enum(name, {value: value for value in option.choices}, type=str)


def _typer(option: options.Option, **extra):
    """The typer.Argument or typer.Option for an option of options.py."""
    if option.positional:
        return typer.Argument(help=option.help, **extra)
    return typer.Option(*option.flags, help=option.help, min=option.low, max=option.high, **extra)


Format = _choices(options.FORMAT)
FailOn = _choices(options.FAIL_ON)
Engine = _choices(options.ENGINE)

InputPaths = Annotated[list[Path], _typer(options.INPUT_PATHS)]
FormatOption = Annotated[Format, _typer(options.FORMAT)]
OutputOption = Annotated[Path | None, _typer(options.OUTPUT)]
FailOnOption = Annotated[FailOn, _typer(options.FAIL_ON)]
ExitZeroOption = Annotated[bool, _typer(options.EXIT_ZERO)]
TopOption = Annotated[int | None, _typer(options.TOP)]
VerboseOption = Annotated[bool, _typer(options.VERBOSE)]
IndexOption = Annotated[str | None, _typer(options.INDEX)]

DEFAULT_FORMAT = Format(options.FORMAT.default)
REPORT_FAIL_ON = FailOn(options.FAIL_ON.default)
DEFAULT_ENGINE = Engine(options.ENGINE.default)


# --- what every command does the same way ------------------------------------------------

def fail(message: str, code: int = EXIT_UNUSABLE) -> None:
    error(message)
    raise typer.Exit(code)


def fail_unwritable(output: Path | None) -> None:
    """Exit 2 before any work when the report could not be written where --output says."""
    message = output_to.unwritable(output)
    if message:
        fail(message)


def fail_missing(paths: list[Path], what: str, *, broken_links_ok: bool = False) -> None:
    """Exit 2 naming the paths that do not exist (`scan` reports a broken link as a problem instead)."""
    message = output_to.missing(paths, what, broken_links_ok=broken_links_ok)
    if message:
        fail(message)


class _ProgressBar:
    """A rich progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.progress = None
        self.tasks: dict[str, int] = {}
        if enabled:
            from rich.console import Console  # only for a terminal: a pipe or file never pays for it
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


# --- commands -------------------------------------------------------------------------------

def _version(value: bool) -> None:
    if value:
        typer.echo(f"provenance {package_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, _typer(options.VERSION, callback=_version, is_eager=True)] = options.VERSION.default,
) -> None:
    """Find text reuse in news-like prose and say which text is the likely origin."""


def _work_dir(work_dir: Path | None, engine: Engine) -> Path | None:
    """--work-dir made absolute (the workers resolve it, not from this process's folder), or exit 2."""
    if work_dir is None:
        return None
    if engine.value != "dask":
        fail("--work-dir keeps the Dask engine's intermediates; the local engine has none: "
             "add --engine dask or leave out --work-dir")
    if work_dir.exists() and not work_dir.is_dir():
        fail(f"--work-dir {work_dir} is not a folder: give a folder (it is created if missing)")
    try:  # made and tried now, not found unwritable by a worker after the loading stage
        work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=work_dir):
            pass
    except OSError as exc:
        fail(f"--work-dir {work_dir}: {exc.strerror or exc}: give a folder this user can create and write to")
    return work_dir.absolute()


def _report_and_exit(run, fmt: Format, output: Path | None, fail_on: FailOn, exit_zero: bool,
                     top: int | None = None, verbose: bool = False) -> None:
    """Run a library call, report its result and exit by the rule; a library error exits 2."""
    try:
        result = run()
        warn_problems(result.problems, verbose, in_report=table_on_terminal(fmt.value, output))
        output_to.report(result, fmt.value, output, top=top, verbose=verbose)
    except ProvenanceError as exc:
        fail(str(exc))
    raise typer.Exit(exit_code(result.pairs, fail_on.value, exit_zero))


@app.command()
def scan(
    paths: InputPaths,
    fmt: FormatOption = DEFAULT_FORMAT,
    output: OutputOption = None,
    fail_on: FailOnOption = REPORT_FAIL_ON,
    exit_zero: ExitZeroOption = options.EXIT_ZERO.default,
    k: Annotated[int, _typer(options.K)] = options.K.default,
    num_perm: Annotated[int, _typer(options.NUM_PERM)] = options.NUM_PERM.default,
    engine: Annotated[Engine, _typer(options.ENGINE)] = DEFAULT_ENGINE,
    scheduler: Annotated[str | None, _typer(options.SCHEDULER)] = None,
    work_dir: Annotated[Path | None, _typer(options.WORK_DIR)] = None,
    max_file_size: Annotated[int | None, _typer(options.MAX_FILE_SIZE)] = None,
    include_independent: Annotated[bool, _typer(options.INCLUDE_INDEPENDENT)] = options.INCLUDE_INDEPENDENT.default,
    top: TopOption = None,
    verbose: VerboseOption = options.VERBOSE.default,
) -> None:
    """Scan a corpus for reuse between its documents: pairs, passages, verdicts, families."""
    fail_missing(paths, "file or folder", broken_links_ok=True)
    fail_unwritable(output)
    work_dir = _work_dir(work_dir, engine)

    def run() -> ScanResult:
        scan_options = provenance.ScanOptions(
            config=SketchConfig(k=k, num_perm=num_perm),
            max_bytes=max_file_size,
            include_independent=include_independent,
            rules=config.verdict_rules(config.load(), warn),
        )
        with _ProgressBar(sys.stderr.isatty()) as progress:
            if engine.value == "dask":
                return provenance.scan_dask(
                    paths, options=scan_options, scheduler=scheduler, progress=progress, work_dir=work_dir
                )
            return provenance.scan(paths, options=scan_options, progress=progress)

    _report_and_exit(run, fmt, output, fail_on, exit_zero, top, verbose)


@app.command()
def compare(
    first: Annotated[Path, _typer(options.FIRST)],
    second: Annotated[Path, _typer(options.SECOND)],
    fmt: FormatOption = DEFAULT_FORMAT,
    output: OutputOption = None,
    fail_on: FailOnOption = REPORT_FAIL_ON,
    exit_zero: ExitZeroOption = options.EXIT_ZERO.default,
    top: TopOption = None,
    verbose: VerboseOption = options.VERBOSE.default,
) -> None:
    """Compare two documents directly: shared passages, verdict and, for a copy, who came first."""
    fail_missing([first, second], "file")
    fail_unwritable(output)
    def run() -> ScanResult:
        return provenance.compare(first, second, rules=config.verdict_rules(config.load(), warn))

    _report_and_exit(run, fmt, output, fail_on, exit_zero, top, verbose)


@app.command()
def check(
    drafts: Annotated[list[Path], _typer(options.DRAFTS)],
    index: IndexOption = None,
    fmt: Annotated[Format | None, _typer(options.FORMAT)] = None,
    output: OutputOption = None,
    fail_on: Annotated[FailOn | None, _typer(options.CHECK_FAIL_ON)] = None,
    exit_zero: ExitZeroOption = options.EXIT_ZERO.default,
    max_candidates: Annotated[int | None, _typer(options.MAX_CANDIDATES)] = None,
    top: TopOption = None,
    verbose: VerboseOption = options.VERBOSE.default,
) -> None:
    """Check drafts against the index before publication: sources, passages, copy or quotation.

    Exit 0 when no draft reaches --fail-on, 1 when one does, 2 when the drafts or the index are unusable.
    """
    raise typer.Exit(check_command(
        drafts, index=index, fmt=fmt and fmt.value, output=output, fail_on=fail_on and fail_on.value,
        exit_zero=exit_zero,
        max_candidates=max_candidates, top=top, verbose=verbose,
    ))


def _load_for_index(paths: list[Path], store, namespace: str | None) -> tuple[list, list[Problem]]:
    """The documents under `paths`, named for the index (`index.ids`): root-relative or NAMESPACE/..."""
    root = store.root
    if root is None:
        root = os.getcwd()
        store.set_root(root)
    docs, problems = [], []
    for path in paths:
        loaded, found = documents.load_paths([path])
        docs.extend(scoped(loaded, id_prefix(path, Path(root), namespace)))
        problems.extend(found)
    return docs, problems


class _Counter:
    """`index add` progress on stderr: a line rewritten in place, on a terminal or with --progress."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled

    def __call__(self, done: int) -> None:
        if self.enabled:
            sys.stderr.write(f"\rprovenance: indexed {done}/{self.total} documents")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.total:
            sys.stderr.write("\n")


def _index(index: str | None) -> str | None:
    """--index, else the settings file's index (config.py), else None (the default file)."""
    return index or config.load().index


@index_app.command("add")
def index_add(
    paths: InputPaths,
    index: IndexOption = None,
    batch_size: Annotated[int, _typer(options.BATCH_SIZE)] = options.BATCH_SIZE.default,
    winnow: Annotated[int | None, _typer(options.WINNOW)] = None,
    bands: Annotated[int | None, _typer(options.BANDS)] = None,
    namespace: Annotated[str | None, _typer(options.NAMESPACE)] = None,
    replace_other: Annotated[bool, _typer(options.REPLACE)] = options.REPLACE.default,
    progress: Annotated[bool, _typer(options.PROGRESS)] = options.PROGRESS.default,
) -> None:
    """Add documents to the index (creating it); unchanged documents are skipped, changed ones replaced.

    Ids are paths from the index's root (the folder of the first add), or NAME/... with --as NAME.
    A document whose id is held by a file at another path is refused (exit 2) unless --replace.
    """
    fail_missing(paths, "file or folder")
    defaults = IndexParams()
    params = IndexParams(bands=bands or defaults.bands, winnow=winnow or defaults.winnow)
    try:
        with open_index(_index(index), create=True, params=params) as store:
            if (winnow or bands) and store.params != params:
                fail(f"the index at {store.location} was created with {store.params}; --winnow and --bands "
                     "apply only to a new index")
            docs, problems = _load_for_index(paths, store, namespace)
            warn_problems(problems)
            counter = _Counter(len(docs), progress or sys.stderr.isatty())
            try:
                added = store.add(docs, batch_size=batch_size, replace_other_paths=replace_other, progress=counter)
            finally:
                counter.close()
            total = store.stats().documents
    except ProvenanceError as exc:
        fail(str(exc))
    for doc_id, reason in added.skipped:
        warn(f"{doc_id}: {reason} (skipped)")
    for doc_id, new_path, held_path in added.refused:
        warn(f"{doc_id}: the index holds this id for {held_path}, not {new_path} (refused)")
    typer.echo(
        f"added {added.added}, replaced {added.replaced}, unchanged {added.unchanged}, "
        f"skipped {len(added.skipped)}, refused {len(added.refused)}; {total} documents in the index"
    )
    if added.refused:
        fail(f"{len(added.refused)} documents were not added: their ids belong to files at other paths; "
             "give --as NAME to add them under a name of their own, or --replace to overwrite")


@index_app.command("list")
def index_list(
    index: IndexOption = None,
    json_out: Annotated[bool, _typer(options.LIST_JSON)] = options.LIST_JSON.default,
) -> None:
    """List the documents the index holds: id, characters, path (the ids `index remove` takes)."""
    try:
        with open_index(_index(index)) as store:
            ids = store.ids()
            for start in range(0, len(ids), 500):
                for doc in store.documents(ids[start:start + 500]):
                    if json_out:
                        typer.echo(json.dumps({"id": doc.id, "path": doc.path, "chars": len(doc.text),
                                               "title": doc.title, "published": doc.published}, sort_keys=True))
                    else:
                        typer.echo(f"{one_line(doc.id)}\t{len(doc.text)} chars\t{one_line(doc.path)}")
    except ProvenanceError as exc:
        fail(str(exc))


@index_app.command("show")
def index_show(
    doc_id: Annotated[str, _typer(options.DOC_ID)],
    index: IndexOption = None,
) -> None:
    """Show one indexed document: where it came from, its metadata and the text the index keeps."""
    try:
        with open_index(_index(index)) as store:
            found = store.documents([doc_id])
    except ProvenanceError as exc:
        fail(str(exc))
    if not found:
        fail(f"{doc_id!r} is not in the index: `provenance index list` prints the ids it holds")
    doc = found[0]
    for label, value in (("id", doc.id), ("path", doc.path), ("title", doc.title), ("url", doc.url),
                         ("site", doc.site), ("published", doc.published), ("chars", str(len(doc.text)))):
        if value:
            typer.echo(f"{label + ':':<11}{one_line(value)}")
    typer.echo("")
    typer.echo("\n".join(one_line(line) for line in doc.text.split("\n")))


@index_app.command("remove")
def index_remove(ids: Annotated[list[str], _typer(options.IDS)], index: IndexOption = None) -> None:
    """Remove documents from the index by id."""
    try:
        with open_index(_index(index)) as store:
            removed = store.remove(ids)
    except ProvenanceError as exc:
        fail(str(exc))
    for doc_id in sorted(set(ids) - set(removed)):
        warn(f"{doc_id}: not in the index")
    typer.echo(f"removed {len(removed)}")


@index_app.command("stats")
def index_stats(
    index: IndexOption = None,
    json_out: Annotated[bool, _typer(options.STATS_JSON)] = options.STATS_JSON.default,
) -> None:
    """Show what the index holds and what it costs on disk."""
    try:
        with open_index(_index(index)) as store:
            stats = store.stats()
    except ProvenanceError as exc:
        fail(str(exc))
    if json_out:
        typer.echo(json.dumps(dataclasses.asdict(stats), indent=2, sort_keys=True))
        return
    per_doc = stats.structure_bytes / stats.documents if stats.documents else 0.0
    typer.echo(
        f"index:        {stats.location}\n"
        f"config:       {stats.config_fingerprint}\n"
        f"documents:    {stats.documents}\n"
        f"bands:        {stats.params.bands} x {stats.params.rows} rows ({stats.band_entries} entries)\n"
        f"fingerprints: {stats.fingerprints} (winnow window {stats.params.winnow})\n"
        f"size:         {stats.size_bytes} bytes; structures {per_doc:.0f} bytes/document "
        f"+ compressed text {stats.text_bytes} bytes"
    )


@index_app.command("rebuild")
def index_rebuild(index: IndexOption = None) -> None:
    """Recompute every signature and lookup key from the stored texts with this version's settings."""
    try:
        with open_index(_index(index), DEFAULT_CONFIG, check_config=False) as store:
            rebuilt = store.rebuild(DEFAULT_CONFIG)
    except ProvenanceError as exc:
        fail(str(exc))
    typer.echo(f"rebuilt {rebuilt} documents with {DEFAULT_CONFIG.fingerprint}")


def main() -> None:
    sys.exit(interruptible(app))
