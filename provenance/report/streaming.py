"""JSON written piece by piece, byte for byte what `json.dumps(..., indent=2)` writes for the whole object.

A report of a large scan holds hundreds of thousands of records; building them all as one dict
and then one indented string cost ~16.5 KB of memory a pair, several times the scan's own
working set. Here each record is made, written and dropped in turn, so a report's memory is
one record's, whatever its length. The text is the whole render's exactly (tests compare).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TextIO


def _dumps(value: Any, indent: str) -> str:
    """`value` as json.dumps(indent=2) writes it when nested at `indent` (its first line unindented).

    Newlines inside JSON strings are escaped, so every raw newline of the dump starts a line.
    """
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)


def write_object(fh: TextIO, fields: Mapping[str, Any], streamed: Mapping[str, Iterable[Any]]) -> None:
    """Write `{**fields, **streamed}` as an indented JSON object, then a newline; `streamed`'s values are
    iterables of list items, consumed one item at a time."""
    entries = [(key, False, value) for key, value in fields.items()]
    entries += [(key, True, items) for key, items in streamed.items()]
    if not entries:
        fh.write("{}\n")
        return
    fh.write("{")
    for n, (key, is_stream, value) in enumerate(entries):
        fh.write(("\n  " if n == 0 else ",\n  ") + json.dumps(key, ensure_ascii=False) + ": ")
        if not is_stream:
            fh.write(_dumps(value, "  "))
            continue
        empty = True
        for item in value:
            fh.write(("[\n    " if empty else ",\n    ") + _dumps(item, "    "))
            empty = False
        fh.write("[]" if empty else "\n  ]")
    fh.write("\n}\n")
