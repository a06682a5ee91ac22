"""JSON: the whole result as one document (schema documented in README.md)."""

from __future__ import annotations

import json
from typing import Any

from provenance.model import ScanResult
from provenance.report.format import ReportFormat
from provenance.report.records import SCHEMA_VERSION, result_records
from provenance.version import package_version


def as_dict(result: ScanResult) -> dict[str, Any]:
    """The report as plain data: a header, then every section's records."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"provenance {package_version()}",
        "config": result.config_fingerprint,
        **result_records(result),
    }


def render(result: ScanResult) -> str:
    return json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n"


FORMAT = ReportFormat("json", render, in_hook=True)
