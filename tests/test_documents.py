"""Loaders: every format, every kind of bad input, the BBC seed's boilerplate, offsets."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance.errors import InputError
from provenance.ingest.corpus_chrome import remove_repeated_lines
from provenance.ingest.files import decode, load_paths, load_text
from provenance.model import Document
from provenance.settings import INGEST
from provenance.text import words

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "corpus" / "news"
DATA = Path(__file__).resolve().parent / "data" / "documents"


def assert_segments(doc: Document, raw: str) -> None:
    """Every segment copies raw characters; segments are ordered, disjoint and in bounds."""
    end = 0
    for s in doc.segments:
        assert s.length > 0 and s.start >= end
        assert doc.text[s.start : s.start + s.length] == raw[s.raw_start : s.raw_start + s.length]
        end = s.start + s.length
    assert end <= len(doc.text)
    assert doc.raw_chars == len(raw)


def assert_maps_back(doc: Document, raw: str, phrase: str) -> None:
    """The report of `phrase` in the text points at the same phrase in the raw input."""
    assert_segments(doc, raw)
    assert raw[doc.raw_offset(doc.text.index(phrase)) :].startswith(phrase)


def raw_of(path: str | Path) -> str:
    return decode(Path(path).read_bytes())[0]


def one(paths, **kw) -> tuple[Document, list]:
    docs, problems = load_paths([str(p) for p in paths], **kw)
    assert len(docs) == 1, (docs, problems)
    return docs[0], problems


def squash(s: str) -> str:
    return " ".join(s.split())


# --- the BBC seed: a news page saved as text --------------------------------------------------------

BBC = next(NEWS.glob("001_*.txt"))


def test_bbc_seed_keeps_every_article_sentence():
    doc, problems = one([BBC])
    assert problems == []
    raw_lines = [x.strip() for x in raw_of(BBC).splitlines()]
    start = "Russian President Vladimir Putin said"
    first = raw_lines.index(next(x for x in raw_lines if x.startswith(start)))
    last = raw_lines.index(next(x for x in raw_lines if x.endswith('called a "win-win".')))
    article = [x for x in raw_lines[first : last + 1] if x and not x.startswith("- ")]
    assert len(article) >= 15
    text = squash(doc.text)
    for line in article:
        assert squash(line).replace("\\$", "$") in text, line
    assert doc.title == "Putin offers Russian and Ukrainian rare minerals to US"
    assert text.startswith("Putin offers Russian and Ukrainian rare minerals to US")
    # the sentence the save broke across a blank line is one line again
    assert 'including companies on mining minerals.' in doc.text
    assert_segments(doc, raw_of(BBC))


@pytest.mark.parametrize(
    "chrome",
    [
        "Home News Sport Business Innovation Culture Arts Travel Earth Audio Video Live",
        "1 day ago",
        "Hafsa Khalil Vitaliy Shevchenko",
        "Ros Atkins on... the fight for Ukraine's critical minerals",
        "Live coverage of this story",
        "Why is Ukraine negotiating a minerals deal with the US?",
        "Related",
        "20 mins ago",
        "Sites sought for Ukranian bombed door sculpture",
        "The mangled front door from a destroyed house in Toretsk was salved by a Dorset artist.",
        "Why Edinburgh has a Confederate soldier memorial",
        "They deserve to be down here.",
        "Follow BBC on",
        "Terms of Use",
        "Copyright 2025 BBC",
        "Mining",
    ],
)
def test_bbc_seed_loses_navigation_and_related_links(chrome):
    doc, _ = one([BBC])
    assert chrome not in doc.text


def test_bbc_seed_shrinks_to_its_article():
    doc, _ = one([BBC])
    assert doc.raw_chars == len(raw_of(BBC))
    assert 0.5 * doc.raw_chars < len(doc.text) < 0.7 * doc.raw_chars


def test_seed_chrome_of_other_sites():
    docs, problems = load_paths([NEWS])
    by = {d.id[:3]: d for d in docs}
    assert problems == [] and sorted(by) == ["000", "001", "002", "003", "004"]
    blog = by["002"].text
    for gone in ("Leave a comment", "WordPress", "via REUTERS", "Independence Square"):
        assert gone not in blog  # footer and the wire-photo caption with its credit
    assert "Zelenzky has disputed that figure" in blog
    assert by["002"].title.startswith("Putin Extends Olive Branch to US")
    assert "ADVERTISEMENT" not in by["004"].text
    # texts without chrome keep every word
    for key in ("000", "003"):
        assert Counter(words(by[key].text)) == Counter(words(raw_of(by[key].path)))
    lost = Counter(words(raw_of(by["004"].path))) - Counter(words(by["004"].text))
    assert lost == Counter(["advertisement"])
    for d in docs:
        assert_segments(d, raw_of(d.path))


SAVES = {
    # file: (title, published, article lines kept, chrome lines dropped)
    "paper_save.txt": (
        "Glacier retreat forces Alpine village to move its water intake", "2023-03-14",
        ["An Alpine village has begun moving its drinking water intake", "borrow 4.2m francs",
         '"We planned for thirty years and got ten," said the mayor', "in each of the last five seasons."],
        ["Skip to", "Print subscriptions", "Back to home", "Opinion", "more than 2 years old", "Clara Voss",
         "GMT", "Share", "Explore more", "Glaciers", "Reuse this content", "Most viewed", "Storm closes"],
    ),
    "wire_save.txt": (
        "Grain exporters cut forecasts as river levels fall", "2024-05-03",
        ["ROTTERDAM, May 3 (Reuters) - Grain exporters cut", "some mills had switched to rail.",
         "Every centimetre of water matters now", "Forecasters expect little rain"],
        ["Exclusive news", "Breakingviews", "By Tomas Ekberg", "Updated 3 hours ago", "Item 1 of 2", "[1/2]",
         "Barges wait", "Licensing", "Editing by", "Our Standards", "Suggested Topics", "Commodities",
         "Rail operators add freight slots"],
    ),
    "blog_save.md": (
        "Library reopens after flood repairs", "2024-06-02",
        ["The town library reopened on Saturday", "the shelving and the children's corner.",
         '"People kept asking when they could come back," said the head librarian',
         "until the end of the summer."],
        ["Skip to content", "Lakeside Gazette", "Contact", "Posted on", "reading room", "wp-content", "https",
         "Share this", "Click to share", "Like", "Related", "Council approves", "Leave a Reply",
         "email address",
         "WordPress"],
    ),
}


@pytest.mark.parametrize("name", sorted(SAVES))
def test_page_saves_of_other_sites(name):
    """The same line rules on other page layouts: a paper, a wire service, a blog in Markdown."""
    title, published, kept, dropped = SAVES[name]
    doc, problems = one([DATA / name])
    assert problems == [] and (doc.title, doc.published) == (title, published)
    for phrase in kept:
        assert phrase in doc.text
    for phrase in dropped:
        assert phrase not in doc.text
    assert_segments(doc, raw_of(DATA / name))


def test_page_pasted_without_blank_lines():
    raw = (
        "Menu\nSearch\nWorld\nPolitics\nLocal council approves budget after long debate\n"
        "By Jane Smith, Metro Desk\nPublished 3:45 PM EST, Tue March 5, 2024\nFacebook Twitter Email\n"
        "The council approved the budget on Tuesday after a long debate that ran past midnight.\n"
        "The mayor said the plan would cut spending by 3% over two years.\n"
        "(Photo by John Doe/Getty Images)\nFacebook Twitter Email\n"
        '"We have no choice," she said.\nStory continues below advertisement\n'
        "Read more: Mayor announces re-election bid\n"
        "Opposition members said the cuts would fall hardest on libraries and parks.\n"
        "Related articles\nMayor announces re-election bid\nParks department faces review\n"
        "Copyright 2024 Metro News. All rights reserved.\n"
    )
    doc = load_text(raw, id="metro.txt")
    assert (doc.title, doc.published) == ("Local council approves budget after long debate", "2024-03-05")
    assert doc.text == (
        "Local council approves budget after long debate\n"
        "The council approved the budget on Tuesday after a long debate that ran past midnight.\n"
        "The mayor said the plan would cut spending by 3% over two years.\n"
        '"We have no choice," she said.\n'
        "Opposition members said the cuts would fall hardest on libraries and parks."
    )
    assert_segments(doc, raw)


def test_short_article_with_a_long_teaser_tail():
    teasers = "".join(
        f"\n\n{h} hrs ago\n\nAnother story, number {h}, with its own headline\n\n"
        f"The summary of another story about something else entirely, number {h}.\n\n{h} hrs ago World"
        for h in range(1, 15)
    )
    raw = ("Home News Sport Business World Video\n\nCouncil votes for the new bridge\n\n2 hrs ago\n\n"
           "The council voted on Tuesday to approve the plan for the new bridge.\n\nWork will start in May."
           "\n\nRelated" + teasers + "\n\nCopyright 2025 Example. All rights reserved.")
    doc = load_text(raw, id="bridge.txt")
    assert doc.title == "Council votes for the new bridge"
    assert doc.text == ("Council votes for the new bridge\n\nThe council voted on Tuesday to approve the plan "
                        "for the new bridge.\n\nWork will start in May.")


def test_clean_texts_keep_every_word():
    """Tables of figures, titles and fragments in a text with no page chrome are all content."""
    raw = (
        "ACME CORP 3RD QTR NET\n"
        "Shr 36 cts vs 31 cts\nNet 25.1 mln vs 21.7 mln\nRevs 1.53 billion vs 1.39 billion\n"
        "Note: Net is before preferred dividend payments.\n"
        "The figures were restated to reflect the acquisition of a food company in January\n"
        "More\n"
    )
    doc = load_text(raw, id="table")
    assert Counter(words(doc.text)) == Counter(words(raw)) - Counter(["more"])


def test_clough_answers_keep_every_word():
    """Hard-wrapped student answers, mixed encodings and line endings: nothing is boilerplate."""
    folder = ROOT / "corpus" / "clough-stevenson-dev"
    if not folder.exists():
        folder = ROOT.parent / "shared" / "data" / "clough-stevenson-dev"
    if not folder.exists():
        pytest.skip("Clough-Stevenson data not present")
    docs, problems = load_paths([folder])
    assert {p.action.split(" (")[0] for p in problems} <= {"decoded as cp1252"}
    for d in docs:
        raw = raw_of(d.path)
        assert Counter(words(d.text)) == Counter(words(raw)), d.id
        assert_segments(d, raw)


def test_wire_records_lose_almost_nothing(tmp_path):
    """Clean wire copy (tables, sign-offs, truncated paragraphs) is not boilerplate."""
    source = ROOT.parent / "shared" / "data" / "reuters-21578" / "reuters21578.jsonl"
    if not source.exists():
        pytest.skip("Reuters-21578 JSONL not present")
    with open(source, encoding="utf-8") as f:
        lines = [line for i, line in enumerate(f) if i % 10 == 0]  # ~1,100 records
    (tmp_path / "wire.jsonl").write_text("".join(lines), encoding="utf-8")
    docs, problems = load_paths([tmp_path / "wire.jsonl"])
    assert problems == [] and len(docs) == len(lines)
    raw = Counter(w for line in lines for w in words(json.loads(line)["text"]))
    kept = Counter(w for d in docs for w in words(d.text))
    lost = raw - kept
    assert sum(lost.values()) <= 0.0005 * sum(raw.values()), lost.most_common(10)
    assert all(d.published and d.title for d in docs)


# --- plain text and line endings ----------------------------------------------------------------


def test_mixed_line_endings_and_offsets(tmp_path):
    raw = ("Alpha beta gamma delta said the minister today.\r\nSecond line here, with more words than five.\r"
           "Third one is also here.\nEnd of it all now.")
    (tmp_path / "a.txt").write_bytes(raw.encode())
    doc, problems = one([tmp_path / "a.txt"])
    assert "\r" not in doc.text and problems == []
    assert_maps_back(doc, raw, "Third")


def test_hard_wrapped_paragraph_is_unwrapped():
    raw = (
        "Inheritance is a basic concept of programming where the basic\n"
        "idea is to create new classes that add extra detail to existing\n"
        "classes. This is done by allowing the new classes to reuse the\n"
        "methods and variables of the existing classes and new methods.\n"
    )
    doc = load_text(raw, id="w")
    assert "\n" not in doc.text and squash(raw) == doc.text
    assert_segments(doc, raw)


def test_invisible_characters_do_not_split_words():
    raw = "The con\u00adtent of the\u200b report was pub\u00adlished on Monday."
    doc = load_text(raw, id="soft")
    assert doc.text == "The content of the report was published on Monday."
    assert_segments(doc, raw)


def test_short_text_is_kept():
    assert load_text("Hi.", id="s").text == "Hi."
    assert load_text("Breaking news", id="s").text == "Breaking news"


def test_load_text_refuses_nothing_and_unknown_kind():
    with pytest.raises(InputError, match="nothing to check"):
        load_text("   \n\t ", id="blank")
    with pytest.raises(InputError, match="unknown kind"):
        load_text("text", id="x", kind="pdf")


# --- Markdown -------------------------------------------------------------------------------------

MD = """---
title: "Ferry fares to rise in April"
date: 2024-03-02
url: https://courier.example/news/ferry-fares
source: The Coastal Courier
---
# Ferry fares to rise in April

Fares on the island ferry will rise by 4% from April, the [harbour authority](https://courier.example/authority "the authority") said on _Friday_.

![A ferry at the quay](images/ferry.jpg)

The operator said <b>fuel costs</b> had risen &amp; wages too, see <https://courier.example/fares> or https://courier.example/x?y=1 for details.

[1]: https://courier.example/ref
"""


def test_markdown_front_matter_links_and_tags():
    doc = load_text(MD, id="fares.md", kind="md")
    assert (doc.title, doc.published, doc.url, doc.site) == (
        "Ferry fares to rise in April", "2024-03-02", "https://courier.example/news/ferry-fares",
        "The Coastal Courier",
    )
    assert "---" not in doc.text and "title:" not in doc.text
    assert "the harbour authority said on Friday." in doc.text
    for gone in ("https", "courier.example", "images", "ferry.jpg", "<b>", "A ferry at the quay", "_"):
        assert gone not in doc.text
    assert "fuel costs had risen & wages too" in doc.text
    assert_maps_back(doc, MD, "Fares on")


def test_restructuredtext_draft(tmp_path):
    rst = ("Council news\n============\n\nThe council met on Tuesday, see `the minutes <https://x.example/m>`_ "
           "for details.\n\n.. image:: photo.jpg\n")
    (tmp_path / "draft.rst").write_text(rst)
    doc, problems = one([tmp_path / "draft.rst"])
    assert problems == []
    assert doc.text == "Council news\n\nThe council met on Tuesday, see the minutes for details."
    assert_segments(doc, rst)


def test_markdown_table_is_content():
    md = "Reserves by country:\n\n| Country | Reserves | Share |\n|---|---|---|\n| Russia | 10 | 20% |\n"
    doc = load_text(md, id="t.md", kind="md")
    assert "| Country | Reserves | Share |" in doc.text and "| Russia | 10 | 20% |" in doc.text


def test_markdown_bullets_are_content_unless_links():
    md = (
        "Budget summary for the year, as agreed by the council.\n\n"
        "- Roads get more money\n- Schools get less\n\n"
        "- [Council tax bands explained](https://x.example/bands)\n\n"
        "The vote was close, with nine members in favour.\n"
    )
    doc = load_text(md, id="b.md", kind="md")
    assert "Roads get more money" in doc.text and "Schools get less" in doc.text
    assert "Council tax bands explained" not in doc.text


# --- HTML ---------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_html_main_text_and_metadata(no_network):
    doc, problems = one([DATA / "article.html"])
    assert problems == []
    assert doc.title == "Harbour authority approves new ferry terminal"
    assert (doc.published, doc.site) == ("2024-03-14", "The Coastal Courier")
    assert doc.url == "https://courier.example/news/2024/03/harbour-ferry-terminal"
    assert "ending two years of argument over the future of the waterfront." in doc.text
    assert '"This is the biggest change to the harbour in a generation," Whitlock said.' in doc.text
    assert "repaid from landing fees over twenty years." in doc.text
    for gone in ("Subscribe", "dataLayer", "font-family", "Ferry fares to rise", "Share this", "Copyright",
                 "Privacy Policy", "tracking pixel"):
        assert gone not in doc.text
    assert doc.segments  # most lines are found verbatim in the page
    assert_maps_back(doc, raw_of(DATA / "article.html"), "Residents of the east quay")


def test_html_offsets_survive_inline_tags_and_entities(no_network):
    paras = "".join(
        f"<p>Paragraph {i} says the <a href='/x{i}'>council</a> met &amp; agreed,\n   after a   long "
        f"debate, to fund road number {i}.</p>\n" for i in range(50)
    )
    page = f"<html><head><title>Roads</title></head><body><article><h1>Roads</h1>{paras}</article></body></html>"
    doc = load_text(page, id="roads.html", kind="html")
    assert "Paragraph 7 says the council met & agreed, after a long debate, to fund road number 7." in doc.text
    assert sum(s.length for s in doc.segments) > 0.9 * len(doc.text)
    assert_maps_back(doc, page, "Paragraph 42 says the ")


def test_html_in_its_declared_charset(tmp_path, no_network):
    page = ('<html><head><meta charset="koi8-r"><title>Бюджет</title></head><body><article>'
            "<h1>Совет одобрил бюджет</h1><p>Городской совет во вторник одобрил бюджет после долгих дебатов, "
            "которые продолжались до полуночи.</p><p>Мэр сказал, что план сократит расходы на три процента "
            "за два года.</p></article></body></html>")
    (tmp_path / "ru.html").write_bytes(page.encode("koi8-r"))
    doc, problems = one([tmp_path / "ru.html"])
    assert "Городской совет во вторник одобрил бюджет" in doc.text
    assert problems[0].action == "decoded as koi8-r (declared in the page)"
    assert_segments(doc, page)


def test_html_date_does_not_depend_on_today(no_network):
    page = (DATA / "article.html").read_text().replace("2024-03-14", "2090-06-01")
    assert load_text(page, id="f", kind="html").published == "2090-06-01"


def test_html_never_fetches_a_url(no_network, tmp_path):
    (tmp_path / "link.html").write_text("https://example.com/article-that-must-not-be-fetched")
    docs, problems = load_paths([tmp_path / "link.html"])
    assert docs == [] and "not HTML" in problems[0].reason
    with pytest.raises(InputError):
        load_text("http://example.com/x", id="u", kind="html")
    for page in ("http://example.com/<html><body><p>Text</p></body></html>", "https://example.com/<b>x</b>"):
        try:
            load_text(page, id="u", kind="html")
        except InputError:
            pass


def test_html_fragment_draft(no_network):
    doc = load_text("<p>My draft says the harbour will get a new ferry terminal next spring.</p>", id="d",
                    kind="html")
    assert doc.text == "My draft says the harbour will get a new ferry terminal next spring."


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><p>Unclosed <b>bold <i>italic</p></div></span><p>More text that keeps going, "
        "long enough to count as a paragraph of an article.</table>",
        "<html><body>" + "<div>" * 5000 + "<p>Deep inside the page.</p>" + "</div>" * 5000 + "</body></html>",
        "<html><head>" + "<script>alert('x')</script>" * 3000 + "</head><body><p>One real paragraph sits "
        "among thousands of scripts in this page.</p><script>" + "var a=1;" * 10000
        + "</script></body></html>",
        "<<<>>><html<<body>>",
        "<html><body></body></html>",
        "\ufeff<?xml version='1.0'?><html><body><p>XML declaration then a page with some text in it.</p>"
        "</body></html>",
    ],
)
def test_hostile_html_never_crashes(page, tmp_path, no_network):
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    docs, problems = load_paths([path])
    assert len(docs) + len(problems) >= 1
    for p in problems:
        assert p.path == str(path) and p.action == "skipped"
    for d in docs:
        assert "<script" not in d.text and "alert(" not in d.text and "var a=1" not in d.text


def test_trafilatura_is_imported_only_for_html():
    code = (
        "import sys; from provenance.ingest import files as documents; "
        "documents.load_text('A short text with words.', id='x'); "
        "print('trafilatura' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- JSONL --------------------------------------------------------------------------------------


def test_jsonl_records_and_broken_lines(tmp_path):
    lines = [
        json.dumps({"id": "a1", "text": "First story text, a full sentence here.", "title": "First",
                    "url": "https://x.example/1", "site": "X", "published": "February 25, 2025"}),
        json.dumps({"text": "A record without an id takes its line number."}),
        "{not json at all",
        json.dumps({"id": "no-text", "title": "Missing text"}),
        json.dumps({"id": "bad-text", "text": ["not", "a", "string"]}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": 7, "text": "Numeric ids are fine.", "published": "26-FEB-1987 15:01:01.79"}),
        json.dumps({"id": "a1", "text": "A duplicate id in the same file is renamed."}),
        json.dumps({"id": "p", "text": "Paths are never opened.", "path": "/etc/passwd", "file": "../../x",
                    "published": "sometime soon"}),
        json.dumps({"id": "t", "text": "Title of the wrong type is ignored.", "title": 5}),
    ]
    (tmp_path / "feed.jsonl").write_text("\r\n".join(lines) + "\n", encoding="utf-8")
    docs, problems = load_paths([tmp_path])
    ids = [d.id for d in docs]
    assert ids == ["feed.jsonl#a1", "feed.jsonl#2", "feed.jsonl#7", "feed.jsonl#a1~2", "feed.jsonl#p",
                   "feed.jsonl#t"]
    assert [d.line for d in docs] == [1, 2, 8, 9, 10, 11]  # each record's line in the file, for reports
    first = docs[0]
    assert (first.title, first.url, first.site, first.published) == ("First", "https://x.example/1", "X",
                                                                     "2025-02-25")
    assert docs[2].published == "1987-02-26"
    assert docs[4].text == "Paths are never opened." and docs[4].path == str(tmp_path / "feed.jsonl")
    assert docs[5].title is None
    where = {p.path.rsplit(":", 1)[-1]: p for p in problems}
    assert set(where) >= {"3", "4", "5", "6", "10", "11"}
    assert "not a JSON line" in where["3"].reason and "missing 'text'" in where["4"].reason
    assert "not a string" in where["5"].reason and "not a JSON object" in where["6"].reason
    assert "date" in where["10"].reason and "'title' is not a string" in where["11"].reason
    dup = next(p for p in problems if "duplicate id" in p.reason)
    assert dup.reason == "duplicate id 'feed.jsonl#a1'" and dup.action == "renamed to 'feed.jsonl#a1~2'"
    records = [json.loads(x) for x in lines if x.startswith(("{\"", "["))]
    texts = [r["text"] for r in records if isinstance(r, dict) and isinstance(r.get("text"), str)]
    assert len(texts) == len(docs)
    for d, raw in zip(docs, texts):
        assert_segments(d, raw)


def test_jsonl_record_over_the_limit_is_skipped(tmp_path):
    big = json.dumps({"id": "big", "text": "word " * 5000})
    small = json.dumps({"id": "ok", "text": "A small record still loads."})
    (tmp_path / "f.jsonl").write_text(big + "\n" + small + "\n")
    docs, problems = load_paths([tmp_path / "f.jsonl"], max_bytes=1000)
    assert [d.id for d in docs] == ["f.jsonl#ok"] and docs[0].line == 2
    assert problems[0].path.endswith("f.jsonl:1") and "limit" in problems[0].reason


# --- bad files ------------------------------------------------------------------------------------

GOOD = "A good file keeps loading while the bad ones are reported by name."


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD)
    return tmp_path


def _problem(problems, name):
    hits = [p for p in problems if p.path.endswith(name)]
    assert len(hits) == 1, problems
    return hits[0]


def test_binary_files_are_skipped(folder):
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (folder / "controls.md").write_bytes(bytes(range(1, 32)) * 50)
    docs, problems = load_paths([folder])
    assert [d.text for d in docs] == [GOOD]
    assert "binary" in _problem(problems, "image.txt").reason
    assert "binary" in _problem(problems, "controls.md").reason
    assert all(p.action == "skipped" for p in problems)


def test_cp1252_and_mixed_bytes(folder):
    cp = "Caf\xe9 owners said the \x93new rules\x94 were unfair \x96 and costly."
    (folder / "cp.txt").write_bytes(cp.encode("latin-1"))
    mixed = "Caf\u00e9 owners\x92 group said the rules were unfair.".encode("utf-8")
    (folder / "mixed.txt").write_bytes(mixed.replace(b"\xc2\x92", b"\x92"))  # UTF-8 with one cp1252 byte
    docs, problems = load_paths([folder])
    by = {d.id: d for d in docs}
    assert by["cp.txt"].text == "Café owners said the “new rules” were unfair – and costly."
    assert by["mixed.txt"].text == "Café owners’ group said the rules were unfair."
    assert _problem(problems, "cp.txt").action.startswith("decoded as cp1252")
    assert "UTF-8 with 1 invalid bytes as cp1252" in _problem(problems, "mixed.txt").action
    assert "cp.txt" in str(_problem(problems, "cp.txt"))


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
                                          ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-8", b"\xef\xbb\xbf")])
def test_byte_order_marks(tmp_path, encoding, bom):
    text = "Zürich — the council voted “yes” on Tuesday.\r\nA second line follows it."
    (tmp_path / "bom.txt").write_bytes(bom + text.encode(encoding))
    doc, problems = one([tmp_path / "bom.txt"])
    assert problems == []
    assert doc.text == text.replace("\r\n", "\n")
    assert_segments(doc, text)


def test_empty_and_whitespace_files(folder):
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text(" \n\t\r\n  ")
    docs, problems = load_paths([folder])
    assert len(docs) == 1
    assert _problem(problems, "empty.txt").reason == "empty file"
    assert _problem(problems, "blank.md").reason == "only whitespace"


def test_file_over_the_limit_is_truncated(folder):
    para = "The council met again on Tuesday and the meeting ran late into the evening.\n"
    (folder / "big.txt").write_text(para * 4000)  # ~300 kB
    docs, problems = load_paths([folder], max_bytes=100_000)
    big = next(d for d in docs if d.id == "big.txt")
    p = _problem(problems, "big.txt")
    assert "over the 100,000-byte limit" in p.reason and re.fullmatch(r"truncated at [\d,]+ bytes", p.action)
    assert len(big.text) <= 100_000 and big.text.endswith("evening.")
    assert any(d.text == GOOD for d in docs)


@pytest.mark.slow
def test_fifty_megabyte_file_with_long_lines(tmp_path):
    line = ("word " * 20_000).strip() + ".\n"  # 100 kB lines
    with open(tmp_path / "huge.txt", "w") as f:
        for _ in range(500):
            f.write(line)
    assert INGEST.max_file_bytes == 20 * 1024 * 1024
    doc, problems = one([tmp_path / "huge.txt"])
    assert problems[0].action.startswith("truncated at") and len(doc.text) <= INGEST.max_file_bytes


def test_extremely_long_line(tmp_path):
    raw = "word " * 400_000 + "end."
    (tmp_path / "long.txt").write_text(raw)
    doc, problems = one([tmp_path / "long.txt"])
    assert problems == [] and doc.text == raw.strip()


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
def test_unreadable_file_and_directory(folder):
    secret = folder / "secret.txt"
    secret.write_text("You cannot read this file.")
    locked = folder / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text("Nor this one.")
    secret.chmod(0)
    locked.chmod(0)
    try:
        if os.access(secret, os.R_OK):
            pytest.skip("running with privileges that read any file (root)")
        docs, problems = load_paths([folder])
        assert [d.text for d in docs] == [GOOD]
        assert "cannot read" in _problem(problems, "secret.txt").reason
        assert "cannot list directory" in _problem(problems, "locked").reason
    finally:
        secret.chmod(0o644)
        locked.chmod(0o755)


def test_symlinks_dangling_and_looping(folder):
    (folder / "dangling.txt").symlink_to(folder / "missing.txt")
    sub = folder / "sub"
    sub.mkdir()
    (sub / "inner.md").write_text("Inner file with a full sentence in it.")
    (sub / "loop").symlink_to(folder, target_is_directory=True)
    docs, problems = load_paths([folder])
    assert sorted(d.id for d in docs) == ["good.txt", "sub/inner.md"]
    assert "dangling symlink" in _problem(problems, "dangling.txt").reason
    assert "symlink loop" in _problem(problems, "loop").reason
    docs, problems = load_paths([folder / "dangling.txt"])
    assert docs == [] and problems[0].reason == "dangling symlink"


def test_unknown_extensions(folder):
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    (folder / ".hidden.txt").write_text("Hidden files are not articles.")
    docs, problems = load_paths([folder])
    assert [d.id for d in docs] == ["good.txt"] and problems == []
    docs, problems = load_paths([folder / "notes.pdf", folder / "nowhere.txt"])
    assert docs == []
    assert "unsupported file type '.pdf'" in problems[0].reason
    assert problems[1].reason == "no such file or directory"


def test_ids_sorted_unique_and_deterministic(tmp_path):
    for name in ("b", "a"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "story.txt").write_text(f"Story from folder {name}, told in full.")
    (tmp_path / "a" / "z").mkdir()
    (tmp_path / "a" / "z" / "deep.md").write_text("Deep story, told in full.")
    (tmp_path / "a" / "y.txt").write_text("Another story, told in full.")
    docs, problems = load_paths([tmp_path / "a", tmp_path / "b", tmp_path / "a" / "y.txt"])
    assert [d.id for d in docs] == ["story.txt", "y.txt", "z/deep.md", "story.txt~2"]
    assert "duplicate id 'story.txt'" in problems[0].reason
    assert problems[0].action == "renamed to 'story.txt~2'"
    assert "same file" in problems[1].reason and problems[1].action == "skipped"
    again = load_paths([tmp_path / "a", tmp_path / "b", tmp_path / "a" / "y.txt"])
    assert again == (docs, problems)


# --- corpus-level chrome ----------------------------------------------------------------------------


def test_remove_repeated_lines():
    chrome = "Follow the Courier on Mastodon"
    reused = "The minister said the deal would be signed within weeks, officials confirmed on Monday."
    wire = "Prices rose for the third month in a row, the statistics office said in its report."
    docs, raws = [], []
    for i in range(8):
        lines = [f"Story number {i} starts with its own words and a full stop."]
        if i < 5:
            lines.append(chrome)
        if i < 2:
            lines.append(reused)
        if i < 6:
            lines.append(wire)
        lines.append(f"It ends with a closing line of its own, number {i}.")
        raws.append("\n\n".join(lines))
        docs.append(load_text(raws[-1], id=f"d{i}"))
    out = remove_repeated_lines(docs)
    assert [d.id for d in out] == [d.id for d in docs]
    for i, d in enumerate(out):
        assert chrome not in d.text
        assert (reused in d.text) == (i < 2)  # two documents sharing a line: reuse, kept
        assert (wire in d.text) == (i < 6)  # a sentence many documents share: wire copy, kept
        assert f"Story number {i}" in d.text and f"number {i}." in d.text
        assert_segments(d, raws[i])
    assert remove_repeated_lines(docs, min_docs=2) == remove_repeated_lines(docs, min_docs=3)
    assert remove_repeated_lines(docs[:2]) == docs[:2]


# --- offsets, property-tested -------------------------------------------------------------------

LINES = st.one_of(
    st.sampled_from([
        "Home News Sport Business World Video Live",
        "1 day ago", "2 hrs ago | Politics", "Related", "Share this:", "Like Loading...",
        "Copyright 2025 Example News. All rights reserved.", "By Jane Doe", "ADVERTISEMENT",
        "- <u>Live coverage of this story</u>", "- Why does it matter?", "* * *",
        "The minister said the plan would go ahead despite the objections.",
        "“We are ready,” she said, “and we will not wait.”",
        "Prices rose by 4% in March, the [office](https://stats.example/x) said.",
        "An image ![alt text](pic.png) sits in this line with _emphasis_ and &amp; entities.",
        "Tags <b>bold</b> and <a href='x'>links</a> in running text, like this.",
        "a line in lower case that continues the sentence above it",
        "Headline Of The Day With Capitals",
        "---", "title: A front matter line", "",
    ]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINES, max_size=25), ends=st.lists(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]),
                                                           min_size=1, max_size=4),
       kind=st.sampled_from(["txt", "md"]))
def test_segments_map_text_back_to_raw(lines, ends, kind):
    raw = "".join(line + ends[i % len(ends)] for i, line in enumerate(lines))
    try:
        doc = load_text(raw, id="h", kind=kind)
    except InputError:
        return  # nothing but whitespace, markup or chrome
    assert_segments(doc, raw)
    for d in remove_repeated_lines([doc, doc, doc]):
        assert_segments(d, raw)
    for at in range(0, len(doc.text) + 1, 7):
        assert 0 <= doc.raw_offset(at) <= len(raw)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300))
def test_decode_never_crashes(data):
    try:
        text, note = decode(data)
    except Exception as exc:  # only the documented "binary" refusal
        assert "binary" in str(exc)
        return
    assert isinstance(text, str)
    if note is None and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        assert text == data.decode("utf-8")


def test_read_errors_as_any_user(folder, monkeypatch):
    """The same failures without relying on file modes (root reads everything)."""
    import provenance.ingest.files as documents

    (folder / "broken.txt").write_text("Never read.")
    (folder / "shut").mkdir()
    (folder / "shut" / "x.txt").write_text("Never listed.")
    os.mkfifo(folder / "pipe.txt")
    real_open, real_scandir = open, os.scandir

    def fake_open(path, *args, **kwargs):
        if str(path).endswith("broken.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def fake_scandir(path):
        if str(path).endswith("shut"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(documents, "open", fake_open, raising=False)
    monkeypatch.setattr(documents.os, "scandir", fake_scandir)
    docs, problems = load_paths([folder])
    assert [d.text for d in docs] == [GOOD]
    assert _problem(problems, "broken.txt").reason == "cannot read (Permission denied)"
    assert _problem(problems, "shut").reason == "cannot list directory (Permission denied)"
    assert _problem(problems, "pipe.txt").reason == "not a regular file"


def test_bad_files_do_not_change_the_good_ones(folder):
    before = load_paths([folder])[0]
    (folder / "zero.txt").write_bytes(b"\x00" * 100)
    (folder / "feed.jsonl").write_text("{broken\n")
    (folder / "page.html").write_text("<html>" * 1000)
    after, problems = load_paths([folder])
    assert after == before and len(problems) == 3


FUZZ_PIECES = [
    "Home News Sport Business World Video Live", "1 day ago", "Related", "Share this:",
    "- [Link](http://x.y)", "The minister said the plan would go ahead.", "“Quoted,” she said.",
    "<b>bold</b>", "&amp;", "&#xD800;",
    "![i](p.png)", "---", "title: T", "* * *", "_x_", "\\*", "<!-- c", "-->", "[a][b]", "[b]: http://z",
    "\t", " ", "\u2028", "\x85", "\x00", "\ufeff", "é", "𝔘𝔫𝔦", "\U0001F600", "Ｆｕｌｌ",
    "a" * 300,
]


@pytest.mark.slow
def test_fuzz_ten_thousand_inputs(tmp_path):
    """10,000 generated inputs through decoding and the txt/md/jsonl loaders: no crash, offsets right."""
    import random

    rng = random.Random(20250224)
    seeds = [raw_of(p).encode() for p in sorted(NEWS.glob("*.txt"))] + [(DATA / "blog_save.md").read_bytes()]
    for i in range(10_000):
        mode = i % 4
        if mode == 0:  # raw bytes, mutated seed files included
            data = bytearray(rng.choice(seeds)[: rng.randrange(1, 2000)])
            for _ in range(rng.randrange(0, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            try:
                text, _ = decode(bytes(data))
            except Exception as exc:
                assert "binary" in str(exc)
                continue
        else:  # text built from awkward pieces and line endings
            text = "".join(rng.choice(FUZZ_PIECES) + rng.choice(["\n", "\r\n", "\r", "", " "])
                           for _ in range(rng.randrange(0, 30)))
        if mode == 3:
            record = json.dumps({"id": i, "text": text, "published": text[:20], "title": text[:10]})
            (tmp_path / "f.jsonl").write_text(record + "\n" + text[:50].replace("\n", " ") + "\n")
            docs, problems = load_paths([tmp_path / "f.jsonl"])
            for d in docs:
                assert_segments(d, text)
            continue
        try:
            doc = load_text(text, id=str(i), kind="md" if mode == 2 else "txt")
        except InputError:
            continue
        assert_segments(doc, text)


@pytest.mark.slow
def test_fuzz_html(no_network):
    """Mutated and truncated pages through trafilatura: a document or a clear refusal, never a crash."""
    import random

    rng = random.Random(7)
    page = (DATA / "article.html").read_text()
    for i in range(150):
        chars = list(page[: rng.randrange(1, len(page) + 1)])
        for _ in range(rng.randrange(0, 40)):
            junk = rng.choice(["<", ">", "</p>", "<div>", "&", '"', "\x00", "<script>", "é", "\n"])
            chars.insert(rng.randrange(len(chars) + 1), junk)
        html = "".join(chars)
        try:
            doc = load_text(html, id=str(i), kind="html")
        except InputError:
            continue
        assert_segments(doc, html)


def test_jsonl_that_is_not_jsonl_is_given_up(tmp_path):
    (tmp_path / "dump.jsonl").write_bytes(b"not json\n" * 1000)
    docs, problems = load_paths([tmp_path / "dump.jsonl"])
    assert docs == [] and len(problems) == 21
    assert problems[-1].action == "rest of the file skipped"


def test_a_line_on_many_pages_of_one_site_is_its_boilerplate():
    blurb = ("Get the best of the Courier in your inbox every morning with our free newsletter, "
             "written by the editors.")
    stories = ["The bridge on Mill Road closes for repairs from Monday, the council said.",
               "A bakery that opened in 1890 has been sold to its staff, who will keep the name.",
               "Floodwater reached the station car park overnight and the first trains were cancelled.",
               "The school choir won the regional final with a song written by two pupils."]
    docs = []
    for i, story in enumerate(stories):
        site = "courier.example" if i < 3 else "gazette.example"
        docs.append(replace(load_text(f"{story}\n\n{blurb}", id=f"d{i}"), url=f"https://www.{site}/news/{i}"))
    out = remove_repeated_lines(docs)
    for i, d in enumerate(out):
        assert stories[i] in d.text
        assert (blurb in d.text) == (i == 3)  # three pages of one site: its furniture; the other site's page keeps it
    # the same line on three pages of three different sites is what reprinted wire copy looks like: kept
    spread = [replace(d, url=f"https://site{i}.example/x") for i, d in enumerate(docs)]
    assert all(blurb in d.text for d in remove_repeated_lines(spread))


_CHUNKED = """<html><head><title>Harbour plan</title></head><body>
<main><div class="article__chunks">
<div class="grid"><div class="article__body">
<p>The harbour authority approved the new ferry terminal on Tuesday after two years of argument.</p>
<p>Residents of the east quay had objected to the terminal's height and to the traffic it would bring.</p>
</div><aside class="ad">Advertisement</aside></div>
<div class="grid"><div class="article__body">
<p>The terminal will be paid for from harbour landing fees over twenty years, the authority said.</p>
<p>Work on the terminal is due to begin in the spring, with the first ferry sailings a year later.</p>
</div></div>
<div class="grid"><div class="article__body">
<p>Sign up for our newsletter to get the best stories delivered to your inbox every single week.</p>
</div></div>
</div></main>
<div class="article__body"><p>Residents of the harbour towns can read every ferry terminal story in our archive.</p></div>
</body></html>"""


def test_html_article_cut_into_chunks_is_read_whole(no_network):
    """A site that cuts an article into elements of one class with advertisements between them:
    the later chunks are read, not a same-class newsletter box or a distant element of the class."""
    from provenance.ingest.html import _with_later_chunks, extract_html

    first = ("The harbour authority approved the new ferry terminal on Tuesday after two years of argument.\n"
             "Residents of the east quay had objected to the terminal's height and to the traffic it would bring.")
    whole = _with_later_chunks(_CHUNKED, first)
    assert whole.startswith(first) and "paid for from harbour landing fees" in whole and "first ferry sailings" in whole
    assert "newsletter" not in whole and "archive" not in whole
    # a paragraph trafilatura kept already, joined into a longer line, is not added again
    joined = first + "\n" + whole.split("\n", 2)[2].replace("\n", " ")
    assert _with_later_chunks(_CHUNKED, joined) == joined
    assert "first ferry sailings" in extract_html(_CHUNKED)[0].text  # whatever trafilatura keeps itself
