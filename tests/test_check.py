"""`provenance check` and `provenance index ...`: library and command line, on the seed articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from provenance.cli.app import app
from provenance.engines.check import check
from provenance.errors import ConfigMismatchError, IndexError_, InputError
from provenance.index import open_index
from provenance.settings import SketchConfig

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "corpus" / "news"
CLOUGH = ROOT / "corpus" / "clough-stevenson-dev"
runner = CliRunner()

ORIGINAL = """City council approves new bike lanes

The city council voted seven to two on Tuesday evening to build protected bike lanes along
three downtown avenues, ending a debate that has run since the spring. Construction starts in
March and should finish before the autumn term, when traffic near the university peaks.

Shop owners on Elm Avenue asked for loading zones at each corner, and the plan now includes
them. Residents who spoke at the meeting were split, with several asking for more crossings
near the primary school and a few arguing the money would be better spent on buses.
"""


def seed(prefix: str) -> Path:
    return next(NEWS.glob(f"{prefix}_*.txt"))


@pytest.fixture
def newsroom(tmp_path, monkeypatch):
    """A working directory with an index of the BBC original (001), the independent 003 and Clough sources."""
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "published"
    src.mkdir()
    for p in [seed("001"), seed("003"), *sorted(CLOUGH.glob("orig_task*.txt"))]:
        (src / p.name).write_bytes(p.read_bytes())
    result = runner.invoke(app, ["index", "add", str(src)])
    assert result.exit_code == 0, result.output
    assert "added 5" in result.output
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    (drafts / "copy.txt").write_bytes(seed("002").read_bytes())
    (drafts / "quotes.txt").write_bytes(seed("004").read_bytes())
    (drafts / "original.md").write_text(ORIGINAL, encoding="utf-8")
    return tmp_path


def test_copying_draft_fails_and_names_source_and_passages(newsroom):
    r = runner.invoke(app, ["check", "drafts/copy.txt", "--format", "line"])
    assert r.exit_code == 1, r.output
    lines = [x for x in r.stdout.splitlines() if x.strip()]
    assert lines and all(x.startswith("drafts/copy.txt:") for x in lines)
    assert any(": copy: verbatim passage" in x and "001_b0abf88ced881903.txt" in x for x in lines)


def test_original_draft_passes(newsroom):
    r = runner.invoke(app, ["check", "drafts/original.md", "--format", "line"])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == ""


def test_quote_only_draft_passes_with_its_quotes_listed(newsroom):
    r = runner.invoke(app, ["check", "drafts/quotes.txt", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    pairs = data["pairs"]
    assert pairs and {p["verdict"] for p in pairs} == {"quote-only"}
    assert any(ps["kind"] == "quote" for p in pairs for ps in p["passages"])
    strict = runner.invoke(app, ["check", "drafts/quotes.txt", "--fail-on", "quote-only", "--format", "line"])
    assert strict.exit_code == 1


def test_exit_zero_and_other_formats(newsroom):
    assert runner.invoke(app, ["check", "drafts/copy.txt", "--exit-zero", "--format", "line"]).exit_code == 0
    html = runner.invoke(app, ["check", "drafts/copy.txt", "--format", "html"])
    assert html.exit_code == 1 and "<html" in html.stdout.lower() and "001_b0abf88ced881903.txt" in html.stdout
    table = runner.invoke(app, ["check", "drafts/copy.txt", "drafts/original.md"])
    assert table.exit_code == 1 and "copy" in table.stdout


def test_two_paragraphs_lifted_from_a_long_article_fail(newsroom):
    lines = seed("001").read_text(encoding="utf-8").splitlines()
    paras = [p for p in lines if len(p.split()) >= 33 and not any(q in p for q in "\"\u201c\u201d")]
    draft = ORIGINAL.split("\n\n")
    Path("drafts/lifted.md").write_text("\n\n".join([draft[0], draft[1], paras[0], paras[2], draft[2]]))
    r = runner.invoke(app, ["check", "drafts/lifted.md", "--format", "json"])
    assert r.exit_code == 1, r.output
    pair = json.loads(r.stdout)["pairs"][0]
    assert pair["b"] == "published/001_b0abf88ced881903.txt" and pair["verdict"] == "copy"


def test_unusable_invocations_exit_2(newsroom, tmp_path):
    r = runner.invoke(app, ["check", "drafts/copy.txt", "--index", str(tmp_path / "none.sqlite")])
    assert r.exit_code == 2 and "provenance index add" in r.output
    assert runner.invoke(app, ["check", "drafts/missing.txt"]).exit_code == 2
    (tmp_path / "bad.sqlite").write_bytes(b"garbage" * 1000)
    assert runner.invoke(app, ["check", "drafts/copy.txt", "--index", str(tmp_path / "bad.sqlite")]).exit_code == 2
    Path("drafts/empty.txt").write_text("   \n")
    r = runner.invoke(app, ["check", "drafts/empty.txt"])
    assert r.exit_code == 0 and "empty.txt" in r.output


def test_an_empty_index_is_unusable_not_a_pass(newsroom, tmp_path):
    """A draft checked against an index that holds nothing would always pass (issue #16)."""
    empty = tmp_path / "empty.sqlite"
    with open_index(empty, create=True):
        pass
    r = runner.invoke(app, ["check", "drafts/copy.txt", "--index", str(empty)])
    assert r.exit_code == 2 and "holds no documents" in r.output and "provenance index add" in r.output


def test_config_mismatch_exits_2_and_names_rebuild(newsroom):
    with open_index(".provenance/index.sqlite") as ix:
        ix.rebuild(SketchConfig(k=4))
    r = runner.invoke(app, ["check", "drafts/copy.txt"])
    assert r.exit_code == 2 and "provenance index rebuild" in r.output
    r = runner.invoke(app, ["index", "rebuild"])
    assert r.exit_code == 0 and "rebuilt 5" in r.output
    assert runner.invoke(app, ["check", "drafts/copy.txt"]).exit_code == 1


def test_an_index_of_the_old_layout_exits_2_and_index_rebuild_converts_it(newsroom):
    from test_index import _to_schema_1

    _to_schema_1(Path(".provenance/index.sqlite"))
    for args in (["check", "drafts/copy.txt"], ["index", "stats"], ["index", "add", "published"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2 and "schema 1" in r.output and "provenance index rebuild" in r.output, args
    r = runner.invoke(app, ["index", "rebuild"])
    assert r.exit_code == 0 and "rebuilt 5" in r.output
    assert runner.invoke(app, ["check", "drafts/copy.txt", "--format", "line"]).exit_code == 1


def test_index_commands(newsroom):
    r = runner.invoke(app, ["index", "stats", "--json"])
    assert r.exit_code == 0
    st = json.loads(r.stdout)
    assert st["documents"] == 5 and st["params"]["bands"] == 10
    again = runner.invoke(app, ["index", "add", "published"])
    assert "unchanged 5" in again.output
    r = runner.invoke(app, ["index", "remove", "published/001_b0abf88ced881903.txt", "nope"])
    assert r.exit_code == 0 and "removed 1" in r.output and "nope: not in the index" in r.output
    assert runner.invoke(app, ["check", "drafts/copy.txt", "--format", "line"]).exit_code == 0
    assert "documents:    4" in runner.invoke(app, ["index", "stats"]).output
    assert runner.invoke(app, ["index", "stats", "--index", "nowhere.sqlite"]).exit_code == 2


def test_library_check_returns_a_renderable_scan_result(newsroom):
    from provenance.report import render

    res = check(["drafts/copy.txt", "drafts/original.md"], index_spec=".provenance/index.sqlite")
    assert res.drafts == ["copy.txt", "original.md"]
    assert res.exit_code == 1 and all(p.a == "copy.txt" for p in res.findings)
    ids = {d.id for d in res.result.documents}
    assert {"copy.txt", "original.md", "published/001_b0abf88ced881903.txt"} <= ids
    for fmt in ("table", "json", "csv", "html", "line"):
        assert render(res.result, fmt)
    Path("empty-folder").mkdir()
    with pytest.raises(InputError):
        check(["empty-folder"], index_spec=".provenance/index.sqlite")
    with pytest.raises(IndexError_):
        check(["drafts/copy.txt"], index_spec="redis-less://x")
    with pytest.raises(ConfigMismatchError):
        check(["drafts/copy.txt"], index_spec=".provenance/index.sqlite", config=SketchConfig(k=3))


def test_a_draft_already_in_the_index_is_not_its_own_source(newsroom):
    res = check([Path("published") / seed("001").name], index_spec=".provenance/index.sqlite")
    assert all(p.b != p.a for p in res.result.pairs)
    assert not res.findings


def test_hook_entry_point(newsroom, capsys):
    from provenance.cli.hook import main

    assert main(["drafts/copy.txt"]) == 1
    out = capsys.readouterr()
    assert "drafts/copy.txt:" in out.out and "001_b0abf88ced881903.txt" in out.err
    assert main(["drafts/original.md", "drafts/quotes.txt"]) == 0
    assert main(["drafts/copy.txt", "--exit-zero"]) == 0
    assert main(["drafts/copy.txt", "--index", "missing.sqlite"]) == 2
    assert main([]) == 0


def test_two_folders_with_one_file_name_keep_both_stories_and_block_the_copy(tmp_path, monkeypatch):
    """The loss issue #16 reported: `index add wire/` then `index add archive/`, both holding story.txt."""
    monkeypatch.chdir(tmp_path)
    for folder, source in (("wire", seed("001")), ("archive", seed("003"))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_bytes(source.read_bytes())
    assert "added 1, replaced 0" in runner.invoke(app, ["index", "add", "wire/"]).output
    second = runner.invoke(app, ["index", "add", "archive/"])
    assert second.exit_code == 0 and "added 1, replaced 0" in second.output, second.output
    listed = runner.invoke(app, ["index", "list"])
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["archive/story.txt", "wire/story.txt"]
    assert str(tmp_path / "wire" / "story.txt") in listed.stdout
    # ids do not depend on the folder add runs from: re-adding from inside wire/ changes nothing
    monkeypatch.chdir(tmp_path / "wire")
    assert "unchanged 1" in runner.invoke(app, ["index", "add", ".", "--index", "../.provenance/index.sqlite"]).output
    monkeypatch.chdir(tmp_path)
    shown = runner.invoke(app, ["index", "show", "wire/story.txt"])
    longest = max(seed("001").read_text(encoding="utf-8").splitlines(), key=len)
    assert shown.exit_code == 0 and longest in shown.stdout
    assert runner.invoke(app, ["index", "show", "story.txt"]).exit_code == 2
    (tmp_path / "copy.txt").write_bytes(seed("001").read_bytes())
    r = runner.invoke(app, ["check", "copy.txt", "--format", "line"])
    assert r.exit_code == 1 and "wire/story.txt" in r.stdout, r.output


def test_a_replace_from_another_path_is_refused_unless_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for folder, source in (("a", seed("001")), ("b", seed("003"))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "story.txt").write_bytes(source.read_bytes())
    assert runner.invoke(app, ["index", "add", "a", "--as", "desk"]).exit_code == 0
    clash = runner.invoke(app, ["index", "add", "b", "--as", "desk"])
    assert clash.exit_code == 2 and "refused 1" in clash.output
    assert "desk/story.txt: the index holds this id for" in clash.output and "--replace" in clash.output
    kept = runner.invoke(app, ["index", "show", "desk/story.txt"]).stdout
    assert str(tmp_path / "a" / "story.txt") in kept
    forced = runner.invoke(app, ["index", "add", "b", "--as", "desk", "--replace"])
    assert forced.exit_code == 0 and "replaced 1" in forced.output
    assert str(tmp_path / "b" / "story.txt") in runner.invoke(app, ["index", "show", "desk/story.txt"]).stdout
    assert runner.invoke(app, ["index", "add", "a", "--as", "../x#"]).exit_code == 2


def test_an_unreadable_or_unsupported_draft_exits_2_with_the_reason(newsroom):
    from provenance.cli.hook import main as hook

    Path("drafts/story.docx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)  # a zip, as .docx files are
    r = runner.invoke(app, ["check", "drafts/story.docx"])
    assert r.exit_code == 2 and "unsupported file type '.docx'" in r.output and "as text" in r.output
    Path("drafts/binary.txt").write_bytes(bytes(range(256)) * 8)
    r = runner.invoke(app, ["check", "drafts/binary.txt", "drafts/original.md"])
    assert r.exit_code == 2 and "drafts/binary.txt: binary file" in r.output
    assert hook(["drafts/binary.txt"]) == 2
    # the hook's plain-text filter passes extension-less files (LICENSE): named, not checked, no failure
    Path("LICENSE").write_text("Permission is hereby granted, free of charge, to any person.\n")
    assert hook(["LICENSE", "drafts/original.md"]) == 0
    assert hook(["LICENSE", "drafts/copy.txt"]) == 1


def test_index_add_progress_goes_to_stderr_when_asked(newsroom):
    quiet = runner.invoke(app, ["index", "add", "drafts"])
    assert "indexed" not in quiet.stderr
    Path("drafts/more.txt").write_text(ORIGINAL.replace("seven to two", "six to three"))
    loud = runner.invoke(app, ["index", "add", "drafts", "--progress"])
    assert loud.exit_code == 0 and "indexed 4/4 documents" in loud.stderr and "indexed" not in loud.stdout


def test_check_table_says_pass_or_block_per_draft_first(newsroom):
    r = runner.invoke(app, ["check", "drafts/copy.txt", "drafts/original.md", "drafts/quotes.txt"])
    assert r.exit_code == 1
    head = r.stdout.splitlines()[:3]
    assert head[0].startswith("BLOCK copy.txt: reuses published/001_b0abf88ced881903.txt (copy)")
    assert head[1].startswith("PASS  original.md: nothing shared")
    assert head[2].startswith("PASS  quotes.txt: shares") and "(quote-only)" in head[2]
    strict = runner.invoke(app, ["check", "drafts/quotes.txt", "--fail-on", "quote-only"])
    assert strict.exit_code == 1 and strict.stdout.startswith("BLOCK quotes.txt")
