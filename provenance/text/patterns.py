"""Regular expressions compiled on first use, so importing a module costs nothing for its patterns.

The check path (`provenance check`, the pre-commit hook) imports the loaders, whose web-page,
Markdown and credit patterns take tens of milliseconds to compile, while a Markdown draft
uses a few of them; each pattern here is compiled the first time it is used. `engine` names
the module that compiles it: `re`, or `regex` for Unicode classes (`regex` itself is then
imported only when such a pattern is first used).
"""

from __future__ import annotations

import re
from importlib import import_module


class LazyPattern:
    """Stands for `engine.compile(pattern, flags)` and compiles it on first use.

    `.pattern` and `.flags` are the source (reading them compiles nothing, so one pattern
    can be built from another's text); every other attribute is the compiled pattern's,
    kept on the instance once read, so later calls cost what a compiled pattern's do.
    """

    def __init__(self, pattern: str | bytes, flags: int = 0, *, engine: str = "re") -> None:
        self.pattern = pattern
        self.flags = flags
        self._engine = engine

    def __getattr__(self, name: str):
        if name.startswith("_"):  # not a pattern's attribute (e.g. copy or pickle probing before __init__)
            raise AttributeError(name)
        compiled = import_module(self._engine).compile(self.pattern, self.flags)
        for attr in ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"):
            setattr(self, attr, getattr(compiled, attr))
        self.compiled = compiled
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r}, engine={self._engine!r})"


def lazy_re(pattern: str | bytes, flags: int = 0, *, engine: str = "re") -> re.Pattern:
    """A pattern compiled on first use (typed as the compiled pattern it behaves as)."""
    return LazyPattern(pattern, flags, engine=engine)  # type: ignore[return-value]
