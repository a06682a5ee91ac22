"""One self-contained HTML file: summary, families, and each pair side by side.

Text is escaped first and marked second, so nothing in a document can inject markup;
no scripts, no external resources, nothing fetched when the file is opened.
"""

from __future__ import annotations

from html import escape
from itertools import pairwise

from provenance.model import Document, Family, Pair, ScanResult
from provenance.report.format import ReportFormat
from provenance.report.summaries import PASSAGE_KINDS, passage_summary

STYLE = """
body{font:14px/1.5 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
.copy{color:#b00;font-weight:bold}.quote-only{color:#a60}.independent{color:#070}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1em}
.doc{white-space:pre-wrap;border:1px solid #ddd;padding:.5em;max-height:40em;overflow:auto;font-size:13px}
mark.verbatim{background:#fbb}mark.paraphrase{background:#fde49c}mark.quote{background:#cde3ff}
.legend mark{padding:0 .4em}details{margin:1em 0}summary{cursor:pointer;font-weight:bold}
"""


def _marked(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Escaped text with <mark> around spans; overlaps resolved by cutting at every boundary."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    priority = {kind: rank for rank, kind in enumerate(PASSAGE_KINDS)}
    out = []
    for lo, hi in pairwise(cuts):
        kinds = [k for s, e, k in spans if s <= lo and hi <= e]
        piece = escape(text[lo:hi])
        if kinds:
            kind = min(kinds, key=priority.__getitem__)
            out.append(f'<mark class="{kind}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def _pair_section(pair: Pair, a: Document, b: Document) -> str:
    a_spans = [(passage.a_start, passage.a_end, passage.kind) for passage in pair.passages]
    b_spans = [(passage.b_start, passage.b_end, passage.kind) for passage in pair.passages]
    reasons = "".join(f"<li>{escape(reason)}</li>" for reason in pair.reasons)
    return (
        f'<details><summary>{escape(pair.a)} ↔ {escape(pair.b)}: '
        f'<span class="{pair.verdict}">{pair.verdict}</span> — {escape(passage_summary(pair))}</summary>'
        f"<ul>{reasons}</ul>"
        f'<div class="side"><div><h4>{escape(a.title or a.id)}</h4><div class="doc">{_marked(a.text, a_spans)}'
        f'</div></div><div><h4>{escape(b.title or b.id)}</h4><div class="doc">{_marked(b.text, b_spans)}'
        f"</div></div></div></details>"
    )


def _pair_row(pair: Pair) -> str:
    return (
        f"<tr><td>{escape(pair.a)}</td><td>{escape(pair.b)}</td><td class=\"{pair.verdict}\">{pair.verdict}</td>"
        f"<td>{pair.resemblance:.3f}</td><td>{pair.containment_a_in_b:.3f}</td>"
        f"<td>{pair.containment_b_in_a:.3f}</td><td>{escape(passage_summary(pair))}</td></tr>"
    )


def _family_section(number: int, family: Family) -> str:
    edges = "".join(
        f"<li>{escape(edge.source)} → {escape(edge.derivative)} (p={edge.probability:.2f})<ul>"
        + "".join(f"<li>{escape(item.detail)}</li>" for item in edge.evidence)
        + "</ul></li>"
        for edge in family.edges
    )
    notes = "".join(f"<li>{escape(note)}</li>" for note in family.explanation)
    return (
        f"<h3>Family {number}: {escape(', '.join(family.members))}</h3>"
        f"<p>Likely origin: <b>{escape(family.origin or 'undecided')}</b> "
        f"(confidence {family.origin_confidence:.2f})</p><ul>{edges}{notes}</ul>"
    )


def render(result: ScanResult) -> str:
    docs = {doc.id: doc for doc in result.documents}
    rows = "".join(_pair_row(pair) for pair in result.pairs)
    families = "".join(_family_section(number, family) for number, family in enumerate(result.families, 1))
    problems = "".join(f"<li>{escape(str(problem))}</li>" for problem in result.problems)
    pairs = "".join(
        _pair_section(pair, docs[pair.a], docs[pair.b])
        for pair in result.pairs if pair.a in docs and pair.b in docs
    )
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\"><title>provenance report</title>"
        f"<style>{STYLE}</style></head><body><h1>provenance report</h1>"
        f"<p>{len(result.documents)} documents · config <code>{escape(result.config_fingerprint)}</code></p>"
        '<p class="legend"><mark class="verbatim">verbatim</mark> <mark class="paraphrase">paraphrase</mark> '
        '<mark class="quote">quotation</mark></p>'
        "<h2>Pairs</h2><table><tr><th>a</th><th>b</th><th>verdict</th><th>resemblance</th><th>a in b</th>"
        f"<th>b in a</th><th>passages</th></tr>{rows}</table>"
        f"<h2>Families</h2>{families or '<p>No copy families.</p>'}"
        f"<h2>Passages side by side</h2>{pairs}"
        + (f"<h2>Inputs with problems</h2><ul>{problems}</ul>" if problems else "")
        + "</body></html>\n"
    )


FORMAT = ReportFormat("html", render, in_hook=True)
