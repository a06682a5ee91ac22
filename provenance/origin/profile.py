"""What the origin signals need from one document, computed once per document.

A profile keeps the document's prose: navigation, link lists, credit lines and blog
chrome are set aside (they are presentation, not wording a copy carries over), and so is
a story's dateline. Credit and platform lines are kept apart as evidence of their own,
from the extracted text and from the lines ingest kept from the raw file.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

from provenance.model import Document
from provenance.origin.variants import Spellings
from provenance.origin.wire import WireMarks, is_not_credit, wire_marks
from provenance.settings import ORIGIN
from provenance.text import paragraphs, quotation_spans, sentences
from provenance.text.byte_tokens import words  # text.words through the byte path: same tokens, faster
from provenance.text.credits import is_attribution, is_platform
from provenance.text.wordlists import FUNCTION_WORDS, language_stopwords

Trigram = tuple[str, str, str]

_SENTENCE_END = re.compile(r"[.!?…:;\"'”’)]\s*$")
# A dateline opening a story: "LONDON (Reuters) - ", "NEW YORK, March 3 - ", "MORNING POST — ".
# Copies rewrite or drop it all alike (an agency tag stripped by every paper), so it is
# presentation, like a byline, not wording a copy carries over.
_DATELINE = re.compile(
    r"^(?:\s*[A-Z][A-Z.'’&/-]{2,}(?:[ ,]+[A-Z][A-Z.'’&/-]+)*(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*"
    r"(?:\([A-Za-z .&'’-]{1,40}\)\s*)?[-–—]{1,2}\s+){1,3}"
)
_MIN_SENTENCE_WORDS = 3


@dataclass(frozen=True, slots=True)
class Profile:
    """One document's prose as the origin signals compare it."""

    doc: Document
    sentences: list[list[str]]  # prose sentences as normalised words
    spans: list[tuple[int, int]]  # each prose sentence's character span in doc.text
    content: list[frozenset[str]]  # content words (not function words) per prose sentence
    sentence_words: list[frozenset[str]]  # all words per prose sentence
    sentences_with: dict[str, list[int]]  # content word -> indices of the prose sentences holding it
    # content words left out of sentences_with: in more than ORIGIN.max_word_sentences sentences
    common_words: int
    trigrams: set[Trigram]  # word 3-grams of the prose, laid end to end
    quoted_trigrams: set[Trigram]  # 3-grams inside quotation marks in the prose
    attribution: list[str]  # lines crediting another publication
    platform: list[str]  # blog-platform chrome lines
    published: datetime | None  # the document's date, else its filing header's
    spellings: Spellings
    wire: WireMarks  # agency-copy conventions found in the text

    @property
    def id(self) -> str:
        return self.doc.id

    @property
    def prose_words(self) -> int:
        return sum(len(s) for s in self.sentences)


def parse_date(value: str | None) -> datetime | None:
    """An ISO date or date-time; anything unreadable counts as missing (dates are a hint, not a key)."""
    if not value:
        return None
    value = value.strip().replace("Z", "+00:00")
    for candidate in (value, value[:19], value[:10]):
        try:
            return datetime.fromisoformat(candidate).replace(tzinfo=None)
        except ValueError:
            continue
    return None


def _is_chrome(line: str, line_words: list[str]) -> bool:
    """Navigation and link lists: short, unpunctuated, mostly capitalised words."""
    if len(line_words) < 4:
        return True
    if _SENTENCE_END.search(line) or len(line_words) > 14:
        return False
    capitalised = sum(1 for t in re.findall(r"\w+", line) if t[:1].isupper() or t[:1].isdigit())
    return capitalised >= 0.6 * len(line_words)


def _markers(lines: list[str]) -> tuple[list[str], list[str]]:
    """(credit lines, platform lines) among `lines`; a platform line is not also a credit, nor is
    a credit for a photo or a syndication partner."""
    attribution, platform = [], []
    for line in lines:
        if is_platform(line):
            platform.append(line)
        elif is_attribution(line) and not is_not_credit(line):
            attribution.append(line)
    return attribution, platform


def _trigrams(sequence: list[str]) -> set[Trigram]:
    return {tuple(sequence[i : i + 3]) for i in range(len(sequence) - 2)}


def _postings(content: list[frozenset[str]]) -> tuple[dict[str, list[int]], int]:
    """Content word -> the sentences holding it, without the words held by more than
    ORIGIN.max_word_sentences sentences (and how many those are).

    Aligning a sentence visits the postings of its words, so a word in most of a long text's
    sentences would make alignment sentences x sentences; such a word points at no sentence
    in particular anyway. A news story has no such word, so the cap only acts on long texts.
    """
    postings: dict[str, list[int]] = {}
    for index, sentence in enumerate(content):
        for word in sentence:
            postings.setdefault(word, []).append(index)
    cap = ORIGIN.max_word_sentences
    common = [w for w, held in postings.items() if len(held) > cap]
    for word in common:
        del postings[word]
    return postings, len(common)


def _headline_apart(title: str | None, line_words: list[list[str]]) -> list[str] | None:
    """The words of a text's title when the text (the words of its lines) does not hold them:
    extraction often moves a page's headline into its metadata, while every copy of it carries the
    headline in its text, so the original would lack a sentence all its copies share and read as
    their copy."""
    headline = words(title) if title else []
    if len(headline) < _MIN_SENTENCE_WORDS:
        return None
    held = " ".join(" ".join(w) for w in line_words)
    return None if f" {' '.join(headline)} " in f" {held} " else headline


def build_profile(doc: Document) -> Profile:
    """Prose sentences, 3-grams and marker lines of `doc`, with chrome lines set aside."""
    text = doc.text
    prose_paragraphs = []
    lines, line_words = [], []
    for start, end in paragraphs(text):
        line = text[start:end].strip()
        lines.append(line)
        line_words.append(words(line))
        if not (is_platform(line) or is_attribution(line) or _is_chrome(line, line_words[-1])):
            prose_paragraphs.append((start, end))

    # paragraphs come in text order and do not overlap: the one that can hold a span is the
    # last to start at or before it (a bisection, so long texts cost n log n, not n squared)
    prose_starts = [ps for ps, _ in prose_paragraphs]

    def in_prose(start: int, end: int) -> bool:
        k = bisect_right(prose_starts, start) - 1
        return k >= 0 and end <= prose_paragraphs[k][1]

    extracted = set(lines)
    attribution, platform = _markers(lines + [ln for ln in doc.credit_lines if ln not in extracted])
    prose, spans, all_words = [], [], []
    if headline := _headline_apart(doc.title, line_words):
        # a copy carries the headline in its text; so the original's counts as its first sentence
        # (no span in the text: it passes into no passage)
        prose.append(headline)
        spans.append((0, 0))
        all_words.extend(headline)
    for start, end in sentences(text):
        if not in_prose(start, end):
            continue
        sentence = words(_DATELINE.sub("", text[start:end], count=1))
        if len(sentence) >= _MIN_SENTENCE_WORDS:
            prose.append(sentence)
            spans.append((start, end))
            all_words.extend(sentence)
    stop = FUNCTION_WORDS | language_stopwords(all_words)  # a German text's "der", "und" too
    content = [frozenset(w for w in s if w not in stop) for s in prose]
    postings, common_words = _postings(content)
    quoted: set[Trigram] = set()
    for start, end in quotation_spans(text):
        if in_prose(start, end):
            quoted.update(_trigrams(words(text[start:end])))
    marks = wire_marks(text, doc.title)
    return Profile(
        doc=doc,
        sentences=prose,
        spans=spans,
        content=content,
        sentence_words=[frozenset(s) for s in prose],
        sentences_with=postings,
        common_words=common_words,
        trigrams=_trigrams(all_words),
        quoted_trigrams=quoted,
        attribution=attribution,
        platform=platform,
        published=parse_date(doc.published) or marks.filed,
        spellings=Spellings.of(set(all_words), text),
        wire=marks,
    )
