"""JSON Lines: one record per line, tagged by `type`, for streaming consumers; written as it is made."""

from __future__ import annotations

import json
from typing import TextIO

from provenance.model import ScanResult
from provenance.report.format import ReportFormat
from provenance.report.records import SCHEMA_VERSION, result_sections

RECORD_TYPE = {"documents": "document", "pairs": "pair", "families": "family", "problems": "problem"}


def write(result: ScanResult, fh: TextIO) -> None:
    header = {"type": "header", "schema_version": SCHEMA_VERSION, "config": result.config_fingerprint}
    fh.write(json.dumps(header, ensure_ascii=False) + "\n")
    for section, records in result_sections(result).items():
        for record in records:
            fh.write(json.dumps({"type": RECORD_TYPE[section], **record}, ensure_ascii=False) + "\n")


FORMAT = ReportFormat("jsonl", write)
