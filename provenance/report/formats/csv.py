"""CSV: one row per pair, for spreadsheets; each row written as it is made."""

from __future__ import annotations

import csv
from typing import TextIO

from provenance.model import ScanResult
from provenance.report.format import ReportFormat
from provenance.report.safe import spreadsheet

COLUMNS = (
    "a", "b", "verdict", "resemblance", "containment_a_in_b", "containment_b_in_a",
    "verbatim_passages", "paraphrase_passages", "quote_passages", "origin", "origin_confidence",
)


def write(result: ScanResult, fh: TextIO) -> None:
    origin_of = {member: (family.origin, family.origin_confidence)
                 for family in result.families for member in family.members}
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(COLUMNS)
    for pair in result.pairs:
        kinds = [passage.kind for passage in pair.passages]
        origin, confidence = origin_of.get(pair.a, (None, None)) if pair.verdict == "copy" else (None, None)
        writer.writerow(
            [
                spreadsheet(pair.a), spreadsheet(pair.b), pair.verdict, f"{pair.resemblance:.4f}", f"{pair.containment_a_in_b:.4f}",
                f"{pair.containment_b_in_a:.4f}", kinds.count("verbatim"), kinds.count("paraphrase"),
                kinds.count("quote"), spreadsheet(origin or ""), "" if confidence is None else f"{confidence:.4f}",
            ]
        )


FORMAT = ReportFormat.streamed("csv", write)
