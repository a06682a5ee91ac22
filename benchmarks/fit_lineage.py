"""Fit the direction weights and the lineage temperatures on the generated lineage set.

    python benchmarks/fit_lineage.py [n_families] [--write | --out PATH]

Uses only the training half of `lineagegen.generate()` (its originals never appear in
the held-out half). Prints the fitted weights as JSON and the held-out figures they
give; `--write` stores them in provenance/origin/weights.json (what the package reads),
`--out PATH` elsewhere. Clough-Stevenson and corpus/news are never used here.

Fitting order: signal weights (L2 logistic regression without intercept, so
P(a -> b) + P(b -> a) = 1) on ancestor/descendant copy pairs; parent-choice weights by
grid search on parent accuracy; origin temperature and size power, then the parent
temperature, by grid search on log-loss; then Platt scaling of edge probabilities.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_origin, lineagegen
from provenance.origin.families import family_models
from provenance.origin.signals import FEATURES
from provenance.origin.weights import FITTED, Weights, source_path

PARENT_GRID = {"parent_coverage": (3.0, 5.0, 8.0), "parent_variant": (2.0, 4.0, 8.0), "parent_quote": (1.0, 2.0, 4.0)}
SIZE_POWERS = (0.0, 0.5, 0.75, 1.0, 1.25)
ORIGIN_TEMPERATURES = (0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0)
PARENT_TEMPERATURES = (0.15, 0.25, 0.35, 0.5, 0.75, 1.0)


def logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> np.ndarray:
    """L2-penalised logistic regression without intercept (Newton's method)."""
    w = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-X @ w))
        gradient = X.T @ (p - y) + l2 * w
        hessian = (X * (p * (1 - p))[:, None]).T @ X + l2 * np.eye(X.shape[1])
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def verified_pairs(g: lineagegen.GenFamily, pairs_cache: dict) -> list:
    key = g.docs[0].id
    if key not in pairs_cache:
        pairs_cache[key] = bench_origin.compare_all(list(g.docs))
    return pairs_cache[key]


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
    """Origin temperature and size power, then parent temperature, by training log-loss."""
    fits = []
    for power in SIZE_POWERS:
        for temperature in ORIGIN_TEMPERATURES:
            t = trials.run(replace(weights, origin_temperature=temperature, origin_size_power=power))
            fits.append((nll(t.origin), temperature, power))
    _, temperature, power = min(fits)
    weights = replace(weights, origin_temperature=temperature, origin_size_power=power)
    fits = []
    for parent_temperature in PARENT_TEMPERATURES:
        t = trials.run(replace(weights, parent_temperature=parent_temperature))
        fits.append((nll(t.parent), parent_temperature))
    weights = replace(weights, parent_temperature=min(fits)[1])
    print("origin_temperature", weights.origin_temperature, "origin_size_power", weights.origin_size_power,
          "parent_temperature", weights.parent_temperature)
    return weights


def fit_edge_scaling(trials: Trials, weights: Weights) -> Weights:
    """Platt scaling, fitted on the uncalibrated edge probabilities."""
    t = trials.run(replace(weights, edge_scale=1.0, edge_shift=0.0))
    P = np.array([min(max(c, 1e-6), 1 - 1e-6) for c, _ in t.parent])
    A = np.stack([np.log(P / (1 - P)), np.ones_like(P)], axis=1)
    scale, shift = logistic(A, np.array([float(ok) for _, ok in t.parent]), l2=1e-3)
    weights = replace(weights, edge_scale=round(float(scale), 3), edge_shift=round(float(shift), 3))
    print("edge_scale", weights.edge_scale, "edge_shift", weights.edge_shift)
    return weights


def fit(n: int) -> Weights:
    gen = lineagegen.generate(n)
    train = [g for g in gen if g.split == "train"]
    test = [g for g in gen if g.split == "test"]
    trials = Trials(train)
    X, y = pair_rows(train, trials.pairs, trials.contexts)
    print("pairs", len(y), "positives", int(y.sum()))
    signal_weights = {k: round(float(v), 3) for k, v in zip(FEATURES, logistic(X, y))}
    print("signals", signal_weights)
    weights = replace(FITTED, signals=signal_weights)
    weights = fit_parent_choice(trials, weights)
    weights = fit_temperatures(trials, weights)
    weights = fit_edge_scaling(trials, weights)
    for name, part in (("train", train), ("held-out", test)):
        t = bench_origin.run_generated(part, weights, pairs_cache=trials.pairs, contexts=trials.contexts)
        print(bench_origin.summary(f"{name} ({len(part)} families)", t))
    return weights


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n_families", type=int, nargs="?", default=400)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--write", action="store_true", help="store the weights in provenance/origin/weights.json")
    where.add_argument("--out", type=Path, help="store the weights in this file")
    args = parser.parse_args(argv)
    weights = fit(args.n_families)
    print(weights.to_json(), end="")
    out = source_path() if args.write else args.out
    if out:
        out.write_text(weights.to_json(), encoding="utf-8")
        print("written to", out)


if __name__ == "__main__":
    main()
