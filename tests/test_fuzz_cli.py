"""Whatever a crawler brings back, the CLI answers: every file is a document or a named problem."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from provenance.cli.app import app

runner = CliRunner()

PROSE = st.text(
    alphabet=st.sampled_from(list("abcdefghij KLMNOP.,;!?\n\t\"“”‘’«»—-éßΩ中\u0301\u200b<>&#")), max_size=400
)
HTML = st.builds(
    lambda body, n: "<html><head><title>t</title><script>x()</script></head><body>"
    + "<div>" * n + f"<p>{body}</p>" + "</div>" * (n // 2),
    PROSE,
    st.integers(0, 60),
)
JSONL = st.lists(
    st.one_of(
        st.builds(lambda t, i: json.dumps({"id": i, "text": t}), PROSE, st.integers(0, 3)),
        st.builds(lambda t: json.dumps({"title": t}), PROSE),
        st.text(max_size=40),
        # what crawlers also emit: strings cut mid surrogate pair, and nesting past any recursion limit
        st.builds(lambda t, c: '{"id": "s\\ud800", "text": ' + json.dumps(t)[:-1] + f' \\u{c:04x}"}}',
                  PROSE, st.integers(0xD800, 0xDFFF)),
        st.integers(1, 60_000).map(lambda n: "[" * n + "]" * n),
    ),
    max_size=5,
).map("\n".join)
FILES = st.lists(
    st.one_of(
        st.tuples(st.sampled_from([".txt", ".md"]), PROSE.map(lambda s: s.encode("utf-8"))),
        st.tuples(st.sampled_from([".txt", ".md"]), PROSE.map(lambda s: s.encode("utf-16"))),
        st.tuples(st.sampled_from([".txt", ".md", ".html"]), st.binary(max_size=300)),
        st.tuples(st.just(".html"), HTML.map(lambda s: s.encode("utf-8"))),
        st.tuples(st.just(".jsonl"), JSONL.map(lambda s: s.encode("utf-8"))),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FILES)
def test_scan_never_crashes_and_accounts_for_every_file(files):
    root = Path(tempfile.mkdtemp())
    try:
        names = []
        for i, (ext, data) in enumerate(files):
            (root / f"f{i}{ext}").write_bytes(data)
            names.append(f"f{i}{ext}")
        res = runner.invoke(app, ["scan", str(root), "-f", "json"])
        assert res.exit_code == 0, (res.output, res.exception)
        assert "Traceback" not in res.stderr
        data = json.loads(res.stdout)
        seen = {d["id"].split("#")[0] for d in data["documents"]} | {Path(p["path"]).name.split(":")[0] for p in data["problems"]}
        assert set(names) <= seen
        for pair in data["pairs"]:
            assert pair["verdict"] in ("copy", "quote-only")
    finally:
        shutil.rmtree(root)


@settings(max_examples=100, deadline=None)
@given(PROSE, PROSE)
def test_compare_never_crashes(a, b):
    root = Path(tempfile.mkdtemp())
    try:
        (root / "a.txt").write_text(a)
        (root / "b.txt").write_text(b)
        res = runner.invoke(app, ["compare", str(root / "a.txt"), str(root / "b.txt"), "-f", "json"])
        assert res.exit_code in (0, 2), (res.output, res.exception)
        if res.exit_code == 2:
            assert "provenance: error:" in res.stderr
        else:
            assert len(json.loads(res.stdout)["pairs"]) == 1
    finally:
        shutil.rmtree(root)
