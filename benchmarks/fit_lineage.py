"""Fit the direction weights and the lineage temperatures on real labelled reuse and the generated set.

    python benchmarks/fit_lineage.py [n_families] [--write | --out PATH] [--folds K]

Real reuse first (`realreuse`: METER showbiz wire -> paper, as filed and text alone; COUNTER
dev agency -> paper, dated and undated, when ../shared/data is present), and the training
half of `lineagegen.generate()` for what real data lacks (chains, spins, padding, backdated
copies); its originals never appear in the held-out half. Prints the fitted weights as JSON,
the cross-validated figures on the real sets (folds by story, never by edge: every variant of
one story is in the same fold) and the held-out generated figures; `--write` stores the
weights in provenance/origin/weights.json (what the package reads), `--out PATH` elsewhere.
Clough-Stevenson and corpus/news are never used here.

Fitting order: signal weights (L2 logistic regression without intercept, so
P(a -> b) + P(b -> a) = 1, every weight >= 0: each signal is built so that a positive value
favours the first text, and a weight the fit would make negative is confounded and set to 0;
a credit naming the other text weighs at least as much as the dates)
on labelled copy pairs, the real sets weighted so that together they count REAL_SHARE of the
total; parent-choice weights by grid search on generated parent accuracy; origin temperature
and size power by grid search on generated log-loss; then Platt scaling of edge probabilities (that the source came
first; a scale, no shift, so an edge the texts do not decide stays at 0.5) on the generated
family edges and on *held-out* real edges: each real story's edges are
scored under signal weights fitted without its fold, as a new user's texts will be (in-sample
edges are over-confident: the weights saw them). The cross-validation nests that: the scaling of
each outer fold is fitted on the other folds' held-out edges. Last, the parent temperature and a
Platt scaling (scale and shift) of the parent choice (that, of the earlier members, the chosen one
is the one a derivative was made from) on the generated training families, the only ones whose
parents are known.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_origin, lineagegen, realreuse
from provenance.origin.families import directions, families, family_models
from provenance.origin.signals import FEATURES
from provenance.origin.weights import FITTED, Weights, source_path

PARENT_GRID = {"parent_coverage": (3.0, 5.0, 8.0), "parent_variant": (2.0, 4.0, 8.0), "parent_quote": (1.0, 2.0, 4.0)}
SIZE_POWERS = (0.0, 0.5, 0.75, 1.0, 1.25)
ORIGIN_TEMPERATURES = (0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0)
PARENT_TEMPERATURES = (0.03, 0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)  # an optimum at an end is a truncated grid
REAL_SHARE = 0.75  # the real sets' share of the total sample weight (when present)
FOLDS = 5
TIED = ("date", "credit")  # the second weighs at least as much as the first (see fit_signals)
EdgeRow = tuple[float, float]  # an edge's probability, right (1, 0; 0.5: a tie at 0.5)


def logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50, sample_weight: np.ndarray | None = None,
             nonnegative: bool = False) -> np.ndarray:
    """L2-penalised logistic regression without intercept (Newton's method). With `nonnegative`,
    weights the fit drives below 0 are fixed at 0 and the rest refitted (an active-set method)."""
    sw = np.ones(len(y)) if sample_weight is None else sample_weight
    free = np.ones(X.shape[1], dtype=bool)
    while True:
        w = np.zeros(X.shape[1])
        Xf = X[:, free]
        wf = np.zeros(Xf.shape[1])
        for _ in range(iters):
            p = 1 / (1 + np.exp(-Xf @ wf))
            gradient = Xf.T @ (sw * (p - y)) + l2 * wf
            hessian = (Xf * (sw * p * (1 - p))[:, None]).T @ Xf + l2 * np.eye(Xf.shape[1])
            step = np.linalg.solve(hessian, gradient)
            wf -= step
            if np.abs(step).max() < 1e-8:
                break
        w[free] = wf
        if not nonnegative or (w >= 0).all():
            return w
        free &= w > 0


def verified_pairs(g: lineagegen.GenFamily, pairs_cache: dict) -> list:
    key = g.docs[0].id
    if key not in pairs_cache:
        pairs_cache[key] = bench_origin.compare_all(list(g.docs))
    return pairs_cache[key]


def _real_scan(story: realreuse.Story, cache: dict):
    """The story's documents and verified pairs (whole scan), kept across trials."""
    from provenance.engines.local import scan_documents

    key = tuple((d.id, d.published, d.text) for d in story.docs)
    if key not in cache:
        result = scan_documents(list(story.docs))
        cache[key] = (result.documents, result.pairs)
    return cache[key]


def real_rows(stories: list[realreuse.Story], cache: dict, contexts: dict) -> tuple[np.ndarray, np.ndarray]:
    """(signal values, label) for the labelled wire/agency-paper copy pairs of real stories."""
    X, y = [], []
    for story in stories:
        docs, pairs = _real_scan(story, cache)
        for _, links, model in family_models(docs, pairs, FITTED, contexts):
            for a, b in sorted(links):
                if (right := story.label(a, b)) is not None:
                    values = model.signal_values(a, b)
                    X.append([values[k] for k in FEATURES])
                    y.append(1.0 if right else 0.0)
    return np.array(X).reshape(-1, len(FEATURES)), np.array(y)


def real_edges(stories: list[realreuse.Story], weights: Weights, cache: dict, contexts: dict) -> bench_origin.RealTally:
    """Scores of real stories under `weights` (pairs and parent edges)."""
    t = bench_origin.RealTally()
    for story in stories:
        docs, pairs = _real_scan(story, cache)
        for e in directions(docs, pairs, weights=weights, contexts=contexts):
            if (right := story.score(e)) is not None:
                t.pairs.append((e.probability, right))
        for f in families(docs, pairs, weights=weights, contexts=contexts):
            t.edges += [(e.probability, right) for e in f.edges
                        if (right := story.score(e)) is not None]
    return t


def pair_rows(gen, pairs_cache: dict, contexts: dict) -> tuple[np.ndarray, np.ndarray]:
    """(signal values, label) for copy pairs where one text is the other's ancestor."""
    X, y = [], []
    for g in gen:
        for _, links, model in family_models(list(g.docs), verified_pairs(g, pairs_cache), FITTED, contexts):
            for a, b in sorted(links):
                if a in g.ancestors(b) or b in g.ancestors(a):
                    values = model.signal_values(a, b)
                    X.append([values[k] for k in FEATURES])
                    y.append(1.0 if a in g.ancestors(b) else 0.0)
    return np.array(X), np.array(y)


def nll(rows) -> float:
    return -sum(math.log(max(1e-9, c if ok else 1 - c)) for c, ok in rows) / max(1, len(rows))


class Trials:
    """Runs of the training families under trial weights, sharing pairs and measurements."""

    def __init__(self, train):
        self.train = train
        self.pairs: dict = {}
        self.contexts: dict = {}

    def run(self, weights: Weights) -> bench_origin.Tally:
        return bench_origin.run_generated(self.train, weights, pairs_cache=self.pairs, contexts=self.contexts)


def fit_parent_choice(trials: Trials, weights: Weights) -> Weights:
    """The parent-choice weights with the best training parent accuracy (then log-loss)."""
    best = None
    for coverage in PARENT_GRID["parent_coverage"]:
        for variant in PARENT_GRID["parent_variant"]:
            for quote in PARENT_GRID["parent_quote"]:
                trial = replace(weights, parent_coverage=coverage, parent_variant=variant, parent_quote=quote)
                t = trials.run(trial)
                key = (bench_origin.Tally.rate(t.parent), -nll(t.parent))
                if best is None or key > best[0]:
                    best = (key, trial)
    print("parent choice", {k: getattr(best[1], k) for k in PARENT_GRID}, "train parent acc", best[0][0])
    return best[1]


def fit_temperatures(trials: Trials, weights: Weights) -> Weights:
    """Origin temperature and size power, by training log-loss."""
    fits = []
    for power in SIZE_POWERS:
        for temperature in ORIGIN_TEMPERATURES:
            t = trials.run(replace(weights, origin_temperature=temperature, origin_size_power=power))
            fits.append((nll(t.origin), temperature, power))
    _, temperature, power = min(fits)
    weights = replace(weights, origin_temperature=temperature, origin_size_power=power)
    print("origin_temperature", weights.origin_temperature, "origin_size_power", weights.origin_size_power)
    return weights


def uncalibrated(weights: Weights) -> Weights:
    return replace(weights, edge_scale=1.0, edge_shift=0.0)


def _logits(rows) -> np.ndarray:
    """logit(p) of (p, right) rows, p kept inside (1e-6, 1 - 1e-6)."""
    P = np.array([min(max(c, 1e-6), 1 - 1e-6) for c, _ in rows])
    return np.log(P / (1 - P))


def fit_parent_scaling(trials: Trials, weights: Weights) -> Weights:
    """The parent temperature and the Platt scaling (scale and shift) of the parent choice, by
    training log-loss after scaling, on the generated training families: where the chosen member
    is not the derivative's descendant (the direction is calibrated apart), right when it is the
    one the derivative was made from. A lone candidate is chosen for sure and not fitted. The
    temperature shapes the softmax over three or more candidates; over two, the scale alone."""
    fits = []
    for temperature in PARENT_TEMPERATURES:
        trial = replace(weights, parent_temperature=temperature, parent_scale=1.0, parent_shift=0.0)
        rows = [r for r in trials.run(trial).choice if r[0] < 1]
        A = np.column_stack([_logits(rows), np.ones(len(rows))])
        scale, shift = logistic(A, np.array([float(ok) for _, ok in rows]), l2=1e-3)
        scaled = 1 / (1 + np.exp(-(A @ np.array([scale, shift]))))
        loss = nll([(q, ok) for q, (_, ok) in zip(scaled.tolist(), rows)])
        fits.append((loss, temperature, round(float(scale), 3), round(float(shift), 3)))
    _, temperature, scale, shift = min(fits)
    weights = replace(weights, parent_temperature=temperature, parent_scale=scale, parent_shift=shift)
    print("parent_temperature", temperature, "parent_scale", scale, "parent_shift", shift)
    return weights


def fit_edge_scaling(trials: Trials, weights: Weights, real_rows: list[EdgeRow] = ()) -> Weights:
    """Platt scaling of edge probabilities (a scale, no shift) on the uncalibrated generated
    family edges (right when the source is an ancestor of the derivative) and `real_rows`
    (held-out real edges, weighted as the signals' real rows)."""
    rows = list(trials.run(uncalibrated(weights)).edges)
    sw = [1.0] * len(rows)
    if real_rows:
        sw += [REAL_SHARE / (1 - REAL_SHARE) * len(rows) / len(real_rows)] * len(real_rows)
        rows += real_rows
    # a scale only, no shift: an edge the evidence does not decide stays near 0.5 ("undecided")
    A = _logits(rows)[:, None]
    (scale,) = logistic(A, np.array([float(ok) for _, ok in rows]), l2=1e-3, sample_weight=np.array(sw))
    weights = replace(weights, edge_scale=round(float(scale), 3), edge_shift=0.0)
    print("edge_scale", weights.edge_scale, "edge_shift", weights.edge_shift)
    return weights


class RealData:
    """The real labelled sets present here, by name, with their scans and measurements kept."""

    def __init__(self, sets: dict[str, list[realreuse.Story]]):
        self.sets = sets
        self.scans: dict = {}
        # measurements are cached by member ids, which the variants of a set share: one cache per set
        self.contexts: dict[str, dict] = {name: {} for name in sets}

    @classmethod
    def present(cls) -> RealData:
        return cls(dict(bench_origin.real_sets()))

    def subset(self, keep) -> RealData:
        """The same sets restricted to stories with keep(story.name); scans and measurements shared."""
        out = RealData({k: [s for s in v if keep(s.name)] for k, v in self.sets.items()})
        out.scans, out.contexts = self.scans, self.contexts
        return out

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        parts = [real_rows(stories, self.scans, self.contexts[name]) for name, stories in self.sets.items()]
        X = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, len(FEATURES)))
        y = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0)
        return X, y


def fit_signals(gen_rows: tuple[np.ndarray, np.ndarray], real: RealData) -> dict[str, float]:
    """Non-negative weights on generated and real rows, the real ones REAL_SHARE of the weight."""
    (Xg, yg), (Xr, yr) = gen_rows, real.rows()
    X, y = np.concatenate([Xg, Xr]), np.concatenate([yg, yr])
    sw = np.ones(len(y))
    if len(yr):
        sw[len(yg):] = REAL_SHARE / (1 - REAL_SHARE) * len(yg) / len(yr)
    # A credit line naming the other text weighs at least as much as the dates (dates get re-stamped
    # and backdated; a credit to the source stays): the date column also carries the credit, and
    # the credit column's own weight (>= 0) is what it weighs beyond the dates.
    d, c = FEATURES.index(TIED[0]), FEATURES.index(TIED[1])
    X = X.copy()
    X[:, d] += X[:, c]
    w = logistic(X, y, sample_weight=sw, nonnegative=True)
    w[c] += w[d]
    return {k: round(float(v), 3) for k, v in zip(FEATURES, w)}


def fold_of(name: str, folds: int) -> int:
    """A story's fold: by its name, so every variant of a story falls in the same one."""
    return zlib.crc32(name.encode()) % folds


def held_out_rows(gen_rows, real: RealData, weights: Weights, folds: int, without: int | None = None) -> list[EdgeRow]:
    """Every real story's uncalibrated edges under signal weights fitted without its fold (stories
    of fold `without` are neither fitted on nor scored)."""
    rows: list[EdgeRow] = []
    for j in range(folds):
        if j == without:
            continue
        train = real.subset(lambda name: fold_of(name, folds) not in (j, without))
        held = real.subset(lambda name: fold_of(name, folds) == j)
        trial = uncalibrated(replace(weights, signals=fit_signals(gen_rows, train)))
        for name, stories in held.sets.items():
            rows += real_edges(stories, trial, real.scans, real.contexts[name]).edges
    return rows


def cross_validate(trials: Trials, gen_rows, real: RealData, weights: Weights, folds: int) -> dict[str, bench_origin.RealTally]:
    """Held-out scores on the real sets: each story is scored under weights fitted without it
    (folds by story; the signal weights and the edge calibration, itself on the other folds'
    held-out edges, are refitted; the parent-choice weights and temperatures are kept)."""
    out = {k: bench_origin.RealTally() for k in real.sets}
    for k in range(folds):
        train = real.subset(lambda name: fold_of(name, folds) != k)
        held = real.subset(lambda name: fold_of(name, folds) == k)
        trial = replace(weights, signals=fit_signals(gen_rows, train))
        trial = fit_edge_scaling(trials, trial, held_out_rows(gen_rows, real, trial, folds, without=k))
        for name, stories in held.sets.items():
            t = real_edges(stories, trial, real.scans, real.contexts[name])
            out[name].pairs += t.pairs
            out[name].edges += t.edges
    return out


def fit(n: int, folds: int = FOLDS) -> tuple[Weights, dict[str, bench_origin.RealTally]]:
    """The fitted weights and, with real sets present and folds > 1, their held-out tallies."""
    gen = lineagegen.generate(n)
    train = [g for g in gen if g.split == "train"]
    test = [g for g in gen if g.split == "test"]
    trials = Trials(train)
    real = RealData.present()
    gen_rows = pair_rows(train, trials.pairs, trials.contexts)
    print("generated pairs", len(gen_rows[1]), "real pairs", len(real.rows()[1]))
    signal_weights = fit_signals(gen_rows, real)
    print("signals", signal_weights)
    weights = replace(FITTED, signals=signal_weights)
    weights = fit_parent_choice(trials, weights)
    weights = fit_temperatures(trials, weights)
    if real.sets and folds > 1:
        calibration_rows = held_out_rows(gen_rows, real, weights, folds)
    else:  # no folds: the real edges in-sample (over-confident: the signal weights saw them)
        calibration_rows = [r for name, stories in real.sets.items()
                            for r in real_edges(stories, uncalibrated(weights), real.scans, real.contexts[name]).edges]
    weights = fit_edge_scaling(trials, weights, calibration_rows)
    weights = fit_parent_scaling(trials, weights)
    for name, part in (("train", train), ("held-out", test)):
        t = bench_origin.run_generated(part, weights, pairs_cache=trials.pairs, contexts=trials.contexts)
        print(bench_origin.summary(f"generated, {name} ({len(part)} families)", t))
    held_out = cross_validate(trials, gen_rows, real, weights, folds) if real.sets and folds > 1 else {}
    for name, t in held_out.items():
        print(bench_origin.real_summary(f"{name}: {folds}-fold cross-validation by story", t), "\n")
    return weights, held_out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n_families", type=int, nargs="?", default=400)
    parser.add_argument("--folds", type=int, default=FOLDS, help="cross-validation folds on the real sets (1: none)")
    parser.add_argument("--rows", type=Path, help="write the held-out real edges (probability, right) here as JSON")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--write", action="store_true", help="store the weights in provenance/origin/weights.json")
    where.add_argument("--out", type=Path, help="store the weights in this file")
    args = parser.parse_args(argv)
    weights, held_out = fit(args.n_families, args.folds)
    curves = {k: t.edges for k, t in held_out.items()}
    title = f"Origin edges on real reuse, held out ({args.folds}-fold cross-validation by story)"
    if curves and (drawn := bench_origin.reliability_diagram(curves, title)):
        print("reliability diagram of the held-out edges:", drawn)
    if args.rows:
        args.rows.write_text(json.dumps({k: t.edges for k, t in held_out.items()}), encoding="utf-8")
    print(weights.to_json(), end="")
    out = source_path() if args.write else args.out
    if out:
        out.write_text(weights.to_json(), encoding="utf-8")
        print("written to", out)


if __name__ == "__main__":
    main()
