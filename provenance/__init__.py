"""provenance: find text reuse in news-like prose and say which text is the likely origin.

    import provenance

    result = provenance.scan(["corpus/news"])          # ScanResult: documents, pairs, families, problems
    pair = provenance.compare("a.txt", "b.txt")        # one pair verified directly, with its family
    checked = provenance.check(["draft.md"])           # drafts against the index (.provenance/index.sqlite)
    provenance.minhash(text)                           # datasketch LeanMinHash, bit-identical, faster

Stages, in pipeline order, are the subpackages: `ingest`, `text`, `fingerprint`, `candidates`,
`verify`, `origin`, `index`, `engines`, `report`, `cli`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from provenance.version import package_version

if TYPE_CHECKING:  # the names as static analysis sees them; at run time they load on first use
    from provenance.engines.check import CheckResult, check, check_documents
    from provenance.engines.dask import scan_dask
    from provenance.engines.local import ScanOptions, compare, compare_documents, scan, scan_documents
    from provenance.errors import (
        ConfigError,
        ConfigMismatchError,
        EmptyTextError,
        IndexError_,
        InputError,
        MissingExtraError,
        ProvenanceError,
    )
    from provenance.fingerprint.minhash import minhash, minhashes, shingle_hash, shingles
    from provenance.index import open_index
    from provenance.model import Document, Edge, Evidence, Family, Pair, Passage, Problem, ScanResult
    from provenance.settings import DEFAULT_CONFIG, SketchConfig

# name -> the module that defines it. Loaded on first use, so that `python -m provenance.cli.hook`
# and `provenance --help` pay only for the stages they run.
_EXPORTS = {
    "CheckResult": "provenance.engines.check",
    "check": "provenance.engines.check",
    "check_documents": "provenance.engines.check",
    "ScanOptions": "provenance.engines.local",
    "scan_dask": "provenance.engines.dask",
    "compare": "provenance.engines.local",
    "compare_documents": "provenance.engines.local",
    "scan": "provenance.engines.local",
    "scan_documents": "provenance.engines.local",
    "ConfigError": "provenance.errors",
    "ConfigMismatchError": "provenance.errors",
    "EmptyTextError": "provenance.errors",
    "IndexError_": "provenance.errors",
    "InputError": "provenance.errors",
    "MissingExtraError": "provenance.errors",
    "ProvenanceError": "provenance.errors",
    "minhash": "provenance.fingerprint.minhash",
    "minhashes": "provenance.fingerprint.minhash",
    "shingle_hash": "provenance.fingerprint.minhash",
    "shingles": "provenance.fingerprint.minhash",
    "open_index": "provenance.index",
    "Document": "provenance.model",
    "Edge": "provenance.model",
    "Evidence": "provenance.model",
    "Family": "provenance.model",
    "Pair": "provenance.model",
    "Passage": "provenance.model",
    "Problem": "provenance.model",
    "ScanResult": "provenance.model",
    "DEFAULT_CONFIG": "provenance.settings",
    "SketchConfig": "provenance.settings",
}

__all__ = [
    "__version__",
    "CheckResult",
    "ConfigError",
    "ConfigMismatchError",
    "DEFAULT_CONFIG",
    "Document",
    "Edge",
    "EmptyTextError",
    "Evidence",
    "Family",
    "IndexError_",
    "InputError",
    "MissingExtraError",
    "Pair",
    "Passage",
    "Problem",
    "ProvenanceError",
    "ScanOptions",
    "ScanResult",
    "SketchConfig",
    "check",
    "check_documents",
    "compare",
    "compare_documents",
    "minhash",
    "minhashes",
    "open_index",
    "scan",
    "scan_dask",
    "scan_documents",
    "shingle_hash",
    "shingles",
]


def __getattr__(name: str):
    if name == "__version__":
        return package_version()
    if name not in _EXPORTS:
        raise AttributeError(f"module 'provenance' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
