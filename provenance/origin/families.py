"""Reuse families, their derivation graph, and the likely origin with its evidence.

A family is a connected group of documents joined by `copy` pairs (quotation of a
common source does not join). Within a family:

1. every pair gets a direction probability from `direction` (dates, containment once
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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import islice

from provenance.model import Document, Edge, Evidence, Family, Pair
from provenance.origin import signals as dr

# Fitted by `python benchmarks/fit_lineage.py 1000` on the training half of the generated lineage set
# (grid search on log-loss, then Platt scaling of edges); benchmarks/RESULTS.md "## Origin" has the
# held-out check. The fixed limits below (MAX_VARIANTS ... UNDECIDED) were chosen, not fitted.
ORIGIN_TEMPERATURE = 0.8  # softmax(ORIGIN_TEMPERATURE * summed log-odds) over members
PARENT_TEMPERATURE = 1.0
PARENT_COVERAGE = 8.0  # weight of log(share of d's 3-word runs found in the candidate)
PARENT_VARIANT = 2.0  # penalty per word the candidate spells differently (capped below)
PARENT_QUOTE = 2.0  # weight of log(1 + d's quoted 3-grams the candidate has): quotes are not reworded
ORIGIN_SIZE_POWER = 0.75  # summed log-odds are divided by (members - 1) ** this (pairs share evidence)
MAX_VARIANTS = 4
DENSE_LIMIT = 12  # families up to this size compare every pair; larger ones only copy-linked pairs
MAX_OTHERS = 16  # family members consulted for the "others" and witness signals of one pair
MAX_LINKS = 8  # above DENSE_LIMIT, the copy links scored per member (its strongest)
EDGE_SCALE, EDGE_SHIFT = 1.021, 1.108  # Platt scaling of parent-edge probabilities (fitted, see above)
UNDECIDED = 0.6  # origin confidence below this is reported as undecided


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
            ra, rb = find(p.a), find(p.b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for i in ids:
        groups.setdefault(find(i), []).append(i)
    return sorted((tuple(sorted(g)) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def _softmax(xs: list[float], t: float) -> list[float]:
    m = max(xs)
    e = [math.exp(t * (x - m)) for x in xs]
    s = sum(e)
    return [v / s for v in e]


class _FamilyModel:
    """Direction log-odds for the pairs of one family, computed lazily and cached."""

    def __init__(self, profiles: dict[str, dr.Profile], weights: dict[str, float] | None):
        self.p = profiles
        self.members = sorted(profiles)
        self.w = weights
        self.cache: dict = {}
        self.sig: dict[tuple[str, str], dr.PairSignals] = {}
        # every pair's others are among the first MAX_OTHERS + 2 members: one panel of witnesses
        self.panel = [profiles[m] for m in self.members[: MAX_OTHERS + 2]]

    def signals(self, a: str, b: str) -> dr.PairSignals:
        key = (a, b) if a < b else (b, a)
        if key not in self.sig:
            others = [self.p[m] for m in islice((m for m in self.members if m not in key), MAX_OTHERS)]
            self.sig[key] = dr.signals(self.p[key[0]], self.p[key[1]], others, self.cache, self.panel)
        return self.sig[key]

    def z(self, a: str, b: str) -> float:
        """Log-odds that a is the source of b."""
        s = dr.logit(self.signals(a, b), self.w)
        return s if a < b else -s

    def evidence(self, a: str, b: str) -> list[Evidence]:
        key = (a, b) if a < b else (b, a)
        ev = dr.evidence(self.p[key[0]], self.p[key[1]], self.signals(a, b), self.w)
        if a > b:
            ev = [Evidence(e.signal, e.detail, -e.weight) for e in ev]
        return sorted(ev, key=lambda e: (-abs(e.weight), e.signal))

    def cover(self, d: str, p: str) -> float:
        """Share of d's exact 3-word runs found in p: inherited edits are exact, while two
        independent rewrites of one source converge on loose, sentence-level wording."""
        s = self.signals(d, p)
        return s.c3_ab if d < p else s.c3_ba


def _log_sigmoid(z: float) -> float:
    return -math.log1p(math.exp(-z)) if z > -30 else z


def _platt(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return dr.sigmoid(EDGE_SCALE * math.log(p / (1 - p)) + EDGE_SHIFT)


def _copy_links(groups: list[tuple[str, ...]], pairs: Sequence[Pair]) -> list[dict[tuple[str, str], float]]:
    """Each group's copy links with their strength (the larger containment), from one pass over
    the pairs (a pass per group is quadratic at scale)."""
    group_of = {m: g for g, members in enumerate(groups) for m in members}
    links: list[dict[tuple[str, str], float]] = [{} for _ in groups]
    for p in pairs:
        g = group_of.get(p.a)
        if p.verdict == "copy" and g is not None and group_of.get(p.b) == g:
            links[g][(min(p.a, p.b), max(p.a, p.b))] = max(p.containment_a_in_b, p.containment_b_in_a)
    return links


def _parent_scores(fm: _FamilyModel, d: str, cands: list[str]) -> dict[str, tuple[float, list, int]]:
    """Log-score of each candidate as d's parent: its direction log-odds, how much of d's exact
    wording it holds, words it spells differently from d, and d's quoted wording it has."""
    out = {}
    for c in cands:
        conflicts = dr.variant_conflicts(fm.p[d], fm.p[c])
        quoted = len(fm.p[d].quote_grams & fm.p[c].grams)
        g = (
            _log_sigmoid(fm.z(c, d))
            + PARENT_COVERAGE * math.log(fm.cover(d, c) + 0.02)
            - PARENT_VARIANT * min(len(conflicts), MAX_VARIANTS)
            + PARENT_QUOTE * math.log1p(quoted)
        )
        out[c] = (g, conflicts, quoted)
    return out


def _strongest(links: dict[tuple[str, str], float], members: tuple[str, ...]) -> set[tuple[str, str]]:
    """The links among each member's `MAX_LINKS` strongest (ties by id)."""
    mine: dict[str, list[tuple[float, str, tuple[str, str]]]] = {m: [] for m in members}
    for (a, b), strength in links.items():
        mine[a].append((-strength, b, (a, b)))
        mine[b].append((-strength, a, (a, b)))
    return {link for ranked in mine.values() for _, _, link in sorted(ranked)[:MAX_LINKS]}


def _adjacency(members: tuple[str, ...], links) -> dict[str, list[str]]:
    linked: dict[str, list[str]] = {m: [] for m in members}
    for a, b in links:
        linked[a].append(b)
        linked[b].append(a)
    return linked


def _family(members: tuple[str, ...], links: dict[tuple[str, str], float], fm: _FamilyModel) -> Family:
    n = len(members)
    dense = n <= DENSE_LIMIT
    # A large family's direction evidence comes from each member's strongest links: templated items
    # link to dozens of near-identical others, and scoring every link costs their square.
    scored = set(links) if dense else _strongest(links, members)
    score = dict.fromkeys(members, 0.0)
    pairs = ((a, b) for i, a in enumerate(members) for b in members[i + 1 :]) if dense else sorted(scored)
    for a, b in pairs:
        z = fm.z(a, b)
        score[a] += z
        score[b] -= z
    norm = max(1, n - 1) ** ORIGIN_SIZE_POWER
    probs = _softmax([score[m] / norm for m in members], ORIGIN_TEMPERATURE)
    conf = dict(zip(members, probs))
    order = sorted(members, key=lambda m: (-score[m], m))
    origin = order[0]
    edges: list[Edge] = []
    lines: list[str] = []
    runner = order[1]
    if conf[origin] < UNDECIDED:
        lines.append(
            f"Origin undecided: {origin} ({conf[origin]:.2f}) and {runner} ({conf[runner]:.2f}) "
            "are not separated by the evidence."
        )
    else:
        lines.append(f"Likely origin: {origin} (confidence {conf[origin]:.2f}; next {runner} at {conf[runner]:.2f}).")
    why = [e.detail for e in fm.evidence(origin, runner) if e.weight > 0][:3]
    if why:
        lines.append(f"{origin} before {runner}: " + "; ".join(why) + ".")
    rank = {m: k for k, m in enumerate(order)}
    strong, every = _adjacency(members, scored), _adjacency(members, links)
    for k, d in enumerate(order[1:], 1):
        earlier = order[:k]
        cands = (
            sorted((c for c in strong[d] if rank[c] < k), key=rank.__getitem__)
            or sorted((c for c in every[d] if rank[c] < k), key=rank.__getitem__)
            or earlier
        )
        sc = _parent_scores(fm, d, cands)
        names = list(sc)
        pp = _softmax([sc[c][0] for c in names], PARENT_TEMPERATURE)
        best = max(zip(names, pp), key=lambda t: (t[1], -rank[t[0]]))
        src, p_parent = best
        p_dir = dr.sigmoid(fm.z(src, d))
        prob = _platt(p_parent * p_dir)
        ev = fm.evidence(src, d)
        for other in names:
            if other == src:
                continue
            conf_other, extra = sc[other][1], len(sc[other][1]) - len(sc[src][1])
            if conf_other and extra > 0:
                shown = ", ".join(f"'{w}' where {other} has '{v}'" for w, v in conf_other[:3])
                ev.append(Evidence("variants", f"{d} writes {shown}; {src} does not differ", PARENT_VARIANT * extra))
            q_src, q_oth = sc[src][2], sc[other][2]
            if q_src > q_oth:
                ev.append(
                    Evidence(
                        "quotes",
                        f"{d}'s quotations match {src}'s wording ({q_src} quoted 3-word runs) better than {other}'s ({q_oth})",
                        round(PARENT_QUOTE * (math.log1p(q_src) - math.log1p(q_oth)), 3),
                    )
                )
            c_src, c_oth = fm.cover(d, src), fm.cover(d, other)
            if c_oth > c_src:
                ev.append(
                    Evidence(
                        "overlap",
                        f"{d} overlaps {other} more ({c_oth:.0%} vs {c_src:.0%}) but other evidence favours {src}",
                        0.0,
                    )
                )
        edges.append(Edge(src, d, round(prob, 4), tuple(ev)))
        top = "; ".join(e.detail for e in sorted(ev, key=lambda e: -e.weight)[:3] if e.weight > 0)
        top = top or "no single strong signal"
        alt = f" rather than {', '.join(c for c in names if c != src)}" if len(names) > 1 else ""
        lines.append(f"{d} derives from {src}{alt} (p={prob:.2f}): {top}.")
    return Family(members, origin, round(conf[origin], 4), tuple(edges), tuple(lines))


def families(
    docs: list[Document],
    pairs: list[Pair],
    *,
    phrases=None,
    weights: dict[str, float] | None = None,
) -> list[Family]:
    """Families over copy pairs with direction, derivation edges and the likely origin.

    `phrases` (the scan's shingle statistics) is accepted for interface symmetry with
    `verdict.compare`; stock text is already set aside by the chrome filter here.
    `weights` overrides the fitted direction weights (used by the fitting script).
    """
    by_id = {d.id: d for d in docs}
    groups = components(sorted(by_id), pairs)
    out = []
    for members, links in zip(groups, _copy_links(groups, pairs)):
        fm = _FamilyModel({m: dr.profile(by_id[m]) for m in members}, weights)
        out.append(_family(members, links, fm))
    return out


def directions(docs: list[Document], pairs: list[Pair], *, weights: dict[str, float] | None = None) -> list[Edge]:
    """For every copy pair: the likelier source -> derivative, its probability and evidence."""
    by_id = {d.id: d for d in docs}
    groups = components(sorted(by_id), pairs)
    out = []
    for members, links in zip(groups, _copy_links(groups, pairs)):
        fm = _FamilyModel({m: dr.profile(by_id[m]) for m in members}, weights)
        for a, b in sorted(links):
            p = dr.sigmoid(fm.z(a, b))
            src, der = (a, b) if p >= 0.5 else (b, a)
            out.append(Edge(src, der, round(max(p, 1 - p), 4), tuple(fm.evidence(src, der))))
    return out
