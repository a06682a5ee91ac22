"""Agency (wire) copy recognised by its conventions, and the other text-internal marks of time.

Wire copy is filed with an apparatus newspapers and web copies drop or replace: an
agency byline or credit ("By ..., PA News", "(Reuters)", "— AFP"), a dateline with the
agency's tag, a filing header with time and date, a slug or catchline, take and update
labels (lead, writethru, sub, "(reopens)"), end marks ("ends", "more follows") and line
terminators. A text carrying them is very likely the source of an unmarked text that
shares its narration. The agencies and patterns are data (wire_markers.json, extendable
with a file named by PROVENANCE_WIRE_MARKERS), read once.

A filing header's date is a date of the text; nothing else in the prose is (a year in a
title is not).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

_HEAD_LINES = 8  # filing headers, slugs and take labels are looked for in a text's first lines
_TAIL_CHARS = 200  # end marks in its last characters
_DATELINE_CHARS = 30  # a dateline's date sits within this many characters before the agency's tag
_TERMINATED = 0.5  # share of lines ending in a wire line terminator that marks a text
_NAMED, _APPARATUS = 1.0, 0.5  # score of an agency named in a byline or tag; of each other kind
_APPARATUS_KINDS = ("filing", "slug", "take", "end", "terminators")


@dataclass(frozen=True)
class MarkerTable:
    """The compiled wire_markers data."""

    markers: dict[str, tuple[re.Pattern[str], ...]]
    terminators: tuple[str, ...]
    not_credits: tuple[re.Pattern[str], ...]
    today: re.Pattern[str] | None
    yesterday: re.Pattern[str] | None
    two_ways: re.Pattern[str] | None  # time words meaning both yesterday and tomorrow
    months: re.Pattern[str] | None  # month names, for the date of an agency's dateline


def _alias_pattern(aliases: list[str]) -> str:
    def one(alias: str) -> str:
        body = r"\s+".join(re.escape(part) for part in alias.split())
        return body if alias.isupper() and len(alias) <= 4 else f"(?i:{body})"

    ordered = sorted(set(aliases), key=len, reverse=True)  # the longest alias first: "PA News" before "PA"
    return r"(?<!\w)(?:" + "|".join(one(a) for a in ordered) + r")(?!\w)"


def _words_pattern(phrases: list[str]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    body = "|".join(r"\s+".join(re.escape(p) for p in phrase.split()) for phrase in sorted(phrases, key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)", re.IGNORECASE)


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, list):
            out[key] = [*base.get(key, []), *value]
        elif isinstance(value, dict):
            out[key] = _merge(base.get(key, {}), value)
        else:
            out[key] = value
    return out


def compile_table(data: dict) -> MarkerTable:
    agency = _alias_pattern([a for entry in data.get("agencies", []) for a in entry["aliases"]])
    markers = {kind: tuple(re.compile(p.replace("{agency}", agency)) for p in patterns)
               for kind, patterns in data.get("markers", {}).items()}
    deixis = data.get("deixis", {})
    return MarkerTable(
        markers=markers,
        terminators=tuple(data.get("line_terminators", [])),
        not_credits=tuple(re.compile(p) for p in data.get("not_credits", [])),
        today=_words_pattern(deixis.get("today", [])),
        yesterday=_words_pattern(deixis.get("yesterday", [])),
        two_ways=_words_pattern(deixis.get("yesterday_or_tomorrow", [])),
        months=_words_pattern(data.get("dateline_months", [])),
    )


@lru_cache(maxsize=1)
def table() -> MarkerTable:
    """The packaged markers, extended by the file PROVENANCE_WIRE_MARKERS names (if any)."""
    data = json.loads(resources.files(__package__).joinpath("wire_markers.json").read_text(encoding="utf-8"))
    extra = os.environ.get("PROVENANCE_WIRE_MARKERS")
    if extra:
        data = _merge(data, json.loads(Path(extra).read_text(encoding="utf-8")))
    return compile_table(data)


@dataclass(frozen=True, slots=True)
class WireMarks:
    """The wire conventions found in one text: kind -> the text that showed it."""

    found: dict[str, str]
    filed: datetime | None  # the filing header's date

    @property
    def score(self) -> float:
        """In [0, 1]: 1 for an agency byline, 0.5 for each kind of filing apparatus (headers, slugs,
        take labels, end marks, line terminators). Newspapers drop these when they run the copy."""
        named = _NAMED if "byline" in self.found else 0.0
        apparatus = _APPARATUS * sum(1 for k in _APPARATUS_KINDS if k in self.found)
        return min(1.0, named + apparatus)

    @property
    def tagged(self) -> float:
        """1 when an agency's tag is in a dateline or sign-off ("LAHORE (APP) -", "- AFP"). Kept
        apart from `score`: a paper running agency copy keeps the tag as its credit, and an agency's
        own feed may lack it, so a tag says the story is the agency's more than which text came first."""
        return 1.0 if "tag" in self.found else 0.0

    @property
    def dated(self) -> float:
        """1 when the tag is in a dated dateline ("ISLAMABAD, July 20 (APP):"), the form an agency
        files in. A paper or site that reruns the copy keeps the place and the tag as its credit and
        drops the date (its issue is dated), so a dated tag is the agency's own copy more surely than
        a tag alone."""
        return 1.0 if "dated" in self.found else 0.0

    def describe(self) -> str:
        return ", ".join(f"{kind} \"{text.strip()[:40]}\"" for kind, text in self.found.items())


_DATE_IN_HEADER = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})|(?<![\d:])(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?!\d)")


def _header_date(text: str) -> datetime | None:
    """The date of a filing header: ISO, else day/month/year, else month/day/year."""
    m = _DATE_IN_HEADER.search(text)
    if not m:
        return None
    if m.group(1):
        candidates = [(int(m.group(1)), int(m.group(2)), int(m.group(3)))]
    else:
        a, b, year = int(m.group(4)), int(m.group(5)), int(m.group(6))
        year += 2000 if year < 70 else 1900 if year < 100 else 0
        candidates = [(year, b, a), (year, a, b)]
    for year, month, day in candidates:
        try:
            return datetime(year, month, day)
        except ValueError:
            continue
    return None


def wire_marks(text: str, title: str | None = None) -> WireMarks:
    """The wire conventions of a text (its title first, as a loader may have moved a header there)."""
    t = table()
    full = f"{title}\n{text}" if title and title not in text[:200] else text
    lines = full.splitlines()
    head = "\n".join(lines[:_HEAD_LINES])
    tail = full.rstrip()[-_TAIL_CHARS:]
    where = {"filing": head, "slug": head, "take": head, "end": tail, "byline": head, "tag": full}
    found: dict[str, str] = {}
    for kind, patterns in t.markers.items():
        for pattern in patterns:
            if m := pattern.search(where.get(kind, full)):
                found[kind] = m.group(0)
                break
    nonblank = [ln.rstrip() for ln in lines if ln.strip()]
    if t.terminators and nonblank:
        ended = sum(1 for ln in nonblank if ln.endswith(t.terminators))
        if ended >= _TERMINATED * len(nonblank):
            found["terminators"] = f"{ended} of {len(nonblank)} lines end in {' '.join(t.terminators)}"
    if "tag" in found and _is_dated(found["tag"], t):
        found["dated"] = found["tag"]
    filed = _header_date(found["filing"]) if "filing" in found else None
    return WireMarks(found, filed)


def _is_dated(tag: str, t: MarkerTable) -> bool:
    """A day or month name just before the agency's tag (a dateline's date)."""
    before = tag[:tag.rfind("(")][-_DATELINE_CHARS:] if "(" in tag else ""
    return bool(re.search(r"\d", before) or (t.months is not None and t.months.search(before)))


def is_not_credit(line: str) -> bool:
    """A credit for a photo, a graphic or a syndication partner: not a credit to the text's source."""
    return any(p.search(line) for p in table().not_credits)


def deixis(text: str) -> float | None:
    """In [-1, 1]: how much more the text says "today" than "yesterday" of the events it tells.
    A later telling of the same events puts them further back (a paper's "yesterday" for the
    wire's "today"). None when the text has a time word that means both yesterday and tomorrow
    (Urdu and Hindi "kal"): its telling cannot be placed, and the other's "today" may be its
    "tomorrow"."""
    t = table()
    if t.today is None or t.yesterday is None or (t.two_ways is not None and t.two_ways.search(text)):
        return None
    today, yesterday = len(t.today.findall(text)), len(t.yesterday.findall(text))
    return (today - yesterday) / (today + yesterday + 1)
