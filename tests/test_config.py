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
