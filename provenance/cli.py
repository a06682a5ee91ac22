"""The command line: parses options, calls the library, maps errors to exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="provenance",
    help="Find text reuse in news-like prose and say which text is the likely origin.",
    no_args_is_help=True,
    add_completion=False,
)

EXIT_USAGE = 2


@app.callback()
def _root() -> None:
    """Find text reuse in news-like prose and say which text is the likely origin."""


@app.command()
def scan(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders to scan (recursively).")],
) -> None:
    """Scan a corpus for reuse between its documents."""
    from rich.console import Console
    from rich.table import Table

    from . import documents, sketch
    from .config import DEFAULT_CONFIG

    docs, problems = documents.load_paths(paths)
    err = Console(stderr=True)
    for p in problems:
        err.print(f"[yellow]warning:[/] {p}")
    sig = sketch.signature_matrix([d.text for d in docs], DEFAULT_CONFIG)
    table = Table(title=f"{len(docs)} documents ({DEFAULT_CONFIG.fingerprint})")
    table.add_column("id")
    table.add_column("chars", justify="right")
    table.add_column("signature (first 4 values)")
    for d, row in zip(docs, sig):
        table.add_row(d.id, str(len(d.text)), " ".join(f"{v:08x}" for v in row[:4]))
    Console().print(table)


def main() -> None:
    app()
