"""Engines: the pipeline run over a corpus (local, Dask) or over drafts against an index (check)."""
