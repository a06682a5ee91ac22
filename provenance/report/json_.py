"""JSON: the whole result as one document (schema documented in README.md)."""

from __future__ import annotations

import json
from typing import Any

from provenance import __version__
from provenance.model import Document, Family, Pair, Problem, ScanResult

SCHEMA_VERSION = 1


def _round(x: float) -> float:
    return round(float(x), 4)


def document_record(d: Document) -> dict[str, Any]:
    return {
        "id": d.id,
        "path": d.path,
        "title": d.title,
        "url": d.url,
        "site": d.site,
        "published": d.published,
        "chars": len(d.text),
        "raw_chars": d.raw_chars,
    }


def pair_record(p: Pair) -> dict[str, Any]:
    return {
        "a": p.a,
        "b": p.b,
        "verdict": p.verdict,
        "resemblance": _round(p.resemblance),
        "containment_a_in_b": _round(p.containment_a_in_b),
        "containment_b_in_a": _round(p.containment_b_in_a),
        "reasons": list(p.reasons),
        "passages": [
            {
                "a_start": s.a_start,
                "a_end": s.a_end,
                "b_start": s.b_start,
                "b_end": s.b_end,
                "kind": s.kind,
                "score": _round(s.score),
            }
            for s in p.passages
        ],
    }


def family_record(f: Family) -> dict[str, Any]:
    return {
        "members": list(f.members),
        "origin": f.origin,
        "origin_confidence": _round(f.origin_confidence),
        "explanation": list(f.explanation),
        "edges": [
            {
                "source": e.source,
                "derivative": e.derivative,
                "probability": _round(e.probability),
                "evidence": [
                    {"signal": ev.signal, "detail": ev.detail, "weight": _round(ev.weight)} for ev in e.evidence
                ],
            }
            for e in f.edges
        ],
    }


def problem_record(p: Problem) -> dict[str, Any]:
    return {"path": p.path, "reason": p.reason, "action": p.action}


def as_dict(result: ScanResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"provenance {__version__}",
        "config": result.config_fingerprint,
        "documents": [document_record(d) for d in result.documents],
        "pairs": [pair_record(p) for p in result.pairs],
        "families": [family_record(f) for f in result.families],
        "problems": [problem_record(p) for p in result.problems],
    }


def render(result: ScanResult) -> str:
    return json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n"
