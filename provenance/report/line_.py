"""`path:line:col: message` lines, the format editors and pre-commit hooks understand."""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

from ..documents import decode
from ..errors import InputError
from ..model import VERDICT_ORDER, Document, ScanResult


@lru_cache(maxsize=256)
def _line_starts(path: str, fallback: str) -> tuple[str, list[int]]:
    """The raw text a document's offsets point into, and where its lines start.

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
    starts = [0] + [i + 1 for i, ch in enumerate(raw) if ch == "\n"]
    return raw, starts


def line_col(doc: Document, offset: int) -> tuple[int, int]:
    """1-based line and column of a text offset, in the file the document came from."""
    raw_offset = doc.raw_offset(offset)
    _, starts = _line_starts(doc.path if doc.segments else "", doc.text)
    line = bisect_right(starts, raw_offset)
    return line, raw_offset - starts[line - 1] + 1


def render(result: ScanResult, *, sides: tuple[str, ...] = ("a", "b"), min_verdict: str = "quote-only") -> str:
    docs = {d.id: d for d in result.documents}
    out = []
    for pair in result.pairs:
        if VERDICT_ORDER[pair.verdict] < VERDICT_ORDER[min_verdict]:
            continue
        for side in sides:
            here, there = (docs[pair.a], docs[pair.b]) if side == "a" else (docs[pair.b], docs[pair.a])
            for p in pair.passages:
                start, end = (p.a_start, p.a_end) if side == "a" else (p.b_start, p.b_end)
                o_start = p.b_start if side == "a" else p.a_start
                line, col = line_col(here, start)
                o_line, o_col = line_col(there, o_start)
                words = len(here.text[start:end].split())
                out.append(
                    f"{here.path or here.id}:{line}:{col}: {pair.verdict}: {p.kind} passage "
                    f"({words} words) matches {there.id}:{o_line}:{o_col}"
                )
    return "".join(line + "\n" for line in out)
