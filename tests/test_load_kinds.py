"""Loading by input kind: a JSONL record is an article's text, so the web-page cleaner never runs on it.

Saved web pages (.txt, .md) still go through the page-chrome cleaner (their navigation and
share lines must go); a crawler's or a dataset's JSONL records already hold the extracted
text, and running the page cleaner on each cost most of a JSONL corpus's load time.
"""

from __future__ import annotations

import json

from provenance.ingest import files, page_chrome

PAGE = (
    "Skip to content\nHome\nNews\nSport\nWeather\n\n"
    "Harbour ferry returns after repairs\n\n"
    "The harbour ferry will run again from Saturday after six weeks in dry dock, the port authority said, "
    "with an extra evening crossing on Fridays through the summer.\n\n"
    "Engineers replaced both propeller shafts and a steering pump that failed in April, stranding forty "
    "passengers for an afternoon.\n\n"
    "Share this article\nRelated stories\nMore from News\n"
)


def test_jsonl_records_skip_the_page_cleaner(tmp_path, monkeypatch):
    calls = []
    real = page_chrome.clean_page
    monkeypatch.setattr(files, "clean_page", lambda *a, **k: calls.append(1) or real(*a, **k))
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    records = [{"id": f"r{i}", "text": PAGE.split("\n\n", 2)[2]} for i in range(5)]
    (tmp_path / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    docs, problems = files.load_paths([tmp_path])
    assert not problems and len(docs) == 6
    assert len(calls) == 1, "the cleaner runs on the saved page only"
    page = next(d for d in docs if d.id == "page.txt")
    assert "Skip to content" not in page.text and "propeller shafts" in page.text
    record = next(d for d in docs if d.id.endswith("#r0"))
    assert record.text == records[0]["text"].strip()
