"""A newsroom's settings in a file: `.provenance.toml`, or `[tool.provenance]` in `pyproject.toml`.

Found from the working folder upward (the first folder holding either file wins; in one
folder `.provenance.toml` comes first), so every editor and the pre-commit hook in a desk's
repository check against the same index with the same rules. Flags given on the command
line override the file; the file overrides the built-in defaults.

    [tool.provenance]                  # or, in .provenance.toml, the same keys at the top level
    index = ".provenance/index.sqlite" # a path is taken from the file's folder; or redis://...
    fail-on = "copy"                   # copy | quote-only | never
    max-candidates = 10
    format = "table"
    licensed = ["reuters/*", "ap/*", "archive/*"]   # sources the desk may reuse: ids or paths, globs

    [tool.provenance.thresholds]       # what counts as copying (settings.VerdictRules); any subset
    verbatim-share = 0.15              # of one text's narration in verbatim passages
    verbatim-words = 50                # ...or this many verbatim narration words in all
    chain-links = 3                    # sentences that follow the other text in order, at least...
    chain-share = 0.30                 # ...covering this share of the shorter text's sentences
    order-alpha = 0.05                 # how unlikely that order must be by chance
    quote-words = 6                    # longest shared quotation that makes a pair quote-only

`scan` and `compare` read the thresholds too, so a desk's corpus runs and its checks call the
same things copying; a run whose thresholds come from a file says so on stderr.

A draft that reuses only licensed sources is reported as licensed and does not fail the
check. A file that cannot be read, or a key or value this version does not know, is an
error (exit 2) naming the file and the fix: a typo must not silently loosen a check.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from provenance.errors import ConfigError
from provenance.ingest.stored import metadata_of
from provenance.model import ScanResult
from provenance.report.summaries import LICENSED
from provenance.settings import VERDICT, VerdictRules

FILE_NAMES = (".provenance.toml", "pyproject.toml")
FAIL_ON_VALUES = ("copy", "quote-only", "never")


@dataclass(frozen=True, slots=True)
class Settings:
    """What a settings file says; None: the file leaves it to the flag or the built-in default."""

    index: str | None = None
    fail_on: str | None = None
    max_candidates: int | None = None
    format: str | None = None
    licensed: tuple[str, ...] = ()
    rules: VerdictRules = VERDICT  # the verdict's thresholds, the built-in ones unless the file sets some
    source: Path | None = None  # the file these came from

    def rules_note(self) -> str | None:
        """One line naming the thresholds the file changed, or None when it changed none."""
        changed = [f"{_key(f.name)} {getattr(self.rules, f.name)}" for f in fields(VerdictRules)
                   if getattr(self.rules, f.name) != getattr(VERDICT, f.name)]
        return f"verdict thresholds from {self.source}: {', '.join(changed)}" if changed else None

    def is_licensed(self, doc_id: str, path: str = "") -> bool:
        """Whether a source (by id, or by its path) matches an entry of the allow-list."""
        return any(fnmatch.fnmatchcase(doc_id, pattern) or (path and fnmatch.fnmatchcase(path, pattern))
                   for pattern in self.licensed)


@dataclass(frozen=True, slots=True)
class CheckChoices:
    """A check's options once flags, the settings file and the built-in defaults are weighed, in that order."""

    index: str | None
    format: str
    fail_on: str
    max_candidates: int
    settings: Settings = Settings()


def check_choices(index: str | None, fmt: str | None, fail_on: str | None, max_candidates: int | None, *,
                  formats: tuple[str, ...], defaults: CheckChoices) -> CheckChoices:
    """The options a check runs with (None: not given on the command line). Raises ConfigError.

    `formats`: the formats this face offers; `defaults`: its built-in values.
    """
    settings = load()
    fmt = fmt or settings.format or defaults.format
    if fmt not in formats:
        raise ConfigError(f"{settings.source}: format {fmt!r}: use one of {', '.join(formats)}")
    return CheckChoices(
        index=index or settings.index or defaults.index, format=fmt,
        fail_on=fail_on or settings.fail_on or defaults.fail_on,
        max_candidates=max_candidates or settings.max_candidates or defaults.max_candidates, settings=settings,
    )


def mark_licensed(result: ScanResult, settings: Settings) -> ScanResult:
    """`result` with each pair whose source (side b) is on the allow-list marked licensed (its first reason)."""
    if not settings.licensed:
        return result
    paths = {doc.id: doc.path for doc in metadata_of(result.documents)}
    pairs = [
        replace(pair, reasons=(f"{LICENSED} (allowed by {settings.source})", *pair.reasons))
        if settings.is_licensed(pair.b, paths.get(pair.b, "")) else pair
        for pair in result.pairs
    ]
    return replace(result, pairs=pairs)


def verdict_rules(settings: Settings, warn) -> VerdictRules:
    """The thresholds a run uses; `warn` gets a line naming them when the file changed any."""
    note = settings.rules_note()
    if note:
        warn(note)
    return settings.rules


def find(start: Path | None = None) -> Path | None:
    """The settings file that applies in `start` (default: the working folder), or None."""
    folder = Path(os.path.abspath(start or Path.cwd()))
    for here in (folder, *folder.parents):
        for name in FILE_NAMES:
            candidate = here / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_table(candidate)):
                return candidate
    return None


def _has_table(pyproject: Path) -> bool:
    try:
        return "provenance" in _read(pyproject).get("tool", {})
    except ConfigError:
        return True  # a broken pyproject.toml that may hold the table: load() names the error


def _read(path: Path) -> dict:
    import tomllib  # only when a settings file exists: most checks have none and skip its start-up

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read settings from {path}: {exc}: fix the file or remove it") from None


def load(start: Path | None = None) -> Settings:
    """The settings that apply in `start` (the working folder): empty when there is no file."""
    path = find(start)
    if path is None:
        return Settings()
    data = _read(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("provenance", {})
    return _settings(data, path)


def _key(name: str) -> str:
    return name.replace("_", "-")


def _rules(data: object, path: Path) -> VerdictRules:
    """The `thresholds` table as VerdictRules: counts are whole numbers ≥ 1, shares and alpha in (0, 1]."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: thresholds must be a table, e.g. [tool.provenance.thresholds]")
    types = {_key(f.name): f.name for f in fields(VerdictRules)}
    unknown = sorted(set(data) - set(types))
    if unknown:
        raise ConfigError(f"{path}: unknown threshold(s) {', '.join(unknown)}: use {', '.join(sorted(types))}")
    values = {}
    for key, value in data.items():
        name = types[key]
        if isinstance(getattr(VERDICT, name), int):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{path}: thresholds.{key} must be a whole number of at least 1")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise ConfigError(f"{path}: thresholds.{key} must be a number above 0 and at most 1")
        values[name] = type(getattr(VERDICT, name))(value)
    return replace(VERDICT, **values)


def _settings(data: dict, path: Path) -> Settings:
    known = {"index", "fail-on", "max-candidates", "format", "licensed", "thresholds"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}: use {', '.join(sorted(known))}")
    index = data.get("index")
    if index is not None:
        if not isinstance(index, str) or not index:
            raise ConfigError(f"{path}: index must be a file path or a redis:// URL")
        if "://" not in index and not os.path.isabs(index):
            index = str(path.parent / index)
    fail_on = data.get("fail-on")
    if fail_on is not None and fail_on not in FAIL_ON_VALUES:
        raise ConfigError(f"{path}: fail-on is {fail_on!r}: use one of {', '.join(FAIL_ON_VALUES)}")
    max_candidates = data.get("max-candidates")
    if max_candidates is not None and (not isinstance(max_candidates, int) or max_candidates < 1):
        raise ConfigError(f"{path}: max-candidates must be a whole number of at least 1")
    fmt = data.get("format")
    if fmt is not None and not isinstance(fmt, str):
        raise ConfigError(f"{path}: format must be a format name such as 'table' or 'line'")
    licensed = data.get("licensed", [])
    if not isinstance(licensed, list) or not all(isinstance(x, str) and x for x in licensed):
        raise ConfigError(f"{path}: licensed must be a list of source ids or paths, e.g. [\"reuters/*\"]")
    rules = _rules(data["thresholds"], path) if "thresholds" in data else VERDICT
    return Settings(index=index, fail_on=fail_on, max_candidates=max_candidates, format=fmt,
                    licensed=tuple(licensed), rules=rules, source=path)
