"""Newsroom settings from `.provenance.toml` or `[tool.provenance]` in pyproject.toml (cli/config.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli.app import app
from provenance.cli.hook import main as hook
from provenance.cli.main import fast_check

NEWS = Path(__file__).resolve().parents[1] / "corpus" / "news"
runner = CliRunner()


def seed(prefix: str) -> Path:
    return next(NEWS.glob(f"{prefix}_*.txt"))


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """A desk repository: wire copy it subscribes to, its own archive, drafts; the index lives in ix/."""
    monkeypatch.chdir(tmp_path)
    for folder, prefix in (("wire", "001"), ("archive", "003")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_bytes(seed(prefix).read_bytes())
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "from_wire.txt").write_bytes(seed("001").read_bytes())
    (tmp_path / "drafts" / "from_archive.txt").write_bytes(seed("003").read_bytes())
    (tmp_path / "drafts" / "quotes.txt").write_bytes(seed("004").read_bytes())
    (tmp_path / ".provenance.toml").write_text(
        'index = "ix/house.sqlite"\nfail-on = "quote-only"\nlicensed = ["wire/*"]\n'
    )
    assert runner.invoke(app, ["index", "add", "wire", "archive"]).exit_code == 0
    assert (tmp_path / "ix" / "house.sqlite").exists()  # the file's index, not the default
    return tmp_path


def test_licensed_copy_is_reported_as_licensed_not_blocked(desk):
    r = runner.invoke(app, ["check", "drafts/from_wire.txt"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("PASS  from_wire.txt: reuses licensed wire/story.txt (copy)")
    line = runner.invoke(app, ["check", "drafts/from_wire.txt", "-f", "line"])
    assert line.exit_code == 0 and ": licensed copy: verbatim passage" in line.stdout
    data = json.loads(runner.invoke(app, ["check", "drafts/from_wire.txt", "-f", "json"]).stdout)
    assert data["pairs"][0]["reasons"][0].startswith("licensed source (allowed by ")
    blocked = runner.invoke(app, ["check", "drafts/from_archive.txt"])
    assert blocked.exit_code == 1 and blocked.stdout.startswith("BLOCK from_archive.txt: reuses archive/story.txt")


def test_flags_override_the_file(desk):
    assert runner.invoke(app, ["check", "drafts/quotes.txt"]).exit_code == 1  # the file's fail-on quote-only
    assert runner.invoke(app, ["check", "drafts/quotes.txt", "--fail-on", "copy"]).exit_code == 0
    assert fast_check(["drafts/quotes.txt", "-f", "line"]) == 1
    assert fast_check(["drafts/quotes.txt", "-f", "line", "--fail-on", "copy"]) == 0
    other = runner.invoke(app, ["check", "drafts/from_wire.txt", "--index", "nowhere.sqlite"])
    assert other.exit_code == 2 and "nowhere.sqlite" in other.output


def test_the_hook_reads_the_same_file(desk, capsys):
    assert hook(["drafts/from_wire.txt"]) == 0
    assert "licensed: wire/story.txt" in capsys.readouterr().err
    assert hook(["drafts/from_archive.txt"]) == 1
    assert hook(["drafts/quotes.txt"]) == 1


def test_pyproject_table_is_found_from_a_subfolder(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "desk"\n\n[tool.provenance]\nindex = "house.sqlite"\n')
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "wire.txt").write_bytes(seed("001").read_bytes())
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert runner.invoke(app, ["index", "add", "wire.txt"]).exit_code == 0
    assert (tmp_path / "house.sqlite").exists()  # relative to the file's folder, not the working one
    assert "documents:    1\n" in runner.invoke(app, ["index", "stats"]).stdout


def test_a_wrong_setting_is_an_error_naming_the_file(desk):
    Path(".provenance.toml").write_text('fail_on = "never"\n')  # a typo must not loosen the check
    r = runner.invoke(app, ["check", "drafts/from_archive.txt"])
    assert r.exit_code == 2 and ".provenance.toml: unknown setting(s) fail_on" in r.output
    Path(".provenance.toml").write_text('fail-on = "sometimes"\n')
    assert "use one of copy, quote-only, never" in runner.invoke(app, ["check", "drafts/quotes.txt"]).output
    Path(".provenance.toml").write_text("index = [\n")
    r = runner.invoke(app, ["index", "stats"])
    assert r.exit_code == 2 and "cannot read settings from" in r.output


def _verdicts(stdout: str) -> dict[tuple[str, str], str]:
    return {(p["a"][:3], p["b"][:3]): p["verdict"] for p in json.loads(stdout)["pairs"]}


def test_thresholds_in_the_file_change_what_scan_and_compare_call_copying(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    default = _verdicts(runner.invoke(app, ["scan", str(NEWS), "-f", "json"]).stdout)
    assert default[("000", "001")] == default[("001", "002")] == "copy"
    assert default[("001", "003")] == default[("003", "004")] == "quote-only"
    # A desk that calls shared quotation a common source only from 25 words, and a paraphrase copying
    # only when it follows the other text through 60% of its sentences.
    Path(".provenance.toml").write_text("[thresholds]\nquote-words = 25\nchain-share = 0.6\n")
    r = runner.invoke(app, ["scan", str(NEWS), "-f", "json"])
    assert r.exit_code == 0, r.output
    assert "verdict thresholds from " in r.stderr and "chain-share 0.6, quote-words 25" in r.stderr
    strict = _verdicts(r.stdout)
    assert strict[("001", "002")] == "copy"  # 47% verbatim narration: copying under either rule
    assert ("000", "001") not in strict  # 47% of sentences in order, 6% verbatim: no longer enough
    assert strict[("000", "002")] == "copy"  # 50% in order and 9% verbatim: both at half strength or more
    assert ("001", "003") not in strict and ("003", "004") not in strict  # longest shared quotes 12 and 21 words
    pair = json.loads(runner.invoke(app, ["compare", str(seed("003")), str(seed("004")), "-f", "json"]).stdout)
    pair = pair["pairs"][0]
    assert pair["verdict"] == "independent"
    assert any("no shared quotation reaches 25 words" in reason for reason in pair["reasons"])


def test_thresholds_in_the_file_apply_to_check_and_the_hook(desk, capsys):
    assert runner.invoke(app, ["check", "drafts/quotes.txt"]).exit_code == 1  # quote-only, and fail-on quote-only
    Path(".provenance.toml").write_text(
        'index = "ix/house.sqlite"\nfail-on = "quote-only"\n\n[thresholds]\nquote-words = 30\n'
    )
    r = runner.invoke(app, ["check", "drafts/quotes.txt"])
    assert r.exit_code == 0 and "quote-words 30" in r.stderr, r.output  # its one quotation has 26 words
    assert fast_check(["drafts/quotes.txt", "-f", "line"]) == 0
    assert hook(["drafts/quotes.txt"]) == 0
    assert hook(["drafts/from_archive.txt"]) == 1  # a verbatim copy is a copy whatever the quotation rule


@pytest.mark.parametrize("table, message", [
    ("quote-words = 0", "thresholds.quote-words must be a whole number of at least 1"),
    ("chain-share = 1.5", "thresholds.chain-share must be a number above 0 and at most 1"),
    ("quote_words = 8", "unknown threshold(s) quote_words: use chain-links, chain-share"),
])
def test_a_wrong_threshold_is_an_error_naming_the_file(tmp_path, monkeypatch, table, message):
    monkeypatch.chdir(tmp_path)
    Path(".provenance.toml").write_text(f"[thresholds]\n{table}\n")
    r = runner.invoke(app, ["scan", str(NEWS)])
    assert r.exit_code == 2 and ".provenance.toml: " + message in r.output, r.output
