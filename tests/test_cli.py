"""The command line: documented, exit codes, atomic output, interruption."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from provenance.cli.app import app
from provenance.cli.exits import EXIT_INTERRUPTED, exit_code, interruptible
from provenance.cli.hook import main as hook_main
from provenance.model import Pair

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _commands(group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, prefix + (name,))
        else:
            yield " ".join(prefix + (name,)), cmd


def test_every_command_is_in_the_readme_with_its_help_text():
    readme = (ROOT / "README.md").read_text()
    commands = list(_commands(get_command(app)))
    assert {name for name, _ in commands} >= {"scan", "compare", "check", "index add", "index stats"}
    for name, cmd in commands:
        summary = " ".join((cmd.help or "").split("\n\n")[0].split())
        assert f"provenance {name}" in readme, name
        assert summary in " ".join(readme.split()), f"README lacks the help text of `{name}`: {summary}"


def test_quick_start_is_two_commands_install_and_scan_then_tests():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```[^\n]*\n(.*?)```", section, re.DOTALL).group(1)
    lines = [x for x in block.splitlines() if x.strip()]
    assert len(lines) == 2
    assert "pip install" in lines[0] and "provenance scan corpus/" in lines[0]
    assert "pytest" in lines[1]


def test_scan_json_to_file_and_exit_codes(news_dir, tmp_path):
    out = tmp_path / "report.json"
    res = runner.invoke(app, ["scan", str(news_dir), "-f", "json", "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["schema_version"] == 3 and len(data["documents"]) == 5
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind
    res = runner.invoke(app, ["scan", str(news_dir), "-f", "csv", "--fail-on", "copy"])
    assert res.exit_code == 1
    res = runner.invoke(app, ["scan", str(news_dir), "-f", "csv", "--fail-on", "copy", "--exit-zero"])
    assert res.exit_code == 0


def test_unusable_invocations_exit_2(tmp_path):
    assert runner.invoke(app, ["scan", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(app, ["scan", str(tmp_path), "-f", "pdf"]).exit_code == 2
    assert runner.invoke(app, ["scan", str(tmp_path), "--engine", "spark"]).exit_code == 2
    res = runner.invoke(app, ["scan", str(tmp_path), "--work-dir", str(tmp_path / "work")])
    assert res.exit_code == 2 and "--engine dask" in res.stderr  # the local engine keeps no intermediates
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    res = runner.invoke(app, ["scan", str(tmp_path), "--engine", "dask", "--work-dir", str(not_a_folder)])
    assert res.exit_code == 2 and "not a folder" in res.stderr
    assert not (tmp_path / "work").exists()


def test_bad_files_are_named_and_the_rest_is_scanned(news_dir, tmp_path):
    for f in news_dir.glob("*.txt"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "broken.txt").write_bytes(b"\x00\x01\x02binary\xff" * 50)
    res = runner.invoke(app, ["scan", str(tmp_path), "-f", "json"])
    assert res.exit_code == 0
    assert "broken.txt" in res.stderr
    data = json.loads(res.stdout)
    assert len(data["documents"]) == 5
    assert any(p["path"].endswith("broken.txt") for p in data["problems"])


def _big_corpus(root: Path, n_docs: int = 3000) -> None:
    """Many documents built from the seeds' sentences, so candidates and verification take a while."""
    sentences = []
    for f in sorted((ROOT / "corpus" / "news").glob("*.txt")):
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", f.read_text()) if len(s.split()) > 6]
    rng = random.Random(7)
    for i in range(n_docs):
        (root / f"{i:05d}.txt").write_text(" ".join(rng.sample(sentences, 25)))


def test_ctrl_c_exits_130_and_leaves_no_report(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _big_corpus(corpus)
    out = tmp_path / "report.json"
    # the child says when its imports are done, so a loaded machine cannot deliver the
    # interrupt before the product's handler is in place
    ready = "import sys; from provenance.cli.main import main; print('ready', file=sys.stderr, flush=True); main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", ready, "scan", str(corpus), "-f", "json", "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr.readline().strip() == "ready"
    time.sleep(2)
    assert proc.poll() is None, "the scan finished before it could be interrupted; make the corpus larger"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert not out.exists() and not list(tmp_path.glob(".report.json.*"))


def _pair(verdict: str) -> Pair:
    return Pair(a="a", b="b", verdict=verdict, resemblance=0.1, containment_a_in_b=0.1, containment_b_in_a=0.1)


def test_the_exit_rule_both_faces_use():
    quoting, copying = [_pair("quote-only")], [_pair("quote-only"), _pair("copy")]
    assert exit_code(quoting, "copy", exit_zero=False) == 0
    assert exit_code(quoting, "quote-only", exit_zero=False) == 1
    assert exit_code(copying, "copy", exit_zero=False) == 1
    assert exit_code(copying, "copy", exit_zero=True) == 0
    assert exit_code(copying, "never", exit_zero=False) == 0
    assert exit_code([], "quote-only", exit_zero=False) == 0


def test_interruption_exits_130_with_a_message(capsys):
    def interrupted_run() -> int:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(10)  # the handler raises before this ends
        return 0

    previous = signal.getsignal(signal.SIGINT)
    try:
        assert interruptible(interrupted_run) == EXIT_INTERRUPTED == 130
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "provenance: interrupted" in capsys.readouterr().err


def test_the_hook_refuses_what_check_refuses(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("A draft.")
    for bad in (["--max-candidates", "0"], ["--fail-on", "always"], ["--format", "pdf"]):
        assert runner.invoke(app, ["check", *bad, str(draft)]).exit_code == 2, bad
        with pytest.raises(SystemExit) as exited:  # argparse exits 2 on a bad value, as typer does
            hook_main([*bad, str(draft)])
        assert exited.value.code == 2, bad
    with pytest.raises(SystemExit):  # csv is a format for files: the hook does not offer it
        hook_main(["--format", "csv", str(draft)])


def test_an_unwritable_output_is_refused_before_the_work(tmp_path):
    """-o naming a folder, or a path under a file, exits 2 at once, not after the whole scan (issue #15)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    under_a_file = tmp_path / "plain.txt"
    under_a_file.write_text("x")
    news = str(Path(__file__).resolve().parents[1] / "corpus" / "news")
    for target, words in ((folder, "is a folder"), (under_a_file / "report.json", "is not a folder")):
        for command in (["scan", news], ["compare", f"{news}/000_a3c96ce53449e295.txt", f"{news}/001_b0abf88ced881903.txt"]):
            result = CliRunner().invoke(app, [*command, "-f", "json", "-o", str(target)])
            assert result.exit_code == 2 and words in result.output, (command, result.output)


def test_scan_table_answers_on_the_first_80_column_screen(monkeypatch):
    """`provenance scan corpus/`: every family's origin within the first 24 lines, nothing past 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    r = runner.invoke(app, ["scan", str(corpus)])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    families = json.loads(runner.invoke(app, ["scan", str(corpus), "-f", "json"]).stdout)["families"]
    assert len(families) >= 2
    screen = "\n".join(lines[:24])
    for number, family in enumerate(families, 1):
        assert f"{number}. origin " in screen
        assert family["origin"].rsplit("/", 1)[-1] in screen
    # warnings: one summary line on stderr, each of them with -v
    assert len([x for x in r.stderr.splitlines() if "warning" in x]) == 1 and "-v lists them" in r.stderr
    verbose = runner.invoke(app, ["scan", str(corpus), "-v", "--top", "1"])
    assert len([x for x in verbose.stderr.splitlines() if "warning" in x]) > 1
    assert "Family 2" not in verbose.stdout and "more famil" in verbose.stdout
    pair_rows = [x for x in verbose.stdout.splitlines() if " copy " in x and "/" in x and "%" in x]
    assert len(pair_rows) == 1 and "more pair(s)" in verbose.stdout


def test_on_a_terminal_the_table_alone_says_the_warnings():
    """In a real terminal the table's summary line names the input warnings; stderr does not repeat it."""
    import pty

    corpus = Path(__file__).resolve().parents[1] / "corpus"
    controller, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": "80", "TERM": "dumb"}
    proc = subprocess.Popen([sys.executable, "-c", "from provenance.cli.main import main; main()", "scan",
                             str(corpus)], stdout=terminal, stderr=terminal, stdin=subprocess.DEVNULL, env=env)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=300) == 0
    os.close(controller)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert screen.count("inputs with warnings") == 1, screen[:2000]
    assert "provenance: warning" not in screen
