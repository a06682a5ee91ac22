"""Hostile inputs and faults (issue #15): one bad record, name or file never ends a run, a
failure is exit 2 with a message naming the fix (never a traceback, never exit 1, the
findings code), and `-o` never replaces what is not a regular file.

Each test reproduces one case of the red team's list through the command line, on the
bundled news stories.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli.app import app

NEWS = Path(__file__).resolve().parents[1] / "corpus" / "news"
FORMATS = ["json", "jsonl", "html", "csv", "line", "table"]


def _story(seed: str) -> str:
    return next(NEWS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8")


def _run(args: list[str], **kwargs):
    if args[0] in ("scan", "compare"):
        args = [*args, "--fail-on", "copy"]  # so that exit 1 says the run ended with its finding
    result = CliRunner().invoke(app, args, **kwargs)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _copies(folder: Path, names: list[str | bytes]) -> Path:
    """Two copies of one story (a finding) under the given file names."""
    folder.mkdir(exist_ok=True)
    text = _story("000")
    for k, name in enumerate(names):
        path = os.path.join(os.fsencode(folder), os.fsencode(name))
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text + ("\nA closing line added by the copy." if k else ""))
    return folder


# --- one bad record never ends a run -----------------------------------------------------------


def _jsonl_with(tmp_path: Path, bad_line: str) -> Path:
    path = tmp_path / "records.jsonl"
    text = _story("000")
    good = [json.dumps({"id": "a", "text": text}), json.dumps({"id": "b", "text": text + " More."})]
    path.write_text("\n".join([good[0], bad_line, good[1]]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_lone_surrogate_escape_is_replaced_and_reported_in_every_format(tmp_path, fmt):
    # a valid JSON escape that pairs with nothing, as crawlers cut strings mid-pair
    record = '{"id": "s\\ud800", "text": ' + json.dumps(_story("001"))[:-1] + ' \\udfff"}'
    path = _jsonl_with(tmp_path, record)
    out = tmp_path / f"report.{fmt}"
    result = _run(["scan", str(path), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 1, result.output  # the copy pair a/b is a finding
    assert "lone surrogate escapes" in result.output and "replaced with U+FFFD" in result.output
    written = out.read_text(encoding="utf-8")
    assert "records.jsonl#s\ufffd" in written or "records.jsonl#s\\ufffd" in written.lower()


def test_a_lone_surrogate_in_index_add_is_replaced(tmp_path):
    record = json.dumps({"id": "s", "text": _story("001")})[:-2] + ' \\ud800"}'
    path = _jsonl_with(tmp_path, record)
    index = tmp_path / "ix.db"
    result = _run(["index", "add", str(path), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "added 3" in result.output and "lone surrogate" in result.output


def test_a_record_nested_100k_deep_is_named_and_skipped(tmp_path):
    path = _jsonl_with(tmp_path, "[" * 100_000 + "]" * 100_000)
    result = _run(["scan", str(path), "-f", "json"])
    assert result.exit_code == 1
    assert "records.jsonl:2: JSON nested too deeply" in result.output
    result = _run(["index", "add", str(path), "--index", str(tmp_path / "ix.db")])
    assert result.exit_code == 0 and "added 2" in result.output


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_file_name_that_is_not_utf8_is_written_with_escapes(tmp_path, fmt):
    folder = _copies(tmp_path / "corpus", [b"bad\xff name.txt", "good.txt"])
    out = tmp_path / f"report.{fmt}"
    result = _run(["scan", str(folder), "-f", fmt, "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "file name is not valid UTF-8" in result.output
    written = out.read_text(encoding="utf-8")
    assert "bad\\xff name.txt" in written or "bad\\\\xff name.txt" in written  # JSON doubles the backslash


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse names that are not UTF-8")
def test_index_add_and_check_take_a_file_name_that_is_not_utf8(tmp_path):
    folder = _copies(tmp_path / "corpus", [b"bad\xff name.txt", "good.txt"])
    index = tmp_path / "ix.db"
    result = _run(["index", "add", str(folder), "--index", str(index)])
    assert result.exit_code == 0 and "added 2" in result.output, result.output
    result = _run(["check", str(folder / "good.txt"), "--index", str(index), "-f", "line"])
    assert result.exit_code == 1 and "bad\\xff name.txt:1:1" in result.output, result.output


@pytest.mark.parametrize("name", ["\udc80", "wire\x1b[31m", "desk\nnews"])
def test_an_index_namespace_that_is_not_plain_text_is_refused(tmp_path, name):
    """`--as` from a byte that is not UTF-8 (a lone surrogate in argv), or with control characters: exit 2."""
    folder = _copies(tmp_path / "corpus", ["a.txt"])
    result = _run(["index", "add", str(folder), "--index", str(tmp_path / "ix.db"), "--as", name])
    assert result.exit_code == 2 and "give a plain name" in result.output, result.output


def test_a_self_loop_symlink_is_named_a_loop_not_dangling(tmp_path):
    folder = _copies(tmp_path / "corpus", ["a.txt", "b.txt"])
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    result = _run(["scan", str(folder), "-f", "json"])
    assert result.exit_code == 1
    assert "loop.txt: symlink loop" in result.output and "dangling" not in result.output


# --- -o writes a regular file beside its target, and only replaces a regular file ---------------


def test_a_new_report_gets_the_usual_mode(tmp_path):
    folder = _copies(tmp_path / "corpus", ["a.txt", "b.txt"])
    old = os.umask(0o027)
    try:
        _run(["scan", str(folder), "-f", "json", "-o", str(tmp_path / "new.json")])
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640
    existing = tmp_path / "old.json"
    existing.write_text("old")
    existing.chmod(0o604)
    _run(["scan", str(folder), "-f", "json", "-o", str(existing)])
    assert stat.S_IMODE(existing.stat().st_mode) == 0o604 and existing.read_text().startswith("{")
    assert not list(tmp_path.glob(".*.part"))


def test_a_symlinked_report_is_written_through_and_the_link_stays(tmp_path):
    folder = _copies(tmp_path / "corpus", ["a.txt", "b.txt"])
    target = tmp_path / "reports" / "latest.json"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    result = _run(["scan", str(folder), "-f", "json", "-o", str(link)])
    assert result.exit_code == 1
    assert link.is_symlink() and json.loads(target.read_text())["pairs"]


def test_a_device_is_written_to_not_replaced(tmp_path):
    folder = _copies(tmp_path / "corpus", ["a.txt", "b.txt"])
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader, so the writer's open does not block
    try:
        result = _run(["scan", str(folder), "-f", "line", "-o", str(fifo)])
        got = b""
        while chunk := _read_some(reader):
            got += chunk
    finally:
        os.close(reader)
    assert result.exit_code == 1, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode) and b"copy" in got
    if os.access("/dev/null", os.W_OK):
        result = _run(["scan", str(folder), "-f", "json", "-o", "/dev/null"])
        assert result.exit_code == 1 and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def _read_some(fd: int) -> bytes:
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return b""


# --- exit 1 only for findings: a damaged, read-only or full index is exit 2 naming the fix -------

DRAFT = next(NEWS.glob("000_*.txt"))


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("index") / "news.db"
    result = CliRunner().invoke(app, ["index", "add", str(NEWS), "--index", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _damaged(built_index: Path, tmp_path: Path, statement: str) -> Path:
    import sqlite3

    path = tmp_path / "damaged.db"
    path.write_bytes(built_index.read_bytes())
    with sqlite3.connect(path) as con:
        con.execute(statement)
    return path


DAMAGE = {
    "bad zlib text": "UPDATE texts SET z = x'0102030405'",
    "short band blobs": "UPDATE bands SET data = substr(data, 1, 3)",
    "short fingerprint blobs": "UPDATE fps SET data = substr(data, 1, 5)",
    "short phrase sketch": "UPDATE cms SET counts = x'00'",
    "a count that is no number": "UPDATE meta SET value = 'x' WHERE key = 'cms_bits'",
    "missing meta": "DELETE FROM meta WHERE key = 'n_docs'",
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_index_is_exit_2_naming_the_fix(built_index, tmp_path, case):
    path = _damaged(built_index, tmp_path, DAMAGE[case])
    result = _run(["check", str(DRAFT), "--index", str(path), "-f", "line"])
    assert result.exit_code == 2, (case, result.output)
    assert f"the index {path} is damaged" in result.output and "provenance index" in result.output


def test_random_bit_flips_give_an_answer_or_a_named_error(built_index, tmp_path):
    """40 copies of the index with 8 random bits flipped each (seeded): every check either
    answers or raises the library's own error, which the CLI turns into exit 2."""
    import random

    import provenance
    from provenance.errors import ProvenanceError

    data = built_index.read_bytes()
    rng = random.Random(20261202)
    outcomes = {"answered": 0, "named error": 0}
    for k in range(40):
        flipped = bytearray(data)
        for _ in range(8):
            at = rng.randrange(len(flipped))
            flipped[at] ^= 1 << rng.randrange(8)
        path = tmp_path / f"flip{k}.db"
        path.write_bytes(flipped)
        try:
            provenance.check([DRAFT], index_spec=str(path))
            outcomes["answered"] += 1
        except ProvenanceError:
            outcomes["named error"] += 1
    assert outcomes["named error"] > 0, outcomes  # some flips do hit pages the check reads


def test_a_full_disk_during_index_add_is_exit_2(tmp_path, monkeypatch):
    import sqlite3

    from provenance.index.sqlite import SQLiteStorage

    real = SQLiteStorage.put_documents
    calls = []

    def filling(self, *args):
        calls.append(1)
        if len(calls) > 1:  # the first batch fits, the second finds the disk full
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, *args)

    monkeypatch.setattr(SQLiteStorage, "put_documents", filling)
    path = tmp_path / "ix.db"
    result = _run(["index", "add", str(NEWS), "--index", str(path), "--batch-size", "2"])
    assert result.exit_code == 2, result.output
    assert "disk is full: free some space" in result.output and "Traceback" not in result.output
    assert "batches written before it are in the index" in result.output


def _in_private_mounts(script: str) -> subprocess.CompletedProcess:
    """`script` (bash) in a mount namespace of its own, where it may mount without touching the
    machine's; skipped where that needs privileges this run does not have."""
    import shutil

    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("mounting a read-only or full file system needs root and unshare")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode:
        pytest.skip("unshare -m is not permitted here")
    return subprocess.run(["unshare", "-m", "bash", "-c", script], capture_output=True, text=True, timeout=300)


CLI = f"{sys.executable} -c 'from provenance.cli.app import main; main()'"


def test_a_full_disk_during_index_add_is_exit_2_on_a_real_file_system(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    done = _in_private_mounts(
        f"mount -t tmpfs -o size=400k tmpfs {mount} && "
        f"{CLI} index add {NEWS.parent} --index {mount}/ix.db; echo rc=$?"
    )
    assert "rc=2" in done.stdout, done.stdout + done.stderr
    assert "disk is full: free some space" in done.stderr and "Traceback" not in done.stderr


def test_a_read_only_index_can_be_checked_and_is_never_called_damaged(built_index, tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    (folder / "ix.db").write_bytes(built_index.read_bytes())
    done = _in_private_mounts(
        f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && "
        f"{sys.executable} -m provenance.cli.hook {DRAFT} --index {folder}/ix.db; echo check rc=$?; "
        f"{CLI} index add {NEWS} --index {folder}/ix.db; echo add rc=$?"
    )
    assert "check rc=1" in done.stdout, done.stdout + done.stderr  # the draft is a copy: findings
    assert "001_b0abf88ced881903.txt:" in done.stdout
    assert "add rc=2" in done.stdout and "check the permissions" in done.stderr
    assert "rebuild" not in done.stderr and "damaged" not in done.stderr


def test_a_work_dir_that_cannot_be_made_is_exit_2_before_the_work(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = _run(["scan", str(NEWS), "--engine", "dask", "--work-dir", str(blocker / "sub")])
    assert result.exit_code == 2 and "give a folder this user can create and write to" in result.output


def test_ctrl_c_while_the_hook_loads_is_one_line_not_a_traceback():
    """SIGINT delivered exactly while the hook imports its check engine (after Python itself started)."""
    code = (
        "import builtins, os, runpy, signal, sys\n"
        f"sys.argv = ['hook', {str(DRAFT)!r}, '--index', 'unused.db']\n"
        "real = builtins.__import__\n"
        "def importing(name, *args, **kwargs):\n"
        "    if name == 'provenance.engines.check':\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = importing\n"
        "runpy.run_module('provenance.cli.hook', run_name='__main__', alter_sys=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "provenance: interrupted; no report was written"


def test_a_reader_that_stops_early_is_not_a_failure():
    """`provenance scan corpus | head`: the reader closing the pipe ends the report quietly
    with the run's usual exit code, not a 'free some space' error or a traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from provenance.cli.main import main; main()", "scan", str(NEWS), "-f", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout.read(40).startswith(b"{")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 1), err
    assert "Traceback" not in err and "error" not in err, err


def test_an_index_that_is_a_folder_or_an_id_that_is_not_utf8_is_a_named_answer(built_index, tmp_path):
    """Found by the command-line fuzz (tests/test_fuzz_cli.py): `--index FOLDER` raised AttributeError,
    and an id argument that is not UTF-8 was called a damaged index."""
    folder = _run(["index", "stats", "--index", str(tmp_path)])
    assert folder.exit_code == 2 and "is a folder" in folder.output
    odd = os.fsdecode(b"news/a\xff.txt")
    shown = _run(["index", "show", odd, "--index", str(built_index)])
    assert shown.exit_code == 2 and "is not in the index" in shown.output and "damaged" not in shown.output


def _scan_with_a_small_temporary_folder(corpus: Path, size: str, tmp_path: Path) -> None:
    """`provenance scan corpus` with TMPDIR a tmpfs of `size`: exit 2 naming TMPDIR, no traceback, no
    report, and nothing left in the temporary folder."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = _in_private_mounts(
        f"mount -t tmpfs -o size={size} tmpfs {mount} && "
        f"TMPDIR={mount} {CLI} scan {corpus} -f json -o {tmp_path}/report.json; echo rc=$?; ls -A {mount}"
    )
    assert "rc=2" in done.stdout, done.stdout + done.stderr
    assert "cannot write the scan's temporary files" in done.stderr and "TMPDIR" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout.strip().endswith("rc=2")  # nothing left in the temporary folder
    assert not (tmp_path / "report.json").exists()


def test_no_room_for_the_scans_temporary_files_is_exit_2_naming_the_fix(tmp_path):
    """Candidate search and phrase counts spill their keys to the temporary folder: a full one is a
    named failure (exit 2, TMPDIR in the message), never a traceback, and leaves no folder behind."""
    _scan_with_a_small_temporary_folder(NEWS.parent, "16k", tmp_path)  # corpus/: the articles and Clough's answers


def test_no_room_for_the_scans_texts_is_exit_2_naming_the_fix(tmp_path):
    """A scan keeps its texts in a temporary file (`ingest.stored`), written a megabyte at a time: a
    folder with no room for them fails the same way, and the unlinked file leaves nothing."""
    import random

    rng = random.Random(7)
    vocabulary = [f"w{n}" for n in range(5000)]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(300):  # 300 articles of about 5 KB: 1.5 MB of text
        (corpus / f"{n:03}.txt").write_text(" ".join(rng.choices(vocabulary, k=900)) + ".\n", encoding="utf-8")
    _scan_with_a_small_temporary_folder(corpus, "256k", tmp_path)
