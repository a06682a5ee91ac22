"""Can a learned combination of the verdict's measures beat its rules? (issue #14)

A logistic regression over measures verification already computes (or could cheaply),
all language-independent: verbatim share of narration (both sides), verbatim words, the
longest verbatim run, sentence-chain links and share, the links' mean similarity, the
order test, shared quotation, resemblance and containment of word 5-shingles, shared
numbers, content-stem containment, length ratio, character 4-gram containment of the
texts and of their sentences (spaces removed). Fitted on one half of counter-dev (split
by source story: each agency story and its paper in one half) plus Clough-Stevenson
(every answer against its source, and every answer pair involving a `non` answer, as
`bench_quality` measures them), and measured on the other half; then the halves swap.

The threshold is chosen on the training data only: the one finding the most derived
training pairs while calling no more training ND pairs copy than the rules do, no
Clough pair involving a `non` answer copy, and at least as many Clough answers copy as
the rules (so Clough F1 stays >= 0.95). Two ways to use the score:

* ``replace``: copy iff the score reaches the threshold (also shown without the Clough-recall
  constraint, which no threshold of it meets);
* ``or``: the rules' copies stay, and a pair they leave gets copy when its score reaches the
  threshold (fitted on the pairs the rules do not call copy).

Features are computed as `scan` sees the pairs (lines repeated across the 600 stories
removed, phrase counts of the 600 stories), so the rules' verdicts are scan's for every
labelled pair (candidate search aside: scan verifies all 104 pairs compare calls copy).

Last, a check on transfer: the score fitted on counter-dev alone (Clough only measured).

Run: ``python benchmarks/fit_verdict.py`` (~10 s; prints both halves, pooled, and 10 folds
as a check on the halves' variance). Nothing is written: the model was not shipped
(benchmarks/RESULTS.md, "A learned verdict").
"""

from __future__ import annotations

import argparse
import csv
import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_counter import counter_pairs  # noqa: E402
from benchmarks.bench_quality import CLOUGH, _load  # noqa: E402
from provenance.engines.local import prepare as scan_prepare  # noqa: E402
from provenance.verify import chains, prepared  # noqa: E402
from provenance.verify.phrases import PhraseStats  # noqa: E402
from provenance.verify.verdict import verify_prepared  # noqa: E402

FEATURES = ("vmax", "vmin", "vwords", "longest", "chain_share", "links", "mean_sim", "order", "quote",
            "resemblance", "cmax", "cmin", "numbers", "stems", "length_ratio", "chars", "sentence_chars")
_DIGIT = re.compile(r"\d")


@dataclass
class Row:
    set: str  # counter, clough (answer vs source), clough-pair (answers, one of them non)
    id: str
    label: str  # WD/PD/ND, or the Clough level(s)
    y: int  # 1: derived
    rule_copy: bool  # the rules' verdict is copy
    x: np.ndarray


def _numbers(p: prepared.Prepared) -> set[str]:
    return {w for s, e in zip(p.starts.tolist(), p.ends.tolist()) if _DIGIT.search(w := p.text[s:e])}


def _grams(text: str, n: int = 4) -> set[str]:
    t = "".join(ch for ch in text.lower() if ch.isalnum())
    return {t[i : i + n] for i in range(len(t) - n + 1)}


def _contained(x: set, y: set) -> float:
    return len(x & y) / max(min(len(x), len(y)), 1) if x and y else 0.0


def _sentence_chars(a: prepared.Prepared, b: prepared.Prepared) -> float:
    """Each sentence of the text with fewer: its best 4-gram containment in a sentence of the other, averaged."""
    ga = [g for s, e in a.sent_chars.tolist() if len(g := _grams(a.text[s:e])) >= 8]
    gb = [g for s, e in b.sent_chars.tolist() if len(g := _grams(b.text[s:e])) >= 8]
    if not ga or not gb:
        return 0.0
    if len(ga) > len(gb):
        ga, gb = gb, ga
    return float(np.mean([max(len(x & y) / len(x) for y in gb) for x in ga]))


def features(a: prepared.Prepared, b: prepared.Prepared, phrases) -> tuple[bool, np.ndarray]:
    """(the rules call it copy, the feature vector in FEATURES order)."""
    c = verify_prepared(a, b, phrases=phrases)
    sa, sb = c.a, c.b
    vs = [s.verbatim / s.narration if s.narration else 0.0 for s in (sa, sb)]
    fewer = min(sa.sentences, sb.sentences)
    p = c.order_p
    if p is None and c.links and not chains.chain_too_large(a, b):
        p = chains.order_pvalue(chains.sentence_scores(a, b))
    stems_a, stems_b = set(a.stem_hashes.tolist()), set(b.stem_hashes.tolist())
    x = [max(vs), min(vs), np.log1p(max(sa.verbatim, sb.verbatim)), np.log1p(c.longest),
         c.links / fewer if fewer else 0.0, np.log1p(c.links), c.mean_sim, -np.log10(max(p or 1.0, 1e-3)),
         max(sa.quoted_shared / max(sa.words, 1), sb.quoted_shared / max(sb.words, 1)),
         c.pair.resemblance, max(c.pair.containment_a_in_b, c.pair.containment_b_in_a),
         min(c.pair.containment_a_in_b, c.pair.containment_b_in_a),
         _contained(_numbers(a), _numbers(b)), _contained(stems_a, stems_b),
         abs(np.log(max(sa.words, 1) / max(sb.words, 1))),
         _contained(_grams(a.text), _grams(b.text)), _sentence_chars(a, b)]
    return c.pair.verdict == "copy", np.array(x, dtype=float)


def rows() -> list[Row]:
    out = []
    pairs = counter_pairs()
    kept, _ = scan_prepare([d for s, p, _ in pairs for d in (s, p)])
    by_id = {d.id: d for d in kept}
    phrases = PhraseStats.from_documents(kept)
    for src, dst, label in pairs:
        rule, x = features(prepared.prepare(by_id[src.id].text), prepared.prepare(by_id[dst.id].text), phrases)
        out.append(Row("counter", src.id, label, int(label != "ND"), rule, x))
    docs = _load(CLOUGH)
    with open(CLOUGH / "file_information.csv", newline="", encoding="utf-8") as fh:
        labels = {r["File"]: (r["Task"], r["Category"]) for r in csv.DictReader(fh)}
    phrases = PhraseStats.from_documents(docs.values())
    by_task: dict[str, list] = {}
    for name, (task, level) in sorted(labels.items()):
        if level == "orig":
            continue
        by_task.setdefault(task, []).append((name, level))
        rule, x = features(prepared.prepare(docs[name].text), prepared.prepare(docs[f"orig_task{task}.txt"].text), phrases)
        out.append(Row("clough", name, level, int(level != "non"), rule, x))
    for members in by_task.values():
        for (n1, l1), (n2, l2) in itertools.combinations(sorted(members), 2):
            if "non" in (l1, l2):
                rule, x = features(prepared.prepare(docs[n1].text), prepared.prepare(docs[n2].text), phrases)
                out.append(Row("clough-pair", f"{n1}-{n2}", f"{l1}+{l2}", 0, rule, x))
    return out


def fit(x: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """L2-penalised logistic regression on standardised features (Newton's method)."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.c_[np.ones(len(x)), (x - mu) / sd]
    beta = np.zeros(z.shape[1])
    pen = lam * np.diag(np.r_[0.0, np.ones(z.shape[1] - 1)])
    for _ in range(60):
        p = 1 / (1 + np.exp(-z @ beta))
        beta -= np.linalg.solve((z * (p * (1 - p))[:, None]).T @ z + pen, z.T @ (p - y) + pen @ beta)
    return mu, sd, beta


def score(model, x: np.ndarray) -> np.ndarray:
    mu, sd, beta = model
    return 1 / (1 + np.exp(-(np.c_[np.ones(len(x)), (x - mu) / sd] @ beta)))


def counts(rs: list[Row], copy: np.ndarray) -> dict[str, int]:
    c = dict.fromkeys(("WD", "PD", "ND", "clough_derived", "clough_non"), 0)
    for r, k in zip(rs, copy):
        if k:
            key = r.label if r.set == "counter" else ("clough_derived" if r.y else "clough_non")
            c[key] += 1
    return c


def line(rs: list[Row], copy: np.ndarray) -> str:
    n = {lab: sum(r.label == lab for r in rs) for lab in ("WD", "PD", "ND")}
    c = counts(rs, copy)
    tp, fp = c["WD"] + c["PD"], c["ND"]
    p, r = tp / max(tp + fp, 1), tp / max(n["WD"] + n["PD"], 1)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return f"F1 {f1:.3f}, WD {c['WD']}/{n['WD']}, PD {c['PD']}/{n['PD']}, ND {c['ND']}/{n['ND']}"


def run(data: list[Row], mode: str, folds: int, lam: float, verbose: bool, clough_recall: bool = True,
        with_clough: bool = True) -> list[str]:
    """Held-out figures of one way of using the score; `with_clough` False fits and picks the threshold on
    counter-dev alone (then Clough is only measured)."""
    counter = [r for r in data if r.set == "counter"]
    clough = [r for r in data if r.set != "counter"]
    part = {r.id: k % folds for k, r in enumerate(sorted(counter, key=lambda r: r.id))}
    out, held, held_copy = [], [], []
    for fold in range(folds):
        train = [r for r in counter if part[r.id] != fold] + (clough if with_clough else [])
        test = [r for r in counter if part[r.id] == fold]
        fitted_on = [r for r in train if not (mode == "or" and r.rule_copy)]
        model = fit(np.array([r.x for r in fitted_on]), np.array([r.y for r in fitted_on], float), lam)

        def decide(rs: list[Row], th: float) -> np.ndarray:
            copy = score(model, np.array([r.x for r in rs])) >= th
            return copy | np.array([r.rule_copy for r in rs]) if mode == "or" else copy

        rules = counts(train, np.array([r.rule_copy for r in train]))
        best, found = 1.01, -1  # above every score: nothing passes (no threshold meets the constraints)
        for th in np.arange(0.30, 1.0, 0.01):
            c = counts(train, decide(train, th))
            kept = c["clough_derived"] >= rules["clough_derived"] or not (clough_recall and with_clough)
            if c["ND"] <= rules["ND"] and c["clough_non"] == 0 and kept and c["WD"] + c["PD"] > found:
                best, found = th, c["WD"] + c["PD"]
        copy = decide(test, best)
        held += test
        held_copy.append(copy)
        if verbose:
            c, cr = counts(clough, decide(clough, best)), counts(clough, np.array([r.rule_copy for r in clough]))
            out.append(f"  half {fold + 1} held out: threshold {best:.2f}: {line(test, copy)} "
                       f"(rules: {line(test, np.array([r.rule_copy for r in test]))}); Clough answers copy "
                       f"{c['clough_derived']} (rules {cr['clough_derived']}), pairs involving non copy {c['clough_non']} "
                       f"(rules {cr['clough_non']})")
    rules_line = line(held, np.array([r.rule_copy for r in held]))
    out.append(f"  pooled held-out, {folds} folds: {line(held, np.concatenate(held_copy))} (rules: {rules_line})")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lam", type=float, default=1.0, help="L2 penalty on standardised weights")
    args = ap.parse_args()
    if not counter_pairs() or not CLOUGH.is_dir():
        print("counter-dev or Clough-Stevenson not found: skipped")
        return
    data = rows()
    for mode, clough_recall, with_clough in (("replace", True, True), ("replace", False, True), ("or", True, True),
                                             ("replace", False, False)):
        print(f"{mode}{'' if clough_recall else ', Clough recall not required'}"
              f"{'' if with_clough else ', fitted on counter-dev alone'}:")
        for folds, verbose in ((2, True), (10, False)):
            print("\n".join(run(data, mode, folds, args.lam, verbose, clough_recall, with_clough)))


if __name__ == "__main__":
    main()
