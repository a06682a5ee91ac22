"""The report formats, one module each; every module here defines `FORMAT`, a ReportFormat.

A module added here is a new `--format` choice everywhere (the registry in
`provenance.report` finds it), with nothing else to edit.
"""
