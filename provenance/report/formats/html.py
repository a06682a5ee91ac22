"""One self-contained HTML file: summary, families, and each pair side by side.

Text is escaped first and marked second, so nothing in a document can inject markup;
no scripts, no external resources, nothing fetched when the file is opened.
"""

from __future__ import annotations

from html import escape
from itertools import pairwise

from provenance.model import Document, Pair, ScanResult
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
    a_spans = [(p.a_start, p.a_end, p.kind) for p in pair.passages]
    b_spans = [(p.b_start, p.b_end, p.kind) for p in pair.passages]
    reasons = "".join(f"<li>{escape(r)}</li>" for r in pair.reasons)
    return (
        f'<details><summary>{escape(pair.a)} ↔ {escape(pair.b)}: '
        f'<span class="{pair.verdict}">{pair.verdict}</span> — {escape(passage_summary(pair))}</summary>'
        f"<ul>{reasons}</ul>"
        f'<div class="side"><div><h4>{escape(a.title or a.id)}</h4><div class="doc">{_marked(a.text, a_spans)}'
        f'</div></div><div><h4>{escape(b.title or b.id)}</h4><div class="doc">{_marked(b.text, b_spans)}'
        f"</div></div></div></details>"
    )


def render(result: ScanResult) -> str:
    docs = {d.id: d for d in result.documents}
    rows = "".join(
        f"<tr><td>{escape(p.a)}</td><td>{escape(p.b)}</td><td class=\"{p.verdict}\">{p.verdict}</td>"
        f"<td>{p.resemblance:.3f}</td><td>{p.containment_a_in_b:.3f}</td><td>{p.containment_b_in_a:.3f}</td>"
        f"<td>{escape(passage_summary(p))}</td></tr>"
        for p in result.pairs
    )
    families = []
    for i, fam in enumerate(result.families, 1):
        edges = "".join(
            f"<li>{escape(e.source)} → {escape(e.derivative)} (p={e.probability:.2f})<ul>"
            + "".join(f"<li>{escape(ev.detail)}</li>" for ev in e.evidence)
            + "</ul></li>"
            for e in fam.edges
        )
        notes = "".join(f"<li>{escape(x)}</li>" for x in fam.explanation)
        families.append(
            f"<h3>Family {i}: {escape(', '.join(fam.members))}</h3>"
            f"<p>Likely origin: <b>{escape(fam.origin or 'undecided')}</b> "
            f"(confidence {fam.origin_confidence:.2f})</p><ul>{edges}{notes}</ul>"
        )
    problems = "".join(f"<li>{escape(str(p))}</li>" for p in result.problems)
    pairs = "".join(_pair_section(p, docs[p.a], docs[p.b]) for p in result.pairs if p.a in docs and p.b in docs)
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\"><title>provenance report</title>"
        f"<style>{STYLE}</style></head><body><h1>provenance report</h1>"
        f"<p>{len(result.documents)} documents · config <code>{escape(result.config_fingerprint)}</code></p>"
        '<p class="legend"><mark class="verbatim">verbatim</mark> <mark class="paraphrase">paraphrase</mark> '
        '<mark class="quote">quotation</mark></p>'
        "<h2>Pairs</h2><table><tr><th>a</th><th>b</th><th>verdict</th><th>resemblance</th><th>a in b</th>"
        f"<th>b in a</th><th>passages</th></tr>{rows}</table>"
        f"<h2>Families</h2>{''.join(families) or '<p>No copy families.</p>'}"
        f"<h2>Passages side by side</h2>{pairs}"
        + (f"<h2>Inputs with problems</h2><ul>{problems}</ul>" if problems else "")
        + "</body></html>\n"
    )


FORMAT = ReportFormat("html", render, in_hook=True)
