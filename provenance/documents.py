"""Loading documents from files and folders.

(First cut: plain text and Markdown; HTML, JSONL and boilerplate removal follow.)
"""

from __future__ import annotations

from pathlib import Path

from .model import Document, Problem

SUFFIXES = (".txt", ".md")


def _decode(data: bytes) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "decoded as cp1252"


def load_paths(paths: list[str | Path]) -> tuple[list[Document], list[Problem]]:
    """Documents from files and folders (recursively); unreadable files become Problems."""
    docs: list[Document] = []
    problems: list[Problem] = []
    for root in map(Path, paths):
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES) if root.is_dir() else [root]
        for f in files:
            rel = f.relative_to(root).as_posix() if root.is_dir() else f.name
            try:
                text, note = _decode(f.read_bytes())
            except OSError as exc:
                problems.append(Problem(str(f), exc.strerror or str(exc)))
                continue
            if note:
                problems.append(Problem(str(f), "not valid UTF-8", note))
            docs.append(Document(id=rel, text=text, path=str(f), raw_chars=len(text)))
    return docs, problems
