"""Renderers: schema, escaping, positions, one renderer per format."""

from __future__ import annotations

import csv
import io
import json
import re

from provenance.model import Document, Edge, Evidence, Family, Pair, Passage, Problem, ScanResult
from provenance.report import FORMATS, render


def _result(tmp_path) -> ScanResult:
    a_text = "Title line\nThe minister said the plan <script>alert(1)</script> would cut costs by half.\n"
    b_text = "Intro.\nThe minister said the plan would cut costs by half, officials added.\n"
    (tmp_path / "a.txt").write_text(a_text)
    (tmp_path / "b.txt").write_text(b_text)
    a = Document(id="a.txt", text=a_text, path=str(tmp_path / "a.txt"), raw_chars=len(a_text))
    b = Document(id="b.txt", text=b_text, path=str(tmp_path / "b.txt"), raw_chars=len(b_text))
    sa, sb = a_text.index("The minister"), b_text.index("The minister")
    pair = Pair(
        a="a.txt", b="b.txt", verdict="copy", resemblance=0.5, containment_a_in_b=0.61234567,
        containment_b_in_a=0.7,
        passages=(Passage(sa, sa + 26, sb, sb + 26, "verbatim"),),
        reasons=("5 words & more in common",),
    )
    fam = Family(
        members=("a.txt", "b.txt"), origin="a.txt", origin_confidence=0.8,
        edges=(Edge("a.txt", "b.txt", 0.8, (Evidence("dates", "a is dated earlier", 1.0),)),),
    )
    return ScanResult("k=5", [a, b], [pair], [fam], [Problem("bad.bin", "binary file", "skipped")])


def test_json_schema_and_rounding(tmp_path):
    data = json.loads(render(_result(tmp_path), "json"))
    assert data["schema_version"] == 3 and data["config"] == "k=5"
    assert [d["id"] for d in data["documents"]] == ["a.txt", "b.txt"]
    pair = data["pairs"][0]
    assert pair["containment_a_in_b"] == 0.6123
    assert set(pair["passages"][0]) == {"a_start", "a_end", "b_start", "b_end", "kind", "score"}
    assert data["families"][0]["edges"][0]["evidence"][0]["signal"] == "dates"
    assert data["problems"] == [{"path": "bad.bin", "reason": "binary file", "action": "skipped"}]


def test_every_format_renders_deterministically(tmp_path):
    result = _result(tmp_path)
    for fmt in FORMATS:
        assert render(result, fmt) == render(result, fmt)


def test_jsonl_records_are_typed(tmp_path):
    lines = [json.loads(x) for x in render(_result(tmp_path), "jsonl").splitlines()]
    assert [x["type"] for x in lines] == ["header", "document", "document", "pair", "family", "problem"]


def test_csv_has_one_row_per_pair(tmp_path):
    rows = list(csv.DictReader(io.StringIO(render(_result(tmp_path), "csv"))))
    assert len(rows) == 1 and rows[0]["verdict"] == "copy" and rows[0]["verbatim_passages"] == "1"
    row = rows[0]
    assert row["a_path"] == str(tmp_path / "a.txt") and row["b_path"] == str(tmp_path / "b.txt")
    assert (row["source"], row["source_probability"]) == ("a.txt", "0.8000")  # of the two, a came first
    assert (row["family_origin"], row["family_origin_confidence"]) == ("a.txt", "0.8000")


def test_html_is_escaped_and_self_contained(tmp_path):
    html = render(_result(tmp_path), "html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1  # the report's own table sorting, inline
    assert "http://" not in html and "https://" not in html and "src=" not in html
    # passage 1 of pair 1, numbered and linked to the other side, same colour on both
    a_mark = re.search(r'<mark class="verbatim" id="p1-1a" style="background:(#\w+)"[^>]*><sup><a href="#p1-1b">1</a>'
                       r"</sup>The minister said the plan", html)
    b_mark = re.search(r'<mark class="verbatim" id="p1-1b" style="background:(#\w+)"[^>]*><sup><a href="#p1-1a">1</a>', html)
    assert a_mark and b_mark and a_mark.group(1) == b_mark.group(1)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert svg.count("<rect") == 2 and svg.count("<line") == 1 and ">a.txt<" in svg  # the family's graph
    assert "<b>for</b>: a is dated earlier" in html


def test_line_format_points_at_file_positions(tmp_path):
    out = render(_result(tmp_path), "line").splitlines()
    # both sides name the file (an editor opens either), whose path ends with the id here
    assert out[0] == f"{tmp_path / 'a.txt'}:2:1: copy: verbatim passage (5 words) matches {tmp_path / 'b.txt'}:2:1"
    assert out[1].startswith(f"{tmp_path / 'b.txt'}:2:1: copy: verbatim passage")


def test_line_format_points_into_jsonl_records(tmp_path):
    """A JSONL record is one line: its line, and the column inside its "text" string as written."""
    from json.decoder import scanstring

    from provenance.ingest.files import load_paths

    said = "The minister said the plan would cut costs by half."
    b = {"id": "b", "title": 'A "quoted" title', "text": 'Caf\u00e9 \U0001F600 "Yes."\n\nLede.\n' + said}
    lines = [
        json.dumps({"id": "a", "text": "Nothing shared here at all."}),
        "",
        json.dumps(b),  # ASCII-escaped: \u00e9, a surrogate pair, \", \n all before the passage
        '{"text": "a decoy the last text key overrides", "id": "c", "text": "Intro.\\n' + said + '"}',
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, problems = load_paths([path])
    assert not problems and [d.line for d in docs] == [1, 3, 4]
    _, db, dc = docs
    sb, sc = db.text.index(said), dc.text.index(said)
    passage = Passage(sb, sb + len(said), sc, sc + len(said), "verbatim")
    pair = Pair(a=db.id, b=dc.id, verdict="copy", resemblance=1.0, containment_a_in_b=1.0,
                containment_b_in_a=1.0, passages=(passage,))
    result = ScanResult("k=5", docs, [pair])
    out = render(result, "line").splitlines()
    col_b = lines[2].index("The minister") + 1
    col_c = lines[3].index("The minister") + 1
    assert out == [
        f"{path}:3:{col_b}: copy: verbatim passage (10 words) matches {path}:4:{col_c} (feed.jsonl#c)",
        f"{path}:4:{col_c}: copy: verbatim passage (10 words) matches {path}:3:{col_b} (feed.jsonl#b)",
    ]
    for line, col in ((lines[2], col_b), (lines[3], col_c)):  # the string read from there is the passage
        assert scanstring(line, col - 1)[0] == said

    path.write_text(lines[0] + "\n")  # the file changed: the column inside the text is what is left
    assert render(result, "line").splitlines()[0] == (
        f"{path}:3:{sb + 1}: copy: verbatim passage (10 words) matches {path}:4:{sc + 1} (feed.jsonl#c)"
    )


def test_table_names_verdicts_and_origin(tmp_path):
    text = render(_result(tmp_path), "table", width=80)
    lines = text.splitlines()
    assert lines[0] == "2 documents: 1 family of copies, 1 copy pair, 0 quote-only pairs"
    assert "1. origin a.txt (0.80); 2 texts" in text
    assert "b.txt draws on a.txt (p 0.80)" in text and "for: a is dated earlier" in text
    # the pair's line gives the share of each side inside its passages (26 characters of each text)
    docs = {doc.id: doc for doc in _result(tmp_path).documents}
    shares = f"{26 / len(docs['a.txt'].text):.0%}/{26 / len(docs['b.txt'].text):.0%}"
    [row] = [line for line in lines if line.startswith("a.txt ")]
    assert "copy" in row and shares in row and "1 verbatim" in row
    assert all(len(line) <= 80 for line in lines)
