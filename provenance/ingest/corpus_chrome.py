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

from collections import Counter, defaultdict
from dataclasses import replace
from urllib.parse import urlsplit

import numpy as np

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


def _copies(keys: list[str], counts: Counter[str]) -> int:
    """Copies of this document's text in the corpus, from its lines' counts weighted by words."""
    lines = [k for k in set(keys) if k]
    if not lines:
        return 1
    return TOO_COMMON.copies(np.array([counts[k] for k in lines]), np.array([len(k.split()) for k in lines]))


def remove_repeated_lines(
    docs: list[Document], min_docs: int | None = None, *, min_docs_prose: int | None = None
) -> list[Document]:
    """Drop lines found in at least `min_docs` documents (site chrome), keeping segments right.

    A line shared by two documents is what reuse looks like, so `min_docs` is at least 3.
    Lines of eight words or more are what wire copy reused by many papers looks like too:
    they go only when even more documents repeat them (`min_docs_prose`, default
    max(min_docs, 50)).
    """
    n = len(docs)
    floor = TOO_COMMON.corpus_line_floor
    min_docs = max(floor, min_docs if min_docs is not None else default_min_docs(n))
    min_prose = max(min_docs, min_docs_prose if min_docs_prose is not None else TOO_COMMON.corpus_prose_floor)
    if n < min_docs:
        return list(docs)
    per_doc: list[list[str]] = []  # each line's key ("" for a blank line)
    counts: Counter[str] = Counter()
    by_site: dict[str, Counter[str]] = defaultdict(Counter)
    sites = [site_of(d) for d in docs]
    for d, site in zip(docs, sites):
        keys = [_line_key(line) if line.strip() else "" for line in d.text.split("\n")]
        per_doc.append(keys)
        distinct = {k for k in keys if k}
        counts.update(distinct)
        if site is not None:
            by_site[site].update(distinct)
    site_min = TOO_COMMON.site_line_floor
    out: list[Document] = []
    for d, keys, site in zip(docs, per_doc, sites):
        in_site = by_site.get(site) if site is not None else None
        if all(counts[k] < min(min_docs, site_min) for k in keys if k):
            out.append(d)
            continue
        copies = _copies(keys, counts)
        line_min, prose_min = min_docs + copies - 1, min_prose + copies - 1
        drop = [
            bool(k) and (
                (counts[k] >= line_min and (counts[k] >= prose_min or len(words(k)) < 8))
                or (in_site is not None and in_site[k] >= site_min + copies - 1))
            for k in keys
        ]
        if not any(drop):
            out.append(d)
            continue
        # empty segments mean "text is the raw input" only when the lengths agree
        segments = d.segments or (Mapped.of(d.text).segments if d.raw_chars in (0, len(d.text)) else ())
        new = keep_lines(Mapped(d.text, segments), [not x and bool(k) for x, k in zip(drop, keys)])
        out.append(replace(d, text=new.text, segments=new.segments))
    return out
