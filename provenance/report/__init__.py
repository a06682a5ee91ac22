"""Renderers: one module per output format, each turning a ScanResult into text.

Renderers know nothing of how results were found; they only read model objects.
"""

from __future__ import annotations

from importlib import import_module

from provenance.model import ScanResult

FORMATS = ("table", "json", "jsonl", "csv", "html", "line")


def render(result: ScanResult, fmt: str, **options) -> str:
    """The report for `result` in format `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    module = import_module(f".{'table' if fmt == 'table' else fmt + '_'}", __name__)
    return module.render(result, **options)
