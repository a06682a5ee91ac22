"""CSV: one row per pair, for spreadsheets."""

from __future__ import annotations

import csv
import io

from provenance.model import ScanResult
from provenance.report.format import ReportFormat

COLUMNS = (
    "a", "b", "verdict", "resemblance", "containment_a_in_b", "containment_b_in_a",
    "verbatim_passages", "paraphrase_passages", "quote_passages", "origin", "origin_confidence",
)


def render(result: ScanResult) -> str:
    origin_of = {m: (f.origin, f.origin_confidence) for f in result.families for m in f.members}
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in result.pairs:
        kinds = [s.kind for s in p.passages]
        origin, confidence = origin_of.get(p.a, (None, None)) if p.verdict == "copy" else (None, None)
        writer.writerow(
            [
                p.a, p.b, p.verdict, f"{p.resemblance:.4f}", f"{p.containment_a_in_b:.4f}",
                f"{p.containment_b_in_a:.4f}", kinds.count("verbatim"), kinds.count("paraphrase"),
                kinds.count("quote"), origin or "", "" if confidence is None else f"{confidence:.4f}",
            ]
        )
    return buf.getvalue()


FORMAT = ReportFormat("csv", render)
