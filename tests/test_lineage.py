"""Families, direction and origin: golden cases on real data, invariants on generated ones."""

from __future__ import annotations

import csv
import math
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.model import Document, Pair
from provenance.origin.compare import align
from provenance.origin.context import FamilyContext
from provenance.origin.families import FamilyModel, components, directions, families
from provenance.origin.profile import build_profile
from provenance.origin.signals import SIGNALS, credit_score, sigmoid
from provenance.origin.variants import variant_conflicts
from provenance.origin.weights import FITTED
from provenance.origin.witnesses import Panel, read, witness_votes
from provenance.settings import ORIGIN
from provenance.text.tokens import words

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "corpus" / "news"
CLOUGH = ROOT / "corpus" / "clough-stevenson-dev"

SENTENCES = [
    "The central bank raised its main interest rate by half a point on Tuesday.",
    "Officials said inflation had stayed above the target for nine months in a row.",
    "The decision surprised several economists who had expected a smaller move.",
    "Shares in the largest lenders rose sharply after the announcement.",
    "The governor told reporters that further increases could not be ruled out.",
    "Mortgage holders will see their monthly payments climb from next month.",
    "The aluminium industry warned that energy costs were already crippling smelters.",
    "Opposition politicians called the move reckless and demanded an inquiry.",
    "Exporters welcomed the stronger currency but farmers feared lost markets.",
    "The next policy meeting is scheduled for the second week of March.",
]


def _scan(path: Path):
    scan = pytest.importorskip("provenance.engines.local").scan
    return scan([path])


def _short(doc_id: str) -> str:
    return Path(doc_id).name


# --- golden: the seed articles ------------------------------------------------------------


def test_news_family_origin_and_parents():
    res = _scan(NEWS)
    short = {d.id: _short(d.id)[:3] for d in res.documents}
    fams = [f for f in res.families if len(f.members) > 1]
    assert [sorted(short[m] for m in f.members) for f in fams] == [["000", "001", "002"]]
    fam = fams[0]
    assert short[fam.origin] == "001"
    assert 0.5 < fam.origin_confidence <= 1.0
    parents = {short[e.derivative]: short[e.source] for e in fam.edges}
    assert parents == {"000": "001", "002": "001"}
    assert fam.explanation and all(isinstance(x, str) and x for x in fam.explanation)
    edge_000 = next(e for e in fam.edges if short[e.derivative] == "000")
    assert any(e.signal == "variants" and "aluminium" in e.detail for e in edge_000.evidence)


def test_news_quote_only_reports_stay_out():
    res = _scan(NEWS)
    members = {_short(m)[:3] for f in res.families for m in f.members}
    assert "003" not in members and "004" not in members


# --- golden: Clough-Stevenson (the task's source is always the origin) -----------------------


def test_clough_source_is_origin_and_every_pair_points_away_from_it():
    """Each task's family names its source as the origin with confidence, and every copy-linked
    (source, answer) pair is directed from the source. In task c two answers hold more than the
    source (g0pB_taskc drew on the fuller article it is an excerpt of, g3pA_taskc pads it), so
    containment alone reads them backwards; the other answers' readings decide."""
    if not CLOUGH.is_dir():
        pytest.skip("corpus/clough-stevenson-dev not present")

    res = _scan(CLOUGH)
    with open(CLOUGH / "file_information.csv", newline="", encoding="utf-8") as f:
        cat = {r["File"]: r["Category"] for r in csv.DictReader(f)}
    sourced = [f for f in res.families if any(cat.get(_short(m)) == "orig" for m in f.members)]
    assert len(sourced) == 3
    for fam in sourced:
        assert cat[_short(fam.origin)] == "orig", fam.explanation
        # the model refitted on real reuse (issue #13) is less sure here: task a's origin is 0.55
        assert fam.origin_confidence >= 0.5, fam.explanation
    derived = ("cut", "light", "heavy")
    pairs = [(cat[_short(e.source)], cat[_short(e.derivative)]) for e in directions(res.documents, res.pairs)]
    involving = [p for p in pairs if "orig" in p and (set(p) - {"orig"}) <= set(derived)]
    assert len(involving) >= 25
    assert all(src == "orig" for src, _ in involving), involving


# --- units -------------------------------------------------------------------------------------


def _doc(i: str, sents: list[str], **kw) -> Document:
    return Document(id=i, text="\n\n".join(sents) + "\n", **kw)


def _model(docs: list[Document]) -> FamilyModel:
    return FamilyModel(FamilyContext({d.id: build_profile(d) for d in docs}))


def test_variants_are_spelling_not_inflection():
    d = build_profile(_doc("d", ["The aluminium smelter offers jobs to the colour printing workers."]))
    uk = build_profile(_doc("p", ["The aluminium smelter offer jobs to the colour printing workers."]))
    us = build_profile(_doc("q", ["The aluminum smelter offer jobs to the color printing workers."]))
    assert variant_conflicts(d.spellings, uk.spellings) == []
    assert variant_conflicts(d.spellings, us.spellings) == [("aluminium", "aluminum"), ("colour", "color")]


def test_attribution_and_platform_lines():
    p = build_profile(_doc("x", SENTENCES[:4] + ["Originally published by dailyledger.com", "Leave a comment"]))
    assert p.attribution == ["Originally published by dailyledger.com"]
    assert p.platform == ["Leave a comment"]
    src = build_profile(_doc("a", SENTENCES[:4], site="dailyledger.com"))
    assert credit_score(p, src) == 1.0


def test_credit_lines_extraction_drops_are_kept_by_ingest_and_read_by_origin(tmp_path):
    """Extraction drops a page's footer; ingest keeps its credit and platform lines (only those)
    on the document, and origin reads them from there, never from the file."""
    from provenance.ingest.files import load_paths

    body = "".join(f"<p>{s}</p>" for s in SENTENCES[:6])
    footer = "<footer><p>Originally published by dailyledger.com</p><p>Leave a comment</p><p>Menu</p></footer>"
    (tmp_path / "page.html").write_text(f"<html><body><article>{body}</article>{footer}</body></html>")
    (tmp_path / "feed.jsonl").write_text('{"id": "r", "text": "Originally published by dailyledger.com"}\n')
    docs, _ = load_paths([tmp_path])
    page, record = sorted(docs, key=lambda d: d.id, reverse=True)
    assert page.credit_lines == ("Originally published by dailyledger.com", "Leave a comment")
    assert "Leave a comment" not in page.text and record.credit_lines == ()
    p = build_profile(page)
    assert p.attribution == ["Originally published by dailyledger.com"] and p.platform == ["Leave a comment"]
    (tmp_path / "page.html").write_text(f"<html><body><article>{body}</article></body></html>")
    assert build_profile(page) == p  # the file is not read again


def test_a_linked_credit_names_the_page_it_links_to(tmp_path):
    """"Source: <a href=...>Tone Deaf</a>": the words name no outlet, the link does; a link or a
    bold word inside a line does not break the line in two."""
    from provenance.ingest.files import load_paths

    body = "".join(f"<p>{s}</p>" for s in SENTENCES[:6])
    credit = '<p>Source: <a href="https://tonedeaf.thebrag.com/record-of-the-week/"><b>Tone</b> Deaf</a></p>'
    (tmp_path / "copy.html").write_text(f"<html><body><article>{body}{credit}</article></body></html>")
    (copy,) = load_paths([tmp_path])[0]
    assert copy.credit_lines == ("Source: Tone Deaf (https://tonedeaf.thebrag.com)",)
    source = Document("source", " ".join(SENTENCES[:7]), site="Tone Deaf",
                      url="https://tonedeaf.thebrag.com/record-of-the-week/")
    assert credit_score(build_profile(copy), build_profile(source)) == 1.0


def test_every_signal_has_a_fitted_weight():
    assert tuple(FITTED.signals) == tuple(s.name for s in SIGNALS)
    assert FITTED.to_json() == (ROOT / "provenance" / "origin" / "weights.json").read_text(encoding="utf-8")


REWORDED_6 = "Energy costs were already crippling smelters, the aluminium industry cautioned on Tuesday."


def test_spinner_trace_points_at_the_copy():
    src = _doc("a", SENTENCES[:8])
    spun = SENTENCES[:7] + [REWORDED_6] + SENTENCES[7:8]
    fm = _model([src, _doc("b", spun)])
    assert fm.signal_values("a", "b")["spin"] == 1.0 and fm.context.pair("a", "b").rendered_twice_in_b == 1


def _benchmark_module(name: str):
    """A module of benchmarks/ (not a package), loaded by path."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def test_the_generated_spins_leave_the_trace_the_spin_signal_reads():
    """The lineage generator's spun copies (benchmarks/lineagegen.py) keep one or two body
    sentences in both phrasings, the second reworded as a spinner does (narration words swapped,
    structure and quotations kept): the spin signal must see them, or the fit has nothing to weigh
    spin on (it once saw 29 of 840 generated pairs and fitted spin a weight of 0)."""
    lineagegen = _benchmark_module("lineagegen")
    seen = 0
    for seed in range(20):
        spun = lineagegen._spin_twice(SENTENCES, random.Random(seed))
        added = [s for s in spun if s not in SENTENCES]
        assert 1 <= len(added) <= 2 and spun[0] == SENTENCES[0]
        for s in added:  # each rendering sits right after the sentence it rewords
            original = spun[spun.index(s) - 1]
            assert original in SENTENCES and s != original
        fm = _model([_doc("a", SENTENCES), _doc("b", spun)])
        seen += fm.signal_values("a", "b")["spin"] > 0
        assert fm.signal_values("a", "b")["spin"] >= 0  # never read backwards
    assert seen >= 15, seen


def test_generated_wire_families_mark_and_strip_as_real_reuse_does():
    """The lineage generator's wire families carry the agency marks counted on the real sets
    (benchmarks/wire_habits.py, lineagegen.MEASURED) and their copies handle them as papers did:
    the byline is always dropped, a dated dateline is never kept whole by more than a few copies,
    and a copy of a copy never adds a tag its parent lacks."""
    from provenance.origin.wire import wire_marks

    lineagegen = _benchmark_module("lineagegen")
    fams = lineagegen.generate(120, seed=3)
    marks = {d.id: wire_marks(d.text) for g in fams for d in g.docs}
    wire = [g for g in fams if any(marks[d.id].found for d in g.docs)]
    assert 0.35 < len(wire) / len(fams) < 0.65
    origins = [marks[g.origin] for g in wire]
    assert sum(m.dated for m in origins) > len(origins) / 3 and sum("byline" in m.found for m in origins) > 5
    copies = [(g, d.id) for g in wire for d in g.docs if d.id != g.origin]
    assert not any("byline" in marks[c].found for _, c in copies)
    assert sum(marks[c].dated for _, c in copies) <= 0.03 * len(copies)
    assert sum(marks[c].tagged for _, c in copies) > 0.05 * len(copies)  # the tag kept as the paper's credit
    for g, c in copies:
        parent = g.parent[c]
        if parent != g.origin and marks[c].tagged:
            assert marks[parent].tagged, (c, g.docs)


def test_the_generated_wire_habits_are_the_ones_measured_on_real_reuse():
    """lineagegen.MEASURED are the counts benchmarks/wire_habits.py makes on METER and COUNTER."""
    wire_habits = _benchmark_module("wire_habits")
    measured = wire_habits.measure()
    if len(measured) < 2:
        pytest.skip("../shared/data/meter-showbiz and counter-dev not present")
    found = {name: {"agencies": dict(a), "papers": dict(p)} for name, (a, p, _) in measured.items()}
    assert found == _benchmark_module("lineagegen").MEASURED


def test_a_restatement_is_not_a_spin():
    """A story repeats its main fact further down, and its opening line (a headline) restates
    the lead: neither is a spinner's second phrasing (a copy that condenses such a text would
    otherwise be read as its source)."""
    s = SENTENCES
    for restating in (s[:2] + [REWORDED_6] + s[2:8],  # the same fact five sentences later
                      [REWORDED_6, s[6]] + s[:6] + s[7:8]):  # an opening line restating the next
        fm = _model([_doc("a", s[:8]), _doc("b", restating)])
        assert fm.context.pair("a", "b").rendered_twice_in_b == 0
        assert fm.signal_values("a", "b")["spin"] == 0.0


def test_time_words_place_a_telling_unless_they_have_two_meanings():
    from provenance.origin.wire import deixis

    assert deixis("The court heard today that the singer would appeal.") > 0
    assert deixis("The court heard yesterday that the singer would appeal.") < 0
    assert deixis("The court heard that the singer would appeal.") == 0
    # Urdu "kal" is yesterday and tomorrow: the wire's "kal" (tomorrow) is the paper's "aaj" (today)
    assert deixis("میچ کل کھیلا جائے گا") is None and deixis("میچ آج کھیلا جائے گا") > 0
    s = SENTENCES[:6]
    wire = _doc("a", [s[0].replace("on Tuesday", "today")] + s[1:])
    paper = _doc("b", [s[0].replace("on Tuesday", "yesterday")] + s[1:5])
    assert _model([wire, paper]).signal_values("a", "b")["deixis"] > 0


def test_a_copy_that_only_cuts_is_the_copy():
    """Newspapers trim wire copy: the text holding every sentence of the other is its source."""
    src = _doc("a", SENTENCES)
    for keep in ([0, 1, 2, 3, 4, 5], [0, 2, 3, 5, 7, 9], [0, 1, 4, 6, 8]):
        cut = _doc("b", [SENTENCES[i] for i in keep])
        fam = families([src, cut], [Pair("a", "b", "copy", 0.6, 1.0, 0.6)])[0]
        assert fam.origin == "a" and fam.origin_confidence > 0.6, fam.explanation


REWORDED = [
    "The central bank lifted its key interest rate by half a point on Tuesday.",
    "Officials noted that inflation had remained above the goal for nine straight months.",
    "The move surprised many economists who had forecast a smaller step.",
    "Shares in the biggest lenders climbed steeply after the announcement.",
    "The governor told journalists that more increases could not be excluded.",
    "Mortgage holders will see their monthly bills rise from next month.",
    "The aluminium sector cautioned that power costs were already hobbling smelters.",
    "Opposition lawmakers branded the decision reckless and called for an inquiry.",
]
PADDING = [
    "Analysts will now watch the wage figures due at the end of the month for signs of a slowdown.",
    "Rate rises take a year or more to work through to prices, according to most published studies.",
    "Neighbouring central banks have so far held their rates steady despite similar pressures.",
]


def test_other_copies_vote_for_the_source_where_it_and_a_padded_rewrite_differ():
    """A rewrite that keeps all of its source and adds paragraphs holds the source, so
    containment reads it as the source's source; the other copies carry the source's wording,
    not the rewrite's, and the evidence says so."""
    src = _doc("a", SENTENCES[:8])
    padded = _doc("b", REWORDED[:4] + PADDING[:2] + REWORDED[4:] + PADDING[2:])
    cut_1 = _doc("c", [SENTENCES[i] for i in (0, 1, 2, 4, 5, 7)])
    cut_2 = _doc("d", [SENTENCES[i] for i in (0, 2, 3, 4, 6, 7)])
    docs = [src, padded, cut_1, cut_2]
    links = [Pair(x, y, "copy", 0.5, 0.5, 0.5) for x, y in (("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("c", "d"))]
    fam = families(docs, links)[0]
    assert fam.origin == "a", fam.explanation
    fm = _model(docs)
    values = fm.signal_values("a", "b")
    assert values["sentences"] < 0  # containment alone says b came first
    assert values["readings"] > 1.5  # both cuts read as a where a and b differ
    edge = next(e for e in fm.evidence("a", "b") if e.signal == "readings")
    assert "the other members read as a does (2 of 2)" in edge.detail


def test_witnesses_follow_the_order_of_the_source():
    src = build_profile(_doc("a", SENTENCES[:6]))
    swapped = build_profile(_doc("b", SENTENCES[:2] + [SENTENCES[3], SENTENCES[2]] + SENTENCES[4:6]))
    witness = build_profile(_doc("c", SENTENCES[:5]))
    panel = Panel.of([src, swapped, witness])
    ra, rb = (read(panel, x, align) for x in (src, swapped))
    wording, order = witness_votes(panel, ra, rb)
    assert list(wording) == [0.0, 0.0, 0.0]  # the same words in both; a and b do not vote on themselves
    # one pair of c's sentences in a's order, none in b's: (1 - 0) / (1 + 2)
    assert list(order) == pytest.approx([0.0, 0.0, 1 / 3])
    assert list(witness_votes(panel, rb, ra)[1]) == pytest.approx([0.0, 0.0, -1 / 3])


def test_dates_decide_when_text_is_symmetric():
    a = _doc("a", SENTENCES, published="2024-03-01")
    b = _doc("b", SENTENCES, published="2024-03-04")
    fam = families([a, b], [Pair("a", "b", "copy", 1.0, 1.0, 1.0)])[0]
    assert fam.origin == "a" and fam.origin_confidence > 0.7
    c = _doc("c", SENTENCES)
    d = _doc("d", SENTENCES)
    fam = families([c, d], [Pair("c", "d", "copy", 1.0, 1.0, 1.0)])[0]
    assert fam.origin_confidence == pytest.approx(0.5)
    assert "undecided" in fam.explanation[0].lower()


def test_quote_only_and_independent_do_not_join():
    pairs = [Pair("a", "b", "quote-only", 0.1, 0.1, 0.1), Pair("b", "c", "independent", 0, 0, 0),
             Pair("c", "d", "copy", 0.9, 0.9, 0.9)]
    assert components(["a", "b", "c", "d"], pairs) == [("c", "d")]


def test_a_large_family_scores_each_members_strongest_links_and_still_finds_every_parent():
    """Above ORIGIN.dense_limit members, each member's ORIGIN.max_links strongest copy links are scored."""
    from provenance.origin import families as lineage

    n = ORIGIN.dense_limit + 8
    ids = [f"m{k:02d}" for k in range(n)]
    # everyone copies everyone (templated items); containment falls with distance in id order (no ties)
    strength = {(i, j): 1 - (j - i) / n - (i + j) * 1e-5 for i in range(n) for j in range(i + 1, n)}
    pairs = [Pair(ids[i], ids[j], "copy", 0.5, c, c) for (i, j), c in strength.items()]
    [links] = lineage._copy_links([tuple(ids)], pairs)
    kept = lineage._strongest(links, tuple(ids))
    assert len(links) == n * (n - 1) // 2 and len(kept) < len(links)
    for m in ids:
        mine = sorted((links[link], link) for link in links if m in link)[::-1]
        top = {link for _, link in mine[: ORIGIN.max_links]}
        assert top <= kept
    docs = [_doc(m, SENTENCES) for m in ids]
    [fam] = families(docs, pairs)
    assert set(fam.members) == set(ids)
    assert {e.derivative for e in fam.edges} == set(ids) - {fam.origin}


# --- invariants -------------------------------------------------------------------------------


@st.composite
def corpora(draw):
    n = draw(st.integers(2, 5))
    rng = random.Random(draw(st.integers(0, 10_000)))
    docs = []
    for i in range(n):
        k = rng.randint(3, len(SENTENCES))
        sents = rng.sample(SENTENCES, k)
        date = None if rng.random() < 0.4 else f"2024-01-{rng.randint(1, 28):02d}"
        docs.append(_doc(f"d{i}", sents, published=date))
    pairs = []
    for i in range(n):
        for j in range(i + 1, n):
            verdict = rng.choice(["copy", "copy", "quote-only", "independent"])
            pairs.append(Pair(f"d{i}", f"d{j}", verdict, 0.5, 0.5, 0.5))
    return docs, pairs


@settings(max_examples=25, deadline=None)
@given(corpora(), st.randoms())
def test_lineage_invariants(case, shuffle):
    docs, pairs = case
    fams = families(docs, pairs)
    linked = {x for p in pairs if p.verdict == "copy" for x in (p.a, p.b)}
    members = [m for f in fams for m in f.members]
    assert sorted(members) == sorted(linked) and len(members) == len(set(members))
    for f in fams:
        assert f.origin in f.members and 0.0 <= f.origin_confidence <= 1.0
        roots = {r for r, _ in f.origins}
        assert f.origins[0][0] == f.origin and len(roots) == len(f.origins)
        links = [(e.source, e.derivative) for e in f.edges]
        assert len(links) == len(set(links))  # one edge per (source, derivative)
        assert {e.derivative for e in f.edges} == set(f.members) - roots  # every non-root has a source
        for e in f.edges:
            assert 0.0 <= e.probability <= 1.0 and 0.0 <= e.share <= 1.0
    for e in directions(docs, pairs):
        assert 0.5 <= e.probability <= 1.0
    fm = _model(docs)
    for p in pairs:
        total = sigmoid(fm.log_odds(p.a, p.b)) + sigmoid(fm.log_odds(p.b, p.a))
        assert math.isclose(total, 1.0, abs_tol=1e-12)
    d2, p2 = list(docs), list(pairs)
    shuffle.shuffle(d2)
    shuffle.shuffle(p2)
    assert families(d2, p2) == fams


# --- several sources per text, wire copy (issue #13) ----------------------------------------

REUTERS = ROOT.parent / "shared" / "data" / "reuters-21578" / "reuters21578.jsonl"


def _reuters_stories(n: int, min_sentences: int = 12) -> list[str]:
    """The first n Reuters-21578 articles with enough sentences, each from a different topic word."""
    import json

    from provenance.text import sentences

    if not REUTERS.is_file():
        pytest.skip("Reuters-21578 not present")
    out, seen = [], set()
    with open(REUTERS, encoding="utf-8") as f:
        for line in f:
            text = re.sub(r"\s*\bReuter\s*$", "", json.loads(line).get("text", "")).strip()
            spans = [text[s:e] for s, e in sentences(text) if len(text[s:e].split()) >= 6]
            key = text.split()[0] if text else ""
            if len(spans) >= min_sentences and key not in seen:
                seen.add(key)
                out.append(spans)
                if len(out) == n:
                    return out
    pytest.skip("too few long Reuters articles")


def _scan_docs(docs):
    return pytest.importorskip("provenance.engines.local").scan_documents(docs)


def test_a_mash_up_of_two_articles_names_both_as_sources_and_both_as_roots():
    a, b = _reuters_stories(2)
    docs = [Document("a", "\n\n".join(a)), Document("b", "\n\n".join(b)),
            Document("mashup", "\n\n".join(a[:6] + b[:6]))]
    fams = [f for f in _scan_docs(docs).families if "mashup" in f.members]
    assert len(fams) == 1 and set(fams[0].members) == {"a", "b", "mashup"}
    fam = fams[0]
    into = {e.source: e for e in fam.edges if e.derivative == "mashup"}
    assert set(into) == {"a", "b"}, fam.explanation
    assert all(0.3 <= e.share <= 0.7 and e.passages for e in into.values()), into
    assert {root for root, _ in fam.origins} == {"a", "b"} and fam.origin in ("a", "b"), fam.origins
    assert any("mashup draws on" in line for line in fam.explanation)


def test_a_mash_up_alternating_one_paragraph_of_each_names_both():
    """Paragraphs of two stories taken in turn, one sentence each: each story's passage ends where
    the other's begins, so leaving it costs only the start of a passage, not a switch."""
    a, b = _reuters_stories(2)
    mixed = [p for pair in zip(a[:5], b[:5]) for p in pair]
    docs = [Document("a", "\n\n".join(a)), Document("b", "\n\n".join(b)), Document("mashup", "\n\n".join(mixed))]
    (fam,) = [f for f in _scan_docs(docs).families if "mashup" in f.members]
    into = {e.source: e.share for e in fam.edges if e.derivative == "mashup"}
    assert set(into) == {"a", "b"} and all(0.3 <= v <= 0.7 for v in into.values()), fam.explanation


def test_the_reports_name_every_source_with_its_share_and_every_root():
    from provenance.report import render

    a, b = _reuters_stories(2)
    docs = [Document("a", "\n\n".join(a)), Document("b", "\n\n".join(b)),
            Document("mashup", "\n\n".join(a[:6] + b[:6]))]
    result = _scan_docs(docs)
    (fam,) = [f for f in result.families if "mashup" in f.members]
    other = next(root for root, _ in fam.origins if root != fam.origin)
    shares = {e.source: f"{e.share:.0%}" for e in fam.edges if e.derivative == "mashup"}
    table = render(result, "table")
    line = next(line for line in table.splitlines() if "mashup draws on" in line)
    assert f"a ({shares['a']}" in line and f"b ({shares['b']}" in line, table
    assert f"also a root: {other}" in table, table
    page = render(result, "html")
    assert f"also a root: <b>{other}</b>" in page and all(share in page for share in shares.values())


def test_template_leftover_from_another_story_is_not_a_source():
    a, b = _reuters_stories(2)
    teaser = b[0]  # one related-story line left by a page template
    docs = [Document("a", "\n\n".join(a)), Document("b", "\n\n".join(b)),
            Document("mashup", "\n\n".join(a[:6] + b[:6])),
            Document("copy", "\n\n".join(a[1:10] + [teaser]))]
    fam = next(f for f in _scan_docs(docs).families if "copy" in f.members)
    # b is no source of the copy, whichever of a and the copy came first
    assert "b" not in {e.source for e in fam.edges if e.derivative == "copy"}, fam.explanation
    # Which of a and the copy came first the texts barely decide (the copy drops a's lead and its
    # second half; the shipped weights put the pair within 0.2 log-odds of even): the edge joining
    # them either runs a -> copy, or runs the other way no surer than "undecided".
    (joined,) = [e for e in fam.edges if {e.source, e.derivative} == {"a", "copy"}]
    assert joined.source == "a" or joined.probability < ORIGIN.undecided, fam.explanation


def test_copy_model_assigns_each_passage_to_the_member_that_holds_it():
    from provenance.origin.sources import attribute, real_supplies

    s = SENTENCES
    other = [f"The football club signed a new striker for a record fee of {n} million pounds on Friday."
             for n in range(5)]
    a, b = build_profile(_doc("a", s[:5])), build_profile(_doc("b", other))
    d = build_profile(_doc("d", s[:4] + other[:3] + ["A line the editor wrote alone about nothing in particular today."]))
    supplies = {x.source: x for x in real_supplies(attribute(d, [a, b], align))}
    assert set(supplies) == {"a", "b"}
    assert supplies["a"].sentences == 4 and supplies["b"].sentences == 3
    assert supplies["a"].share + supplies["b"].share < 0.95  # the editor's own line is nobody's
    start, end = supplies["b"].passages[0]
    assert d.doc.text[start:end].startswith("The football club")


def test_wire_copy_is_recognised_by_its_apparatus_in_several_languages():
    from provenance.origin.wire import wire_marks

    filed = "14:58 27/01/00: Page 1 (HHH) SHOWBIZ Oasis\nBABY GIRL FOR STAR<\nBy A Reporter, PA News<\n"
    marks = wire_marks(filed + "The wife of the star gave birth today, a spokesman said.<\nend<\n")
    assert {"filing", "byline", "slug", "terminators"} <= set(marks.found) and marks.score == 1.0
    # a byline may name the reporter's role between the name and the agency
    for byline in ("By A Reporter, Showbusiness Correspondent, PA News", "By A Reporter, PA News Political Editor"):
        assert "PA News" in wire_marks(byline + "\nThe star gave birth today.\n").found.get("byline", ""), byline
    assert marks.filed is not None and (marks.filed.year, marks.filed.month, marks.filed.day) == (2000, 1, 27)
    # an agency's tag in a dateline or sign-off is kept apart: papers running the copy keep it
    for tagged in ("LONDON (Reuters) - Shares fell on Monday.",
                   "ڈھاکہ ۔ یکم دسمبر (اے پی پی) بنگلہ دیش نے زمبابوے کو شکست دے دی۔",
                   "PARIS, 3 mars — Le gouvernement a annoncé un plan. — AFP"):
        marks = wire_marks(tagged)
        assert marks.tagged == 1.0 and marks.score == 0.0, (tagged, marks.found)
    # a dated dateline is the form an agency files in; a rerun keeps the place and the tag, not the
    # date; a paper crediting its desk and the agency keeps the tag too
    dated = {"ڈھاکہ ۔ یکم دسمبر (اے پی پی) بنگلہ دیش نے زمبابوے کو شکست دے دی۔": 1.0,
             "NEW DELHI, Dec 2 (PTI) The government said on Tuesday it would act.": 1.0,
             "LONDON (Reuters) - Shares fell on Monday.": 0.0,
             "بنکاک(مانیٹرنگ ڈیسک ، اے پی پی) پاکستان نے فائنل جیت لیا۔": 0.0,
             "Lahore (Monitoring Desk, APP) The minister said the plan would go ahead.": 0.0}
    for text, expected in dated.items():
        marks = wire_marks(text)
        assert marks.tagged == 1.0 and marks.dated == expected, (text, marks.found)
    # an unmarked paper story, a year in a title and a paper's own desk tag are not wire copy
    for text in ("2001: A Space Odyssey returns to cinemas next week, the studio said.",
                 "Lahore (Monitoring Desk) The minister said the plan would go ahead.",
                 "The Oasis star became a father yesterday after his wife gave birth."):
        marks = wire_marks(text)
        assert marks.score == 0.0 and marks.tagged == 0.0 and marks.filed is None, (text, marks.found)


def test_a_paper_keeping_the_agency_tag_weighs_less_than_the_wire_apparatus():
    """A paper that runs agency copy keeps the agency's dateline tag as its credit, and the agency's
    own feed may lack it: the tag is its own signal, fitted to weigh less than the filing apparatus
    (nothing, on the real sets now: without the agency's dated dateline, a tag alone pointed at the
    paper in 8 of 9 COUNTER pairs; benchmarks/RESULTS.md)."""
    s = SENTENCES[:8]
    agency = Document("a-agency", "LAHORE: " + " ".join(s) + "\n")
    paper = Document("b-paper", "LAHORE (APP) - " + " ".join(s[:7]) + "\n")
    values = _model([agency, paper]).signal_values("a-agency", "b-paper")
    assert values["wire"] == 0.0 and values["wire_tag"] == -1.0
    assert 0 <= FITTED.signals["wire_tag"] < FITTED.signals["wire"]


def test_an_agency_tag_both_texts_carry_is_no_evidence_but_the_agency_date_is():
    """A paper running agency copy keeps the agency's tag as its credit: when both texts carry the
    tag it says nothing of which came first; the dated dateline the agency files with, which the
    rerun drops, does."""
    s = SENTENCES[:8]
    agency = Document("b-agency", "ISLAMABAD, July 20 (APP): " + " ".join(s) + "\n")
    paper = Document("a-paper", "ISLAMABAD (Monitoring Desk, APP) " + " ".join(s[:7]) + "\n")
    fm = _model([agency, paper])
    values = fm.signal_values("a-paper", "b-agency")
    assert values["wire_tag"] == 0.0 and values["wire_dateline"] == -1.0
    assert fm.log_odds("b-agency", "a-paper") > 0 and FITTED.signals["wire_dateline"] > 0
    assert any(e.signal == "wire_dateline" and e.weight > 0 for e in fm.evidence("b-agency", "a-paper"))


def test_agency_copy_is_the_source_of_an_unmarked_text_sharing_its_narration():
    s = SENTENCES[:8]
    wire = Document("z-wire", "By A Reporter, PA News\n\n" + "\n\n".join(s) + "\n\nends\n")
    paper = Document("a-paper", "\n\n".join(s[:7]) + "\n")
    fam = families([wire, paper], [Pair("a-paper", "z-wire", "copy", 0.8, 0.9, 0.8)])[0]
    assert fam.origin == "z-wire", fam.explanation
    edge = fam.edges[0]
    assert any(e.signal == "wire" and e.weight > 0 for e in edge.evidence)


def test_an_added_intro_or_ending_counts_against_the_text_that_has_it():
    s = SENTENCES
    src = _doc("a", s[1:8])
    padded = _doc("b", ["Here is an introduction written by the copying site about the whole affair today."]
                  + s[1:8] + ["Readers can find more of our coverage of the economy on the pages below."])
    model = _model([src, padded])
    edge = {e.signal: e for e in model.evidence("a", "b")}
    assert edge["lead"].weight > 0 and edge["lead"].detail.startswith("b opens with material")
    signal_values = model.signal_values("a", "b")
    assert signal_values["lead"] > 0 and signal_values["tail"] > 0
    assert FITTED.signals["lead"] >= 0 and FITTED.signals["tail"] >= 0  # never evidence for the padded text


def test_a_photo_or_syndication_credit_is_not_a_credit_to_another_member():
    s = SENTENCES[:7]
    original = _doc("a", s + ["Photo: Reuters"], site="example-times.com")
    assert not build_profile(original).attribution
    syndicated = _doc("b", s + ["This story is published in partnership with The Conversation."])
    assert not build_profile(syndicated).attribution


def test_compare_and_scan_do_not_contradict_each_other_on_the_seed_pair():
    """000 (a paraphrase of 001 that adds an intro and an ending) is not named 001's source by
    compare with confidence; in the scan, 002's evidence decides for 001 and the evidence names 002."""
    local = pytest.importorskip("provenance.engines.local")
    news = sorted(NEWS.glob("00[01]_*.txt"))
    fam = local.compare(news[0], news[1]).families[0]
    assert _short(fam.origin).startswith("001") or fam.origin_confidence < ORIGIN.undecided, fam.explanation
    scanned = next(f for f in _scan(NEWS).families if len(f.members) > 2)
    assert _short(scanned.origin).startswith("001")
    edge = next(e for e in scanned.edges if _short(e.derivative).startswith("000"))
    assert _short(edge.source).startswith("001")
    assert any("002" in e.detail for e in edge.evidence if e.weight > 0), edge.evidence


def test_a_credit_naming_the_other_text_outweighs_a_backdated_copy_and_says_so():
    s = SENTENCES
    original = _doc("a", s[:9], site="dailyledger.com", published="2024-05-02")
    copy = _doc("b", s[:8] + ["Source: dailyledger.com"], site="copyfarm.net", published="2024-04-01")
    model = _model([original, copy])
    assert model.log_odds("a", "b") > 0
    signals_found = {e.signal for e in model.evidence("a", "b")}
    assert {"credit", "date", "date-outweighed"} <= signals_found


def _real_edges(stories):
    local = pytest.importorskip("provenance.engines.local")
    rows = []
    for story in stories:
        for fam in local.scan_documents(list(story.docs)).families:
            rows += [(e.probability, right) for e in fam.edges
                     if (right := story.label(e.source, e.derivative)) is not None]
    return rows


def test_real_wire_copy_is_the_source_of_the_papers_written_from_it():
    """METER (wire -> paper) and COUNTER (agency -> paper), a sample of stories, when present: the
    known direction holds on nearly every edge and no edge is wrong at p >= 0.9. (The full sets and
    their held-out figures are in benchmarks/RESULTS.md.)"""
    realreuse = _benchmark_module("realreuse")
    meter, counter = realreuse.meter_stories()[::6], realreuse.counter_stories(dated=True)[::10]
    if not meter and not counter:
        pytest.skip("../shared/data/meter-showbiz and counter-dev not present")
    for stories in (meter, counter):
        rows = _real_edges(stories)
        if rows:
            assert sum(ok for _, ok in rows) >= 0.9 * len(rows), rows
            assert not [p for p, ok in rows if p >= 0.9 and not ok], rows


def test_a_large_family_whose_pairs_lie_beyond_the_witness_panel():
    """Witnesses come from the panel (the first ORIGIN.max_others + 2 members by id): a pair whose
    related members all sort after it is scored without them, not with a member the panel lacks."""
    from provenance.settings import ORIGIN

    a, b = _reuters_stories(2)
    many = ORIGIN.max_others + 2
    docs = [Document("a", "\n\n".join(a)), Document("b", "\n\n".join(b)),
            Document("mashup", "\n\n".join(a[:6] + b[:6]))]
    docs += [Document(f"m{i:02}", "\n\n".join(a[:i % len(a)] + a[i % len(a) + 1:])) for i in range(many)]
    docs += [Document(f"z{i}", "\n\n".join(b[:i] + b[i + 1:])) for i in range(4)]
    fams = [f for f in _scan_docs(docs).families if "z0" in f.members]
    assert len(fams) == 1 and {"z0", "z1", "z2", "z3", "b", "mashup", "m00"} <= set(fams[0].members)
    roots = {root for root, _ in fams[0].origins}
    assert {e.derivative for e in fams[0].edges} | roots == set(fams[0].members), fams[0].explanation


def test_two_near_identical_sources_split_the_parent_choice_but_not_the_direction():
    """A paper cut from one of two near-identical wire versions is surely later than both, whichever
    it was made from: the edge's probability is the direction, the parent choice is apart."""
    (w,) = _reuters_stories(1, min_sentences=14)
    docs = [Document("w1", "\n\n".join(w[:12]), published="2024-03-01"),
            Document("w2", "\n\n".join(w[:12] + [w[12]]), published="2024-03-02"),
            Document("paper", "\n\n".join(w[1:10]), published="2024-03-03")]
    (fam,) = [f for f in _scan_docs(docs).families if "paper" in f.members]
    parent = next(e for e in fam.edges if e.derivative == "paper" and e.parent_probability is not None)
    assert parent.source in ("w1", "w2") and parent.probability >= 0.8, fam.explanation
    assert parent.parent_probability <= 0.8, parent  # the texts cannot tell the two versions apart
    line = next(x for x in fam.explanation if x.startswith("paper derives from"))
    assert "rather than" in line, line
    assert all(e.parent_probability is None for e in fam.edges if e is not parent and e.derivative == "paper")


def test_a_headline_extraction_moved_into_the_title_still_counts_as_the_originals():
    """Extraction often keeps a page's headline in its metadata only, while every copy carries it in
    its text: the original then lacks a sentence all its copies share (on real pages with planted
    copies, `benchmarks/bench_pages.py`, the copies' agreement on it outweighed the dates). Its title
    is its first sentence when its text does not hold it; the family here is a guard, the profile
    assertions are what the change makes true."""
    headline = "Mayor opens the new harbour bridge after a decade of delays"
    original = _doc("z", SENTENCES[:8], title=headline, published="2022-05-05")
    verbatim = _doc("b", [headline] + SENTENCES[:8], published="2022-05-06")
    cuts = [_doc(c, [headline] + [s for i, s in enumerate(SENTENCES[:8]) if i != cut], published=f"2022-05-0{day}")
            for c, cut, day in (("c", 3, 7), ("d", 6, 8))]
    profile = build_profile(original)
    assert profile.sentences[0] == words(headline) and profile.spans[0] == (0, 0)
    assert build_profile(verbatim).sentences == profile.sentences  # a text that holds its headline has it once
    docs = [original, verbatim, *cuts]
    links = [Pair(x, y, "copy", 0.8, 0.9, 0.9) for i, x in enumerate("bcdz") for y in "bcdz"[i + 1:]]
    fam = families(docs, links)[0]
    assert fam.origin == "z", fam.explanation
    assert all(e.derivative != "z" for e in fam.edges), fam.explanation
    for e in fam.edges:  # the headline, in no passage of the text, is in none of the edges' passages
        assert all(start < end for start, end in e.passages)
