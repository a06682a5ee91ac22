"""The command line: `provenance` (typer, app.py) and the lean pre-commit entry point (hook.py)."""

import os

# No command multiplies large matrices, and numpy's OpenBLAS starts a thread per core when it is
# imported: a tenth of a second of CPU on two cores, most of a check's own work. A user's setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
