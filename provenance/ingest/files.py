"""Loading documents: files and folders of .txt, .md, .html and .jsonl, main text only.

The first stage of the pipeline. Whatever a crawler brought back, a bad file becomes a
`Problem` naming the path, the reason and what was done (skipped, decoded as cp1252,
truncated at N bytes), and the run goes on with the rest. Nothing here opens a path
found inside a file or touches the network: HTML goes to trafilatura as a string.

`Document.text` is what the rest of the pipeline sees; `Document.segments` map runs of it
back to character offsets in the decoded file (for JSONL: in the record's `text` value,
with `Document.line` the record's line in the file), so reports can name line:col in the
original.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from provenance.errors import InputError, UnusableInput
from provenance.ingest.html import extract_html
from provenance.ingest.markup import Mapped, front_matter, iso_date, normalize_newlines, strip_markup
from provenance.ingest.page_chrome import clean_page
from provenance.model import Document, Problem
from provenance.settings import INGEST
from provenance.text.credits import credit_lines
from provenance.text.patterns import lazy_re

__all__ = [
    "SUFFIXES", "decode", "iter_documents", "load_paths", "load_text",
]

# reStructuredText is read as plain text (the pre-commit hook hands .rst drafts over too).
KINDS = {".txt": "txt", ".text": "txt", ".rst": "txt", ".md": "md", ".markdown": "md", ".html": "html",
         ".htm": "html", ".jsonl": "jsonl"}
SUFFIXES = tuple(KINDS)

_CP1252 = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]
_ESCAPED = lazy_re(r"[\udc80-\udcff]")
_CONTROL = lazy_re(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


# --- decoding --------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str | None]:
    """Text of `data` and, when it was not clean UTF-8, the action taken.

    UTF-8 with or without BOM; UTF-16/32 with BOM; otherwise bytes that are not UTF-8
    are read as cp1252 (latin-1 for the five bytes cp1252 leaves undefined). Raises
    `InputError` for binary data (NUL bytes, or many control characters).
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            if enc.startswith("utf-16"):
                body = body[: len(body) // 2 * 2]
            elif enc.startswith("utf-32"):
                body = body[: len(body) // 4 * 4]
            text = body.decode(enc, errors="replace")
            bad = text.count("\ufffd") - body.decode(enc, errors="ignore").count("\ufffd")
            _check_text(text)
            return text, (f"decoded as {enc.upper()}, {bad} invalid sequences replaced" if bad else None)
    if b"\x00" in data:
        raise UnusableInput("binary file (NUL bytes)")
    text = data.decode("utf-8", errors="surrogateescape")
    bad = len(_ESCAPED.findall(text))
    note = None
    if bad:
        mixed = re.search(r"[^\x00-\x7f\udc80-\udcff]", text) is not None
        text = _ESCAPED.sub(lambda m: _CP1252[ord(m.group()) - 0xDC00], text)
        note = (f"decoded as UTF-8 with {bad} invalid bytes as cp1252" if mixed
                else f"decoded as cp1252 ({bad} bytes not valid UTF-8)")
    _check_text(text)
    return text, note


_CHARSET = lazy_re(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)


def _declared(data: bytes, raw: str, note: str) -> tuple[str, str | None]:
    """A page that is not UTF-8 and declares its charset (`<meta charset=...>`) is read in it."""
    m = _CHARSET.search(data[:4096])
    if not m:
        return raw, note
    name = m.group(1).decode("ascii").lower()
    if name in ("utf-8", "utf8"):  # declared UTF-8 but not valid: keep the repaired reading
        return raw, note
    try:
        text = data.decode(name, errors="replace")
    except LookupError:
        return raw, note
    return text, f"decoded as {name} (declared in the page)"


def _reason(note: str) -> str:
    return "invalid byte sequences" if "replaced" in note else "not valid UTF-8"


def _check_text(text: str) -> None:
    controls = len(_CONTROL.findall(text[:100_000]))
    if controls > max(2, 0.01 * min(len(text), 100_000)):
        raise UnusableInput("binary file (control characters)")


# --- one raw text to one document --------------------------------------------------------


_BLANKS = lazy_re(r"\n[ \t]*(?:\n[ \t]*)+\n")


def _tidy(m: Mapped) -> Mapped:
    """At most one blank line in a row; no leading or trailing whitespace."""
    m = m.sub(_BLANKS, lambda x: [(x.start(), x.start() + 1), (x.end() - 1, x.end())])
    a, b = 0, len(m.text)
    while a < b and m.text[a].isspace():
        a += 1
    while b > a and m.text[b - 1].isspace():
        b -= 1
    return m if (a, b) == (0, len(m.text)) else m.edit([(a, b)])


def _plain(raw: str, kind: str) -> tuple[Mapped, dict[str, str]]:
    """Main text of a plain-text or Markdown input with offsets kept (kind "record": a JSONL record's text)."""
    m = normalize_newlines(Mapped.of(raw))
    meta: dict[str, str] = {}
    if kind == "md":
        m, meta = front_matter(m)
    title = published = None
    if kind != "record":  # a JSONL record holds an article's text, not a saved page: no page chrome or header
        m, title, published = clean_page(m, markdown=kind == "md")
    m = _tidy(strip_markup(m, markdown=kind == "md"))
    if title and "title" not in meta:
        meta["title"] = title
    if published and "published" not in meta:
        meta["published"] = published
    return m, meta


_INVISIBLE = lazy_re("[\u00ad\u200b\u2060\ufeff]+")


def _document(raw: str, kind: str, *, id: str, path: str, fields: dict[str, str] | None = None,
              line: int | None = None, credits: tuple[str, ...] = ()) -> Document:
    if not raw.strip():
        raise UnusableInput("empty file" if not raw else "only whitespace")
    m, meta = extract_html(raw) if kind == "html" else _plain(raw, kind)
    if _INVISIBLE.search(m.text):  # soft hyphens and zero-width spaces split words unseen
        m = m.sub(_INVISIBLE, lambda x: [])
    if not re.search(r"\w", m.text):
        raise UnusableInput("no article text left after removing markup and boilerplate")
    meta.update(fields or {})
    return Document(
        id=id, text=m.text, path=path, title=meta.get("title"), url=meta.get("url"), site=meta.get("site"),
        published=meta.get("published"), segments=m.segments, raw_chars=len(raw), line=line,
        credit_lines=credits,
    )


def load_text(text: str, *, id: str, path: str = "", kind: str = "txt") -> Document:
    """One document from a string (a draft, a test) under the same rules as files of `kind`."""
    if kind not in ("txt", "md", "html"):
        raise InputError(f"unknown kind {kind!r}: use 'txt', 'md' or 'html'")
    try:
        return _document(text, kind, id=id, path=path)
    except UnusableInput as exc:
        raise InputError(f"{path or id}: {exc}: nothing to check") from None


# --- JSONL ---------------------------------------------------------------------------------

_JSONL_FIELDS = ("url", "title", "site")
_GIVE_UP = 20  # this many broken lines before any good one: the file is not JSONL


def _jsonl(path: Path, name: str, max_bytes: int, problems: list[Problem]) -> Iterator[Document]:
    """One document per line, as each is read; a bad line is a Problem naming file:line, the rest
    still load.

    `max_bytes` limits each record, not the file, so corpora of any size stream through.
    """
    good = broken = 0
    with open(path, "rb") as f:
        lineno = 0
        while data := f.readline(max_bytes + 1):
            lineno += 1
            where = f"{path}:{lineno}"
            if len(data) > max_bytes and not data.endswith(b"\n"):
                while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                problems.append(Problem(where, f"record longer than the {max_bytes:,}-byte limit", "skipped"))
                continue
            if not data.strip():
                continue
            try:
                raw, rid, fields = _record(data, lineno, where, problems)
                doc = _document(raw, "record", id=f"{name}#{rid}", path=str(path), fields=fields, line=lineno)
            except UnusableInput as exc:
                problems.append(Problem(where, str(exc), "skipped"))
                broken += 1
                if broken >= _GIVE_UP and not good:
                    reason = f"the first {broken} lines are not usable JSONL records"
                    problems.append(Problem(str(path), reason, "rest of the file skipped"))
                    break
                continue
            good += 1
            yield doc
    if lineno == 0 or (not good and not broken):
        problems.append(Problem(str(path), "no JSONL records" if lineno else "empty file", "skipped"))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value, found: list[int]):
    """`value` with lone surrogates (a JSON escape such as \\ud800 that pairs with nothing:
    crawlers cut strings mid-pair) replaced by U+FFFD, counted into `found`; strings only."""
    if not isinstance(value, str):
        return value
    clean, n = _SURROGATE.subn("\ufffd", value)
    found[0] += n
    return clean


def _record(data: bytes, lineno: int, where: str, problems: list[Problem]) -> tuple[str, str, dict[str, str]]:
    """The text, id and known fields of one JSONL line. Fields are data: none is opened as a path."""
    try:
        line, note = decode(data)
        record = json.loads(line)
    except ValueError as exc:
        raise UnusableInput(f"not a JSON line ({str(exc)[:80]})") from None
    except RecursionError:
        raise UnusableInput("JSON nested too deeply to read (thousands of levels)") from None
    if not isinstance(record, dict):
        raise UnusableInput("not a JSON object")
    surrogates = [0]
    record = {k: _without_surrogates(v, surrogates) for k, v in record.items()}
    if surrogates[0]:
        problems.append(Problem(where, f"{surrogates[0]} lone surrogate escapes (such as \\ud800)",
                                "replaced with U+FFFD"))
    raw = record.get("text")
    if not isinstance(raw, str):
        raise UnusableInput("missing 'text' field" if raw is None else "'text' is not a string")
    if note:
        problems.append(Problem(where, _reason(note), note))
    rid = record.get("id")
    rid = str(rid) if isinstance(rid, (str, int)) and not isinstance(rid, bool) and str(rid) else str(lineno)
    fields = {}
    for k in _JSONL_FIELDS:
        value = record.get(k)
        if isinstance(value, str) and value.strip():
            fields[k] = value.strip()
        elif value is not None and not isinstance(value, str):
            problems.append(Problem(where, f"'{k}' is not a string", "field ignored"))
    pub = record.get("published", record.get("date"))
    if isinstance(pub, str) and pub.strip():
        iso = iso_date(pub)
        if iso:
            fields["published"] = iso
        else:
            problems.append(Problem(where, f"unreadable date {pub[:40]!r}", "date ignored"))
    return raw, rid, fields


# --- files and folders ------------------------------------------------------------------


def _walk(root: Path, problems: list[Problem]) -> list[Path]:
    """Files with a known suffix under `root`, recursively; hidden entries are skipped.

    Directory symlinks are followed unless they lead back to a directory already
    visited, so a link loop ends the descent instead of recursing forever.
    """
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        d = stack.pop()
        try:
            st = d.stat()
            if (st.st_dev, st.st_ino) in seen:
                problems.append(Problem(str(d), "directory already scanned (symlink loop)", "skipped"))
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(str(d), f"cannot list directory ({exc.strerror or exc})", "skipped"))
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            p = Path(e.path)
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                stack.append(p)
            elif p.suffix.lower() in KINDS:
                found.append(p)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _read(path: Path, max_bytes: int, problems: list[Problem]) -> bytes:
    with open(path, "rb") as f:
        data = f.read(max_bytes + 1)
    if len(data) <= max_bytes:
        return data
    size = os.stat(path).st_size
    cut = data.rfind(b"\n", max(0, max_bytes - (1 << 20)), max_bytes) + 1 or max_bytes
    while cut > 0 and cut < len(data) and 0x80 <= data[cut] < 0xC0:
        cut -= 1  # do not split a UTF-8 sequence
    problems.append(Problem(str(path), f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
                            f"truncated at {cut:,} bytes"))
    return data[:cut]


def load_paths(
    paths: list[str | Path], *, max_bytes: int = INGEST.max_file_bytes
) -> tuple[list[Document], list[Problem]]:
    """Documents from files and folders (recursively, sorted), and the problems met.

    Ids are paths relative to the scanned folder (posix), the file name for a file given
    directly, `file#id` for JSONL records. Duplicate ids get a `~2`, `~3`... suffix and a
    Problem; the same file reached twice is loaded once.
    """
    problems: list[Problem] = []
    docs = list(iter_documents(paths, problems, max_bytes=max_bytes))
    return docs, problems


def iter_documents(
    paths: list[str | Path], problems: list[Problem], *, max_bytes: int = INGEST.max_file_bytes
) -> Iterator[Document]:
    """`load_paths` a document at a time, as each file or record is read, the problems met added to
    `problems` (paths shown as reports write them): a corpus need never be held whole."""
    if max_bytes < 1:
        raise InputError(f"max_bytes is {max_bytes}: give a positive size limit in bytes")
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path, not the characters of its name
    found: list[Problem] = []  # moved to `problems` after each file, paths shown
    ids: set[str] = set()
    loaded: dict[tuple[int, int], str] = {}
    for root in map(Path, paths):
        if root.is_dir():
            files = [(f, f.relative_to(root).as_posix()) for f in _walk(root, found)]
        elif root.is_symlink() and not root.exists():
            found.append(Problem(str(root), _broken_link(root), "skipped"))
            continue
        elif not root.exists():
            found.append(Problem(str(root), "no such file or directory", "skipped"))
            continue
        elif root.suffix.lower() not in KINDS:
            found.append(Problem(str(root), f"unsupported file type {root.suffix or '(none)'!r} "
                                    f"(supported: {', '.join(SUFFIXES)})", "skipped"))
            continue
        else:
            files = [(root, root.name)]
        for f, rel in files:
            shown = _shown(rel)
            if shown != rel:
                found.append(Problem(str(f), "file name is not valid UTF-8", f"shown as {shown}"))
            for doc in _load_file(f, rel, max_bytes, found, loaded):
                if shown != rel:
                    doc = replace(doc, id=_shown(doc.id), path=_shown(doc.path))
                if doc.id in ids:
                    n = 2
                    while f"{doc.id}~{n}" in ids:
                        n += 1
                    new = f"{doc.id}~{n}"
                    found.append(Problem(doc.path, f"duplicate id {doc.id!r}", f"renamed to {new!r}"))
                    doc = replace(doc, id=new)
                ids.add(doc.id)
                yield doc
            _move(found, problems)
    _move(found, problems)


def _move(found: list[Problem], problems: list[Problem]) -> None:
    problems.extend(replace(p, path=_shown(p.path)) for p in found)
    found.clear()


def _shown(name: str) -> str:
    """A file name as reports can write it: bytes that are not UTF-8 (which Python keeps as lone
    surrogates, and no UTF-8 report can hold) written as \\xNN escapes."""
    if not _SURROGATE.search(name):
        return name
    return os.fsencode(name).decode("utf-8", errors="backslashreplace")


_CREDIT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_CREDIT_BYTES = 1 << 22  # credit lines are looked for in the file's first 4 MB, read as UTF-8


def _credit_lines(f: Path, data: bytes, size: int) -> tuple[str, ...]:
    """The file's credit and platform lines (`text.credits`), which extraction often drops."""
    if f.suffix.lower() not in _CREDIT_SUFFIXES:
        return ()
    head = data[:_CREDIT_BYTES]
    if len(head) < min(size, _CREDIT_BYTES):  # truncated to under 4 MB: the credit window reads on
        try:
            with open(f, "rb") as fh:
                head = fh.read(_CREDIT_BYTES)
        except OSError:
            return ()
    return credit_lines(head.decode("utf-8", errors="replace"), markup=f.suffix.lower() in (".html", ".htm"))


def _broken_link(path: Path) -> str:
    """Why a symlink leads nowhere: a loop (it points back at itself, or round a cycle) or a
    missing target."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop: the link leads back to itself"
    return "dangling symlink"


def _load_file(f: Path, rel: str, max_bytes: int, problems: list[Problem],
               loaded: dict[tuple[int, int], str]) -> Iterator[Document]:
    kind = KINDS[f.suffix.lower()]
    try:
        if f.is_symlink() and not f.exists():
            raise UnusableInput(_broken_link(f))
        st = f.stat()
        key = (st.st_dev, st.st_ino)
        if key in loaded:
            raise UnusableInput(f"same file as {loaded[key]!r}")
        loaded[key] = rel
        if not f.is_file():
            raise UnusableInput("not a regular file")
        if kind == "jsonl":
            yield from _jsonl(f, rel, max_bytes, problems)
            return
        data = _read(f, max_bytes, problems)
        raw, note = decode(data)
        if note and kind == "html":
            raw, note = _declared(data, raw, note)
        if note:
            problems.append(Problem(str(f), _reason(note), note))
        yield _document(raw, kind, id=rel, path=str(f), credits=_credit_lines(f, data, st.st_size))
    except UnusableInput as exc:
        problems.append(Problem(str(f), str(exc), "skipped"))
    except OSError as exc:
        problems.append(Problem(str(f), f"cannot read ({exc.strerror or exc})", "skipped"))
