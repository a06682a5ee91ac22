"""A generated lineage set: families of copies with known parent edges.

Originals are Reuters-21578 wire stories when the file is present (set
PROVENANCE_REUTERS to point at another copy), otherwise the texts under corpus/.
Each family is a random recursive tree (stars, chains and mixtures) whose derivatives
are made from their parent by the edits newsrooms and copy sites make: sentences
deleted, reordered or truncated, clauses trimmed, sentences from other articles
inserted, words swapped for synonyms, house spelling applied, a publisher's house style
for wire shorthand (shared by most copies of a family, so copies converge on readings
their source lacks), typos introduced (and inherited), intros and footers,
blog-platform text, credit lines, site chrome, and dates that are shifted, missing, or
re-stamped earlier than the source. The mix follows newsroom habit: most copies cut
their source (newspapers trim wire copy from the bottom and drop paragraphs), a quarter
insert a sentence or two from elsewhere, a tenth keep everything and pad it (intro,
commentary). Everything is seeded: the same arguments give the same set. Originals are
split into disjoint train and test pools.

Half the families are wire families, added to the others (which are the same families for the
same arguments as before the set had wire families): the origin is the agency's own text and
carries the marks agencies put on their copy, and its copies do with those marks what papers do. The
proportions are measured, not chosen: `benchmarks/wire_habits.py` counts them on the real
labelled sets (METER showbiz: 112 PA texts and the 175 papers written from them; COUNTER dev:
215 agency texts and their 215 papers), and MEASURED holds its counts (`wire_habits.py
--check` fails when they drift). A wire family follows one set's habits, drawn in proportion
to its agency texts (112 : 215):
- METER's: no dateline; a byline naming the agency in 81 of 112 texts ("By A Reporter,
  Showbusiness Correspondent, PA News"); every paper (175 of 175) drops the byline and opens
  with no dateline and no credit.
- COUNTER's: a dated dateline with the agency's tag in 190 of 215 ("LAHORE, Dec 1 (APP) -"),
  an undated tag in 5, none (a bare place) in 20; no bylines. A paper written from a dated
  dateline keeps the tag without the date in 42 of 190, keeps it dated in 1, writes a dateline
  of its own ("LAHORE (Sports Desk) -") in 144, none in 3; from an undated tag: keeps it 2 of 5,
  its own 3; from an untagged text: names the agency in its dateline 8 of 20, its own 9, a
  bare place 1, none 2. No paper in either set credits the agency in a line of its own.
The dateline's place and date are the Reuters original's own (its `dateline` field), the
agency is drawn per family from several. Not measured (both sets are one step from the
agency), and so assumed: a copy of a copy keeps a tag its parent shows at the rate papers
keep an agency's (45 of 195), and otherwise writes its own dateline, a bare place or none in
the papers' proportions (156 : 1 : 5); it never adds the agency's tag to a parent without
one (a paper names the agency whose text it ran; a copy of that paper has not seen it). The
share of wire families is a choice, not a measurement.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import xxhash

from provenance.model import Document
from provenance.text import sentences

ROOT = Path(__file__).resolve().parents[1]
REUTERS_DEFAULT = ROOT.parent / "shared" / "data" / "reuters-21578" / "reuters21578.jsonl"

SYNONYMS = {
    "said": ["stated", "noted", "added", "reported"], "says": ["states", "notes"], "rose": ["increased", "climbed"],
    "fell": ["dropped", "declined"], "increase": ["rise", "gain"], "decrease": ["decline", "drop"],
    "company": ["firm", "group"], "expected": ["anticipated", "forecast"], "agreed": ["consented", "decided"],
    "announced": ["revealed", "disclosed"], "big": ["large", "major"], "large": ["big", "sizeable"],
    "major": ["leading", "key"], "buy": ["purchase", "acquire"], "sell": ["offload", "dispose of"],
    "began": ["started", "commenced"], "start": ["begin", "launch"], "end": ["finish", "close"],
    "help": ["assist", "aid"], "show": ["reveal", "indicate"], "shows": ["reveals", "indicates"],
    "plan": ["proposal", "scheme"], "plans": ["proposals", "intentions"], "talks": ["negotiations", "discussions"],
    "government": ["administration", "authorities"], "officials": ["authorities", "representatives"],
    "about": ["around", "roughly"], "nearly": ["almost", "close to"], "also": ["additionally", "moreover"],
    "however": ["but", "nevertheless"], "because": ["since", "as"], "total": ["overall", "combined"],
    "prices": ["rates", "costs"], "price": ["rate", "cost"], "profit": ["earnings", "income"],
    "sales": ["revenues", "turnover"], "shares": ["stock", "equity"], "market": ["sector", "marketplace"],
    "rise": ["increase", "gain"], "cut": ["reduce", "lower"], "cuts": ["reductions", "reduces"],
    "raise": ["lift", "boost"], "strong": ["robust", "solid"], "weak": ["soft", "feeble"],
    "recent": ["latest", "current"], "week": ["seven days"], "month": ["period"], "year": ["twelve months"],
    "told": ["informed", "briefed"], "reported": ["posted", "recorded"], "added": ["continued", "went on"],
    "important": ["significant", "crucial"], "new": ["fresh", "novel"], "more": ["additional", "further"],
    "less": ["fewer", "lower"], "get": ["obtain", "receive"], "make": ["produce", "create"],
    "use": ["employ", "utilise"], "quickly": ["rapidly", "swiftly"], "likely": ["probably", "expected to be"],
    "demand": ["appetite", "need"], "supply": ["provision", "output"], "higher": ["greater", "elevated"],
    "lower": ["reduced", "smaller"], "statement": ["release", "announcement"], "official": ["spokesman", "source"],
    "week's": ["the week's"], "country": ["nation"], "countries": ["nations"], "including": ["such as"],
}
# A spinner's thesaurus: SYNONYMS plus the other narration words of wire copy it rewords (verbs,
# adjectives, connectives, common nouns); names, figures and quotations are left as they are.
SPINNER = {**SYNONYMS, **{
    "last": ["previous", "past", "prior"], "first": ["initial", "opening"], "after": ["following", "subsequent to"],
    "before": ["prior to", "ahead of"], "could": ["might", "may"], "would": ["will", "might"],
    "should": ["ought to", "must"], "some": ["certain", "several"], "other": ["further", "additional"],
    "over": ["above", "more than"], "under": ["below", "beneath"], "against": ["versus", "compared with"],
    "into": ["toward", "to"], "between": ["among", "amid"], "while": ["whereas", "although"],
    "since": ["because", "as"], "although": ["though", "even though"], "earlier": ["previously", "before"],
    "today": ["this day", "currently"], "yesterday": ["the previous day", "a day earlier"],
    "foreign": ["overseas", "international"], "domestic": ["internal", "home"], "economic": ["financial", "fiscal"],
    "financial": ["monetary", "economic"], "current": ["present", "existing"], "previous": ["prior", "earlier"],
    "high": ["elevated", "steep"], "low": ["modest", "depressed"], "largest": ["biggest", "greatest"],
    "several": ["a number of", "various"], "many": ["numerous", "plenty of"], "most": ["the majority of", "nearly all"],
    "agreement": ["accord", "deal", "pact"], "deal": ["agreement", "transaction"], "meeting": ["session", "gathering"],
    "decision": ["ruling", "choice"], "proposal": ["plan", "offer"], "offer": ["bid", "proposal"],
    "report": ["study", "account"], "growth": ["expansion", "development"], "loss": ["deficit", "shortfall"],
    "profits": ["earnings", "gains"], "earnings": ["profits", "income"], "output": ["production", "yield"],
    "production": ["output", "manufacturing"], "exports": ["shipments abroad", "overseas sales"],
    "imports": ["purchases abroad", "inbound shipments"], "investors": ["backers", "shareholders"],
    "analysts": ["experts", "observers", "commentators"], "analyst": ["expert", "observer"],
    "sources": ["insiders", "people familiar with the matter"], "spokesman": ["representative", "spokesperson"],
    "chairman": ["head", "chair"], "president": ["head", "leader"], "minister": ["secretary", "official"],
    "firms": ["companies", "businesses"], "companies": ["firms", "businesses"], "business": ["commerce", "trade"],
    "industry": ["sector", "trade"], "trade": ["commerce", "trading"], "move": ["step", "measure"],
    "support": ["backing", "assistance"], "change": ["shift", "alteration"], "level": ["degree", "amount"],
    "levels": ["amounts", "degrees"], "result": ["outcome", "consequence"], "record": ["all-time", "unprecedented"],
    "estimated": ["projected", "calculated"], "declined": ["decreased", "slipped"], "increased": ["grew", "expanded"],
    "held": ["kept", "maintained"], "asked": ["requested", "questioned"], "called": ["termed", "urged"],
    "made": ["produced", "created"], "take": ["accept", "assume"], "set": ["fixed", "established"],
    "continue": ["carry on", "persist"], "reduce": ["decrease", "lower"], "possible": ["feasible", "potential"],
    "proposed": ["suggested", "put forward"], "owned": ["held", "controlled"], "based": ["located", "headquartered"],
    "due": ["scheduled", "expected"], "still": ["yet", "nonetheless"], "already": ["previously", "by now"],
    "now": ["currently", "at present"], "even": ["still", "yet"], "only": ["just", "merely"], "very": ["highly", "extremely"],
    "well": ["effectively", "soundly"], "much": ["a great deal", "considerably"], "further": ["additional", "more"],
    "way": ["manner", "method"], "time": ["period", "moment"], "months": ["periods", "spells"],
    "years": ["periods", "seasons"], "figures": ["data", "statistics"], "members": ["participants", "delegates"],
    "system": ["framework", "structure"], "policy": ["strategy", "approach"], "issue": ["matter", "question"],
    "terms": ["conditions", "provisions"], "bank": ["lender", "financial institution"], "banks": ["lenders"],
    "money": ["funds", "cash"], "costs": ["expenses", "outlays"], "cost": ["expense", "outlay"],
}}
# US <-> UK house spelling, applied to whole words in either direction.
SPELLINGS = [
    ("aluminum", "aluminium"), ("program", "programme"), ("programs", "programmes"), ("labor", "labour"),
    ("favor", "favour"), ("favorable", "favourable"), ("center", "centre"), ("defense", "defence"),
    ("organization", "organisation"), ("organizations", "organisations"), ("privatization", "privatisation"),
    ("recognized", "recognised"), ("authorized", "authorised"), ("subsidized", "subsidised"),
    ("traveled", "travelled"), ("canceled", "cancelled"), ("analyze", "analyse"), ("analyzed", "analysed"),
    ("gray", "grey"), ("harbor", "harbour"), ("neighbor", "neighbour"), ("neighboring", "neighbouring"),
    ("totaled", "totalled"), ("modeled", "modelled"), ("fueled", "fuelled"), ("stabilize", "stabilise"),
    ("liberalization", "liberalisation"), ("realized", "realised"), ("finalized", "finalised"),
    ("criticized", "criticised"), ("emphasized", "emphasised"), ("jewelry", "jewellery"), ("catalog", "catalogue"),
]
# Publishers' house styles for wire shorthand: every copy that goes through one desk makes the
# same changes, so copies converge on readings their source does not have.
HOUSE_STYLES = [
    [("mln", "million"), ("bln", "billion"), ("dlrs", "dollars"), ("pct", "percent")],
    [("mln", "million"), ("bln", "billion"), ("dlrs", "dlr"), ("pct", "per cent"), ("U.S.", "US")],
    [("mln", "mn"), ("bln", "bn"), ("pct", "%"), ("dlrs", "USD")],
]
PLATFORM = [
    ["Leave a comment", "Design a site like this with WordPress.com", "Get started"],
    ["Share this:", "Twitter", "Facebook", "Like this:", "Like Loading..."],
    ["Posted in Business News", "Tagged economy, markets", "Leave a reply"],
    ["Powered by Blogger", "Subscribe to our newsletter for daily updates"],
]
CHROME_HEAD = ["Home News Business Markets World Politics Tech Opinion", "Menu Search Sign In Subscribe",
               "Latest Business Economy Companies Markets"]
# Pages carrying blog-platform text: 122 of the 920 real pages of trafilatura's evaluation set (13%),
# all originals there, as `provenance` reads them (RESULTS.md); no labelled set of real copies says
# how often copies carry it, so their rate is an assumption, twice the originals'.
BLOG_RATES = {"original": 0.13, "copy": 0.25}
SITES = ["dailyledger.com", "marketwire.net", "cityherald.co.uk", "financepost.org", "newsroundup.blog",
         "tradejournal.com", "themorningbrief.net", "globaldispatch.com", "eveningstandardtimes.com",
         "businessbeat.blog", "coastalgazette.com", "metrochronicle.org"]
INTROS = ["In a report this week, {s}", "Here is what we know: {s}", "According to a news report, {s}",
          "{s}", "In brief: {s}", "Breaking: {s}"]

# What `benchmarks/wire_habits.py` counts on the real sets: agency texts by (mark, byline naming
# the agency) and papers by (the mark of the agency text they were written from, what they show of
# it). Marks: "dated" (a dated dateline with the agency's tag), "tag" (an undated tag), "none".
# What a paper shows: the dated dateline kept, the "tag" kept undated, a "credit" line naming the
# agency, a dateline of its "own", a bare "place", "none".
MEASURED = {
    "meter": {"agencies": {("none", True): 81, ("none", False): 31},
              "papers": {("none", "none"): 175}},
    "counter": {"agencies": {("dated", False): 190, ("tag", False): 5, ("none", False): 20},
                "papers": {("dated", "dated"): 1, ("dated", "tag"): 42, ("dated", "own"): 144, ("dated", "none"): 3,
                           ("tag", "tag"): 2, ("tag", "own"): 3,
                           ("none", "tag"): 8, ("none", "own"): 9, ("none", "place"): 1, ("none", "none"): 2}},
}
MARKS = ("dated", "tag", "none")
KEPT = ("dated", "tag")  # what a paper shows when it keeps the agency's tag
WIRE_SHARE = 0.5  # of all families, those whose origin is the agency's own text (a choice, not measured)
AGENCIES = ["Reuters", "AP", "AFP", "PA", "dpa", "PTI", "APP", "Xinhua"]  # names wire_markers.json knows
REPORTERS = ["Anna Clarke", "David Moreno", "Priya Raman", "Tom Hughes", "Sara Lindqvist", "James Okafor"]
ROLES = ["Business Correspondent", "Economics Editor", "Markets Reporter", "Industry Correspondent"]
DESKS = ["Staff Reporter", "Business Desk", "Monitoring Desk", "Our Correspondent", "News Desk"]


@dataclass(frozen=True)
class GenFamily:
    """One generated family: documents, the true parent of each (None for the origin), its split."""

    docs: tuple[Document, ...]
    parent: dict[str, str | None]
    split: str  # "train" | "test"
    wire: str | None = None  # a wire family: the MEASURED set whose habits it follows

    @property
    def origin(self) -> str:
        return next(k for k, v in self.parent.items() if v is None)

    def ancestors(self, d: str) -> list[str]:
        out, p = [], self.parent[d]
        while p is not None:
            out.append(p)
            p = self.parent[p]
        return out


def _reuters_path() -> Path | None:
    p = Path(os.environ.get("PROVENANCE_REUTERS", REUTERS_DEFAULT))
    return p if p.is_file() else None


def _parse_reuters_date(s: str) -> date | None:
    m = re.match(r"\s*(\d{1,2}-[A-Za-z]{3}-\d{4})", s or "")
    try:
        return datetime.strptime(m.group(1), "%d-%b-%Y").date() if m else None
    except ValueError:
        return None


def load_originals(min_sentences: int = 6) -> list[tuple[str, date | None]]:
    """(text, date) originals: Reuters when present (byte-identical re-sends dropped), else corpus/."""
    return [(text, when) for text, when, _ in _originals(min_sentences)]


def _originals(min_sentences: int = 6) -> list[tuple[str, date | None, str | None]]:
    """(text, date, dateline) originals; the dateline ("SALVADOR, Feb 26") is Reuters' own."""
    out: list[tuple[str, date | None, str | None]] = []
    seen: set[str] = set()
    path = _reuters_path()
    if path:
        with open(path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                text = re.sub(r"\s*\bReuter\s*$", "", row.get("text", "")).strip()
                h = hashlib.sha1(text.encode()).hexdigest()
                if h in seen:
                    continue
                seen.add(h)
                if len(_split(text)) >= min_sentences and len(text.split()) >= 150:
                    out.append((text, _parse_reuters_date(row.get("date", "")), row.get("dateline") or None))
    else:
        for p in sorted((ROOT / "corpus").rglob("*.txt")):
            text = p.read_bytes().decode("utf-8", errors="replace")
            if len(_split(text)) >= min_sentences:
                out.append((text, None, None))
    return out


def _split(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text) if len(text[s:e].split()) >= 3]


def _subst(sent: str, rate: float, rng: random.Random, quotes: bool = False) -> str:
    """Synonym swaps outside quotations (editors do not reword quotes; `quotes=True` for spinners).

    Rewriters converge: the first synonym is the usual choice, so independent rewrites
    of one source share wording that neither took from the other.
    """

    def rep(m: re.Match) -> str:
        w = m.group()
        alts = SYNONYMS.get(w.lower())
        if not alts or rng.random() >= rate:
            return w
        r = alts[0] if rng.random() < 0.6 else rng.choice(alts)
        return r.capitalize() if w[0].isupper() else r

    parts = re.split(r'("[^"]*")', sent)
    return "".join(p if (p.startswith('"') and not quotes) else re.sub(r"[A-Za-z']+", rep, p) for p in parts)


def _respell(sent: str, british: bool) -> str:
    for us, uk in SPELLINGS:
        a, b = (us, uk) if british else (uk, us)
        sent = re.sub(rf"\b{a}\b", b, sent)
        sent = re.sub(rf"\b{a.capitalize()}\b", b.capitalize(), sent)
    return sent


def _typo(sents: list[str], rng: random.Random) -> list[str]:
    cands = [(i, m) for i, s in enumerate(sents) for m in re.finditer(r"[a-z]{8,}", s)]
    if not cands:
        return sents
    i, m = rng.choice(cands)
    w = m.group()
    k = rng.randrange(2, len(w) - 3)
    w2 = w[:k] + w[k + 1 :] if rng.random() < 0.5 else w[:k] + w[k] + w[k:]
    out = list(sents)
    out[i] = sents[i][: m.start()] + w2 + sents[i][m.end() :]
    return out


def _trim_clauses(sent: str, rate: float, rng: random.Random) -> str:
    """Drop clauses between commas (a copy editor tightening a sentence). Copies trim the same
    sentence's clauses, so independent trims of one source often converge."""
    parts = sent.split(", ")
    if len(parts) < 3:
        return sent
    kept = [parts[0]] + [p for p in parts[1:-1] if rng.random() >= rate] + [parts[-1]]
    out = ", ".join(kept)
    return out if len(out.split()) >= 6 else sent


@dataclass
class _Node:
    body: list[str]  # the story's sentences (inherited and edited)
    published: date | None
    site: str
    mark: str = ""  # in a wire family, what the text shows of the agency (a MEASURED mark or handling)
    dateline: str = ""  # "LAHORE, Dec 1 (APP) - ", opening its first paragraph
    byline: str = ""  # "By A Reporter, PA", a line before the story


@dataclass(frozen=True)
class _Wire:
    """A wire family's apparatus: whose habits it follows (a set of MEASURED), agency, dateline."""

    habits: str
    agency: str
    place: str
    day: str  # the dateline's date, "Feb 26"


def _draw(rng: random.Random, counts: dict):
    return rng.choices(list(counts), list(counts.values()))[0]


def _wire_family(rng: random.Random, dateline: str | None, when: date | None) -> _Wire:
    """A wire family's apparatus: one measured set's habits, drawn in proportion to that set's
    agency texts; the place and date of the original's dateline; an agency."""
    habits = _draw(rng, {name: sum(m["agencies"].values()) for name, m in MEASURED.items()})
    place, _, day = (dateline or "").rpartition(", ")
    if not place or not re.fullmatch(r"[A-Z][a-z]{2,8}\.? \d{1,2}", day):
        place, day = (dateline or "LONDON").split(",")[0], f"{when:%b} {when.day}" if when else "Jan 1"
    return _Wire(habits, rng.choice(AGENCIES), place.strip().upper(), day)


def _wire_origin(wire: _Wire, rng: random.Random) -> tuple[str, str, str]:
    """(mark, dateline, byline) of the agency's own text, drawn from its set's agency texts. An
    untagged agency text of the set whose papers write datelines opens with a bare place (as
    COUNTER's do)."""
    mark, byline = _draw(rng, MEASURED[wire.habits]["agencies"])
    name = rng.choice(REPORTERS)
    line = f"By {name}, {wire.agency}" if rng.random() < 0.5 else f"By {name}, {rng.choice(ROLES)}, {wire.agency}"
    writes_datelines = set(_handlings(wire, MARKS)) != {"none"}
    shown = "place" if mark == "none" and writes_datelines else mark
    return mark, _dateline(wire, shown, rng), line if byline else ""


def _handlings(wire: _Wire, marks) -> dict[str, int]:
    """How many of the family's set's papers handled an agency text of one of `marks` each way."""
    out: dict[str, int] = {}
    for (mark, handling), n in MEASURED[wire.habits]["papers"].items():
        if mark in marks:
            out[handling] = out.get(handling, 0) + n
    return out


def _copy_mark(wire: _Wire, parent: _Node, from_agency: bool, rng: random.Random) -> str:
    """What a copy shows of the agency: as its set's papers did with an agency text of the parent's
    mark when the parent is the agency's text. A copy of a copy (not measured) keeps a tag its
    parent shows at the papers' rate of keeping one, else does what papers did instead of keeping
    it, and never adds a tag its parent lacks."""
    if from_agency:
        return _draw(rng, _handlings(wire, (parent.mark,)))
    if parent.mark in KEPT:
        tagged = _handlings(wire, KEPT)
        kept = {h: n for h, n in tagged.items() if h in KEPT}
        if rng.random() < sum(kept.values()) / sum(tagged.values()):
            return "dated" if parent.mark == "dated" and rng.random() < kept.get("dated", 0) / sum(kept.values()) else "tag"
    return _draw(rng, {h: n for h, n in _handlings(wire, MARKS).items() if h not in (*KEPT, "credit")})


def _dateline(wire: _Wire, mark: str, rng: random.Random) -> str:
    if mark == "dated":
        return f"{wire.place}, {wire.day} ({wire.agency}) - "
    if mark == "tag":
        return f"{wire.place} ({wire.agency}) - "
    if mark == "own":
        return f"{wire.place} ({rng.choice(DESKS)}) - "
    return f"{wire.place} - " if mark == "place" else ""


def _house(sent: str, style: list[tuple[str, str]]) -> str:
    for a, b in style:
        sent = re.sub(rf"(?<![\w.]){re.escape(a)}(?![\w])", b, sent)
    return sent


def _derive(parent: _Node, pub: date | None, rng: random.Random, donors: list[str], site: str,
            style: list[tuple[str, str]] | None = None) -> _Node:
    """One derivative of `parent`'s story body; presentation (intros, footers) is added at render.
    `style` is the family's shared house style, which most copies apply."""
    body = list(parent.body)
    if style and rng.random() < 0.7:
        body = [_house(s, style) for s in body]
    level = rng.choices(["near", "light", "heavy", "partial", "augmented"], [0.2, 0.35, 0.15, 0.2, 0.1])[0]
    drop = {"near": 0.05, "light": 0.15, "heavy": 0.2, "partial": 0.45, "augmented": 0.0}[level]
    body = [s for i, s in enumerate(body) if i == 0 or rng.random() >= drop] or body[:1]
    if level != "augmented" and rng.random() < 0.3 and len(body) > 4:
        body = body[: max(3, int(len(body) * rng.uniform(0.5, 0.9)))]
    if rng.random() < 0.3:
        for _ in range(rng.randint(1, 3)):
            if len(body) > 2:
                i = rng.randrange(len(body) - 1)
                body[i], body[i + 1] = body[i + 1], body[i]
    if (level == "augmented" or rng.random() < 0.25) and donors:
        for _ in range(rng.randint(1, 2) + (2 if level == "augmented" else 0)):
            body.insert(rng.randint(1, len(body)), rng.choice(donors))
    if level == "augmented" and donors and rng.random() < 0.5:
        body.extend(rng.sample(donors, min(len(donors), rng.randint(1, 2))))  # closing commentary
    if level in ("light", "heavy", "partial") and rng.random() < 0.4:
        body = [_trim_clauses(s, 0.35, rng) for s in body]
    rate = {"near": 0.0, "light": 0.15, "heavy": 0.5, "partial": 0.15, "augmented": 0.1}[level]
    if rate:
        body = [_subst(s, rate, rng) for s in body]
    if rng.random() < 0.25:
        body = [_respell(s, british=rng.random() < 0.7) for s in body]
    if rng.random() < 0.2:
        body = _typo(body, rng)
    if rng.random() < 0.1 and len(body) > 3:
        body = _spin_twice(body, rng)
    return _Node(body, pub, site)


def _spun(sent: str, rng: random.Random) -> str:
    """A content-farm spinner's rendering: narration words swapped for synonyms picked at random,
    the structure and the quotations kept."""

    def rep(m: re.Match) -> str:
        w = m.group()
        alts = SPINNER.get(w.lower())
        if not alts or rng.random() >= 0.9:
            return w
        r = rng.choice(alts)
        return r.capitalize() if w[0].isupper() else r

    parts = re.split(r'("[^"]*")', sent)
    return "".join(p if p.startswith('"') else re.sub(r"[A-Za-z']+", rep, p) for p in parts)


def _spin_twice(body: list[str], rng: random.Random) -> list[str]:
    """A spun copy that keeps one or two body sentences in both phrasings, side by side (a spinner's
    output pasted next to its input, as in corpus/news 002). Only a rendering that visibly rewords
    its sentence (a quarter of its words at least) is kept: one that changes nothing is a repeat.
    The lead is left alone (spinners work on the body a headline and lead introduce)."""
    wanted, spun = rng.randint(1, 2), {}
    for i in rng.sample(range(1, len(body)), len(body) - 1):
        words, rendering = body[i].split(), _spun(body[i], rng)
        changed = sum(a != b for a, b in zip(words, rendering.split())) + abs(len(rendering.split()) - len(words))
        if changed >= max(3, len(words) / 4):
            spun[i] = rendering
            if len(spun) == wanted:
                break
    return [r for i, s in enumerate(body) for r in ((s, spun[i]) if i in spun else (s,))]


def _unit(key: str) -> float:
    """A uniform draw of `key`'s own, outside the families' random stream: changing a rate that
    uses it moves nothing else in the generated set."""
    return xxhash.xxh64_intdigest(key.encode()) / 2**64


def _platform(doc_id: str, original: bool) -> list[str] | None:
    """The blog-platform lines of a page, if it is a blog's: originals at the rate measured on real
    pages (BLOG_RATES), copies at an assumed one."""
    if _unit(doc_id) >= BLOG_RATES["original" if original else "copy"]:
        return None
    return PLATFORM[int(_unit(doc_id + "/platform") * len(PLATFORM))]


def _render(node: _Node, parent: _Node | None, rng: random.Random, platform: list[str] | None, wire: bool = False) -> str:
    """A wire family's copies name the agency only as their measured handling says (no paper of the
    real sets credits the agency in a line of its own); other families' copies may."""
    head, tail = [], []
    if rng.random() < 0.3:
        head.append(rng.choice(CHROME_HEAD))
    if parent is not None and rng.random() < 0.2:
        head.append(rng.choice(INTROS).format(s=_subst(node.body[0], 0.6, rng)))
    if node.byline:
        head.append(node.byline)
    if parent is not None and rng.random() < 0.2:
        agency = [] if wire else ["Source: Reuters", "(c) Reuters"]
        tail.append(rng.choice([f"Source: {parent.site}", f"via {parent.site}", f"Originally published by {parent.site}",
                                *agency]))
    if platform:
        tail.extend(platform)
    if rng.random() < 0.3:
        tail.append(f"Copyright {node.published.year if node.published else 2020} {node.site}. All rights reserved.")
    paras, i = [], 0
    while i < len(node.body):
        n = rng.choice([1, 1, 2, 3])
        paras.append(" ".join(node.body[i : i + n]))
        i += n
    paras[0] = node.dateline + paras[0]
    return "\n\n".join(head + paras + tail) + "\n"


def generate(n_families: int = 240, seed: int = 7, test_share: float = 0.5) -> list[GenFamily]:
    """Families with known parents; originals (and inserted material) never cross the split.

    `n_families` families made as the set made them before it had wire families (the same
    families for the same arguments), then as many wire families again (WIRE_SHARE of the
    whole), from a random stream of their own and from other originals."""
    rng = random.Random(seed)
    originals = _originals()
    rng.shuffle(originals)
    n_test = int(len(originals) * test_share)
    pools = {"test": originals[:n_test], "train": originals[n_test:]}
    fams = [_family(f"g{f:04d}", f, pools, rng, wire=False) for f in range(n_families)]
    wire_rng = random.Random(f"{seed}-wire")
    n_wire = round(n_families * WIRE_SHARE / (1 - WIRE_SHARE))
    return fams + [_family(f"w{j:04d}", n_families + j, pools, wire_rng, wire=True) for j in range(n_wire)]


def _family(name: str, f: int, pools: dict[str, list], rng: random.Random, wire: bool) -> GenFamily:
    """Family number `f` (its split and original follow from it), its ids starting with `name`."""
    split = "test" if f % 2 else "train"
    pool = pools[split]
    text, when, dateline = pool[(f // 2) % len(pool)]
    donors = [s for t, _, _ in (pool[rng.randrange(len(pool))] for _ in range(3)) for s in _split(t)]
    size = rng.choices([2, 3, 4, 5, 6, 8, 12], [0.27, 0.25, 0.17, 0.1, 0.08, 0.08, 0.05])[0]
    style = rng.choice(HOUSE_STYLES) if rng.random() < 0.3 else None
    when = when or date(2020, 1, 1) + timedelta(days=rng.randrange(1500))
    agency = _wire_family(rng, dateline, when) if wire else None
    nodes = [_Node(_split(text), when, rng.choice(SITES))]
    if agency:
        nodes[0].mark, nodes[0].dateline, nodes[0].byline = _wire_origin(agency, rng)
    parents: list[int | None] = [None]
    for k in range(1, size):
        par = 0 if rng.random() < 0.5 else rng.randrange(k)
        base = nodes[par].published
        if rng.random() < 0.1:
            pub = base - timedelta(days=rng.randint(1, 30))  # re-stamped earlier than its source
        else:
            pub = base + timedelta(days=rng.choice([0, 0, 1, 1, 2, 3, 7]))
        node = _derive(nodes[par], pub, rng, donors, rng.choice(SITES), style)
        if agency:  # papers drop the agency's byline (175 of 175) and handle its dateline as measured
            node.mark = _copy_mark(agency, nodes[par], par == 0, rng)
            node.dateline = _dateline(agency, node.mark, rng)
        nodes.append(node)
        parents.append(par)
    ids = [f"{name}-{rng.getrandbits(24):06x}" for _ in nodes]
    docs = []
    for k, node in enumerate(nodes):
        par = nodes[parents[k]] if parents[k] is not None else None
        shown = node.published if rng.random() >= 0.3 else None
        docs.append(Document(id=ids[k], text=_render(node, par, rng, _platform(ids[k], par is None), wire), site=node.site,
                             url=f"https://{node.site}/story/{ids[k]}",
                             published=shown.isoformat() if shown else None))
    parent = {ids[k]: (ids[parents[k]] if parents[k] is not None else None) for k in range(size)}
    return GenFamily(tuple(sorted(docs, key=lambda d: d.id)), parent, split, agency.habits if agency else None)


if __name__ == "__main__":
    fams = generate(6)
    for fam in fams[:2]:
        print(fam.split, fam.parent)
        for d in fam.docs:
            print("----", d.id, d.published, d.site)
            print(d.text[:600])
