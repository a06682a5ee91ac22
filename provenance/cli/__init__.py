"""The command line: `provenance` (typer, app.py) and the lean pre-commit entry point (hook.py)."""
