"""Fit the direction weights and the lineage temperatures on the generated lineage set.

    python benchmarks/fit_lineage.py [n_families]

Uses only the training half of `lineagegen.generate()` (its originals never appear in
the held-out half). Prints the coefficients to paste into provenance/direction.py
(WEIGHTS) and provenance/lineage.py (temperatures and parent weights), and the
held-out figures they give. Clough-Stevenson and corpus/news are never used here.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_origin, lineagegen  # noqa: E402
from provenance import lineage  # noqa: E402
from provenance.origin import signals as dr  # noqa: E402


def logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> np.ndarray:
    """L2-penalised logistic regression without intercept (Newton's method)."""
    w = np.zeros(X.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-X @ w))
        g = X.T @ (p - y) + l2 * w
        H = (X * (p * (1 - p))[:, None]).T @ X + l2 * np.eye(X.shape[1])
        step = np.linalg.solve(H, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def pair_rows(gen, cache):
    """(features, label) for copy pairs where one text is the other's ancestor."""
    X, y = [], []
    for g in gen:
        docs = list(g.docs)
        pairs = cache.setdefault(g.docs[0].id, bench_origin.compare_all(docs))
        by_id = {d.id: d for d in docs}
        groups = lineage.components(sorted(by_id), pairs)
        for members, links in zip(groups, lineage._copy_links(groups, pairs)):
            fm = lineage._FamilyModel({m: dr.profile(by_id[m]) for m in members}, None)
            for a, b in sorted(links):
                if a in g.ancestors(b) or b in g.ancestors(a):
                    s = fm.signals(a, b)
                    X.append([s.values[k] for k in dr.FEATURES])
                    y.append(1.0 if a in g.ancestors(b) else 0.0)
    return np.array(X), np.array(y)


def _memoise() -> None:
    """Profiles and alignments do not depend on the weights: compute each once (ids are unique)."""
    profile, align = dr.profile, dr.align
    prof: dict = {}
    al: dict = {}
    dr.profile = lambda doc: prof[doc.id] if doc.id in prof else prof.setdefault(doc.id, profile(doc))
    dr.align = lambda x, y: al.setdefault((x.doc.id, y.doc.id), None) or al.__setitem__((x.doc.id, y.doc.id), align(x, y)) or al[(x.doc.id, y.doc.id)]


def nll(rows):
    return -sum(math.log(max(1e-9, c if ok else 1 - c)) for c, ok in rows) / max(1, len(rows))


def main(n: int = 400) -> None:
    _memoise()
    gen = lineagegen.generate(n)
    train = [g for g in gen if g.split == "train"]
    test = [g for g in gen if g.split == "test"]
    cache: dict = {}
    X, y = pair_rows(train, cache)
    keep = [k for k in dr.FEATURES]
    w = logistic(X, y)
    weights = {k: round(float(v), 3) for k, v in zip(keep, w)}
    print("pairs", len(y), "positives", int(y.sum()))
    print("WEIGHTS =", weights)
    dr.WEIGHTS.update(weights)

    best = None
    for cov in (3.0, 5.0, 8.0):
        for var in (2.0, 4.0, 8.0):
            for quote in (1.0, 2.0, 4.0):
                lineage.PARENT_COVERAGE, lineage.PARENT_VARIANT, lineage.PARENT_QUOTE = cov, var, quote
                t = bench_origin.run_generated(train, pairs_cache=cache)
                key = (bench_origin.Tally.rate(t.parent), -nll(t.parent))
                if best is None or key > best[0]:
                    best = (key, cov, var, quote)
    lineage.PARENT_COVERAGE, lineage.PARENT_VARIANT, lineage.PARENT_QUOTE = best[1:]
    print("PARENT_COVERAGE, PARENT_VARIANT, PARENT_QUOTE", best[1:], "train parent acc", best[0][0])

    fits = []
    for power in (0.0, 0.5, 0.75, 1.0, 1.25):
        for to in (0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0):
            lineage.ORIGIN_TEMPERATURE, lineage.ORIGIN_SIZE_POWER = to, power
            t = bench_origin.run_generated(train, pairs_cache=cache)
            fits.append((nll(t.origin), to, power))
    _, to, power = min(fits)
    lineage.ORIGIN_TEMPERATURE, lineage.ORIGIN_SIZE_POWER = to, power
    fits = []
    for tp in (0.15, 0.25, 0.35, 0.5, 0.75, 1.0):
        lineage.PARENT_TEMPERATURE = tp
        t = bench_origin.run_generated(train, pairs_cache=cache)
        fits.append((nll(t.parent), tp))
    _, tp = min(fits)
    lineage.PARENT_TEMPERATURE = tp
    print("ORIGIN_TEMPERATURE", to, "ORIGIN_SIZE_POWER", power, "PARENT_TEMPERATURE", tp)
    lineage.EDGE_SCALE, lineage.EDGE_SHIFT = 1.0, 0.0  # fit on the uncalibrated edge probabilities
    t = bench_origin.run_generated(train, pairs_cache=cache)
    P = np.array([min(max(c, 1e-6), 1 - 1e-6) for c, _ in t.parent])
    A = np.stack([np.log(P / (1 - P)), np.ones_like(P)], axis=1)
    scale, shift = logistic(A, np.array([float(ok) for _, ok in t.parent]), l2=1e-3)
    lineage.EDGE_SCALE, lineage.EDGE_SHIFT = round(float(scale), 3), round(float(shift), 3)
    print("EDGE_SCALE, EDGE_SHIFT", lineage.EDGE_SCALE, lineage.EDGE_SHIFT)
    for name, part in (("train", train), ("held-out", test)):
        t = bench_origin.run_generated(part, pairs_cache=cache)
        print(bench_origin.summary(f"{name} ({len(part)} families)", t))
    print("WEIGHTS =", weights)
    print(f"PARENT_COVERAGE={best[1]} PARENT_VARIANT={best[2]} PARENT_QUOTE={best[3]} ORIGIN_TEMPERATURE={to} "
          f"ORIGIN_SIZE_POWER={power} PARENT_TEMPERATURE={tp} EDGE_SCALE={lineage.EDGE_SCALE} "
          f"EDGE_SHIFT={lineage.EDGE_SHIFT}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
