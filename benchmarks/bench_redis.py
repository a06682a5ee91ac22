"""Redis benchmark: the shared index against the SQLite file, on the same documents and drafts.

Builds both indexes from the same news-length articles (``bench_check.corpus``: Reuters
stitched articles when present, generated text otherwise) and the same ids, checks that
they give the same candidates for every draft, then measures what an editor waits for:

* **in-process check** — `check_documents` of one draft (candidate lookup, fetching the
  sources, verification with the index's phrase counts), median of --repeat runs;
  the goal is Redis within 3x of SQLite on the same index;
* **candidate lookup** alone;
* **whole process** — ``provenance check`` wall time, interpreter start-up included;
* **add** throughput and **memory** per document (Redis ``MEMORY USAGE`` of every key
  of the index; SQLite file bytes).

    redis-server --port 6379 --bind 127.0.0.1 --save "" --daemonize yes
    python benchmarks/bench_redis.py --docs 10000 [--redis redis://127.0.0.1:6379/15]

Both indexes and the drafts live in --workdir (default $TMPDIR/provenance-bench-redis,
apart from ``bench_check.py``'s, so neither rewrites the other's drafts mid-run); the
Redis index is named ``bench-<docs>`` and kept for reruns; --drop removes it after.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

import bench_check  # noqa: E402

DEFAULT_REDIS = os.environ.get("PROVENANCE_TEST_REDIS") or "redis://127.0.0.1:6379/15"


def build_redis(spec: str, n: int) -> dict:
    from provenance.errors import IndexError_
    from provenance.index import open_index
    from provenance.index.redis import drop
    from provenance.model import Document

    try:
        with open_index(spec) as ix:
            if ix.n_docs == n:
                return {"built": False}
    except IndexError_:
        pass  # missing, or of an older schema
    drop(spec)
    texts = bench_check.corpus(n)
    t0 = time.perf_counter()
    with open_index(spec, create=True) as ix:
        ix.add((Document(id=f"doc{i:06d}", text=t) for i, t in enumerate(texts)), batch_size=500)
    took = time.perf_counter() - t0
    return {"built": True, "index_s": took, "docs_per_s": n / took}


def same_candidates(specs: list[str], paths: dict[str, Path]) -> dict[str, bool]:
    from provenance.fingerprint.features import query_features
    from provenance.index import open_index
    from provenance.ingest import files as documents

    out = {}
    for name, p in paths.items():
        draft = documents.load_paths([p])[0][0]
        answers = []
        for spec in specs:
            with open_index(spec) as ix:
                answers.append(ix.candidates(query_features(draft.text, ix.config, ix.params)))
        out[name] = answers[0] == answers[1]
    return out


def in_process(spec: str, paths: dict[str, Path], repeat: int) -> dict:
    """Median per-draft times (bench_check.in_process reports means; medians resist the shared machine)."""
    from provenance.engines.check import check_documents
    from provenance.fingerprint.features import query_features
    from provenance.index import open_index
    from provenance.ingest import files as documents

    out = {}
    with open_index(spec) as ix:
        for name, p in paths.items():
            draft = documents.load_paths([p])[0][0]
            q = query_features(draft.text, ix.config, ix.params)
            check_documents([draft], ix)  # warm: connections, caches
            lookups, checks = [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                cands = ix.candidates(q)
                t1 = time.perf_counter()
                res = check_documents([draft], ix)
                t2 = time.perf_counter()
                lookups.append(t1 - t0)
                checks.append(t2 - t1)
            out[name] = {
                "candidates_ms": 1000 * statistics.median(lookups), "check_ms": 1000 * statistics.median(checks),
                "candidates": len(cands), "verdicts": sorted({x.verdict for x in res.result.pairs}),
            }
    return out


def memory(spec: str) -> dict:
    from provenance.index import open_index

    with open_index(spec) as ix:
        st = ix.stats()
    n = max(st.documents, 1)
    return {"documents": st.documents, "bytes_per_doc": st.size_bytes / n, "structure_bytes_per_doc":
            st.structure_bytes / n, "text_bytes_per_doc": st.text_bytes / n, "keys": st.extra.get("keys")}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--redis", default=DEFAULT_REDIS, help="server URL without ?name= (default %(default)s)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--workdir", type=Path,
                    default=Path(os.environ.get("TMPDIR", "/tmp")) / "provenance-bench-redis")
    ap.add_argument("--drop", action="store_true", help="drop the Redis index afterwards")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    from provenance.errors import ProvenanceError

    args.workdir.mkdir(parents=True, exist_ok=True)
    n = args.docs
    sqlite_spec = str(args.workdir / f"index-{n}.sqlite")
    redis_spec = f"{args.redis.split('?')[0]}?name=bench-{n}"
    try:
        info = {"machine": machine(), "docs": n, "redis": redis_spec}
        info["build"] = {"sqlite": bench_check.build(Path(sqlite_spec), n), "redis": build_redis(redis_spec, n)}
        paths = bench_check.drafts(Path(sqlite_spec), args.workdir)
        info["same_candidates"] = same_candidates([sqlite_spec, redis_spec], paths)
        info["in_process"] = {b: in_process(s, paths, args.repeat)
                              for b, s in (("sqlite", sqlite_spec), ("redis", redis_spec))}
        py = [sys.executable, "-c", "from provenance.cli.app import main; main()"]
        info["process"] = {
            b: bench_check.timed([*py, "check", str(paths["copying"]), "--index", s, "--format", "line"],
                                 args.repeat)
            for b, s in (("sqlite", sqlite_spec), ("redis", redis_spec))
        }
        info["memory"] = {"redis": memory(redis_spec), "sqlite": memory(sqlite_spec)}
        if args.drop:
            from provenance.index import open_index

            with open_index(redis_spec) as ix:
                ix.drop()
    except ProvenanceError as exc:
        sys.exit(f"bench_redis: {exc}")
    if args.json:
        args.json.write_text(json.dumps(info, indent=1, default=str))
    print(json.dumps(info, indent=1, default=str))
    print(table(info))


def table(info: dict) -> str:
    ip = info["in_process"]
    rows = [
        f"{info['docs']} documents; {info['machine']}",
        "",
        "| draft | candidates | SQLite check ms | Redis check ms | ratio | SQLite lookup ms | Redis lookup ms |"
        " same candidates |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ip["sqlite"]:
        s, r = ip["sqlite"][name], ip["redis"][name]
        rows.append(
            f"| {name} | {r['candidates']} | {s['check_ms']:.1f} | {r['check_ms']:.1f} | "
            f"{r['check_ms'] / s['check_ms']:.2f}x | {s['candidates_ms']:.2f} | {r['candidates_ms']:.2f} | "
            f"{'yes' if info['same_candidates'][name] else 'NO'} |"
        )
    p = info["process"]
    rows.append("")
    rows.append(
        f"Whole `provenance check` process (copying draft): SQLite {p['sqlite']['median_s']:.2f} s, "
        f"Redis {p['redis']['median_s']:.2f} s (medians)."
    )
    m = info["memory"]["redis"]
    rows.append(
        f"Redis memory: {m['bytes_per_doc']:.0f} bytes/document ({m['structure_bytes_per_doc']:.0f} structures + "
        f"{m['text_bytes_per_doc']:.0f} compressed text), {m['keys']} keys; SQLite file "
        f"{info['memory']['sqlite']['bytes_per_doc']:.0f} bytes/document."
    )
    b = info["build"]["redis"]
    if b.get("built"):
        rows.append(f"Redis add: {b['docs_per_s']:.0f} documents/s ({b['index_s']:.1f} s).")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
