"""Ids and text from the input cannot forge or break a report: console markup, newlines and
escape codes, spreadsheet formulas (issue #15, item 3)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from provenance.cli.app import app
from provenance.report.safe import console, one_line, spreadsheet

NEWS = Path(__file__).resolve().parents[1] / "corpus" / "news"
HOSTILE = ["story [draft].txt", "[/]", "[link=https://example.org]x[/link]", "a\\[b]", "=HYPERLINK(1)", "end\\"]


def test_one_line_writes_control_characters_as_escapes():
    assert one_line("a\nb\x1b[31mc\td") == "a\\nb\\x1b[31mc\\td"
    assert spreadsheet("=1+1") == "'=1+1" and spreadsheet("-x") == "'-x" and spreadsheet("story") == "story"
    assert console("x[/]") == "x\\[/]"


def _corpus(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, seed in zip(names, ("000", "001")):
        shutil.copy(next(NEWS.glob(f"{seed}_*.txt")), folder / name)
    return folder


def _jsonl(tmp_path: Path, ids: list[str]) -> Path:
    path = tmp_path / "records.jsonl"
    texts = [next(NEWS.glob(f"{seed}_*.txt")).read_text(encoding="utf-8") for seed in ("000", "001")]
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip(ids, texts)), encoding="utf-8")
    return path


def test_table_shows_file_names_with_brackets_as_they_are(tmp_path):
    folder = _corpus(tmp_path, ["story [draft].txt", "wire [bold] \\.txt"])
    result = CliRunner().invoke(app, ["scan", str(folder)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "story [draft].txt" in result.output and "wire [bold] \\.txt" in result.output


def test_table_never_reads_an_id_as_markup(tmp_path):
    for hostile in HOSTILE:
        path = _jsonl(tmp_path, [hostile, "other\nforged.txt:1:1: copy"])
        result = CliRunner().invoke(app, ["scan", str(path)], env={"COLUMNS": "400"})
        assert result.exit_code == 0, (hostile, result.output)
        assert f"records.jsonl#{hostile}" in result.output, hostile
        assert "\x1b]8;" not in result.output  # no terminal hyperlink


def test_line_format_keeps_each_finding_on_its_own_line(tmp_path):
    path = _jsonl(tmp_path, ["a\nforged.txt:1:1: copy: verbatim passage", "b\x1b[2J"])
    result = CliRunner().invoke(app, ["scan", str(path), "-f", "line"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines and all(line.startswith(str(path)) for line in lines), lines
    assert "\x1b" not in result.output


def test_csv_cells_never_start_a_formula(tmp_path):
    path = _jsonl(tmp_path, ["=HYPERLINK(\"http://example.org\")", "@SUM(A1)"])
    result = CliRunner().invoke(app, ["scan", str(path), "-f", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))[1:]
    assert rows and all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row[:2] + row[9:10])
