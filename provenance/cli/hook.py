"""The pre-commit entry point: `provenance check` without the CLI framework's start-up cost.

pre-commit runs the hook on every commit, so start-up is most of its latency; this
face parses its few options with argparse and imports only what a check needs.
Same exit codes as `provenance check`: 0 clean, 1 findings, 2 unusable drafts or index.
Run as ``python -m provenance.hook [options] FILE...`` (what `.pre-commit-hooks.yaml` does).
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="provenance-check",
        description="Check drafts against the index of published and wire copy before publication.",
    )
    p.add_argument("drafts", nargs="*", help="draft files (pre-commit passes the staged ones)")
    p.add_argument("--index", default=None, help="index file (default .provenance/index.sqlite) or redis://...")
    p.add_argument("--fail-on", choices=("copy", "quote-only", "never"), default="copy")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument("--format", dest="fmt", choices=("line", "table", "json", "html"), default="line")
    p.add_argument("--max-candidates", type=int, default=10)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not args.drafts:
        return 0  # nothing staged of the hooked file types
    from provenance.engines.check import check
    from provenance.errors import ProvenanceError
    from provenance.report import render

    try:
        checked = check(
            args.drafts,
            index_spec=args.index,
            fail_on="copy" if args.fail_on == "never" else args.fail_on,
            max_candidates=args.max_candidates,
        )
        options = {"sides": ("a",)} if args.fmt == "line" else {}
        report = render(checked.result, args.fmt, **options)
    except ProvenanceError as exc:
        print(f"provenance: error: {exc}", file=sys.stderr)
        return 2
    for problem in checked.result.problems:
        print(f"provenance: warning: {problem}", file=sys.stderr)
    sys.stdout.write(report)
    if checked.findings and args.fmt == "line":
        sources = sorted({p.b for p in checked.findings})
        print(f"provenance: {len(checked.findings)} finding(s); sources: {', '.join(sources)}", file=sys.stderr)
    if args.exit_zero or args.fail_on == "never":
        return 0
    return checked.exit_code


if __name__ == "__main__":
    sys.exit(main())
