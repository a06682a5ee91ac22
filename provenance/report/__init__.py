"""Renderers: one module per output format, each turning a ScanResult into text.

Renderers know nothing of how results were found; they only read model objects. The
registry here is every module of `provenance.report.formats`, found by listing that
package: FORMATS and the choices of both command-line faces derive from it.
"""

from __future__ import annotations

from importlib import import_module
from pkgutil import iter_modules

from provenance.model import ScanResult
from provenance.report import formats
from provenance.report.format import ReportFormat


def _discover() -> dict[str, ReportFormat]:
    """name -> format, for every module of `provenance.report.formats` (sorted by module name)."""
    found: dict[str, ReportFormat] = {}
    for module in sorted(info.name for info in iter_modules(formats.__path__)):
        declared = import_module(f"{formats.__name__}.{module}").FORMAT
        if declared.name in found:
            raise RuntimeError(f"two report formats are named {declared.name!r}")
        found[declared.name] = declared
    return found


REGISTRY = _discover()
FORMATS = tuple(REGISTRY)
HOOK_FORMATS = tuple(name for name, declared in REGISTRY.items() if declared.in_hook)


def report_format(name: str) -> ReportFormat:
    """The format called `name` (one of FORMATS); ValueError for any other name."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown format {name!r}: choose one of {', '.join(FORMATS)}") from None


def render(result: ScanResult, fmt: str, **options) -> str:
    """The report for `result` in format `fmt` (one of FORMATS)."""
    return report_format(fmt).render(result, **options)
