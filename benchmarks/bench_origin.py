"""Origin benchmark: who came first, on corpus/news, Clough-Stevenson and a generated lineage set.

    python benchmarks/bench_origin.py            # all three, tables on stdout
    python -m pytest benchmarks/bench_origin.py  # the same, asserting the goals

Measures origin top-1 accuracy per family, pairwise direction accuracy (copy pairs
where one text is an ancestor of the other), parent accuracy, and calibration
(confidence bins vs observed accuracy, expected calibration error) of the origin and
direction probabilities. Pairs come from the real verify stage (`verdict.verify_pair`);
news and Clough go through the whole `scan` when it is importable.
"""

from __future__ import annotations

import csv
import itertools
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import lineagegen, realreuse
from provenance.model import Document, Edge, Family, Pair
from provenance.origin.families import directions, families
from provenance.origin.weights import FITTED, Weights

NEWS = ROOT / "corpus" / "news"
GENERATED = 2000  # families generated; the held-out half (other originals than the fit's) is scored
CLOUGH = ROOT / "corpus" / "clough-stevenson-dev"
if not CLOUGH.is_dir():
    CLOUGH = ROOT.parent / "shared" / "data" / "clough-stevenson-dev"


def compare_all(docs: list[Document]) -> list[Pair]:
    """Verified pairs for every pair of docs (the real verify stage)."""
    from provenance.verify.verdict import verify_pair

    docs = sorted(docs, key=lambda d: d.id)
    return [verify_pair(a, b) for a, b in itertools.combinations(docs, 2)]


@dataclass
class Tally:
    """Hits and (confidence, correct) records for one data set: the origin, the pairwise
    directions of copy pairs, the families' edges (`probability`: the source came first) and the
    parent (`parent_probability` of each derivative's parent edge: that it is the text the
    derivative was made from); `choice` is the share of it that is not the direction
    (parent_probability / probability) where the chosen member is not a descendant of the
    derivative: right when it is the parent and not a sibling, cousin or other ancestor."""

    origin: list[tuple[float, bool]] = field(default_factory=list)
    direction: list[tuple[float, bool]] = field(default_factory=list)
    edges: list[tuple[float, bool]] = field(default_factory=list)
    parent: list[tuple[float, bool]] = field(default_factory=list)
    choice: list[tuple[float, bool]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.origin + other.origin, self.direction + other.direction, self.edges + other.edges,
                     self.parent + other.parent, self.choice + other.choice, self.notes + other.notes)

    @staticmethod
    def rate(rows: list[tuple[float, bool]]) -> float:
        return sum(c for _, c in rows) / len(rows) if rows else float("nan")


def calibration(rows: list[tuple[float, bool]], bins: int = 10) -> tuple[list[tuple[str, int, float, float]], float]:
    """Equal-width confidence bins over [0.5, 1] for direction-like confidences, [0, 1] otherwise."""
    lo = 0.5 if rows and min(c for c, _ in rows) >= 0.5 else 0.0
    width = (1 - lo) / bins
    table, ece, n = [], 0.0, len(rows)
    for k in range(bins):
        a, b = lo + k * width, lo + (k + 1) * width
        sel = [(c, ok) for c, ok in rows if a <= c < b or (k == bins - 1 and c == 1.0)]
        if not sel:
            continue
        conf = sum(c for c, _ in sel) / len(sel)
        acc = sum(ok for _, ok in sel) / len(sel)
        table.append((f"{a:.2f}-{b:.2f}", len(sel), conf, acc))
        ece += len(sel) / n * abs(conf - acc)
    return table, ece


def calibrated_ece(rows: list[tuple[float, bool]], bins: int = 10, draws: int = 2000) -> tuple[float, float]:
    """The ECE a perfectly calibrated model would show on these probabilities (outcomes drawn as
    Bernoulli(p), fixed seed): its median and 90th percentile. Binned ECE on a hundred edges is
    mostly noise; an observed ECE inside this range is no evidence of miscalibration."""
    import random

    rng = random.Random(0)
    eces = sorted(calibration([(p, rng.random() < p) for p, _ in rows], bins)[1] for _ in range(draws))
    return eces[draws // 2], eces[int(draws * 0.9)]


def spiegelhalter_z(rows: list[tuple[float, bool]]) -> float:
    """Spiegelhalter's test of calibration: z ~ N(0, 1) when outcomes are Bernoulli(p); |z| > 1.96
    rejects calibration at 5%. Positive: over-confident. It needs no bins, so it suits a hundred edges."""
    num = sum((ok - p) * (1 - 2 * p) for p, ok in rows)
    var = sum((1 - 2 * p) ** 2 * p * (1 - p) for p, _ in rows)
    return num / var ** 0.5 if var else 0.0


def _index(fams: list[Family]) -> dict[str, Family]:
    return {m: f for f in fams for m in f.members}


# --- generated lineage set ---------------------------------------------------------------


def run_generated(gen: list[lineagegen.GenFamily], weights: Weights = FITTED, pairs_cache: dict | None = None,
                  contexts: dict | None = None) -> Tally:
    """Scores on generated families. `pairs_cache` and `contexts` keep the verified pairs and the
    families' measurements across runs under other weights (the fit script's grid search)."""
    t = Tally()
    for g in gen:
        docs = list(g.docs)
        key = g.docs[0].id
        if pairs_cache is not None and key in pairs_cache:
            pairs = pairs_cache[key]
        else:
            pairs = compare_all(docs)
            if pairs_cache is not None:
                pairs_cache[key] = pairs
        fams = families(docs, pairs, weights=weights, contexts=contexts)
        score_generated(g, docs, pairs, fams, t, weights, contexts)
    return t


def score_generated(g, docs, pairs, fams, t: Tally, weights: Weights = FITTED, contexts: dict | None = None) -> None:
    for f in fams:
        mem = set(f.members)
        roots = [m for m in f.members if not (set(g.ancestors(m)) & mem)]
        if len(roots) == 1:
            t.origin.append((f.origin_confidence, f.origin == roots[0]))
        for e in f.edges:
            if e.source in g.ancestors(e.derivative) or e.derivative in g.ancestors(e.source):
                t.edges.append((e.probability, e.source in g.ancestors(e.derivative)))
            if e.parent_probability is not None and g.parent[e.derivative] in mem:
                right = e.source == g.parent[e.derivative]
                t.parent.append((e.parent_probability, right))
                if e.derivative not in g.ancestors(e.source):  # the direction is not reversed
                    t.choice.append((e.parent_probability / e.probability, right))
    for e in directions(docs, pairs, weights=weights, contexts=contexts):
        if e.source in g.ancestors(e.derivative):
            t.direction.append((e.probability, True))
        elif e.derivative in g.ancestors(e.source):
            t.direction.append((e.probability, False))


# --- corpus/news ---------------------------------------------------------------------------


def _load(path: Path) -> tuple[list[Document], list[Pair], list[Family]]:
    """Through the whole scan when available, else the loader + compare + families."""
    try:
        from provenance.engines.local import scan

        res = scan([path])
        return res.documents, res.pairs, res.families
    except ImportError:
        from provenance.ingest.files import load_paths

        docs, _ = load_paths([path])
        pairs = compare_all(docs)
        return docs, pairs, families(docs, pairs)


def _short(doc_id: str) -> str:
    return Path(doc_id).name


def run_news() -> tuple[Tally, list[Family]]:
    docs, pairs, fams = _load(NEWS)
    t = Tally()
    ids = {_short(d.id)[:3]: d.id for d in docs}
    idx = _index(fams)
    origin, d000, d002 = ids.get("001"), ids.get("000"), ids.get("002")
    fam = idx.get(origin)
    t.notes.append("families: " + "; ".join("{" + ", ".join(_short(m)[:3] for m in f.members) + "}" for f in fams))
    truth = {(origin, d000), (origin, d002)}
    if fam:
        t.origin.append((fam.origin_confidence, fam.origin == origin))
        for e in fam.edges:
            if e.derivative in (d000, d002) and e.parent_probability is not None:
                t.parent.append((e.parent_probability, e.source == origin))
            if (e.source, e.derivative) in truth or (e.derivative, e.source) in truth:
                t.edges.append((e.probability, (e.source, e.derivative) in truth))
    for e in directions(docs, pairs):
        if (e.source, e.derivative) in truth:
            t.direction.append((e.probability, True))
        elif (e.derivative, e.source) in truth:
            t.direction.append((e.probability, False))
    return t, fams


# --- Clough-Stevenson ------------------------------------------------------------------------


def run_clough() -> Tally:
    docs, pairs, fams = _load(CLOUGH)
    with open(CLOUGH / "file_information.csv", newline="", encoding="utf-8") as f:
        cat = {r["File"]: (r["Task"], r["Category"]) for r in csv.DictReader(f)}
    name = {d.id: _short(d.id) for d in docs}
    t = Tally()
    for f in fams:
        origs = [m for m in f.members if cat.get(name[m], ("", ""))[1] == "orig"]
        if len(origs) != 1:
            t.notes.append(f"family without its source: {[name[m] for m in f.members]}")
            continue
        t.origin.append((f.origin_confidence, f.origin == origs[0]))
        for e in f.edges:
            kinds = cat.get(name[e.source], ("", ""))[1], cat.get(name[e.derivative], ("", ""))[1]
            if kinds[1] in ("cut", "light", "heavy") and e.parent_probability is not None:
                t.parent.append((e.parent_probability, e.source == origs[0]))
            if "orig" in kinds and ({"cut", "light", "heavy"} & set(kinds)):
                t.edges.append((e.probability, kinds[0] == "orig"))
    for e in directions(docs, pairs):
        cs, cd = cat.get(name[e.source], ("", ""))[1], cat.get(name[e.derivative], ("", ""))[1]
        if cs == "orig" and cd in ("cut", "light", "heavy"):
            t.direction.append((e.probability, True))
        elif cd == "orig" and cs in ("cut", "light", "heavy"):
            t.direction.append((e.probability, False))
    return t


# --- wire-style cuts ----------------------------------------------------------------------------


def run_wire_cuts(n: int = 150, seed: int = 3) -> dict[str, float]:
    """Two-text families without dates: share judged the right way round, per kind of newsroom cut."""
    import random

    rng = random.Random(seed)
    originals = lineagegen.load_originals()
    kinds: dict[str, list[bool]] = {"keep first 60%": [], "drop 40%": [], "drop 40% + synonyms": [],
                                    "short rewrite": []}
    for text, _ in rng.sample(originals, min(n, len(originals))):
        s = lineagegen._split(text)
        if len(s) < 8:
            continue
        copies = {
            "keep first 60%": s[: max(3, int(len(s) * 0.6))],
            "drop 40%": [x for i, x in enumerate(s) if i == 0 or rng.random() < 0.6],
            "drop 40% + synonyms": [lineagegen._subst(x, 0.3, rng) for i, x in enumerate(s) if i == 0 or rng.random() < 0.6],
            "short rewrite": [lineagegen._subst(x, 0.5, rng) for x in s[: max(3, len(s) // 2)] if rng.random() < 0.8],
        }
        src = Document("a", "\n\n".join(s))
        for kind, sents in copies.items():
            fam = families([src, Document("b", "\n\n".join(sents))], [Pair("a", "b", "copy", 0.5, 0.5, 0.5)])[0]
            kinds[kind].append(fam.origin == "a")
    return {k: sum(v) / len(v) for k, v in kinds.items() if v}


# --- wire stories (the scale benchmark's corpus) ------------------------------------------------


def run_stories(n_docs: int = 2000, dated: bool = True) -> Tally:
    """Whole scans of `bench_scale`'s republished wire stories (6-14 texts each: dateline
    republications, word edits, trims, copies of copies). Built for the scale benchmark,
    never for fitting: a check of larger families and other edits than the lineage set's.
    Families that merge two stories (Reuters has near-duplicate items) have no single origin
    and are left out of origin accuracy."""
    import dataclasses

    from benchmarks import bench_scale
    from provenance.engines.local import scan_documents

    corpus = bench_scale.derived_corpus(n_docs)
    parent = {d: p for p, d, _ in corpus.known}

    def root(x: str) -> str:
        while x in parent:
            x = parent[x]
        return x

    docs = corpus.docs if dated else [dataclasses.replace(d, published=None) for d in corpus.docs]
    t = Tally()
    for f in scan_documents(docs).families:
        roots = {root(m) for m in f.members}
        if len(roots) == 1 and (r := roots.pop()) in f.members:
            t.origin.append((f.origin_confidence, f.origin == r))
        ancestors = {m: _ancestors(m, parent) for m in f.members}
        t.edges += [(e.probability, e.source in ancestors[e.derivative]) for e in f.edges
                    if e.source in ancestors[e.derivative] or e.derivative in ancestors[e.source]]
        t.parent += [(e.parent_probability, e.source == parent[e.derivative]) for e in f.edges
                     if e.parent_probability is not None and parent.get(e.derivative) in f.members]
    return t


def _ancestors(m: str, parent: dict[str, str]) -> set[str]:
    out = set()
    while m in parent:
        m = parent[m]
        out.add(m)
    return out


# --- convergent edits ----------------------------------------------------------------------------


def run_convergent(n: int = 120, seed: int = 5) -> dict[str, float]:
    """Stress tests of the witness signal: a wire story and five copies (sentences dropped, some
    truncated, no dates) that all make the same change, which no single copy's source explains.
    Share of families whose origin is the wire."""
    import random
    import re

    rng = random.Random(seed)
    originals = [t for t, _ in lineagegen.load_originals() if re.search(r"\b(mln|pct|dlrs)\b", t)]
    rng.shuffle(originals)
    style = [("mln", "million"), ("pct", "percent"), ("dlrs", "dollars")]
    def house(k: list[str]) -> list[str]:
        return [lineagegen._house(x, style) for x in k]

    def mostly_house(k: list[str]) -> list[str]:
        return [lineagegen._subst(x, 0.15, rng) for x in (house(k) if rng.random() < 0.7 else k)]

    kinds = {  # the wire from the story's sentences, a copy from the sentences it keeps
        "agency tag stripped from the dateline by every copy":
            (lambda s: ["LONDON (Reuters) - " + s[0]] + s[1:], lambda k: ["LONDON - " + k[0]] + k[1:]),
        "one house style applied by every copy": (list, house),
        "house style by 70% of copies, light synonyms by all": (list, mostly_house),
    }
    out = {}
    for kind, (wire_of, copy_of) in kinds.items():
        hits = []
        for text in originals[:n]:
            s = lineagegen._split(text)
            if len(s) < 6:
                continue
            docs = [Document("wire", "\n\n".join(wire_of(s)) + "\n")]
            for c in range(5):
                keep = [x for i, x in enumerate(s) if i == 0 or rng.random() < 0.7]
                if rng.random() < 0.5:
                    keep = keep[: max(3, int(len(keep) * 0.7))]
                docs.append(Document(f"copy{c}", "\n\n".join(copy_of(keep)) + "\n"))
            hits += [f.origin == "wire" for f in families(docs, compare_all(docs)) if "wire" in f.members]
        out[kind] = sum(hits) / len(hits)
    return out


# --- real reuse: METER (wire -> paper) and COUNTER (agency -> paper) ------------------------------


@dataclass
class RealTally:
    """Labelled wire/agency <-> paper edges of real stories: pairwise directions of copy pairs
    and the families' parent edges, each as (probability, right: 1, 0, or 0.5 for a tie at 0.5)."""

    pairs: list[tuple[float, bool]] = field(default_factory=list)
    edges: list[tuple[float, bool]] = field(default_factory=list)
    # each paper's parent edge: (parent_probability, the parent is a wire/agency text). The sets do
    # not say which wire version a paper used, but its papers are written from the wire, not from
    # each other, so a paper parent is wrong
    parents: list[tuple[float, bool]] = field(default_factory=list)
    labelled_pairs: int = 0  # wire <-> paper pairs in the stories (copy or not)
    copy_pairs: int = 0  # of those, verified as copies
    # scan and compare: every family edge against `compare` of its two texts alone
    compared: int = 0
    disagreed: int = 0  # compare puts the other text first (an undecided 0.5 agrees only with 0.5)
    disagreed_named: int = 0  # ...and the scan's evidence for the edge names another member


def _first(e: Edge) -> str | None:
    return e.source if e.probability > 0.5 else e.derivative if e.probability < 0.5 else None


def run_real(stories: list[realreuse.Story]) -> RealTally:
    """Whole scans of each story's texts; every labelled copy pair and parent edge is scored,
    and every family edge is compared with `compare` of its two texts alone."""
    from provenance.engines.local import compare_documents, scan_documents

    t = RealTally()
    for story in stories:
        result = scan_documents(list(story.docs))
        docs = result.documents
        by_id = {d.id: d for d in docs}
        t.labelled_pairs += sum(1 for i, a in enumerate(docs) for b in docs[i + 1 :]
                                if story.label(a.id, b.id) is not None)
        for e in directions(docs, result.pairs):
            if (right := story.score(e)) is not None:
                t.pairs.append((e.probability, right))
                t.copy_pairs += 1
        for f in result.families:
            for e in f.edges:
                if (right := story.score(e)) is not None:
                    t.edges.append((e.probability, right))
                if e.parent_probability is not None and e.derivative not in story.sources:
                    t.parents.append((e.parent_probability, e.source in story.sources))
                alone = compare_documents(by_id[e.source], by_id[e.derivative]).families
                if alone and alone[0].edges:
                    t.compared += 1
                    if _first(alone[0].edges[0]) != _first(e):
                        t.disagreed += 1
                        others = set(f.members) - {e.source, e.derivative}
                        t.disagreed_named += any(m in ev.detail for ev in e.evidence for m in others)
    return t


def wrong_above(rows: list[tuple[float, bool]], p: float = 0.8) -> float:
    """Share of all rows that are wrong with probability >= p."""
    return sum(1 for c, ok in rows if c >= p and not ok) / len(rows) if rows else float("nan")


def real_sets() -> list[tuple[str, list[realreuse.Story]]]:
    """The labelled real sets present on this machine (none in a user's clone)."""
    sets = []
    if realreuse.METER.is_dir():
        sets += [("meter-showbiz, as filed", realreuse.meter_stories()),
                 ("meter-showbiz, text alone (wire headers, bylines removed)", realreuse.meter_stories(alone=True))]
    if realreuse.COUNTER.is_dir():
        sets += [("counter-dev WD+PD, dated", realreuse.counter_stories(dated=True)),
                 ("counter-dev WD+PD, no dates", realreuse.counter_stories(dated=False))]
    return sets


DIAGRAM = ROOT / "benchmarks" / "reliability_origin.png"


def reliability_diagram(curves: dict[str, list[tuple[float, bool]]], title: str, path: Path = DIAGRAM,
                        bins: int = 5) -> Path | None:
    """A reliability diagram (observed share right against stated probability, one curve per set)
    as a PNG, each point's area and label its number of edges (a bin of one edge is 0 or 1 whatever
    the calibration); None when matplotlib (the `bench` extra) is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(6, 6), dpi=100)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    for name, rows in curves.items():
        table, ece = calibration(rows, bins=bins)
        if table:
            xs, ys, ns = [c for _, _, c, _ in table], [a for _, _, _, a in table], [n for _, n, _, _ in table]
            (line,) = ax.plot(xs, ys, alpha=0.6, label=f"{name} (n={len(rows)}, ECE over {bins} bins {ece:.3f})")
            ax.scatter(xs, ys, s=[12 + 2 * n for n in ns], color=line.get_color(), zorder=3)
            for x, y, n in zip(xs, ys, ns):
                ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(6, -10), fontsize=7,
                            color=line.get_color())
    ax.set_xlim(0.0, 1.02)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel("stated probability that the edge's source came first (bin mean)")
    ax.set_ylabel("share of edges pointing the right way")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return path


def real_summary(name: str, t: RealTally) -> str:
    lines = [f"### {name}"]
    if t.labelled_pairs:  # counted by whole scans (run_real), not by the fit's held-out folds
        lines.append(f"- labelled wire/agency-paper pairs: {t.labelled_pairs}; verified copies: {t.copy_pairs}")
    for label, rows in (("copy-pair direction", t.pairs), ("parent edges", t.edges),
                        ("papers' parents (parent_probability; right: a wire text)", t.parents)):
        if rows:
            table, ece = calibration(rows)
            median, high = calibrated_ece(rows)
            lines.append(f"- {label}: right {Tally.rate(rows):.3f} ({sum(c for _, c in rows):g}/{len(rows)}), "
                         f"ECE {ece:.3f} (a calibrated model's: {median:.3f}, 90% under {high:.3f}; "
                         f"Spiegelhalter z {spiegelhalter_z(rows):+.2f}), "
                         f"wrong at p >= 0.8: {wrong_above(rows):.3f} of edges")
    if t.compared:
        lines.append(f"- scan and compare: {t.compared - t.disagreed} of {t.compared} family edges point the way "
                     f"`compare` of the two texts alone does; of the {t.disagreed} others, the scan's evidence "
                     f"names another member in {t.disagreed_named}")
    if len(t.edges) >= 20:
        table, _ = calibration(t.edges, bins=5)
        lines.append("\n| parent-edge probability | n | mean probability | observed right |\n|---|---|---|---|")
        lines += [f"| {b} | {n} | {c:.3f} | {a:.3f} |" for b, n, c, a in table]
    return "\n".join(lines)


# --- report -------------------------------------------------------------------------------------


def summary(name: str, t: Tally) -> str:
    lines = [f"### {name}"]
    for label, rows in (("origin top-1", t.origin), ("direction", t.direction), ("edges (source first)", t.edges),
                        ("parent (made from the source)", t.parent),
                        ("parent choice, the direction not reversed", t.choice)):
        if rows:
            _, ece = calibration(rows)
            lines.append(f"- {label}: {Tally.rate(rows):.3f} ({sum(c for _, c in rows)}/{len(rows)}), ECE {ece:.3f}")
    for label, rows in (("origin", t.origin), ("direction", t.direction), ("edge", t.edges), ("parent", t.parent)):
        if len(rows) >= 20:
            table, _ = calibration(rows)
            lines.append(f"\n| {label} confidence | n | mean confidence | observed accuracy |\n|---|---|---|---|")
            lines += [f"| {b} | {n} | {c:.3f} | {a:.3f} |" for b, n, c, a in table]
    lines += [f"- note: {n}" for n in t.notes[:6]]
    return "\n".join(lines)


def main() -> None:
    # in-sample: the shipped weights saw these stories (fit_lineage.py measures them held out and
    # draws the reliability diagram from those edges)
    for name, stories in real_sets():
        print(real_summary(f"{name} (in-sample)", run_real(stories)), "\n")
    if "--real" in sys.argv:
        return
    news, _ = run_news()
    print(summary("corpus/news", news), "\n")
    if CLOUGH.is_dir():
        print(summary("Clough-Stevenson (tasks a-c)", run_clough()), "\n")
    gen = [g for g in lineagegen.generate(GENERATED) if g.split == "test"]
    src = "Reuters-21578" if lineagegen._reuters_path() else "corpus/"
    # wire families (the agency's own text is the origin, with its marks) apart from the others,
    # which are made as the whole set was before it had wire families
    parts = {kind: run_generated([g for g in gen if bool(g.wire) == kind]) for kind in (True, False)}
    wire, other = parts[True], parts[False]
    whole = wire + other
    print(summary(f"generated lineage set (held-out half, {len(gen)} families, originals from {src})", whole))
    for kind, label in ((True, "wire families"), (False, "families without wire marks")):
        n = sum(1 for g in gen if bool(g.wire) == kind)
        print("\n" + summary(f"generated lineage set, {label} ({n} families)", parts[kind]))
    for dated in (True, False):
        label = "every text dated" if dated else "no dates"
        print("\n" + summary(f"republished wire stories (bench_scale corpus, 2,000 texts, {label})", run_stories(dated=dated)))
    print("\n### convergent edits (a wire and five copies, no dates): origin is the wire\n" +
          "\n".join(f"- {k}: {v:.3f}" for k, v in run_convergent().items()))
    cuts = run_wire_cuts()
    print("\n### wire-style cuts (two texts, no dates): copy judged the copy\n" +
          "\n".join(f"- {k}: {v:.3f}" for k, v in cuts.items()))


# --- pytest -----------------------------------------------------------------------------------


def test_news_goal():
    t, _ = run_news()
    assert Tally.rate(t.origin) == 1.0 and Tally.rate(t.parent) == 1.0, summary("news", t)


def test_clough():
    """Goal: 100% origin, >= 98% direction on derived pairs."""
    if not CLOUGH.is_dir():
        import pytest

        pytest.skip("Clough-Stevenson data not present")
    t = run_clough()
    assert Tally.rate(t.origin) == 1.0, summary("clough", t)
    assert Tally.rate(t.direction) >= 0.98, summary("clough", t)


def test_generated_calibration():
    """A smaller check (200 held-out families); the recorded figures use GENERATED."""
    gen = [g for g in lineagegen.generate(400) if g.split == "test"]
    t = run_generated(gen)
    assert Tally.rate(t.origin) >= 0.7 and Tally.rate(t.direction) >= 0.8, summary("generated", t)
    # binned ECE over 200 families is noisy (0.083 here against 0.029 over 1,000): loose bounds
    assert calibration(t.origin)[1] <= 0.15 and calibration(t.direction)[1] <= 0.1, summary("generated", t)


if __name__ == "__main__":
    main()
