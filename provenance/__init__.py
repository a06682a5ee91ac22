"""provenance: find text reuse in news-like prose and say which text is the likely origin."""

from provenance.errors import ProvenanceError
from provenance.fingerprint.minhash import minhash, minhashes, shingle_hash, shingles
from provenance.settings import DEFAULT_CONFIG, SketchConfig

__all__ = [
    "DEFAULT_CONFIG",
    "ProvenanceError",
    "SketchConfig",
    "minhash",
    "minhashes",
    "shingle_hash",
    "shingles",
]
__version__ = "0.1.0"
