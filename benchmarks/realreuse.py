"""Real labelled reuse for the origin benchmark and the fit: METER showbiz and COUNTER dev.

Both are research-only collections read from `../shared/data` (or `PROVENANCE_DATA`) when
present; nothing here is shipped or committed with their texts. Each story is a list of
Documents with the set of ids known to be earlier (`sources`): in METER every PA text is
earlier than every newspaper text of its folder; in COUNTER the agency story is the
source of the newspaper story (pairs labelled WD/PD; ND pairs are written independently
and are left out).

Variants measured (issue #13):
- METER "as filed": the raw wire files as a user would scan them (headers, bylines,
  line terminators, no metadata dates); "text alone": wire headers, bylines and wire
  line marks removed, so only the narration decides.
- COUNTER "dated": each text's `newsdate` as its publication date; "undated": none.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

from provenance.ingest.files import load_text
from provenance.model import Document, Edge

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("PROVENANCE_DATA", ROOT.parent / "shared" / "data"))
METER = DATA / "meter-showbiz"
COUNTER = DATA / "counter-dev"


@dataclass(frozen=True)
class Story:
    """Texts on one event, and which of them are known sources (earlier than the rest)."""

    name: str
    docs: tuple[Document, ...]
    sources: frozenset[str]  # ids of the known earlier texts (wire / agency)

    def label(self, source: str, derivative: str) -> bool | None:
        """True when source -> derivative is known right, False when known wrong, None when not known
        (two wire texts, or two papers)."""
        s, d = source in self.sources, derivative in self.sources
        return None if s == d else s

    def score(self, edge: Edge) -> float | None:
        """1 when the edge points the known way, 0 when it points against it, 0.5 when its
        probability is 0.5 (the texts do not decide and the direction shown is the ids' order: a
        tie, neither right nor wrong); None when the direction is not known."""
        right = self.label(edge.source, edge.derivative)
        if right is None:
            return None
        return 0.5 if edge.probability == 0.5 else float(right)


# --- METER --------------------------------------------------------------------------------------

_RULE = re.compile(r"^\s*-{20,}\s*$")
_BYLINE = re.compile(r"^\s*By\b.{0,80},\s*PA\b.*$", re.IGNORECASE)
_WIRE_END = re.compile(r"^\s*(end|ends|mf|mfl|more)\s*$", re.IGNORECASE)


def text_alone(raw: str) -> str:
    """A raw PA file without its wire apparatus: header block, byline, line marks (`<`, the
    paragraph mark \\x19), take labels and end marks. What is left is narration."""
    lines = raw.splitlines()
    rules = [i for i, line in enumerate(lines[:12]) if _RULE.match(line)]
    if rules:
        lines = lines[rules[-1] + 1 :]
    kept = []
    for line in lines:
        line = line.replace("\x19", "").rstrip()
        line = re.sub(r"<\s*$", "", line)
        if _BYLINE.match(line) or _WIRE_END.match(line) or line.strip() in ("(reopens)",):
            continue
        kept.append(line)
    # the headline (in capitals) and editors' notes ("(with pix)") before the story: a paper
    # writes its own
    while kept and (kept[0].isupper() or re.fullmatch(r"\s*\(.*\)\s*", kept[0]) or not kept[0].strip()):
        kept = kept[1:]
    return "\n".join(kept).strip() + "\n"


def meter_stories(*, alone: bool = False) -> list[Story]:
    """One story per folder (date/catchline) with PA texts and at least one newspaper text."""
    if not METER.is_dir():
        return []
    stories = []
    for folder in sorted(METER.glob("PA/*/*")):
        rel = folder.relative_to(METER / "PA")
        papers = sorted((METER / "newspapers" / rel).glob("*.txt"))
        wires = sorted(folder.glob("*.txt"))
        if not papers or not wires:
            continue
        docs, sources = [], set()
        for f in wires:
            raw = f.read_bytes().decode("latin-1")
            doc_id = f"PA/{rel}/{f.name}"
            docs.append(load_text(text_alone(raw) if alone else raw, id=doc_id, path=doc_id))
            sources.add(doc_id)
        for f in papers:
            doc_id = f"newspapers/{rel}/{f.name}"
            docs.append(load_text(f.read_bytes().decode("latin-1"), id=doc_id, path=doc_id))
        stories.append(Story(str(rel), tuple(docs), frozenset(sources)))
    return stories


# --- COUNTER ------------------------------------------------------------------------------------


def _iso(newsdate: str | None) -> str | None:
    m = re.fullmatch(r"(\d\d)\.(\d\d)\.(\d\d)", (newsdate or "").strip())
    if not m:
        return None
    day, month, year = (int(x) for x in m.groups())
    try:
        from datetime import date

        return date(2000 + year, month, day).isoformat()
    except ValueError:  # a few dates are malformed (31.09.14)
        return None


def _counter_doc(path: Path, doc_id: str) -> tuple[Document, str]:
    root = ET.parse(path).getroot()
    headline = (root.findtext("headline") or "").strip()
    body = (root.findtext("body") or "").strip()
    text = f"{headline}\n\n{body}\n" if headline else body + "\n"
    doc = replace(load_text(text, id=doc_id, path=doc_id), published=_iso(root.get("newsdate")))
    return doc, root.get("classification", "")


def counter_stories(*, dated: bool = True, classes: tuple[str, ...] = ("WD", "PD")) -> list[Story]:
    """One story per pair: the agency text and the newspaper text, both as loaded from their XML."""
    if not COUNTER.is_dir():
        return []
    stories = []
    for source in sorted(COUNTER.glob("[0-9][0-9][0-9][0-9].xml")):
        paper = next((p for p in (source.with_name(source.stem + "p.xml"), source.with_name(source.stem + "P.xml"))
                      if p.exists()), None)
        if paper is None:
            continue
        a, label = _counter_doc(source, f"{source.stem}-agency")
        b, _ = _counter_doc(paper, f"{source.stem}-paper")
        if label not in classes:
            continue
        if not dated:
            a, b = replace(a, published=None), replace(b, published=None)
        stories.append(Story(source.stem, (a, b), frozenset({a.id})))
    return stories
