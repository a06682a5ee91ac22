"""A scan's documents with their texts kept on disk, read back one at a time.

A corpus's texts are most of what a scan would hold: a million news articles are several
gigabytes of text, and every step reads each text only when it works on that document
(fingerprints and phrase counts stream through them once, verification reads the two of a
pair). `StoredDocuments` keeps each document's metadata in memory and its text, UTF-8, in one
temporary file that nothing else can see (unlinked when made, gone when the process ends or
the documents are freed), and gives `Document`s back with their text, as a list would.
"""

from __future__ import annotations

import os
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace

from provenance.errors import SpillError
from provenance.model import Document

__all__ = ["StoredDocuments", "documents_by_id", "metadata_of", "texts_of"]

_FLUSH_BYTES = 1 << 20  # texts are written to the file this many bytes at a time


class _TextFile:
    """Append-only UTF-8 texts in an unlinked temporary file; the last megabyte waits in memory."""

    def __init__(self) -> None:
        try:
            self._file = tempfile.TemporaryFile(prefix="provenance-texts-")
        except OSError as exc:
            raise SpillError(None, exc) from exc
        self._fd = self._file.fileno()
        self._written = 0  # bytes on disk; the pending bytes follow them
        self._pending = bytearray()

    def add(self, text: str) -> tuple[int, int]:
        """Store `text`; its (offset, byte length) to read it back by."""
        data = text.encode("utf-8", "surrogatepass")
        start = self._written + len(self._pending)
        self._pending += data
        if len(self._pending) >= _FLUSH_BYTES:
            self._flush()
        return start, len(data)

    def _flush(self) -> None:
        view = memoryview(self._pending)
        try:
            while view:
                n = os.pwrite(self._fd, view, self._written)
                self._written += n
                view = view[n:]
        except OSError as exc:  # a full or read-only temporary folder
            raise SpillError(None, exc) from exc
        finally:
            view.release()
        self._pending = bytearray()

    def read(self, start: int, length: int) -> str:
        if start >= self._written:
            at = start - self._written
            data = bytes(self._pending[at:at + length])
        else:
            data = os.pread(self._fd, length, start)
        return data.decode("utf-8", "surrogatepass")


class StoredDocuments(Sequence[Document]):
    """Documents in order, metadata in memory and texts on disk (`_TextFile`).

    Indexing and iteration give whole `Document`s (equal to those stored); `texts()` gives the
    texts alone, `subset` and `replaced` new sequences over the same file, `by_id` a mapping.
    """

    def __init__(self, file: _TextFile | None = None) -> None:
        self._file = file if file is not None else _TextFile()
        self._meta: list[Document] = []  # each document with text "" (its text is in the file)
        self._starts = array("q")
        self._lengths = array("q")

    @classmethod
    def of(cls, docs: Iterable[Document]) -> StoredDocuments:
        """`docs` stored, consumed one at a time (a generator is never held whole)."""
        stored = cls()
        for doc in docs:
            stored.append(doc)
        return stored

    def append(self, doc: Document) -> None:
        start, length = self._file.add(doc.text)
        self._meta.append(_without_text(doc))
        self._starts.append(start)
        self._lengths.append(length)

    def __len__(self) -> int:
        return len(self._meta)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return replace(self._meta[i], text=self.text(i))

    def __iter__(self) -> Iterator[Document]:
        for i in range(len(self._meta)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        """Equal to a list, tuple or `StoredDocuments` of equal documents in the same order."""
        if not isinstance(other, (StoredDocuments, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def text(self, i: int) -> str:
        return self._file.read(self._starts[i], self._lengths[i])

    def texts(self) -> Sequence[str]:
        """The texts in order, read as they are reached."""
        return _Texts(self)

    def metadata(self, i: int) -> Document:
        """Document `i` without reading its text: its `text` is ""."""
        return self._meta[i]

    def subset(self, indices: Iterable[int]) -> StoredDocuments:
        """The documents at `indices`, in that order, sharing this one's file."""
        out = StoredDocuments(self._file)
        for i in indices:
            out._meta.append(self._meta[i])
            out._starts.append(self._starts[i])
            out._lengths.append(self._lengths[i])
        return out

    def replaced(self, edits: Iterable[tuple[int, Document]]) -> StoredDocuments:
        """These documents with document i replaced by `doc` for each (i, doc) of `edits`; the new
        texts are added to the shared file."""
        out = self.subset(range(len(self)))
        for i, doc in edits:
            start, length = self._file.add(doc.text)
            out._meta[i] = _without_text(doc)
            out._starts[i], out._lengths[i] = start, length
        return out

    def by_id(self) -> Mapping[str, Document]:
        """Documents by id (the last of equal ids), each text read when its document is asked for."""
        return _ById(self)


def _without_text(doc: Document) -> Document:
    """What `StoredDocuments` keeps in memory of `doc`; the path interned, since a JSONL file's
    records all name one path."""
    return replace(doc, text="", path=sys.intern(doc.path) if doc.path else doc.path)


class _Texts(Sequence[str]):
    def __init__(self, docs: StoredDocuments) -> None:
        self._docs = docs

    def __len__(self) -> int:
        return len(self._docs)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._docs.text(k) for k in range(*i.indices(len(self)))]
        return self._docs.text(range(len(self))[i])

    def __iter__(self) -> Iterator[str]:
        return map(self._docs.text, range(len(self._docs)))


class _ById(Mapping[str, Document]):
    def __init__(self, docs: StoredDocuments) -> None:
        self._docs = docs
        self._index = {docs.metadata(i).id: i for i in range(len(docs))}

    def __getitem__(self, key: str) -> Document:
        return self._docs[self._index[key]]

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def documents_by_id(docs: Sequence[Document]) -> Mapping[str, Document]:
    """`docs` by id: for `StoredDocuments` without reading any text until a document is asked for."""
    if isinstance(docs, StoredDocuments):
        return docs.by_id()
    return {d.id: d for d in docs}


def metadata_of(docs: Sequence[Document]) -> Iterator[Document]:
    """`docs` for what they say of themselves (ids, paths, dates), without reading a stored text:
    a `StoredDocuments` gives each with text ""."""
    if isinstance(docs, StoredDocuments):
        return map(docs.metadata, range(len(docs)))
    return iter(docs)


def texts_of(docs: Iterable[Document | str]) -> Sequence[str]:
    """The texts of `docs` as a sequence read in order: for `StoredDocuments` one at a time."""
    if isinstance(docs, StoredDocuments):
        return docs.texts()
    if isinstance(docs, _Texts):
        return docs
    return [d if isinstance(d, str) else d.text for d in docs]
