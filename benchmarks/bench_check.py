"""Check benchmark: one draft against indexes of 1k, 10k and 100k documents.

For each size it builds an SQLite index (or reuses one built earlier in --workdir),
then measures, as separate processes, what an editor waits for:

* **latency** — wall time of one whole check process, interpreter start-up included,
  for three drafts: one that lifts two paragraphs from an indexed article, one that
  shares nothing, one written from scratch by the corpus generator. Both faces are
  timed: ``python -m provenance.cli.hook`` (what pre-commit runs) and the ``provenance
  check`` command (typer). Reported as the median of --repeat runs, with the minimum.
* **memory** — peak RSS of the check process (from ``wait4``), which must stay flat
  as the index grows: nothing is loaded whole.
* **size** — bytes per document on disk: index structures (everything but the
  compressed text), and the compressed text on top; per table from SQLite's dbstat.
* **in-process** — candidate lookup alone, and the whole check without start-up.

Documents are news-length articles from ``newsgen`` (Reuters-21578 paragraphs
stitched to 300-1,500 words when the file is present, generated text beyond that
and without it). The package's bytecode is compiled first, as `pip install` does: an
interpreter run with PYTHONDONTWRITEBYTECODE would otherwise compile every module from
source on every check (about 0.1 s here), which no installed hook pays. Also printed: baselines for ``python -c pass`` and ``import numpy``
on this machine, since start-up dominates a check.

    python benchmarks/bench_check.py                         # 1k and 10k
    python benchmarks/bench_check.py --sizes 1000 10000 100000
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))

import newsgen  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def corpus(n: int, seed: int = 0) -> list[str]:
    """n news-length articles: Reuters stitched articles first (when present), generated after."""
    texts: list[str] = []
    path = newsgen.reuters_path()
    if path is not None:
        texts = newsgen.reuters_articles(path, n, seed)
    if len(texts) < n:
        texts += newsgen.generated_articles(n - len(texts), seed=seed + 1)
    return texts[:n]


def build(index: Path, n: int, winnow: int | None = None) -> dict:
    from provenance.index import IndexParams, open_index
    from provenance.model import Document

    if index.exists():
        with open_index(index) as ix:
            if ix.stats().documents == n:
                return {"built": False}
        for p in index.parent.glob(index.name + "*"):
            p.unlink()
    t0 = time.perf_counter()
    texts = corpus(n)
    t1 = time.perf_counter()
    params = IndexParams(winnow=winnow) if winnow else IndexParams()
    with open_index(index, create=True, params=params) as ix:
        ix.add((Document(id=f"doc{i:06d}", text=t) for i, t in enumerate(texts)), batch_size=5000)
    t2 = time.perf_counter()
    return {"built": True, "corpus_s": t1 - t0, "index_s": t2 - t1, "docs_per_s": n / (t2 - t1)}


def drafts(index: Path, workdir: Path) -> dict[str, Path]:
    """A copying draft (two paragraphs of an indexed article inside new text) and two originals."""
    from provenance.index import open_index

    with open_index(index) as ix:
        ids = ix.ids()
        src = ix.documents([ids[len(ids) // 2]])[0]
    fresh = newsgen.generated_articles(2, seed=999)
    paras = [p for p in src.text.split("\n\n") if len(p.split()) >= 25] or [src.text]
    lifted = "\n\n".join(paras[:2])
    intro, rest = fresh[0].split("\n\n", 1) if "\n\n" in fresh[0] else (fresh[0], "")
    out = {
        "copying": f"{intro}\n\n{lifted}\n\n{rest}",
        "original": fresh[1],
        "unrelated": "The harbour ferry will run again from Saturday after six weeks in dry dock, the port "
        "authority said, with an extra evening crossing on Fridays through the summer months.\n",
    }
    paths = {}
    for name, text in out.items():
        p = workdir / f"draft-{name}.md"
        p.write_text(text, encoding="utf-8")
        paths[name] = p
    return paths


def timed(cmd: list[str], repeat: int) -> dict:
    """Wall time (whole process) and peak RSS; RSS via /usr/bin/time, since a child forked from
    this (large) process would report the parent's pages in its own ru_maxrss."""
    walls, rss, codes = [], [], set()
    gnu_time = Path("/usr/bin/time")
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        walls.append(time.perf_counter() - t0)
        codes.add(proc.returncode)
    cpu = []
    if gnu_time.exists():  # CPU seconds too: on a shared machine they vary far less than wall time
        for _ in range(min(repeat, 3)):
            r = subprocess.run([str(gnu_time), "-f", "%M %U %S", *cmd], capture_output=True, text=True, cwd=REPO)
            kb, user, system = r.stderr.strip().splitlines()[-1].split()
            rss.append(int(kb))
            cpu.append(float(user) + float(system))
    return {"median_s": statistics.median(walls), "min_s": min(walls), "rss_kb": max(rss or [0]),
            "cpu_s": min(cpu) if cpu else None, "exit": sorted(codes)}


def in_process(index: Path, paths: dict[str, Path], repeat: int) -> dict:
    from provenance.engines.check import check_documents
    from provenance.fingerprint.features import query_features
    from provenance.index import open_index
    from provenance.ingest import files as documents

    out = {}
    with open_index(index) as ix:
        for name, p in paths.items():
            draft = documents.load_paths([p])[0][0]
            q = query_features(draft.text, ix.config, ix.params)
            ix.candidates(q)  # warm
            t0 = time.perf_counter()
            for _ in range(repeat):
                cands = ix.candidates(q)
            lookup = (time.perf_counter() - t0) / repeat
            t0 = time.perf_counter()
            for _ in range(repeat):
                res = check_documents([draft], ix)
            whole = (time.perf_counter() - t0) / repeat
            out[name] = {
                "candidates_ms": lookup * 1000, "check_ms": whole * 1000, "candidates": len(cands),
                "verdicts": sorted({p.verdict for p in res.result.pairs}),
            }
    return out


def sizes(index: Path) -> dict:
    from provenance.index import open_index

    with open_index(index) as ix:
        st = ix.stats()
        words = sum(len(d.text.split()) for d in ix.documents(ix.ids()[:500]))
        sample = min(500, st.documents)
    n = st.documents
    tables = {k[6:]: int(v) / n for k, v in st.extra.items() if k.startswith("table_")}
    return {
        "documents": n,
        "structure_bytes_per_doc": st.structure_bytes / n,
        "text_bytes_per_doc": st.text_bytes / n,
        "file_bytes_per_doc": st.size_bytes / n,
        "fingerprints_per_doc": st.fingerprints / n,
        "words_per_doc": words / sample,
        "tables_bytes_per_doc": tables,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "provenance-bench-check")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--winnow", type=int, help="fingerprint window of the indexes built (default: the index's)")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    compileall.compile_dir(REPO / "provenance", quiet=1)
    py = sys.executable
    results = {
        "baseline": {
            "python -c pass": timed([py, "-c", "pass"], args.repeat),
            "python -c 'import numpy'": timed([py, "-c", "import numpy"], args.repeat),
        },
        "sizes": {},
    }
    for n in args.sizes:
        suffix = f"-w{args.winnow}" if args.winnow else ""
        index = args.workdir / f"index-{n}{suffix}.sqlite"
        info = {"build": build(index, n, args.winnow)}
        paths = drafts(index, args.workdir)
        info["size"] = sizes(index)
        info["hook"] = {
            name: timed([py, "-m", "provenance.cli.hook", "--index", str(index), str(p)], args.repeat)
            for name, p in paths.items()
        }
        info["cli"] = {
            name: timed([py, "-c", "from provenance.cli.main import main; main()", "check", str(p),
                         "--index", str(index), "--format", "line"], args.repeat)
            for name, p in list(paths.items())[:1]
        }
        info["in_process"] = in_process(index, paths, args.repeat)
        results["sizes"][n] = info
        print(json.dumps({n: info}, indent=1, default=str), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    print(table(results))


def table(results: dict) -> str:
    b = results["baseline"]
    nb = b[next(k for k in b if "numpy" in k)]
    lines = [
        f"baseline: python -c pass {b['python -c pass']['median_s']:.3f} s wall "
        f"({b['python -c pass']['cpu_s'] or 0:.2f} s CPU), import numpy {nb['median_s']:.3f} s "
        f"({nb['cpu_s'] or 0:.2f} s CPU) (median wall, min CPU)",
        "",
        "| docs | structures B/doc | text B/doc | words/doc | hook copying (median / min) | hook original | "
        "hook CPU | CLI copying | peak RSS hook | lookup in-process | check in-process |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, info in results["sizes"].items():
        s, h, c, ip = info["size"], info["hook"], info["cli"], info["in_process"]
        lines.append(
            f"| {n:,} | {s['structure_bytes_per_doc']:.0f} | {s['text_bytes_per_doc']:.0f} | {s['words_per_doc']:.0f} | "
            f"{h['copying']['median_s']:.3f} / {h['copying']['min_s']:.3f} s (exit {h['copying']['exit']}) | "
            f"{h['original']['median_s']:.3f} s (exit {h['original']['exit']}) | "
            f"{h['copying']['cpu_s'] or 0:.2f} s | {c['copying']['median_s']:.3f} s | {max(x['rss_kb'] for x in h.values()) / 1024:.0f} MB | "
            f"{ip['copying']['candidates_ms']:.1f} ms | {ip['copying']['check_ms']:.0f} ms |"
        )
    names = {"docs": "metadata + signature", "sqlite_autoindex_docs_1": "id index", "bands": "bands",
             "fps": "fingerprints", "cms": "phrase sketch", "texts": "texts (pages)"}
    lines += ["", "| docs | build docs/s | " + " | ".join(f"{v} B/doc" for v in names.values()) + " |",
              "|---:|---:|" + "---:|" * len(names)]
    for n, info in results["sizes"].items():
        tables, build = info["size"]["tables_bytes_per_doc"], info["build"]
        rate = f"{build['docs_per_s']:,.0f}" if build.get("built") else "(reused)"
        lines.append(f"| {n:,} | {rate} | " + " | ".join(f"{tables.get(k, 0):.0f}" for k in names) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
