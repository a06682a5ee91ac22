"""Scale benchmark: scan cost per document at 1k, 10k, 100k documents, one process and Dask.

Each row also gives the process's peak RSS after the scan and after writing the report in every
format (streamed to a sink that keeps only its size and digest, as `-o` writes it), and each
report's size.

The corpus has known derivatives, so the run also reports recall. It is built as
wire copy is republished: every *story* is an original article plus 5-13 variants
(mean 9, so ten documents a story at every size and the mix does not change with
scale), or, with ``--density real``, plus as many variants as the families of the
real Reuters-21578 file have (most stories none; `REUTERS_STORY_SIZES`), each made
from the original or from an earlier variant:

* ``republish`` — an outlet's dateline on top, sometimes the last paragraph dropped;
* ``edit`` — about 8% of the words replaced by other words of the story and 3% dropped;
* ``trim`` — the first 50-80% of the words.

Originals are Reuters-21578 stories when the file is present (``newsgen.reuters_path``;
10.8k stories, enough for 100k documents; past that, articles generated over its vocabulary,
``wire_like_originals``), else generated articles (``newsgen.generated_articles``).
Document ids are hashes, so a story's documents are spread over the id order (and over
Dask's partitions) as in a real crawl.
Originals are dated a day before their first variants; a variant of a variant a day
later still.

Recall: the share of known (parent, derivative) links reported as a pair with any
verdict other than independent.

    python benchmarks/bench_scale.py                      # 1k and 10k, both engines
    python benchmarks/bench_scale.py --sizes 1000 10000 100000 --engines local dask
    python benchmarks/bench_scale.py --sizes 10000 100000 --engines local --generated   # equal copy density
    python benchmarks/bench_scale.py --sizes 1000000 --engines local --density real      # 1M, real-news density
    python benchmarks/bench_scale.py --sizes 1000000 --engines local                     # 1M, ten a story
    python benchmarks/bench_scale.py --sizes 1000000 --write-jsonl t1m.jsonl             # that corpus as a file
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.append(str(HERE.parent))  # after PYTHONPATH (the snapshot) and the installed package

import newsgen  # noqa: E402

from provenance.model import Document  # noqa: E402

STORY_MIN_VARIANTS, STORY_MAX_VARIANTS = 5, 13
# Real-news density: how many documents a story has in real wire copy, measured on the whole Reuters-21578
# file (`provenance scan ../shared/data/reuters-21578/reuters21578.jsonl -f json`, main at 263bf30: 10,833
# articles, 1,047 families holding 3,050 of them): family size -> families, 1 for the articles in none.
# 72% of the documents stand alone, 1.23 documents a story, the largest family 139.
REUTERS_STORY_SIZES = {
    1: 7783, 2: 799, 3: 138, 4: 49, 5: 15, 6: 15, 7: 3, 8: 6, 9: 3, 10: 5, 11: 3, 12: 1, 13: 1, 18: 1, 19: 1,
    22: 1, 26: 1, 41: 1, 42: 1, 52: 1, 114: 1, 139: 1,
}
DENSITIES = ("ten", "real")
OUTLETS = ["Daily Ledger", "Morning Post", "City Herald", "Evening Star", "Wire Digest", "Metro Times"]


@dataclass(frozen=True)
class Derived:
    docs: list[Document]
    known: list[tuple[str, str, str]]  # (parent id, derivative id, kind)
    source: str


def originals(n: int, seed: int = 0, generated: bool = False) -> tuple[list[str], str]:
    """`n` original articles: Reuters stories in file order (exact re-sends dropped); past the file's
    10.8k stories, generated over its vocabulary (`wire_like_originals`: 1M documents at ten a story
    need 100k); generated from the bundled texts without the file, or with `generated`."""
    path = None if generated else newsgen.reuters_path()
    if path is not None:
        seen: set[str] = set()
        texts: list[str] = []
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                text = json.loads(line)["text"].strip()
                if text and text not in seen:
                    seen.add(text)
                    texts.append(text)
                if len(texts) == n:
                    break
        if len(texts) >= n:
            return texts, "reuters-21578"
        return wire_like_originals(n, seed)
    return newsgen.generated_articles(n, seed), "generated"


def wire_like_originals(n: int, seed: int = 0) -> tuple[list[str], str]:
    """`n` generated originals whose bigram chain runs over all of Reuters-21578 (when present): wire
    vocabulary, few 10-word runs shared by chance (see `newsgen.generated_articles`), and the stories'
    own lengths (median 147 words)."""
    path = newsgen.reuters_path()
    if path is None:
        return newsgen.generated_articles(n, seed), "generated"
    with open(path, encoding="utf-8") as fh:
        wire = [json.loads(line)["text"] for line in fh]
    return (newsgen.generated_articles(n, seed, source_texts=wire, lengths=newsgen.wire_like_lengths(wire, seed)),
            "generated from reuters-21578")


def _republish(text: str, rng: random.Random) -> str:
    paras = [p for p in text.split("\n") if p.strip()]
    if len(paras) > 3 and rng.random() < 0.5:
        paras = paras[:-1]
    paras[0] = f"{rng.choice(OUTLETS).upper()} - {paras[0].lstrip()}"
    return "\n".join(paras)


def _edit(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    pool = text.split() or ["news"]
    out = []
    for line in lines:
        words = []
        for w in line.split():
            r = rng.random()
            if r < 0.08:
                words.append(rng.choice(pool))
            elif r >= 0.11:
                words.append(w)
        out.append(" ".join(words))
    return "\n".join(out)


def _trim(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    return " ".join(words[: max(1, int(len(words) * rng.uniform(0.5, 0.8)))])


KINDS = {"republish": _republish, "edit": _edit, "trim": _trim}


def _doc_id(story: int, k: int, seed: int) -> str:
    import xxhash

    return xxhash.xxh3_64_hexdigest(f"{seed}:{story}:{k}".encode())[:12] + ".txt"


def _real_story_sizes(rng: random.Random):
    """Documents a story has at real-news density: drawn from Reuters-21578's own families."""
    sizes, weights = list(REUTERS_STORY_SIZES), list(REUTERS_STORY_SIZES.values())
    while True:
        yield from rng.choices(sizes, weights, k=1024)


def derived_corpus(n_docs: int, seed: int = 0, generated: bool = False, density: str = "ten") -> Derived:
    """About `n_docs` documents, whole stories of 6-14 (`density` "ten") or of Reuters' own family sizes
    ("real"): originals and their known derivatives.

    At real-news density past 10k stories the originals are generated (`wire_like_originals`): Reuters has
    10.8k stories, a 1M corpus needs 800k.
    """
    rng = random.Random(seed)
    if density == "ten":
        mean = 1 + (STORY_MIN_VARIANTS + STORY_MAX_VARIANTS) / 2
    else:
        mean = sum(k * v for k, v in REUTERS_STORY_SIZES.items()) / sum(REUTERS_STORY_SIZES.values())
        generated = generated or n_docs / mean > 10_000
    n_stories = max(1, round(n_docs / mean))
    if density == "real" and generated:
        texts, source = wire_like_originals(n_stories, seed)
    else:
        texts, source = originals(n_stories, seed, generated)
    real_sizes = _real_story_sizes(random.Random(seed + 1))
    docs: list[Document] = []
    known: list[tuple[str, str, str]] = []
    start = date(1987, 1, 1)
    for s, original in enumerate(texts):
        day = start + timedelta(days=s % 3000)
        members = [(_doc_id(s, 0, seed), original, 0)]
        docs.append(Document(id=members[0][0], text=original, path=members[0][0], published=day.isoformat()))
        variants = rng.randint(STORY_MIN_VARIANTS, STORY_MAX_VARIANTS) if density == "ten" else next(real_sizes) - 1
        for k in range(1, variants + 1):
            parent_id, parent_text, depth = members[0] if rng.random() < 0.7 else rng.choice(members)
            kind = rng.choice(list(KINDS))
            text = KINDS[kind](parent_text, rng)
            did = _doc_id(s, k, seed)
            when = (day + timedelta(days=depth + 1)).isoformat()
            docs.append(Document(id=did, text=text, path=did, published=when))
            members.append((did, text, depth + 1))
            known.append((parent_id, did, kind))
    return Derived(docs[:n_docs] if len(docs) > n_docs else docs, known, source)


def recall(result, known) -> tuple[float, dict[str, float]]:
    from provenance.ingest.stored import metadata_of

    found = {(p.a, p.b) for p in result.pairs if p.verdict != "independent"}
    ids = {d.id for d in metadata_of(result.documents)}
    hits: dict[str, list[int]] = {}
    for a, b, kind in known:
        if a in ids and b in ids:
            hits.setdefault(kind, []).append((min(a, b), max(a, b)) in found)
    every = [h for v in hits.values() for h in v]
    return sum(every) / max(len(every), 1), {k: round(sum(v) / len(v), 3) for k, v in sorted(hits.items())}


# --- the run -----------------------------------------------------------------------------------


def cpu_laps(t: dict):
    """`lap(name)` records the CPU seconds of this process since the last lap as t["name cpu s"]: what a
    step costs, whatever else the machine runs; and the peak RSS so far as t["name peak MB"], which
    says which step raised it."""
    t0 = time.process_time()

    def lap(name: str) -> None:
        nonlocal t0
        now = time.process_time()
        t[f"{name} cpu s"] = round(now - t0, 2)
        t[f"{name} peak MB"] = _peak_mb()
        t0 = now

    return lap


def verified(docs, options, lap):
    """`scan.scan_documents`'s steps from fingerprints to verified pairs, called one by one as it calls
    them (inside its `sparing_collector`, on prepared documents), each timed by `lap`: (reported pairs,
    candidate pairs found)."""
    from provenance import candidates as cand
    from provenance.engines import local as scan
    from provenance.fingerprint import features as fingerprint_features
    from provenance.ingest.stored import texts_of
    from provenance.verify.phrases import PhraseStats

    feats = fingerprint_features.features(texts_of(docs), options.config, options.candidates)
    lap("features")
    found = cand.find(feats, options.candidates)
    del feats
    lap("candidates")
    phrases = PhraseStats.from_documents(docs)
    lap("phrases")
    ordered = found.pairs[cand.verification_order(found.pairs, len(docs))]
    pairs = scan.reported(scan.verify(docs, ordered.tolist(), phrases, rules=options.rules), options)
    lap("verify")
    return pairs, len(found.pairs)


def stages(docs, options) -> tuple[object, dict]:
    """`scan.scan_documents`, its steps called one by one as it calls them, each timed (CPU)."""
    from provenance.engines import local as scan
    from provenance.model import ScanResult
    from provenance.origin.families import families

    t: dict = {}
    lap = cpu_laps(t)
    docs, empty = scan.prepare(docs)
    lap("prepare")
    with scan.sparing_collector() as spare:
        pairs, candidates = verified(docs, options, lap)
        spare()
        fams = families(docs, pairs)
        lap("families")
    t["candidate pairs"] = candidates
    t["pair store bytes/pair"] = round(pairs.nbytes / max(len(pairs), 1))
    t["largest family"] = max((len(f.members) for f in fams), default=0)
    return ScanResult(options.config.fingerprint, docs, pairs, fams, list(empty)), t


def _workers_cpu(scheduler: str) -> dict[str, float]:
    from distributed import Client

    with Client(scheduler, set_as_default=False) as client:
        return client.run(time.process_time)


def _digest(text: str) -> str:
    import xxhash

    return xxhash.xxh3_64_hexdigest(text.encode())


def measure(n: int, engine: str, workers: int, scheduler: str | None, seed: int, generated: bool = False,
            density: str = "ten") -> dict:
    """One size on one engine, in this process (the caller gives each its own process)."""
    from provenance.engines.dask import Stats, scan_documents_dask
    from provenance.engines.local import ScanOptions
    from provenance.report.formats.json import as_dict

    options = ScanOptions()
    c_build = time.process_time()
    corpus = derived_corpus(n, seed, generated, density)
    build_cpu = time.process_time() - c_build
    build_peak = _peak_mb()
    docs = _scan_input(corpus)
    cluster = None
    if engine == "dask" and scheduler is None:
        from distributed import LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)
        scheduler = cluster.scheduler_address
    try:
        workers_cpu = _workers_cpu(scheduler) if engine == "dask" else {}
        t0, c0 = time.perf_counter(), time.process_time()
        if engine == "local":
            result, detail = stages(docs, options)
        else:
            st = Stats()
            result = scan_documents_dask(docs, options=options, scheduler=scheduler, stats=st)
            detail = {"partitions": st.partitions, "verify chunks": st.chunks}
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if engine == "dask":  # the client and (local) scheduler here, plus every worker process
            after = _workers_cpu(scheduler)
            cpu += sum(after[w] - workers_cpu.get(w, 0.0) for w in after)
    finally:
        if cluster is not None:
            cluster.close()
    r, by_kind = recall(result, corpus.known)
    scan_peak = _peak_mb()
    reports = {fmt: _report_size(result, fmt) for fmt in REPORT_FORMATS}
    report_peak = _peak_mb()
    # the reference the streamed JSON must equal byte for byte: the whole dict dumped at once (after
    # the peaks are taken, as it holds the whole report twice over)
    whole = _digest(json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n")
    return {
        "docs": len(docs), "source": corpus.source, "density": density, "engine": engine,
        "corpus build cpu s": round(build_cpu, 1), "peak MB corpus": build_peak, "seconds": round(wall, 1),
        "ms/doc": round(1000 * wall / len(docs), 2), "cpu ms/doc": round(1000 * cpu / len(docs), 2),
        "json digest": reports["json"][1], "pairs": len(result.pairs),
        "families": len(result.families), "known": len(corpus.known), "recall": round(r, 3),
        "by kind": by_kind, "detail": detail,
        "peak MB scan": scan_peak, "peak MB with reports": report_peak,
        "json streamed = whole": whole == reports["json"][1],
        "report bytes": {fmt: size for fmt, (size, _) in reports.items()},
    }


REPORT_FORMATS = ("json", "jsonl", "csv", "line", "table", "html")


def _peak_mb() -> float:
    """This process's peak RSS since the corpus was handed over (`_scan_input`), MB."""
    with open("/proc/self/status") as f:
        return round(int(f.read().split("VmHWM:")[1].split()[0]) / 1024, 1)


def _scan_input(corpus: Derived):
    """The corpus's documents as `provenance scan` holds what it loads (`StoredDocuments`: texts on disk),
    the benchmark's own copy of the texts freed and the peak RSS restarted, so the peaks that follow
    are the scan's, not the corpus generator's."""
    import ctypes
    import gc

    from provenance.ingest.stored import StoredDocuments

    docs = StoredDocuments.of(corpus.docs)
    corpus.docs.clear()
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/clear_refs", "w") as f:  # Linux: "5" restarts VmHWM at the current RSS
        f.write("5")
    return docs


class _Sink:
    """A text stream that keeps only the size and a digest of what is written to it."""

    def __init__(self) -> None:
        import xxhash

        self.bytes, self.hash = 0, xxhash.xxh3_64()

    def write(self, text: str) -> int:
        data = text.encode()
        self.bytes += len(data)
        self.hash.update(data)
        return len(text)

    def flush(self) -> None:  # the table's console flushes after each line
        pass


def _report_size(result, fmt: str) -> tuple[int, str]:
    """(bytes, xxh3 digest) of the report in `fmt`, streamed as the command line writes it, never held."""
    from provenance.report import report_format

    sink = _Sink()
    report_format(fmt).write_to(result, sink)
    return sink.bytes, sink.hash.hexdigest()


def main(argv=None) -> None:
    import subprocess

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--engines", nargs="+", default=["local", "dask"], choices=["local", "dask"],
                    help="local: scan_documents step by step (`stages`); dask: scan_documents_dask")
    ap.add_argument("--workers", type=int, default=2, help="local Dask workers (without --scheduler)")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--generated", action="store_true",
                    help="generated originals even with the Reuters file: stories share nothing, so every size has "
                         "the same copy density (Reuters' templated items join more stories the more there are)")
    ap.add_argument("--density", choices=DENSITIES, default="ten",
                    help="ten: every story has 6-14 documents (mean 10); real: as many as Reuters-21578's own "
                         "families have (72%% of documents alone, 1.23 a story), generated originals past 10k stories")
    ap.add_argument("--no-snapshot", action="store_true", help="run the live package, not a copy taken at start")
    ap.add_argument("--write-jsonl", type=Path, metavar="FILE",
                    help="write the corpus of the first size as JSONL (id, text, published) and its known links to "
                         "FILE.known.json, then stop: for `/usr/bin/time provenance scan FILE -f json -o OUT` as a "
                         "user runs it")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.write_jsonl:
        corpus = derived_corpus(args.sizes[0], args.seed, args.generated, args.density)
        with open(args.write_jsonl, "w", encoding="utf-8") as fh:
            for doc in corpus.docs:
                fh.write(json.dumps({"id": doc.id, "text": doc.text, "published": doc.published}, ensure_ascii=False))
                fh.write("\n")
        Path(f"{args.write_jsonl}.known.json").write_text(json.dumps(corpus.known), encoding="utf-8")
        print(f"{len(corpus.docs):,} documents ({corpus.source}) -> {args.write_jsonl}")
        return

    if args.one:  # a single measurement, printed as JSON for the parent process
        print(json.dumps(measure(args.sizes[0], args.engines[0], args.workers, args.scheduler, args.seed,
                                 args.generated, args.density)))
        return
    print(f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", flush=True)
    env = dict(os.environ)
    if not args.no_snapshot:
        # Every measurement runs the package as it was when the benchmark started (a copy), so
        # edits made during a long run never mix versions between engines or sizes.
        import shutil
        import tempfile

        snap = Path(tempfile.mkdtemp(prefix="provenance-bench-"))
        shutil.copytree(HERE.parent / "provenance", snap / "provenance",
                        ignore=shutil.ignore_patterns("__pycache__"))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(snap), env.get("PYTHONPATH")]))
    rows = []
    for n in args.sizes:
        for engine in args.engines:
            # A fresh process per measurement: no warm caches carried from one run to the next.
            cmd = [sys.executable, __file__, "--one", "--sizes", str(n), "--engines", engine,
                   "--workers", str(args.workers), "--seed", str(args.seed)]
            if args.scheduler:
                cmd += ["--scheduler", args.scheduler]
            if args.generated:
                cmd.append("--generated")
            cmd += ["--density", args.density]
            out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
            row = json.loads(out.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("\n| docs | engine | wall s | wall ms/doc | CPU ms/doc | pairs | families | recall (known links) "
          "| recall by kind | JSON digest (= whole dump) | peak RSS scan / with reports | report MB "
          + " / ".join(REPORT_FORMATS) + " | largest family |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|")
    for r in rows:
        kinds = ", ".join(f"{k} {v}" for k, v in r["by kind"].items())
        sizes = " / ".join(f"{r['report bytes'][fmt] / 1e6:.1f}" for fmt in REPORT_FORMATS)
        print(f"| {r['docs']:,} | {r['engine']} | {r['seconds']} | {r['ms/doc']} | {r['cpu ms/doc']} | "
              f"{r['pairs']:,} | {r['families']:,} | {r['recall']} ({r['known']:,}) | {kinds} | {r['json digest']} "
              f"({'same' if r['json streamed = whole'] else 'DIFFERS'}) | "
              f"{r['peak MB scan']:,.0f} / {r['peak MB with reports']:,.0f} MB | {sizes} | "
              f"{r['detail'].get('largest family', '')} |")


if __name__ == "__main__":
    main()
