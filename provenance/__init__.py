"""provenance: find text reuse in news-like prose and say which text is the likely origin.

    import provenance

    result = provenance.scan(["corpus/news"])          # ScanResult: documents, pairs, families, problems
    pair = provenance.compare("a.txt", "b.txt")        # one pair verified directly, with its family
    checked = provenance.check(["draft.md"])           # drafts against the index (.provenance/index.sqlite)
    provenance.minhash(text)                           # datasketch LeanMinHash, bit-identical, faster

Stages, in pipeline order, are the subpackages: `ingest`, `text`, `fingerprint`, `candidates`,
`verify`, `origin`, `index`, `engines`, `report`, `cli`.
"""

from provenance.engines.check import CheckResult, check, check_documents
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
from provenance.version import __version__

__all__ = [
    "__version__",
    "DEFAULT_CONFIG",
    "CheckResult",
    "ConfigError",
    "ConfigMismatchError",
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
    "scan_documents",
    "shingle_hash",
    "shingles",
]
