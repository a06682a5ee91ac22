"""One question, one answer: byte-identical reports across runs, hash seeds and input order."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from provenance.engines.local import scan
from provenance.report import render


def _scan_json(path, seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-c", "from provenance.cli.app import main; main()", "scan", str(path), "-f", "json"],
        env=env, capture_output=True, check=True,
    )
    return out.stdout


def test_same_inputs_give_byte_identical_json_across_processes(news_dir):
    assert _scan_json(news_dir, "1") == _scan_json(news_dir, "12345")


def test_file_names_not_discovery_order_decide_the_result(news_dir, tmp_path):
    # The same files copied in reverse order (different inode and directory order).
    for f in sorted(news_dir.glob("*.txt"), reverse=True):
        shutil.copy(f, tmp_path / f.name)
    moved, original = scan([tmp_path]), scan([news_dir])
    assert render(moved, "json").replace(str(tmp_path), "DIR") == render(original, "json").replace(
        str(news_dir), "DIR"
    )


def test_large_families_are_identical_across_hash_seeds():
    """Clough-Stevenson's families have ten and more members, so every pair's direction sums
    votes from many others: no part of it may depend on set iteration order."""
    clough = os.path.join(os.path.dirname(__file__), "..", "corpus", "clough-stevenson-dev")
    assert _scan_json(clough, "1") == _scan_json(clough, "777")
