"""Reuse families, their derivation graph, and the likely origin with its evidence.

A family is a connected group of documents joined by `copy` pairs (quotation of a
common source does not join). Within a family:

1. every pair gets a direction probability from the signals (dates, containment once
   chrome is gone, where the rest of the family is found, whose wording and order the
   rest of the family follows where the two differ, added intros, a spinner's double
   phrasing, attribution lines, blog-platform text), combined by a fitted logistic model;
2. members are ordered by their summed direction log-odds; the first is the likely
   origin, with a confidence from a softmax over those sums (temperature fitted so that
   confidences are calibrated on the generated lineage set);
3. each later member picks its parent among earlier members by what each candidate
   could have supplied: overlap ranks candidates, but wording a candidate spells
   differently (aluminium/aluminum, a shared typo) rules it out — a text that is closest
   to a sibling on every overlap measure may still descend from the origin.

The temperatures and parent-choice weights are fitted (origin/weights.json); the limits
below were chosen, not fitted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from provenance.ingest.stored import documents_by_id
from provenance.model import Document, Edge, Evidence, Family, Pair
from provenance.origin import signals
from provenance.origin.context import FamilyContext
from provenance.origin.profile import build_profile
from provenance.origin.sources import Supply, attribute, draws_on, real_supplies
from provenance.origin.variants import variant_conflicts
from provenance.origin.weights import FITTED, Weights
from provenance.settings import ORIGIN

_COVER_FLOOR = 0.02  # added to a candidate's coverage before its log (a candidate with none is not -inf)
_SHOWN_VARIANTS = 3
_EXPLAINED = 3  # evidence details quoted in an explanation line

Link = tuple[str, str]  # two members, in id order


def components(ids: Sequence[str], pairs: Sequence[Pair]) -> list[tuple[str, ...]]:
    """Connected components over copy pairs, each sorted, in order of their first id."""
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        if p.verdict == "copy" and p.a in parent and p.b in parent and p.a != p.b:
            root_a, root_b = find(p.a), find(p.b)
            if root_a != root_b:
                parent[max(root_a, root_b)] = min(root_a, root_b)
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return sorted((tuple(sorted(g)) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def _softmax(xs: list[float], temperature: float) -> list[float]:
    top = max(xs)
    exps = [math.exp(temperature * (x - top)) for x in xs]
    total = sum(exps)
    return [e / total for e in exps]


def _log_sigmoid(z: float) -> float:
    """log P(a before b) for log-odds z."""
    return -math.log1p(math.exp(-z)) if z > -30 else z


class FamilyModel:
    """Direction log-odds and evidence for the pairs of one family under given weights."""

    def __init__(self, context: FamilyContext, weights: Weights = FITTED):
        self.context = context
        self.weights = weights
        self._values: dict[Link, dict[str, float]] = {}
        self.scores: dict[str, float] = {}  # members' summed direction log-odds, set by _rank_members

    def signal_values(self, a: str, b: str) -> dict[str, float]:
        """The signals of the pair (a, b) taken in id order: positive favours the smaller id."""
        key = (a, b) if a < b else (b, a)
        if key not in self._values:
            self._values[key] = signals.values(self.context.pair(*key))
        return self._values[key]

    def log_odds(self, a: str, b: str) -> float:
        """Log-odds that a is the source of b."""
        z = signals.logit(self.signal_values(a, b), self.weights.signals)
        return z if a < b else -z

    def evidence(self, a: str, b: str) -> list[Evidence]:
        """Evidence for a as the source of b, strongest first."""
        key = (a, b) if a < b else (b, a)
        found = signals.evidence(self.context.pair(*key), self.signal_values(a, b), self.weights.signals)
        if a > b:
            found = [Evidence(e.signal, e.detail, -e.weight) for e in found]
        dated = next((e for e in found if e.signal == "date"), None)
        total = self.log_odds(a, b)
        if dated is not None and (dated.weight > 0) != (total > 0):  # a date weighed, not obeyed
            first = a if dated.weight > 0 else b
            found.append(Evidence("date-outweighed", f"the dates put {first} first, but the text evidence "
                                  f"outweighs them (log-odds {total:+.2f} for {a} first, the dates "
                                  f"{dated.weight:+.2f})", 0.0))
        return sorted(found, key=lambda e: (-abs(e.weight), e.signal)) + self.alignment_limits(a, b)

    def alignment_limits(self, a: str, b: str) -> list[Evidence]:
        """Where sentence alignment left words out (ORIGIN.max_word_sentences), said as evidence
        of no weight: the sentence signals of such a pair rest on its rarer words only."""
        profiles = self.context.profiles
        return [
            Evidence(
                "alignment_limit",
                f"sentence alignment left out {profiles[m].common_words} words found in more than "
                f"{ORIGIN.max_word_sentences} of {m}'s {len(profiles[m].sentences)} sentences",
                0.0,
            )
            for m in (a, b)
            if profiles[m].common_words
        ]

    def cover(self, d: str, p: str) -> float:
        """Share of d's exact 3-word runs found in p: inherited edits are exact, while two
        independent rewrites of one source converge on loose, sentence-level wording."""
        profiles = self.context.profiles
        return self.context.trigram_share(profiles[d], profiles[p])

    def platt(self, p: float) -> float:
        """An edge's direction probability, calibrated."""
        return _platt(p, self.weights.edge_scale, self.weights.edge_shift)

    def parent_chance(self, choice: float, direction: float) -> float:
        """That d was made from the chosen member: it came first (`direction`) and d was made from it
        rather than from another earlier member (`choice`, the candidates' softmax, calibrated; a
        lone candidate is sure), so never more than the direction."""
        if choice >= 1.0:
            return direction
        return direction * _platt(choice, self.weights.parent_scale, self.weights.parent_shift)


def _platt(p: float, scale: float, shift: float) -> float:
    """Platt scaling: sigmoid(scale * logit(p) + shift)."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    return signals.sigmoid(scale * math.log(p / (1 - p)) + shift)


def _copy_links(groups: list[tuple[str, ...]], pairs: Sequence[Pair]) -> list[dict[Link, float]]:
    """Each group's copy links with their strength (the larger containment), from one pass over
    the pairs (a pass per group is quadratic at scale)."""
    group_of = {m: g for g, members in enumerate(groups) for m in members}
    links: list[dict[Link, float]] = [{} for _ in groups]
    for p in pairs:
        g = group_of.get(p.a)
        if p.verdict == "copy" and g is not None and group_of.get(p.b) == g:
            links[g][(min(p.a, p.b), max(p.a, p.b))] = max(p.containment_a_in_b, p.containment_b_in_a)
    return links


def _strongest(links: dict[Link, float], members: tuple[str, ...]) -> set[Link]:
    """The links among each member's `ORIGIN.max_links` strongest (ties by id)."""
    mine: dict[str, list[tuple[float, str, Link]]] = {m: [] for m in members}
    for (a, b), strength in links.items():
        mine[a].append((-strength, b, (a, b)))
        mine[b].append((-strength, a, (a, b)))
    return {link for ranked in mine.values() for _, _, link in sorted(ranked)[:ORIGIN.max_links]}


def _adjacency(members: tuple[str, ...], links) -> dict[str, list[str]]:
    linked: dict[str, list[str]] = {m: [] for m in members}
    for a, b in links:
        linked[a].append(b)
        linked[b].append(a)
    return linked


# --- the origin ---------------------------------------------------------------------------------


def _rank_members(
    members: tuple[str, ...], compared: Iterable[Link], model: FamilyModel
) -> tuple[list[str], dict[str, float]]:
    """Members by their summed direction log-odds over the `compared` pairs (most likely
    origin first), and each member's confidence of being the origin; `model.scores` keeps the sums."""
    score = dict.fromkeys(members, 0.0)
    for a, b in compared:
        z = model.log_odds(a, b)
        score[a] += z
        score[b] -= z
    model.scores = score
    return sorted(members, key=lambda m: (-score[m], m)), _confidences(members, score, model)


def _confidences(members: Sequence[str], score: dict[str, float], model: FamilyModel) -> dict[str, float]:
    """Each member's confidence of being the origin: a softmax over their normalised scores."""
    norm = max(1, len(members) - 1) ** model.weights.origin_size_power
    confidence = _softmax([score[m] / norm for m in members], model.weights.origin_temperature)
    return dict(zip(members, confidence))


def _origin_lines(order: list[str], confidence: dict[str, float], model: FamilyModel) -> list[str]:
    origin, runner = order[0], order[1]
    ours, theirs = f"{confidence[origin]:.2f}", f"{confidence[runner]:.2f}"
    if confidence[origin] < ORIGIN.undecided:
        first = (f"Origin undecided: {origin} ({ours}) and {runner} ({theirs}) "
                 "are not separated by the evidence.")
    else:
        first = f"Likely origin: {origin} (confidence {ours}; next {runner} at {theirs})."
    lines = [first]
    why = [e.detail for e in model.evidence(origin, runner) if e.weight > 0][:_EXPLAINED]
    if why:
        lines.append(f"{origin} before {runner}: " + "; ".join(why) + ".")
    return lines


# --- parents ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    """An earlier member as d's possible parent."""

    id: str
    score: float  # log-score: direction, coverage of d's wording, variants, quotations
    variants: list[tuple[str, str]]  # d's words it spells differently: (d's word, its variant)
    quoted: int  # d's quoted 3-grams it has


def _candidate(model: FamilyModel, d: str, c: str) -> _Candidate:
    """c as d's parent: its direction log-odds, how much of d's exact wording it holds, words it
    spells differently from d, and d's quoted wording it has."""
    weights, profiles = model.weights, model.context.profiles
    variants = variant_conflicts(profiles[d].spellings, profiles[c].spellings)
    quoted = len(profiles[d].quoted_trigrams & profiles[c].trigrams)
    score = (
        _log_sigmoid(model.log_odds(c, d))
        + weights.parent_coverage * math.log(model.cover(d, c) + _COVER_FLOOR)
        - weights.parent_variant * min(len(variants), ORIGIN.max_variants)
        + weights.parent_quote * math.log1p(quoted)
    )
    return _Candidate(c, score, variants, quoted)


def _preferred_over(model: FamilyModel, d: str, chosen: _Candidate, other: _Candidate) -> list[Evidence]:
    """Why d's parent is `chosen` rather than `other`: spelling, quotations, and overlap that misleads."""
    weights, found = model.weights, []
    extra = len(other.variants) - len(chosen.variants)
    if other.variants and extra > 0:
        shown = ", ".join(f"'{w}' where {other.id} has '{v}'" for w, v in other.variants[:_SHOWN_VARIANTS])
        found.append(Evidence("variants", f"{d} writes {shown}; {chosen.id} does not differ",
                              weights.parent_variant * extra))
    if chosen.quoted > other.quoted:
        found.append(Evidence(
            "quotes",
            f"{d}'s quotations match {chosen.id}'s wording ({chosen.quoted} quoted 3-word runs) "
            f"better than {other.id}'s ({other.quoted})",
            round(weights.parent_quote * (math.log1p(chosen.quoted) - math.log1p(other.quoted)), 3),
        ))
    cover_chosen, cover_other = model.cover(d, chosen.id), model.cover(d, other.id)
    if cover_other > cover_chosen:
        found.append(Evidence(
            "overlap",
            f"{d} overlaps {other.id} more ({cover_other:.0%} vs {cover_chosen:.0%}) "
            f"but other evidence favours {chosen.id}",
            0.0,
        ))
    return found


def _parent_edge(model: FamilyModel, d: str, candidates: list[str], rank: dict[str, int]) -> tuple[Edge, str]:
    """d's edge from its likeliest parent among `candidates`, and the explanation line."""
    scored = [_candidate(model, d, c) for c in candidates]
    chances = _softmax([c.score for c in scored], model.weights.parent_temperature)
    chosen, choice = max(zip(scored, chances), key=lambda t: (t[1], -rank[t[0].id]))
    # which came first and which earlier member d was made from are two questions: a paper made
    # from one of two near-identical wire versions is surely later than both, whichever it was
    probability = model.platt(signals.sigmoid(model.log_odds(chosen.id, d)))
    p_parent = model.parent_chance(choice, probability)
    found = model.evidence(chosen.id, d)
    for other in scored:
        if other is not chosen:
            found += _preferred_over(model, d, chosen, other)
    edge = Edge(chosen.id, d, round(probability, 4), tuple(found), parent_probability=round(p_parent, 4))
    strongest = sorted(found, key=lambda e: -e.weight)[:_EXPLAINED]
    reasons = "; ".join(e.detail for e in strongest if e.weight > 0) or "no single strong signal"
    limits = "".join(f" Note: {e.detail}." for e in model.alignment_limits(chosen.id, d))
    others = [c for c in candidates if c != chosen.id]
    rather = f"; made from it rather than {', '.join(others)}: p={p_parent:.2f}" if others else ""
    if probability < ORIGIN.undecided:  # the texts do not decide: say so rather than guess
        return edge, (f"{d} and {chosen.id} share material, but which came first is undecided "
                      f"(p={probability:.2f} for {chosen.id} first): {reasons}.{limits}")
    return edge, f"{d} derives from {chosen.id} (p={probability:.2f}{rather}): {reasons}.{limits}"


def _sources(model: FamilyModel, d: str, parent: Edge, earlier: list[str]) -> tuple[list[Edge], list[Supply]]:
    """d's edges: from its parent (always) and from every other earlier member that supplies a
    real share of d by the copy model, each with its share and passages. A member that spells
    words differently from d where the parent does not is no source of d."""
    profiles = model.context.profiles
    # wording a member spells differently from d rules it out as a source, as it does as a parent
    conflicts = {c: len(variant_conflicts(profiles[d].spellings, profiles[c].spellings)) for c in earlier}
    allowed = conflicts.get(parent.source, 0)
    ranked = [parent.source] + [c for c in earlier if c != parent.source and conflicts[c] <= allowed]
    supplies = attribute(profiles[d], [profiles[c] for c in ranked], model.context.alignment)
    real = real_supplies(supplies)
    by_source = {s.source: s for s in supplies}
    primary = by_source.get(parent.source)
    edges = [replace(parent, share=round(primary.share, 4) if primary else 0.0,
                     passages=primary.passages if primary else ())]
    for supply in real:
        if supply.source != parent.source:
            p = model.platt(signals.sigmoid(model.log_odds(supply.source, d)))
            edges.append(Edge(supply.source, d, round(p, 4), tuple(model.evidence(supply.source, d)),
                              round(supply.share, 4), supply.passages))
    return edges, real


def _is_root(model: FamilyModel, d: str, earlier: list[str]) -> bool:
    """d shares no real part of itself with any earlier member (the caller also asks that no copy
    pair joins them): it joins the family only through a later text that draws on it and on
    others, as a mash-up does."""
    profiles = model.context.profiles
    return len(earlier) > 0 and all(
        model.context.sentence_share(profiles[d], profiles[c]) < ORIGIN.min_share for c in earlier)


def _scaled(confidence: dict[str, float], standing: dict[str, float] | None) -> dict[str, float]:
    """Confidences times each representative's chance of coming before its near-duplicates."""
    return confidence if not standing else {m: c * standing.get(m, 1.0) for m, c in confidence.items()}


def _family(
    members: tuple[str, ...], links: dict[Link, float], model: FamilyModel, standing: dict[str, float] | None = None
) -> Family:
    """The family of `members` scored pair by pair. `standing`: for a representative of
    near-duplicates (see `_collapsed`), its chance of coming before them, which its confidence of
    being the origin includes."""
    dense = len(members) <= ORIGIN.dense_limit
    cap = len(members) if dense else ORIGIN.max_compared  # earlier members one member is measured against
    # A large family's direction evidence comes from each member's strongest links: templated items
    # link to dozens of near-identical others, and scoring every link costs their square.
    scored = set(links) if dense else _strongest(links, members)
    # pairs that share nothing real say nothing about which came first: a dense family compares the
    # pairs that are copy-linked or share a real part of one of them
    context, profiles = model.context, model.context.profiles
    compared = (((a, b) for i, a in enumerate(members) for b in members[i + 1 :]
                 if (a, b) in links or context.related(profiles[a], profiles[b]))
                if dense else sorted(scored))
    order, confidence = _rank_members(members, compared, model)
    confidence = _scaled(confidence, standing)
    lines = _origin_lines(order, confidence, model)
    rank = {m: k for k, m in enumerate(order)}
    strong, every = _adjacency(members, scored), _adjacency(members, links)
    edges: list[Edge] = []
    roots = [order[0]]
    unchecked: dict[str, int] = {}  # a further root: the earlier members not checked (over `cap`)
    for k, d in enumerate(order[1:], 1):
        linked = sorted((c for c in every[d] if rank[c] < k), key=rank.__getitem__)
        if len(members) > 2 and not linked and _is_root(model, d, order[:min(k, cap)]):
            roots.append(d)
            unchecked[d] = k - min(k, cap)
            continue
        # the earlier members d is linked to by a scored link, else by any link, else all of them;
        # in a large family, at most `cap` of them, the highest-ranked
        candidates = sorted((c for c in strong[d] if rank[c] < k), key=rank.__getitem__) or linked or order[:k]
        edge, line = _parent_edge(model, d, candidates[:cap], rank)
        found, real = _sources(model, d, edge, (linked or candidates)[:cap])
        edges += found
        if (n := max(len(candidates), len(linked))) > cap:
            line += f" Note: measured against the {cap} highest-ranked of {n} earlier members (ORIGIN.max_compared)."
        lines.append(line)
        if len(real) > 1:
            lines.append(draws_on(d, real) + ".")
    if len(roots) > 1:
        # another root shares nothing with the origin, so their scores do not compare: the origin's
        # confidence is among the members that are not other roots
        rest = [m for m in members if m not in roots[1:]]
        confidence = _scaled(_confidences(rest, model.scores, model), standing)
        lines[0:1] = _origin_lines([m for m in order if m in confidence], confidence, model)[:1]
    origins = [(order[0], round(confidence[order[0]], 4))]
    for r in roots[1:]:
        holders = [e for e in edges if e.source == r]
        p = min((e.probability for e in holders), default=0.5)
        origins.append((r, round(p, 4)))
        lines.append(f"{r} is also a root: it shares little with the members before it"
                     + (f"; {', '.join(sorted({e.derivative for e in holders}))} draw(s) on it." if holders else ".")
                     + (f" Note: checked against the {cap} highest-ranked of them, not {unchecked[r]} more"
                        " (ORIGIN.max_compared)." if unchecked[r] else ""))
    origin = order[0]
    return Family(members, origin, round(confidence[origin], 4), tuple(edges), tuple(lines), tuple(origins))


# --- near-duplicates ------------------------------------------------------------------------------


def near_duplicates(pairs: Sequence[Pair]) -> dict[Link, float]:
    """The copy pairs at least ORIGIN.near_duplicate alike, with their resemblance."""
    return {(p.a, p.b): p.resemblance for p in pairs
            if p.verdict == "copy" and p.resemblance >= ORIGIN.near_duplicate and p.a < p.b}


def _clusters(members: tuple[str, ...], similar: dict[Link, float]) -> dict[str, list[str]]:
    """Near-duplicate clusters, each a centre with the members near-duplicate to it (centre first):
    the member with the most near-duplicates takes those not yet taken, then the next (ties by id),
    so every member of a cluster is a near-duplicate of its centre, not merely of a chain to it."""
    adjacent = _adjacency(members, similar)
    centre_of: dict[str, str] = {}
    clusters: dict[str, list[str]] = {}
    for m in sorted(members, key=lambda m: (-len(adjacent[m]), m)):
        if m not in centre_of:
            clusters[m] = [m] + sorted(n for n in adjacent[m] if n not in centre_of)
            centre_of.update(dict.fromkeys(clusters[m], m))
    return clusters


def _pair_model(model: FamilyModel, x: str, y: str) -> FamilyModel:
    """Two near-duplicates alone, as a family of two: where two texts are almost the same, the rest
    of the family reads them alike, and only their own evidence (dates, what one adds or drops,
    wire marks, credits) tells which came first."""
    profiles = model.context.profiles
    return FamilyModel(FamilyContext({x: profiles[x], y: profiles[y]}), model.weights)


def _attach(model: FamilyModel, c: str, candidates: list[str], rep: str, similar: dict[Link, float],
            near: str | None = None) -> tuple[list[Edge], list[str]]:
    """c's edges from its parent among `candidates` (earlier first) and its lines, said to be a
    near-duplicate of `near` (default: the only candidate), which `rep` stood for."""
    near = near or candidates[0]
    edge, line = _parent_edge(model, c, candidates, {m: k for k, m in enumerate(candidates)})
    found, real = _sources(model, c, edge, candidates)
    resemblance = similar[(min(c, near), max(c, near))]
    why = (f"{c} is a near-duplicate of {near} (resemblance {resemblance:.2f}): the family was scored with {rep} "
           f"standing for both, and the texts' own evidence decides " +
           ("which came first" if len(candidates) == 1 else f"whether {c} derives from {near} or from {candidates[0]}"))
    found[0] = replace(found[0], evidence=(Evidence("near_duplicate", why, 0.0), *found[0].evidence))
    told = [f"{line} Near-duplicate of {near} (resemblance {resemblance:.2f}): scored as one text with it "
            "(ORIGIN.near_duplicate)."]
    if len(real) > 1:
        told.append(draws_on(c, real) + ".")
    return found, told


def _collapsed(members: tuple[str, ...], links: dict[Link, float], similar: dict[Link, float],
               model: FamilyModel) -> Family:
    """A large family with near-duplicates: each cluster of them (`_clusters`) is scored as one
    text, the member its own pairs put first; the family of these representatives is scored as any
    family, then every other member is attached to the member it is a near-duplicate of, by the
    pair's own evidence, or, where its representative derives from another member, to whichever of
    the two the three texts' own evidence favours. The work is linear in the near-duplicates: a pair
    or three texts each."""
    rep_of: dict[str, str] = {}
    attached: list[tuple[str, str, FamilyModel]] = []  # (member, its parent, the pair's model)
    for centre, cluster in _clusters(members, similar).items():
        alone = {c: _pair_model(model, c, centre) for c in cluster[1:]}
        ahead = {c: alone[c].log_odds(c, centre) for c in cluster[1:]}
        rep = max(cluster, key=lambda c: (ahead.get(c, 0.0), c == centre))
        rep_of.update(dict.fromkeys(cluster, rep))
        for c in cluster:
            if c == rep:
                continue
            if c == centre:
                attached.append((c, rep, alone[rep]))
            elif rep == centre:
                attached.append((c, rep, alone[c]))
            elif (min(c, rep), max(c, rep)) in similar:
                attached.append((c, rep, _pair_model(model, rep, c)))
            else:
                attached.append((c, centre, alone[c]))
    # each member's edge from the member it nearly duplicates, by the pair's own evidence; the
    # representative's chance of coming before its near-duplicates is part of its confidence
    attachments = {c: _attach(alone, c, [parent], rep_of[c], similar) for c, parent, alone in attached}
    standing: dict[str, float] = {}
    for c, parent, _ in attached:
        if parent == rep_of[c]:
            standing[parent] = min(standing.get(parent, 1.0), attachments[c][0][0].probability)
    reps = tuple(sorted(set(rep_of.values())))
    rep_links: dict[Link, float] = {}
    for (a, b), strength in links.items():
        x, y = sorted((rep_of[a], rep_of[b]))
        if x != y:
            rep_links[(x, y)] = max(rep_links.get((x, y), 0.0), strength)
    if len(reps) == 1:
        [origin] = reps
        confidence = standing.get(origin, 1.0)
        edges = [e for found, _ in attachments.values() for e in found]
        lines = [line for _, told in attachments.values() for line in told]
        first = (f"Origin undecided: {origin} ({confidence:.2f}) and its near-duplicates are not separated by "
                 "the evidence." if confidence < ORIGIN.undecided else
                 f"Likely origin: {origin} (confidence {confidence:.2f}; every other member is a near-duplicate).")
        return Family(members, origin, round(confidence, 4), tuple(edges), (first, *lines), ((origin, round(confidence, 4)),))
    profiles = model.context.profiles
    inner = _family(reps, rep_links, FamilyModel(FamilyContext({r: profiles[r] for r in reps}), model.weights), standing)
    # near-duplicates are often siblings (two republications of one story, two cuts of it), not one the
    # other's copy: a member whose representative derives from another is given the choice between the
    # member it nearly duplicates and that source, the three texts alone
    source_of = {}
    for e in inner.edges:
        source_of.setdefault(e.derivative, e.source)  # a derivative's first edge is from its parent
    edges: list[Edge] = []
    lines: list[str] = []
    for c, parent, _ in attached:
        source = source_of.get(rep_of[c])
        if source is not None and source != parent:
            three = FamilyModel(FamilyContext({m: profiles[m] for m in (c, parent, source)}), model.weights)
            attachments[c] = _attach(three, c, [source, parent], rep_of[c], similar, parent)
        edges += attachments[c][0]
        lines += attachments[c][1]
    near = sorted(c for c in members if rep_of[c] == inner.origin and c != inner.origin)
    told = [f"{inner.origin} stands for its near-duplicates {', '.join(near[:_SHOWN_VARIANTS])}"
            + (f" and {len(near) - _SHOWN_VARIANTS} more" if len(near) > _SHOWN_VARIANTS else "")
            + f": its own evidence puts it before each (p >= {standing[inner.origin]:.2f}), which its confidence includes."
            ] if near else []
    return Family(members, inner.origin, inner.origin_confidence, inner.edges + tuple(edges),
                  inner.explanation[:1] + tuple(told) + inner.explanation[1:] + tuple(lines), inner.origins)


def family_models(
    docs: Sequence[Document],
    pairs: Sequence[Pair],
    weights: Weights = FITTED,
    contexts: dict[tuple[str, ...], FamilyContext] | None = None,
) -> Iterator[tuple[tuple[str, ...], dict[Link, float], FamilyModel]]:
    """Each family's members, copy links (with their strength) and model, one family at a time,
    so only one family's profiles are alive at once unless `contexts` keeps them (see `families`)."""
    by_id = documents_by_id(docs)
    groups = components(sorted(by_id), pairs)
    for members, links in zip(groups, _copy_links(groups, pairs)):
        context = None if contexts is None else contexts.get(members)
        if context is None:
            context = FamilyContext({m: build_profile(by_id[m]) for m in members})
            if contexts is not None:
                contexts[members] = context
        yield members, links, FamilyModel(context, weights)


def families(
    docs: Sequence[Document],
    pairs: Sequence[Pair],
    *,
    weights: Weights = FITTED,
    contexts: dict[tuple[str, ...], FamilyContext] | None = None,
) -> list[Family]:
    """Families over copy pairs with direction, derivation edges and the likely origin.

    `weights` overrides the fitted ones and `contexts` keeps each family's measurements
    (which do not depend on the weights) across calls on the same documents: the fitting
    script scores one set under many weights.
    """
    near = near_duplicates(pairs)
    found = []
    for members, links, model in family_models(docs, pairs, weights, contexts):
        similar = {link: near[link] for link in links if link in near} if len(members) > ORIGIN.dense_limit else {}
        found.append(_collapsed(members, links, similar, model) if similar else _family(members, links, model))
    return found


def directions(
    docs: Sequence[Document],
    pairs: Sequence[Pair],
    *,
    weights: Weights = FITTED,
    contexts: dict[tuple[str, ...], FamilyContext] | None = None,
) -> list[Edge]:
    """For every copy pair: the likelier source -> derivative, its probability and evidence."""
    out = []
    for _, links, model in family_models(docs, pairs, weights, contexts):
        for a, b in sorted(links):
            p = signals.sigmoid(model.log_odds(a, b))
            source, derivative = (a, b) if p >= 0.5 else (b, a)
            found = tuple(model.evidence(source, derivative))
            out.append(Edge(source, derivative, round(max(p, 1 - p), 4), found))
    return out
