"""Streamed reports: json, jsonl and csv are written record by record, line and table as they are made,
with the whole render's bytes.

The reference is what the formats wrote before streaming: `json.dumps(as_dict(result),
ensure_ascii=False, indent=2)` plus a newline, one `json.dumps` line per JSONL record, one
csv row per pair. Real scans (the bundled news corpus and Clough task a) are compared byte for byte,
and a property test covers JSON values the records do not yet hold (the schema grows).
"""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import provenance
from provenance.model import ScanResult
from provenance.report import report_format
from provenance.report.formats.json import as_dict
from provenance.report.formats.jsonl import RECORD_TYPE
from provenance.report.records import SCHEMA_VERSION, result_records
from provenance.report.streaming import write_object


def _whole_json(result: ScanResult) -> str:
    return json.dumps(as_dict(result), ensure_ascii=False, indent=2) + "\n"


def _whole_jsonl(result: ScanResult) -> str:
    lines = [{"type": "header", "schema_version": SCHEMA_VERSION, "config": result.config_fingerprint}]
    for section, records in result_records(result).items():
        lines += [{"type": RECORD_TYPE[section], **record} for record in records]
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


@pytest.fixture(scope="module")
def scans(news_dir, clough_dir):
    return [provenance.scan([news_dir]), provenance.scan(sorted(clough_dir.glob("*taska*")))]


def test_streamed_json_is_the_whole_render(scans):
    for result in scans:
        assert result.pairs and result.families  # real findings, not an empty skeleton
        buf = io.StringIO()
        report_format("json").write_to(result, buf)
        assert buf.getvalue() == _whole_json(result)
        assert report_format("json").render(result) == buf.getvalue()


def test_streamed_jsonl_is_the_whole_render(scans):
    for result in scans:
        buf = io.StringIO()
        report_format("jsonl").write_to(result, buf)
        assert buf.getvalue() == _whole_jsonl(result)


def test_empty_result_streams_as_whole(scans):
    empty = ScanResult(scans[0].config_fingerprint, [], [], [], [])
    assert report_format("json").render(empty) == _whole_json(empty)
    assert report_format("jsonl").render(empty) == _whole_jsonl(empty)


class _Watched(list):
    """A list that records how much of the report was written when each item was read."""

    def __init__(self, items, sink: io.StringIO):
        super().__init__(items)
        self.sink, self.written = sink, []

    def __iter__(self):
        for item in super().__iter__():
            self.written.append(self.sink.tell())
            yield item


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_report_is_written_while_pairs_are_read(scans, fmt):
    """Pair k's record is written before pair k+1 is read: the report is never held whole."""
    result = scans[1]
    sink = io.StringIO()
    pairs = _Watched(result.pairs, sink)
    report_format(fmt).write_to(ScanResult(result.config_fingerprint, result.documents, pairs,
                                           result.families, result.problems), sink)
    assert len(pairs.written) == len(result.pairs) > 3
    assert all(later > earlier for earlier, later in zip(pairs.written, pairs.written[1:]))


def test_line_report_is_written_piece_by_piece(scans, news_dir, monkeypatch, tmp_path):
    """The line report places and writes its pairs a piece at a time, with the same bytes whatever the
    piece's size, for files and for JSONL records (whose columns are read by seeking to their line)."""
    from provenance.report.formats import line

    records = tmp_path / "wire.jsonl"
    news = sorted(p for p in news_dir.iterdir() if p.suffix == ".txt")
    records.write_text("".join(json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}) + "\n"
                               for p in news), encoding="utf-8")
    for result in [*scans, provenance.scan([records])]:
        whole = report_format("line").render(result)
        assert whole.count("\n") > 3
        monkeypatch.setattr(line, "PAIRS_A_PIECE", 1)
        sink = io.StringIO()
        pairs = _Watched(result.pairs, sink)
        report_format("line").write_to(ScanResult(result.config_fingerprint, result.documents, pairs,
                                                  result.families, result.problems), sink)
        monkeypatch.undo()
        assert sink.getvalue() == whole
        assert len(set(pairs.written)) > 3  # written between the reads of the pairs, not at the end


@pytest.fixture(scope="module")
def corpus_scan(news_dir, clough_dir):
    return provenance.scan([news_dir, clough_dir])


def test_table_is_printed_as_it_is_made(corpus_scan):
    """Family k's line is printed before family k+1 is read, and the text is the whole render's."""
    result = corpus_scan
    sink = io.StringIO()
    families = _Watched(result.families, sink)
    report_format("table").write_to(ScanResult(result.config_fingerprint, result.documents, result.pairs,
                                               families, result.problems), sink, width=100)
    assert len(families.written) == 2 * len(result.families) > 2  # the list of families, then each one
    assert all(later > earlier for earlier, later in zip(families.written, families.written[1:]))
    assert sink.getvalue() == report_format("table").render(result, width=100)


class _Counted:
    """A sink that keeps only how much was written."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("fmt", ["html", "line"])
def test_writing_a_report_holds_a_small_part_of_it(corpus_scan, fmt, monkeypatch):
    """While a report is written, the memory it takes is a small part of the report's size (the
    html report holds both texts of every pair, marked up: built whole it takes several times itself)."""
    from provenance.report.formats import line

    # a piece holds its pairs' documents, read back from the scan's text file: a few pairs a piece here
    monkeypatch.setattr(line, "PAIRS_A_PIECE", 5)
    report_format(fmt).write_to(corpus_scan, _Counted())  # imports and compiled templates are not the report's
    sink = _Counted()
    tracemalloc.start()
    try:
        report_format(fmt).write_to(corpus_scan, sink)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert sink.size > 200_000  # every pair of the news and Clough sets: a report of some size
    assert peak < sink.size / 3


_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_json = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                     max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(st.text(), _json, max_size=3),
       streamed=st.dictionaries(st.text(), st.lists(_json, max_size=4), max_size=3))
def test_write_object_is_json_dumps(fields, streamed):
    streamed = {key: items for key, items in streamed.items() if key not in fields}
    buf = io.StringIO()
    write_object(buf, fields, {key: iter(items) for key, items in streamed.items()})
    assert buf.getvalue() == json.dumps({**fields, **streamed}, ensure_ascii=False, indent=2) + "\n"
