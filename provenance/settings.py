"""The frozen configuration that determines every signature.

Its string form is a fingerprint stored with everything produced under it, so an
index built with one configuration refuses queries made with another.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.errors import ConfigMismatchError

NORMALIZER_VERSION = "nfkc-casefold-1"
"""Bumped whenever text normalisation or tokenisation changes what a token is."""

TOKEN_HASH_VERSION = "chunk64-fmix-1"
"""Bumped whenever the token or shingle hash changes."""


@dataclass(frozen=True, slots=True)
class SketchConfig:
    """How texts become MinHash signatures.

    k: words per shingle. num_perm: permutations per signature. seed: datasketch's
    permutation seed. scheme: datasketch's permutation scheme (only affine32).
    """

    k: int = 5
    num_perm: int = 128
    seed: int = 1
    scheme: str = "affine32"
    normalizer: str = NORMALIZER_VERSION
    token_hash: str = TOKEN_HASH_VERSION

    def __post_init__(self) -> None:
        if not 1 <= self.k <= 64:
            raise ValueError(f"k must be between 1 and 64, got {self.k}")
        if not 1 <= self.num_perm <= 4096:
            raise ValueError(f"num_perm must be between 1 and 4096, got {self.num_perm}")
        if not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be a 32-bit unsigned integer, got {self.seed}")
        if self.scheme != "affine32":
            raise ValueError(f"only the datasketch 'affine32' scheme is supported, got {self.scheme!r}")

    @property
    def fingerprint(self) -> str:
        """Every field that changes a signature, so equal fingerprints mean comparable signatures."""
        return (
            f"k={self.k};num_perm={self.num_perm};seed={self.seed};scheme={self.scheme};"
            f"normalizer={self.normalizer};token_hash={self.token_hash}"
        )

    def __str__(self) -> str:
        return self.fingerprint

    @classmethod
    def from_fingerprint(cls, fingerprint: str) -> SketchConfig:
        try:
            fields = dict(part.split("=", 1) for part in fingerprint.split(";"))
            return cls(
                k=int(fields["k"]),
                num_perm=int(fields["num_perm"]),
                seed=int(fields["seed"]),
                scheme=fields["scheme"],
                normalizer=fields["normalizer"],
                token_hash=fields["token_hash"],
            )
        except (KeyError, ValueError) as exc:
            raise ConfigMismatchError(
                f"not a provenance config fingerprint: {fingerprint!r}; pass the `fingerprint` of a "
                "SketchConfig (as an index stores it)"
            ) from exc

    def require_same(self, stored: str, what: str = "index") -> None:
        """Raise unless `stored` is this configuration's fingerprint."""
        if stored != self.fingerprint:
            raise ConfigMismatchError(
                f"{what} built with {stored}; this query uses {self.fingerprint}: "
                f"rebuild it with `provenance index rebuild` or query with the {what}'s settings"
            )


DEFAULT_CONFIG = SketchConfig()
