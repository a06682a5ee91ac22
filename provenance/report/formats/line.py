"""`path:line:col: message` lines, the format editors and pre-commit hooks understand.

Lines and columns are 1-based and count characters of the decoded file. A JSONL record
is one line of its file: its passages are reported on the record's line, at the column
where they start inside the record's `text` string as it is written there (a JSON escape
such as `\\n` or `\\u00e9` counts as the characters it takes in the file), so an editor
jumps straight to them.
"""

from __future__ import annotations

import json
import os
from array import array
from bisect import bisect_right
from collections import defaultdict
from dataclasses import replace
from functools import lru_cache
from itertools import islice
from json.decoder import scanstring
from pathlib import Path
from typing import TextIO

from provenance.errors import InputError
from provenance.ingest.files import KINDS, decode, load_text
from provenance.ingest.stored import documents_by_id
from provenance.model import VERDICT_ORDER, Document, ScanResult
from provenance.report.format import ReportFormat
from provenance.report.safe import one_line
from provenance.report.summaries import is_licensed


@lru_cache(maxsize=256)
def _line_starts(path: str, fallback: str) -> list[int]:
    """Where the lines start in the raw text a document's offsets point into.

    The file is read again and decoded with the loader's `decode`; a file that is gone
    or no longer text falls back to the document's own text. (An HTML page the loader
    read in a charset it declares is not decoded that way here: its columns can be off.)
    """
    raw = fallback
    if path:
        try:
            raw = decode(Path(path).read_bytes())[0]
        except (OSError, ValueError, InputError):
            raw = fallback
    return [0] + [i + 1 for i, ch in enumerate(raw) if ch == "\n"]


def _file_line_col(doc: Document, raw_offset: int) -> tuple[int, int]:
    starts = _line_starts(doc.path if doc.segments else "", doc.text)
    line = bisect_right(starts, raw_offset)
    return line, raw_offset - starts[line - 1] + 1


# --- JSONL records --------------------------------------------------------------------------

def _skip_space(line: str, i: int) -> int:
    while i < len(line) and line[i] in " \t\r\n":
        i += 1
    return i


def _text_literal(line: str) -> int | None:
    """Where the characters of a JSON object line's top-level "text" string start (after its quote).

    The last "text" key wins, as in `json.loads`; None when the line is not such an object.
    """
    decoder = json.JSONDecoder()
    found = None
    i = _skip_space(line, 0)
    if line[i : i + 1] != "{":
        return None
    try:
        while True:
            i = _skip_space(line, i + 1)
            if line[i : i + 1] != '"':
                return found if line[i : i + 1] == "}" else None
            key, i = scanstring(line, i + 1)
            i = _skip_space(line, i)
            if line[i : i + 1] != ":":
                return None
            i = _skip_space(line, i + 1)
            value, end = decoder.raw_decode(line, i)
            if key == "text":
                found = i + 1 if isinstance(value, str) else None
            i = _skip_space(line, end)
            if line[i : i + 1] != ",":
                return found if line[i : i + 1] == "}" else None
    except ValueError:
        return None


def _is_low_surrogate_escape(line: str, i: int) -> bool:
    return line[i : i + 2] == "\\u" and "dc00" <= line[i + 2 : i + 6].lower() <= "dfff"


def _columns(line: str, start: int, offsets: list[int]) -> dict[int, int]:
    """1-based columns in `line` of offsets into the JSON string whose characters begin at `start`."""
    out: dict[int, int] = {}
    i, n = start, 0
    for target in sorted(set(offsets)):
        while n < target and i < len(line) and line[i] != '"':
            if line[i] != "\\":
                i += 1
            elif line[i + 1 : i + 2] != "u":
                i += 2
            else:  # \uXXXX, or a surrogate pair written as two escapes: one character either way
                high = "d800" <= line[i + 2 : i + 6].lower() <= "dbff"
                i += 12 if high and _is_low_surrogate_escape(line, i + 6) else 6
            n += 1
        out[target] = i + 1
    return out


@lru_cache(maxsize=16)
def _line_offsets(path: str, stamp: tuple[int, int]) -> array:
    """Byte offset of the start of every line of the file at `path` (of size and mtime `stamp`), and its
    size last: one pass builds it, and then any record line is read with one seek, so a report written
    in pieces reads a JSONL corpus once, not once a piece. 8 bytes a line."""
    offsets, position = array("q", [0]), 0
    with open(path, "rb") as f:
        for piece in iter(lambda: f.read(1 << 20), b""):
            newline = piece.find(b"\n")
            while newline != -1:
                offsets.append(position + newline + 1)
                newline = piece.find(b"\n", newline + 1)
            position += len(piece)
    if offsets[-1] != position:
        offsets.append(position)  # the last line has no newline
    return offsets


def _record_columns(path: str, wanted: dict[int, set[int]]) -> dict[tuple[int, int], int]:
    """(line, offset into the record's text) -> 1-based column in the file, for the records found."""
    out: dict[tuple[int, int], int] = {}
    try:
        st = os.stat(path)
        offsets = _line_offsets(path, (st.st_size, st.st_mtime_ns))
        with open(path, "rb") as f:
            for lineno in sorted(wanted):
                if not 0 < lineno < len(offsets):
                    continue
                f.seek(offsets[lineno - 1])
                try:
                    line = decode(f.read(offsets[lineno] - offsets[lineno - 1]))[0]
                except (ValueError, InputError):
                    continue
                start = _text_literal(line)
                if start is not None:
                    for offset, col in _columns(line, start, sorted(wanted[lineno])).items():
                        out[lineno, offset] = col
    except OSError:
        pass
    return out


# --- documents that come back from an index --------------------------------------------------

def _stored(doc: Document) -> bool:
    """Whether `doc` lost its map back to its file: an indexed document keeps its text and path only."""
    if doc.segments or doc.line is not None or not doc.path:
        return False
    return doc.path.lower().endswith(".jsonl") or doc.raw_chars not in (0, len(doc.text))


def _record_line(path: str, record_id: str) -> tuple[int, str] | None:
    """(line, text) of the JSONL record named `record_id` (its "id", else its line number)."""
    try:
        with open(path, "rb") as f:
            for lineno, data in enumerate(f, start=1):
                if record_id.encode("utf-8", "surrogatepass") not in data and str(lineno) != record_id:
                    continue
                try:
                    record = json.loads(decode(data)[0])
                except (ValueError, InputError):
                    continue
                if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                    continue
                rid = record.get("id")
                named = str(rid) if isinstance(rid, (str, int)) and not isinstance(rid, bool) and str(rid) else None
                if named == record_id or (named is None and str(lineno) == record_id):
                    return lineno, record["text"]
    except OSError:
        pass
    return None


@lru_cache(maxsize=64)
def _reloaded(path: str, stamp: tuple[int, int], doc_id: str, text: str) -> Document | None:
    """The document at `path` (of size and mtime `stamp`) loaded again with its offsets, if it still gives `text`."""
    kind = KINDS.get(os.path.splitext(path)[1].lower())
    try:
        if kind == "jsonl":
            found = _record_line(path, doc_id.rsplit("#", 1)[-1])
            if found is None:
                return None
            doc = replace(load_text(found[1], id=doc_id, path=path), line=found[0])
        elif kind is not None:
            doc = load_text(decode(Path(path).read_bytes())[0], id=doc_id, path=path, kind=kind)
        else:
            return None
    except (OSError, ValueError, InputError):
        return None
    return doc if doc.text == text else None


def located(doc: Document) -> Document:
    """`doc` with its offsets into its file again, when it came from an index and the file is unchanged.

    An index keeps a document's text and path, not the map from the text back to the file,
    so a check's sources would be placed in the stored text (line 3 of the text is line 17
    of the saved page; an HTML page's line 1 is its <html> tag). The file is loaded again
    by the same rules; if it no longer gives the stored text, the stored text's places stay.
    """
    if not _stored(doc):
        return doc
    try:
        st = os.stat(doc.path)
    except OSError:
        return doc
    again = _reloaded(doc.path, (st.st_size, st.st_mtime_ns), doc.id, doc.text)
    if again is None:
        return doc
    return replace(doc, segments=again.segments, line=again.line, raw_chars=again.raw_chars)


def shown_path(doc: Document) -> str:
    """Where a finding points: the file (from the working folder when under it), or the id."""
    if not doc.path:
        return doc.id
    if os.path.isabs(doc.path):
        rel = os.path.relpath(doc.path)
        return doc.path if rel.startswith("..") else rel
    return doc.path


def _source(doc: Document, line: int, col: int) -> str:
    """The other side of a finding: its file:line:col, then its id when the file's name does not say it."""
    where = shown_path(doc)
    named = f"{one_line(where)}:{line}:{col}"
    return named if where.endswith(doc.id) else f"{named} ({one_line(doc.id)})"


def positions(queries: list[tuple[Document, int]]) -> list[tuple[int, int]]:
    """1-based (line, column) of each (document, text offset), in the file the document came from.

    JSONL records are resolved together, one pass over each file. A record whose line is
    gone or no longer holds a JSON object with a "text" string gets the column inside its
    text instead (offset + 1).
    """
    raw = [doc.raw_offset(offset) for doc, offset in queries]
    wanted: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for (doc, _), raw_offset in zip(queries, raw):
        if doc.line is not None and doc.path:
            wanted[doc.path][doc.line].add(raw_offset)
    columns = {path: _record_columns(path, lines) for path, lines in wanted.items()}
    out = []
    for (doc, _), raw_offset in zip(queries, raw):
        if doc.line is None:
            out.append(_file_line_col(doc, raw_offset))
        else:
            out.append((doc.line, columns.get(doc.path, {}).get((doc.line, raw_offset), raw_offset + 1)))
    return out


PAIRS_A_PIECE = 1000  # pairs whose lines are placed and written together


def write(
    result: ScanResult, fh: TextIO, *, sides: tuple[str, ...] = ("a", "b"), min_verdict: str = "quote-only"
) -> None:
    """A line per passage of each pair at `min_verdict` or stronger, seen from each of `sides`, written
    PAIRS_A_PIECE pairs at a time: a large scan's lines are never held together."""
    by_id = documents_by_id(result.documents)
    docs: dict[str, Document] = {}  # the piece's documents (a scan's texts are read from disk: not kept longer)

    def doc(doc_id: str) -> Document:  # an indexed document is located in its file once a piece, when needed
        if doc_id not in docs:
            docs[doc_id] = located(by_id[doc_id])
        return docs[doc_id]

    shown = (pair for pair in result.pairs if VERDICT_ORDER[pair.verdict] >= VERDICT_ORDER[min_verdict])
    more = True
    while more:
        more = False
        docs.clear()
        rows, queries = [], []  # a row keeps what its line says, not the pair (read from a compact store)
        for pair in islice(shown, PAIRS_A_PIECE):
            more = True
            said = f"{'licensed ' if is_licensed(pair) else ''}{pair.verdict}"
            for side in sides:
                here, there = (doc(pair.a), doc(pair.b)) if side == "a" else (doc(pair.b), doc(pair.a))
                for passage in pair.passages:
                    start, end = (passage.a_start, passage.a_end) if side == "a" else (passage.b_start, passage.b_end)
                    there_start = passage.b_start if side == "a" else passage.a_start
                    rows.append((said, passage.kind, here, there, len(here.text[start:end].split())))
                    queries += [(here, start), (there, there_start)]
        where = positions(queries)
        for row, (said, kind, here, there, words) in enumerate(rows):
            (line, col), (there_line, there_col) = where[2 * row], where[2 * row + 1]
            fh.write(
                f"{one_line(shown_path(here))}:{line}:{col}: {said}: {kind} passage "
                f"({words} words) matches {_source(there, there_line, there_col)}\n"
            )


FORMAT = ReportFormat("line", write, in_hook=True, passage_lines=True)
