"""Ingest: files and records in, `Document`s out (decoding, HTML main text, markup and chrome removal)."""
