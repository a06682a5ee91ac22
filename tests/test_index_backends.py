"""The index contract, run on every backend: SQLite (a file), Redis (a real redis-server) and memory.

Redis tests use $PROVENANCE_TEST_REDIS (``.ci/run`` exports redis://127.0.0.1:6379/15),
else try redis://127.0.0.1:6379/15, and skip with the reason when no server answers.
Each test uses its own index name and drops it afterwards. The fault tests start a
private redis-server on a free port and stop it mid-run.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from provenance.cli.app import app
from provenance.engines.check import check_documents
from provenance.errors import ConfigMismatchError, IndexError_
from provenance.fingerprint.features import doc_phrases, query_features
from provenance.index import memory, open_index
from provenance.model import Document
from provenance.settings import DEFAULT_CONFIG, SketchConfig

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "corpus" / "news"
CLOUGH = ROOT / "corpus" / "clough-stevenson-dev"
REDIS_URL = os.environ.get("PROVENANCE_TEST_REDIS") or "redis://127.0.0.1:6379/15"
VOCAB = [f"w{i}" for i in range(5000)]


def _redis_reason() -> str | None:
    """None when a Redis server answers at REDIS_URL, else why the Redis tests skip."""
    try:
        import redis
    except ImportError:
        return "the redis client is not installed (pip install provenance[redis])"
    from provenance.index.redis import parse_spec

    kwargs, *_ = parse_spec(REDIS_URL)
    try:
        client = redis.Redis(**{**kwargs, "socket_timeout": 2, "socket_connect_timeout": 2})
        client.ping()
        client.close()
    except redis.exceptions.RedisError as exc:
        return f"no Redis server answers at {REDIS_URL} ({exc}); set PROVENANCE_TEST_REDIS or start redis-server"
    return None


REDIS_SKIP = _redis_reason()
needs_redis = pytest.mark.skipif(REDIS_SKIP is not None, reason=REDIS_SKIP or "")
BACKENDS = ["sqlite", pytest.param("redis", marks=needs_redis), "memory"]


def prose(seed: int, n_words: int) -> str:
    rng = np.random.RandomState(seed)
    return " ".join(VOCAB[i] for i in rng.randint(0, len(VOCAB), n_words))


def docs(n: int, words: int = 300, start: int = 0) -> list[Document]:
    return [Document(id=f"d{i:04d}", text=prose(i, words), title=f"Story {i}") for i in range(start, start + n)]


def redis_spec(url: str = REDIS_URL, **options: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"name": f"test-{uuid.uuid4().hex[:12]}", **options}.items())
    return f"{url}?{query}"


def drop(spec: str) -> None:
    from provenance.index.redis import drop as drop_index

    drop_index(spec)


@pytest.fixture
def make(tmp_path):
    """make(backend) -> a fresh index spec of that backend; Redis and memory indexes are dropped at teardown."""
    made: list[str] = []

    def factory(backend: str) -> str:
        if backend == "sqlite":
            return str(tmp_path / f"ix{len(made)}" / "index.sqlite")
        spec = f"memory://test-{uuid.uuid4().hex[:12]}" if backend == "memory" else redis_spec()
        made.append(spec)
        return spec

    yield factory
    for spec in made:
        if spec.startswith("memory://"):
            memory.drop(spec)
            continue
        try:
            drop(spec)
        except IndexError_:
            pass


@pytest.fixture(params=BACKENDS)
def spec(request, make):
    return make(request.param)


@pytest.fixture
def index(spec):
    ix = open_index(spec, create=True)
    yield ix
    ix.close()


# --- the contract, on each backend --------------------------------------------------------


def test_add_is_incremental_and_replaces_changed_documents(index):
    first = index.add(docs(20), batch_size=7)
    assert (first.added, first.replaced, first.unchanged) == (20, 0, 0)
    again = index.add(docs(20))
    assert (again.added, again.replaced, again.unchanged) == (0, 0, 20)
    changed = [Document(id="d0003", text=prose(999, 300), title="Rewritten")]
    rep = index.add(changed + docs(2, start=20))
    assert (rep.added, rep.replaced, rep.unchanged) == (2, 1, 0)
    assert index.stats().documents == 22 and len(index.ids()) == 22
    (got,) = index.documents(["d0003"])
    assert got.text == changed[0].text and got.title == "Rewritten"
    assert "d0003" not in [c.id for c in index.candidates(query_features(prose(3, 300), DEFAULT_CONFIG, index.params))]
    assert index.candidates(query_features(prose(999, 300), DEFAULT_CONFIG, index.params))[0].id == "d0003"


def test_documents_round_trip_text_and_metadata(index):
    d = Document(
        id="a/b ü.md", text="Ünïcode “quotes” — and\u00a0spaces.\n\nSecond paragraph here.", path="/x/a/b.md",
        title="T", url="https://example.org/a", site="example.org", published="2024-05-01", raw_chars=99,
    )
    bare = Document(id="bare", text="just some words in a row")
    index.add([d, bare])
    assert index.documents(["bare", "missing", "a/b ü.md"]) == [dataclasses.replace(bare, raw_chars=24), d]


def test_empty_and_duplicate_documents_are_reported_not_indexed(index):
    rep = index.add([Document(id="e", text="  ... !!! "), Document(id="x", text="one two"),
                     Document(id="x", text="three four")])
    assert rep.added == 1
    reasons = dict(rep.skipped)
    assert "no words" in reasons["e"] and "duplicate" in reasons["x"]
    assert index.documents(["x"])[0].text == "three four"


def test_remove_deletes_every_posting_and_phrase_count(index):
    d = docs(10)
    index.add(d)
    assert index.remove(["d0001", "nope", "d0002"]) == ["d0001", "d0002"]
    assert index.stats().documents == 8
    assert index.candidates(query_features(d[1].text, DEFAULT_CONFIG, index.params)) == []
    index.remove([x.id for x in d])
    if hasattr(index.storage, "r"):  # Redis: nothing of the documents is left but the index's own records
        _assert_consistent(index, 0)
        store = index.storage
        left = store.r.keys(store.prefix.replace("{", "\\{").replace("}", "\\}") + "*")
        assert sorted(k[len(store.prefix) :] for k in left) == [b"g1:cms:0", b"g1:cms:1", b"gens", b"meta"]
    st = index.stats()
    assert (st.documents, st.fingerprints, st.band_entries, st.text_bytes) == (0, 0, 0, 0)
    ps = index.phrase_stats()
    assert ps.n_docs == 0 and not ps.doc_freq(doc_phrases([d[0].text])[0]).any()


@needs_redis
def test_an_index_of_another_schema_is_refused_and_can_be_dropped(make):
    from provenance.index import redis as backend

    spec = make("redis")
    with open_index(spec, create=True) as ix:
        ix.add(docs(3))
        ix.storage.r.hset(ix.storage.key("meta"), "schema", "0")
    with pytest.raises(IndexError_, match="has index schema '0'.*drop it"):
        open_index(spec)
    assert backend.drop(spec) > 5
    with pytest.raises(IndexError_, match="provenance index add"):
        open_index(spec)


def test_missing_index_names_the_command_that_builds_one(spec):
    with pytest.raises(IndexError_, match="provenance index add"):
        open_index(spec)


def test_config_mismatch_is_refused_and_rebuild_fixes_it(spec):
    with open_index(spec, create=True) as ix:
        ix.add(docs(15))
    other = SketchConfig(k=3)
    with pytest.raises(ConfigMismatchError, match="provenance index rebuild"):
        open_index(spec, other)
    with open_index(spec, other, check_config=False) as ix:
        assert ix.rebuild(other) == 15
    with open_index(spec, other) as ix:
        assert ix.stats().documents == 15
        assert ix.candidates(query_features(prose(4, 300), other, ix.params))[0].id == "d0004"
    with pytest.raises(ConfigMismatchError):
        open_index(spec)


def test_an_index_rebuilt_under_an_open_reader_is_refused_not_misread(spec):
    with open_index(spec, create=True) as ix:
        ix.add(docs(5))
        q = query_features(prose(2, 300), DEFAULT_CONFIG, ix.params)
        other = SketchConfig(k=3)
        with open_index(spec, other, check_config=False) as writer:
            writer.rebuild(other)
        with pytest.raises(ConfigMismatchError):
            ix.candidates(q)


def test_rebuild_keeps_answers_and_sizes(index):
    index.add(docs(30))
    q = query_features(prose(5, 300)[:900], DEFAULT_CONFIG, index.params)
    before, before_stats = index.candidates(q), index.stats()
    assert index.rebuild() == 30
    assert index.candidates(q) == before
    after = index.stats()
    assert (after.fingerprints, after.band_entries) == (before_stats.fingerprints, before_stats.band_entries)


def test_phrase_sketch_widens_as_the_index_grows(index, monkeypatch):
    """Widening recounts from the stored texts; the counts still never undercount."""
    from provenance.index import count_min as cms

    d = docs(40, words=150)
    index.add(d[:2])
    narrow = int(index.stats().extra["cms_width"])
    monkeypatch.setattr(cms, "LOAD", 0.01)  # widen after ~1,300 phrases instead of ~500,000
    index.add(d[2:20])
    index.remove(["d0005"])
    index.add(d[20:])
    assert narrow == 1 << cms.MIN_BITS
    assert int(index.stats().extra["cms_width"]) == 1 << cms.MAX_BITS
    ps = index.phrase_stats()
    kept = [x for x in d if x.id != "d0005"]
    per_doc = [set(p.tolist()) for p in doc_phrases([x.text for x in kept])]
    probe = np.array(sorted(set().union(*per_doc[:3])), dtype=np.uint64)
    true = np.array([sum(h in s for s in per_doc) for h in probe.tolist()])
    est = ps.doc_freq(probe)
    assert ps.n_docs == 39 and (est >= true).all() and np.mean(est == true) > 0.95


# --- the same answers on every backend ------------------------------------------------------


def _corpus() -> tuple[list[Document], list[Document]]:
    """Stored documents and drafts: the news seeds, Clough sources and answers, generated derivatives."""
    news = {p.name[:3]: Document(id=p.stem, text=p.read_text(encoding="utf-8")) for p in sorted(NEWS.glob("*.txt"))}
    stored = [news["001"], news["003"]]
    drafts = [news["000"], news["002"], news["004"]]
    if CLOUGH.exists():
        stored += [Document(id=p.stem, text=p.read_text(encoding="utf-8", errors="replace"))
                   for p in sorted(CLOUGH.glob("orig_task*.txt"))]
        drafts += [Document(id=p.stem, text=p.read_text(encoding="utf-8", errors="replace"))
                   for p in sorted(CLOUGH.glob("g*_task[abc].txt"))[::3]]
    rng = np.random.RandomState(7)
    base = docs(300, words=250, start=1000)
    stored += base
    for i in range(40):
        src = base[rng.randint(len(base))].text.split()
        other = base[rng.randint(len(base))].text.split()
        kind = i % 4
        if kind == 0:  # light edit of a whole article
            words = ["changed" if rng.rand() < 0.1 else w for w in src]
        elif kind == 1:  # a paragraph lifted into new prose
            a = rng.randint(0, len(src) - 60)
            words = prose(5000 + i, 120).split() + src[a : a + 50] + prose(6000 + i, 80).split()
        elif kind == 2:  # two sources merged
            words = src[:120] + other[100:220]
        else:  # unrelated
            words = prose(7000 + i, 200).split()
        doc = Document(id=f"gen{i:03d}", text=" ".join(words))
        (stored if i % 5 == 0 else drafts).append(doc)
    return stored, drafts


@pytest.mark.parametrize("other", [b for b in BACKENDS if b != "sqlite"])
def test_every_backend_gives_the_candidates_phrase_counts_and_verdicts_of_sqlite(make, other):
    stored, drafts = _corpus()
    specs = [make("sqlite"), make(other)]
    answers = []
    for s in specs:
        with open_index(s, create=True) as ix:
            ix.add(stored, batch_size=97)
            ix.remove(["d1003", "gen000"])
            ix.add([Document(id="d1003", text=prose(424242, 250))])
            cands = [ix.candidates(query_features(d.text, ix.config, ix.params), limit=10) for d in drafts]
            probe = np.concatenate(doc_phrases([d.text for d in drafts[:10]]))
            counts = ix.phrase_stats().doc_freq(probe)
            result = check_documents(drafts, ix)
            st = ix.stats()
            answers.append((cands, counts, result, (st.documents, st.fingerprints, st.band_entries, st.text_bytes)))
    (c1, n1, r1, s1), (c2, n2, r2, s2) = answers
    assert sum(map(len, c1)) > 40  # the corpus exercises the channels
    assert c1 == c2
    assert np.array_equal(n1, n2)
    assert s1 == s2
    assert [dataclasses.asdict(p) for p in r1.result.pairs] == [dataclasses.asdict(p) for p in r2.result.pairs]
    assert r1.candidates_seen == r2.candidates_seen and r1.exit_code == r2.exit_code == 1
    assert {p.verdict for p in r1.result.pairs} >= {"copy"}


# --- Redis specifics ----------------------------------------------------------------------------


@needs_redis
def test_redis_storage_is_datasketch_minhashlsh_and_never_unpickles(make, monkeypatch):
    from datasketch import LeanMinHash, MinHashLSH

    from provenance.fingerprint import minhash as sketch

    def refuse(*args, **kwargs):
        raise AssertionError("pickle.loads was called")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    spec = make("redis")
    d = docs(30)
    with open_index(spec, create=True) as ix:
        ix.add(d)
        ix.remove(["d0009"])
        ix.add([Document(id="d0004", text=prose(31337, 300))])
        assert ix.candidates(query_features(d[3].text, ix.config, ix.params))[0].id == "d0003"
        stored = ix.signatures(["d0003"])["d0003"]
        assert LeanMinHash.deserialize(stored, byteorder="<") == sketch.minhash(d[3].text)
        check_documents([Document(id="draft", text=d[5].text)], ix)
        ix.rebuild()
        # a plain datasketch MinHashLSH on the same basename answers with our document ids
        lsh = MinHashLSH(num_perm=128, params=(ix.params.bands, ix.params.rows), prepickle=False,
                         storage_config={"type": "redis", "basename": ix.storage.lsh().keys._name[: -len(b"_keys")],
                                         "redis": ix.storage.lsh().keys.config["redis"]})
        assert b"d0007" in lsh.query(sketch.minhash(d[7].text))
        assert b"d0009" not in lsh.query(sketch.minhash(d[9].text))
        assert lsh.keys.size() == 29
        # the read path computes datasketch's bucket keys itself (no scipy import per check): the same keys
        for text in (d[1].text, d[2].text):
            m = sketch.minhash(text)
            ours = ix.storage.bucket_keys(m.hashvalues)
            theirs = [t.redis_key(lsh._H(m.hashvalues[a:b])) for (a, b), t in zip(lsh.hashranges, lsh.hashtables)]
            assert ours == theirs
        keys = ix.storage.r.keys(ix.storage.prefix.replace("{", "\\{").replace("}", "\\}") + "*")
        assert keys and all(k.startswith(ix.storage.prefix.encode()) for k in keys)
        assert not any(b":g1:" in k for k in keys)  # the old generation is gone after the rebuild


def test_a_missing_redis_client_names_the_extra(monkeypatch):
    from provenance.errors import MissingExtraError

    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(MissingExtraError, match=r"pip install provenance\[redis\]"):
        open_index("redis://127.0.0.1:6379/0?name=x")


@needs_redis
def test_redis_stats_estimate_a_large_index_from_samples(make, monkeypatch):
    from provenance.index import redis as backend

    with open_index(make("redis"), create=True) as ix:
        ix.add(docs(600, words=300))
        exact = ix.stats()
        monkeypatch.setattr(backend, "EXACT_BELOW", 100)
        estimate = ix.stats()
    assert (exact.extra["memory"], estimate.extra["memory"]) == ("measured", "estimated from samples")
    assert estimate.documents == exact.documents == 600 and estimate.fingerprints == exact.fingerprints
    assert abs(estimate.size_bytes / exact.size_bytes - 1) < 0.25
    assert abs(int(estimate.extra["keys"]) / int(exact.extra["keys"]) - 1) < 0.25


@needs_redis
def test_redis_spec_errors_are_clear():
    with pytest.raises(IndexError_, match="only name=, timeout="):
        open_index(REDIS_URL + "?nmae=x")
    with pytest.raises(IndexError_, match="use letters, digits"):
        open_index(REDIS_URL + "?name=a b*")
    with pytest.raises(IndexError_, match="redis://HOST:PORT/DB"):
        open_index("redis://127.0.0.1:6379/notanumber")


@needs_redis
def test_cli_commands_accept_a_redis_index(make, tmp_path):
    runner = CliRunner()
    spec = make("redis")
    src = tmp_path / "published"
    src.mkdir()
    for p in sorted(NEWS.glob("00[13]_*.txt")):
        shutil.copy(p, src / p.name)
    r = runner.invoke(app, ["index", "add", str(src), "--index", spec])
    assert r.exit_code == 0 and "added 2" in r.output, r.output
    r = runner.invoke(app, ["index", "stats", "--index", spec, "--json"])
    assert r.exit_code == 0 and '"documents": 2' in r.output, r.output
    draft = tmp_path / "draft.txt"
    shutil.copy(next(NEWS.glob("002_*.txt")), draft)
    r = runner.invoke(app, ["check", str(draft), "--index", spec, "--format", "line"])
    assert r.exit_code == 1 and "001_" in r.stdout, r.output
    with open_index(spec) as ix:
        (first,) = [i for i in ix.ids() if "001_" in i]
    r = runner.invoke(app, ["index", "remove", first, "--index", spec])
    assert r.exit_code == 0 and "removed 1" in r.output, r.output
    r = runner.invoke(app, ["check", str(draft), "--index", spec])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["check", str(draft), "--index", redis_spec()])
    assert r.exit_code == 2 and "provenance index add" in r.output


@needs_redis
def test_concurrent_writers_commit_whole_batches(make):
    spec = make("redis")
    with open_index(spec, create=True):
        pass
    errors: list[BaseException] = []

    def writer(start: int) -> None:
        try:
            with open_index(spec) as ix:
                ix.add(docs(40, words=120, start=start), batch_size=5)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(s,)) for s in (0, 40, 80)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with open_index(spec) as ix:
        _assert_consistent(ix, 120)


def _assert_consistent(ix, n_docs: int | None = None) -> None:
    """Every counter matches what the keys hold; every document is whole."""
    store = ix.storage
    meta = store.read_meta()
    ids = ix.ids()
    if n_docs is not None:
        assert len(ids) == n_docs
    assert int(meta["n_docs"]) == len(ids) == store.r.hlen(store._gkey("sig")) == store.lsh().keys.size()
    pattern = store.prefix.replace("{", "\\{").replace("}", "\\}") + f"g{store.gen}:fp:*"
    fp_members = sum(len(v) // 4 for k in store.r.scan_iter(match=pattern, count=1000) for v in store.r.hvals(k))
    assert fp_members == int(meta["fps"])
    for d in ix.documents(ids[:: max(1, len(ids) // 15)]):
        assert ix.candidates(query_features(d.text, ix.config, ix.params), limit=1)[0].id == d.id


# --- faults: a server that goes away -----------------------------------------------------------


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of our own on a free port; yields (url, process)."""
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port, socket_timeout=1)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    else:
        proc.kill()
        pytest.skip("could not start a private redis-server")
    client.close()
    yield f"redis://127.0.0.1:{port}/0", proc
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGCONT)
        proc.kill()
    proc.wait()


def _within(seconds: float, fn):
    """Run fn in a thread; fail (instead of hanging the suite) if it has not returned after `seconds`."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still waiting after {seconds} s: the client hangs"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


@needs_redis
def test_a_server_that_stops_mid_add_gives_a_clear_error(private_redis):
    url, proc = private_redis
    spec = redis_spec(url)

    def stream():
        yield from docs(20)
        proc.terminate()  # the first batch is committed; the server goes away under the second
        proc.wait()
        yield from docs(20, start=20)

    failed = r"Redis server redis://127\.0\.0\.1:\d+/0\?name=test-.* failed"
    with open_index(spec, create=True) as ix, pytest.raises(IndexError_, match=failed):
        _within(60, lambda: ix.add(stream(), batch_size=20))
    with pytest.raises(IndexError_, match="run it again"):
        _within(60, lambda: open_index(spec))


@needs_redis
def test_a_server_that_hangs_gives_a_clear_error_after_the_timeout(private_redis):
    url, proc = private_redis
    spec = redis_spec(url, timeout=1)
    with open_index(spec, create=True) as ix:
        ix.add(docs(10))
        draft = Document(id="draft", text=prose(3, 300))
        assert check_documents([draft], ix).exit_code == 1
        os.kill(proc.pid, signal.SIGSTOP)
        try:
            with pytest.raises(IndexError_, match=r"did not answer within 1 s"):
                _within(60, lambda: check_documents([draft], ix))
        finally:
            os.kill(proc.pid, signal.SIGCONT)


@needs_redis
def test_killing_an_add_leaves_only_whole_batches(private_redis, tmp_path):
    url, _ = private_redis
    spec = redis_spec(url)
    import inspect

    script = "\n".join([
        "import numpy as np",
        "from provenance.index import open_index",
        "from provenance.model import Document",
        f"VOCAB = {VOCAB!r}",
        inspect.getsource(prose),
        inspect.getsource(docs),
        f"with open_index({spec!r}, create=True) as ix:",
        "    ix.add(docs(3000, words=200), batch_size=25)",
    ])
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 120
    n = 0
    while proc.poll() is None and time.monotonic() < deadline and n < 100:
        time.sleep(0.05)
        try:
            with open_index(spec) as ix:
                n = ix.n_docs
        except IndexError_:
            pass
    assert proc.poll() is None, "the add finished before it could be killed: make the corpus larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with open_index(spec) as ix:
        assert 100 <= ix.n_docs < 3000 and ix.n_docs % 25 == 0
        _assert_consistent(ix)
        rep = ix.add(docs(3000, words=200)[: ix.n_docs + 10])
        assert rep.added == 10


# --- the layers ---------------------------------------------------------------------------------


def test_datasketch_internals_are_touched_in_one_file_only():
    """Private datasketch names (``_H``, ``_insert``, ``_remove``, ``_redis``) and datasketch's storage
    objects appear in `index/datasketch_lsh.py` and nowhere else in the package."""
    import re

    private = re.compile(r"\._H\(|\._insert\(|\._remove\(|\.hashtables\b|\.hashranges\b|\blsh\.keys\b|\._redis\.")
    users = {
        str(p.relative_to(ROOT)) for p in (ROOT / "provenance").rglob("*.py")
        if private.search(p.read_text(encoding="utf-8"))
    }
    assert users == {"provenance/index/datasketch_lsh.py"}


def test_a_check_against_an_sqlite_index_imports_neither_redis_nor_datasketch(tmp_path):
    path = tmp_path / "index.sqlite"
    with open_index(path, create=True) as ix:
        ix.add(docs(5))
    draft = tmp_path / "draft.txt"
    draft.write_text(prose(2, 300), encoding="utf-8")
    script = "\n".join([
        "import runpy, sys",
        f"sys.argv = ['hook', '--index', {str(path)!r}, {str(draft)!r}]",
        "try:",
        "    runpy.run_module('provenance.cli.hook', run_name='__main__')",
        "except SystemExit as exc:",
        "    code = exc.code",
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'redis', 'datasketch', 'scipy'})",
        "print('exit', code, 'heavy', heavy, file=sys.stderr)",
    ])
    run = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert "exit 1 heavy []" in run.stderr, run.stderr


# --- Redis faults of issue #15: eviction, write pauses, generations left by a killed rebuild ----


def _private_client(url: str):
    import redis

    from provenance.index.redis import parse_spec

    kwargs, *_ = parse_spec(url)
    return redis.Redis(**{**kwargs, "socket_timeout": 5})


@needs_redis
def test_a_server_that_may_evict_keys_is_refused_naming_the_fix(private_redis):
    url, _ = private_redis
    client = _private_client(url)
    client.config_set("maxmemory", 64 * 1024 * 1024)
    client.config_set("maxmemory-policy", "allkeys-lru")
    spec = redis_spec(url)
    with pytest.raises(IndexError_, match=r"maxmemory-policy allkeys-lru.*CONFIG SET maxmemory-policy noeviction"):
        open_index(spec, create=True)
    result = CliRunner().invoke(app, ["index", "add", str(NEWS), "--index", spec])
    assert result.exit_code == 2 and "noeviction" in result.output
    client.config_set("maxmemory-policy", "noeviction")  # a limit without eviction: writes fail loudly instead
    with open_index(spec, create=True) as ix:
        assert ix.add(docs(5)).added == 5


@needs_redis
def test_a_write_pause_is_a_timeout_not_fifty_retries_blaming_other_writers(private_redis):
    url, _ = private_redis
    spec = redis_spec(url, timeout=1)
    client = _private_client(url)
    with open_index(spec, create=True) as ix:
        ix.add(docs(5))
        client.execute_command("CLIENT", "PAUSE", 30_000, "WRITE")  # what a failover does
        try:
            with pytest.raises(IndexError_, match=r"did not answer within 1 s \(it may be pausing writes") as caught:
                _within(60, lambda: ix.add(docs(5, start=5)))
            assert "other writers" not in str(caught.value)
        finally:
            client.execute_command("CLIENT", "UNPAUSE")
        assert ix.add(docs(5, start=5)).added == 5  # after the pause the same add goes through


@needs_redis
def test_the_next_rebuild_drops_the_generation_a_killed_rebuild_left(private_redis):
    url, _ = private_redis
    spec = redis_spec(url)
    with open_index(spec, create=True) as ix:
        ix.add(docs(40), batch_size=10)
    # a rebuild killed (-9: no cleanup runs) after writing its whole generation, before switching to it
    killed = (
        "import os\n"
        "from provenance.index import open_index, redis\n"
        "redis.RedisStorage._switch = lambda *args: os._exit(9)\n"
        f"with open_index({spec!r}) as ix:\n"
        "    ix.rebuild()\n"
    )
    done = subprocess.run([sys.executable, "-c", killed], capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr
    from provenance.index.redis import RedisStorage

    storage = RedisStorage(spec)
    try:
        current = storage.gen
        left = set(storage.generations()) - {current}
        assert left, "the killed rebuild should have left its generation behind"
        with open_index(spec) as ix:
            ix.rebuild()
        assert set(storage.generations()) == {int(storage.read_meta()["gen"])}
        assert not list(storage.r.scan_iter(match=storage.key("rebuilding:") + "*"))
    finally:
        storage.close()
    with open_index(spec) as ix:
        assert ix.stats().documents == 40
        draft = Document(id="draft", text=prose(3, 300))
        assert check_documents([draft], ix).exit_code == 1


# --- a damaged Redis index: exit 2 naming the fix, as a damaged SQLite file (tests/test_faults.py) --


def _damage_redis(client, storage, case: str) -> None:
    """Overwrite stored values of the index behind `storage` the way a bad write or a bit flip would."""
    prefix = storage.prefix.replace("{", "\\{").replace("}", "\\}")
    if case == "bad zlib text":
        for key in client.scan_iter(match=prefix + "d:*"):
            client.hset(key, "z", b"\x01\x02\x03\x04\x05")
    elif case == "truncated fingerprint postings":
        for key in client.scan_iter(match=prefix + f"g{storage.gen}:fp:*"):
            client.hset(key, mapping={field: value[:-1] + b"\x00\x00" for field, value in client.hgetall(key).items()})
    elif case == "truncated signatures":
        sigs = storage._gkey("sig")
        client.hset(sigs, mapping={n: value[:20] for n, value in client.hgetall(sigs).items()})
    elif case == "a count that is no number":
        client.hset(storage.key("meta"), "cms_bits", "x")
    elif case == "short phrase sketch":
        for row in range(int(storage.read_meta()["cms_depth"])):
            client.set(storage._gkey(f"cms:{row}"), b"\x00")


@needs_redis
@pytest.mark.parametrize("case", ["bad zlib text", "truncated fingerprint postings", "truncated signatures",
                                  "a count that is no number", "short phrase sketch"])
def test_a_damaged_redis_index_is_exit_2_naming_the_fix(private_redis, case):
    from provenance.index.redis import RedisStorage

    url, _ = private_redis
    spec = redis_spec(url)
    runner = CliRunner()
    assert runner.invoke(app, ["index", "add", str(NEWS), "--index", spec]).exit_code == 0
    draft = str(sorted(NEWS.glob("*.txt"))[0])
    storage = RedisStorage(spec)
    client = _private_client(url)
    _damage_redis(client, storage, case)
    storage.close()
    damaged = f"the index {spec.split('?')[0]}?name="
    if case == "truncated signatures":  # only the library reads them back
        with open_index(spec) as ix, pytest.raises(IndexError_, match="is damaged .*provenance index rebuild"):
            ix.signatures(ix.ids()[:3])
    else:
        result = runner.invoke(app, ["check", draft, "--index", spec, "-f", "line"])
        assert result.exit_code == 2, (case, result.output)
        assert damaged in result.output and "is damaged" in result.output
        assert "provenance index rebuild" in result.output and "Traceback" not in result.output
    if case == "a count that is no number":
        return
    rebuilt = runner.invoke(app, ["index", "rebuild", "--index", spec])
    if case == "bad zlib text":  # the texts themselves are gone: rebuilding cannot help, and says so
        assert rebuilt.exit_code == 2 and "is damaged" in rebuilt.output and "add the files again" in rebuilt.output
        return
    assert rebuilt.exit_code == 0, rebuilt.output  # the fix named: the lookup tables come back from the texts
    assert runner.invoke(app, ["check", draft, "--index", spec, "-f", "line"]).exit_code == 1
    with open_index(spec) as ix:
        assert len(ix.signatures(ix.ids()[:3])) == 3
