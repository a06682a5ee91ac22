"""Main text of plain-text web-page saves: line-level rules, and lines a corpus repeats.

A page saved as text is header chrome (navigation, headline, byline, timestamp),
the article, then tail chrome (tags, "Related", teaser lists, footer). Each line is
classed as chrome (patterns that hold on any news site: timestamps, share and footer
links, photo credits, link lists), prose (a sentence-like line) or other (headlines,
sub-heads, fragments). The article runs from the first to the last prose line before a
tail marker such as "Related" or "Share this:"; short lines inside it are kept, lines
outside it are dropped except the headline. Hard-wrapped paragraphs are unwrapped so
the rest of the pipeline sees one paragraph per line. Edits go through `Mapped`, so
offsets back into the file stay right.
"""

from __future__ import annotations

import re

from provenance.ingest.markup import DATE_RE, Mapped, Piece, iso_date
from provenance.text.patterns import lazy_re
from provenance.text.wordlists import CHROME_STOPWORDS

CHROME, MARKER, PROSE, LONG, OTHER, BLANK = "chrome", "marker", "prose", "long", "other", "blank"
TEXT_CLASSES = (PROSE, LONG, OTHER)
_LONG_LINE = 2000  # no chrome line is this long: skip the pattern work on long lines

_WORD = lazy_re(r"[^\W\d_][\w'’-]*|\d[\w.,]*")
_BULLET = lazy_re(r"^\s*(?:[-*+•·▪►▶>]|\d{1,2}[.)])\s+")
_LINK_MARKUP = lazy_re(r"</?(?:a|u)\b|\]\(|\]\[|https?://", re.I)
_ANALYSIS = lazy_re(
    r"!\[[^\[\]]{0,1000}\]\([^)]{0,2000}\)|\]\([^)]{0,2000}\)|</?[A-Za-z][^<>]*>|[*_`#]+|&[A-Za-z]+;"
    r"|^\s*(?:[-+•·▪►▶>]|\d{1,2}[.)])\s+"
)

# Bare lines after which the article is over (the tail of the page starts).
_MARKERS = lazy_re(
    r"(?:related(?: stories| articles| posts| content| topics| coverage| links| reading| news| videos?)?"
    r"|more on this (?:story|topic)|more(?: stories| news| from [\w .'&-]{1,40}| like this| to explore)?"
    r"|most (?:read|popular|viewed|shared|watched)|top stories|trending(?: now)?|read next|up next"
    r"|you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|recommended(?: for you| stories| reading)?"
    r"|editor'?s picks|around the [\w ]{1,30}|also in [\w ]{1,30}|explore more on th(?:is|ese) topics?"
    r"|share this(?: article| story| post| page)?|like this|leave a (?:comment|reply)|\d* ?comments?"
    r"|about the author|see also|further reading|elsewhere on [\w ]{1,30}|latest(?: news| stories)?"
    r"|suggested topics|read more about|more about this story|leave a reply(?: cancel reply)?)"
    r"\s*[:.…]*",
    re.I,
)
# Whole lines that are site chrome on any news site.
_CHROME_EXACT = lazy_re(
    r"(?:advertisement|advert|sponsored(?: content)?|skip to (?:main )?(?:content|navigation|search|footer)"
    r"|menu|search|home|close"
    r"|sign (?:in|up)|log ?in|log ?out|register|subscribe(?: now)?|share|tweet|email|print|save"
    r"|copy link|facebook|twitter|whatsapp|linkedin|reddit|pinterest|telegram|messenger"
    r"|(?:like )?loading|continue reading|read more|show more|load more|view comments|get started"
    r"|cancel reply|previous (?:post|article)|next (?:post|article)|back to top|image|video|audio"
    r"|listen|watch|play|getty images|just now|yesterday|top|reuse this content|open in app|gift this article"
    r"|save (?:article|story)|listen to this article|scroll to continue(?: reading)?|view all"
    r"|(?:\d+ )?min read)"
    r"\s*[:.…]*",
    re.I,
)
_CHROME_PREFIX = lazy_re(
    r"(?:follow (?:us|[\w .'&-]{1,30}) on\b|share (?:on|via|to|this on) |click to (?:share|email|print)"
    r"|sign up (?:for|to)\b|subscribe to\b|posted in\b|filed under\b|tagged\b|tags\s*:|categories\s*:"
    r"|topics\s*:|read more\s*:|also read\s*:|see also\s*:|related\s*:|more\s*:|watch\s*:|listen\s*:"
    r"|(?:additional )?reporting by\b|(?:written|edited|compiled|words|story) by\b|(?-i:[Bb][Yy]\s+[A-Z])"
    r"|(?:image|photo|picture|video|media)s? (?:source|caption|credit)s?\b"
    r"|(?:photo(?:graph)?|image|picture|credit|pic)s?\s*(?:by\b|:)|published\s*:|updated\s*:"
    r"|posted (?:on|by)\b"
    r")",
    re.I,
)
# Chrome wherever it sits in a line: plain phrases (a substring test is much cheaper than a
# regex search over every paragraph), then the patterns that open a line.
_CHROME_PHRASES = (
    "all rights reserved", "wordpress.com", "powered by wordpress",
    "your email address will not be published",
    "required fields are marked", "opens new tab", "opens in new window", "purchase licensing rights",
    "below advert", "below this advert",
)
_CHROME_START = lazy_re(
    r"(?:copyright\b|©|\(c\)\s*\d{4}|our standards:|item \d+ of \d+\b|\[\d+/\d+\]|\.\. [\w-]+::"
    r"|this article is more than \d+ \w+ old|(?:additional )?reporting by .{0,200}\b(?:editing|writing) by)",
    re.I,
)


def _chrome_anywhere(c: str) -> bool:
    low = c.lower()
    return any(p in low for p in _CHROME_PHRASES) or _CHROME_START.match(c) is not None


_CREDIT_END = lazy_re(
    r"(?:\bvia\s+|[/|©]\s*|\(\s*|photograph:\s*\S.{0,60}?)"
    r"(?:reuters|afp|ap(?: photo)?|getty(?: images)?|epa(?:-efe)?"
    r"|pa(?: media| wire)?|shutterstock|alamy|bloomberg|xinhua|tass|sputnik|anadolu|nurphoto|zuma"
    r"|sopa images|handout)\s*\)?\s*$"
    r"|\b(?:reuters|afp|ap|epa|getty images|pa|ap photo)\s*/\s*[A-Z][\w.' -]{1,40}$",
    re.I,
)
_AGO = lazy_re(
    r"(?:(?:updated|published|posted|last updated)\s*:?\s*)?(?:\d+|an?|one)\s*(?:s|secs?|seconds?|m|mins?"
    r"|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|months?|y|yrs?|years?)\s+ago\b[\s|·•,/-]*"
    r"[\w&,' .-]{0,40}",
    re.I,
)
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}\b|[+-]\d{2}:?\d{2})?"
_DATE_LINE = lazy_re(
    r"(?:(?:updated|published|posted|last updated|first published|date)\s*:?\s*(?:on\s+)?)?"
    rf"(?:(?:at\s*)?{_TIME}[\s,|·-]*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*)?(?:" + DATE_RE.pattern + r")"
    rf"(?:[\s,|·-]*(?:at\s*)?{_TIME})?\s*",
    re.I,
)
_DATED = lazy_re(r"(?:posted|published|updated|first published)\b", re.I)
_FOOTER_TERMS = lazy_re(
    r"terms (?:of|and) (?:use|service|conditions)|privacy(?: policy| notice)?|cookies?(?: policy| settings)?"
    r"|accessibility|contact (?:us|the \w+)|advertise(?: with us)?|about (?:us|the \w+)|site ?map|careers"
    r"|do not (?:share or )?sell|newsletters?|help centre|help center|technical support",
    re.I,
)
_SOCIAL = frozenset(
    "facebook twitter x email e-mail whatsapp linkedin reddit pinterest telegram messenger flipboard "
    "bluesky threads mastodon instagram youtube tiktok share print copy link comments comment save".split()
)
_NAV_WORDS = frozenset(
    "home news sport sports business world politics opinion culture arts travel earth audio video live "
    "weather health science tech technology entertainment lifestyle style food money markets shop "
    "innovation climate uk us europe local national international podcasts newsletters games".split()
)


_MARKUP_CHARS = lazy_re(r"[!\[\]<*_`#&]|^\s*(?:[-+•·▪►▶>]|\d{1,2}[.)])\s")


def _analyse(line: str) -> str:
    """The line as a reader sees it: markup, bullets and extra spaces gone."""
    if _MARKUP_CHARS.search(line):
        line = _ANALYSIS.sub(" ", line)
    return " ".join(line.split())


def classify(line: str) -> str:
    """The class of one line: chrome, marker, prose (ends a sentence), long, other or blank."""
    if not line.strip():
        return BLANK
    if len(line) > _LONG_LINE:
        return PROSE if _WORD.search(line) else CHROME
    c = _analyse(line)
    terminal = ends_sentence(c)
    if len(c) >= 500 or (terminal and c.count(" ") >= 20):  # surely a long paragraph: skip the count
        words = ["?"] * 41 if _WORD.search(c) else []
    else:
        words = _WORD.findall(c)
    if not words:
        return BLANK  # rules and underlines ("* * *", "====="): layout, not chrome
    if len(words) > 40 or (terminal and len(words) >= 12):  # the common case: a paragraph
        if terminal and len(words) <= 40 and _chrome_anywhere(c):
            return CHROME  # a copyright notice
        if not terminal and _CREDIT_END.search(c):
            return CHROME  # a photo caption with its credit
        return PROSE if terminal else LONG
    if _MARKERS.fullmatch(c):
        return MARKER
    if (
        _CHROME_EXACT.fullmatch(c)
        or _AGO.fullmatch(c)
        or _DATE_LINE.fullmatch(c)
        or (not terminal and _CREDIT_END.search(c))
        or _chrome_anywhere(c)
        or (len(words) <= 15 and not terminal and _CHROME_PREFIX.match(c))
        or (len(words) <= 30 and not terminal and len({t.lower() for t in _FOOTER_TERMS.findall(c)}) >= 2)
        or (not terminal and _is_nav(words, c))
    ):
        return CHROME
    if len(words) >= 5 and terminal:
        return PROSE
    if len(words) >= 15 and sum(w.lower() in CHROME_STOPWORDS for w in words) >= 0.2 * len(words):
        return LONG  # a paragraph that lacks its full stop (or a run of link titles)
    return OTHER


def ends_sentence(c: str) -> bool:
    """The line ends with . ! ? … or their CJK forms (before closing quotes, brackets, emphasis)."""
    return c.rstrip(" \t\"'”’»)]*_」』）")[-1:] in (".", "!", "?", "…", "。", "！", "？")


def _is_nav(words: list[str], c: str) -> bool:
    """A row of menu items: separators, capitalised words with at least two section names,
    or nothing but share buttons."""
    if len(words) >= 2 and all(w.lower() in _SOCIAL for w in words):
        return True
    if len(words) < 4 or ends_sentence(c):
        return False
    if len(re.findall(r"\s[|•·]\s", c)) >= 3 and not c.startswith("|"):  # "|" first: a Markdown table
        return True
    if not all(w[0].isupper() or not w[0].isalpha() for w in words):
        return False
    nav = sum(w.lower() in _NAV_WORDS for w in words)
    stops = sum(w.lower() in CHROME_STOPWORDS for w in words)
    return nav >= 2 and (stops == 0 or nav >= 0.5 * len(words))


def _headline_like(line: str) -> bool:
    words = _WORD.findall(_analyse(line))
    if not 3 <= len(words) <= 30:
        return False
    caps = sum(w[0].isupper() for w in words if w.lower() not in CHROME_STOPWORDS) / len(words)
    return not ends_sentence(line) or (caps >= 0.6 and line.rstrip()[-1:] not in "?!")


def _about(line: str, body: set[str]) -> bool:
    """A headline is about its article: most of its content words recur in the body
    (compared on their first four letters, a poor man's stemmer: vote/voted).

    This is what tells it from a site name, a section label or a video caption above it.
    """
    content = [w.lower()[:4] for w in _WORD.findall(_analyse(line)) if w.lower() not in CHROME_STOPWORDS]
    shared = sum(w in body for w in content)
    return shared >= 2 and shared >= 0.5 * len(content)


def _is_link_item(line: str, markdown: bool) -> bool:
    """A bullet that is a link to another story rather than part of the article."""
    if not _BULLET.match(line):
        return False
    c = _analyse(line)
    if len(_WORD.findall(c)) > 15 or re.search(r"[.!;:,][\"'”’)]*$", c):
        return False
    if markdown:
        return bool(_LINK_MARKUP.search(line))
    return bool(_LINK_MARKUP.search(line)) or c.endswith("?")


def clean_page(m: Mapped, *, markdown: bool = False) -> tuple[Mapped, str | None, str | None]:
    """Main text of a page saved as text: (text, headline or None, ISO date from the header or None)."""
    spans = _line_spans(m.text)
    lines = [m.text[a:b] for a, b in spans]
    cls = _line_classes(lines, markdown)
    keep, first = _article(lines, cls)
    body: set[str] = set()  # word stems of the article, filled when a headline must be checked

    def about(line: str) -> bool:
        if not body:
            kept = " ".join(x for i, x in enumerate(lines) if keep[i])
            body.update(w.lower()[:4] for w in _WORD.findall(kept))
        return _about(line, body)

    title = published = None
    for i in range(first):  # the header: headline and date, nothing else
        c = _analyse(lines[i])
        if published is None and cls[i] == CHROME and (_DATE_LINE.fullmatch(c) or _DATED.match(c)):
            published = iso_date(c)
        if title is None and cls[i] == OTHER and _headline_like(lines[i]) and (
            (markdown and lines[i].startswith("# ")) or about(lines[i])
        ):
            title, keep[i] = lines[i], True
    if title is None:  # no header: a headline among the first few lines kept
        top = [x for i, x in enumerate(lines) if keep[i] and x.strip()][:3]
        title = next((x for x in top if _headline_like(x) and about(x)), None)
    if title is not None:
        title = " ".join(_analyse(title).split()) or None
    return _rebuild(m, spans, keep, _hard_wrapped(lines, keep)), title, published


def _line_classes(lines: list[str], markdown: bool) -> list[str]:
    cls = [classify(x) for x in lines]
    for i, x in enumerate(lines):
        if cls[i] in TEXT_CLASSES and _is_link_item(x, markdown):
            cls[i] = CHROME
    if not markdown:
        _mark_bullet_runs(lines, cls)
    _classify_blocks(lines, cls)
    return cls


def _article(lines: list[str], cls: list[str]) -> tuple[list[bool], int]:
    """Which lines are the article, and where it starts (lines before are the header)."""
    n = len(lines)
    starts = [i for i in range(n) if cls[i] in (PROSE, LONG)]
    if not starts:  # short notes, lists, headline-only texts: keep all but chrome
        return [c in TEXT_CLASSES for c in cls], 0
    first = starts[0]
    tail = next((i for i in range(first, n) if cls[i] == MARKER), n)
    # Before a tail marker, unpunctuated lines are tags and link titles; at the end of a
    # text with no tail they are more likely a paragraph that lacks its full stop.
    ends = (PROSE,) if tail < n else (PROSE, LONG)
    last = max(i for i in range(first, tail) if cls[i] in ends or i == first)
    while True:
        if last + 1 < tail and cls[last + 1] in (OTHER, LONG):  # the rest of the same block
            last += 1
            continue
        nxt = next((i for i in range(last + 1, tail) if cls[i] != BLANK), tail)
        if nxt < tail and cls[nxt] == OTHER and ends_sentence(lines[nxt]):  # "He denied it."
            last = nxt
            continue
        break
    # Header and footer are cut only when they show page chrome: a table of figures
    # or a title above a clean text is content.
    if not any(cls[i] in (CHROME, MARKER) for i in range(first)):
        first = 0
    if tail == n and not any(cls[i] == CHROME for i in range(last + 1, n)):
        last = n - 1
    keep = [first <= i <= last and c in TEXT_CLASSES for i, c in enumerate(cls)]
    _keep_resumed_article(cls, lines, tail, keep)
    # Paragraphs dropped before any tail marker, more than what is kept: the rules misread
    # this text, keep it whole. (Teasers after a marker may well outweigh a short article.)
    dropped = sum(len(lines[i]) for i in range(tail) if cls[i] in (PROSE, LONG) and not keep[i])
    if dropped > sum(len(lines[i]) for i in range(n) if keep[i]):
        return [c in TEXT_CLASSES for c in cls], 0
    return keep, first


def _classify_blocks(lines: list[str], cls: list[str]) -> None:
    """Lines of a hard-wrapped paragraph are prose when the paragraph as a whole is.

    Blocks are runs of lines with no blank line between them.
    """
    i, n = 0, len(lines)
    while i < n:
        j = i
        while j < n and cls[j] != BLANK:
            j += 1
        for k in range(j - 2, i - 1, -1):  # a line that the next one continues in lower case
            if cls[k] == OTHER and cls[k + 1] in (PROSE, LONG) and not ends_sentence(lines[k]) \
                    and lines[k + 1].lstrip(" \t\"'“‘(")[:1].islower():
                cls[k] = cls[k + 1]
        texty = [k for k in range(i, j) if cls[k] in TEXT_CLASSES]
        if any(cls[k] == OTHER for k in texty) and _wrapped([lines[k] for k in texty]):
            whole = classify(" ".join(_analyse(lines[k]) for k in texty))
            if whole in (PROSE, LONG):
                for k in texty:
                    if cls[k] == OTHER:
                        cls[k] = whole
        i = j + 1


def _wrapped(block: list[str]) -> bool:
    """Consecutive lines that look like one paragraph wrapped at a fixed width.

    Three or more lines of similar, moderate length, most not ending a sentence; or two
    where the second goes on in lower case.
    """
    if len(block) == 2:
        return not ends_sentence(block[0]) and block[1].lstrip()[:1].islower()
    if len(block) < 3:
        return False
    body = [x.rstrip() for x in block[:-1]]
    longest = max(len(x) for x in body)
    open_ends = sum(not ends_sentence(x) for x in body)
    return longest <= 120 and open_ends >= 0.6 * len(body) and min(len(x) for x in body) >= 0.5 * longest


def _mark_bullet_runs(lines: list[str], cls: list[str]) -> None:
    """A list of two or more bullets, none ending a sentence, each a short title: links.

    A list with one punctuated item, or introduced by a line ending in ':', is content;
    so are items carrying figures (tables of results).
    """
    run: list[int] = []
    for i in range(len(lines) + 1):
        if i < len(lines) and cls[i] == BLANK:
            continue
        if i < len(lines) and cls[i] in TEXT_CLASSES and _BULLET.match(lines[i]):
            run.append(i)
            continue
        if len(run) >= 2 and all(_title_item(lines[j]) for j in run):
            before = next((lines[k] for k in range(run[0] - 1, -1, -1) if cls[k] != BLANK), "")
            if not before.rstrip().endswith(":"):
                for j in run:
                    cls[j] = CHROME
        run = []


def _title_item(line: str) -> bool:
    c = _analyse(line)
    words = _WORD.findall(c)
    return (0 < len(words) <= 15 and words[0][0].isupper() and not re.search(r"[.!;:,][\"'”’)]*$", c)
            and sum(w[0].isdigit() for w in words) <= 1)


def _keep_resumed_article(cls: list[str], lines: list[str], tail: int, keep: list[bool]) -> None:
    """After a tail marker only a run of >= 3 prose lines (>= 400 chars) is article again."""
    run: list[int] = []
    for i in range(tail, len(cls) + 1):
        if i < len(cls) and cls[i] == BLANK:
            continue
        if i < len(cls) and cls[i] == PROSE:
            run.append(i)
            continue
        if len(run) >= 3 and sum(len(lines[j]) for j in run) >= 400:
            for j in run:
                keep[j] = True
        run = []


def _hard_wrapped(lines: list[str], keep: list[bool]) -> set[int]:
    """Indices of kept lines whose line break is a hard wrap inside a paragraph.

    A block of >= 3 consecutive lines of similar, moderate length, most not ending a
    sentence, was wrapped by an editor or a mail client: join its lines with spaces.
    """
    joins: set[int] = set()
    i, n = 0, len(lines)
    while i < n:
        j = i
        while j < n and keep[j] and lines[j].strip():
            j += 1
        if j - i >= 2 and _wrapped(lines[i:j]):
            joins.update(range(i, j - 1))
        i = j + 1
    # A sentence broken across a blank line (an inline link cut it in the save): the next
    # kept line goes on in lower case.
    kept = [k for k in range(n) if keep[k] and lines[k].strip()]
    for a, b in zip(kept, kept[1:]):
        nxt = lines[b].lstrip()
        if all(not lines[k].strip() for k in range(a + 1, b)) and nxt[:1].islower() \
                and len(_WORD.findall(lines[a])) >= 6 and not re.search(r"[.!?:;{}\]]\W*$", lines[a]) \
                and not _BULLET.match(lines[b]):
            joins.add(a)
    return joins


def keep_lines(m: Mapped, keep: list[bool]) -> Mapped:
    """The lines of `m` marked in `keep` (one per line of `m.text`), offsets kept; where
    blank lines separated two kept lines, one blank line still does."""
    return _rebuild(m, _line_spans(m.text), keep, set())


def _line_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every line of `text`, line feeds left out."""
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _rebuild(m: Mapped, spans: list[tuple[int, int]], keep: list[bool], joins: set[int]) -> Mapped:
    pieces: list[Piece] = []
    gap_blank: tuple[int, int] | None = None  # a blank line seen since the last kept line
    seen = joined = False
    for i, (a, b) in enumerate(spans):
        if not keep[i]:
            if seen and gap_blank is None and not m.text[a:b].strip() and b < len(m.text):
                gap_blank = (b, b + 1)
            continue
        if seen and gap_blank is not None and not joined:
            pieces.append(gap_blank)
        a2, b2 = a, b
        while a2 < b2 and m.text[a2] in " \t":
            a2 += 1
        while b2 > a2 and m.text[b2 - 1] in " \t":
            b2 -= 1
        pieces.append((a2, b2))
        joined = i in joins
        if joined:
            pieces.append(" ")
        elif b < len(m.text):
            pieces.append((b, b + 1))
        seen, gap_blank = True, None
    return m.edit(pieces)
