"""The JSON records of documents, pairs, families and problems: what the json and jsonl reports hold."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from provenance.model import Document, Family, Pair, Problem, ScanResult

SCHEMA_VERSION = 3  # 2: families[].origins; edges[].share and edges[].passages (several sources per text);
# 3: edges[].probability is the direction alone; edges[].parent_probability, that the derivative was made from the source


def _round(value: float) -> float:
    """Scores in reports carry 4 decimals."""
    return round(float(value), 4)


def document_record(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "path": doc.path,
        "title": doc.title,
        "url": doc.url,
        "site": doc.site,
        "published": doc.published,
        "chars": len(doc.text),
        "raw_chars": doc.raw_chars,
    }


def pair_record(pair: Pair) -> dict[str, Any]:
    return {
        "a": pair.a,
        "b": pair.b,
        "verdict": pair.verdict,
        "resemblance": _round(pair.resemblance),
        "containment_a_in_b": _round(pair.containment_a_in_b),
        "containment_b_in_a": _round(pair.containment_b_in_a),
        "reasons": list(pair.reasons),
        "passages": [
            {
                "a_start": passage.a_start,
                "a_end": passage.a_end,
                "b_start": passage.b_start,
                "b_end": passage.b_end,
                "kind": passage.kind,
                "score": _round(passage.score),
            }
            for passage in pair.passages
        ],
    }


def family_record(family: Family) -> dict[str, Any]:
    return {
        "members": list(family.members),
        "origin": family.origin,
        "origin_confidence": _round(family.origin_confidence),
        "origins": [{"id": root, "confidence": _round(confidence)} for root, confidence in family.origins],
        "explanation": list(family.explanation),
        "edges": [
            {
                "source": edge.source,
                "derivative": edge.derivative,
                "probability": _round(edge.probability),
                "parent_probability": None if edge.parent_probability is None else _round(edge.parent_probability),
                "share": None if edge.share is None else _round(edge.share),
                "passages": [{"start": start, "end": end} for start, end in edge.passages],
                "evidence": [
                    {"signal": item.signal, "detail": item.detail, "weight": _round(item.weight)}
                    for item in edge.evidence
                ],
            }
            for edge in family.edges
        ],
    }


def problem_record(problem: Problem) -> dict[str, Any]:
    return {"path": problem.path, "reason": problem.reason, "action": problem.action}


def result_sections(result: ScanResult) -> dict[str, Iterator[dict[str, Any]]]:
    """The result's records by section, in report order (documents, pairs, families, problems), each
    made when its iterator reaches it: a streamed report holds one record at a time."""
    return {
        "documents": map(document_record, result.documents),
        "pairs": map(pair_record, result.pairs),
        "families": map(family_record, result.families),
        "problems": map(problem_record, result.problems),
    }


def result_records(result: ScanResult) -> dict[str, list[dict[str, Any]]]:
    """The result's records by section, in report order: documents, pairs, families, problems."""
    return {section: list(records) for section, records in result_sections(result).items()}
