"""Every `path:line:col` of the line format points at the passage in the ORIGINAL file.

Originals of each input kind (a saved HTML page with <head>, <meta> and navigation, a
Markdown blog save with front matter and links, plain-text page saves with chrome lines,
a JSONL wire file whose record text is written with escapes) are reused by drafts of
other kinds. For scan, compare, check and the pre-commit hook, the word found at each
reported line:col of the raw file on disk must be the first word of the passage there,
on the draft's side and on the source's, including sources that come back from an index
(which keeps the text, not its map back to the file).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import provenance
from provenance.cli.app import app
from provenance.model import VERDICT_ORDER, ScanResult
from provenance.report import report_format
from provenance.report.formats.line import located

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "documents"
BBC = next((ROOT / "corpus" / "news").glob("001_*.txt"))
runner = CliRunner()
LOCATION = re.compile(
    r"^(?P<here>.+?):(?P<line>\d+):(?P<col>\d+): .* matches (?P<there>.+?):(?P<tl>\d+):(?P<tc>\d+)(?: \((?P<id>.+)\))?$"
)
# what may stand before a passage's first word in a raw file: quotes, markup, escapes, entities
LEAD = r"(?:[^\w&\\]|&\w+;|\\[\"n])*"


def _paragraphs(text: str, min_words: int = 12) -> list[str]:
    return [p.strip() for p in text.split("\n") if len(p.split()) >= min_words]


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """Originals in pub/ and drafts in drafts/ that reuse them across kinds."""
    monkeypatch.chdir(tmp_path)
    pub, drafts = tmp_path / "pub", tmp_path / "drafts"
    pub.mkdir()
    drafts.mkdir()
    (pub / "courier.html").write_bytes((DATA / "article.html").read_bytes())
    (pub / "ledger.txt").write_bytes((DATA / "paper_save.txt").read_bytes())
    (pub / "gazette.md").write_bytes((DATA / "blog_save.md").read_bytes())
    (pub / "bbc.txt").write_bytes(BBC.read_bytes())
    bbc = _paragraphs(BBC.read_text(encoding="utf-8"), 20)
    with open(pub / "wire.jsonl", "w", encoding="utf-8") as f:  # ensure_ascii: é is written \u00e9
        f.write(json.dumps({"id": "w0", "text": "Rain is expected across the north tomorrow with strong winds."}) + "\n")
        f.write(json.dumps({"id": "w1", "title": "Minerals", "text": "\n\n".join(bbc[4:9])}) + "\n")
    courier = [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>.*?</p>", (DATA / "article.html").read_text())]
    ledger = _paragraphs((DATA / "paper_save.txt").read_text(encoding="utf-8"))
    (drafts / "a.md").write_text(
        "---\ntitle: Harbour and glacier\n---\n\n# Two stories\n\nOur desk wrote this opening line itself.\n\n"
        + "\n\n".join(f"**{p}**" if i == 1 else p for i, p in enumerate(courier[:4] + ledger[:2])) + "\n",
        encoding="utf-8",
    )
    gazette = _paragraphs((DATA / "blog_save.md").read_text(encoding="utf-8"))
    (drafts / "b.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"description\" "
        "content=\"A round-up\">\n<title>Round-up</title>\n</head>\n<body>\n<nav><a href=\"/\">Home</a></nav>\n"
        "<article>\n<h1>Round-up</h1>\n" + "\n".join(f"<p>{html.escape(p)}</p>" for p in gazette[:3] + bbc[:3])
        + "\n</article>\n</body>\n</html>\n",
        encoding="utf-8",
    )
    (drafts / "c.txt").write_text("A note from the desk.\n\n" + "\n\n".join(bbc[5:8]) + "\n", encoding="utf-8")
    return tmp_path


def _expected(result: ScanResult, sides: tuple[str, ...]) -> list[tuple[str, str]]:
    """(first word here, first word there) of each line the line format writes, in its order."""
    docs = {doc.id: doc for doc in result.documents}
    out = []
    for pair in result.pairs:
        if VERDICT_ORDER[pair.verdict] < VERDICT_ORDER["quote-only"]:
            continue
        for side in sides:
            here, there = (docs[pair.a], docs[pair.b]) if side == "a" else (docs[pair.b], docs[pair.a])
            for p in pair.passages:
                start, other = (p.a_start, p.b_start) if side == "a" else (p.b_start, p.a_start)
                out.append((re.search(r"\w+", here.text[start:]).group(), re.search(r"\w+", there.text[other:]).group()))
    return out


def _word_at(path: str, line: int, col: int, word: str) -> bool:
    raw = Path(path).read_text(encoding="utf-8").split("\n")[line - 1]
    return re.match(LEAD + re.escape(word), raw[col - 1:]) is not None


def _assert_points_into_files(lines: list[str], expected: list[tuple[str, str]]) -> None:
    assert len(lines) == len(expected) and lines
    for text, (word, there_word) in zip(lines, expected):
        m = LOCATION.match(text)
        assert m, text
        there = m["there"]
        assert _word_at(m["here"], int(m["line"]), int(m["col"]), word), text
        assert _word_at(there, int(m["tl"]), int(m["tc"]), there_word), text


def test_scan_locations_point_into_each_kind_of_file(desk):
    result = provenance.scan([Path("pub"), Path("drafts")])
    kinds = {Path(d.path).suffix for d in result.documents}
    assert kinds == {".html", ".txt", ".md", ".jsonl"}
    lines = report_format("line").render(result).splitlines()
    _assert_points_into_files(lines, _expected(result, ("a", "b")))
    touched = {LOCATION.match(x)["here"] for x in lines}
    assert {"pub/courier.html", "pub/gazette.md", "pub/wire.jsonl", "drafts/b.html", "drafts/a.md"} <= touched


def test_compare_locations(desk):
    result = provenance.compare(Path("drafts/a.md"), Path("pub/courier.html"))
    lines = report_format("line").render(result).splitlines()
    _assert_points_into_files(lines, _expected(result, ("a", "b")))


def test_check_and_hook_point_into_the_draft_and_the_source_files(desk, capsys):
    from provenance.cli.hook import main as hook

    assert runner.invoke(app, ["index", "add", "pub"]).exit_code == 0
    drafts = ["drafts/a.md", "drafts/b.html", "drafts/c.txt"]
    checked = provenance.check(drafts, index_spec=".provenance/index.sqlite")
    lines = report_format("line").render_check(checked.result).splitlines()
    _assert_points_into_files(lines, _expected(checked.result, ("a",)))
    sources = {(LOCATION.match(x)["there"], LOCATION.match(x)["id"]) for x in lines}
    assert {"pub/courier.html", "pub/ledger.txt", "pub/gazette.md", "pub/bbc.txt"} <= {s for s, _ in sources}
    assert ("pub/wire.jsonl", "pub/wire.jsonl#w1") in sources  # the record's line in its file, then its id
    cli = runner.invoke(app, ["check", *drafts, "-f", "line"])
    assert cli.exit_code == 1 and cli.stdout.splitlines() == lines
    assert hook(drafts) == 1
    assert capsys.readouterr().out.splitlines() == lines


def test_a_changed_source_file_keeps_the_stored_texts_places(desk):
    """When the indexed file changed on disk, the stored text is all there is: no wrong line from the new file."""
    assert runner.invoke(app, ["index", "add", "pub"]).exit_code == 0
    [source] = provenance.open_index().documents(["pub/courier.html"])
    assert located(source).segments  # the unchanged file gives its map back
    Path("pub/courier.html").write_text("<html><body><p>Something else entirely now.</p></body></html>")
    assert not located(source).segments
