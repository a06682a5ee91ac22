"""Errors the library raises.

Every message names the fix. Only the CLI turns these into exit codes, so library
code never prints or exits.
"""

from __future__ import annotations

import os


class ProvenanceError(Exception):
    """Base class for errors a user can act on."""


class EmptyTextError(ProvenanceError, ValueError):
    """A text has no word tokens, so it has no shingles and no signature.

    An empty MinHash would compare as similar to every other empty one; refusing
    is safer than a silent signature that matches everything.
    """


class ConfigError(ProvenanceError, ValueError):
    """Settings that cannot work together (e.g. more LSH bands than the signatures have permutations)."""


class ConfigMismatchError(ProvenanceError):
    """Signatures made under one configuration were compared with another."""


class InputError(ProvenanceError):
    """A file or record could not be read or used."""


class UnusableInput(InputError):
    """This input cannot become a document; the message is the reason (it is reported and skipped)."""


class IndexError_(ProvenanceError):
    """An index cannot be opened, is corrupt, or belongs to another configuration."""


class SpillError(ProvenanceError):
    """A scan's temporary files (its texts, `ingest.stored`, and keys spilled to disk,
    `fingerprint.items.Spill`) could not be written: no room or no permission where the system
    keeps temporary files."""

    def __init__(self, folder: object | None, exc: OSError) -> None:
        """`folder` None: the system's temporary folder (TMPDIR when set)."""
        if folder is None:
            folder = os.environ.get("TMPDIR") or "the temporary folder"
        reason = exc.strerror or str(exc)
        super().__init__(
            f"cannot write the scan's temporary files in {folder} ({reason}): free space there, or set "
            "TMPDIR to a folder with room (the texts' size and about 10 KB a document more)"
        )


class MissingExtraError(ProvenanceError, ImportError):
    """An optional dependency is not installed."""

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(
            f"{module} is not installed: install it with `pip install provenance[{extra}]`"
        )
