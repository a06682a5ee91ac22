"""Origin on real web pages with content-farm copies planted among them, scanned as a user would.

Originals are real saved news and blog pages (a folder of HTML files: `--pages DIR` or
`PROVENANCE_PAGES`; trafilatura's own evaluation pages, `tests/eval` of its repository, are a good
set: 923 pages of many sites). The pages of one language (`--language`, English by default) whose
main text has at least 300 words and 8 sentences are the pool; each family takes one as its origin, as saved (its own metadata, its
own date or none), and plants copies of it as new pages with a site's chrome around them
(navigation, byline, footer, newsletter line), made as content farms make them:

* **farm** — a copy cut, reordered, reworded, padded or spun by `lineagegen`'s newsroom edits,
  dated 0-7 days after its source (a third of the time from an earlier copy: chains);
* **backdated** — such a copy dated 1-30 days *before* the original, carrying a linked credit
  to it ("Source: <a href=...>site</a>");
* **lift** — two or three paragraphs of the original's prose (25 words or more each) inside another
  article, under that article's headline (a Reuters-21578
  story when the file is present, as `lineagegen` finds it; each such article used once);
* **mash-up** — every fourth family, one page alternating the first 3-5 prose paragraphs of two
  families' originals.

Then ``provenance scan DIR -f json`` on the folder, and every known link (source -> copy) is looked
up among the families' edges: found (an edge between the two), direction right, its probability;
calibration of those probabilities (ECE, the share wrong at >= 0.8 and >= 0.9); a mash-up's sources
named; the family's origin. Edges between two copies of one source (siblings) are not links and are
counted apart; copy pairs between two families' pages are counted and their families named (the saved
pages may hold real reuse of their own: two outlets running one agency story). Everything is seeded.

    python benchmarks/bench_pages.py --pages trafilatura/tests/eval            # 40 families
    python benchmarks/bench_pages.py --pages DIR --families 100 --seed 1 --keep /tmp/planted
    python benchmarks/bench_pages.py --pages trafilatura/tests/eval --language de   # German pages
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import lineagegen  # noqa: E402
from benchmarks.bench_origin import calibration, spiegelhalter_z, wrong_above  # noqa: E402
from provenance.ingest.files import load_paths  # noqa: E402
from provenance.model import Document  # noqa: E402
from provenance.text import paragraphs, sentences  # noqa: E402
from provenance.text.tokens import words  # noqa: E402
from provenance.text.wordlists import FUNCTION_WORDS, latin_stopword_masks, other_latin_language  # noqa: E402

SITES = ["dailynewsroundup.net", "trendingnow24.com", "newsflash-hub.org", "worldbriefing.info",
         "topstoriesdaily.co", "headlinecentral.net", "thenewsdigest.com", "buzzreport.online"]


def pages_folder() -> Path | None:
    p = os.environ.get("PROVENANCE_PAGES")
    return Path(p) if p and Path(p).is_dir() else None


def page_language(words_: list[str]) -> str | None:
    """"en" for English (25% of the words English function words), else the Latin-script language
    `provenance` reads the words as (its stopword lists), or None."""
    if sum(x in FUNCTION_WORDS for x in words_) >= 0.25 * len(words_):
        return "en"
    masks = latin_stopword_masks()[1]
    return other_latin_language(Counter(masks[t] for t in words_ if t in masks), len(words_))


def pool(folder: Path, language: str = "en") -> list[Document]:
    """The pages of `folder` in `language` with 300 words and 8 sentences of main text, as `provenance`
    reads them, in path order."""
    docs, _ = load_paths([folder])
    out = []
    for d in docs:
        w = [x.lower() for x in words(d.text)]
        if len(w) >= 300 and len(sentences(d.text)) >= 8 and page_language(w) == language:
            out.append(d)
    return sorted(out, key=lambda d: d.path)


@dataclass
class Planted:
    """The planted folder's truth: each copy's sources, its kind, and each family's origin."""

    sources: dict[str, list[str]] = field(default_factory=dict)  # copy file -> the files it was made from
    kind: dict[str, str] = field(default_factory=dict)
    origins: list[str] = field(default_factory=list)


def _page(title: str, site: str, published: date, body: list[str], credit: str | None, rng: random.Random) -> str:
    """A content farm's article page: navigation, headline, byline, date, the paragraphs, a credit, footer."""
    paras = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    credit_html = f"\n<p>{credit}</p>" if credit else ""
    author = rng.choice(["Staff Writer", "News Desk", "Emma Clarke", "Web Team"])
    slug = "-".join(w.lower() for w in title.split()[:6] if w.isalnum()) or "story"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {site}</title>
<meta property="og:site_name" content="{site}">
<meta property="og:title" content="{html.escape(title)}">
<meta property="article:published_time" content="{published.isoformat()}T08:30:00+00:00">
<link rel="canonical" href="https://{site}/{published:%Y/%m/%d}/{slug}-{rng.randrange(1000, 9999)}">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a>
<a href="/tech">Tech</a> <a href="/entertainment">Entertainment</a> <a href="/about">About us</a></nav></header>
<main><article>
<h1>{html.escape(title)}</h1>
<p class="byline">By {author} | {published:%B} {published.day}, {published.year}</p>
{paras}{credit_html}
</article>
<aside><h3>Trending now</h3><ul><li><a href="/a">10 things you missed this week</a></li>
<li><a href="/b">Markets close higher on tech rally</a></li></ul></aside></main>
<footer><p>Sign up for our free daily newsletter and never miss a story.</p>
<p>&copy; {published.year} {site}. All rights reserved. <a href="/privacy">Privacy policy</a></p></footer>
</body></html>
"""


def _paragraph_groups(sents: list[str], rng: random.Random) -> list[str]:
    out, i = [], 0
    while i < len(sents):
        n = rng.choice([1, 2, 2, 3])
        out.append(" ".join(sents[i : i + n]))
        i += n
    return out


def plant(originals: list[Document], donors: list[str], out: Path, n_families: int, seed: int) -> Planted:
    """Write the originals (as saved) and their planted copies into `out`; return the truth.

    `donors` are other articles' texts, each used once: the sentences a copy inserts, a lift's own
    article (two copies sharing a donor would share text that is in neither's source)."""
    rng = random.Random(seed)
    donors = iter(donors)
    truth = Planted()
    bodies: dict[str, list[str]] = {}
    dated: dict[str, date] = {}
    for f, orig in enumerate(originals[:n_families]):
        name = f"f{f:03d}-origin.html"
        (out / name).write_bytes(Path(orig.path).read_bytes())
        truth.origins.append(name)
        sents = lineagegen._split(orig.text)
        bodies[name] = [orig.text[s:e] for s, e in paragraphs(orig.text)]
        when = date.fromisoformat(orig.published) if orig.published else date(2023, 6, 1)
        title = orig.title or sents[0][:80]
        site = orig.site or "the original site"
        url = orig.url or f"https://{site}/"
        dated[name] = when
        nodes = {name: (lineagegen._Node(sents, when, site), when)}
        for k in range(rng.randint(2, 4)):
            cname = f"f{f:03d}-copy{k + 1}.html"
            kind = rng.choices(["farm", "backdated", "lift"], [0.7, 0.15, 0.15])[0]
            # chains run through farm copies (a backdated copy's date would mislead its copies too)
            farms = [n for n in nodes if n == name or truth.kind.get(n) == "farm"]
            parent = name if kind != "farm" or rng.random() < 0.65 else rng.choice(farms)
            pnode, pwhen = nodes[parent]
            site_k = rng.choice(SITES)
            donor_sents = lineagegen._split(next(donors, ""))
            if kind == "lift":
                prose = [p for p in bodies[name] if len(p.split()) >= 25] or bodies[name]
                start = rng.randrange(max(1, len(prose) - 2))
                lifted = prose[start : start + rng.randint(2, 3)]
                own = _paragraph_groups(donor_sents[:12], rng)
                page_title = donor_sents[0] if donor_sents else title
                at = rng.randint(1, max(1, len(own)))
                body = own[:at] + lifted + own[at:]
                cwhen, credit = pwhen + timedelta(days=rng.randint(1, 20)), None
                node = lineagegen._Node(lineagegen._split(" ".join(body)), cwhen, site_k)
            else:
                page_title = title
                node = lineagegen._derive(pnode, pwhen, rng, donor_sents[:6], site_k)
                if kind == "backdated":
                    cwhen = when - timedelta(days=rng.randint(1, 30))
                    credit = f'Source: <a href="{html.escape(url)}">{html.escape(site)}</a>'
                else:
                    cwhen = pwhen + timedelta(days=rng.choice([0, 1, 1, 2, 3, 7]))
                    credit = None
                body = _paragraph_groups(node.body, rng)
            node.published = cwhen
            (out / cname).write_text(_page(page_title, site_k, cwhen, body, credit, rng), encoding="utf-8")
            nodes[cname] = (node, cwhen)
            truth.sources[cname], truth.kind[cname] = [parent], kind
        if f % 4 == 3:  # a mash-up of this family's original and the one before
            a, b = truth.origins[-2], truth.origins[-1]
            pa, pb = ([p for p in bodies[x] if len(p.split()) >= 25] or bodies[x] for x in (a, b))
            mixed = [p for pair in zip(pa[: rng.randint(3, 5)], pb[: rng.randint(3, 5)]) for p in pair]
            mname = f"f{f:03d}-mashup.html"
            mwhen = max(dated[a], dated[b]) + timedelta(days=2)
            (out / mname).write_text(_page(title, rng.choice(SITES), mwhen, mixed, None, rng), encoding="utf-8")
            truth.sources[mname], truth.kind[mname] = [a, b], "mash-up"
    return truth


@dataclass
class Scores:
    links: int = 0
    found: int = 0  # verified as a copy pair
    placed: int = 0  # the reported graph orders the two (a path of edges one way)
    right: int = 0  # ...with the source first
    rows: list[tuple[float, bool]] = field(default_factory=list)  # edges member <-> ancestor: (probability, right)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [links, found, placed, right]
    sibling_edges: int = 0
    mashups: int = 0
    mashups_both: int = 0  # every source named by an edge into the mash-up
    mashups_reached: int = 0  # ...or a copy of it (which holds the same passages)
    origins: int = 0
    origins_right: int = 0
    origin_rows: list[tuple[float, bool]] = field(default_factory=list)  # (origin_confidence, an original)
    unrelated: int = 0  # pairs of two families' pages (no mash-up) reported at all
    unrelated_copies: int = 0  # ...as copy
    # the families joined by such copies: real reuse between the saved pages themselves (two outlets
    # running one agency story) or a false copy; read them
    joined: set[tuple[str, str]] = field(default_factory=set)


def _reaches(graph: dict[str, set[str]], a: str, b: str) -> bool:
    """A path of edges from a to b."""
    seen, todo = {a}, [a]
    while todo:
        for n in graph.get(todo.pop(), ()):
            if n == b:
                return True
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return False


def score(report: dict, truth: Planted) -> Scores:
    """Every known link looked up in the report (ids are the planted file names): verified as a copy,
    ordered by the families' edges (directly or through other members), with which probability."""
    s = Scores()
    edges, graph = {}, {}
    for fam in report["families"]:
        for e in fam["edges"]:
            a, b = Path(e["source"]).name, Path(e["derivative"]).name
            edges[(a, b)] = e
            graph.setdefault(a, set()).add(b)
    copies = {tuple(sorted((Path(p["a"]).name, Path(p["b"]).name))) for p in report["pairs"] if p["verdict"] == "copy"}
    for p in report["pairs"]:
        a, b = Path(p["a"]).name, Path(p["b"]).name
        if a[:4] != b[:4] and truth.kind.get(a) != "mash-up" and truth.kind.get(b) != "mash-up":
            s.unrelated += 1
            if p["verdict"] == "copy":
                s.unrelated_copies += 1
                s.joined.add(tuple(sorted((a[:4], b[:4]))))
    ancestors: dict[str, set[str]] = {}

    def above(x: str) -> set[str]:
        if x not in ancestors:
            ancestors[x] = set()
            for p in truth.sources.get(x, []):
                ancestors[x] |= {p} | above(p)
        return ancestors[x]

    for child, parents in truth.sources.items():
        kind = truth.kind[child]
        tally = s.by_kind.setdefault(kind, [0, 0, 0, 0])
        named = 0
        for parent in parents:
            s.links += 1
            tally[0] += 1
            found = tuple(sorted((parent, child))) in copies
            s.found += found
            tally[1] += found
            fwd, back = _reaches(graph, parent, child), _reaches(graph, child, parent)
            if fwd or back:
                s.placed += 1
                tally[2] += 1
                s.right += fwd
                tally[3] += fwd
            if (parent, child) in edges:
                named += 1
    for (src, der), e in edges.items():
        if src in above(der) or der in above(src):
            s.rows.append((e["probability"], src in above(der)))  # the probability that its source came first
        else:
            s.sibling_edges += 1
    for child, parents in truth.sources.items():
        if truth.kind[child] == "mash-up":
            s.mashups += 1
            s.mashups_both += all((p, child) in edges for p in parents)
            into = [src for src, der in edges if der == child]
            s.mashups_reached += all(any(x == p or p in above(x) for x in into) for p in parents)
    fam_of = {Path(m).name: fam for fam in report["families"] for m in fam["members"]}
    originals = set(truth.origins)
    for fam in report["families"]:
        if originals & {Path(m).name for m in fam["members"]}:
            s.origin_rows.append((fam["origin_confidence"], Path(fam["origin"]).name in originals))
    for o in truth.origins:
        fam = fam_of.get(o)
        if fam is None:
            continue
        s.origins += 1
        roots = {Path(r["id"]).name for r in fam.get("origins", [])} or {Path(fam["origin"]).name}
        s.origins_right += o in roots
    return s


def run(folder: Path, n_families: int, seed: int, keep: Path | None = None,
        language: str = "en") -> tuple[Scores, dict]:
    docs = pool(folder, language)
    rng = random.Random(seed)
    rng.shuffle(docs)
    originals = docs[:n_families]
    if language == "en":
        donors = [text for text, _ in lineagegen.load_originals()]
    else:  # another language's padding and lifts come from its own pages that are no family's
        donors = [d.text for d in docs[n_families:]]
    rng.shuffle(donors)
    with tempfile.TemporaryDirectory() as tmp:
        out = keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        truth = plant(originals, donors, out, n_families, seed)
        report_path = Path(tmp) / "report.json"
        subprocess.run([sys.executable, "-c", "from provenance.cli.main import main; main()", "scan", str(out), "-f", "json", "-o",
                        str(report_path)], check=False, capture_output=True)
        report = json.loads(report_path.read_text(encoding="utf-8"))
    return score(report, truth), report


def summary(s: Scores) -> str:
    table, ece = calibration(s.rows)
    lines = [
        f"known links {s.links}: verified as copy {s.found} ({s.found / max(s.links, 1):.3f}); ordered by the "
        f"families' edges {s.placed}, the source first in {s.right} ({s.right / max(s.placed, 1):.3f})",
        f"edges between a member and its ancestor {len(s.rows)}: ECE {ece:.3f}, Spiegelhalter z "
        f"{spiegelhalter_z(s.rows):+.2f}, wrong at >= 0.8: {wrong_above(s.rows, 0.8):.3f}, at >= 0.9: "
        f"{wrong_above(s.rows, 0.9):.3f} (of all scored edges)",
        f"edges between siblings (no link either way): {s.sibling_edges}",
        f"pairs of two families' pages reported: {s.unrelated}, as copy: {s.unrelated_copies} (families joined: "
        f"{', '.join('-'.join(j) for j in sorted(s.joined)) or 'none'})",
        f"mash-ups with every source named: {s.mashups_both} of {s.mashups} ({s.mashups_reached} with a copy "
        "of a source named for it)",
        f"families whose original is among the named roots: {s.origins_right} of {s.origins}",
        f"families' most likely origin an original: {sum(ok for _, ok in s.origin_rows)} of {len(s.origin_rows)}, "
        f"its confidence's ECE {calibration(s.origin_rows, 5)[1]:.3f}, wrong at >= 0.8: "
        f"{wrong_above(s.origin_rows, 0.8):.3f}",
        "by kind (links / copy / ordered / source first): "
        + ", ".join(f"{k} {v[0]}/{v[1]}/{v[2]}/{v[3]}" for k, v in sorted(s.by_kind.items())),
        "reliability (bin, n, mean probability, observed right):",
    ]
    lines += [f"  {b} {n} {p:.3f} {o:.3f}" for b, n, p, o in table]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=Path, default=pages_folder())
    ap.add_argument("--families", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, help="write the planted folder here and keep it")
    ap.add_argument("--language", default="en",
                    help="the pages' language (en, de, fr, ...: as provenance reads it); other languages than "
                         "English take their padding and lifts from the pool's other pages, and `lineagegen`'s "
                         "English rewording leaves their copies as cut, reordered and padded")
    args = ap.parse_args()
    if args.pages is None:
        sys.exit("bench_pages: give --pages DIR (saved HTML pages) or set PROVENANCE_PAGES")
    s, _ = run(args.pages, args.families, args.seed, args.keep, args.language)
    print(summary(s))


@pytest.mark.skipif(pages_folder() is None, reason="set PROVENANCE_PAGES to a folder of saved HTML pages")
@pytest.mark.parametrize("language", ["en", "de"])
def test_planted_copies_on_real_pages(language: str) -> None:
    s, _ = run(pages_folder(), 20, 0, language=language)
    assert s.found >= 0.9 * s.links
    assert s.right >= 0.75 * s.placed


if __name__ == "__main__":
    main()
