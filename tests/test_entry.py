"""The `provenance` entry point (cli/main.py): `check` without typer gives what the typer command gives.

The fast path must be invisible: same report, same warnings, same exit code as the typer
command for the arguments it takes, and every argument it does not take (a bad value, an
unknown option, --help, another command) is handed to typer, whose messages are the reference.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli import main as entry
from provenance.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "corpus" / "news"
ENTRY = [sys.executable, "-c", "from provenance.cli.main import main; main()"]


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """An index of two seed articles and a draft that lifts a paragraph of the first."""
    root = tmp_path_factory.mktemp("entry")
    seeds = sorted(NEWS.glob("*.txt"))[:2]
    index = root / "ix.sqlite"
    assert CliRunner().invoke(app, ["index", "add", *map(str, seeds), "--index", str(index)]).exit_code == 0
    paragraphs = [p for p in seeds[0].read_text(encoding="utf-8").split("\n\n") if len(p.split()) > 30]
    draft = root / "draft.md"
    draft.write_text("A new opening line written for this draft.\n\n" + paragraphs[0] + "\n", encoding="utf-8")
    return index, draft


def _typer(args: list[str]):
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout


@pytest.mark.parametrize("extra", [["-f", "line"], ["-f", "json"], ["--format=jsonl", "--exit-zero"],
                                   ["-f", "csv", "--fail-on", "quote-only"], ["--max-candidates", "3", "-f", "line"]])
def test_fast_check_reports_what_typer_reports(indexed, extra, capsys):
    index, draft = indexed
    args = ["check", str(draft), "--index", str(index), *extra]
    code = entry.fast_check(args[1:])
    fast_out = capsys.readouterr().out
    assert code is not None, "the fast path refused arguments it takes"
    assert (code, fast_out) == _typer(args)
    assert fast_out.strip(), "the draft lifts a paragraph: the report names it"


def test_fast_check_writes_output_file_like_typer(indexed, tmp_path):
    index, draft = indexed
    fast, slow = tmp_path / "fast.json", tmp_path / "slow.json"
    assert entry.fast_check([str(draft), "--index", str(index), "-f", "json", "-o", str(fast)]) == 1
    assert _typer(["check", str(draft), "--index", str(index), "-f", "json", "-o", str(slow)])[0] == 1
    assert fast.read_bytes() == slow.read_bytes()


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["--format", "bogus", "x.md"], ["--max-candidates", "0", "x.md"], ["--fail", "copy", "x.md"],
    ["--max-candidates", "many", "x.md"], [], ["x.md", "--no-such-option"],
])
def test_fast_check_hands_what_it_does_not_take_to_typer(args):
    assert entry.fast_check(args) is None


def test_entry_point_check_and_other_commands(indexed, tmp_path):
    """Through a real process: check (fast path), a refused value (typer's message, exit 2), index stats."""
    index, draft = indexed
    ok = subprocess.run([*ENTRY, "check", str(draft), "--index", str(index), "-f", "line"], capture_output=True, text=True)
    assert ok.returncode == 1 and f"{draft}:" in ok.stdout
    bad = subprocess.run([*ENTRY, "check", str(draft), "--index", str(index), "-f", "bogus"], capture_output=True, text=True)
    assert bad.returncode == 2 and "bogus" in bad.stderr and "Traceback" not in bad.stderr
    gone = subprocess.run([*ENTRY, "check", str(tmp_path / "gone.md"), "--index", str(index)], capture_output=True, text=True)
    assert gone.returncode == 2 and "no such file" in gone.stderr
    stats = subprocess.run([*ENTRY, "index", "stats", "--index", str(index)], capture_output=True, text=True)
    assert stats.returncode == 0 and "documents:    2" in stats.stdout


def test_check_does_not_import_the_cli_framework(indexed):
    index, draft = indexed
    code = (
        "import sys\nfrom provenance.cli import main\n"
        f"sys.argv = ['provenance', 'check', {str(draft)!r}, '--index', {str(index)!r}, '-f', 'line']\n"
        "try:\n    main.main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('typer', 'click', 'rich', 'pydantic') if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout + r.stderr


def test_patterns_compile_on_first_use():
    """Loading the check path compiles none of the loaders' patterns, nor imports `regex`; use compiles them."""
    code = (
        "import sys\nimport provenance.engines.check\nfrom provenance.ingest import page_chrome\n"
        "print('regex' in sys.modules, 'compiled' in vars(page_chrome._CHROME_EXACT))\n"
        "from provenance.text.tokens import tokenize\ntokenize('Zürich’s café')\n"
        "print('regex' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.split() == ["False", "False", "True"], r.stdout + r.stderr


def test_lazy_pattern_matches_as_compiled():
    import re

    from provenance.text.patterns import lazy_re

    lazy, compiled = lazy_re(r"(\w+)-(\d+)", re.I), re.compile(r"(\w+)-(\d+)", re.I)
    text = "Item-12, item-7 and ITEM-300"
    assert lazy.pattern == compiled.pattern and lazy.flags == re.I
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert lazy.sub(r"\2", text) == compiled.sub(r"\2", text) and lazy.groups == 2
