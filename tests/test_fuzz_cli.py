"""Whatever a crawler brings back, the CLI answers: every file is a document or a named problem."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
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


# --- the command line itself: odd file names, random bytes, bad options and values --------------

_NAME = st.text(alphabet=st.sampled_from(list("ab[/]=+@-_ .\n\t\x1b\x7f\\é中\u202e") + ["\udcff", "\udc80"]),
                min_size=1, max_size=12).map(lambda s: s.replace("/", "_")).filter(lambda s: s not in (".", ".."))
_VALUE = st.one_of(
    st.sampled_from(["json", "jsonl", "csv", "line", "table", "html", "xml", "", "-1", "0", "16", "64", "128",
                     "99999999999999999999", "nan", "copy", "never", "local", "dask", "threads", "-", "--"]),
    st.integers(-5, 5000).map(str),
    _NAME,
)
_REPORT = ["-f", "-o", "--fail-on", "--top"]
_COMMANDS = {  # each command with the options it takes (valued, then flags); any of them also gets a wrong one
    ("scan",): (_REPORT + ["--k", "--num-perm", "--engine", "--scheduler", "--work-dir", "--max-file-size"],
                ["--exit-zero", "-v", "--include-independent"]),
    ("compare",): (_REPORT, ["--exit-zero", "-v"]),
    ("check",): (_REPORT + ["--index", "--max-candidates"], ["--exit-zero", "-v"]),
    ("index", "add"): (["--index", "--batch-size", "--winnow", "--bands", "--as"], ["--replace", "--progress"]),
    ("index", "stats"): (["--index"], ["--json"]),
    ("index", "list"): (["--index"], ["--json"]),
    ("index", "show"): (["--index"], []),
    ("index", "remove"): (["--index"], []),
    ("index", "rebuild"): (["--index"], []),
}
_WHERE = ["{root}", "{root}/out", "{root}/no/such/dir/out", "/dev/null", "{root}/f0.txt", "{index}",
          "redis://127.0.0.1:1/0?timeout=0.2", "memory://fuzz", "nosuch://x", "/proc/version"]


@st.composite
def _invocations(draw):
    files = draw(st.lists(st.tuples(_NAME, st.sampled_from([".txt", ".md", ".html", ".jsonl", ""]),
                                    st.one_of(st.binary(max_size=200), PROSE.map(str.encode))), min_size=1, max_size=3))
    command = draw(st.sampled_from(sorted(_COMMANDS)))
    valued, flags = _COMMANDS[command]
    argv = list(command)
    for _ in range(draw(st.integers(0, 2))):
        option = draw(st.sampled_from(valued + ["--bogus"] if draw(st.integers(0, 9)) == 0 else valued))
        where = option in ("-o", "--work-dir", "--index")
        argv += [option, draw(st.sampled_from(_WHERE)) if where and draw(st.booleans()) else draw(_VALUE)]
    argv += draw(st.lists(st.sampled_from(flags), max_size=2)) if flags else []
    return files, argv, draw(st.integers(1, 3))


@pytest.fixture(scope="module")
def fuzz_index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fuzzindex") / "news.db"
    news = Path(__file__).resolve().parents[1] / "corpus" / "news"
    assert runner.invoke(app, ["index", "add", str(news), "--index", str(path)]).exit_code == 0
    return path


def test_the_command_line_never_crashes_on_odd_names_bytes_and_options(fuzz_index):
    """Random invocations of every command through the real entry's code (`cli.main._run`, so the
    fast check path too), without the catch-all that turns a crash into exit 2: no exception but
    SystemExit, exit 0 or 2 (a failure names itself on stderr), and exit 1 only for a check that
    found something."""
    from provenance.cli.main import _run

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_invocations())
    def run(invocation):
        files, argv, inputs = invocation
        root = Path(tempfile.mkdtemp())
        here = os.getcwd()
        os.chdir(root)  # a default index or a relative -o lands here, never in the checkout
        try:
            paths = []
            for i, (name, ext, data) in enumerate(files):
                path = root / f"f{i}{name}{ext}"
                path.write_bytes(data)
                paths.append(str(path))
            (root / "f0.txt").write_text("a draft", encoding="utf-8")
            argv = [a.format(root=root, index=fuzz_index) for a in argv]
            takes = {"compare": 2, "show": 1}.get(argv[0] if argv[0] != "index" else argv[1], inputs)
            argv += paths[:takes] * (1 + (len(paths) < takes)) if argv[0] != "index" or argv[1] in (
                "add", "show", "remove") else []
            if argv[:1] == ["check"] and "--index" not in argv:
                argv += ["--index", str(fuzz_index)]
            with runner.isolation() as (out, err, _):
                try:
                    code = _run(argv)
                except SystemExit as exc:
                    code = exc.code
                sys.stderr.flush()
                stderr = err.getvalue().decode("utf-8", "replace")
            event(f"{argv[0]} exit {code}")
            assert code in (None, 0, 1, 2), (argv, code, stderr)
            if code == 2:
                assert stderr.strip(), argv  # a failure says what to do
            if code == 1:
                assert argv[0] == "check" and "error" not in stderr, (argv, stderr)
            assert "Traceback" not in stderr and "unexpected" not in stderr, (argv, stderr)
        finally:
            os.chdir(here)
            shutil.rmtree(root)

    run()
