"""The installed version, read from the package metadata (one source: pyproject.toml).

Read on first use: importing `importlib.metadata` costs start-up that the pre-commit hook
should not pay for a line report.
"""

from __future__ import annotations

from functools import cache


@cache
def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # stdlib, deferred (see above)

    try:
        return version("provenance")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"
