"""provenance: find text reuse in news-like prose and say which text is the likely origin."""

from .config import DEFAULT_CONFIG, SketchConfig
from .errors import ProvenanceError
from .sketch import minhash, minhashes, shingle_hash, shingles

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
