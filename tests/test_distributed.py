"""The Dask engine: the single-process scan's answer, byte for byte, on a real 2-worker cluster."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from provenance.candidates import CandidateOptions
from provenance.engines.local import ScanOptions, scan, scan_documents
from provenance.errors import MissingExtraError
from provenance.report import render

distributed = pytest.importorskip("distributed")
pytest.importorskip("pyarrow")

from provenance.engines.dask import Stats, scan_dask, scan_documents_dask

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def scheduler():
    # dashboard_address=None turns the dashboard off, but the scheduler still serves its HTTP routes
    # (health, JSON, metrics) on 8787 and warns when that port is taken: put them on a free port.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def derived():
    """A few hundred documents: stories of an original and its known derivatives (bench_scale)."""
    path = ROOT / "benchmarks" / "bench_scale.py"
    spec = importlib.util.spec_from_file_location("bench_scale", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_scale", module)
    spec.loader.exec_module(module)
    return module.derived_corpus(160, seed=3)


def _same(a, b) -> None:
    assert [(p.a, p.b, p.verdict) for p in a.pairs] == [(p.a, p.b, p.verdict) for p in b.pairs]
    assert a.pairs == b.pairs and a.families == b.families and a.problems == b.problems
    assert render(a, "json") == render(b, "json")


def test_news_corpus_gives_the_single_process_answer(scheduler, news_dir):
    single = scan([news_dir])
    assert single.pairs, "the seed corpus has reuse"
    _same(single, scan_dask([news_dir], scheduler=scheduler, partition_size=2))


def test_clough_gives_the_single_process_answer_with_star_edges(scheduler, clough_dir):
    # Tiny buckets make every shared key with three or more documents a star, across partitions.
    options = ScanOptions(candidates=CandidateOptions(max_bucket=2), include_independent=True)
    single = scan([clough_dir], options=options)
    stats = Stats()
    dask_result = scan_dask([clough_dir], options=options, scheduler=scheduler, partition_size=15, stats=stats)
    _same(single, dask_result)
    assert stats.partitions >= 3 and stats.chunks >= 1


def test_generated_derivatives_give_the_single_process_answer(scheduler, derived):
    single = scan_documents(derived.docs)
    dask_result = scan_documents_dask(derived.docs, scheduler=scheduler, partition_size=50)
    _same(single, dask_result)
    found = {(p.a, p.b) for p in dask_result.pairs}
    hits = [(min(a, b), max(a, b)) in found for a, b, _ in derived.known]
    assert sum(hits) >= 0.6 * len(hits)  # a sanity floor: most known derivatives are found
    assert dask_result.families


def test_a_rerun_resumes_from_the_work_dir(scheduler, derived, tmp_path):
    docs = derived.docs[:90]
    first, second, third = Stats(), Stats(), Stats()
    a = scan_documents_dask(docs, scheduler=scheduler, partition_size=30, work_dir=tmp_path, stats=first)
    assert first.partitions == 3 and first.partitions_reused == 0 and first.chunks_reused == 0
    assert not list(tmp_path.rglob("*.part")), "no temporary file is left behind"

    b = scan_documents_dask(docs, scheduler=scheduler, partition_size=30, work_dir=tmp_path, stats=second)
    assert second.partitions_reused == 3 and second.chunks_reused == second.chunks == first.chunks
    _same(a, b)
    _same(scan_documents(docs), b)

    # A damaged file is recomputed, never trusted; a leftover temporary file is ignored.
    damaged = min((tmp_path / "features").glob("*.parquet"))
    damaged.write_bytes(damaged.read_bytes()[: 100])
    (damaged.parent / f".{damaged.name}.0.part").write_bytes(b"partial")
    c = scan_documents_dask(docs, scheduler=scheduler, partition_size=30, work_dir=tmp_path, stats=third)
    assert third.partitions_reused == 2
    _same(a, c)


def test_cli_work_dir_keeps_parquet_and_a_rerun_gives_the_same_json(scheduler, news_dir, tmp_path):
    from typer.testing import CliRunner

    from provenance.cli.app import app

    work = tmp_path / "work"
    args = ["scan", str(news_dir), "-f", "json", "--engine", "dask", "--scheduler", scheduler,
            "--work-dir", str(work)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    def kept() -> dict:
        return {p.relative_to(work): p.stat().st_mtime_ns for p in work.rglob("*.parquet")}

    files = kept()
    assert {p.parts[0] for p in files} >= {"features", "verified"}, files
    assert not list(work.rglob("*.part"))
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert second.stdout == first.stdout == render(scan([news_dir]), "json")
    assert kept() == files  # read back, not written again


def test_an_empty_or_one_document_corpus(scheduler, tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_text("A single short document has nobody to copy from.", encoding="utf-8")
    result = scan_dask([one], scheduler=scheduler)
    assert [d.id for d in result.documents] == ["a.txt"] and result.pairs == [] and result.families == []
    _same(scan([one]), result)
    empty = scan_documents_dask([], scheduler=scheduler)
    assert empty.documents == [] and empty.pairs == []


def test_phrase_counts_merged_over_partitions_equal_one_pass(derived, tmp_path):
    from provenance.engines import dask as D
    from provenance.verify.phrases import PhraseStats

    docs = derived.docs[:100]
    whole = PhraseStats.from_documents(docs)
    for path in (None, str(tmp_path / "p0.parquet")):  # computed, then computed and stored
        for _ in range(2 if path else 1):  # ...and read back
            parts = [D.phrases_task(docs[s : s + 30], 3, path and f"{path}.{s}") for s in range(0, 100, 30)]
            reduced = [D.phrases_reduce_task(*[p["pieces"][r] for p in parts]) for r in range(3)]
            merged = D.phrases_final_task(len(docs), *reduced)
            for name in ("n_docs", "hashes", "counts"):
                assert np.array_equal(getattr(merged, name), getattr(whole, name)), name


def test_missing_dask_names_the_extra(monkeypatch, news_dir):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtraError, match=r"pip install provenance\[dask\]"):
        scan_dask([news_dir])


def test_an_unreachable_scheduler_names_the_fix(news_dir):
    import dask

    from provenance.errors import ProvenanceError

    with (
        dask.config.set({"distributed.comm.timeouts.connect": "1s"}),
        pytest.raises(ProvenanceError, match="Dask scheduler"),
    ):
        scan_dask([news_dir], scheduler="tcp://127.0.0.1:9")


def test_a_tls_scheduler_without_client_certificate_names_the_settings(news_dir):
    from provenance.errors import ProvenanceError

    with pytest.raises(ProvenanceError, match="DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT"):
        scan_dask([news_dir], scheduler="tls://127.0.0.1:9")


def test_a_planted_work_dir_file_is_recomputed_not_reported(scheduler, news_dir, tmp_path):
    """Every verified pair rewritten as 'independent' under the right file name: the digest beside
    it no longer matches, so the chunk is verified again and the copies are still reported."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    work = tmp_path / "work"
    first, second = Stats(), Stats()
    a = scan_dask([news_dir], scheduler=scheduler, partition_size=2, work_dir=work, stats=first)
    assert any(p.verdict == "copy" for p in a.pairs)
    planted = sorted((work / "verified").glob("*.parquet"))
    assert planted and all(p.with_name(p.name + ".digest").is_file() for p in planted)
    for path in planted:
        table = pq.read_table(path)
        verdicts = pa.array(["independent"] * table.num_rows, table.schema.field("verdict").type)
        pq.write_table(table.set_column(table.schema.get_field_index("verdict"), "verdict", verdicts), path)
    b = scan_dask([news_dir], scheduler=scheduler, partition_size=2, work_dir=work, stats=second)
    assert second.chunks_reused == 0 and second.partitions_reused == second.partitions
    _same(a, b)


def test_the_work_dir_digest_changes_with_the_settings(monkeypatch):
    from dataclasses import replace

    from provenance import settings
    from provenance.engines import dask as D

    D._code_digest.cache_clear()
    before = D._digest("x.parquet", b"data")
    monkeypatch.setattr(settings, "ALIGNMENT", replace(settings.ALIGNMENT, max_gap=settings.ALIGNMENT.max_gap + 1))
    D._code_digest.cache_clear()
    try:
        assert D._digest("x.parquet", b"data") != before
        assert D._digest("y.parquet", b"data") != D._digest("x.parquet", b"data")
    finally:
        monkeypatch.undo()
        D._code_digest.cache_clear()
    assert D._digest("x.parquet", b"data") == before
