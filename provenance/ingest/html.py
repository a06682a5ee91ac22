"""HTML pages: main text and metadata through trafilatura, with offsets back into the page.

trafilatura is given the HTML string only, never a URL, so nothing is fetched; dates do
not depend on the day of the run. It gives no offsets, so each extracted line is found
again in the page (`_locate_lines`), which is what lets reports point into the file.
"""

from __future__ import annotations

import html
import logging
import re

from provenance.errors import UnusableInput
from provenance.ingest.markup import Mapped, iso_date, normalize_newlines
from provenance.ingest.page_chrome import clean_page
from provenance.text.patterns import lazy_re

# htmldate rejects dates after max_date, which defaults to today: pin it so that the same
# page gives the same date on every day.
HTML_MAX_DATE = "2099-12-31"
_LOOKAHEAD = 200_000
_PAGE = lazy_re(r"<(?:html|body|head)\b", re.I)


def extract_html(raw: str) -> tuple[Mapped, dict[str, str]]:
    """Main text and metadata through trafilatura, from the HTML string only (never a URL)."""
    try:
        import trafilatura  # deferred: a second of start-up, needed only for HTML
    except ImportError as exc:  # lxml_html_clean missing makes the import fail too
        raise UnusableInput(f"cannot read HTML without trafilatura ({exc}): "
                    "`pip install trafilatura lxml_html_clean`") from None
    for name in ("trafilatura", "htmldate", "courlan"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())  # a library does not write to stderr
    if "<" not in raw:
        raise UnusableInput("not HTML (no tags)")
    # trafilatura rejects a bare fragment ("<p>draft</p>"): give it a page around it.
    page = raw if _PAGE.search(raw[:5000]) else f"<html><body><div>{raw}</div></body></html>"
    if page.startswith(("http", "HTTP")):
        page = "\n" + page  # htmldate fetches a string that starts like a URL: this one never does
    try:
        result = trafilatura.bare_extraction(
            page, favor_precision=True, with_metadata=True, include_comments=False, include_images=False,
            include_links=False, url=None,
            date_extraction_params={"original_date": True, "extensive_search": False,
                                    "max_date": HTML_MAX_DATE},
        )
        text = getattr(result, "text", None) if result is not None else None
        if text and text.strip():
            text = _with_later_chunks(page, text)
        if not text or not text.strip():  # too little for the main-text heuristics: every paragraph
            text = clean_page(normalize_newlines(Mapped.of(trafilatura.baseline(page)[1])))[0].text
    except (Exception, RecursionError) as exc:  # trafilatura/lxml failures must not stop a run
        raise UnusableInput(f"HTML extraction failed ({type(exc).__name__}: {str(exc)[:80]})") from exc
    if not text or not text.strip():
        raise UnusableInput("no main text found in HTML")
    meta = {}
    for field, attr in (("title", "title"), ("url", "url"), ("site", "sitename"), ("published", "date")):
        value = getattr(result, attr, None)
        if isinstance(value, str) and value.strip():
            meta[field] = value.strip()
    if "site" not in meta and isinstance(getattr(result, "hostname", None), str):
        meta["site"] = result.hostname
    published = iso_date(meta.pop("published", ""))
    if published:
        meta["published"] = published
    return _locate_lines(raw, text), meta


_CHUNK_MIN_WORDS = 8  # a paragraph of a later chunk: a sentence or more...
_CHUNK_MAX_LINKS = 0.2  # ...in a chunk that is not mostly links (a list of other stories)...
_CHUNK_ON_TOPIC = 0.3  # ...whose words are the article's: this share of its 5-letter word stems recur in it
_TERMINAL = lazy_re(r"[.!?…\"”»)]\s*$")
_LONG_WORD = lazy_re(r"\w{5,}")


def _with_later_chunks(page: str, text: str) -> str:
    """`text` and the paragraphs trafilatura left out of later chunks of the same article.

    Some sites cut an article into several elements with advertisements between them
    (`<div class="article__body">` eight times on a WIRED page), and trafilatura keeps the first.
    A later element of the same tag and class, under the same parent or grandparent as the one
    that holds the first extracted paragraph, continues the article when its paragraphs are
    sentences, are not mostly links and are about the article's subject (a site's footer,
    disclaimer or comment form has the class and the place, not the words). Its paragraphs
    not already extracted are added after the text. Measured on trafilatura's own gold set in
    benchmarks/RESULTS.md ("Main-text extraction").
    """
    import lxml.html  # trafilatura's own parser: installed with it

    try:
        tree = lxml.html.fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return text
    lines = [line for line in text.split("\n") if len(line.split()) >= _CHUNK_MIN_WORDS]
    if not lines:
        return text
    first = " ".join(lines[0].split())[:60]
    holder = next((p.getparent() for p in tree.iter("p") if first in " ".join(p.text_content().split())), None)
    while holder is not None and not holder.get("class"):
        holder = holder.getparent()
    if holder is None or holder.getparent() is None:
        return text
    near = {holder.getparent(), holder.getparent().getparent()} - {None}
    chunks = [e for e in tree.iter(holder.tag) if e.get("class") == holder.get("class")]
    extracted = text.split()
    # a paragraph already extracted (alone or inside a longer line) has its first and last
    # eight words among the text's eight-word runs: a set, so the test stays linear
    runs = {hash(tuple(extracted[i : i + _CHUNK_MIN_WORDS])) for i in range(len(extracted) - _CHUNK_MIN_WORDS + 1)}
    topic = {w.lower()[:5] for w in _LONG_WORD.findall(text)}
    added: list[str] = []
    for chunk in chunks[chunks.index(holder) + 1 :]:
        up = chunk.getparent()
        if up not in near and (up is None or up.getparent() not in near):
            continue
        body = chunk.text_content()
        if sum(len(a.text_content()) for a in chunk.iter("a")) > _CHUNK_MAX_LINKS * max(len(body), 1):
            continue
        paragraphs = [" ".join(p.text_content().split()) for p in chunk.iter("p")]
        paragraphs = [p for p in paragraphs if len(p.split()) >= _CHUNK_MIN_WORDS and _TERMINAL.search(p)
                      and not {hash(tuple(p.split()[:_CHUNK_MIN_WORDS])),
                               hash(tuple(p.split()[-_CHUNK_MIN_WORDS:]))} <= runs]
        words = [w.lower()[:5] for w in _LONG_WORD.findall(" ".join(paragraphs))]
        if words and sum(w in topic for w in words) >= _CHUNK_ON_TOPIC * len(words):
            added += paragraphs
    return "\n".join([text, *added]) if added else text


def _locate_lines(raw: str, text: str) -> Mapped:
    """`text` with segments pointing at where each of its lines sits in the raw HTML.

    trafilatura gives no offsets, so each line is found again: anchored on its first run
    of plain characters, then walked through the page, stepping over tags, entities and
    collapsed whitespace. Characters written as entities stay unmapped; a line that is not
    found stays unmapped as a whole. The search for an anchor looks a bounded distance
    ahead, so a huge page stays linear.
    """
    pieces: list[tuple[int, int] | str] = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        if i:
            pieces.append("\n")
        m = _ANCHOR.search(line)
        at, tries = pos - 1, 0
        while m and tries < 8 and (at := raw.find(m.group(), at + 1, pos + _LOOKAHEAD)) >= 0:
            tries += 1
            found: list[tuple[int, int] | str] = [line[: m.start()]]
            end = _align(raw, line, m.start(), at, found)
            if 2 * sum(b - a for a, b in (x for x in found if isinstance(x, tuple))) >= len(line):
                pieces.extend(found)
                pos = end
                break
        else:
            pieces.append(line)
    return Mapped.of(raw).edit(pieces)


_ANCHOR = lazy_re(r"[^\s&<>\"'][^\s&<>\"']*(?: [^\s&<>\"']+)?")  # a word or two


def _align(raw: str, line: str, i: int, p: int, pieces: list[tuple[int, int] | str]) -> int:
    """Map line[i:] onto raw[p:]; append pieces; return where the walk ended in raw."""
    n = len(raw)
    while i < len(line) and p < n:
        c, r = line[i], raw[p]
        if r == "<" and (close := raw.find(">", p, p + 5000)) > 0:
            p = close + 1  # a tag: trafilatura kept its text, not the tag
        elif r == "&" and (semi := raw.find(";", p, p + 12)) > 0 and html.unescape(raw[p : semi + 1]) in (
            c, "\xa0" if c == " " else c
        ):
            pieces.append(c)  # an entity: the character is in the text, unmapped
            i, p = i + 1, semi + 1
        elif r == c:
            q = p + 1
            i += 1
            while i < len(line) and q < n and raw[q] == line[i] and raw[q] not in "<&":
                i, q = i + 1, q + 1
            pieces.append((p, q))
            p = q
        elif r.isspace():  # whitespace the extraction collapsed
            if c.isspace():
                pieces.append(c)
                i += 1
            while p < n and raw[p].isspace():
                p += 1
        else:
            break
    pieces.append(line[i:])
    return p
