"""Lines that many documents of a corpus repeat: site chrome the line rules missed.

A menu, a footer or a newsletter pitch repeats across every page a site publishes; a
copied paragraph repeats across a few documents. Removing the first kind sharpens the
evidence; removing the second would destroy it. So a line must recur in at least three
documents (never two: that is what reuse looks like), and a line of eight words or more
in many more, since wire copy reprinted by many papers looks just like that. The copies of
one text count once (`settings.TooCommon.copies`): fifty copies of one story repeat every line
fifty times, and none of it is chrome.

Within one site (`Document.site`, else the host of its URL) a repeated line is boilerplate
whatever its length: a newsletter pitch, an "About us" paragraph or a standing disclaimer on
`TooCommon.site_line_floor` pages of one site is the site's furniture, not a story copied
between them. Wire copy that many sites reprint is counted across sites, as above.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import numpy as np
import xxhash

from provenance.ingest.markup import Mapped
from provenance.ingest.page_chrome import keep_lines
from provenance.model import Document
from provenance.settings import TOO_COMMON
from provenance.text import normalize, words


def _line_key(line: str) -> str:
    return " ".join(normalize(line).split())


def default_min_docs(n_docs: int) -> int:
    """Site chrome shows up in many documents; reuse in a few (`settings.TooCommon.corpus_line`)."""
    return TOO_COMMON.corpus_line(n_docs)


def site_of(doc: Document) -> str | None:
    """The site a document belongs to: its site name, else its URL's host (without www.)."""
    if doc.site:
        return doc.site.strip().lower() or None
    if doc.url:
        host = (urlsplit(doc.url).hostname or "").lower()
        return host.removeprefix("www.") or None
    return None


def _copies(keys: list[str], freqs: np.ndarray) -> int:
    """Copies of this document's text in the corpus, from its lines' counts weighted by words
    (`keys` its lines' keys, `freqs` the documents holding each)."""
    lines = {k: f for k, f in zip(keys, freqs.tolist()) if k}
    if not lines:
        return 1
    return TOO_COMMON.copies(np.array(list(lines.values())), np.array([len(k.split()) for k in lines]))


def _line_keys(text: str) -> list[str]:
    """Each line's key ("" for a blank line)."""
    return [_line_key(line) if line.strip() else "" for line in text.split("\n")]


def _line_hashes(keys: list[str]) -> np.ndarray:
    """64-bit hashes of line keys, 0 for a blank line."""
    return np.array([xxhash.xxh3_64_intdigest(k.encode("utf-8", "surrogatepass")) if k else 0 for k in keys],
                    dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class _LineCounts:
    """How many documents of each group (a site, or all: group 0) hold each line, by line hash."""

    groups: np.ndarray  # sorted by group, then hash
    hashes: np.ndarray
    counts: np.ndarray

    @classmethod
    def of(cls, per_doc: list[np.ndarray], group_of: np.ndarray) -> _LineCounts:
        """The counts of the documents' line hashes (`_line_hashes`), document i in group
        ``group_of[i]`` (-1: none)."""
        lengths = np.array([len(h) for h in per_doc], dtype=np.int64)
        hashes = np.concatenate(per_doc) if per_doc else np.empty(0, np.uint64)
        docs = np.repeat(np.arange(len(per_doc)), lengths)
        kept = (hashes != 0) & (group_of[docs] >= 0)
        hashes, docs = hashes[kept], docs[kept]
        groups = group_of[docs]
        order = np.lexsort((docs, hashes, groups))
        groups, hashes, docs = groups[order], hashes[order], docs[order]
        distinct = np.ones(len(hashes), dtype=bool)  # each document once a line
        distinct[1:] = (groups[1:] != groups[:-1]) | (hashes[1:] != hashes[:-1]) | (docs[1:] != docs[:-1])
        groups, hashes = groups[distinct], hashes[distinct]
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = (groups[1:] != groups[:-1]) | (hashes[1:] != hashes[:-1])
        starts = np.flatnonzero(first)
        return cls(groups[starts], hashes[starts], np.diff(np.append(starts, len(hashes))))

    def of_lines(self, group: int, hashes: np.ndarray) -> np.ndarray:
        """The count of each line (0 for a blank line or one of no other document of the group)."""
        lo, hi = np.searchsorted(self.groups, [group, group + 1])
        keys, counts = self.hashes[lo:hi], self.counts[lo:hi]
        if not len(keys):
            return np.zeros(len(hashes), dtype=np.int64)
        at = np.minimum(np.searchsorted(keys, hashes), len(keys) - 1)
        return np.where((keys[at] == hashes) & (hashes != 0), counts[at], 0)


def remove_repeated_lines(
    docs: Sequence[Document], min_docs: int | None = None, *, min_docs_prose: int | None = None
) -> list[Document]:
    """Drop lines found in at least `min_docs` documents (site chrome), keeping segments right.

    A line shared by two documents is what reuse looks like, so `min_docs` is at least 3.
    Lines of eight words or more are what wire copy reused by many papers looks like too:
    they go only when even more documents repeat them (`min_docs_prose`, default
    max(min_docs, 50)).
    """
    out = list(docs)
    for i, doc in repeated_line_edits(docs, min_docs, min_docs_prose=min_docs_prose):
        out[i] = doc
    return out


def repeated_line_edits(
    docs: Sequence[Document], min_docs: int | None = None, *, min_docs_prose: int | None = None
) -> Iterator[tuple[int, Document]]:
    """`remove_repeated_lines` as (i, document i without its repeated lines), for the documents
    that lose a line only, in order: texts are read twice, one at a time, and never held together.

    Lines are counted by a 64-bit hash of their key, and a document's keys are made again only
    when one of its lines is that common: held as strings, the keys of every line of a corpus
    would take as much memory as its text.
    """
    n = len(docs)
    floor = TOO_COMMON.corpus_line_floor
    min_docs = max(floor, min_docs if min_docs is not None else default_min_docs(n))
    min_prose = max(min_docs, min_docs_prose if min_docs_prose is not None else TOO_COMMON.corpus_prose_floor)
    if n < min_docs:
        return
    per_doc, sites = [], []
    for d in docs:
        per_doc.append(_line_hashes(_line_keys(d.text)))
        sites.append(site_of(d))
    site_number = {site: i for i, site in enumerate(sorted({s for s in sites if s is not None}), 1)}
    counts = _LineCounts.of(per_doc, np.zeros(n, dtype=np.int64))
    by_site = _LineCounts.of(per_doc, np.array([site_number.get(s, -1) for s in sites], dtype=np.int64))
    site_min = TOO_COMMON.site_line_floor
    for i, (hashes, site) in enumerate(zip(per_doc, sites)):
        freqs = counts.of_lines(0, hashes)
        if (freqs < min(min_docs, site_min)).all():
            continue
        d = docs[i]
        keys = _line_keys(d.text)
        in_site = by_site.of_lines(site_number[site], hashes) if site is not None else None
        copies = _copies(keys, freqs)
        line_min, prose_min = min_docs + copies - 1, min_prose + copies - 1
        drop = [
            bool(k) and (
                (f >= line_min and (f >= prose_min or len(words(k)) < 8))
                or (in_site is not None and in_site[j] >= site_min + copies - 1))
            for j, (k, f) in enumerate(zip(keys, freqs.tolist()))
        ]
        if not any(drop):
            continue
        # empty segments mean "text is the raw input" only when the lengths agree
        segments = d.segments or (Mapped.of(d.text).segments if d.raw_chars in (0, len(d.text)) else ())
        new = keep_lines(Mapped(d.text, segments), [not x and bool(k) for x, k in zip(drop, keys)])
        yield i, replace(d, text=new.text, segments=new.segments)
