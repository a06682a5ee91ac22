"""CSV: one row per pair, for spreadsheets; each row written as it is made.

Each row names both files (`a_path`, `b_path`), and for a pair the derivation graph joins
directly, which of the two came first (`source`, one of a and b) with that edge's probability;
the family's origin, which may be a third text, has columns of its own.
"""

from __future__ import annotations

import csv
from typing import TextIO

from provenance.ingest.stored import metadata_of
from provenance.model import ScanResult
from provenance.report.format import ReportFormat
from provenance.report.safe import spreadsheet

COLUMNS = (
    "a", "b", "a_path", "b_path", "verdict", "resemblance", "containment_a_in_b", "containment_b_in_a",
    "verbatim_passages", "paraphrase_passages", "quote_passages", "source", "source_probability",
    "family_origin", "family_origin_confidence",
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def write(result: ScanResult, fh: TextIO) -> None:
    path_of = {doc.id: doc.path for doc in metadata_of(result.documents)}
    origin_of = {member: (family.origin, family.origin_confidence)
                 for family in result.families for member in family.members}
    edge_of = {frozenset((edge.source, edge.derivative)): edge for family in result.families for edge in family.edges}
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(COLUMNS)
    for pair in result.pairs:
        kinds = [passage.kind for passage in pair.passages]
        copy = pair.verdict == "copy"
        origin, confidence = origin_of.get(pair.a, (None, None)) if copy else (None, None)
        edge = edge_of.get(frozenset((pair.a, pair.b))) if copy else None
        writer.writerow(
            [
                spreadsheet(pair.a), spreadsheet(pair.b), spreadsheet(path_of.get(pair.a, "")),
                spreadsheet(path_of.get(pair.b, "")), pair.verdict, f"{pair.resemblance:.4f}",
                f"{pair.containment_a_in_b:.4f}", f"{pair.containment_b_in_a:.4f}", kinds.count("verbatim"),
                kinds.count("paraphrase"), kinds.count("quote"), spreadsheet(edge.source if edge else ""),
                _number(edge.probability if edge else None), spreadsheet(origin or ""), _number(confidence),
            ]
        )


FORMAT = ReportFormat("csv", write)
