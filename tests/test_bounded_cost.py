"""No input costs more than linear time: inputs that a quadratic pattern would take hours on.

Each case runs in a subprocess with a deadline far above what linear work needs (well
under a second here) and far below what rescanning from every bracket would take (a
1 MB run of "[" took about two hours before the Markdown patterns were bounded).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

MB = 1_000_000
CASES = {
    "a run of [": "'[' * MB",
    "a run of ![": "'![' * (MB // 2)",
    "open links [a](x": "'[a](x' * (MB // 5)",
    "reference links [a]": "'[a]' * (MB // 3)",
    "backticks before an unclosed <": "'`x' * (MB // 4) + '<' + 'y' * (MB // 2)",
}


@pytest.mark.parametrize("kind", ["txt", "md"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_markup_heavy_text_loads_in_linear_time(case, kind):
    code = (
        "from provenance.ingest.files import load_text\n"
        f"MB = {MB}\n"
        f"doc = load_text('A story begins. ' + {CASES[case]} + ' It ends.', id='x', kind={kind!r})\n"
        "assert 'story' in doc.text and 'ends' in doc.text\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
