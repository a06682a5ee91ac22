"""JSON Lines: one record per line, tagged by `type`, for streaming consumers."""

from __future__ import annotations

import json

from provenance.model import ScanResult
from provenance.report.format import ReportFormat
from provenance.report.records import SCHEMA_VERSION, result_records

RECORD_TYPE = {"documents": "document", "pairs": "pair", "families": "family", "problems": "problem"}


def render(result: ScanResult) -> str:
    lines = [{"type": "header", "schema_version": SCHEMA_VERSION, "config": result.config_fingerprint}]
    for section, records in result_records(result).items():
        lines += [{"type": RECORD_TYPE[section], **record} for record in records]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


FORMAT = ReportFormat("jsonl", render)
