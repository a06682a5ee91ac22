"""End to end: the real `pre-commit try-repo` in a newsroom repository, and crash safety of `index add`."""

from __future__ import annotations

import os
import shutil
import signal
import site
import sqlite3
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "corpus" / "news"
CLI = [sys.executable, "-c", "from provenance.cli.app import main; main()"]

ORIGINAL = """# Harbour ferry returns after repairs

The harbour ferry will run again from Saturday after six weeks in dry dock, the port authority
said, with an extra evening crossing on Fridays through the summer. Engineers replaced both
propeller shafts and a steering pump that failed in April, stranding forty passengers for an
afternoon. Season tickets bought before the breakdown will be extended by six weeks.
"""


def seed(prefix: str) -> Path:
    return next(NEWS.glob(f"{prefix}_*.txt"))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="session")
def precommit_env(tmp_path_factory):
    """pre-commit's cache for the whole session, and a hook venv that reuses the running environment.

    The hook's virtualenv sees the packages of the environment running the tests (a virtualenv
    or the system's Python alike) through ``PYTHONPATH``, so pip finds every dependency already
    installed; ``PIP_NO_INDEX`` keeps it offline, and the package is built in pip's isolated
    build environment from the setuptools wheel that virtualenv (a dependency of pre-commit)
    bundles. One offline install of a few seconds per session, whatever the base interpreter holds.
    """
    if shutil.which("pre-commit") is None or shutil.which("git") is None:
        pytest.skip("pre-commit and git are needed for the end-to-end hook test")
    from virtualenv.seed.wheels.embed import BUNDLE_FOLDER  # installed with pre-commit

    paths = sysconfig.get_paths()
    running = dict.fromkeys([paths["purelib"], paths["platlib"], *site.getsitepackages()])
    env = dict(os.environ)
    env.pop("VIRTUALENV_SYSTEM_SITE_PACKAGES", None)
    env.update(
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
        PYTHONPATH=os.pathsep.join([*running, *filter(None, [os.environ.get("PYTHONPATH")])]),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(BUNDLE_FOLDER),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
    )
    return env


@pytest.fixture
def newsroom(tmp_path, precommit_env):
    repo = tmp_path / "newsroom"
    (repo / "drafts").mkdir(parents=True)
    _git(repo, "init", "-q")
    published = tmp_path / "published"
    published.mkdir()
    for p in (seed("001"), seed("003")):
        shutil.copy(p, published / p.name)
    r = subprocess.run([*CLI, "index", "add", str(published)], cwd=repo, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (repo / ".provenance" / "index.sqlite").exists()
    shutil.copy(seed("002"), repo / "drafts" / "spun.txt")
    shutil.copy(seed("004"), repo / "drafts" / "interview.txt")
    (repo / "drafts" / "ferry.md").write_text(ORIGINAL, encoding="utf-8")
    _git(repo, "add", "drafts")
    return repo


def _try_repo(repo: Path, env: dict, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pre-commit", "try-repo", str(ROOT), "provenance-check", "--verbose", "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )


@pytest.mark.slow
def test_pre_commit_hook_end_to_end(newsroom, precommit_env):
    copying = _try_repo(newsroom, precommit_env, "drafts/spun.txt")
    out = copying.stdout + copying.stderr
    assert copying.returncode == 1, out
    assert "drafts/spun.txt:" in out and ": copy: verbatim passage" in out
    assert "001_b0abf88ced881903.txt" in out  # the source, named

    original = _try_repo(newsroom, precommit_env, "drafts/ferry.md")
    assert original.returncode == 0, original.stdout + original.stderr
    assert "Passed" in original.stdout

    quotes = _try_repo(newsroom, precommit_env, "drafts/interview.txt")
    assert quotes.returncode == 0, quotes.stdout + quotes.stderr
    assert "quote-only: quote passage" in quotes.stdout  # passes, with the quotes listed


# --- lean start-up ---------------------------------------------------------------------------

HEAVY = ("typer", "rich", "click", "pydantic")


def test_the_hook_imports_no_cli_framework(tmp_path):
    """`python -m provenance.cli.hook` on a copying draft: the check runs, and no typer, rich, click or pydantic."""
    from provenance.index import open_index
    from provenance.ingest import files as documents

    docs, _ = documents.load_paths([seed("001")])
    with open_index(tmp_path / "ix.sqlite", create=True) as ix:
        ix.add(docs)
    shutil.copy(seed("002"), tmp_path / "draft.txt")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "provenance.cli.hook", "--index", "ix.sqlite", "draft.txt"],
        check=False, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 1, run.stderr[-2000:]  # a copy: the hook found it
    assert "draft.txt:" in run.stdout and "001_b0abf88ced881903.txt" in run.stderr
    imported = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in run.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    assert "provenance" in imported
    assert not imported & set(HEAVY), sorted(imported & set(HEAVY))


# --- crash safety ---------------------------------------------------------------------------

VOCAB = [f"w{i}" for i in range(3000)]


def _corpus(folder: Path, n: int) -> None:
    folder.mkdir()
    rng = np.random.RandomState(7)
    for i in range(n):
        words = rng.randint(0, len(VOCAB), 250)
        (folder / f"doc{i:05d}.txt").write_text(" ".join(VOCAB[w] for w in words) + "\n")


def _indexed(path: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = con.execute("SELECT value FROM meta WHERE key='n_docs'").fetchone()
            return int(row[0]) if row else 0
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _add(folder: Path, index: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*CLI, "index", "add", str(folder), "--index", str(index), "--batch-size", "50"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_sigkill_during_add_loses_nothing_committed_and_rerun_completes(tmp_path):
    from provenance.index import open_index
    from provenance.index.ids import id_prefix, scoped
    from provenance.ingest import files as documents

    folder, index = tmp_path / "docs", tmp_path / "ix.sqlite"
    _corpus(folder, 1500)
    proc = _add(folder, index)
    deadline = time.monotonic() + 120
    while _indexed(index) < 200 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "add finished before it could be killed: make the corpus larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    con = sqlite3.connect(index)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with open_index(index) as ix:
        # the index names a document by its path from the index's root (outside it: its absolute path)
        named = scoped(documents.load_paths([folder])[0], id_prefix(folder, Path(ix.root)))
        expected = {d.id: d for d in named}
        committed = ix.ids()
        assert 200 <= len(committed) < 1500
        assert ix.stats().documents == len(committed)
        for doc in ix.documents(committed):
            assert doc.text == expected[doc.id].text
        # postings are whole: every committed document finds itself first
        from provenance.fingerprint.features import query_features

        for doc_id in committed[:: max(1, len(committed) // 20)]:
            q = query_features(expected[doc_id].text, ix.config, ix.params)
            assert ix.candidates(q, limit=1)[0].id == doc_id

    rerun = subprocess.run(
        [*CLI, "index", "add", str(folder), "--index", str(index)], capture_output=True, text=True
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"unchanged {len(committed)}" in rerun.stdout and "1500 documents in the index" in rerun.stdout


def test_check_succeeds_while_an_add_is_writing(tmp_path):
    folder, index = tmp_path / "docs", tmp_path / "ix.sqlite"
    _corpus(folder, 1200)
    first = sorted(folder.glob("*.txt"))[:100]
    seedling = tmp_path / "first"
    seedling.mkdir()
    for p in first:
        shutil.copy(p, seedling / p.name)
    assert subprocess.run([*CLI, "index", "add", str(seedling), "--index", str(index)], capture_output=True).returncode == 0
    draft = tmp_path / "draft.txt"
    draft.write_text(first[3].read_text())
    proc = _add(folder, index)
    codes = []
    try:
        while proc.poll() is None and len(codes) < 6:
            r = subprocess.run(
                [*CLI, "check", str(draft), "--index", str(index), "--format", "line"],
                capture_output=True, text=True, timeout=120,
            )
            codes.append((r.returncode, r.stderr))
    finally:
        proc.wait(timeout=300)
    assert proc.returncode == 0
    assert codes, "the add finished before any check ran"
    for code, err in codes:
        assert code == 1, err  # the draft is a copy of doc00003: found every time, never an error
