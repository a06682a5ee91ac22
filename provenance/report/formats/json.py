"""JSON: the whole result as one document (schema documented in README.md), written record by record."""

from __future__ import annotations

from typing import Any, TextIO

from provenance.model import ScanResult
from provenance.report.format import ReportFormat
from provenance.report.records import SCHEMA_VERSION, result_records, result_sections
from provenance.report.streaming import write_object
from provenance.version import package_version


def header(result: ScanResult) -> dict[str, Any]:
    """The fields before the records."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"provenance {package_version()}",
        "config": result.config_fingerprint,
    }


def as_dict(result: ScanResult) -> dict[str, Any]:
    """The report as plain data: a header, then every section's records."""
    return {**header(result), **result_records(result)}


def write(result: ScanResult, fh: TextIO) -> None:
    """The report as `json.dumps(as_dict(result), ensure_ascii=False, indent=2)` writes it, plus a newline,
    written one record at a time."""
    write_object(fh, header(result), result_sections(result))


FORMAT = ReportFormat("json", write, in_hook=True)
