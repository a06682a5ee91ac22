"""Shared fixtures: the bundled corpora."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT / "corpus" / "news"
CLOUGH = ROOT / "corpus" / "clough-stevenson-dev"




@pytest.fixture(scope="session")
def news_dir() -> Path:
    return NEWS


@pytest.fixture(scope="session")
def clough_dir() -> Path:
    if not CLOUGH.exists():
        pytest.skip("corpus/clough-stevenson-dev is not present")
    return CLOUGH


@pytest.fixture(scope="session")
def clough_labels(clough_dir) -> dict[str, tuple[str, str]]:
    """file name -> (task, category) for the Clough-Stevenson development data."""
    with open(clough_dir / "file_information.csv", newline="") as fh:
        return {r["File"]: (r["Task"], r["Category"]) for r in csv.DictReader(fh)}
