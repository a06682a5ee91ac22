"""The family step's cost per document as the corpus grows, at equal copy density.

At each size, bench_scale's corpus (every story an original and 5-13 variants, ten documents a
story at every size) goes through the scan's steps up to verified pairs (`bench_scale.verified`),
then the family step runs on a random share of the families (connected components of copy
pairs, each kept whole): a share, so a large size costs what its sample does, with the size mix of
the whole. It prints the family step's CPU per document of the sample, the sample's largest
families, and the verification's CPU per document and per candidate pair at that size.

    python benchmarks/bench_families.py --sizes 10000 100000 --shares 1.0 0.1

Each size takes its scan's verification time (about an hour at 100k on a 2-core machine); the
sample's family step is minutes. Sizes run one after the other in this process, so compare them
on a quiet machine, or run one size per process side by side.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.append(str(HERE.parent))

import bench_scale  # noqa: E402


def measure(n: int, share: float, seed: int = 0) -> dict:
    from provenance.engines import local as scan
    from provenance.engines.local import ScanOptions
    from provenance.origin.families import components, families

    options = ScanOptions()
    corpus = bench_scale.derived_corpus(n, seed)
    t: dict = {}
    lap = bench_scale.cpu_laps(t)
    docs, _ = scan.prepare(corpus.docs)
    lap("prepare")
    with scan.sparing_collector():
        pairs, candidates = bench_scale.verified(docs, options, lap)
        groups = components(sorted(d.id for d in docs), pairs)
        rng = random.Random(seed)
        chosen = [g for g in groups if rng.random() < share]
        keep = {i for g in chosen for i in g}
        sample_docs = [d for d in docs if d.id in keep]
        sample_pairs = [p for p in pairs if p.a in keep and p.b in keep]
        t0 = time.process_time()
        families(sample_docs, sample_pairs)
        cpu = time.process_time() - t0
    return {
        "docs": len(docs), "candidate pairs": candidates, "pairs": len(pairs), "families": len(groups),
        "largest": max(map(len, groups), default=0), "share": share, "sample families": len(chosen),
        "sample docs": len(sample_docs), "sample largest": max(map(len, chosen), default=0),
        "families cpu s": round(cpu, 2), "families ms/doc": round(1000 * cpu / max(len(sample_docs), 1), 2),
        "verify ms/doc": round(1000 * t["verify cpu s"] / len(docs), 2),
        "verify ms/candidate pair": round(1000 * t["verify cpu s"] / max(candidates, 1), 3),
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    ap.add_argument("--shares", type=float, nargs="+", help="share of the families timed, per size (default all)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    shares = args.shares or [1.0] * len(args.sizes)
    if len(shares) != len(args.sizes):
        ap.error("give one --shares value per size")
    print(f"# {platform.machine()}, Python {platform.python_version()}")
    for n, share in zip(args.sizes, shares):
        print(json.dumps(measure(n, share, args.seed)), flush=True)


if __name__ == "__main__":
    main()
