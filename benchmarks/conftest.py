"""Benchmark setup: one core for every contender, one corpus, and a ratio table at the end.

Thread pools are limited before any contender is imported (rayon inside rensa reads
RAYON_NUM_THREADS when its pool starts; RENSA_PIPELINE_QUEUE_CAP=0 stops rensa's
separate digest thread), and the process is pinned to one CPU, so no contender can use
a second core. Each benchmark also records CPU time over wall time as a check.

Environment: PROVENANCE_BENCH_DOCS (default 3000), PROVENANCE_BENCH_CPU (CPU to pin to,
default the last one allowed; "none" to skip pinning), PROVENANCE_REUTERS (see newsgen).
"""

from __future__ import annotations

import os
import sys

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
    os.environ[_var] = "1"
os.environ["RENSA_PIPELINE_QUEUE_CAP"] = "0"

import pytest  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))

import newsgen  # noqa: E402

OURS = ("provenance.minhashes", "sketch.signature_matrix")


def _pin() -> str:
    choice = os.environ.get("PROVENANCE_BENCH_CPU", "")
    if choice.lower() == "none" or not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpu = int(choice) if choice else max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


PINNING = _pin()


@pytest.fixture(scope="session")
def corpus() -> newsgen.Corpus:
    return newsgen.news_corpus(int(os.environ.get("PROVENANCE_BENCH_DOCS", "3000")))


def _rows(config):
    session = getattr(config, "_benchmarksession", None)
    rows = {}
    for bench in getattr(session, "benchmarks", []) or []:
        info = bench.extra_info
        if "shingles" not in info or not bench.stats:
            continue
        median = bench.stats.median
        rows[bench.name.split("[")[0].removeprefix("test_")] = {
            "label": info["label"],
            "docs": info["docs"],
            "shingles": info["shingles"],
            "corpus_docs": info["corpus_docs"],
            "corpus_shingles": info["corpus_shingles"],
            "median": median,
            "rounds": len(bench.stats.data),
            "cpu_per_wall": max(info.get("cpu_per_wall", [0.0])),
        }
    return rows


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    rows = _rows(config)
    if not rows:
        return
    tr = terminalreporter
    any_row = next(iter(rows.values()))
    per_doc = any_row["corpus_shingles"] / any_row["corpus_docs"]
    for r in rows.values():
        r["shingles_s"] = r["shingles"] / r["median"]
        # docs/s at the corpus's mean document length (equal to measured docs/s when the
        # contender ran on the whole corpus; slow anchors run on a strided sample).
        r["docs_s"] = r["shingles_s"] / per_doc
    ours = [k for k in rows if rows[k]["label"] in OURS]
    anchors = [k for k in rows if k not in ours]
    tr.write_sep("=", "raw text -> MinHash signature, word 5-grams, 128 permutations, one core")
    tr.write_line(
        f"corpus: {any_row['corpus_docs']} docs, {any_row['corpus_shingles']:,} shingles "
        f"({per_doc:.0f}/doc); {PINNING}; Python {sys.version.split()[0]}"
    )
    head = "| contender | docs run | rounds | median s | docs/s | M shingles/s | cpu/wall |"
    for k in ours:
        head += f" {rows[k]['label']} is x faster |"
    tr.write_line(head)
    tr.write_line("|" + "---|" * (7 + len(ours)))
    for k in ours + anchors:
        r = rows[k]
        line = (
            f"| {r['label']} | {r['docs']} | {r['rounds']} | {r['median']:.3f} | {r['docs_s']:,.0f} | "
            f"{r['shingles_s'] / 1e6:.2f} | {r['cpu_per_wall']:.2f} |"
        )
        for o in ours:
            line += f" {rows[o]['shingles_s'] / r['shingles_s']:.1f} |"
        tr.write_line(line)
    multi = [rows[k]["label"] for k in rows if rows[k]["cpu_per_wall"] > 1.1]
    if multi:
        tr.write_line(f"WARNING: more than one core used by: {', '.join(multi)}")
