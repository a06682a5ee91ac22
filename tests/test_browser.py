"""The HTML report in a real browser: headless Chromium opens it at 800 px and takes screenshots.

Skipped when no Chromium is found (`.ci/run` installs Debian's). Screenshots are kept in
tests/artifacts/ (git-ignored) for a person to look at: corpus/news, a scan of Reuters wire
articles (when ../shared/data holds them) and a check with a PASS and a BLOCK draft.

What the browser itself shows is read back from its DOM: a probe added to a copy of the
report (never to the report itself) clicks the pairs table's "reused" heading, types into
its filter and records the page's scroll width after the report's own script has run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import provenance
from provenance.cli.app import app
from provenance.report import render

ROOT = Path(__file__).resolve().parents[1]
NEWS = ROOT / "corpus" / "news"
REUTERS = ROOT.parent / "shared" / "data" / "reuters-21578" / "reuters21578.jsonl"
ARTIFACTS = ROOT / "tests" / "artifacts"
REUTERS_DOCS = 3000  # the "3,000-document scan": about 30 s of scan and 10 s of browser here
runner = CliRunner()

PROBE = """<script>
window.addEventListener("load", function () {
  var out = {};
  var heads = document.querySelectorAll("#pairs thead th");
  var rows = function () { return Array.prototype.map.call(document.querySelectorAll("#pairs tbody tr"),
      function (r) { return r.cells[4].getAttribute("data-v"); }); };
  heads[4].click(); out.up = rows().join(","); heads[4].click(); out.down = rows().join(",");
  var f = document.getElementById("filter"); f.value = "quote-only"; f.dispatchEvent(new Event("input"));
  out.shown = Array.prototype.filter.call(document.querySelectorAll("#pairs tbody tr"),
      function (r) { return r.style.display !== "none"; }).length;
  out.width = document.documentElement.scrollWidth;
  document.body.setAttribute("data-probe", JSON.stringify(out));
});
</script>"""


def _chromium() -> str | None:
    return next((found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))), None)


pytestmark = pytest.mark.skipif(_chromium() is None, reason="no Chromium: apt-get install chromium")


def _browse(html: str, name: str) -> dict:
    """Screenshot `html` at 800 px into tests/artifacts/NAME.png; the probe's findings from the DOM."""
    import json

    ARTIFACTS.mkdir(exist_ok=True)
    page = ARTIFACTS / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    probed = ARTIFACTS / f"{name}.probe.html"
    probed.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    flags = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=800,1600"]
    shot = ARTIFACTS / f"{name}.png"
    subprocess.run([*flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000
    dom = subprocess.run([*flags, "--virtual-time-budget=3000", "--dump-dom", probed.as_uri()],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, "the report's page did not load in the browser"
    return json.loads(found.group(1).replace("&quot;", '"'))


def _check_navigation(html: str, probe: dict, pairs: int, quote_only: int) -> None:
    assert probe["width"] <= 800, "the page overflows an 800 px window"
    up = [float(x) for x in probe["up"].split(",")]
    assert up == sorted(up) and [float(x) for x in probe["down"].split(",")] == sorted(up, reverse=True)
    assert len(up) == pairs and probe["shown"] == quote_only
    assert "<svg" in html and re.search(r'<sup><a href="#p1-1b">1</a></sup>', html)
    families = html.count('<section class="family"')
    assert html.count('<li><a href="#family-') == families  # the list at the top reaches every family
    # ...and a long list starts folded, so the first screen shows the first families and their graphs
    assert ('<details class="families" open>' in html) == (families <= 40)


def test_news_report_in_a_browser():
    result = provenance.scan([NEWS])
    html = render(result, "html")
    probe = _browse(html, "news")
    _check_navigation(html, probe, len(result.pairs), sum(p.verdict == "quote-only" for p in result.pairs))


@pytest.mark.skipif(not REUTERS.exists(), reason="Reuters-21578 JSONL not present")
def test_reuters_scan_report_in_a_browser(tmp_path):
    with open(REUTERS, encoding="utf-8") as f:
        lines = [next(f) for _ in range(REUTERS_DOCS)]
    (tmp_path / "wire.jsonl").write_text("".join(lines), encoding="utf-8")
    result = provenance.scan([tmp_path / "wire.jsonl"])
    assert result.families  # wire copy files one story several times
    html = render(result, "html")
    probe = _browse(html, "reuters")
    _check_navigation(html, probe, len(result.pairs), sum(p.verdict == "quote-only" for p in result.pairs))


def test_check_report_in_a_browser(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "published").mkdir()
    for p in sorted(NEWS.glob("00[13]_*.txt")):
        (tmp_path / "published" / p.name).write_bytes(p.read_bytes())
    assert runner.invoke(app, ["index", "add", "published"]).exit_code == 0
    (tmp_path / "copy.txt").write_bytes(next(NEWS.glob("002_*.txt")).read_bytes())
    (tmp_path / "own.txt").write_text("The council met on Tuesday and agreed a budget for the new library.\n")
    r = runner.invoke(app, ["check", "copy.txt", "own.txt", "-f", "html"])
    assert r.exit_code == 1
    html = r.stdout
    assert re.search(r'<span class="block">BLOCK</span> copy.txt: reuses <a href="#pair-1">published/001', html)
    assert '<span class="pass">PASS</span> own.txt: nothing shared with the index' in html
    probe = _browse(html, "check")
    assert probe["width"] <= 800
