"""Benchmark setup: one core for every contender, one corpus, and a ratio table at the end.

The `one_core` fixture limits thread pools before any contender runs (rayon inside
rensa reads RAYON_NUM_THREADS when its pool starts; RENSA_PIPELINE_QUEUE_CAP=0 stops
rensa's separate digest threads) and pins the process to one CPU, so no contender can
use a second core. Each benchmark also records CPU time over wall time as a check.

Environment: PROVENANCE_BENCH_DOCS (default 3000), PROVENANCE_BENCH_CPU (CPU to pin to,
default the last one allowed; "none" to skip pinning), PROVENANCE_REUTERS (see newsgen).
"""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import newsgen  # noqa: E402

OURS = ("provenance.minhashes", "sketch.signature_matrix")
THREAD_VARS = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "RAYON_NUM_THREADS": "1",
    "RENSA_PIPELINE_QUEUE_CAP": "0",
}
PINNING = "not pinned"


@pytest.fixture(scope="session")
def one_core():
    """Limit thread pools and pin the process to one CPU for the speed benchmarks."""
    global PINNING
    saved = {k: os.environ.get(k) for k in THREAD_VARS}
    os.environ.update(THREAD_VARS)
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    choice = os.environ.get("PROVENANCE_BENCH_CPU", "")
    if affinity is not None and choice.lower() != "none":
        cpu = int(choice) if choice else max(affinity)
        os.sched_setaffinity(0, {cpu})
        PINNING = f"pinned to CPU {cpu}"
    yield
    if affinity is not None:
        os.sched_setaffinity(0, affinity)
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def news_corpus() -> newsgen.Corpus:
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
