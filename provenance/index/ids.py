"""How `index add` names documents, so ids cannot collide silently across add runs.

A loader names a file by its path relative to the folder it was given (`story.txt` for
both `wire/story.txt` and `archive/story.txt`). In an index that is not enough: a second
`add` of another folder would replace the first folder's story. So the index records a
root (the folder it was first added from) and a document's id is its path relative to that
root (`wire/story.txt`), whatever folder `add` was run from or given; a file outside the
root is named by its absolute path. A namespace the user names (`index add wire/ --as
reuters`) replaces the root-relative folder: `reuters/story.txt`, the same on every machine
that shares the index. The stored path is absolute, which is how a replace from another
path is recognised (`Index.add` refuses it unless told to replace).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path, PurePosixPath

from provenance.errors import InputError
from provenance.model import Document


def id_prefix(given: Path, root: Path, namespace: str | None = None) -> str:
    """What goes before a loaded document's id: the folder `given` (or a file's folder) from `root`."""
    if namespace is not None:
        name = namespace.strip().strip("/")
        # printable text only: a byte that is not UTF-8 (a lone surrogate here, not printable) or a
        # control character cannot be stored as an id nor shown without forging the output
        if not name or name.startswith(".") or "#" in name or not name.isprintable():
            raise InputError(f"--as {namespace!r}: give a plain name such as 'reuters' or 'desk/2024'")
        return name + "/"
    folder = Path(os.path.abspath(given if given.is_dir() else given.parent))
    try:
        rel = PurePosixPath(folder.relative_to(Path(os.path.abspath(root))).as_posix())
    except ValueError:
        return folder.as_posix().rstrip("/") + "/"
    return "" if str(rel) == "." else f"{rel}/"


def scoped(docs: list[Document], prefix: str) -> list[Document]:
    """`docs` with `prefix` before each id and their paths made absolute (how the index keeps them)."""
    return [replace(doc, id=prefix + doc.id, path=os.path.abspath(doc.path) if doc.path else "") for doc in docs]


def same_path(stored: str, new: str) -> bool:
    """Whether two stored paths name one file (an empty path, from the API, matches anything)."""
    if not stored or not new:
        return True
    return os.path.normpath(os.path.abspath(stored)) == os.path.normpath(os.path.abspath(new))
