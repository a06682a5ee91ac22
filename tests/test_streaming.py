"""Streamed reports: json, jsonl and csv are written record by record, with the whole render's bytes.

The reference is what the formats wrote before streaming: `json.dumps(as_dict(result),
ensure_ascii=False, indent=2)` plus a newline, one `json.dumps` line per JSONL record, one
csv row per pair. Real scans (the bundled news corpus and Clough task a) are compared byte for byte,
and a property test covers JSON values the records do not yet hold (the schema grows).
"""

from __future__ import annotations

import io
import json

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
