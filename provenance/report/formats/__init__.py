"""The report formats, one module each; every module here defines `FORMAT`, a ReportFormat.

A module added here is a new `--format` choice of `provenance` (and of the pre-commit hook
when it says `in_hook=True`): the registry in `provenance.report` finds it, and nothing else
in the code changes. README.md lists the formats; tests/test_docs.py fails until it names it.
"""
