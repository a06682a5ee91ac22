"""Benchmark setup: one core for every contender, two corpora, and a ratio table for each at the end.

The `one_core` fixture limits thread pools before any contender runs (rayon inside
rensa reads RAYON_NUM_THREADS when its pool starts; RENSA_PIPELINE_QUEUE_CAP=0 stops
rensa's separate digest threads) and pins the process to one CPU, so no contender can
use a second core. Each benchmark also records CPU time over wall time as a check, and
the minor page faults of each round (memory the allocator gave back to the kernel and
had to map in again shows up there, not as a slower algorithm).

Environment: PROVENANCE_BENCH_DOCS (default 3000), PROVENANCE_BENCH_CPU (CPU to pin to,
default the last one allowed; "none" to skip pinning), PROVENANCE_REUTERS (see newsgen).
"""

from __future__ import annotations

import os
import statistics
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import newsgen

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


@pytest.fixture(scope="session", params=["reuters-21578", "generated"])
def news_corpus(request) -> newsgen.Corpus:
    """Each speed benchmark runs on both corpora: Reuters wire texts (nearly all ASCII) and the
    BBC-like articles generated from corpus/news (typographic quotes and accents in nearly
    every text, so the byte path's non-ASCII mapping is part of the cost)."""
    n_docs = int(os.environ.get("PROVENANCE_BENCH_DOCS", "3000"))
    if request.param == "generated":
        return newsgen.Corpus(newsgen.generated_articles(n_docs, 0), "generated")
    if newsgen.reuters_path() is None:
        pytest.skip("the Reuters corpus is not beside the repository (see newsgen.reuters_path)")
    return newsgen.news_corpus(n_docs)


def _rows(config) -> dict[str, dict[str, dict]]:
    """The speed benchmarks' figures, by corpus, then by contender."""
    session = getattr(config, "_benchmarksession", None)
    rows: dict[str, dict[str, dict]] = {}
    for bench in getattr(session, "benchmarks", []) or []:
        info = bench.extra_info
        if "shingles" not in info or not bench.stats:
            continue
        cpu = statistics.median(info["cpu_seconds"])
        wall = bench.stats.median
        faults = statistics.median(info.get("page_faults") or [0])
        rows.setdefault(info["corpus_source"], {})[info["label"]] = dict(
            info, wall=wall, cpu=cpu, faults=faults, rounds=len(bench.stats.data),
            cpu_per_wall=max(c / w for c, w in zip(info["cpu_seconds"], info["wall_seconds"])))
    return rows


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    for rows in _rows(config).values():
        _table(terminalreporter, rows)


def _table(tr, rows: dict[str, dict]) -> None:
    any_row = next(iter(rows.values()))
    per_doc = any_row["corpus_shingles"] / any_row["corpus_docs"]
    for r in rows.values():
        # Rates at the corpus's mean document length (equal to the measured docs/s when the
        # contender ran on the whole corpus; the slowest anchor runs on a strided sample).
        r["sps_wall"], r["sps_cpu"] = r["shingles"] / r["wall"], r["shingles"] / r["cpu"]
    ours = [k for k in rows if k in OURS]
    tr.write_sep("=", "raw text -> MinHash signature, word 5-grams, 128 permutations, one core")
    tr.write_line(
        f"corpus: {any_row['corpus_source']}, {any_row['corpus_docs']} docs, {any_row['corpus_shingles']:,} "
        f"shingles ({per_doc:.0f}/doc); {PINNING}; Python {sys.version.split()[0]}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    head = "| contender | docs run | rounds | docs/s (wall) | docs/s (CPU) | M shingles/s (CPU) | CPU/wall | page faults/round |"
    for k in ours:
        head += f" {k} is x faster (wall / CPU / CPU worst round) |"
    tr.write_line(head)
    tr.write_line("|" + "---|" * (8 + len(ours)))
    for k, r in rows.items():
        line = (
            f"| {k} | {r['docs']} | {r['rounds']} | {r['sps_wall'] / per_doc:,.0f} | {r['sps_cpu'] / per_doc:,.0f} | "
            f"{r['sps_cpu'] / 1e6:.2f} | {r['cpu_per_wall']:.2f} | {r['faults']:,.0f} |"
        )
        for o in ours:
            # worst round: our slowest round against the contender's fastest (a bound for every round)
            worst = (rows[o]["shingles"] / max(rows[o]["cpu_seconds"])) / (r["shingles"] / min(r["cpu_seconds"]))
            line += f" {rows[o]['sps_wall'] / r['sps_wall']:.1f} / {rows[o]['sps_cpu'] / r['sps_cpu']:.1f} / {worst:.2f} |"
        tr.write_line(line)
    multi = [k for k, r in rows.items() if r["cpu_per_wall"] > 1.1]
    if multi:
        tr.write_line(f"WARNING: more than one core used by: {', '.join(multi)}")
