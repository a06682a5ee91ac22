"""JSON Lines: one record per line, tagged by `type`, for streaming consumers."""

from __future__ import annotations

import json

from provenance.model import ScanResult
from provenance.report.json_ import (
    SCHEMA_VERSION,
    document_record,
    family_record,
    pair_record,
    problem_record,
)


def render(result: ScanResult) -> str:
    lines = [{"type": "header", "schema_version": SCHEMA_VERSION, "config": result.config_fingerprint}]
    lines += [{"type": "document", **document_record(d)} for d in result.documents]
    lines += [{"type": "pair", **pair_record(p)} for p in result.pairs]
    lines += [{"type": "family", **family_record(f)} for f in result.families]
    lines += [{"type": "problem", **problem_record(p)} for p in result.problems]
    return "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec in lines)
